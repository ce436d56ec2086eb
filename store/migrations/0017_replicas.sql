-- Several serve replicas on one database: the rate limits that matter for
-- abuse, single sign-on attempts, how a session began, and a record of
-- every periodic job run.

-- Windowed counters of the shared rate limits (login failures per address,
-- public submissions and tracking lookups per address): one row per key
-- and fixed window; a limit weighs the previous window by how much of it
-- still overlaps the sliding window. The purge job deletes old windows.
CREATE TABLE rate_counters (
    key          TEXT {{C}} NOT NULL,   -- limit name and client address
    window_start BIGINT NOT NULL,       -- ms, a multiple of the window
    hits         INTEGER NOT NULL,
    expires_at   BIGINT NOT NULL,       -- no longer read after this
    PRIMARY KEY (key, window_start)
){{without_rowid}};
CREATE INDEX rate_counters_expires ON rate_counters(expires_at);

-- Single sign-on (OpenID Connect) logins under way: the browser went to
-- the identity provider with this state; the callback takes the row once.
-- Only digests and the PKCE verifier are kept, for ten minutes.
CREATE TABLE sso_attempts (
    state_hash TEXT {{C}} PRIMARY KEY,
    nonce      TEXT NOT NULL,
    verifier   TEXT NOT NULL,
    next       TEXT NOT NULL DEFAULT '',
    expires_at BIGINT NOT NULL
){{without_rowid}};

-- How a session began: 'password' or 'oidc' (single sign-on sessions do
-- not ask for a password change).
ALTER TABLE sessions ADD COLUMN method TEXT NOT NULL DEFAULT 'password';

-- One row per finished run of a periodic job, so that "once per interval
-- cluster-wide" can be checked after the fact.
CREATE TABLE job_runs (
    id          {{id}},
    job         TEXT {{C}} NOT NULL,
    holder      TEXT NOT NULL,
    started_at  BIGINT NOT NULL,
    finished_at BIGINT NOT NULL
);
CREATE INDEX job_runs_job ON job_runs(job, started_at);
