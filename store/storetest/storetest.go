// Package storetest runs tests against every database engine jianfu
// supports: a fresh SQLite file, and a fresh schema on the PostgreSQL
// server named by JIANFU_TEST_POSTGRES.
//
// Without JIANFU_TEST_POSTGRES the PostgreSQL runs are skipped with a
// message — unless JIANFU_REQUIRE_POSTGRES=1 (set by `make test`), in which
// case they fail: the PostgreSQL run is never skipped silently.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"jianfu"
	"jianfu/registry"
	"jianfu/store"
	"jianfu/textsim"
)

// Engines lists the engines tests run on.
var Engines = []store.Engine{store.SQLite, store.Postgres}

// Rules hands a store the registry's rules and the matcher of material
// requests, as the server does.
var Rules = store.WithRules(registry.Rules{}, textsim.Requests{})

// RaterKey is the key of the rater marks in tests; every store Open makes
// has it, as a server configured with --rater-key does.
const RaterKey = "test-rater-key-0123456789"

// Each runs fn once per engine, each time on a fresh, migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, e := range Engines {
		t.Run(string(e), func(t *testing.T) {
			fn(t, Open(t, e))
		})
	}
}

// Open returns a fresh migrated store on the engine, removed at cleanup.
func Open(t testing.TB, e store.Engine, opts ...store.Option) *store.DB {
	t.Helper()
	return OpenDSN(t, DSN(t, e), opts...)
}

// OpenDSN opens and migrates the store at dsn (from DSN), closed at cleanup.
func OpenDSN(t testing.TB, dsn string, opts ...store.Option) *store.DB {
	t.Helper()
	if os.Getenv("JIANFU_TEST_LOG") == "" {
		// Quiet by default: the migrations' log lines drown test output.
		opts = append([]store.Option{store.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))}, opts...)
	}
	db, err := store.Open(context.Background(), dsn, append([]store.Option{Rules, store.WithRaterKey([]byte(RaterKey))}, opts...)...)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", dsn, err)
	}
	return db
}

// DSN returns the address of a fresh, empty database on the engine.
func DSN(t testing.TB, e store.Engine) string {
	t.Helper()
	if e == store.SQLite {
		return filepath.Join(t.TempDir(), "jianfu.db")
	}
	base := os.Getenv("JIANFU_TEST_POSTGRES")
	if base == "" {
		if os.Getenv("JIANFU_REQUIRE_POSTGRES") == "1" {
			t.Fatal("PostgreSQL is required (JIANFU_REQUIRE_POSTGRES=1) but JIANFU_TEST_POSTGRES is not set; run `make test`, which finds or starts a server")
		}
		t.Skip("PostgreSQL run skipped: set JIANFU_TEST_POSTGRES=postgres://… (make test does this)")
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "jft_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("postgres at %s: create schema: %v", redact(base), err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("JIANFU_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "?"
	}
	return u.Redacted()
}

// System returns a context acting as the trusted local operator.
func System() context.Context {
	return jianfu.WithActor(context.Background(), jianfu.SystemActor("test"))
}
