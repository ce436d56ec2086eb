-- Burden rollups (issue 15, province scope fast): every group's sums over
-- the seven days ending on each day, kept beside burden_daily in the same
-- ingest transaction. A window or a trend week of seven days is then one
-- row per group instead of seven, so a province's page reads a seventh of
-- the rows. The burden index is computed per group (it is not additive),
-- so the rollup is per group, not per region: the region pages weigh the
-- groups' indexes exactly as before.
CREATE TABLE burden_weeks (
    group_id    BIGINT NOT NULL REFERENCES channels(id),
    week_end    INTEGER NOT NULL,  -- YYYYMMDD: the sums of days week_end-6 … week_end
    first_day   INTEGER NOT NULL,  -- the first of those days with messages
    unit_id     BIGINT NOT NULL,
    region_path TEXT {{C}} NOT NULL,
    unit_path   TEXT {{C}} NOT NULL,
    messages    INTEGER NOT NULL DEFAULT 0,
    members     INTEGER NOT NULL DEFAULT 0,  -- the largest group size of those days
    offhours    INTEGER NOT NULL DEFAULT 0,
    mention_all INTEGER NOT NULL DEFAULT 0,
    demands     INTEGER NOT NULL DEFAULT 0,
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
    PRIMARY KEY (group_id, week_end)
);
CREATE INDEX burden_weeks_region ON burden_weeks(week_end, region_path);
CREATE INDEX burden_weeks_unit_path ON burden_weeks(week_end, unit_path);

-- Rollups the store fills from burden_daily when it next migrates (the
-- days already stored are summed in Go: day arithmetic differs between the
-- engines). `jianfu rollup rebuild` does the same on demand.
CREATE TABLE rollup_pending (
    name TEXT PRIMARY KEY
);
INSERT INTO rollup_pending(name) VALUES ('burden_weeks');

-- Cleanup's duplicate signal (another open channel of the same unit, kind
-- and platform) looks each channel's peers up by this index rather than by
-- platform, which scanned a province's channels once per channel.
CREATE INDEX channels_unit_kind ON channels(unit_id, kind, platform, status);

-- 多头报送 clusters in a scope: the clustered findings' counts by cluster
-- read from these covering indexes instead of every finding of a province.
CREATE INDEX findings_clustered ON findings(region_path, cluster_id, group_id, unit_id, at, unit_path) WHERE cluster_id IS NOT NULL;
CREATE INDEX findings_clustered_unit ON findings(unit_path, cluster_id, group_id, unit_id, at, region_path) WHERE cluster_id IS NOT NULL;
