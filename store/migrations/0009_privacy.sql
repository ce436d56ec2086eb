-- Ratings that cannot be traced to a rater (issue 12, attack 10).
--
-- Before: each rating row held the rater's keyed hash, a day and an id from
-- a sequence, and the hash key sat in this database (rating_key): with a copy
-- of it, anyone could recompute whose rating a row was, and the ids lined up
-- with the audit entries of the ratings.
--
-- After: the key lives outside the database (--rater-key); a rating row holds
-- a random id, the channel, the quarter, the score and the comment, nothing
-- else; the marks that allow one rating per person, channel and quarter are a
-- table of bare keyed hashes with nothing beside them. Old hashes were made
-- with the key being dropped, so they are not carried over: a person may rate
-- once more, this quarter, a channel rated before the upgrade.

CREATE TABLE rating_marks (
    mark TEXT {{C}} PRIMARY KEY   -- HMAC-SM3(rater key, user|channel|quarter)
){{without_rowid}};

CREATE TABLE ratings_q (
    id          {{id}},           -- random, given by the store
    channel_id  BIGINT NOT NULL REFERENCES channels(id),
    unit_path   TEXT {{C}} NOT NULL,
    region_path TEXT {{C}} NOT NULL,
    quarter     TEXT NOT NULL,
    score       INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment     TEXT NOT NULL DEFAULT ''
);

-- The rows kept are renumbered in the order of their old hashes, which
-- follows no time.
INSERT INTO ratings_q(id, channel_id, unit_path, region_path, quarter, score, comment)
    SELECT ROW_NUMBER() OVER (ORDER BY rater, channel_id), channel_id, unit_path, region_path, quarter, score, comment FROM ratings;

DROP TABLE ratings;
ALTER TABLE ratings_q RENAME TO ratings;
CREATE INDEX ratings_quarter ON ratings(quarter, channel_id);
DROP TABLE rating_key;

-- Checklists by region (attack 11): "" applies everywhere and is changed
-- only by province-level supervisors; a region's own variant applies to the
-- campaigns in its subtree.
ALTER TABLE checklists ADD COLUMN region_path TEXT {{C}} NOT NULL DEFAULT '';
