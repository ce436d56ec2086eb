package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// A periodic job (deadline sweeps, monitors, retention, clustering…) runs
// once per interval across every process that schedules it. Its row in
// job_leases says who holds it (holder, until expires_at) and when the next
// interval begins (due_at). A scheduler claims the lease with a conditional
// update — it wins only when the job is due and the lease is free or
// lapsed — renews it while the job runs, and on finishing sets due_at to
// the next interval and frees it. A holder that dies stops renewing; its
// lease lapses and another scheduler takes the job over, which then runs
// once for the interval the dead one never finished.
//
// Instants are the store's clock: the machines' clocks must agree (NTP)
// to well within the lease and the interval.

// Claim takes the job's lease for holder until ttl from now, when the job
// is due and nobody holds a live lease (holder itself neither: one run at a
// time). It reports whether holder got it; exactly one of any number of
// concurrent claimants does.
func (l *Leases) Claim(ctx context.Context, job, holder string, ttl time.Duration) (bool, error) {
	if job == "" || holder == "" {
		return false, fmt.Errorf("claim lease: job and holder must not be empty")
	}
	now := ms(l.db.Now())
	if _, err := l.db.exec(ctx, `INSERT INTO job_leases(job, holder, expires_at, due_at) VALUES (?, '', 0, 0) ON CONFLICT (job) DO NOTHING`, job); err != nil {
		return false, fmt.Errorf("claim lease %s: %w", job, err)
	}
	res, err := l.db.exec(ctx, `UPDATE job_leases SET holder = ?, expires_at = ?
		WHERE job = ? AND due_at <= ? AND (holder = '' OR expires_at <= ?)`,
		holder, now+ttl.Milliseconds(), job, now, now)
	return affectedOne(res, err, "claim lease "+job)
}

// Renew extends holder's lease by ttl from now; false when holder no longer
// has it (it lapsed and another took it over): the job should stop.
func (l *Leases) Renew(ctx context.Context, job, holder string, ttl time.Duration) (bool, error) {
	now := ms(l.db.Now())
	res, err := l.db.exec(ctx, `UPDATE job_leases SET expires_at = ? WHERE job = ? AND holder = ? AND expires_at > ?`,
		now+ttl.Milliseconds(), job, holder, now)
	return affectedOne(res, err, "renew lease "+job)
}

// Finish records that holder ran the job (started at started) in job_runs,
// makes it due again at next and frees the lease; false when holder had
// lost the lease meanwhile (the run is then not counted and the job stays
// due for whoever holds it).
func (l *Leases) Finish(ctx context.Context, job, holder string, started, next time.Time) (bool, error) {
	var ok bool
	err := l.db.inTx(ctx, func(tx *Tx) error {
		now := ms(l.db.Now())
		res, err := tx.exec(`UPDATE job_leases SET holder = '', expires_at = 0, due_at = ?, runs = runs + 1, last_run_by = ?, last_run_at = ?
			WHERE job = ? AND holder = ?`, ms(next), holder, now, job, holder)
		if ok, err = affectedOne(res, err, "finish lease "+job); err != nil || !ok {
			return err
		}
		_, err = tx.exec(`INSERT INTO job_runs(job, holder, started_at, finished_at) VALUES (?, ?, ?, ?)`, job, holder, ms(started), now)
		return err
	})
	return ok, err
}

// JobRun is one finished run of a periodic job.
type JobRun struct {
	Job, Holder       string
	Started, Finished time.Time
}

// Runs lists the finished runs of every job, oldest first per job.
func (l *Leases) Runs(ctx context.Context) ([]JobRun, error) {
	rows, err := l.db.query(ctx, `SELECT job, holder, started_at, finished_at FROM job_runs ORDER BY job, started_at, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []JobRun
	for rows.Next() {
		var r JobRun
		var s, f int64
		if err := rows.Scan(&r.Job, &r.Holder, &s, &f); err != nil {
			return nil, err
		}
		r.Started, r.Finished = fromMS(s), fromMS(f)
		out = append(out, r)
	}
	return out, rows.Err()
}

// PurgeRuns deletes run records older than before.
func (l *Leases) PurgeRuns(ctx context.Context, before time.Time) (int64, error) {
	res, err := l.db.exec(ctx, `DELETE FROM job_runs WHERE finished_at < ?`, ms(before))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Release frees holder's lease without counting a run (a job that failed
// or was stopped): the job stays due.
func (l *Leases) Release(ctx context.Context, job, holder string) error {
	_, err := l.db.exec(ctx, `UPDATE job_leases SET holder = '', expires_at = 0 WHERE job = ? AND holder = ?`, job, holder)
	if err != nil {
		return fmt.Errorf("release lease %s: %w", job, err)
	}
	return nil
}

// JobRuns returns how many times the job ran and who ran it last.
func (l *Leases) JobRuns(ctx context.Context, job string) (runs int64, lastBy string, err error) {
	err = l.db.queryRow(ctx, `SELECT runs, last_run_by FROM job_leases WHERE job = ?`, job).Scan(&runs, &lastBy)
	if errors.Is(err, errNoRows) {
		return 0, "", nil
	}
	return runs, lastBy, err
}

func affectedOne(res interface{ RowsAffected() (int64, error) }, err error, what string) (bool, error) {
	if err != nil {
		return false, fmt.Errorf("%s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("%s: %w", what, err)
	}
	return n == 1, nil
}
