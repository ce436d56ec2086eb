package store

import (
	"context"
	"sync"
	"time"

	"jianfu"
)

// writeGate lets one write transaction of this process at a time into a
// SQLite database, interactive writes (complaints, logins, reviews, case
// actions) before bulk ones (message ingest). SQLite has one writer per
// file; left to its busy timeout, waiting writers retry by sleeping and
// whoever happens to retry first wins, so a steady stream of ingest
// batches kept a complaint waiting for seconds and, past the timeout,
// failed it. Behind the gate a writer waits in line instead, and never
// behind more than the bulk transaction already running, which ingest
// keeps short (see ingestChunk).
//
// PostgreSQL needs no gate: its writers lock rows, not the database.
type writeGate struct {
	wait [2]time.Duration // how long an interactive [0] and a bulk [1] write wait

	mu          sync.Mutex
	held        bool
	interactive []chan struct{} // waiters, first come first served
	bulk        []chan struct{}
}

// Priorities of a write.
const (
	interactiveWrite = false
	bulkWrite        = true
)

// newWriteGate returns a gate where a write waits at most busy before it
// is answered "busy, try again" (EUNAVAILABLE, 503 with Retry-After), a
// bulk one three times as long: a person gives up sooner than a batch
// client, which retries anyway.
func newWriteGate(busy time.Duration) *writeGate {
	return &writeGate{wait: [2]time.Duration{busy, 3 * busy}}
}

// errBusy is the answer to a write that could not get the database in time.
func errBusy() error {
	return jianfu.Errorf(jianfu.EUNAVAILABLE, "系统繁忙,数据暂未保存,请稍后再试", "the system is busy and nothing was saved; try again shortly")
}

// acquire waits for the gate; a nil gate (PostgreSQL) is always open.
func (g *writeGate) acquire(ctx context.Context, bulk bool) error {
	if g == nil {
		return nil
	}
	g.mu.Lock()
	if !g.held {
		g.held = true
		g.mu.Unlock()
		return nil
	}
	turn := make(chan struct{}, 1)
	if bulk {
		g.bulk = append(g.bulk, turn)
	} else {
		g.interactive = append(g.interactive, turn)
	}
	g.mu.Unlock()

	wait := g.wait[0]
	if bulk {
		wait = g.wait[1]
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	var err error
	select {
	case <-turn:
		return nil
	case <-ctx.Done():
		err = ctx.Err()
	case <-timer.C:
		err = errBusy()
	}
	g.mu.Lock()
	if !g.remove(turn, bulk) {
		// handed the gate while giving up: pass it on
		g.mu.Unlock()
		<-turn
		g.release()
		return err
	}
	g.mu.Unlock()
	return err
}

// remove takes a waiter out of its line; false when it is no longer there
// (it was handed the gate).
func (g *writeGate) remove(turn chan struct{}, bulk bool) bool {
	line := &g.interactive
	if bulk {
		line = &g.bulk
	}
	for i, c := range *line {
		if c == turn {
			*line = append((*line)[:i], (*line)[i+1:]...)
			return true
		}
	}
	return false
}

// release hands the gate to the first interactive waiter, else the first
// bulk one, else opens it.
func (g *writeGate) release() {
	if g == nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	var next chan struct{}
	switch {
	case len(g.interactive) > 0:
		next, g.interactive = g.interactive[0], g.interactive[1:]
	case len(g.bulk) > 0:
		next, g.bulk = g.bulk[0], g.bulk[1:]
	default:
		g.held = false
		return
	}
	next <- struct{}{}
}
