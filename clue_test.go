package jianfu

import (
	"strings"
	"testing"
	"time"
)

func TestClueOfFinding(t *testing.T) {
	f := &Finding{ID: 41, GroupID: 9, GroupName: "望江中学教师群", UnitID: 3, UnitName: "望江中学", RegionPath: "390102",
		At: time.Date(2026, 3, 2, 14, 5, 0, 0, time.UTC), Categories: []string{"checkin", "chain"}, Assessed: true,
		Excerpt: "今晚十点前接龙打卡,未完成的通报"}
	bc, cl := ClueOfFinding(f)
	if bc.Title != "工作群“望江中学教师群”打卡签到、接龙回复" {
		t.Errorf("title %q", bc.Title)
	}
	for _, want := range []string{"2026-03-02 22:05", "与考核挂钩", f.Excerpt, "不得脱离工作实际强制要求打卡接龙"} {
		if !strings.Contains(bc.Summary, want) {
			t.Errorf("summary lacks %q: %s", want, bc.Summary)
		}
	}
	if strings.Contains(bc.Summary, "工作时间以外") {
		t.Error("a finding in working hours is called off-hours")
	}
	if cl.Source != SourceMonitoring || cl.SourceRef != "finding:41" || cl.Category != "checkin" || cl.ChannelID != 9 || cl.RegionCode != "" {
		t.Errorf("case clue %+v", cl)
	}
	if strings.Join(cl.Proposed, ",") != "checkin,chain" {
		t.Errorf("the case should carry the finding's categories as proposals: %v", cl.Proposed)
	}
	// The case clue keeps within the description limit.
	f.Excerpt = strings.Repeat("材", MaxDescription)
	if _, cl := ClueOfFinding(f); len([]rune(cl.Description)) != MaxDescription {
		t.Errorf("description of %d characters", len([]rune(cl.Description)))
	}
}

func TestClueOfCluster(t *testing.T) {
	c := &Cluster{ID: 7, Title: "60岁以上独居老人信息统计表", Findings: 5, Groups: 3, Units: 2, UnitNames: []string{"民政局", "卫健委"},
		FirstAt: time.Date(2026, 3, 1, 1, 0, 0, 0, time.UTC), LastAt: time.Date(2026, 3, 4, 1, 0, 0, 0, time.UTC),
		Members: []*Finding{{RegionPath: "390102", UnitID: 4, UnitName: "民政局"}, {RegionPath: "390105", UnitID: 5, UnitName: "卫健委"}}}
	bc, cl := ClueOfCluster(c)
	if bc.RegionPath != "3901" || bc.UnitID != 5 || bc.Title != "多头报送:同一数据被2个单位重复索要" {
		t.Errorf("clue %+v", bc)
	}
	if cl.SourceRef != "cluster:7" || cl.Category != "material" || cl.RegionCode != "390100" || cl.ChannelID != 0 {
		t.Errorf("case clue %+v", cl)
	}
	if !strings.Contains(bc.Summary, OneFormClause) || !strings.Contains(bc.Summary, "民政局、卫健委") {
		t.Errorf("summary %s", bc.Summary)
	}
}

func TestRegions(t *testing.T) {
	for _, c := range []struct {
		a, b, common string
		related      bool
	}{
		{"390102", "390105", "3901", false},
		{"390102001", "390102003", "390102", true},
		{"3901", "390102001", "3901", true},
		{"39", "40", "", false},
		{"390102001001", "390102001002", "390102001", true},
	} {
		if got := CommonRegion(c.a, c.b); got != c.common {
			t.Errorf("CommonRegion(%s, %s) = %q, want %q", c.a, c.b, got, c.common)
		}
		if got := RelatedRegions(c.a, c.b); got != c.related {
			t.Errorf("RelatedRegions(%s, %s) = %v", c.a, c.b, got)
		}
	}
	if CountyPath("390102001") != "390102" || CountyPath("3901") != "3901" {
		t.Error("CountyPath")
	}
}
