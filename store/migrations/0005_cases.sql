-- Cases (问题发现、案例移送、责任协同): clues and complaints, their timeline,
-- the units they were transferred to, attachments, encrypted reporter
-- identities, opinions, deadlines and typical cases.

CREATE TABLE cases (
    id                  {{id}},
    number              TEXT {{C}} UNIQUE,             -- JF2026-000123, set right after the insert
    tracking_digest     TEXT UNIQUE,                   -- SHA-256 of the reporter's tracking code; NULL for internal clues
    source              TEXT NOT NULL,
    source_ref          TEXT NOT NULL DEFAULT '',
    category            TEXT NOT NULL,
    categories          TEXT NOT NULL DEFAULT '[]',    -- JSON: confirmed at triage
    proposed            TEXT NOT NULL DEFAULT '[]',    -- JSON: proposed by the detector
    description         TEXT NOT NULL,
    channel_id          BIGINT REFERENCES channels(id),
    channel_text        TEXT NOT NULL DEFAULT '',
    proposed_channel_id BIGINT REFERENCES channels(id),
    region_path         TEXT {{C}} NOT NULL REFERENCES regions(path),
    address             TEXT NOT NULL DEFAULT '',
    lat                 DOUBLE PRECISION,
    lon                 DOUBLE PRECISION,
    media_url           TEXT NOT NULL DEFAULT '',
    unit_id             BIGINT REFERENCES units(id),   -- the responsible unit once transferred
    unit_path           TEXT {{C}} NOT NULL DEFAULT '',
    status              TEXT NOT NULL,
    finding             TEXT NOT NULL DEFAULT '',
    outcome             TEXT NOT NULL DEFAULT '',
    stage               TEXT NOT NULL DEFAULT '',
    stage_started_at    BIGINT,
    due_at              BIGINT,
    reminded_at         BIGINT,
    overdue_at          BIGINT,
    overdue_count       INTEGER NOT NULL DEFAULT 0,
    escalation_level    INTEGER NOT NULL DEFAULT 0,     -- levels above the local office it went up
    stage_escalations   INTEGER NOT NULL DEFAULT 0,     -- escalations during the current stage
    escalated_to        TEXT {{C}},
    anonymous           BOOLEAN NOT NULL DEFAULT TRUE,
    reopen_count        INTEGER NOT NULL DEFAULT 0,
    reporter_reopens    INTEGER NOT NULL DEFAULT 0,
    merged_into         BIGINT REFERENCES cases(id),
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    closed_at           BIGINT
);
CREATE UNIQUE INDEX cases_source_ref ON cases(source, source_ref) WHERE source_ref <> '';
CREATE INDEX cases_region ON cases(region_path, id);
CREATE INDEX cases_unit_path ON cases(unit_path, id);
CREATE INDEX cases_status ON cases(status, region_path);
CREATE INDEX cases_due ON cases(due_at);
CREATE INDEX cases_created ON cases(created_at);

-- Every unit a case was ever transferred to: the current one acts on it,
-- former ones still read it (and why it left them).
CREATE TABLE case_units (
    case_id    BIGINT NOT NULL REFERENCES cases(id),
    unit_id    BIGINT NOT NULL REFERENCES units(id),
    unit_path  TEXT {{C}} NOT NULL,
    current    BOOLEAN NOT NULL,
    since      BIGINT NOT NULL,
    PRIMARY KEY (case_id, unit_id)
);
CREATE INDEX case_units_path ON case_units(unit_path, case_id);

CREATE TABLE case_events (
    id          {{id}},
    case_id     BIGINT NOT NULL REFERENCES cases(id),
    at          BIGINT NOT NULL,
    actor_id    BIGINT NOT NULL DEFAULT 0,
    actor_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    from_status TEXT NOT NULL DEFAULT '',
    to_status   TEXT NOT NULL DEFAULT '',
    unit_id     BIGINT,
    from_unit   TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    public      BOOLEAN NOT NULL DEFAULT FALSE,
    public_note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_events_case ON case_events(case_id, id);

CREATE TABLE case_attachments (
    id         {{id}},
    case_id    BIGINT NOT NULL REFERENCES cases(id),
    kind       TEXT NOT NULL,          -- complaint, evidence
    name       TEXT NOT NULL,
    mime       TEXT NOT NULL,
    size       INTEGER NOT NULL,
    sha256     TEXT NOT NULL,
    data       {{bytes}} NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX case_attachments_case ON case_attachments(case_id);

-- The reporter's identity, encrypted (SM4-GCM or AES-256-GCM) under a key
-- that is never stored here.
CREATE TABLE case_reporters (
    case_id BIGINT PRIMARY KEY REFERENCES cases(id),
    sealed  {{bytes}} NOT NULL,
    key_id  TEXT NOT NULL
);

CREATE TABLE case_opinions (
    id          {{id}},
    case_id     BIGINT NOT NULL REFERENCES cases(id),
    kind        TEXT NOT NULL,          -- rectification, accountability
    text        TEXT NOT NULL,
    target      TEXT NOT NULL DEFAULT '',
    actor_id    BIGINT NOT NULL DEFAULT 0,
    actor_name  TEXT NOT NULL,
    office_name TEXT NOT NULL DEFAULT '',
    at          BIGINT NOT NULL
);
CREATE INDEX case_opinions_case ON case_opinions(case_id, id);

-- Working days per stage, per category ('*' is the default).
CREATE TABLE case_deadlines (
    category   TEXT PRIMARY KEY,
    triage     INTEGER NOT NULL,
    answer     INTEGER NOT NULL,
    rectify    INTEGER NOT NULL,
    verify     INTEGER NOT NULL,
    remind     INTEGER NOT NULL,
    escalate   INTEGER NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);
INSERT INTO case_deadlines(category, triage, answer, rectify, verify, remind, escalate, updated_at, updated_by)
VALUES ('*', 3, 5, 15, 5, 1, 2, 0, 'migration');

CREATE TABLE typical_cases (
    id           {{id}},
    case_id      BIGINT NOT NULL UNIQUE REFERENCES cases(id),
    region_path  TEXT {{C}} NOT NULL,
    title        TEXT NOT NULL,
    summary      TEXT NOT NULL,
    lesson       TEXT NOT NULL DEFAULT '',
    category     TEXT NOT NULL,
    outcome      TEXT NOT NULL,
    status       TEXT NOT NULL,         -- draft, published, withdrawn
    drafted_by   TEXT NOT NULL,
    drafted_id   BIGINT NOT NULL DEFAULT 0,
    published_by TEXT NOT NULL DEFAULT '',
    published_at BIGINT,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX typical_cases_status ON typical_cases(status, published_at);
