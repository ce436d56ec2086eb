package jianfu_test

import (
	"testing"

	"jianfu"
)

// The examples of docs/burden.md: what a supervisor reads beside a group.
func TestBurdenIndexExamples(t *testing.T) {
	quiet := jianfu.BurdenMetrics{Days: 30, Members: 40, Messages: 300}
	for _, tt := range []struct {
		name  string
		m     jianfu.BurdenMetrics
		value float64
		level string
	}{
		{"40 people, 10 messages a day, no demands", quiet, 3.0, "low"},
		{"and one demand every two days", with(quiet, func(m *jianfu.BurdenMetrics) { m.Demands = 15 }), 23.0, "medium"},
		// d = 3: 0.40·3/3.5; half off-hours: 0.20·0.5; a = 3: 0.15·3/3.25; load 0.15·0.2
		{"three assessed demands a day, half at night", with(quiet, func(m *jianfu.BurdenMetrics) { m.Demands, m.Assessed, m.Offhours = 90, 90, 150 }), 61.1, "high"},
		{"no messages at all", jianfu.BurdenMetrics{Days: 30, Members: 40}, 0, "low"},
		{"@所有人 once a day, nothing else asked", with(quiet, func(m *jianfu.BurdenMetrics) { m.MentionAll = 30 }), 8.0, "low"},
	} {
		bi := tt.m.Index()
		if bi.Value != tt.value || jianfu.BurdenLevel(bi.Value) != tt.level {
			t.Errorf("%s: index %.1f (%s), want %.1f (%s); parts %+v", tt.name, bi.Value, jianfu.BurdenLevel(bi.Value), tt.value, tt.level, bi)
		}
	}
	// each part saturates below its weight
	flood := jianfu.BurdenMetrics{Days: 1, Members: 1, Messages: 1e6, Offhours: 1e6, MentionAll: 1e6, Demands: 1e6, Assessed: 1e6}
	if v := flood.Index().Value; v > 100 || v < 99.9 {
		t.Errorf("everything at once: %.1f, want just under 100", v)
	}
	if v := with(flood, func(m *jianfu.BurdenMetrics) { m.Demands, m.Assessed = 0, 0 }).Index().Value; v > 45.1 {
		t.Errorf("no demands but all else at its worst: %.1f, want at most 45 (their weights)", v)
	}
}

func with(m jianfu.BurdenMetrics, f func(*jianfu.BurdenMetrics)) jianfu.BurdenMetrics {
	f(&m)
	return m
}

func TestBurdenLevels(t *testing.T) {
	for v, want := range map[float64]string{0: "low", 19.9: "low", 20: "medium", 39.9: "medium", 40: "elevated", 59.9: "elevated", 60: "high", 100: "high"} {
		if got := jianfu.BurdenLevel(v); got != want {
			t.Errorf("level of %.1f: %s, want %s", v, got, want)
		}
	}
}

// Metrics of two groups add their sizes; days of one group keep its size.
func TestBurdenMetricsAddAndExtend(t *testing.T) {
	a := jianfu.BurdenMetrics{Days: 7, Members: 40, Messages: 10, Demands: 2, ByCategory: map[string]int{"chain": 2}}
	b := jianfu.BurdenMetrics{Days: 3, Members: 30, Messages: 5, Demands: 1, ByCategory: map[string]int{"chain": 1, "trace": 1}}
	var unit jianfu.BurdenMetrics
	unit.Add(a)
	unit.Add(b)
	if unit.Days != 7 || unit.Members != 70 || unit.Messages != 15 || unit.Demands != 3 || unit.ByCategory["chain"] != 3 || unit.ByCategory["trace"] != 1 {
		t.Errorf("two groups: %+v", unit)
	}
	var week jianfu.BurdenMetrics
	week.Extend(a)
	week.Extend(b)
	if week.Days != 0 || week.Members != 40 || week.Messages != 15 || week.ByCategory["chain"] != 3 {
		t.Errorf("two periods of a group: %+v", week)
	}
}

// 反弹回潮: burdensome, rectified for two weeks or more, burdensome again.
func TestTrendRelapse(t *testing.T) {
	for _, tt := range []struct {
		series             []float64
		ok                 bool
		improved, relapsed int
	}{
		{[]float64{40, 40, 10, 10, 10, 35, 36}, true, 2, 5},
		{[]float64{40, 40, 10, 10, 10, 10, 10}, false, 0, 0}, // rectified and stays so
		{[]float64{40, 40, 10, 35, 36, 35, 36}, false, 0, 0}, // one good week is no rectification
		{[]float64{25, 25, 5, 5, 5, 25, 25}, false, 0, 0},    // never burdensome
		{[]float64{40, 10, 10, 40, 40}, false, 0, 0},         // too short to tell
	} {
		ok, i, r := jianfu.TrendRelapse(tt.series)
		if ok != tt.ok || i != tt.improved || r != tt.relapsed {
			t.Errorf("%v: %v %d %d, want %v %d %d", tt.series, ok, i, r, tt.ok, tt.improved, tt.relapsed)
		}
	}
}

// The distribution of memberships: 1, 2–4, 5–9, 10–19, 20 or more groups.
func TestPeopleStatsBuckets(t *testing.T) {
	var st jianfu.PeopleStats
	for n, k := range map[int]int{1: 100, 2: 10, 4: 5, 5: 3, 9: 1, 10: 2, 19: 1, 20: 1, 33: 1} {
		st.Count(n, k)
	}
	if st.People != 124 || st.Max != 33 || st.Buckets != [5]int{100, 15, 4, 3, 2} {
		t.Errorf("stats %+v", st)
	}
}
