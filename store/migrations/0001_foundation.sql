-- Foundation: regions, units, users, sessions, API tokens, audit log.
-- Placeholders (replaced per engine by the migrator):
--   {{id}}  an auto-increment 64-bit primary key
--   {{C}}   byte-order collation for code and path columns (PostgreSQL: COLLATE "C")
--   {{bytes}} a binary column
-- Instants are stored as BIGINT milliseconds since the Unix epoch (UTC).

CREATE TABLE regions (
    path        TEXT {{C}} PRIMARY KEY,       -- short code: '' nation, 2/4/6/9/12 digits
    code        TEXT {{C}} NOT NULL UNIQUE,   -- official code: 6, 9 or 12 digits
    name        TEXT NOT NULL,
    level       TEXT NOT NULL,
    parent_path TEXT {{C}} REFERENCES regions(path)
);
CREATE INDEX regions_parent ON regions(parent_path);
INSERT INTO regions(path, code, name, level, parent_path) VALUES ('', '000000', '全国', 'national', NULL);

CREATE TABLE units (
    id          {{id}},
    name        TEXT NOT NULL,
    type        TEXT NOT NULL,
    region_path TEXT {{C}} NOT NULL REFERENCES regions(path),
    parent_id   BIGINT REFERENCES units(id),
    credit_code TEXT UNIQUE,
    path        TEXT {{C}} NOT NULL DEFAULT '',
    disabled    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX units_region ON units(region_path);
CREATE INDEX units_path ON units(path);
CREATE INDEX units_parent ON units(parent_id);
CREATE INDEX units_name ON units(name);

CREATE TABLE users (
    id            {{id}},
    username      TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    unit_id       BIGINT NOT NULL REFERENCES units(id),
    roles         TEXT NOT NULL,              -- comma-separated role names
    phone         TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  BIGINT,
    last_login_at BIGINT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX users_unit ON users(unit_id);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users(id),
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id           {{id}},
    user_id      BIGINT NOT NULL REFERENCES users(id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked      BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE audit_log (
    id          BIGINT PRIMARY KEY,             -- contiguous: a gap is a deletion
    at          BIGINT NOT NULL,
    actor_id    BIGINT NOT NULL DEFAULT 0,
    actor_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL DEFAULT '',
    object_id   TEXT NOT NULL DEFAULT '',
    region_path TEXT {{C}} NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '',
    ip          TEXT NOT NULL DEFAULT '',
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_region ON audit_log(region_path, id);
CREATE INDEX audit_action ON audit_log(action, id);

-- The head of the chain: one row, locked by every append so entries are
-- chained in order even with concurrent writers.
CREATE TABLE audit_head (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    last_id   BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head(singleton, last_id, last_hash) VALUES (1, 0, '');
