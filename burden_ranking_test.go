package jianfu_test

import (
	"testing"

	"jianfu"
)

func group(id, unit int64, name string, m jianfu.BurdenMetrics) *jianfu.BurdenRow {
	r := &jianfu.BurdenRow{Kind: "group", ID: id, Name: name, UnitID: unit, UnitName: "单位" + name, RegionPath: "390102", Metrics: m}
	r.Score()
	return r
}

// A ranking shows the most burdensome first; equal values keep the order
// of ids, so a page never shows a row twice.
func TestSortBurdenRows(t *testing.T) {
	base := jianfu.BurdenMetrics{Days: 30, Members: 40, Messages: 300}
	rows := []*jianfu.BurdenRow{
		group(4, 1, "丁", base),
		group(2, 1, "乙", with(base, func(m *jianfu.BurdenMetrics) { m.Demands = 15 })),
		group(3, 2, "丙", base),
		group(1, 2, "甲", with(base, func(m *jianfu.BurdenMetrics) { m.Demands = 90; m.Offhours = 150 })),
	}
	ids := func() []int64 {
		var out []int64
		for _, r := range rows {
			out = append(out, r.ID)
		}
		return out
	}
	for _, tt := range []struct {
		key  string
		want []int64
	}{
		{"", []int64{1, 2, 3, 4}},          // highest index first; 3 and 4 tie
		{"index", []int64{3, 4, 2, 1}},     // ascending, the tie still by id
		{"-offhours", []int64{1, 2, 3, 4}}, // only 甲 sends at night
		{"name", []int64{4, 3, 2, 1}},      // 丁 丙 乙 甲 by code point
		{"-messages", []int64{1, 2, 3, 4}}, // all equal: by id
	} {
		jianfu.SortBurdenRows(rows, tt.key)
		if got := ids(); !equal(got, tt.want) {
			t.Errorf("sort %q: %v, want %v", tt.key, got, tt.want)
		}
	}
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A unit's row is the formula over the sums of its groups — not the mean
// of their indexes.
func TestUnitRowsAndSummary(t *testing.T) {
	a := group(1, 10, "甲", jianfu.BurdenMetrics{Days: 30, Members: 40, Messages: 300, Demands: 30})
	b := group(2, 11, "乙", jianfu.BurdenMetrics{Days: 30, Members: 40, Messages: 300})
	c := group(3, 10, "丙", jianfu.BurdenMetrics{Days: 10, Members: 10, Messages: 100})
	units := jianfu.UnitRows([]*jianfu.BurdenRow{a, b, c})
	if len(units) != 2 || units[0].ID != 10 || units[1].ID != 11 || units[0].Kind != "unit" || units[0].Name != "单位甲" {
		t.Fatalf("units %+v", units)
	}
	u := units[0]
	sum := jianfu.BurdenMetrics{Days: 30, Members: 50, Messages: 400, Demands: 30}
	if u.Groups != 2 || u.Metrics.Members != 50 || u.Metrics.Days != 30 || u.Index.Value != sum.Index().Value || u.Level != jianfu.BurdenLevel(u.Index.Value) {
		t.Errorf("unit of 甲 and 丙: %+v", u)
	}

	s := jianfu.SummarizeBurden([]*jianfu.BurdenRow{a, b, c}, 20260301, 20260330)
	mean := float64(int((a.Index.Value+b.Index.Value+c.Index.Value)/3*10+0.5)) / 10
	if s.Groups != 3 || s.Units != 2 || s.Metrics.Messages != 700 || s.Mean != mean || s.Since != 20260301 || s.Until != 20260330 {
		t.Errorf("summary %+v, want mean %.1f", s, mean)
	}
	if s.Levels[a.Level]+s.Levels[b.Level]+s.Levels[c.Level] < 3 || s.Levels["medium"] != 1 || s.Levels["low"] != 2 {
		t.Errorf("levels %v", s.Levels)
	}
	if e := jianfu.SummarizeBurden(nil, 1, 2); e.Groups != 0 || e.Mean != 0 || e.Levels == nil || e.Metrics.ByCategory == nil {
		t.Errorf("empty summary %+v", e)
	}
}

// 反弹回潮 after a rectification: the 30 days before it are the baseline.
func TestBurdenRisen(t *testing.T) {
	since, until := jianfu.RiseBaseline(20260315)
	if since != 20260213 || until != 20260314 {
		t.Errorf("baseline %d–%d, want 13 Feb–14 Mar", since, until)
	}
	for _, tt := range []struct {
		before, after float64
		risen         bool
	}{{10, 25, true}, {20, 25, true}, {21, 25, false}, {0, 19.9, false}, {40, 30, false}} {
		if got := jianfu.BurdenRisen(tt.before, tt.after); got != tt.risen {
			t.Errorf("%.1f → %.1f: risen %v, want %v", tt.before, tt.after, got, tt.risen)
		}
	}
}
