-- Registry and filing (统筹管理、审核备案): the life cycle's columns, filing
-- number sequences, rule settings and link rules (data a supervisor edits),
-- a bigram index for name search, and per-region counters that keep the
-- registry list fast with a million channels.

-- The owning unit's region cut at each level (2, 4, 6, 9 digits), so a
-- region filter is an equality that an index on (level column, id) answers
-- in id order: the first page of a province's or a county's channels needs
-- no sort.
ALTER TABLE channels ADD COLUMN region_l2 TEXT {{C}} NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN region_l4 TEXT {{C}} NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN region_l6 TEXT {{C}} NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN region_l9 TEXT {{C}} NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN name_key TEXT NOT NULL DEFAULT '';   -- name folded for search: half-width, lower case, no punctuation
ALTER TABLE channels ADD COLUMN handle_key TEXT NOT NULL DEFAULT ''; -- handle in lower case
ALTER TABLE channels ADD COLUMN submitted_at BIGINT;
ALTER TABLE channels ADD COLUMN submitted_by TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN filed_at BIGINT;
ALTER TABLE channels ADD COLUMN closed_at BIGINT;
ALTER TABLE channels ADD COLUMN revalidate_due_at BIGINT;             -- set while active or rectifying
ALTER TABLE channels ADD COLUMN review_note TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN checks TEXT NOT NULL DEFAULT '[]';   -- JSON: rule check results of the last submission
ALTER TABLE channels ADD COLUMN pending TEXT NOT NULL DEFAULT '';    -- JSON: a change (变更) awaiting review

DROP INDEX channels_unit;
DROP INDEX channels_kind_status;
DROP INDEX channels_name;
DROP INDEX channels_unit_path;
-- The registry list reads channels through one of these indexes, chosen
-- per query (see store/channel_list.go). Each leads with a filter column
-- and id, so a range comes out newest first, and carries every other
-- column a filter tests, so checking the rest of a filter needs no visit to
-- the table: a sparse combination of filters scans index entries only.
CREATE INDEX channels_l2 ON channels(region_l2, id, kind, platform, status, region_l4, region_l6, region_l9, unit_id, unit_path, revalidate_due_at, end_date, name_key);
CREATE INDEX channels_l4 ON channels(region_l4, id, kind, platform, status, region_l2, region_l6, region_l9, unit_id, unit_path, revalidate_due_at, end_date, name_key);
CREATE INDEX channels_l6 ON channels(region_l6, id, kind, platform, status, region_l2, region_l4, region_l9, unit_id, unit_path, revalidate_due_at, end_date, name_key);
CREATE INDEX channels_l9 ON channels(region_l9, id, kind, platform, status, region_l2, region_l4, region_l6, unit_id, unit_path, revalidate_due_at, end_date, name_key);
CREATE INDEX channels_status ON channels(status, id, kind, platform, region_l2, region_l4, region_l6, region_l9, unit_id, unit_path, revalidate_due_at, end_date, name_key);
CREATE INDEX channels_kind_status ON channels(kind, status, id, platform, region_l2, region_l4, region_l6, region_l9, unit_id, unit_path, revalidate_due_at, end_date, name_key);
CREATE INDEX channels_platform ON channels(platform, id, kind, status, region_l2, region_l4, region_l6, region_l9, unit_id, unit_path, revalidate_due_at, end_date, name_key);
CREATE INDEX channels_unit_path ON channels(unit_path, id, kind, platform, status, region_l2, region_l4, region_l6, region_l9, unit_id, revalidate_due_at, end_date, name_key);
CREATE INDEX channels_due ON channels(revalidate_due_at, id, kind, platform, status, region_l2, region_l4, region_l6, region_l9, unit_id, unit_path, end_date, name_key);
CREATE INDEX channels_end_date ON channels(end_date, id, kind, platform, status, region_l2, region_l4, region_l6, region_l9, unit_id, unit_path, revalidate_due_at, name_key);
CREATE INDEX channels_unit_id ON channels(unit_id, id);
CREATE INDEX channels_name ON channels(name_key, id, kind, platform, status, region_l2, region_l4, region_l6, region_l9, unit_id, unit_path, revalidate_due_at, end_date);
CREATE INDEX channels_name_exact ON channels(name);
CREATE INDEX channels_updated ON channels(updated_at, id, kind, platform, status, region_l2, region_l4, region_l6, region_l9, unit_id, unit_path, revalidate_due_at, end_date, name_key);
CREATE INDEX channels_pid ON channels(platform_id);
CREATE INDEX channels_handle ON channels(handle_key);

-- Bigrams of every channel's folded name: a name search starts from the
-- rarest bigram of the query and checks the few channels that have it.
CREATE TABLE channel_grams (
    gram       TEXT {{C}} NOT NULL,
    channel_id BIGINT NOT NULL,
    PRIMARY KEY (gram, channel_id)
){{without_rowid}};

-- Channels per county-level region, kind, platform and status, kept in the
-- same transaction as every change: the registry's totals and its choice of
-- index come from here instead of counting a million rows.
CREATE TABLE channel_counts (
    region_key TEXT {{C}} NOT NULL,  -- the region path cut at 6 digits
    kind       TEXT NOT NULL,
    platform   TEXT NOT NULL,
    status     TEXT NOT NULL,
    n          BIGINT NOT NULL,
    PRIMARY KEY (region_key, kind, platform, status)
);

-- The last filing number issued per region code, kind and year.
CREATE TABLE filing_sequences (
    region_code TEXT {{C}} NOT NULL,
    kind        TEXT NOT NULL,
    year        INTEGER NOT NULL,
    last        INTEGER NOT NULL,
    PRIMARY KEY (region_code, kind, year)
);

-- Rule settings: thresholds are data that supervisors see and change, each
-- with the clause it cites.
CREATE TABLE registry_rules (
    rule       TEXT PRIMARY KEY,
    enabled    BOOLEAN NOT NULL,
    level      TEXT NOT NULL,
    threshold  INTEGER NOT NULL,
    clause     TEXT NOT NULL,
    source     TEXT NOT NULL DEFAULT '',
    updated_by TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL DEFAULT 0
);
INSERT INTO registry_rules(rule, enabled, level, threshold, clause, source) VALUES
 ('account.one_per_platform', TRUE, 'warn', 1, '一个单位原则上在同一平台只开设一个政务新媒体账号', '《关于推进政务新媒体健康有序发展的意见》(国办发〔2018〕123号)'),
 ('app.below_county', TRUE, 'warn', 0, '县以下(不含县级)单位原则上不得开发建设政务应用程序', '政务移动互联网应用程序规范化管理要求'),
 ('account.name_unit', TRUE, 'warn', 50, '政务公众账号名称应与主办单位相关联,同一单位在不同平台开设的账号名称应保持一致', '政务新媒体名称规范'),
 ('name.near_duplicate', TRUE, 'warn', 80, '将规划统筹、集约高效、便民减负、安全可靠的原则贯穿建设、使用和管理全生命周期', '《关于防治“指尖上的形式主义”的若干意见》'),
 ('purpose.near_duplicate', TRUE, 'warn', 85, '将规划统筹、集约高效、便民减负、安全可靠的原则贯穿建设、使用和管理全生命周期', '《关于防治“指尖上的形式主义”的若干意见》'),
 ('group.one_per_purpose', TRUE, 'warn', 1, '同一单位同一工作事项原则上只建一个工作群组,不得重复建群', '各地工作群组“瘦身”实践'),
 ('group.temporary_end', TRUE, 'block', 0, '因专项工作建立的临时群组,工作结束后应及时解散', '各地工作群组管理实践(谁建群谁负责)'),
 ('platform_id.taken', TRUE, 'block', 0, '同一平台账号只能由一个单位备案;以平台原始标识识别,防止更名或冒用', '政务公众账号审核备案要求'),
 ('revalidation.months', TRUE, 'warn', 6, '主办单位应定期复核本单位政务应用程序、政务公众账号和工作群组的登记信息', '统筹管理、审核备案机制'),
 ('group.person_max', TRUE, 'warn', 5, '在工作群组中,不得脱离工作实际强制要求打卡接龙、即时响应,不得随意摊派任务、索要材料', '《关于防治“指尖上的形式主义”的若干意见》');

-- Link recognition rules; while empty, the built-in rules apply.
CREATE TABLE registry_url_rules (
    id       {{id}},
    position INTEGER NOT NULL,
    kind     TEXT NOT NULL,
    platform TEXT NOT NULL,
    host     TEXT NOT NULL,
    path     TEXT NOT NULL DEFAULT '',
    param    TEXT NOT NULL DEFAULT '',
    note     TEXT NOT NULL DEFAULT ''
);
