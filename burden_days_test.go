package jianfu_test

import (
	"fmt"
	"testing"
	"time"

	"jianfu"
)

func TestBurdenWindow(t *testing.T) {
	const today = 20260327
	for _, tt := range []struct{ since, until, wantSince, wantUntil int }{
		{0, 0, 20260226, 20260327},               // the last 30 days
		{0, 20260310, 20260209, 20260310},        // 30 days ending then
		{20260301, 20260315, 20260301, 20260315}, // as asked
		{20260320, 20260310, 20260209, 20260310}, // since after until: 30 days
	} {
		s, u := jianfu.BurdenWindow(tt.since, tt.until, today)
		if s != tt.wantSince || u != tt.wantUntil {
			t.Errorf("window(%d, %d) = %d–%d, want %d–%d", tt.since, tt.until, s, u, tt.wantSince, tt.wantUntil)
		}
		if tt.since == 0 && jianfu.DaySpan(s, u) != jianfu.BurdenWindowDays {
			t.Errorf("the default window has %d days", jianfu.DaySpan(s, u))
		}
	}
}

func TestDaySpanAndMeasuredDays(t *testing.T) {
	if n := jianfu.DaySpan(20260227, 20260302); n != 4 {
		t.Errorf("27 Feb to 2 Mar 2026: %d days, want 4", n)
	}
	if n := jianfu.DaySpan(20260301, 20260301); n != 1 {
		t.Errorf("one day: %d", n)
	}
	// a group first seen on the 21st is measured over 10 days of March's last 30
	if n := jianfu.MeasuredDays(20260301, 20260330, 20260321); n != 10 {
		t.Errorf("new group: %d days, want 10", n)
	}
	if n := jianfu.MeasuredDays(20260301, 20260330, 20250101); n != 30 {
		t.Errorf("old group: %d days, want 30", n)
	}
	if n := jianfu.GroupSize(40, 52, 45); n != 52 {
		t.Errorf("group size %d, want the largest, 52", n)
	}
}

// A batch is summed per group and China calendar day: 23:30 on the 2nd in
// China is the 2nd, whatever the clock of the sender.
func TestSumObservations(t *testing.T) {
	late := time.Date(2026, 3, 2, 15, 30, 0, 0, time.UTC) // 23:30 in China
	next := time.Date(2026, 3, 2, 16, 30, 0, 0, time.UTC) // 00:30 on the 3rd
	chain, trace := jianfu.Category("chain"), jianfu.Category("trace")
	obs := []*jianfu.Observation{
		{GroupID: 7, At: next, Demand: true, Categories: chain.Bit()},
		{GroupID: 5, At: late, Offhours: true, MentionAll: true, Demand: true, Assessed: true, Categories: chain.Bit() | trace.Bit(), MemberCount: 45},
		{GroupID: 5, At: late, Offhours: true, Exempt: true, Categories: chain.Bit()}, // an emergency: not a demand
		{GroupID: 5, At: late, Members: []string{"p_a", "p_b"}},
		{GroupID: 5, At: next},
	}
	days := jianfu.SumObservations(obs)
	if len(days) != 3 {
		t.Fatalf("days %+v", days)
	}
	d := days[0]
	m := d.Metrics
	if d.Group != 5 || d.Day != 20260302 || m.Messages != 3 || m.Offhours != 2 || m.MentionAll != 1 || m.Demands != 1 || m.Assessed != 1 || m.Exempt != 1 ||
		m.Members != 45 || m.ByCategory["chain"] != 1 || m.ByCategory["trace"] != 1 || len(m.ByCategory) != 2 {
		t.Errorf("group 5 on the 2nd: %+v", d)
	}
	if days[1].Group != 5 || days[1].Day != 20260303 || days[1].Metrics.Messages != 1 || days[1].Metrics.Demands != 0 {
		t.Errorf("group 5 on the 3rd: %+v", days[1])
	}
	if days[2].Group != 7 || days[2].Day != 20260303 || days[2].Metrics.ByCategory["chain"] != 1 {
		t.Errorf("group 7: %+v", days[2])
	}
}

func day(group, unit int64, d, messages, members, demands int) jianfu.BurdenDay {
	return jianfu.BurdenDay{Group: group, Unit: unit, Day: d, Metrics: jianfu.BurdenMetrics{Messages: messages, Members: members, Demands: demands, ByCategory: map[string]int{}}}
}

// A weekly series starts on Mondays; a period's groups add up, each with
// its size; the first and last periods count only their days in the window.
func TestBurdenSeriesByWeek(t *testing.T) {
	days := []jianfu.BurdenDay{
		day(1, 9, 20260305, 10, 40, 1), // Thursday of the week of 2 March
		day(1, 9, 20260306, 10, 42, 1),
		day(2, 9, 20260306, 5, 20, 0),
		day(1, 9, 20260310, 10, 42, 2), // Tuesday of the week of 9 March
	}
	s := jianfu.BurdenSeries(days, "week", 20260304, 20260311)
	if len(s) != 2 || s[0].Start != 20260302 || s[1].Start != 20260309 {
		t.Fatalf("series %+v", s)
	}
	m := s[0].Metrics
	if m.Days != 5 || m.Messages != 25 || m.Members != 62 || m.Demands != 2 { // 4–8 March; sizes 42 + 20
		t.Errorf("first week %+v", m)
	}
	if s[1].Metrics.Days != 3 || s[1].Index != s[1].Metrics.Index() { // 9–11 March
		t.Errorf("second week %+v", s[1])
	}
	if got := jianfu.BurdenSeries(days, "month", 20260301, 20260331); len(got) != 1 || got[0].Start != 20260301 || got[0].Metrics.Days != 31 {
		t.Errorf("by month %+v", got)
	}
	if got := jianfu.BurdenSeries(days, "fortnight", 20260301, 20260331); len(got) != 3 || got[0].Start != 20260305 || got[0].Metrics.Days != 1 {
		t.Errorf("an unknown step is by day: %+v", got)
	}
	if jianfu.BurdenSeries(nil, "day", 20260301, 20260331) != nil {
		t.Error("no days, no periods")
	}
}

// A group that appeared in the middle of a week is measured over its days:
// one demand a day scores the same from its first week as a group that was
// there all along.
func TestFillTrends(t *testing.T) {
	const until = 20260329 // a Sunday; two weeks from Monday 16 March
	var days []jianfu.BurdenDay
	for d := 20260316; d <= until; d++ {
		days = append(days, day(1, 9, d, 1, 10, 1))
		if d >= 20260320 {
			days = append(days, day(2, 9, d, 1, 10, 1))
		}
	}
	days = append(days, day(3, 8, 20260320, 50, 10, 20)) // a group not asked for
	rows := []*jianfu.BurdenRow{{Kind: "group", ID: 1}, {Kind: "group", ID: 2}}
	jianfu.FillTrends(rows, days, until, 2)
	for _, r := range rows {
		if len(r.Trend) != 2 || r.Trend[0] != 28.0 || r.Trend[1] != 28.0 || r.Relapse {
			t.Errorf("group %d: trend %v, relapse %v; want [28 28]", r.ID, r.Trend, r.Relapse)
		}
	}
	// the unit of both: 10 demands in the first week over 7 days, 20 people
	units := []*jianfu.BurdenRow{{Kind: "unit", ID: 9}}
	jianfu.FillTrends(units, days, until, 2)
	want := jianfu.BurdenMetrics{Days: 7, Members: 20, Messages: 10, Demands: 10}.Index().Value
	if len(units[0].Trend) != 2 || units[0].Trend[0] != want {
		t.Errorf("unit trend %v, want %.1f first", units[0].Trend, want)
	}
	since, n := jianfu.TrendWindow(until, 0)
	if n != jianfu.TrendWeeks || jianfu.DaySpan(since, until) != 7*jianfu.TrendWeeks {
		t.Errorf("default trend: %d weeks from %d", n, since)
	}
}

// The weekly rollup gives the trends the days give, for groups that start
// mid-window, fall silent for weeks and come back; and a window splits
// into whole weeks ending at its last day plus the days left at its start.
func TestFillTrendWeeksMatchesDays(t *testing.T) {
	var days []jianfu.BurdenDay
	for g := int64(1); g <= 5; g++ {
		for i := 0; i < 120; i++ {
			if (i*int(g))%7 == 3 || (g == 2 && i < 60) || (g == 3 && i > 40 && i < 70) {
				continue
			}
			m := jianfu.BurdenMetrics{Days: 1, Messages: 1 + (i*7+int(g))%13, Members: 10 + i%5*int(g), Offhours: i % 3, MentionAll: i % 2,
				Demands: (i + int(g)) % 4, Assessed: i % 5 / 4, ByCategory: map[string]int{"chain": i % 3}}
			days = append(days, jianfu.BurdenDay{Group: g, Unit: 100 + g%2, Day: jianfu.AddDays(20260301, i), Metrics: m})
		}
	}
	for _, until := range []int{20260628, 20260620, 20260501} {
		for _, kind := range []string{"group", "unit"} {
			rows := func() []*jianfu.BurdenRow {
				if kind == "unit" {
					return []*jianfu.BurdenRow{{Kind: "unit", ID: 100}, {Kind: "unit", ID: 101}}
				}
				return []*jianfu.BurdenRow{{Kind: "group", ID: 1}, {Kind: "group", ID: 2}, {Kind: "group", ID: 3}, {Kind: "group", ID: 5}}
			}
			a, b := rows(), rows()
			jianfu.FillTrends(a, days, until, 0)
			jianfu.FillTrendWeeks(b, jianfu.RollWeeks(days), until, 0)
			for i := range a {
				if fmt.Sprint(a[i].Trend) != fmt.Sprint(b[i].Trend) || a[i].Relapse != b[i].Relapse {
					t.Errorf("%s %d until %d: days %v, weeks %v", kind, a[i].ID, until, a[i].Trend, b[i].Trend)
				}
			}
		}
	}
	ends, rest := jianfu.WindowWeeks(20260601, 20260630)
	if fmt.Sprint(ends) != "[20260630 20260623 20260616 20260609]" || rest != 20260602 {
		t.Errorf("30 days: weeks %v, then days to %d", ends, rest)
	}
	if ends, rest := jianfu.WindowWeeks(20260624, 20260630); len(ends) != 1 || rest >= 20260624 {
		t.Errorf("7 days: weeks %v, then days to %d", ends, rest)
	}
	if ends, rest := jianfu.WindowWeeks(20260628, 20260630); len(ends) != 0 || rest != 20260630 {
		t.Errorf("3 days: weeks %v, then days to %d", ends, rest)
	}
}
