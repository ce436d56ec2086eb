package store

import (
	"context"
	"testing"
	"time"
)

// waitQueued waits until the gate has n interactive and m bulk waiters.
func waitQueued(t *testing.T, g *writeGate, n, m int) {
	t.Helper()
	for range 1000 {
		g.mu.Lock()
		i, b := len(g.interactive), len(g.bulk)
		g.mu.Unlock()
		if i == n && b == m {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("the gate never had %d interactive and %d bulk waiters", n, m)
}

// A write waiting for the gate goes before bulk writes that came earlier;
// writes of one kind keep their order; a waiter that gives up passes on.
func TestWriteGateOrder(t *testing.T) {
	g := newWriteGate(time.Minute)
	ctx := context.Background()
	if err := g.acquire(ctx, bulkWrite); err != nil {
		t.Fatal(err)
	}
	order := make(chan string, 4)
	enter := func(name string, bulk bool) {
		go func() {
			if err := g.acquire(ctx, bulk); err != nil {
				order <- name + ": " + err.Error()
				return
			}
			order <- name
			g.release()
		}()
	}
	enter("bulk1", bulkWrite)
	waitQueued(t, g, 0, 1)
	enter("bulk2", bulkWrite)
	waitQueued(t, g, 0, 2)
	gone, cancel := context.WithCancel(ctx)
	gaveUp := make(chan error, 1)
	go func() { gaveUp <- g.acquire(gone, interactiveWrite) }()
	waitQueued(t, g, 1, 2)
	enter("complaint", interactiveWrite)
	waitQueued(t, g, 2, 2)
	enter("login", interactiveWrite)
	waitQueued(t, g, 3, 2)
	cancel()
	if err := <-gaveUp; err != context.Canceled {
		t.Fatalf("cancelled waiter: %v", err)
	}
	waitQueued(t, g, 2, 2)
	g.release()
	var got []string
	for range 4 {
		got = append(got, <-order)
	}
	want := []string{"complaint", "login", "bulk1", "bulk2"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order %v, want %v", got, want)
		}
	}
	// open again: an acquire does not wait
	if err := g.acquire(ctx, interactiveWrite); err != nil {
		t.Fatal(err)
	}
	g.release()
}

// A write that waits past its time is answered busy and leaves the line.
func TestWriteGateTimesOut(t *testing.T) {
	g := newWriteGate(20 * time.Millisecond)
	ctx := context.Background()
	if err := g.acquire(ctx, interactiveWrite); err != nil {
		t.Fatal(err)
	}
	err := g.acquire(ctx, interactiveWrite)
	if err == nil || err.Error() != errBusy().Error() {
		t.Fatalf("second writer: %v, want busy", err)
	}
	waitQueued(t, g, 0, 0)
	g.release()
	if err := g.acquire(ctx, bulkWrite); err != nil {
		t.Fatal(err)
	}
	g.release()
}
