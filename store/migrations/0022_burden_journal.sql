-- The burden journal (issue 16, ingest that holds its speed): an ingest
-- transaction appends the sums of its batch per group and day here, one
-- row per transaction, instead of rewriting burden_daily, burden_weeks and
-- burden_current for every group it touches. A folder (store/burden_journal.go)
-- adds what is pending to those tables and deletes it, in one transaction,
-- about once a second and before any burden is read. Both steps are
-- transactions: nothing acknowledged is lost, nothing is counted twice.
CREATE TABLE burden_journal (
    days {{bytes}} NOT NULL  -- the batch's days, varint-encoded (encodeJournal)
);

-- One row that a fold updates first: on PostgreSQL two folds (of two
-- processes) wait for each other instead of writing the same rows at once.
CREATE TABLE burden_fold (
    id        INTEGER PRIMARY KEY,
    folded_at BIGINT NOT NULL
);
INSERT INTO burden_fold(id, folded_at) VALUES (1, 0);

-- The groups whose rows of burden_current are behind their days: a fold
-- adds to the days every second, the current window of the groups it
-- touched is recomputed about every ten seconds, and before any read.
CREATE TABLE burden_current_stale (
    group_id BIGINT PRIMARY KEY
);
