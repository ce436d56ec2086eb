package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// benchReminders is how many open cases the reminder benchmarks find due
// tomorrow, each reminding its unit's one administrator.
const benchReminders = 100_000

// reminderWorld builds, once per engine, 1,000 units each with an
// administrator and 100,000 cases at the answer stage due at the end of
// Tuesday 10 March 2026, swept on Monday 9 March: every case is due a
// reminder.
func reminderWorld(b *testing.B, e store.Engine) (*store.DB, time.Time) {
	b.Helper()
	if testing.Short() {
		b.Skip("the 100,000-reminder benchmark is skipped with -short")
	}
	now := time.Date(2026, 3, 9, 10, 0, 0, 0, jianfu.China)
	db := storetest.Open(b, e, store.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	exec := func(q string, args ...any) {
		if _, err := tx.ExecContext(ctx, pgRebind(db, q), args...); err != nil {
			tx.Rollback()
			b.Fatal(err)
		}
	}
	exec(`INSERT INTO regions(path, code, name, level, parent_path) VALUES ('39', '390000', '临江省', 'province', ''), ('3901', '390100', '江州市', 'city', '39')`)
	for i := 1; i <= 10; i++ {
		p := fmt.Sprintf("3901%02d", i)
		exec(`INSERT INTO regions(path, code, name, level, parent_path) VALUES (?, ?, ?, 'county', '3901')`, p, p, fmt.Sprintf("第%d区", i))
	}
	const units = 1000
	rows := func(table, cols string, per int, n int, row func(i int) []any) {
		const batch = 500
		for lo := 1; lo <= n; lo += batch {
			var sb strings.Builder
			var args []any
			sb.WriteString("INSERT INTO " + table + "(" + cols + ") VALUES ")
			for i := lo; i < lo+batch && i <= n; i++ {
				if i > lo {
					sb.WriteByte(',')
				}
				sb.WriteString("(" + strings.TrimSuffix(strings.Repeat("?,", per), ",") + ")")
				args = append(args, row(i)...)
			}
			exec(sb.String(), args...)
		}
	}
	rows("units", "id, name, type, region_path, path, created_at, updated_at", 7, units, func(i int) []any {
		return []any{i, fmt.Sprintf("单位%04d", i), "government", fmt.Sprintf("3901%02d", i%10+1), fmt.Sprintf("/%d/", i), 0, 0}
	})
	rows("users", "id, username, name, unit_id, roles, password_hash, created_at, updated_at", 8, units, func(i int) []any {
		return []any{i, fmt.Sprintf("admin%04d", i), fmt.Sprintf("管理员%04d", i), i, "unit_admin", "x", 0, 0}
	})
	due := time.Date(2026, 3, 11, 0, 0, 0, 0, jianfu.China).UnixMilli() // the end of Tuesday 10 March
	rows("cases", "id, number, source, category, description, region_path, unit_id, unit_path, status, stage, due_at, created_at, updated_at", 13, benchReminders, func(i int) []any {
		u := i%units + 1
		return []any{i, fmt.Sprintf("JF2026-%06d", i), "clue", "chain", "要求每天接龙报平安", fmt.Sprintf("3901%02d", u%10+1), u, fmt.Sprintf("/%d/", u),
			"transferred", "answer", due, 0, 0}
	})
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	// Statistics, as a server's autovacuum (or SQLite's optimize) keeps them.
	q := "ANALYZE"
	if e == store.SQLite {
		q = "PRAGMA optimize=0x10002"
	}
	if _, err := db.SQL().Exec(q); err != nil {
		b.Fatal(err)
	}
	return db, now
}

func pgRebind(db *store.DB, q string) string {
	if db.Engine() != store.Postgres {
		return q
	}
	var sb strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&sb, "$%d", n)
			continue
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// clearNotifications empties the notifications between runs, untimed.
func clearNotifications(b *testing.B, db *store.DB) {
	b.StopTimer()
	defer b.StartTimer()
	if _, err := db.SQL().Exec(`DELETE FROM notifications`); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkReminders100K sweeps 100,000 cases due tomorrow and writes
// their 100,000 reminders (the target: under 10 s per engine).
func BenchmarkReminders100K(b *testing.B) {
	for _, e := range storetest.Engines {
		b.Run(string(e), func(b *testing.B) {
			db, now := reminderWorld(b, e)
			sys := storetest.System()
			b.ResetTimer()
			for range b.N {
				clearNotifications(b, db)
				n, err := db.Deadlines().SweepReminders(sys, now, nil)
				if err != nil {
					b.Fatal(err)
				}
				if n != benchReminders {
					b.Fatalf("swept %d reminders, want %d", n, benchReminders)
				}
			}
			b.ReportMetric(float64(benchReminders)*float64(b.N)/b.Elapsed().Seconds(), "reminders/s")
		})
	}
}

// BenchmarkBaselineReminders100K is the floor: one notification row per
// case straight from the cases table, with no recipients, no window and
// no once-only key.
func BenchmarkBaselineReminders100K(b *testing.B) {
	for _, e := range storetest.Engines {
		b.Run(string(e), func(b *testing.B) {
			db, _ := reminderWorld(b, e)
			b.ResetTimer()
			for range b.N {
				clearNotifications(b, db)
				res, err := db.SQL().Exec(`INSERT INTO notifications(user_id, kind, title, created_at) SELECT c.unit_id, 'case.reminder', c.number, 0 FROM cases c`)
				if err != nil {
					b.Fatal(err)
				}
				if n, _ := res.RowsAffected(); n != benchReminders {
					b.Fatalf("wrote %d rows", n)
				}
			}
			b.ReportMetric(float64(benchReminders)*float64(b.N)/b.Elapsed().Seconds(), "reminders/s")
		})
	}
}
