package main

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"jianfu/store"
	"jianfu/store/storetest"
)

// fakeClock is a clock the test moves.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Two schedulers race for a job every interval, several times each: it
// runs exactly once per interval. A holder that claimed the job and died
// keeps it until its lease lapses; then the other takes it over, once.
func TestPeriodicJobRunsOncePerInterval(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			base := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
			clock := &fakeClock{t: base}
			db := storetest.Open(t, e, store.WithClock(clock.Now))
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			a, b := newJobs(db, log), newJobs(db, log)
			if a.holder == b.holder {
				t.Fatal("two schedulers share a holder name")
			}
			ctx := context.Background()
			const interval = time.Hour
			var runs atomic.Int64
			job := func(context.Context) error { runs.Add(1); return nil }

			for k := 0; k < 6; k++ {
				// the start of interval k, then later within it
				for _, off := range []time.Duration{0, time.Minute, 59 * time.Minute} {
					clock.Set(base.Add(time.Duration(k)*interval + off))
					var wg sync.WaitGroup
					for _, s := range []*jobs{a, b, a, b} {
						wg.Add(1)
						go func() {
							defer wg.Done()
							if _, err := s.runDue(ctx, "sweep", interval, job); err != nil {
								t.Error(err)
							}
						}()
					}
					wg.Wait()
				}
				if got := runs.Load(); got != int64(k+1) {
					t.Fatalf("after interval %d the job ran %d times, want %d", k, got, k+1)
				}
			}

			// A holder claims the due job and dies without finishing.
			clock.Set(base.Add(6 * interval))
			if ok, err := db.Leases().Claim(ctx, "sweep", "dead-replica", a.ttl); err != nil || !ok {
				t.Fatalf("the dead holder's claim: %v %v", ok, err)
			}
			clock.Set(base.Add(6*interval + a.ttl/2))
			if ran, err := b.runDue(ctx, "sweep", interval, job); ran || err != nil {
				t.Fatalf("ran while the holder's lease is alive: %v %v", ran, err)
			}
			clock.Set(base.Add(6*interval + a.ttl + time.Second))
			if ran, err := b.runDue(ctx, "sweep", interval, job); !ran || err != nil {
				t.Fatalf("not taken over after the lease lapsed: %v %v", ran, err)
			}
			if ran, _ := a.runDue(ctx, "sweep", interval, job); ran {
				t.Fatal("ran twice in the interval of the takeover")
			}
			if ok, _ := db.Leases().Renew(ctx, "sweep", "dead-replica", a.ttl); ok {
				t.Fatal("the dead holder could renew a lease taken over")
			}
			n, by, err := db.Leases().JobRuns(ctx, "sweep")
			if err != nil || n != 7 || by != b.holder || runs.Load() != 7 {
				t.Fatalf("job ran %d times (recorded %d, last by %q, %v), want 7, last by the one that took over", runs.Load(), n, by, err)
			}
		})
	}
}
