-- Spot checks, evaluation, cleanup and technical monitoring.

-- Checklist templates: every save is a new version; forms keep theirs.
CREATE TABLE checklists (
    id         {{id}},
    key        TEXT NOT NULL,
    kind       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    name       TEXT NOT NULL,
    pass_mark  DOUBLE PRECISION NOT NULL,
    items      TEXT NOT NULL,             -- JSON array of items
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (key, version)
);

CREATE TABLE campaigns (
    id           {{id}},
    name         TEXT NOT NULL,
    region_path  TEXT {{C}} NOT NULL,     -- the scope
    kinds        TEXT NOT NULL,           -- JSON
    platforms    TEXT NOT NULL,           -- JSON
    unit_ids     TEXT NOT NULL,           -- JSON
    sample_size  INTEGER NOT NULL,
    sample_rate  DOUBLE PRECISION NOT NULL,
    seed         TEXT NOT NULL,           -- decimal uint64 (beyond BIGINT's range)
    population   TEXT NOT NULL,           -- JSON: candidate ids with their strata, as drawn from
    n_population INTEGER NOT NULL,
    strata       TEXT NOT NULL,           -- JSON
    inspectors   TEXT NOT NULL,           -- JSON user ids
    checklists   TEXT NOT NULL,           -- JSON kind → checklist id
    status       TEXT NOT NULL,
    deadline     TEXT NOT NULL DEFAULT '',
    rectify_days INTEGER NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    closed_at    BIGINT
);
CREATE INDEX campaigns_region ON campaigns(region_path, id);

CREATE TABLE check_forms (
    id           {{id}},
    campaign_id  BIGINT NOT NULL REFERENCES campaigns(id),
    channel_id   BIGINT NOT NULL REFERENCES channels(id),
    unit_id      BIGINT NOT NULL,
    unit_path    TEXT {{C}} NOT NULL,
    region_path  TEXT {{C}} NOT NULL,
    stratum      TEXT NOT NULL,
    checklist_id BIGINT NOT NULL REFERENCES checklists(id),
    inspector_id BIGINT NOT NULL DEFAULT 0,
    status       TEXT NOT NULL,
    answers      TEXT NOT NULL DEFAULT '{}',
    evidence     TEXT NOT NULL DEFAULT '',
    opinion      TEXT NOT NULL DEFAULT '',
    score        DOUBLE PRECISION,
    vetoed       BOOLEAN NOT NULL DEFAULT FALSE,
    passed       BOOLEAN,
    vetoes       TEXT NOT NULL DEFAULT '[]',
    submitted_at BIGINT,
    rectify_by   TEXT NOT NULL DEFAULT '',
    UNIQUE (campaign_id, channel_id)
);
CREATE INDEX check_forms_channel ON check_forms(channel_id, id);
CREATE INDEX check_forms_region ON check_forms(region_path);

-- 整改意见 to follow up: failed checks and cleanup orders. The cases
-- capability takes open items up (case_id, status 'case').
CREATE TABLE rectifications (
    id           {{id}},
    source       TEXT NOT NULL,
    campaign_id  BIGINT,
    form_id      BIGINT,
    channel_id   BIGINT NOT NULL REFERENCES channels(id),
    unit_id      BIGINT NOT NULL,
    unit_path    TEXT {{C}} NOT NULL,
    region_path  TEXT {{C}} NOT NULL,
    opinion      TEXT NOT NULL,
    deadline     TEXT NOT NULL,
    status       TEXT NOT NULL,
    case_id      BIGINT,
    created_at   BIGINT NOT NULL,
    rectified_at BIGINT
);
CREATE INDEX rectifications_unit ON rectifications(unit_id, created_at);
CREATE INDEX rectifications_region ON rectifications(region_path);
CREATE INDEX rectifications_status ON rectifications(status);

-- Technical monitoring: every check kept; the latest per channel apart.
CREATE TABLE monitor_checks (
    id           {{id}},
    channel_id   BIGINT NOT NULL REFERENCES channels(id),
    at           BIGINT NOT NULL,
    url          TEXT NOT NULL,
    final_url    TEXT NOT NULL DEFAULT '',
    status_code  INTEGER NOT NULL DEFAULT 0,
    reachable    BOOLEAN NOT NULL,
    duration_ms  BIGINT NOT NULL DEFAULT 0,
    last_update  BIGINT,
    update_source TEXT NOT NULL DEFAULT '',
    title        TEXT NOT NULL DEFAULT '',
    links        INTEGER NOT NULL DEFAULT 0,
    outbound     INTEGER NOT NULL DEFAULT 0,
    broken       TEXT NOT NULL DEFAULT '[]',  -- JSON list of broken links
    error        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX monitor_checks_channel ON monitor_checks(channel_id, id);

CREATE TABLE monitor_latest (
    channel_id  BIGINT PRIMARY KEY REFERENCES channels(id),
    check_id    BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    reachable   BOOLEAN NOT NULL,
    last_update BIGINT,
    broken      INTEGER NOT NULL DEFAULT 0
);

-- Scorecards: one row per channel, recomputed in bulk.
CREATE TABLE scorecards (
    channel_id   BIGINT PRIMARY KEY,
    unit_id      BIGINT NOT NULL,
    unit_path    TEXT {{C}} NOT NULL,
    region_path  TEXT {{C}} NOT NULL,
    kind         TEXT NOT NULL,
    timeliness   DOUBLE PRECISION,
    availability DOUBLE PRECISION,
    burden       DOUBLE PRECISION,
    complaints   DOUBLE PRECISION,
    campaign     DOUBLE PRECISION,
    rating       DOUBLE PRECISION,
    rating_count INTEGER NOT NULL DEFAULT 0,
    total        DOUBLE PRECISION,
    computed_at  BIGINT NOT NULL
);
CREATE INDEX scorecards_region ON scorecards(region_path, total);
CREATE INDEX scorecards_unit_path ON scorecards(unit_path);
CREATE INDEX scorecards_unit ON scorecards(unit_id);

-- Unit scores per month, for rankings and trends.
CREATE TABLE unit_scores (
    period      TEXT NOT NULL,
    unit_id     BIGINT NOT NULL,
    unit_path   TEXT {{C}} NOT NULL,
    region_path TEXT {{C}} NOT NULL,
    channels    INTEGER NOT NULL,
    score       DOUBLE PRECISION,
    PRIMARY KEY (period, unit_id)
);
CREATE INDEX unit_scores_region ON unit_scores(period, region_path);

-- Anonymous ratings: no user column. rater is a keyed SM3 hash of the
-- user id, the channel and the quarter, only to refuse a second rating.
CREATE TABLE ratings (
    id          {{id}},
    channel_id  BIGINT NOT NULL REFERENCES channels(id),
    unit_path   TEXT {{C}} NOT NULL,
    region_path TEXT {{C}} NOT NULL,
    quarter     TEXT NOT NULL,
    score       INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment     TEXT NOT NULL DEFAULT '',
    day         TEXT NOT NULL,
    rater       TEXT NOT NULL,
    UNIQUE (channel_id, quarter, rater)
);
CREATE INDEX ratings_quarter ON ratings(quarter, channel_id);

-- The key of the rater hash, made at first use; never shown.
CREATE TABLE rating_key (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    k         TEXT NOT NULL
);

CREATE TABLE exit_orders (
    id           {{id}},
    channel_id   BIGINT NOT NULL REFERENCES channels(id),
    unit_id      BIGINT NOT NULL,
    unit_path    TEXT {{C}} NOT NULL,
    region_path  TEXT {{C}} NOT NULL,
    signals      TEXT NOT NULL,
    reason       TEXT NOT NULL,
    deadline     TEXT NOT NULL,
    status       TEXT NOT NULL,
    issued_by    TEXT NOT NULL,
    issued_at    BIGINT NOT NULL,
    response     TEXT NOT NULL DEFAULT '',
    dissolved    BOOLEAN NOT NULL DEFAULT FALSE,
    responded_at BIGINT,
    decision     TEXT NOT NULL DEFAULT '',
    closed_at    BIGINT
);
CREATE INDEX exit_orders_channel ON exit_orders(channel_id);
CREATE INDEX exit_orders_region ON exit_orders(region_path, id);
