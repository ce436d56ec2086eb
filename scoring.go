package jianfu

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// Scoring (评价): how a channel's scorecard, a unit's score, rankings,
// trends, relapses and the dashboard's figures are computed from what the
// store read. This file is their one home; the store reads the inputs,
// hands them here and writes the results.

// TimelinessBand scores a channel whose last sign of life is at most Days
// old. Older than the last band scores 0.
type TimelinessBand struct {
	Days  int
	Score float64
}

// TimelinessBands are the timeliness scores: updated within 2 weeks 100
// (the 2019 indicators fail an account silent for 2 weeks), within a
// month 60, within 3 months 30 (older is a zombie), older 0.
var TimelinessBands = []TimelinessBand{{14, 100}, {30, 60}, {90, 30}}

// TimelyScore is the timeliness of a channel updated in time; below it a
// channel counts as stale on the dashboard.
func TimelyScore() float64 { return TimelinessBands[0].Score }

// ScoreInput is what a channel's scorecard is computed from.
type ScoreInput struct {
	LastActivity *time.Time // the channel's own last activity
	LastUpdate   *time.Time // the last update technical monitoring saw
	Checked      bool       // technical monitoring has a result
	Reachable    bool       // …and the channel was reachable
	CheckDone    bool       // a spot check was submitted
	CheckScore   *float64   // the latest submitted spot check's score
	CheckVetoed  bool       // …and whether a veto item failed it
	RatingSum    int        // the grassroots ratings of the quarter: their sum
	RatingCount  int        // …and their number
	// BurdenIndex and ComplaintIndex come from burden monitoring and
	// cases: 0 none … 100 heavy; nil when they know nothing.
	BurdenIndex    *float64
	ComplaintIndex *float64
	VetoReason     string // the titles of the veto items the spot check failed
	MinComponents  int    // components with data a total needs; 0 means MinComponents
}

// LastSign is a channel's last sign of life: its own last activity or the
// last update monitoring saw, whichever is later; nil when neither.
func LastSign(activity, update *time.Time) *time.Time {
	switch {
	case activity != nil && update != nil:
		if update.After(*activity) {
			return update
		}
		return activity
	case activity != nil:
		return activity
	}
	return update
}

// TimelinessScore scores the last sign of life at now by TimelinessBands;
// nil when there is none.
func TimelinessScore(last *time.Time, now time.Time) *float64 {
	if last == nil {
		return nil
	}
	for _, b := range TimelinessBands {
		if !last.Before(now.Add(-time.Duration(b.Days) * 24 * time.Hour)) {
			return score(b.Score)
		}
	}
	return score(0)
}

// RatingMean is the average of ratings from their sum and number; nil
// when there are none.
func RatingMean(sum, n int) *float64 {
	if n == 0 {
		return nil
	}
	return score(float64(sum) / float64(n))
}

// RatingScore turns the average grassroots rating (1 no burden … 5 heavy)
// into a score: 1 → 100, 5 → 0.
func RatingScore(mean *float64) *float64 {
	if mean == nil {
		return nil
	}
	return score((5 - *mean) * 25)
}

// MinComponents is how many of the six components must have data for a
// scorecard to have a total (configurable per deployment): a channel
// known only by its timeliness does not score "100 优".
const MinComponents = 3

// ScoreComponents names the six components in display order.
var ScoreComponents = []struct{ Key, Label, English string }{
	{"timeliness", "更新及时", "timeliness"}, {"availability", "可用性", "availability"}, {"burden", "负担监测", "burden"},
	{"complaints", "投诉反映", "complaints"}, {"campaign", "抽查评估", "spot check"}, {"rating", "基层评价", "grassroots rating"},
}

// components are the six in ScoreComponents order.
func (sc *Scorecard) components() []*float64 {
	return []*float64{sc.Timeliness, sc.Availability, sc.Burden, sc.Complaints, sc.Campaign, sc.Rating}
}

// Missing names the components without data, in Chinese.
func (sc *Scorecard) Missing() []string {
	var out []string
	for i, c := range sc.components() {
		if c == nil {
			out = append(out, ScoreComponents[i].Label)
		}
	}
	return out
}

// Verdict is what a scorecard's total cell says when it has no number:
// "单项否决:事由" for a veto, "数据不足" with what is missing when fewer
// than the minimum components have data; "" when it has a total.
func (sc *Scorecard) Verdict() string {
	switch {
	case sc.Veto != "":
		return "单项否决:" + sc.Veto
	case sc.Total == nil:
		return "数据不足(缺" + strings.Join(sc.Missing(), "、") + ")"
	}
	return ""
}

// Score fills the scorecard's components and total from its inputs at now.
// Each component is out of 100, or nil when there is no data (暂无数据).
// The total is the mean of the six components with data, and exists only
// when at least in.MinComponents (default MinComponents) of them have
// data. A spot check failed on a veto item gives no score at all: the
// card says 单项否决 and why.
func (sc *Scorecard) Score(in ScoreInput, now time.Time) {
	sc.Timeliness = TimelinessScore(LastSign(in.LastActivity, in.LastUpdate), now)
	sc.Availability = nil
	if in.Checked {
		sc.Availability = score(0)
		if in.Reachable {
			sc.Availability = score(100)
		}
	}
	sc.Campaign, sc.Veto = nil, ""
	if in.CheckDone {
		sc.Campaign = in.CheckScore
		if in.CheckVetoed {
			sc.Campaign, sc.Veto = nil, in.VetoReason
			if sc.Veto == "" {
				sc.Veto = "抽查未通过单项否决项"
			}
		}
	}
	sc.RatingCount = in.RatingCount
	sc.Rating = RatingScore(RatingMean(in.RatingSum, in.RatingCount))
	sc.Burden, sc.Complaints = inverse(in.BurdenIndex), inverse(in.ComplaintIndex)
	need := in.MinComponents
	if need <= 0 {
		need = MinComponents
	}
	sum, n := 0.0, 0
	for _, c := range sc.components() {
		if c != nil {
			sum, n = sum+*c, n+1
		}
	}
	sc.Total = nil
	if n >= need && sc.Veto == "" {
		sc.Total = score(sum / float64(n))
	}
}

// ComplaintIndex is the trouble complaints show about a channel in a
// quarter (0 none … 100 heavy): each substantiated complaint (属实) 25
// points, each partly substantiated one 12.5, at most 100 — four
// substantiated complaints in a quarter make the component 0.
func ComplaintIndex(substantiated, partly int) float64 {
	return math.Min(100, 25*float64(substantiated)+12.5*float64(partly))
}

// QuarterStart is the first instant of t's quarter in China time.
func QuarterStart(t time.Time) time.Time {
	t = t.In(China)
	return time.Date(t.Year(), time.Month((int(t.Month())-1)/3*3+1), 1, 0, 0, 0, 0, China)
}

// inverse turns an index of trouble (0 none … 100 heavy) into a score.
func inverse(index *float64) *float64 {
	if index == nil {
		return nil
	}
	return score(100 - *index)
}

func score(v float64) *float64 { return &v }

// ScoreSum adds up scores with their weights for a mean: a unit's score is
// the mean of its channels' totals (weight 1 each); a region's score and a
// period's trend are the mean of unit scores weighted by their channels.
// Scores without data count for nothing. The sum is compensated
// (Kahan–Babuška–Neumaier, as SQLite sums), so that units whose totals
// average to the same score get the same score and rank by name.
type ScoreSum struct {
	Weighted float64 // Σ score × weight
	Weight   float64 // Σ weight of the scores with data
	err      float64 // the compensation of Weighted
}

// Add counts a score with its weight; nil is no data.
func (s *ScoreSum) Add(v *float64, weight float64) {
	if v == nil {
		return
	}
	x := *v * weight
	t := s.Weighted + x
	if math.Abs(s.Weighted) > math.Abs(x) {
		s.err += (s.Weighted - t) + x
	} else {
		s.err += (x - t) + s.Weighted
	}
	s.Weighted = t
	s.Weight += weight
}

// Mean is the weighted mean, nil when nothing had data.
func (s ScoreSum) Mean() *float64 {
	if s.Weight == 0 {
		return nil
	}
	return score((s.Weighted + s.err) / s.Weight)
}

// Round1 rounds a score for display to one decimal (half up).
func Round1(v float64) float64 { return float64(int64(v*10+0.5)) / 10 }

// Round1P rounds a score that may have no data.
func Round1P(v *float64) *float64 {
	if v == nil {
		return nil
	}
	return score(Round1(*v))
}

// GradeBand names the totals from Min up.
type GradeBand struct {
	Grade string
	Min   float64
}

// GradeBands are the grades, best first: 优 ≥ 90, 良 ≥ 75, 中 ≥ 60, 差 below.
var GradeBands = []GradeBand{{"优", 90}, {"良", 75}, {"中", 60}, {"差", math.Inf(-1)}}

// Grade names a total score by GradeBands; "" when it has no data.
func Grade(total *float64) string {
	if total == nil {
		return ""
	}
	for _, b := range GradeBands {
		if *total >= b.Min {
			return b.Grade
		}
	}
	return GradeBands[len(GradeBands)-1].Grade
}

// Period names the month of t in China time, e.g. "2026-03": unit scores
// are kept per period.
func Period(t time.Time) string { return t.In(China).Format("2006-01") }

// TrendPeriods is how many periods a trend shows.
const TrendPeriods = 12

// RankUnits ranks units by their scores rounded for display, best first
// and those without data last. Units whose shown scores are equal share a
// rank and are marked tied (1, 1, 3 …); among them the unit with more
// channels behind its score comes first, then by name as they came in.
// Each gets its change against the period before.
func RankUnits(all []*UnitScore) {
	for _, u := range all {
		u.Score, u.Previous = Round1P(u.Score), Round1P(u.Previous)
	}
	rank(all)
}

// RankRegions ranks regions like RankUnits, on their scores rounded for
// display (RegionScores); ties share a rank, the region with more channels
// first, then by code as they came in.
func RankRegions(all []*UnitScore) { rank(all) }

func rank(all []*UnitScore) {
	val := func(s *UnitScore) float64 {
		if s.Score == nil {
			return math.Inf(-1)
		}
		return *s.Score
	}
	sort.SliceStable(all, func(i, j int) bool {
		if a, b := val(all[i]), val(all[j]); a != b {
			return a > b
		}
		return all[i].Channels > all[j].Channels
	})
	for i, s := range all {
		s.Rank, s.Tied, s.Change = i+1, false, nil
		if s.Score != nil && s.Previous != nil {
			s.Change = score(math.Round((*s.Score-*s.Previous)*10)/10 + 0) // + 0: no -0
		}
		if i > 0 && s.Score != nil && all[i-1].Score != nil && *s.Score == *all[i-1].Score {
			s.Rank, s.Tied, all[i-1].Tied = all[i-1].Rank, true, true
		}
	}
}

// RegionSum is what the store sums of the unit scores of a region (or a
// period): the channel-weighted sum of the scores with data and the
// channels.
type RegionSum struct {
	Key      string // the region's path, or the period
	Sum      ScoreSum
	Channels int
}

// RegionScores are the scores of regions in a period: the channel-weighted
// mean of their units' scores, rounded for display; prev are the same
// regions' sums in the period before, for the change.
func RegionScores(period string, cur, prev []RegionSum) []*UnitScore {
	before := map[string]*float64{}
	for _, p := range prev {
		before[p.Key] = Round1P(p.Sum.Mean())
	}
	out := make([]*UnitScore, 0, len(cur))
	for _, c := range cur {
		out = append(out, &UnitScore{RegionPath: c.Key, Period: period, Channels: c.Channels, Score: Round1P(c.Sum.Mean()), Previous: before[c.Key]})
	}
	return out
}

// Trend is the channel-weighted mean score of each period, oldest first,
// the last TrendPeriods of them, starting at the first period in which any
// channel had a score: months before scoring began are not a fall from
// 100. Each point says how many channels it rests on and what share of
// all channels that is (coverage), so a rise that only means more data
// reads as such.
func Trend(periods []RegionSum) []TrendPoint {
	ps := append([]RegionSum(nil), periods...)
	sort.Slice(ps, func(i, j int) bool { return ps[i].Key < ps[j].Key })
	for len(ps) > 0 && ps[0].Sum.Weight == 0 {
		ps = ps[1:]
	}
	if len(ps) > TrendPeriods {
		ps = ps[len(ps)-TrendPeriods:]
	}
	var out []TrendPoint
	for _, p := range ps {
		t := TrendPoint{Period: p.Key, N: int(p.Sum.Weight), Channels: p.Channels}
		if m := Round1P(p.Sum.Mean()); m != nil {
			t.Score = *m
		}
		if p.Channels > 0 {
			t.Coverage = int(math.Round(p.Sum.Weight / float64(p.Channels) * 100))
		}
		out = append(out, t)
	}
	return out
}

// ChildPathLen is the length of the short path of the regions one level
// below path (province 2, city 4, county 6, township 9, village 12); 0
// below a village.
func ChildPathLen(path string) int {
	return map[int]int{0: 2, 2: 4, 4: 6, 6: 9, 9: 12}[len(path)]
}

// FailRate is the share of failed spot checks in percent, one decimal;
// nil when none were done.
func FailRate(done, failed int) *float64 {
	if done == 0 {
		return nil
	}
	return score(float64(int64(float64(failed)/float64(done)*1000+0.5)) / 10)
}

// CountChannel counts n channels of a kind and status on the dashboard:
// closed ones apart, and those filed and not closed as active, by kind.
func (d *Dashboard) CountChannel(kind ChannelKind, status ChannelStatus, n int) {
	switch status {
	case StatusClosed:
		d.Closed += n
	case StatusActive, StatusRectifying, StatusApproved, StatusExitRequested:
		d.Active += n
		d.Channels[kind] += n
	}
}

// RelapseWindow is how long after a rectification new failures count as
// 反弹回潮 (6 months).
const RelapseWindow = 183 * 24 * time.Hour

// RelapseRow is a completed rectification of a unit followed within
// RelapseWindow by new failures or rectification items, as read.
type RelapseRow struct {
	UnitID      int64
	UnitName    string
	RegionPath  string
	RectifiedAt time.Time
	New         int       // the failures and items that came after
	First       time.Time // the first of them
}

// Relapses flags each unit once, by the first of its rows (the store reads
// them latest rectification first), with the evidence in Chinese.
func Relapses(rows []RelapseRow) []*Relapse {
	seen := map[int64]bool{}
	var out []*Relapse
	for _, r := range rows {
		if seen[r.UnitID] {
			continue
		}
		seen[r.UnitID] = true
		out = append(out, &Relapse{UnitID: r.UnitID, UnitName: r.UnitName, RegionPath: r.RegionPath, RectifiedAt: r.RectifiedAt,
			Evidence: fmt.Sprintf("%s完成整改后,6个月内又出现%d次不合格或整改事项(首次于%s)", DateOf(r.RectifiedAt), r.New, DateOf(r.First))})
	}
	return out
}

// MarkBurdenRising adds the burden monitoring's evidence to the relapses
// of units whose burden index rose again.
func MarkBurdenRising(rs []*Relapse, rising map[int64]bool) {
	for _, r := range rs {
		if rising[r.UnitID] {
			r.Evidence += ";负担指数回升"
		}
	}
}

// SummariseRatings summarises a channel's ratings of a quarter: the count,
// the histogram, the average to one decimal and the comments (ratings
// come in the order they are shown), never who gave them.
func SummariseRatings(channelID int64, quarter string, ratings []Rating) *RatingSummary {
	out := &RatingSummary{ChannelID: channelID, Quarter: quarter, Comments: []Rating{}}
	sum := 0
	for _, r := range ratings {
		out.Count++
		sum += r.Score
		out.Histogram[r.Score-1]++
		if r.Comment != "" {
			r.ChannelID, r.Quarter = channelID, quarter
			out.Comments = append(out.Comments, r)
		}
	}
	out.Average = Round1P(RatingMean(sum, out.Count))
	return out
}

// RatingQuarter is what the store sums of a channel's ratings in a quarter.
type RatingQuarter struct {
	Quarter    string
	Sum, Count int
}

// RatingTrend is the average rating per quarter, oldest first, to one
// decimal.
func RatingTrend(quarters []RatingQuarter) []TrendPoint {
	qs := append([]RatingQuarter(nil), quarters...)
	sort.Slice(qs, func(i, j int) bool { return qs[i].Quarter < qs[j].Quarter })
	var out []TrendPoint
	for _, q := range qs {
		t := TrendPoint{Period: q.Quarter, N: q.Count}
		if m := Round1P(RatingMean(q.Sum, q.Count)); m != nil {
			t.Score = *m
		}
		out = append(out, t)
	}
	return out
}
