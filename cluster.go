package jianfu

import (
	"slices"
	"time"
)

// ClusterWindow is the default window of 多头报送: demands for the same data
// within 30 days of each other are one cluster.
const ClusterWindow = 30 * 24 * time.Hour

// ClusterMatch is a stored demand found to ask for the same data as a
// pending one (多头报送): its finding, and the cluster it is in (0: none).
type ClusterMatch struct {
	Finding int64
	Cluster int64
}

// LinkCluster decides how a pending demand joins the demands it matches:
// all of them end in one cluster, the oldest (lowest id) of those the
// matches are in — or a new one when target is 0. The other clusters are
// merged into it, and the matches in no cluster yet join it (loose).
func LinkCluster(matches []ClusterMatch) (target int64, merged, loose []int64) {
	for _, m := range matches {
		if m.Cluster != 0 && (target == 0 || m.Cluster < target) {
			target = m.Cluster
		}
	}
	for _, m := range matches {
		switch {
		case m.Cluster == 0:
			loose = append(loose, m.Finding)
		case m.Cluster != target && !slices.Contains(merged, m.Cluster):
			merged = append(merged, m.Cluster)
		}
	}
	return target, merged, loose
}

// Take adds one of the cluster's demands, read oldest first, to what is
// shown of it: the first gives the title (its excerpt) and the topic; each
// unit is named once, in the order it first asked; with members the
// demand itself is kept.
func (c *Cluster) Take(f *Finding, members bool) {
	if c.Title == "" {
		c.Title, c.Topic = f.Excerpt, f.Topic
	}
	if !slices.Contains(c.UnitNames, f.UnitName) {
		c.UnitNames = append(c.UnitNames, f.UnitName)
	}
	if members {
		c.Members = append(c.Members, f)
	}
}
