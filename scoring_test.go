package jianfu

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// show prints a score as a page does: one decimal, "暂无数据" without data.
func show(v *float64) string {
	if v == nil {
		return "暂无数据"
	}
	return fmt.Sprint(Round1(*v))
}

func f(v float64) *float64 { return &v }

func TestScorecardScore(t *testing.T) {
	now := time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) *time.Time { t := now.Add(-d); return &t }
	day := 24 * time.Hour
	tests := []struct {
		name string
		in   ScoreInput
		// timeliness, availability, campaign, rating, burden, complaints, total, grade as shown
		want    [8]string
		verdict string
	}{
		// One or two components are not a score: "100 优" from timeliness alone misled.
		{"fresh and reachable, nothing else", ScoreInput{LastActivity: ago(day), Checked: true, Reachable: true},
			[8]string{"100", "100", "暂无数据", "暂无数据", "暂无数据", "暂无数据", "暂无数据", ""}, "数据不足(缺负担监测、投诉反映、抽查评估、基层评价)"},
		{"timeliness alone", ScoreInput{LastActivity: ago(day)},
			[8]string{"100", "暂无数据", "暂无数据", "暂无数据", "暂无数据", "暂无数据", "暂无数据", ""}, "数据不足(缺可用性、负担监测、投诉反映、抽查评估、基层评价)"},
		{"20 days silent, unreachable, a light rating", ScoreInput{LastActivity: ago(20 * day), Checked: true, RatingSum: 1, RatingCount: 1},
			[8]string{"60", "0", "暂无数据", "100", "暂无数据", "暂无数据", "53.3", "差"}, ""},
		{"monitoring saw a later update", ScoreInput{LastActivity: ago(40 * day), LastUpdate: ago(10 * day), Checked: true, Reachable: true, BurdenIndex: f(20)},
			[8]string{"100", "100", "暂无数据", "暂无数据", "80", "暂无数据", "93.3", "优"}, ""},
		{"an older monitored update does not count", ScoreInput{LastActivity: ago(40 * day), LastUpdate: ago(100 * day), Checked: true, Reachable: true, BurdenIndex: f(0)},
			[8]string{"30", "100", "暂无数据", "暂无数据", "100", "暂无数据", "76.7", "良"}, ""},
		{"exactly 14 days", ScoreInput{LastActivity: ago(14 * day)}, [8]string{"100", "暂无数据", "暂无数据", "暂无数据", "暂无数据", "暂无数据", "暂无数据", ""}, "数据不足(缺可用性、负担监测、投诉反映、抽查评估、基层评价)"},
		{"14 days and a moment", ScoreInput{LastActivity: ago(14*day + time.Millisecond), MinComponents: 1}, [8]string{"60", "暂无数据", "暂无数据", "暂无数据", "暂无数据", "暂无数据", "60", "中"}, ""},
		{"exactly 90 days", ScoreInput{LastActivity: ago(90 * day), MinComponents: 1}, [8]string{"30", "暂无数据", "暂无数据", "暂无数据", "暂无数据", "暂无数据", "30", "差"}, ""},
		{"a zombie", ScoreInput{LastActivity: ago(91 * day), MinComponents: 1}, [8]string{"0", "暂无数据", "暂无数据", "暂无数据", "暂无数据", "暂无数据", "0", "差"}, ""},
		{"ratings averaging 2.25", ScoreInput{LastActivity: ago(day), RatingSum: 9, RatingCount: 4, Checked: true, Reachable: true},
			[8]string{"100", "100", "暂无数据", "68.8", "暂无数据", "暂无数据", "89.6", "良"}, ""},
		// A veto is never a score, however well the rest does.
		{"a vetoed spot check", ScoreInput{LastActivity: ago(day), Checked: true, Reachable: true, BurdenIndex: f(0), CheckDone: true, CheckScore: f(85), CheckVetoed: true, VetoReason: "强制关注、点赞"},
			[8]string{"100", "100", "暂无数据", "暂无数据", "100", "暂无数据", "暂无数据", ""}, "单项否决:强制关注、点赞"},
		{"a spot check with deductions", ScoreInput{LastActivity: ago(60 * day), CheckDone: true, CheckScore: f(72.5), Checked: true},
			[8]string{"30", "0", "72.5", "暂无数据", "暂无数据", "暂无数据", "34.2", "差"}, ""},
		// Burden and complaints count in the total like the other four.
		{"burden and complaints in the total", ScoreInput{LastActivity: ago(day), BurdenIndex: f(40), ComplaintIndex: f(75)},
			[8]string{"100", "暂无数据", "暂无数据", "暂无数据", "60", "25", "61.7", "中"}, ""},
		{"nothing known", ScoreInput{}, [8]string{"暂无数据", "暂无数据", "暂无数据", "暂无数据", "暂无数据", "暂无数据", "暂无数据", ""}, "数据不足(缺更新及时、可用性、负担监测、投诉反映、抽查评估、基层评价)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sc Scorecard
			sc.Score(tt.in, now)
			got := [8]string{show(sc.Timeliness), show(sc.Availability), show(sc.Campaign), show(sc.Rating), show(sc.Burden), show(sc.Complaints), show(sc.Total), Grade(Round1P(sc.Total))}
			if got != tt.want {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
			if v := sc.Verdict(); v != tt.verdict {
				t.Errorf("verdict %q, want %q", v, tt.verdict)
			}
			if sc.RatingCount != tt.in.RatingCount {
				t.Errorf("rating count %d", sc.RatingCount)
			}
		})
	}
}

func TestComplaintIndex(t *testing.T) {
	for _, tt := range []struct {
		s, p int
		want float64
	}{{0, 0, 0}, {1, 0, 25}, {0, 1, 12.5}, {3, 2, 100}, {9, 0, 100}} {
		if got := ComplaintIndex(tt.s, tt.p); got != tt.want {
			t.Errorf("ComplaintIndex(%d, %d) = %v, want %v", tt.s, tt.p, got, tt.want)
		}
	}
	q := QuarterStart(time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC)) // already 2027-01-01 in China
	if q.Year() != 2027 || q.Month() != 1 || q.Day() != 1 {
		t.Errorf("quarter start %v", q)
	}
	if q := QuarterStart(time.Date(2026, 8, 15, 12, 0, 0, 0, China)); q.Month() != 7 || q.Day() != 1 {
		t.Errorf("quarter start %v", q)
	}
}

func TestGrade(t *testing.T) {
	tests := []struct {
		total *float64
		want  string
	}{
		{f(100), "优"}, {f(90), "优"}, {f(89.99), "良"}, {f(75), "良"}, {f(74.9), "中"}, {f(60), "中"}, {f(59.9), "差"}, {f(0), "差"}, {nil, ""},
	}
	for _, tt := range tests {
		if got := Grade(tt.total); got != tt.want {
			t.Errorf("Grade(%s) = %q, want %q", show(tt.total), got, tt.want)
		}
	}
}

// ranking shows a ranking as a page does: rank, name and score.
func ranking(all []*UnitScore) string {
	var b strings.Builder
	for _, u := range all {
		fmt.Fprintf(&b, "%d.%s %s ", u.Rank, u.Name, show(u.Score))
	}
	return strings.TrimSpace(b.String())
}

func TestRankUnits(t *testing.T) {
	// Units come in name order. Scores equal as shown are ties sharing a
	// rank; among them the one with more channels comes first.
	units := []*UnitScore{
		{Name: "a教育局", Score: f(80.01), Channels: 3},
		{Name: "b卫健委", Score: nil, Channels: 9},
		{Name: "c民政局", Score: f(80.04), Previous: f(70.06), Channels: 2},
		{Name: "d公安局", Score: f(90), Previous: f(92.5), Channels: 1},
		{Name: "e司法局", Score: f(80.01), Channels: 5},
	}
	RankUnits(units)
	if got, want := ranking(units), "1.d公安局 90 2.e司法局 80 2.a教育局 80 2.c民政局 80 5.b卫健委 暂无数据"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if units[0].Tied || !units[1].Tied || !units[3].Tied || units[4].Tied {
		t.Errorf("ties: %+v %+v %+v %+v", units[0], units[1], units[3], units[4])
	}
	if *units[3].Previous != 70.1 || units[3].Change == nil || *units[3].Change != 9.9 {
		t.Errorf("the previous score and change of 民政局: %v %v", *units[3].Previous, units[3].Change)
	}
	if units[0].Change == nil || *units[0].Change != -2.5 || units[1].Change != nil {
		t.Errorf("the change shows its size, and nothing without a previous score: %v %v", units[0].Change, units[1].Change)
	}
}

func TestRankRegions(t *testing.T) {
	// Regions come in code order with their rounded scores: equal ones tie.
	regions := RegionScores("2026-03", []RegionSum{
		{Key: "390102", Sum: ScoreSum{Weighted: 80.04 * 2, Weight: 2}, Channels: 2},
		{Key: "390103", Sum: ScoreSum{}, Channels: 4},
		{Key: "390104", Sum: ScoreSum{Weighted: 80.01, Weight: 1}, Channels: 1},
		{Key: "390105", Sum: ScoreSum{Weighted: 95*3 + 65, Weight: 4}, Channels: 5},
	}, []RegionSum{{Key: "390102", Sum: ScoreSum{Weighted: 60, Weight: 1}, Channels: 1}})
	for _, r := range regions {
		r.Name = r.RegionPath
	}
	RankRegions(regions)
	if got, want := ranking(regions), "1.390105 87.5 2.390102 80 2.390104 80 4.390103 暂无数据"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if regions[1].Previous == nil || *regions[1].Previous != 60 || regions[0].Previous != nil || regions[0].Channels != 5 {
		t.Errorf("previous or channels: %+v %+v", regions[0], regions[1])
	}
}

// A trend starts when scoring began and says what it rests on: months with
// no scores are not a fall from 100.
func TestTrendStartsWithData(t *testing.T) {
	got := Trend([]RegionSum{
		{Key: "2026-03", Sum: ScoreSum{Weighted: 100, Weight: 1}, Channels: 40},
		{Key: "2026-01", Sum: ScoreSum{}, Channels: 40},
		{Key: "2026-02", Sum: ScoreSum{}, Channels: 40},
		{Key: "2026-04", Sum: ScoreSum{Weighted: 62 * 30, Weight: 30}, Channels: 40},
	})
	if len(got) != 2 || got[0].Period != "2026-03" || got[0].Coverage != 3 || got[1].Coverage != 75 || got[1].Score != 62 || got[1].N != 30 {
		t.Errorf("trend %+v", got)
	}
}

func TestUnitScoreIsTheMeanOfTotals(t *testing.T) {
	// A unit's channels total 43.3…, 77.5, 75, 100 and 91.6…: the unit
	// scores 77.5 exactly, level with a unit of one channel at 77.5, so
	// the two rank by name.
	var a, b ScoreSum
	for _, v := range []float64{130.0 / 3, 77.5, 75, 100, 275.0 / 3} {
		a.Add(f(v), 1)
	}
	a.Add(nil, 1) // a channel with no data counts for nothing
	b.Add(f(77.5), 1)
	if *a.Mean() != *b.Mean() || *a.Mean() != 77.5 {
		t.Errorf("unit scores %v and %v", *a.Mean(), *b.Mean())
	}
	if (ScoreSum{}).Mean() != nil {
		t.Error("a unit without data has a score")
	}
}

func TestTrend(t *testing.T) {
	// Periods come newest first; the trend shows the last 12, oldest first,
	// each the channel-weighted mean.
	var in []RegionSum
	start := time.Date(2025, 1, 15, 0, 0, 0, 0, China)
	for m := 13; m >= 0; m-- { // 2026-02 back to 2025-01
		in = append(in, RegionSum{Key: Period(start.AddDate(0, m, 0)), Sum: ScoreSum{Weighted: float64(m) * 10, Weight: 2}, Channels: 2})
	}
	got := Trend(in)
	if len(got) != 12 || got[0].Period != "2025-03" || got[11].Period != "2026-02" || got[0].Score != 10 || got[11].Score != 65 || got[11].N != 2 {
		t.Errorf("trend %+v", got)
	}
}

func TestFailRate(t *testing.T) {
	tests := []struct {
		done, failed int
		want         string
	}{{0, 0, "暂无数据"}, {8, 3, "37.5"}, {3, 1, "33.3"}, {53, 20, "37.7"}, {4, 4, "100"}}
	for _, tt := range tests {
		if got := show(FailRate(tt.done, tt.failed)); got != tt.want {
			t.Errorf("FailRate(%d, %d) = %s, want %s", tt.done, tt.failed, got, tt.want)
		}
	}
}

func TestDashboardCountsChannels(t *testing.T) {
	d := &Dashboard{Channels: map[ChannelKind]int{}}
	for _, c := range []struct {
		k ChannelKind
		s ChannelStatus
		n int
	}{{KindGroup, StatusActive, 5}, {KindGroup, StatusRectifying, 1}, {KindApp, StatusApproved, 2}, {KindAccount, StatusExitRequested, 1},
		{KindAccount, StatusClosed, 3}, {KindAccount, StatusDraft, 7}, {KindGroup, StatusSubmitted, 2}} {
		d.CountChannel(c.k, c.s, c.n)
	}
	if d.Active != 9 || d.Closed != 3 || d.Channels[KindGroup] != 6 || d.Channels[KindApp] != 2 || d.Channels[KindAccount] != 1 {
		t.Errorf("dashboard %+v", d)
	}
}

func TestRelapses(t *testing.T) {
	at := func(s string) time.Time { t, _ := time.Parse("2006-01-02 15:04", s); return t }
	rows := []RelapseRow{
		// Latest rectification first: the unit is flagged once, by it.
		{UnitID: 7, UnitName: "江南区教育局", RectifiedAt: at("2026-03-01 02:00"), New: 2, First: at("2026-04-10 20:00")},
		{UnitID: 7, UnitName: "江南区教育局", RectifiedAt: at("2025-12-01 02:00"), New: 3, First: at("2026-01-05 02:00")},
		{UnitID: 9, UnitName: "江北区卫健委", RectifiedAt: at("2026-02-01 02:00"), New: 1, First: at("2026-02-20 02:00")},
	}
	got := Relapses(rows)
	MarkBurdenRising(got, map[int64]bool{9: true})
	want := []string{
		"2026-03-01完成整改后,6个月内又出现2次不合格或整改事项(首次于2026-04-11)",
		"2026-02-01完成整改后,6个月内又出现1次不合格或整改事项(首次于2026-02-20);负担指数回升",
	}
	if len(got) != 2 || got[0].UnitID != 7 || got[0].Evidence != want[0] || got[1].Evidence != want[1] {
		for _, r := range got {
			t.Logf("%+v", *r)
		}
		t.Errorf("relapses")
	}
}

func TestSummariseRatings(t *testing.T) {
	s := SummariseRatings(3, "2026Q1", []Rating{{Score: 5, Comment: "每天接龙三次"}, {Score: 2}, {Score: 2}})
	if s.Count != 3 || show(s.Average) != "3" || s.Histogram != [5]int{0, 2, 0, 0, 1} || len(s.Comments) != 1 || s.Comments[0].ChannelID != 3 || s.Comments[0].Quarter != "2026Q1" {
		t.Errorf("summary %+v", s)
	}
	if s := SummariseRatings(3, "2026Q1", nil); s.Count != 0 || s.Average != nil || s.Comments == nil {
		t.Errorf("no ratings: %+v", s)
	}
	trend := RatingTrend([]RatingQuarter{{"2026Q1", 7, 3}, {"2025Q4", 4, 1}})
	if len(trend) != 2 || trend[0].Period != "2025Q4" || trend[0].Score != 4 || trend[1].Score != 2.3 || trend[1].N != 3 {
		t.Errorf("rating trend %+v", trend)
	}
}
