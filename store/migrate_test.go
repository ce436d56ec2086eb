package store_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// migrateHelperEnv names the database a helper process migrates; see
// TestMigrateHelperProcess.
const migrateHelperEnv = "JIANFU_MIGRATE_HELPER_DSN"

func latestVersion(t *testing.T) int {
	t.Helper()
	migs, err := store.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	return migs[len(migs)-1].Version
}

func quiet() store.Option {
	return store.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// openAndMigrate is what every jianfu process does when it starts.
func openAndMigrate(dsn string) (int, error) {
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, quiet())
	if err != nil {
		return 0, err
	}
	defer db.Close()
	return db.Migrate(ctx)
}

// TestMigrateHelperProcess is not a test: it is the body of the processes
// TestMigrateConcurrentStart starts.
func TestMigrateHelperProcess(t *testing.T) {
	dsn := os.Getenv(migrateHelperEnv)
	if dsn == "" {
		return
	}
	v, err := openAndMigrate(dsn)
	if err != nil {
		fmt.Fprintln(os.Stderr, "migrate:", err)
		os.Exit(3)
	}
	fmt.Println("version", v)
	os.Exit(0)
}

// Eight goroutines, then eight processes, start together on an empty
// database: all of them start, and the schema is applied once.
func TestMigrateConcurrentStart(t *testing.T) {
	want := latestVersion(t)
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			t.Run("goroutines", func(t *testing.T) {
				dsn := storetest.DSN(t, e)
				var wg sync.WaitGroup
				errs := make([]error, 8)
				versions := make([]int, 8)
				start := make(chan struct{})
				for i := range errs {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						versions[i], errs[i] = openAndMigrate(dsn)
					}()
				}
				close(start)
				wg.Wait()
				for i, err := range errs {
					if err != nil {
						t.Errorf("starter %d: %v", i, err)
					} else if versions[i] != want {
						t.Errorf("starter %d: version %d, want %d", i, versions[i], want)
					}
				}
				assertAppliedOnce(t, dsn, want)
			})
			t.Run("processes", func(t *testing.T) {
				dsn := storetest.DSN(t, e)
				cmds := make([]*exec.Cmd, 8)
				outs := make([]*strings.Builder, 8)
				for i := range cmds {
					cmd := exec.Command(os.Args[0], "-test.run=^TestMigrateHelperProcess$", "-test.count=1")
					cmd.Env = append(os.Environ(), migrateHelperEnv+"="+dsn)
					outs[i] = &strings.Builder{}
					cmd.Stdout, cmd.Stderr = outs[i], outs[i]
					cmds[i] = cmd
				}
				for i, cmd := range cmds {
					if err := cmd.Start(); err != nil {
						t.Fatalf("start process %d: %v", i, err)
					}
				}
				for i, cmd := range cmds {
					if err := cmd.Wait(); err != nil {
						t.Errorf("process %d: %v\n%s", i, err, outs[i])
					} else if !strings.Contains(outs[i].String(), fmt.Sprintf("version %d", want)) {
						t.Errorf("process %d printed %q, want version %d", i, outs[i], want)
					}
				}
				assertAppliedOnce(t, dsn, want)
			})
		})
	}
}

func assertAppliedOnce(t *testing.T, dsn string, want int) {
	t.Helper()
	db, err := store.Open(context.Background(), dsn, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n, top int
	if err := db.SQL().QueryRow(`SELECT COUNT(*), MAX(version) FROM schema_migrations`).Scan(&n, &top); err != nil {
		t.Fatal(err)
	}
	migs, _ := store.Migrations()
	if n != len(migs) || top != want {
		t.Fatalf("schema_migrations holds %d rows up to %d, want %d up to %d", n, top, len(migs), want)
	}
}

// A database missing a version below its highest, or whose recorded
// checksum differs from the file, is refused with the version named; one
// from before checksums gets them recorded.
func TestMigrateRefusesGapAndChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		migs, _ := store.Migrations()
		second := migs[1]
		exec := func(q string, args ...any) {
			t.Helper()
			if db.Engine() == store.Postgres {
				q = strings.ReplaceAll(q, "?", "$1")
			}
			if _, err := db.SQL().ExecContext(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		checksum := func(v int) string {
			t.Helper()
			var s *string
			q := `SELECT checksum FROM schema_migrations WHERE version = ?`
			if db.Engine() == store.Postgres {
				q = strings.ReplaceAll(q, "?", "$1")
			}
			if err := db.SQL().QueryRowContext(ctx, q, v).Scan(&s); err != nil {
				t.Fatal(err)
			}
			if s == nil {
				return ""
			}
			return *s
		}
		if got := checksum(second.Version); got != second.Checksum || len(got) != 64 {
			t.Fatalf("recorded checksum %q, want the file's %q", got, second.Checksum)
		}

		// A changed file.
		exec(`UPDATE schema_migrations SET checksum = 'deadbeef' WHERE version = ?`, second.Version)
		_, err := db.Migrate(ctx)
		if code(err) != jianfu.ECONFLICT || !strings.Contains(err.Error(), fmt.Sprintf("第%d版迁移", second.Version)) || !strings.Contains(err.Error(), second.Name) || !strings.Contains(err.Error(), "被修改") {
			t.Fatalf("changed migration: %v, want a conflict naming version %d and %s", err, second.Version, second.Name)
		}

		// Rows from before checksums get them recorded, the column too.
		exec(`ALTER TABLE schema_migrations DROP COLUMN checksum`)
		if v, err := db.Migrate(ctx); err != nil || v != migs[len(migs)-1].Version {
			t.Fatalf("legacy schema_migrations: version %d, %v", v, err)
		}
		for _, m := range migs {
			if got := checksum(m.Version); got != m.Checksum {
				t.Fatalf("version %d: checksum %q recorded, want %q", m.Version, got, m.Checksum)
			}
		}

		// A gap.
		exec(`DELETE FROM schema_migrations WHERE version = ?`, second.Version)
		_, err = db.Migrate(ctx)
		if code(err) != jianfu.ECONFLICT || !strings.Contains(err.Error(), fmt.Sprintf("缺少第%d版迁移", second.Version)) || !strings.Contains(err.Error(), second.Name) {
			t.Fatalf("gap: %v, want a conflict naming version %d and %s", err, second.Version, second.Name)
		}
		// Refused means untouched: the migration was not run again.
		if v, err := db.SchemaVersion(ctx); err != nil || v != migs[len(migs)-1].Version {
			t.Fatalf("after the refusal: version %d, %v", v, err)
		}
	})
}
