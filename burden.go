package jianfu

import (
	"context"
	"math"
	"time"
)

// Finding is a formalism demand found in a work-group message (问题发现):
// where and when, which categories, how severe, and an excerpt around the
// demand with personal data masked. The message itself is not kept.
type Finding struct {
	ID         int64         `json:"id"`
	GroupID    int64         `json:"group_id"`
	GroupName  string        `json:"group_name,omitempty"`
	Platform   string        `json:"platform,omitempty"`
	UnitID     int64         `json:"unit_id"`
	UnitName   string        `json:"unit_name,omitempty"`
	RegionPath string        `json:"region_path"`
	At         time.Time     `json:"at"`
	Sender     string        `json:"sender,omitempty"` // pseudonym
	Categories []string      `json:"categories"`
	Severity   string        `json:"severity"`
	Score      float64       `json:"score"`
	Assessed   bool          `json:"assessed"`
	Offhours   bool          `json:"offhours"`
	Excerpt    string        `json:"excerpt"` // redacted
	Spans      []FindingSpan `json:"spans"`   // in runes of Excerpt
	Source     string        `json:"source,omitempty"`
	// Topic is the redacted, normalised wording of a material demand ("60岁
	// 以上独居老人信息统计表"), compared across groups for 多头报送.
	Topic     string    `json:"topic,omitempty"`
	ClusterID int64     `json:"cluster_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// CaseID and CaseNumber name the case the finding was turned into
	// (转为线索), if it was.
	CaseID     int64  `json:"case_id,omitempty"`
	CaseNumber string `json:"case_number,omitempty"`
}

// FindingSpan marks the words of a demand in the excerpt, with the rule
// that found them (its clause is the policy text it enforces).
type FindingSpan struct {
	Start    int    `json:"start"`
	End      int    `json:"end"`
	Category string `json:"category"`
	Rule     string `json:"rule"`
}

// Has reports whether the finding is of category c.
func (f *Finding) Has(c string) bool {
	for _, x := range f.Categories {
		if x == c {
			return true
		}
	}
	return false
}

// BurdenMetrics are the sums over a period that the burden index is made of.
type BurdenMetrics struct {
	Days       int `json:"days"`     // days in the period (since the group was first seen, if later)
	Messages   int `json:"messages"` // messages
	Members    int `json:"members"`  // group size (for a unit: sum over its groups)
	Offhours   int `json:"offhours"` // messages outside working time (by the calendar)
	MentionAll int `json:"mention_all"`
	Demands    int `json:"demands"`  // messages making a non-exempt formalism demand
	Assessed   int `json:"assessed"` // demands tied to 考核/通报/排名/扣分
	Exempt     int `json:"exempt"`   // demands in an emergency context (not counted)
	// ByCategory counts demands per category (a demand may have several).
	ByCategory map[string]int `json:"by_category"`
}

// Add adds another group's metrics over the same period to m (a unit's
// sums over its groups): the counts and the sizes add up, Days takes the
// larger.
func (m *BurdenMetrics) Add(o BurdenMetrics) {
	m.Days = max(m.Days, o.Days)
	m.Members += o.Members
	m.addCounts(o)
}

// Extend adds a later period of the same group to m: the counts add up and
// Members, the group's size, takes the larger. Days is left to the caller:
// it is a span of the calendar, not a count of periods.
func (m *BurdenMetrics) Extend(o BurdenMetrics) {
	m.Members = max(m.Members, o.Members)
	m.addCounts(o)
}

func (m *BurdenMetrics) addCounts(o BurdenMetrics) {
	m.Messages += o.Messages
	m.Offhours += o.Offhours
	m.MentionAll += o.MentionAll
	m.Demands += o.Demands
	m.Assessed += o.Assessed
	m.Exempt += o.Exempt
	if m.ByCategory == nil {
		m.ByCategory = map[string]int{}
	}
	for k, v := range o.ByCategory {
		m.ByCategory[k] += v
	}
}

// PerMemberDay is messages per member per day.
func (m BurdenMetrics) PerMemberDay() float64 {
	return float64(m.Messages) / float64(max(m.Members, 1)) / float64(max(m.Days, 1))
}

// OffhoursShare is the share of messages sent outside working time.
func (m BurdenMetrics) OffhoursShare() float64 {
	if m.Messages == 0 {
		return 0
	}
	return float64(m.Offhours) / float64(m.Messages)
}

// BurdenIndex is 负担指数, 0–100, with the parts it is made of.
type BurdenIndex struct {
	Value float64 `json:"value"`
	// Each part is in [0, 1] before its weight.
	Demands    float64 `json:"demands"`     // d/(d+0.5), d = demands per day
	Offhours   float64 `json:"offhours"`    // share of messages off-hours
	Assessed   float64 `json:"assessed"`    // a/(a+0.25), a = assessed demands per day
	Load       float64 `json:"load"`        // m/(m+1), m = messages per member per day
	MentionAll float64 `json:"mention_all"` // t/(t+1), t = @所有人 per day
}

// Weights of the parts of the burden index; they sum to 1.
const (
	WeightDemands    = 0.40
	WeightOffhours   = 0.20
	WeightAssessed   = 0.15
	WeightLoad       = 0.15
	WeightMentionAll = 0.10
)

// BurdenFormula is the formula of the burden index as shown beside it.
const BurdenFormula = "负担指数 = 100 ×(0.40×d/(d+0.5) + 0.20×夜间及节假日消息占比 + 0.15×a/(a+0.25) + 0.15×m/(m+1) + 0.10×t/(t+1)),其中 d 为日均形式主义要求数,a 为日均与考核挂钩的要求数,m 为人均日消息数,t 为日均“@所有人”次数"

// BurdenFormulaEn is the formula in English.
const BurdenFormulaEn = "burden index = 100 × (0.40·d/(d+0.5) + 0.20·off-hours share + 0.15·a/(a+0.25) + 0.15·m/(m+1) + 0.10·t/(t+1)), where d is demands per day, a assessed demands per day, m messages per member per day, t @all mentions per day"

// Index computes the burden index of the metrics. Each part saturates, so
// no single measure can push the index past its weight: a group is burdensome
// when it demands often, off-hours, under assessment and with a heavy load.
func (m BurdenMetrics) Index() BurdenIndex {
	days := float64(max(m.Days, 1))
	sat := func(x, half float64) float64 { return x / (x + half) }
	bi := BurdenIndex{
		Demands:    sat(float64(m.Demands)/days, 0.5),
		Offhours:   m.OffhoursShare(),
		Assessed:   sat(float64(m.Assessed)/days, 0.25),
		Load:       sat(m.PerMemberDay(), 1),
		MentionAll: sat(float64(m.MentionAll)/days, 1),
	}
	if m.Messages == 0 {
		bi.Load = 0
	}
	v := 100 * (WeightDemands*bi.Demands + WeightOffhours*bi.Offhours + WeightAssessed*bi.Assessed + WeightLoad*bi.Load + WeightMentionAll*bi.MentionAll)
	bi.Value = math.Round(v*10) / 10
	return bi
}

// BurdenLevel grades an index: low (<20), medium (<40), elevated (<60), high.
func BurdenLevel(v float64) string {
	switch {
	case v >= 60:
		return "high"
	case v >= 40:
		return "elevated"
	case v >= 20:
		return "medium"
	}
	return "low"
}

// TrendRelapse says whether a trend shows 反弹回潮: a burdensome period (index at
// least 30), then an improvement to at most half of it for two or more
// periods, then the last two periods back at 80% of the peak or more. It
// returns the period the improvement began and the one the relapse began.
func TrendRelapse(series []float64) (ok bool, improved, relapsed int) {
	n := len(series)
	if n < 6 {
		return false, 0, 0
	}
	recent := (series[n-1] + series[n-2]) / 2
	for p := 0; p < n-4; p++ {
		peak := series[p]
		if peak < 30 || recent < 30 || recent < 0.8*peak {
			continue
		}
		i := p + 1
		for i < n && series[i] > peak/2 {
			i++
		}
		j := i
		for j < n && series[j] <= peak/2 {
			j++
		}
		if j-i < 2 || j > n-2 {
			continue
		}
		r := j
		for r < n && series[r] < 0.8*peak {
			r++
		}
		return true, i, r
	}
	return false, 0, 0
}

// BurdenRow is one group or unit in a burden ranking.
type BurdenRow struct {
	Kind       string        `json:"kind"` // group or unit
	ID         int64         `json:"id"`
	Name       string        `json:"name"`
	Platform   string        `json:"platform,omitempty"`
	UnitID     int64         `json:"unit_id"`
	UnitName   string        `json:"unit_name"`
	RegionPath string        `json:"region_path"`
	Groups     int           `json:"groups,omitempty"` // for a unit: its groups with messages
	Metrics    BurdenMetrics `json:"metrics"`
	Index      BurdenIndex   `json:"index"`
	Level      string        `json:"level"`
	// Trend is the weekly index over the trend window, oldest first.
	Trend   []float64 `json:"trend,omitempty"`
	Relapse bool      `json:"relapse,omitempty"`
}

// BurdenFilter selects a burden ranking.
type BurdenFilter struct {
	Kind       string // group (default) or unit
	RegionPath string
	UnitID     int64
	Since      int // first day, YYYYMMDD; 0 means 30 days before Until
	Until      int // last day, YYYYMMDD; 0 means today
	Query      string
	Weeks      int // trend length in weeks; 0 means 12
	Page
}

// BurdenSummary sums every group in scope over a window.
type BurdenSummary struct {
	Groups  int            `json:"groups"` // groups with messages in the window
	Units   int            `json:"units"`
	Metrics BurdenMetrics  `json:"metrics"`
	Mean    float64        `json:"mean_index"` // mean burden index of the groups
	Levels  map[string]int `json:"levels"`     // groups by level
	Since   int            `json:"since"`
	Until   int            `json:"until"`
}

// BurdenPeriod is one day, week or month of a group's or unit's metrics.
type BurdenPeriod struct {
	Start   int           `json:"start"` // first day, YYYYMMDD
	Metrics BurdenMetrics `json:"metrics"`
	Index   BurdenIndex   `json:"index"`
}

// BurdenDetail is the burden of one group or unit with its series.
type BurdenDetail struct {
	Row    BurdenRow      `json:"row"`
	Step   string         `json:"step"` // day, week or month
	Series []BurdenPeriod `json:"series"`
	// Members known by pseudonym for a group, and how many other registered
	// groups they sit in on average.
	KnownMembers int `json:"known_members,omitempty"`
}

// FindingFilter selects findings.
type FindingFilter struct {
	GroupID    int64
	UnitID     int64
	ClusterID  int64
	RegionPath string
	Category   string
	Since      time.Time
	Until      time.Time
	Query      string // excerpt contains
	Page
}

// Cluster is 多头报送: material demands with near-identical content from two
// or more groups within a window — the same data asked for again and again.
type Cluster struct {
	ID       int64     `json:"id"`
	Title    string    `json:"title"` // the earliest demand's excerpt
	Topic    string    `json:"topic"`
	FirstAt  time.Time `json:"first_at"`
	LastAt   time.Time `json:"last_at"`
	Findings int       `json:"findings"`
	Groups   int       `json:"groups"`
	Units    int       `json:"units"`
	// UnitNames lists the units that asked, in the caller's scope.
	UnitNames []string   `json:"unit_names"`
	Members   []*Finding `json:"members,omitempty"` // in detail views
	ClueID    int64      `json:"clue_id,omitempty"`
	// CaseID and CaseNumber name the case of its clue.
	CaseID     int64  `json:"case_id,omitempty"`
	CaseNumber string `json:"case_number,omitempty"`
}

// ClusterFilter selects clusters.
type ClusterFilter struct {
	Since time.Time
	Query string
	Page
}

// OneFormClause is the rule a 多头报送 cluster breaks.
const OneFormClause = "针对同一事项或数据,原则上应通过“一张表”形式报送。"

// Clue kinds: where a clue came from.
const (
	ClueFromFinding = "finding"
	ClueFromCluster = "cluster"
)

// BurdenClue is a case clue (线索) a supervisor raised from a finding or a 多头报送
// cluster with one click. The case workflow adopts clues into cases; until
// then they are listed here. A clue keeps its own copy of the evidence, so
// it outlives the finding's retention.
type BurdenClue struct {
	ID         int64  `json:"id"`
	Kind       string `json:"kind"` // finding or cluster
	FindingID  int64  `json:"finding_id,omitempty"`
	ClusterID  int64  `json:"cluster_id,omitempty"`
	GroupID    int64  `json:"group_id,omitempty"`
	UnitID     int64  `json:"unit_id"`
	UnitName   string `json:"unit_name,omitempty"`
	RegionPath string `json:"region_path"`
	Title      string `json:"title"`
	Summary    string `json:"summary"` // redacted evidence, categories, clause
	Status     string `json:"status"`  // new, adopted
	CaseID     int64  `json:"case_id,omitempty"`
	CaseNumber string `json:"case_number,omitempty"` // JF2026-000123, when read
	CreatedBy  string `json:"created_by"`
	// CreatedByName names who raised it with their office, when read.
	CreatedByName string     `json:"created_by_name,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	AdoptedAt     *time.Time `json:"adopted_at,omitempty"`
}

// ClueFilter selects clues.
type ClueFilter struct {
	Status string
	Kind   string
	Page
}

// PersonGroups is one person (by pseudonym) and how many registered groups
// in the caller's scope they sit in.
type PersonGroups struct {
	Member   string    `json:"member"` // pseudonym
	Groups   int       `json:"groups"`
	LastSeen time.Time `json:"last_seen"`
}

// PeopleFilter selects people by group count.
type PeopleFilter struct {
	MinGroups int
	Page
}

// PeopleStats is the distribution of group memberships in scope.
type PeopleStats struct {
	People int `json:"people"`
	// Buckets counts people by groups: 1, 2–4, 5–9, 10–19, 20+.
	Buckets [5]int `json:"buckets"`
	Max     int    `json:"max"`
}

// Count adds k people who each sit in n groups.
func (s *PeopleStats) Count(n, k int) {
	s.People += k
	s.Max = max(s.Max, n)
	switch {
	case n >= 20:
		s.Buckets[4] += k
	case n >= 10:
		s.Buckets[3] += k
	case n >= 5:
		s.Buckets[2] += k
	case n >= 2:
		s.Buckets[1] += k
	default:
		s.Buckets[0] += k
	}
}

// BurdenService keeps what burden monitoring learns (便民减负、技术监测).
// Every method sees only groups of units in the caller's scope; a record
// out of scope answers ENOTFOUND like a missing one.
type BurdenService interface {
	// ResolveGroups is the authorisation of an ingest path: it requires a
	// role that may ingest (CanIngest; EFORBIDDEN otherwise) and finds the
	// registered groups the references name, in scope. References that
	// name nothing visible are absent from the map.
	ResolveGroups(ctx context.Context, refs []GroupRef) (map[GroupRef]*GroupInfo, error)
	// RecordObservations stores analysed messages in short transactions
	// (a big batch in several): aggregates per group and day, findings,
	// members, with an audit entry each. Keys seen before are skipped, so
	// a batch that failed half-way is sent again whole; it returns how many messages and
	// findings were new. An observation that carries its Group was
	// authorised when the group was resolved (ResolveGroups, for the same
	// caller, or a sealed stream message) and is not checked again; for
	// the others it requires a role that may ingest and resolves their
	// groups in scope itself (ENOTFOUND for a group out of scope).
	// EUNAVAILABLE when the database stayed busy: nothing of the failed
	// part was stored, send the batch again.
	RecordObservations(ctx context.Context, source string, obs []Observation) (Recorded, error)
	// ClusterMaterial links pending material findings into 多头报送
	// clusters; it returns how many findings it looked at.
	ClusterMaterial(ctx context.Context, window time.Duration) (int, error)

	BurdenRanking(ctx context.Context, f BurdenFilter) ([]*BurdenRow, int, error)
	BurdenSummary(ctx context.Context, f BurdenFilter) (*BurdenSummary, error)
	// BurdenOverview is BurdenRanking of f with the BurdenSummary of
	// every group in scope over f's window (the burden page's two parts),
	// read once when f narrows nothing.
	BurdenOverview(ctx context.Context, f BurdenFilter) ([]*BurdenRow, int, *BurdenSummary, error)
	// RegionBurden rolls the groups under f.RegionPath (the caller's region
	// when empty) up to its child regions (RegionRows).
	RegionBurden(ctx context.Context, f BurdenFilter) ([]*RegionBurden, error)
	GroupBurden(ctx context.Context, id int64, step string, since, until int) (*BurdenDetail, error)
	UnitBurden(ctx context.Context, id int64, step string, since, until int) (*BurdenDetail, error)

	// FindFindings lists findings (reads are audited).
	FindFindings(ctx context.Context, f FindingFilter) ([]*Finding, int, error)
	FindFindingByID(ctx context.Context, id int64) (*Finding, error)
	FindClusters(ctx context.Context, f ClusterFilter) ([]*Cluster, int, error)
	FindClusterByID(ctx context.Context, id int64) (*Cluster, error)

	// RaiseClue turns a finding or a cluster into a case clue. Supervisors
	// and case handlers may; ECONFLICT when one exists already.
	RaiseClue(ctx context.Context, kind string, id int64) (*BurdenClue, error)
	FindClues(ctx context.Context, f ClueFilter) ([]*BurdenClue, int, error)

	FindPeople(ctx context.Context, f PeopleFilter) ([]*PersonGroups, int, *PeopleStats, error)

	// PurgeFindings deletes findings older than before (retention) and
	// returns how many; the deletion is audited.
	PurgeFindings(ctx context.Context, before time.Time) (int, error)
}

// Recorded says what a batch added: messages and findings not seen before.
type Recorded struct {
	New      int `json:"new"`
	Findings int `json:"findings"`
}

// CanIngest reports whether an actor may submit messages for groups in its
// scope: supervisors, inspectors, unit administrators, staff and system
// administrators may; reviewers, case handlers and auditors only read.
func (a *Actor) CanIngest() bool {
	return a.HasAny(RoleSupervisor, RoleInspector, RoleUnitAdmin, RoleStaff, RoleSysAdmin)
}

// CanReadBurden reports whether an actor may read burden monitoring: every
// role may, within its scope (excerpts are redacted, senders pseudonymous).
func (a *Actor) CanReadBurden() bool {
	return a.HasAny(Roles...)
}

// CanRaiseClue reports whether an actor may turn findings into case clues.
func (a *Actor) CanRaiseClue() bool {
	return a.HasAny(RoleSupervisor, RoleCaseHandler)
}
