-- 多头报送 clustering recounts each cluster it adds findings to (its
-- findings, groups, units, first and last time, and its title: the
-- earliest finding). Read through the index on cluster_id alone, every
-- recount fetched each of the cluster's findings from the table, and a
-- wording repeated by many groups for weeks made every clustering pass —
-- which holds SQLite's one writer — slower as the data grew (issue 16).
-- With the columns it reads in the index, the recount reads the index
-- only, and the title is its first entry.
DROP INDEX findings_cluster;
CREATE INDEX findings_cluster ON findings(cluster_id, at, group_id, unit_id);
