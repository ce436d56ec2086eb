-- Registry: channels (apps, public accounts, work groups), their versions
-- and life-cycle events.

CREATE TABLE channels (
    id                 {{id}},
    kind               TEXT NOT NULL,
    name               TEXT NOT NULL,
    unit_id            BIGINT NOT NULL REFERENCES units(id),
    operator_unit_id   BIGINT REFERENCES units(id),
    region_path        TEXT {{C}} NOT NULL,   -- copied from the owning unit, for scoping
    unit_path          TEXT {{C}} NOT NULL,   -- copied from the owning unit, for scoping
    status             TEXT NOT NULL,
    filing_number      TEXT UNIQUE,
    platform           TEXT NOT NULL,
    platform_id        TEXT NOT NULL DEFAULT '',
    handle             TEXT NOT NULL DEFAULT '',
    url                TEXT NOT NULL DEFAULT '',
    store_links        TEXT NOT NULL DEFAULT '[]',  -- JSON array
    audience           TEXT NOT NULL DEFAULT '',
    functions          TEXT NOT NULL DEFAULT '',
    purpose            TEXT NOT NULL DEFAULT '',
    launch_date        TEXT NOT NULL DEFAULT '',
    cert_subject       TEXT NOT NULL DEFAULT '',
    owner              TEXT NOT NULL DEFAULT '',
    admins             TEXT NOT NULL DEFAULT '[]',  -- JSON array
    member_count       INTEGER NOT NULL DEFAULT 0,
    temporary          BOOLEAN NOT NULL DEFAULT FALSE,
    end_date           TEXT NOT NULL DEFAULT '',
    responsible_person TEXT NOT NULL DEFAULT '',
    responsible_phone  TEXT NOT NULL DEFAULT '',
    tags               TEXT NOT NULL DEFAULT '[]',  -- JSON array
    notes              TEXT NOT NULL DEFAULT '',
    last_activity_at   BIGINT,
    revalidated_at     BIGINT,
    version            INTEGER NOT NULL DEFAULT 1,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX channels_region ON channels(region_path, id);
CREATE INDEX channels_unit_path ON channels(unit_path, id);
CREATE INDEX channels_unit ON channels(unit_id);
CREATE INDEX channels_kind_status ON channels(kind, status, region_path);
CREATE INDEX channels_platform_id ON channels(platform, platform_id);
CREATE INDEX channels_name ON channels(name);

-- Every saved state of a channel, as JSON, for the version history.
CREATE TABLE channel_versions (
    channel_id BIGINT NOT NULL REFERENCES channels(id),
    version    INTEGER NOT NULL,
    data       TEXT NOT NULL,
    actor_id   BIGINT NOT NULL DEFAULT 0,
    actor_name TEXT NOT NULL,
    at         BIGINT NOT NULL,
    PRIMARY KEY (channel_id, version)
);

-- The life-cycle timeline: every transition with who, when and why.
CREATE TABLE channel_events (
    id          {{id}},
    channel_id  BIGINT NOT NULL REFERENCES channels(id),
    at          BIGINT NOT NULL,
    actor_id    BIGINT NOT NULL DEFAULT 0,
    actor_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    from_status TEXT NOT NULL DEFAULT '',
    to_status   TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX channel_events_channel ON channel_events(channel_id, id);
