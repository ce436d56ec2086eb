-- The current burden window (issue 15, province scope fast): for every
-- group with messages in the default window (the 30 days ending today) its
-- sums over that window, the days it is measured over and its twelve-week
-- trend with the weeks it is computed from, as the ranking, the summary and the regions read them. A
-- province's default pages read one row per group here instead of summing
-- each group's weeks and days and its trend weeks on every request.
-- Ingest keeps the rows of the groups it touches current, in its
-- transaction; when the day changes the first reader (or `jianfu rollup
-- rebuild`) recomputes the whole table for the new day.
CREATE TABLE burden_current (
    group_id    BIGINT PRIMARY KEY,
    days        INTEGER NOT NULL,  -- the days the group is measured over (jianfu.MeasuredDays)
    messages    INTEGER NOT NULL DEFAULT 0,
    members     INTEGER NOT NULL DEFAULT 0,
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
    trend       TEXT NOT NULL DEFAULT '', -- the weekly indexes, oldest first, comma-separated
    -- 0 for a group with weeks in the trend but no messages in the window:
    -- its weeks still count in its unit's trend
    in_window   INTEGER NOT NULL DEFAULT 1,
    -- the group's rows of burden_weeks in the trend, as a unit's trend sums
    -- them: end:first:members:messages:offhours:mention_all:demands:assessed:exempt;…
    weeks       TEXT NOT NULL DEFAULT ''
);

-- The day burden_current is the window of (0: not computed yet).
CREATE TABLE burden_current_day (
    id  INTEGER PRIMARY KEY,
    day INTEGER NOT NULL
);
INSERT INTO burden_current_day(id, day) VALUES (1, 0);
