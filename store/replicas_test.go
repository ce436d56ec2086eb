package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// TestSharedRates: the counters of a key slide with the window — the
// previous window weighs by the part still covered — and old windows are
// purged; concurrent hits from many goroutines (replicas) are all counted.
func TestSharedRates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
		var mu sync.Mutex
		db.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		r := db.Rates()
		var wg sync.WaitGroup
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 4 {
					if _, err := r.Hit(ctx, "submit:10.0.0.1", 10*time.Minute); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		if n, err := r.Count(ctx, "submit:10.0.0.1", 10*time.Minute); err != nil || n != 40 {
			t.Fatalf("count %d (%v), want 40", n, err)
		}
		if n, _ := r.Count(ctx, "submit:10.0.0.2", 10*time.Minute); n != 0 {
			t.Fatalf("another address counts %d", n)
		}
		mu.Lock()
		now = now.Add(12 * time.Minute) // 2 minutes into the next window: 8/10 of the last one still covered
		mu.Unlock()
		if n, err := r.Hit(ctx, "submit:10.0.0.1", 10*time.Minute); err != nil || n != 1+32 {
			t.Fatalf("after the window turned: %d (%v), want 33", n, err)
		}
		mu.Lock()
		now = now.Add(30 * time.Minute)
		mu.Unlock()
		if n, err := r.Purge(ctx); err != nil || n != 2 {
			t.Fatalf("purged %d (%v), want both windows", n, err)
		}
	})
}

// TestSSOAttemptOnce: a single sign-on state is taken once, whichever
// replica asks, and not after it expired.
func TestSSOAttemptOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := db.Users()
		if err := u.BeginSSO(ctx, &jianfu.SSOAttempt{State: "state-1", Nonce: "n", Verifier: "v", Next: "/cases", Expires: db.Now().Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		got := 0
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if a, err := u.TakeSSO(ctx, "state-1"); err == nil && a.Next == "/cases" && a.Verifier == "v" {
					mu.Lock()
					got++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if got != 1 {
			t.Fatalf("the state was taken %d times, want once", got)
		}
		u.BeginSSO(ctx, &jianfu.SSOAttempt{State: "state-2", Nonce: "n", Verifier: "v", Expires: db.Now().Add(-time.Second)})
		if _, err := u.TakeSSO(ctx, "state-2"); jianfu.ErrorCode(err) != jianfu.EINVALID {
			t.Fatalf("an expired state: %v", err)
		}
	})
}
