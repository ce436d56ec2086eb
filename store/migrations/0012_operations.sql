-- Running on more than one machine: leases of the periodic jobs and the
-- readiness probe.

-- One row per periodic job (deadline sweeps, monitors, retention,
-- clustering…): the scheduler that holds the lease runs it; due_at is when
-- the next interval begins, so a job runs once per interval cluster-wide,
-- also when another scheduler takes over from a holder that died.
CREATE TABLE job_leases (
    job        TEXT {{C}} PRIMARY KEY,
    holder     TEXT NOT NULL,           -- '' when free
    expires_at BIGINT NOT NULL,         -- the lease lapses then unless renewed
    due_at     BIGINT NOT NULL,         -- the job is not run before
    runs       BIGINT NOT NULL DEFAULT 0,
    last_run_by TEXT NOT NULL DEFAULT '',
    last_run_at BIGINT NOT NULL DEFAULT 0
){{without_rowid}};

-- /readyz writes this one row to know the database takes writes.
CREATE TABLE readiness_probe (
    id        INTEGER PRIMARY KEY,
    probed_at BIGINT NOT NULL
);
