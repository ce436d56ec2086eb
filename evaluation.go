package jianfu

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Scorecard is the evaluation (评价) of one channel: each component is a
// score out of 100, or nil when there is no data yet (shown as 暂无数据,
// never invented). Total is the mean of the components that have data.
type Scorecard struct {
	ChannelID    int64       `json:"channel_id"`
	ChannelName  string      `json:"channel_name"`
	Kind         ChannelKind `json:"kind"`
	Platform     string      `json:"platform"`
	Status       string      `json:"status"`
	UnitID       int64       `json:"unit_id"`
	UnitName     string      `json:"unit_name"`
	RegionPath   string      `json:"region_path"`
	Timeliness   *float64    `json:"timeliness"`   // from the last update: within 2 weeks 100 … over 3 months 0
	Availability *float64    `json:"availability"` // the last technical check: reachable 100, not 0
	Burden       *float64    `json:"burden"`       // 100 minus the burden index (burden monitoring)
	Complaints   *float64    `json:"complaints"`   // from complaints and case outcomes (cases)
	Campaign     *float64    `json:"campaign"`     // the last spot check's score, 0 when vetoed
	Rating       *float64    `json:"rating"`       // grassroots ratings: 1 (no burden) → 100, 5 → 0
	RatingCount  int         `json:"rating_count"`
	Total        *float64    `json:"total"`          // nil when vetoed or when fewer than MinComponents components have data
	Veto         string      `json:"veto,omitempty"` // the failed veto items of the last spot check (单项否决)
	ComputedAt   time.Time   `json:"computed_at"`
}

// UnitScore is a unit's (or a region's) evaluation in one period.
type UnitScore struct {
	UnitID     int64    `json:"unit_id,omitempty"`
	Name       string   `json:"name"`
	RegionPath string   `json:"region_path"`
	Period     string   `json:"period"` // YYYY-MM
	Channels   int      `json:"channels"`
	Score      *float64 `json:"score"`
	Rank       int      `json:"rank"`
	Tied       bool     `json:"tied,omitempty"`     // another shares the rank (并列)
	Previous   *float64 `json:"previous,omitempty"` // the period before, for the trend
	Change     *float64 `json:"change,omitempty"`   // score minus previous, rounded; nil when either has no data
}

// TrendPoint is one period of a trend.
type TrendPoint struct {
	Period   string  `json:"period"`
	Score    float64 `json:"score"`
	N        int     `json:"n"`                  // the channels (or ratings) the score rests on
	Channels int     `json:"channels,omitempty"` // all channels of the period, scored or not
	Coverage int     `json:"coverage,omitempty"` // N of Channels, percent
}

// ScorecardFilter selects scorecards.
type ScorecardFilter struct {
	Kind       ChannelKind
	RegionPath string
	UnitID     int64
	Query      string
	Page
}

// RankingFilter selects a ranking of units or regions.
type RankingFilter struct {
	// By is "unit" or "region" (regions one level below RegionPath).
	By         string
	RegionPath string
	Period     string // YYYY-MM; "" the latest
	Page
}

// Quarter names the quarter of t in China time, e.g. "2026Q1".
func Quarter(t time.Time) string {
	t = t.In(China)
	return fmt.Sprintf("%dQ%d", t.Year(), (int(t.Month())-1)/3+1)
}

// Rating is an anonymous grassroots rating of a channel (基层评价): how much
// burden the channel adds, 1 (none) to 5 (very much). It carries no
// identity and no time finer than the quarter: a finer time could be matched
// against logins and the audit log. Apart from it, a keyed hash of the rater,
// the channel and the quarter is stored to allow one rating per person per
// channel per quarter, under a key kept outside the database.
type Rating struct {
	ChannelID int64  `json:"channel_id"`
	Quarter   string `json:"quarter"`
	Score     int    `json:"score"`
	Comment   string `json:"comment,omitempty"`
}

// Validate checks a rating.
func (r *Rating) Validate() error {
	r.Comment = strings.TrimSpace(r.Comment)
	var probs []Problem
	if r.Score < 1 || r.Score > 5 {
		probs = append(probs, Problem{Field: "score", Message: "评分应为1至5之间的整数(1=几乎没有负担,5=负担很重)", English: "the score is an integer from 1 (no burden) to 5 (heavy burden)"})
	}
	if len([]rune(r.Comment)) > 500 {
		probs = append(probs, Problem{Field: "comment", Message: "意见最多500字", English: "the comment has at most 500 characters"})
	}
	return problemsError(probs)
}

// RateableChannel is a channel offered for rating.
type RateableChannel struct {
	Channel *Channel `json:"channel"`
	Rated   bool     `json:"rated"`
}

// RatingSummary is what anyone in scope may see of a channel's ratings:
// counts and comments, never who gave them.
type RatingSummary struct {
	ChannelID int64        `json:"channel_id"`
	Quarter   string       `json:"quarter"`
	Count     int          `json:"count"`
	Average   *float64     `json:"average"`
	Histogram [5]int       `json:"histogram"` // counts of 1…5
	Comments  []Rating     `json:"comments"`
	Mine      bool         `json:"mine"`  // the caller has rated it this quarter
	Trend     []TrendPoint `json:"trend"` // average per quarter
}

// BurdenReader reads what burden monitoring knows about channels. Until
// that capability lands the readers return nothing, and scorecards show
// 暂无数据 for the burden component.
type BurdenReader interface {
	// BurdenIndexes returns the burden index (0 none … 100 heavy) of the
	// channels it knows about.
	BurdenIndexes(ctx context.Context, channelIDs []int64) (map[int64]float64, error)
	// UnitBurdenRising reports the units whose burden index rose in the
	// window after since.
	UnitBurdenRising(ctx context.Context, unitIDs []int64, since time.Time) (map[int64]bool, error)
}

// CaseReader reads complaints and case outcomes for channels (0 none … 100
// many substantiated complaints). Until cases land it returns nothing.
type CaseReader interface {
	ComplaintIndexes(ctx context.Context, channelIDs []int64) (map[int64]float64, error)
}

// NoData is the reader of a capability that has not landed: it knows
// nothing, so nothing is invented.
type NoData struct{}

func (NoData) BurdenIndexes(context.Context, []int64) (map[int64]float64, error) { return nil, nil }
func (NoData) UnitBurdenRising(context.Context, []int64, time.Time) (map[int64]bool, error) {
	return nil, nil
}
func (NoData) ComplaintIndexes(context.Context, []int64) (map[int64]float64, error) { return nil, nil }

// Relapse is a unit flagged for 反弹回潮: within 6 months after a
// rectification was completed, new failures (or a rising burden index)
// appeared.
type Relapse struct {
	UnitID      int64     `json:"unit_id"`
	UnitName    string    `json:"unit_name"`
	RegionPath  string    `json:"region_path"`
	RectifiedAt time.Time `json:"rectified_at"`
	Evidence    string    `json:"evidence"`
}

// Dashboard is the whole picture for the caller's scope on the home page.
type Dashboard struct {
	Channels      map[ChannelKind]int `json:"channels"`
	Active        int                 `json:"active"`
	Campaigns     int                 `json:"campaigns"`
	OpenForms     int                 `json:"open_forms"`
	FailRate      *float64            `json:"fail_rate"`
	OpenRect      int                 `json:"open_rectifications"`
	OverdueRect   int                 `json:"overdue_rectifications"`
	Candidates    int                 `json:"cleanup_candidates"`
	OpenOrders    int                 `json:"open_orders"`
	Closed        int                 `json:"closed_channels"`
	AvgScore      *float64            `json:"avg_score"`
	Trend         []TrendPoint        `json:"trend"`
	GradeCounts   map[string]int      `json:"grades"`
	Relapses      []*Relapse          `json:"relapses"`
	Unreachable   int                 `json:"unreachable"`
	Stale         int                 `json:"stale"`
	RatingCount   int                 `json:"ratings"`
	RatingAverage *float64            `json:"rating_average"`
}

// EvaluationService keeps scorecards, rankings and ratings. Every method
// sees only channels and units in the caller's scope.
type EvaluationService interface {
	// RecomputeScorecards recomputes the scorecards of every channel in
	// scope and the unit scores of the current month. Supervisors and the
	// system. Returns the number of channels scored.
	RecomputeScorecards(ctx context.Context) (int, error)
	FindScorecards(ctx context.Context, f ScorecardFilter) ([]*Scorecard, int, error)
	FindScorecard(ctx context.Context, channelID int64) (*Scorecard, error)
	// Rankings ranks units, or regions, by their score in a period, with
	// the period before for the trend.
	Rankings(ctx context.Context, f RankingFilter) ([]*UnitScore, int, error)
	// Trend is the average score per period over the scope (or one unit).
	Trend(ctx context.Context, unitID int64) ([]TrendPoint, error)

	// RateChannel records the caller's anonymous rating of a channel in
	// scope for the current quarter; ECONFLICT when already rated.
	RateChannel(ctx context.Context, r *Rating) error
	// RateableChannels lists the channels the caller may rate: those of
	// their own unit and its subtree, and those of the units above it
	// (the groups and apps a grassroots unit is made to use), with
	// whether the caller rated each this quarter.
	RateableChannels(ctx context.Context, f ChannelFilter) ([]*RateableChannel, int, error)
	// Ratings summarises a channel's ratings of a quarter ("" the current).
	Ratings(ctx context.Context, channelID int64, quarter string) (*RatingSummary, error)

	// Relapses lists the units flagged for 反弹回潮.
	Relapses(ctx context.Context) ([]*Relapse, error)
	// Dashboard summarises the scope for the home page.
	Dashboard(ctx context.Context) (*Dashboard, error)
}

// MonitorCheck is one technical check (技术监测) of a channel's public page
// or feed: reachable or not, the last update it shows, its links.
type MonitorCheck struct {
	ID           int64      `json:"id"`
	ChannelID    int64      `json:"channel_id"`
	At           time.Time  `json:"at"`
	URL          string     `json:"url"`
	FinalURL     string     `json:"final_url,omitempty"`
	StatusCode   int        `json:"status_code"`
	Reachable    bool       `json:"reachable"`
	Duration     int64      `json:"duration_ms"`
	LastUpdate   *time.Time `json:"last_update,omitempty"`
	UpdateSource string     `json:"update_source,omitempty"` // feed, meta, time, header
	Title        string     `json:"title,omitempty"`
	Links        int        `json:"links"`
	Outbound     int        `json:"outbound"`
	Broken       []string   `json:"broken"`
	Error        string     `json:"error,omitempty"`
}

// MonitorTarget is a channel with a public address to check.
type MonitorTarget struct {
	ChannelID int64
	URL       string
}

// MonitorService stores technical checks. Targets and records are for the
// system (the scheduler); reads are scoped like channels.
type MonitorService interface {
	// MonitorTargets lists channels in use with a URL whose last check is
	// older than the interval (or missing), oldest first.
	MonitorTargets(ctx context.Context, olderThan time.Time, limit int) ([]MonitorTarget, error)
	// RecordChecks stores checks and moves each channel's latest.
	RecordChecks(ctx context.Context, checks []*MonitorCheck) error
	// FindMonitorChecks lists a channel's checks, newest first.
	FindMonitorChecks(ctx context.Context, channelID int64, p Page) ([]*MonitorCheck, int, error)
}
