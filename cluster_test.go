package jianfu_test

import (
	"slices"
	"testing"

	"jianfu"
)

// A demand that matches demands of two clusters joins the older, and the
// younger is merged into it; matched demands in no cluster come along.
func TestLinkCluster(t *testing.T) {
	target, merged, loose := jianfu.LinkCluster([]jianfu.ClusterMatch{{Finding: 5}, {Finding: 6, Cluster: 9}, {Finding: 7, Cluster: 4}, {Finding: 8, Cluster: 4}, {Finding: 10, Cluster: 9}})
	if target != 4 || !slices.Equal(merged, []int64{9}) || !slices.Equal(loose, []int64{5}) {
		t.Errorf("got %d %v %v, want 4 [9] [5]", target, merged, loose)
	}
	target, merged, loose = jianfu.LinkCluster([]jianfu.ClusterMatch{{Finding: 5}, {Finding: 6}})
	if target != 0 || merged != nil || !slices.Equal(loose, []int64{5, 6}) {
		t.Errorf("no cluster yet: %d %v %v, want a new one with 5 and 6", target, merged, loose)
	}
}

// What a supervisor sees of a cluster: the earliest demand as its title,
// each unit once in the order it asked.
func TestClusterTake(t *testing.T) {
	c := &jianfu.Cluster{ID: 1, UnitNames: []string{}}
	for _, f := range []*jianfu.Finding{
		{ID: 1, Excerpt: "请报送独居老人信息统计表", Topic: "独居老人信息统计表", UnitName: "江南区教育局"},
		{ID: 2, Excerpt: "再报一次独居老人信息统计表", Topic: "独居老人信息统计表", UnitName: "望江中学"},
		{ID: 3, Excerpt: "独居老人信息统计表今晚报", UnitName: "江南区教育局"},
	} {
		c.Take(f, false)
	}
	if c.Title != "请报送独居老人信息统计表" || c.Topic != "独居老人信息统计表" || !slices.Equal(c.UnitNames, []string{"江南区教育局", "望江中学"}) || c.Members != nil {
		t.Errorf("cluster %+v", c)
	}
	c.Take(&jianfu.Finding{ID: 4, UnitName: "江南区教育局"}, true)
	if len(c.Members) != 1 || c.Members[0].ID != 4 {
		t.Errorf("members %+v", c.Members)
	}
}
