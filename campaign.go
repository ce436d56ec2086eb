package jianfu

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"
)

// CampaignStatus is where a campaign is.
type CampaignStatus string

const (
	CampaignOpen   CampaignStatus = "open"   // sampled; forms being filled
	CampaignClosed CampaignStatus = "closed" // results final, report issued
)

// Campaign is a spot check (抽查评估) over a scope: a reproducible
// stratified random sample of channels, each checked against the checklist
// of its kind by an assigned inspector.
type Campaign struct {
	ID         int64         `json:"id"`
	Name       string        `json:"name"`
	RegionPath string        `json:"region_path"` // the scope: this region's subtree
	RegionName string        `json:"region_name,omitempty"`
	Kinds      []ChannelKind `json:"kinds"`               // empty: all kinds
	Platforms  []string      `json:"platforms,omitempty"` // empty: all platforms
	UnitIDs    []int64       `json:"unit_ids,omitempty"`  // empty: every unit in the region
	SampleSize int           `json:"sample_size,omitempty"`
	SampleRate float64       `json:"sample_rate,omitempty"` // 0 < rate ≤ 1, used when SampleSize is 0
	// Seed is the recorded seed of the draw; with the population it lets
	// anyone redraw the same sample.
	Seed       uint64         `json:"seed"`
	Population int            `json:"population"` // channels the sample was drawn from
	Sampled    int            `json:"sampled"`
	Done       int            `json:"done"`
	Failed     int            `json:"failed"`
	Inspectors []int64        `json:"inspectors"`
	Status     CampaignStatus `json:"status"`
	Deadline   string         `json:"deadline,omitempty"` // YYYY-MM-DD: forms due
	// RectifyDays is the number of working days a failed channel has to
	// rectify, counted from the campaign's close (or the form's submission).
	RectifyDays int       `json:"rectify_days"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	ClosedAt    time.Time `json:"closed_at,omitzero"`
	Strata      []Stratum `json:"strata,omitempty"`
}

// Validate checks a campaign as a supervisor defines it.
func (c *Campaign) Validate() error {
	var probs []Problem
	add := func(field, zh, en string) { probs = append(probs, Problem{Field: field, Message: zh, English: en}) }
	c.Name = strings.TrimSpace(c.Name)
	if c.Name == "" {
		add("name", "抽查名称不能为空", "the campaign name is required")
	}
	for _, k := range c.Kinds {
		if !k.Valid() {
			add("kinds", "渠道类型“"+string(k)+"”无效", "unknown channel kind "+string(k))
		}
	}
	switch {
	case c.SampleSize < 0:
		add("sample_size", "抽样数量不能为负数", "the sample size cannot be negative")
	case c.SampleSize == 0 && (c.SampleRate <= 0 || c.SampleRate > 1):
		add("sample_size", "请填写抽样数量,或填写0至1之间的抽样比例(如0.1表示10%)", "give a sample size, or a sample rate between 0 and 1 (0.1 is 10%)")
	}
	if c.Deadline != "" {
		if _, err := time.Parse("2006-01-02", c.Deadline); err != nil {
			add("deadline", "截止日期格式应为 YYYY-MM-DD", "the deadline is written YYYY-MM-DD")
		}
	}
	if c.RectifyDays == 0 {
		c.RectifyDays = 15
	}
	if c.RectifyDays < 1 || c.RectifyDays > 120 {
		add("rectify_days", "整改期限应为1至120个工作日", "the rectification period must be 1 to 120 working days")
	}
	return problemsError(probs)
}

// Stratum is one cell of the stratified sample: a region and a kind.
type Stratum struct {
	Key        string      `json:"key"` // region path + "/" + kind
	RegionPath string      `json:"region_path"`
	RegionName string      `json:"region_name,omitempty"`
	Kind       ChannelKind `json:"kind"`
	Population int         `json:"population"`
	Sampled    int         `json:"sampled"`
}

// Candidate is a channel that may be drawn.
type Candidate struct {
	ID      int64
	Stratum string
}

// StratumOf is the stratum a channel is drawn in by a campaign over the
// region scope: its region cut to the level just below the scope (the
// counties of a city…), and its kind.
func StratumOf(scope, region string, kind ChannelKind) string {
	if next := ChildPathLen(scope); next != 0 && len(region) > next {
		region = region[:next]
	}
	return region + "/" + string(kind)
}

// Stratify records a draw by stratum: each stratum's population and how
// many were drawn, in key order, and the population's ids by stratum (what
// is kept so that anyone can redraw the sample).
func Stratify(population, sample []Candidate) ([]Stratum, map[string][]int64) {
	pop := map[string][]int64{}
	sizes := map[string]int{}
	for _, cd := range population {
		pop[cd.Stratum] = append(pop[cd.Stratum], cd.ID)
		sizes[cd.Stratum]++
	}
	drawn := map[string]int{}
	for _, s := range sample {
		drawn[s.Stratum]++
	}
	var strata []Stratum
	for k, size := range sizes {
		region, kind, _ := strings.Cut(k, "/")
		strata = append(strata, Stratum{Key: k, RegionPath: region, Kind: ChannelKind(kind), Population: size, Sampled: drawn[k]})
	}
	sort.Slice(strata, func(i, j int) bool { return strata[i].Key < strata[j].Key })
	return strata, pop
}

// Redraw draws the campaign's sample again from the population recorded
// by stratum and its seed, and says whether it is the sample recorded
// (the ids of the forms, in order).
func (c *Campaign) Redraw(pop map[string][]int64, recorded []int64) *SampleCheck {
	var cands []Candidate
	for k, ids := range pop {
		for _, id := range ids {
			cands = append(cands, Candidate{ID: id, Stratum: k})
		}
	}
	res := &SampleCheck{Seed: c.Seed, Population: len(cands), Recorded: recorded}
	for _, s := range DrawSample(cands, c.SampleSizeFor(len(cands)), c.Seed) {
		res.Redrawn = append(res.Redrawn, s.ID)
	}
	res.Match = fmt.Sprint(res.Recorded) == fmt.Sprint(res.Redrawn)
	return res
}

// FailureNote is the note on a channel's timeline when a check of the
// campaign fails it.
func (c *Campaign) FailureNote(res Result) string {
	if res.Vetoed {
		return fmt.Sprintf("抽查“%s”触及单项否决项,不合格", c.Name)
	}
	return fmt.Sprintf("抽查“%s”不合格,%g分", c.Name, res.Score)
}

// RegionResults adds up the results of strata (keyed region/kind) by
// region, in the order the regions first come: the average score is the
// mean of the strata's averages, as shown, weighted by their forms.
func RegionResults(byStratum []UnitResult) []UnitResult {
	var out []UnitResult
	at := map[string]int{}
	sums := map[string]*ScoreSum{}
	for _, r := range byStratum {
		path, _, _ := strings.Cut(r.RegionPath, "/")
		i, ok := at[path]
		if !ok {
			i = len(out)
			at[path] = i
			out = append(out, UnitResult{RegionPath: path})
		}
		g := &out[i]
		g.Checked += r.Checked
		g.Passed += r.Passed
		g.Failed += r.Failed
		g.Vetoed += r.Vetoed
		if sums[path] == nil {
			sums[path] = &ScoreSum{}
		}
		sums[path].Add(r.AvgScore, float64(r.Checked-r.Vetoed))
	}
	for i := range out {
		g := &out[i]
		g.AvgScore = Round1P(sums[g.RegionPath].Mean())
	}
	return out
}

// SampleSizeFor returns how many to draw from a population.
func (c *Campaign) SampleSizeFor(population int) int {
	n := c.SampleSize
	if n == 0 {
		n = int(math.Ceil(c.SampleRate * float64(population)))
	}
	return min(n, population)
}

// Allocate divides n draws among strata in proportion to their sizes by
// the largest-remainder (Hamilton) method: each stratum gets the floor of
// its quota, and the draws left go to the largest remainders (ties to the
// larger stratum, then the smaller key). Keys are returned in order.
func Allocate(sizes map[string]int, n int) map[string]int {
	total := 0
	keys := make([]string, 0, len(sizes))
	for k, v := range sizes {
		total += v
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make(map[string]int, len(sizes))
	if total == 0 || n <= 0 {
		return out
	}
	n = min(n, total)
	type rem struct {
		key  string
		frac float64
		size int
	}
	var rems []rem
	given := 0
	for _, k := range keys {
		q := float64(sizes[k]) * float64(n) / float64(total)
		f := math.Floor(q)
		out[k] = int(f)
		given += int(f)
		rems = append(rems, rem{k, q - f, sizes[k]})
	}
	sort.SliceStable(rems, func(i, j int) bool {
		if rems[i].frac != rems[j].frac {
			return rems[i].frac > rems[j].frac
		}
		if rems[i].size != rems[j].size {
			return rems[i].size > rems[j].size
		}
		return rems[i].key < rems[j].key
	})
	for i := 0; given < n; i++ {
		r := rems[i%len(rems)]
		if out[r.key] < sizes[r.key] {
			out[r.key]++
			given++
		}
	}
	return out
}

// DrawSample draws n candidates stratified by Candidate.Stratum with a
// PCG generator seeded with seed. Candidates are sorted by id first, and
// strata are visited in key order, so the same population and seed give
// the same sample on any machine and any database. Within a stratum it is
// a partial Fisher–Yates shuffle. The result is sorted by id.
func DrawSample(cands []Candidate, n int, seed uint64) []Candidate {
	byStratum := map[string][]Candidate{}
	sizes := map[string]int{}
	for _, c := range cands {
		byStratum[c.Stratum] = append(byStratum[c.Stratum], c)
		sizes[c.Stratum]++
	}
	alloc := Allocate(sizes, n)
	keys := make([]string, 0, len(byStratum))
	for k := range byStratum {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	rng := rand.New(rand.NewPCG(seed, 0x6a69616e6675)) // "jianfu"
	var out []Candidate
	for _, k := range keys {
		pool := append([]Candidate(nil), byStratum[k]...)
		sort.Slice(pool, func(i, j int) bool { return pool[i].ID < pool[j].ID })
		m := alloc[k]
		for i := 0; i < m; i++ {
			j := i + rng.IntN(len(pool)-i)
			pool[i], pool[j] = pool[j], pool[i]
		}
		out = append(out, pool[:m]...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// FormStatus is where a check form is.
type FormStatus string

const (
	FormPending FormStatus = "pending" // 待检查
	FormDone    FormStatus = "done"    // 已提交
)

// CheckForm is the check of one sampled channel (检查表单).
type CheckForm struct {
	ID            int64             `json:"id"`
	CampaignID    int64             `json:"campaign_id"`
	CampaignName  string            `json:"campaign_name,omitempty"`
	ChannelID     int64             `json:"channel_id"`
	ChannelName   string            `json:"channel_name"`
	Kind          ChannelKind       `json:"kind"`
	Platform      string            `json:"platform"`
	UnitID        int64             `json:"unit_id"`
	UnitName      string            `json:"unit_name"`
	RegionPath    string            `json:"region_path"`
	Stratum       string            `json:"stratum"`
	ChecklistID   int64             `json:"checklist_id"`
	InspectorID   int64             `json:"inspector_id,omitempty"`
	InspectorName string            `json:"inspector_name,omitempty"`
	Status        FormStatus        `json:"status"`
	Answers       map[string]Answer `json:"answers"`
	Evidence      string            `json:"evidence,omitempty"`
	Result        *Result           `json:"result,omitempty"`
	SubmittedAt   *time.Time        `json:"submitted_at,omitempty"`
	RectifyBy     string            `json:"rectify_by,omitempty"` // YYYY-MM-DD, for a failed channel
	Opinion       string            `json:"opinion,omitempty"`    // 整改意见
	Deadline      string            `json:"-"`                    // the campaign's deadline for its forms, YYYY-MM-DD; "" for none
}

// FormInput is what an inspector submits.
type FormInput struct {
	Answers  map[string]Answer `json:"answers"`
	Evidence string            `json:"evidence"`
	Opinion  string            `json:"opinion"` // extra 整改意见 beside the generated ones
	Submit   bool              `json:"submit"`  // false saves a draft
}

// CampaignFilter selects campaigns.
type CampaignFilter struct {
	Status CampaignStatus
	Query  string
	Page
}

// FormFilter selects check forms.
type FormFilter struct {
	CampaignID  int64
	ChannelID   int64
	Status      FormStatus
	InspectorID int64
	Failed      bool
	Page
}

// UnitResult is one unit's or region's results in a campaign.
type UnitResult struct {
	UnitID     int64    `json:"unit_id,omitempty"`
	Name       string   `json:"name"`
	RegionPath string   `json:"region_path"`
	Checked    int      `json:"checked"`
	Passed     int      `json:"passed"`
	Failed     int      `json:"failed"`
	Vetoed     int      `json:"vetoed"`
	AvgScore   *float64 `json:"avg_score"` // of the forms not vetoed (a veto is not a score); nil when none
}

// CampaignResults are a campaign's results per unit and per region.
type CampaignResults struct {
	Units   []UnitResult `json:"units"`
	Regions []UnitResult `json:"regions"`
}

// CampaignReport is a spot check with what its tables and notice (通报)
// show: every check form in the caller's scope, the results per unit and
// region, and the sample drawn again from the seed.
type CampaignReport struct {
	Campaign *Campaign
	Forms    []*CheckForm
	Results  *CampaignResults
	Check    *SampleCheck
}

// SampleCheck is the outcome of redrawing a campaign's sample.
type SampleCheck struct {
	Seed       uint64  `json:"seed"`
	Population int     `json:"population"`
	Recorded   []int64 `json:"recorded"`
	Redrawn    []int64 `json:"redrawn"`
	Match      bool    `json:"match"`
}

// RectificationStatus is where a rectification item is.
type RectificationStatus string

const (
	RectOpen      RectificationStatus = "open"      // 待整改
	RectRectified RectificationStatus = "rectified" // 已整改
	RectCase      RectificationStatus = "case"      // 已转为案件 (taken up by the cases capability)
)

// Rectification is an item of 整改意见 for a unit: a failed spot check or a
// cleanup order. The cases capability picks open items up (CaseID set,
// status "case") and follows them through to the end.
type Rectification struct {
	ID          int64               `json:"id"`
	Source      string              `json:"source"` // "campaign" or "cleanup"
	CampaignID  int64               `json:"campaign_id,omitempty"`
	FormID      int64               `json:"form_id,omitempty"`
	ChannelID   int64               `json:"channel_id"`
	ChannelName string              `json:"channel_name"`
	UnitID      int64               `json:"unit_id"`
	UnitName    string              `json:"unit_name"`
	RegionPath  string              `json:"region_path"`
	Opinion     string              `json:"opinion"`
	Deadline    string              `json:"deadline"`
	Status      RectificationStatus `json:"status"`
	CaseID      int64               `json:"case_id,omitempty"`
	CaseNumber  string              `json:"case_number,omitempty"` // JF2026-000123, when read
	CreatedAt   time.Time           `json:"created_at"`
	RectifiedAt *time.Time          `json:"rectified_at,omitempty"`
}

// RectificationFilter selects rectification items.
type RectificationFilter struct {
	Status     RectificationStatus
	CampaignID int64
	UnitID     int64
	Page
}

// CampaignService runs spot checks. Every method sees only campaigns whose
// scope lies in the caller's region subtree, and forms of channels in the
// caller's scope; out-of-scope records answer ENOTFOUND.
type CampaignService interface {
	// FindChecklists lists the current version of every checklist (all
	// versions of one key with key set).
	FindChecklists(ctx context.Context, key string) ([]*Checklist, error)
	FindChecklistByID(ctx context.Context, id int64) (*Checklist, error)
	// SaveChecklist stores a new version of a checklist (supervisors).
	// EINVALID with Problems, EFORBIDDEN.
	SaveChecklist(ctx context.Context, c *Checklist) error

	// CreateCampaign defines a campaign and draws its sample in one
	// transaction: check forms for the sampled channels, assigned to the
	// inspectors in turn. Supervisors only. EINVALID when the scope holds
	// no channel.
	CreateCampaign(ctx context.Context, c *Campaign) error
	FindCampaignByID(ctx context.Context, id int64) (*Campaign, error)
	FindCampaigns(ctx context.Context, f CampaignFilter) ([]*Campaign, int, error)
	// CloseCampaign makes the results final. Pending forms stay pending.
	CloseCampaign(ctx context.Context, id int64) (*Campaign, error)
	// VerifySample redraws the sample from the recorded population and seed.
	VerifySample(ctx context.Context, id int64) (*SampleCheck, error)
	// CampaignResults aggregates the submitted forms per unit and region.
	CampaignResults(ctx context.Context, id int64) (*CampaignResults, error)
	// CampaignReport reads everything the campaign's workbook and notice
	// show, and audits the read ("campaign.report", with what: the file's
	// kind).
	CampaignReport(ctx context.Context, id int64, what string) (*CampaignReport, error)

	FindForms(ctx context.Context, f FormFilter) ([]*CheckForm, int, error)
	FindFormByID(ctx context.Context, id int64) (*CheckForm, *Checklist, error)
	// SaveForm records an inspector's answers; with Submit the form is
	// scored, and a failed channel gets a rectification item with its
	// 整改意见 and deadline. The assigned inspector or a supervisor.
	SaveForm(ctx context.Context, id int64, in FormInput) (*CheckForm, error)

	FindRectifications(ctx context.Context, f RectificationFilter) ([]*Rectification, int, error)
	// MarkRectified records that a unit rectified an item (the unit's
	// administrator or a supervisor).
	MarkRectified(ctx context.Context, id int64, note string) (*Rectification, error)
}
