-- Burden monitoring (便民减负、技术监测): what is kept of work-group messages.
-- Raw text is never stored: only per-group per-day aggregates, findings with
-- a redacted excerpt, pseudonymous members, and the keys that make
-- ingestion idempotent.

-- Every message counted, by a keyed hash of its group and id: a message
-- delivered twice (a retry, a stream redelivery, a re-imported export) is
-- counted once. Pruned with the findings' retention.
CREATE TABLE message_keys (
    key      {{bytes}} PRIMARY KEY,
    group_id BIGINT NOT NULL,
    at       BIGINT NOT NULL     -- when it was first recorded
);
CREATE INDEX message_keys_at ON message_keys(at);

-- Per group and China calendar day (YYYYMMDD).
CREATE TABLE burden_daily (
    group_id    BIGINT NOT NULL REFERENCES channels(id),
    day         INTEGER NOT NULL,
    unit_id     BIGINT NOT NULL,
    region_path TEXT {{C}} NOT NULL,
    unit_path   TEXT {{C}} NOT NULL,
    messages    INTEGER NOT NULL DEFAULT 0,
    members     INTEGER NOT NULL DEFAULT 0,  -- group size known that day
    offhours    INTEGER NOT NULL DEFAULT 0,  -- messages outside working time
    mention_all INTEGER NOT NULL DEFAULT 0,  -- @所有人
    demands     INTEGER NOT NULL DEFAULT 0,  -- messages with a non-exempt demand
    assessed    INTEGER NOT NULL DEFAULT 0,
    exempt      INTEGER NOT NULL DEFAULT 0,
    c_checkin    INTEGER NOT NULL DEFAULT 0,
    c_chain      INTEGER NOT NULL DEFAULT 0,
    c_instant    INTEGER NOT NULL DEFAULT 0,
    c_task       INTEGER NOT NULL DEFAULT 0,
    c_material   INTEGER NOT NULL DEFAULT 0,
    c_promote    INTEGER NOT NULL DEFAULT 0,
    c_engagement INTEGER NOT NULL DEFAULT 0,
    c_trace      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, day)
);
CREATE INDEX burden_daily_region ON burden_daily(region_path, day);
CREATE INDEX burden_daily_unit_path ON burden_daily(unit_path, day);
CREATE INDEX burden_daily_unit ON burden_daily(unit_id, day);

-- Members of groups by pseudonym (keyed hash of the platform's user id or
-- the display name), from senders and from member lists.
CREATE TABLE group_members (
    group_id   BIGINT NOT NULL REFERENCES channels(id),
    member     TEXT {{C}} NOT NULL,
    first_seen BIGINT NOT NULL,
    last_seen  BIGINT NOT NULL,
    PRIMARY KEY (group_id, member)
);
CREATE INDEX group_members_member ON group_members(member, group_id);

-- 多头报送: near-identical material demands from several groups.
CREATE TABLE material_clusters (
    id          {{id}},
    title       TEXT NOT NULL DEFAULT '',
    topic       TEXT NOT NULL DEFAULT '',
    first_at    BIGINT NOT NULL,
    last_at     BIGINT NOT NULL,
    findings    INTEGER NOT NULL DEFAULT 0,
    groups_n    INTEGER NOT NULL DEFAULT 0,
    units_n     INTEGER NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX material_clusters_last ON material_clusters(last_at);

CREATE TABLE findings (
    id          {{id}},
    group_id    BIGINT NOT NULL REFERENCES channels(id),
    unit_id     BIGINT NOT NULL,
    region_path TEXT {{C}} NOT NULL,
    unit_path   TEXT {{C}} NOT NULL,
    message_key {{bytes}} NOT NULL UNIQUE,
    at          BIGINT NOT NULL,
    sender      TEXT NOT NULL DEFAULT '',
    categories  TEXT NOT NULL,              -- comma-separated, canonical order
    severity    TEXT NOT NULL,
    score       DOUBLE PRECISION NOT NULL DEFAULT 0,
    assessed    BOOLEAN NOT NULL DEFAULT FALSE,
    offhours    BOOLEAN NOT NULL DEFAULT FALSE,
    excerpt     TEXT NOT NULL,              -- redacted
    spans       TEXT NOT NULL DEFAULT '[]', -- JSON, runes of the excerpt
    source      TEXT NOT NULL DEFAULT '',
    topic       TEXT NOT NULL DEFAULT '',   -- material demands: normalised, redacted wording
    clustered   BOOLEAN NOT NULL DEFAULT TRUE, -- FALSE while a material finding awaits clustering
    cluster_id  BIGINT REFERENCES material_clusters(id),
    created_at  BIGINT NOT NULL
);
CREATE INDEX findings_region ON findings(region_path, at);
CREATE INDEX findings_unit_path ON findings(unit_path, at);
CREATE INDEX findings_group ON findings(group_id, at);
CREATE INDEX findings_at ON findings(at);
CREATE INDEX findings_cluster ON findings(cluster_id);
CREATE INDEX findings_pending ON findings(clustered, id);
CREATE INDEX findings_topic ON findings(topic, at);

-- Locality-sensitive band keys of material findings' topics, to find
-- near-identical demands without comparing every pair.
CREATE TABLE finding_bands (
    band       BIGINT NOT NULL,
    finding_id BIGINT NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
    at         BIGINT NOT NULL,
    PRIMARY KEY (band, finding_id)
);
CREATE INDEX finding_bands_finding ON finding_bands(finding_id);

-- Case clues raised from findings and clusters, for the case workflow to
-- adopt (it sets case_id and status 'adopted').
CREATE TABLE clues (
    id          {{id}},
    kind        TEXT NOT NULL,              -- finding or cluster
    finding_id  BIGINT,
    cluster_id  BIGINT,
    group_id    BIGINT,
    unit_id     BIGINT NOT NULL REFERENCES units(id),
    region_path TEXT {{C}} NOT NULL,
    unit_path   TEXT {{C}} NOT NULL,
    title       TEXT NOT NULL,
    summary     TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'new',
    case_id     BIGINT,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    adopted_at  BIGINT
);
CREATE UNIQUE INDEX clues_finding ON clues(finding_id);
CREATE UNIQUE INDEX clues_cluster ON clues(cluster_id);
CREATE INDEX clues_region ON clues(region_path, id);
CREATE INDEX clues_unit_path ON clues(unit_path, id);

-- One row locked by the clustering pass, so concurrent workers cluster in turn.
CREATE TABLE burden_lock (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    runs      BIGINT NOT NULL
);
INSERT INTO burden_lock(singleton, runs) VALUES (1, 0);
