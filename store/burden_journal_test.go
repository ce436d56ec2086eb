package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// The burden journal: a fold cut off after it wrote the burden tables
// (its transaction rolled back, as when its process dies) loses nothing
// and counts nothing twice; the next fold, or the next read, adds what was
// acknowledged exactly once, and the rollups and the current window equal
// a rebuild from the days. Two processes ingesting and folding at once do
// not count a batch twice either.
func TestBurdenFoldCutOffLosesNothing(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			dsn := storetest.DSN(t, e)
			db := storetest.OpenDSN(t, dsn)
			other := storetest.OpenDSN(t, dsn) // a second process on the same database
			f := storetest.Load(t, db)
			g := storetest.Groups(t, db, f)
			now := time.Date(2026, 6, 30, 18, 0, 0, 0, jianfu.China)
			clock := func() time.Time { return now }
			db.Now, other.Now = clock, clock
			groups := []*jianfu.Channel{g["southEdu"], g["school"], g["northEdu"], g["southCAC"]}
			ctx := storetest.System()
			batch := func(prefix string, n int) []jianfu.Observation {
				obs := make([]jianfu.Observation, n)
				for i := range obs {
					obs[i] = jianfu.Observation{Key: []byte(fmt.Sprintf("%s%d", prefix, i)), GroupID: groups[i%len(groups)].ID,
						At: now.Add(-time.Duration(i*7) * time.Minute), MemberCount: 30, Offhours: i%3 == 0, Demand: i%5 == 0}
				}
				return obs
			}
			record := func(db *store.DB, obs []jianfu.Observation) int {
				t.Helper()
				rec, err := db.Burden().RecordObservations(ctx, "api", obs)
				if err != nil {
					t.Fatal(err)
				}
				return rec.New
			}
			counted := func() (msgs, journal int) {
				t.Helper()
				if err := db.SQL().QueryRow(`SELECT COALESCE(SUM(messages), 0) FROM burden_daily`).Scan(&msgs); err != nil {
					t.Fatal(err)
				}
				if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM burden_journal`).Scan(&journal); err != nil {
					t.Fatal(err)
				}
				return
			}

			// a first fold makes the current window today's, kept by the folds
			if _, err := db.Burden().BurdenSummary(f.Ctx(t, db, "provSup"), jianfu.BurdenFilter{}); err != nil {
				t.Fatal(err)
			}
			// every fold, the background ones too, cut off before its commit
			cut := errors.New("the fold's process died")
			db.CutFolds(cut)
			other.CutFolds(cut)
			if n := record(db, batch("a", 300)); n != 300 {
				t.Fatalf("stored %d of 300", n)
			}
			for _, d := range []*store.DB{db, other} {
				if _, err := d.FoldBurden(context.Background()); !errors.Is(err, cut) {
					t.Fatalf("a cut fold: %v", err)
				}
			}
			if msgs, journal := counted(); msgs != 0 || journal == 0 {
				t.Fatalf("after the cut folds: %d messages counted, %d journal rows; want none counted and the journal kept", msgs, journal)
			}
			// more traffic meanwhile, and the first batch again (repeats)
			if n := record(other, batch("b", 200)); n != 200 {
				t.Fatalf("stored %d of 200", n)
			}
			if n := record(db, batch("a", 300)); n != 0 {
				t.Fatalf("a repeated batch stored %d new messages", n)
			}
			db.CutFolds(nil)
			other.CutFolds(nil)

			// two processes ingesting and folding at once
			var wg sync.WaitGroup
			for i, d := range []*store.DB{db, other} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for k := 0; k < 5; k++ {
						if _, err := d.Burden().RecordObservations(ctx, "api", batch(fmt.Sprintf("c%d-%d-", i, k), 100)); err != nil {
							t.Error(err)
							return
						}
						if _, err := d.FoldBurden(context.Background()); err != nil {
							t.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			if t.Failed() {
				return
			}

			// a fold between recomputations leaves the current windows
			// stale (the background folders stopped, so none runs between)
			db.StopBackgroundFolds()
			other.StopBackgroundFolds()
			if n := record(db, batch("d", 50)); n != 50 {
				t.Fatalf("stored %d of 50", n)
			}
			if _, err := db.FoldJournalOnly(context.Background()); err != nil {
				t.Fatal(err)
			}
			var stale int
			if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM burden_current_stale`).Scan(&stale); err != nil || stale == 0 {
				t.Fatalf("%d stale current windows after a fold without recomputation (%v); want the touched groups", stale, err)
			}

			// a read folds what is pending and recomputes the stale windows first
			sum, err := db.Burden().BurdenSummary(f.Ctx(t, db, "provSup"), jianfu.BurdenFilter{})
			if err != nil {
				t.Fatal(err)
			}
			const want = 300 + 200 + 2*5*100 + 50
			if msgs, journal := counted(); msgs != want || journal != 0 {
				t.Fatalf("counted %d messages with %d journal rows left; want %d and none", msgs, journal, want)
			}
			if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM burden_current_stale`).Scan(&stale); err != nil || stale != 0 {
				t.Errorf("%d stale current windows after a read (%v); want none", stale, err)
			}
			if sum.Metrics.Messages != want {
				t.Errorf("the summary counts %d messages, want %d", sum.Metrics.Messages, want)
			}
			// the rollups and the current window kept by the folds equal a
			// rebuild from the days
			weeks, _ := rollupRows(t, db)
			current, _ := currentRows(t, db)
			if _, err := db.Burden().RebuildRollups(ctx); err != nil {
				t.Fatal(err)
			}
			if w, _ := rollupRows(t, db); w != weeks {
				t.Errorf("burden_weeks kept by the folds differs from a rebuild\nkept    %s\nrebuilt %s", weeks, w)
			}
			if c, _ := currentRows(t, db); c != current {
				t.Errorf("burden_current kept by the folds differs from a rebuild\nkept    %s\nrebuilt %s", current, c)
			}
		})
	}
}
