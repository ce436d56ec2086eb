package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"time"

	"jianfu/store"
)

// jobs runs one process's periodic jobs (deadline sweeps, monitoring,
// retention, session purges) so that each runs once per interval across
// every replica and worker on the database: before a run the process
// claims the job's lease in the database (store.Leases), renews it while
// the job runs and, when done, makes the job due again an interval later.
// A process that dies stops renewing; after the lease lapses another one
// takes the job over.
type jobs struct {
	leases *store.Leases
	now    func() time.Time
	log    *slog.Logger
	holder string        // this process: host, pid and a random tag
	ttl    time.Duration // a lease lapses this long after its last renewal
}

// leaseTTL is how long a dead holder keeps a job from running.
const leaseTTL = 2 * time.Minute

func newJobs(db *store.DB, log *slog.Logger) *jobs {
	host, _ := os.Hostname()
	var tag [4]byte
	rand.Read(tag[:])
	return &jobs{leases: db.Leases(), now: db.Now, log: log, ttl: leaseTTL,
		holder: fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(tag[:]))}
}

// every runs job once per interval cluster-wide until ctx ends, the first
// time as soon as it is due (at once on a new database). This process
// looks whether the job is due every tenth of the interval (between a
// second and a minute). A failing run is logged and stays due.
func (j *jobs) every(ctx context.Context, name string, interval time.Duration, job func(context.Context) error) {
	poll := min(max(interval/10, time.Second), time.Minute)
	go func() {
		t := time.NewTicker(poll)
		defer t.Stop()
		for {
			if _, err := j.runDue(ctx, name, interval, job); err != nil && ctx.Err() == nil {
				j.log.Error("periodic job failed", "job", name, "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// tick runs fn every d until ctx ends, in this process alone (no lease:
// for what every replica must do itself, such as reloading its calendar).
func tick(ctx context.Context, d time.Duration, fn func()) {
	go func() {
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				fn()
			}
		}
	}()
}

// runDue runs the job when it is due and this process wins its lease, and
// reports whether it ran.
func (j *jobs) runDue(ctx context.Context, name string, interval time.Duration, job func(context.Context) error) (bool, error) {
	ok, err := j.leases.Claim(ctx, name, j.holder, j.ttl)
	if err != nil || !ok {
		return false, err
	}
	start := j.now()
	jctx, cancel := context.WithCancel(ctx)
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		t := time.NewTicker(j.ttl / 3)
		defer t.Stop()
		for {
			select {
			case <-jctx.Done():
				return
			case <-t.C:
			}
			if ok, err := j.leases.Renew(jctx, name, j.holder, j.ttl); err == nil && !ok {
				j.log.Warn("periodic job lost its lease; stopping it", "job", name, "holder", j.holder)
				cancel()
				return
			}
		}
	}()
	err = job(jctx)
	cancel()
	<-renewed
	// the lease is settled even when ctx has ended (shutdown), so the
	// next holder need not wait for it to lapse
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer scancel()
	if err != nil {
		if rerr := j.leases.Release(sctx, name, j.holder); rerr != nil {
			j.log.Warn("release lease", "job", name, "err", rerr)
		}
		return true, err
	}
	if ok, ferr := j.leases.Finish(sctx, name, j.holder, start, start.Add(interval)); ferr != nil {
		return true, ferr
	} else if !ok {
		j.log.Warn("periodic job finished after its lease lapsed; it may run again this interval", "job", name)
	}
	return true, nil
}
