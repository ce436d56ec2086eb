-- Message keys that keep ingest fast as the database grows (issue 16).
-- A key now begins with the message's day (ingest.Keys.MessageKey), so the
-- keys of current messages sit together at the end of the index instead of
-- on random pages of an index that never stops growing. On SQLite the table
-- is rebuilt keyed by its primary key alone: one B-tree per insert instead
-- of the table and its key index.

CREATE TABLE message_keys_next (
    key      {{bytes}} PRIMARY KEY,
    group_id BIGINT NOT NULL,
    at       BIGINT NOT NULL     -- when it was first recorded
){{without_rowid}};
INSERT INTO message_keys_next(key, group_id, at) SELECT key, group_id, at FROM message_keys;
DROP TABLE message_keys;
ALTER TABLE message_keys_next RENAME TO message_keys;
CREATE INDEX message_keys_at ON message_keys(at);

-- Keys recorded before this migration are the keyed hash alone. A message
-- dated before `before` (the newest such key's recording time plus the
-- day a message may be dated ahead) may have been counted under one, so
-- ingest looks that form up too for such messages; no row: none exists.
CREATE TABLE message_keys_legacy (
    before BIGINT NOT NULL
);
INSERT INTO message_keys_legacy(before)
    SELECT m FROM (SELECT MAX(at) + 86400000 AS m FROM message_keys) x WHERE m IS NOT NULL;
