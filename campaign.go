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

// ItemKind is how a checklist item counts (检查指标类型), following the
// structure of the 2019 national indicators (国办秘函〔2019〕19号).
type ItemKind string

const (
	ItemVeto   ItemKind = "veto"   // 单项否决: any one hit fails the channel outright
	ItemDeduct ItemKind = "deduct" // 扣分项: points deducted from 100
	ItemBonus  ItemKind = "bonus"  // 加分项: points added, never above 100
)

// Auto signals: checklist items an automatic source can answer before the
// inspector opens the form.
const (
	AutoStale       = "stale_2w"    // no update within the 2 weeks before the check
	AutoUnreachable = "unreachable" // the public page or feed does not answer
	AutoBrokenLinks = "broken_links"
	AutoZombie      = "zombie_3m" // no update for over 3 months
)

// ChecklistItem is one indicator of a checklist.
type ChecklistItem struct {
	Key      string   `json:"key"`
	Kind     ItemKind `json:"kind"`
	Title    string   `json:"title"`
	Points   float64  `json:"points,omitempty"`   // deduct: the most that can be deducted; bonus: the most added
	Guidance string   `json:"guidance,omitempty"` // how to judge, for the inspector
	Auto     string   `json:"auto,omitempty"`     // an automatic signal that pre-fills it
}

// Checklist is a versioned template of indicators for one kind of channel
// (检查表). Each save makes a new version; forms keep the version they
// were filled with.
type Checklist struct {
	ID        int64           `json:"id"`
	Key       string          `json:"key"` // stable across versions, e.g. "account"
	Kind      ChannelKind     `json:"kind"`
	Version   int             `json:"version"`
	Name      string          `json:"name"`
	PassMark  float64         `json:"pass_mark"` // below it fails; 60 by default
	Items     []ChecklistItem `json:"items"`
	CreatedBy string          `json:"created_by,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
	Current   bool            `json:"current"`
}

// Validate checks a checklist as a supervisor edits it.
func (c *Checklist) Validate() error {
	var probs []Problem
	add := func(field, zh, en string) { probs = append(probs, Problem{Field: field, Message: zh, English: en}) }
	c.Name = strings.TrimSpace(c.Name)
	if c.Name == "" {
		add("name", "检查表名称不能为空", "the checklist name is required")
	}
	if !c.Kind.Valid() {
		add("kind", "适用渠道类型无效,应为 app、account 或 group", "unknown channel kind; use app, account or group")
	}
	if c.PassMark <= 0 || c.PassMark > 100 {
		add("pass_mark", "合格分数线应在1至100之间(通常为60)", "the pass mark must be between 1 and 100 (usually 60)")
	}
	if len(c.Items) == 0 {
		add("items", "检查表至少要有一个指标", "a checklist needs at least one item")
	}
	seen := map[string]bool{}
	var deduct float64
	for i := range c.Items {
		it := &c.Items[i]
		it.Key, it.Title, it.Guidance = strings.TrimSpace(it.Key), strings.TrimSpace(it.Title), strings.TrimSpace(it.Guidance)
		row := i + 1
		p := func(field, zh, en string) {
			probs = append(probs, Problem{Row: row, Field: field, Message: fmt.Sprintf("第%d项:", row) + zh, English: fmt.Sprintf("item %d: ", row) + en})
		}
		if it.Key == "" {
			p("key", "指标编号不能为空", "the item key is required")
		} else if seen[it.Key] {
			p("key", "指标编号“"+it.Key+"”重复", "the item key "+it.Key+" is used twice")
		}
		seen[it.Key] = true
		if it.Title == "" {
			p("title", "指标内容不能为空", "the item text is required")
		}
		switch it.Kind {
		case ItemVeto:
			it.Points = 0
		case ItemDeduct, ItemBonus:
			if it.Points <= 0 || it.Points > 100 {
				p("points", "分值应在0至100之间", "points must be more than 0 and at most 100")
			}
			if it.Kind == ItemDeduct {
				deduct += it.Points
			}
		default:
			p("kind", "指标类型无效,应为 veto(单项否决)、deduct(扣分)或 bonus(加分)", "unknown item kind; use veto, deduct or bonus")
		}
		switch it.Auto {
		case "", AutoStale, AutoUnreachable, AutoBrokenLinks, AutoZombie:
		default:
			p("auto", "自动信号“"+it.Auto+"”未知", "unknown automatic signal "+it.Auto)
		}
	}
	if deduct > 100 {
		add("items", fmt.Sprintf("扣分项合计%.0f分,不能超过100分", deduct), fmt.Sprintf("deductions add up to %.0f points, more than 100", deduct))
	}
	return problemsError(probs)
}

// Item returns the item with the key.
func (c *Checklist) Item(key string) *ChecklistItem {
	for i := range c.Items {
		if c.Items[i].Key == key {
			return &c.Items[i]
		}
	}
	return nil
}

// Answer is the inspector's finding on one item.
type Answer struct {
	Hit    bool    `json:"hit,omitempty"`    // veto: the veto applies; bonus: earned
	Points float64 `json:"points,omitempty"` // deduct: points deducted; bonus: points added
	Note   string  `json:"note,omitempty"`
	Auto   bool    `json:"auto,omitempty"` // pre-filled from an automatic signal
}

// Result is a scored check form.
type Result struct {
	Score  float64  `json:"score"`
	Vetoed bool     `json:"vetoed"`
	Passed bool     `json:"passed"`
	Vetoes []string `json:"vetoes,omitempty"` // keys of the veto items that hit
}

// Score computes a form's result: any veto fails; otherwise 100 minus the
// deductions plus the bonuses (at most 100, at least 0), and a score below
// the pass mark fails. Answers are checked against the items: a deduction
// larger than the item allows is an error naming the item.
func (c *Checklist) Score(answers map[string]Answer) (Result, error) {
	var probs []Problem
	res := Result{Score: 100}
	for _, it := range c.Items {
		a, ok := answers[it.Key]
		if !ok {
			continue
		}
		switch it.Kind {
		case ItemVeto:
			if a.Hit {
				res.Vetoed = true
				res.Vetoes = append(res.Vetoes, it.Key)
			}
		case ItemDeduct:
			if a.Points < 0 || a.Points > it.Points {
				probs = append(probs, Problem{Field: it.Key, Message: fmt.Sprintf("“%s”最多扣%g分,填写了%g分", it.Title, it.Points, a.Points),
					English: fmt.Sprintf("%q deducts at most %g points, got %g", it.Title, it.Points, a.Points)})
			}
			res.Score -= a.Points
		case ItemBonus:
			if a.Points < 0 || a.Points > it.Points {
				probs = append(probs, Problem{Field: it.Key, Message: fmt.Sprintf("“%s”最多加%g分,填写了%g分", it.Title, it.Points, a.Points),
					English: fmt.Sprintf("%q adds at most %g points, got %g", it.Title, it.Points, a.Points)})
			}
			res.Score += a.Points
		}
	}
	for k := range answers {
		if c.Item(k) == nil {
			probs = append(probs, Problem{Field: k, Message: "检查表中没有指标“" + k + "”", English: "the checklist has no item " + k})
		}
	}
	if err := problemsError(probs); err != nil {
		return Result{}, err
	}
	res.Score = math.Max(0, math.Min(100, res.Score))
	res.Score = math.Round(res.Score*10) / 10
	res.Passed = !res.Vetoed && res.Score >= c.PassMark
	return res, nil
}

// DefaultChecklists are the templates a fresh installation starts with:
// for accounts the 2019 national structure (veto items, deductions out of
// 100, below 60 fails); for apps and work groups the same shape built from
// the usage rules of the policy (意见, 管理办法, 若干规定).
func DefaultChecklists() []*Checklist {
	return []*Checklist{
		{Key: "account", Kind: KindAccount, Name: "政务公众账号抽查评估指标(依据国办秘函〔2019〕19号结构)", PassMark: 60, Items: []ChecklistItem{
			{Key: "V1", Kind: ItemVeto, Title: "检查前2周内无更新", Auto: AutoStale, Guidance: "以检查之日前14天内有无发布内容为准;由技术监测自动预填"},
			{Key: "V2", Kind: ItemVeto, Title: "互动功能无法正常使用(留言、咨询等长期无回应或关闭)"},
			{Key: "V3", Kind: ItemVeto, Title: "发生严重表述错误、泄密或其他安全事故"},
			{Key: "V4", Kind: ItemVeto, Title: "将关注、点赞、转发、评论作为考核评价或评比评选依据", Guidance: "意见:不得将其作为考核评价、评比评选的依据"},
			{Key: "D1", Kind: ItemDeduct, Points: 20, Title: "信息更新不及时(近3个月内存在超过1周未更新)"},
			{Key: "D2", Kind: ItemDeduct, Points: 15, Title: "账号名称与单位不对应、跨平台名称不一致或未认证"},
			{Key: "D3", Kind: ItemDeduct, Points: 15, Title: "同一单位在同一平台重复开设账号", Guidance: "原则上一个单位在一个平台只开设一个账号"},
			{Key: "D4", Kind: ItemDeduct, Points: 15, Title: "强制要求基层或群众关注、下载、推广", Guidance: "意见:推广使用应从实际需求出发,不得作强制性要求"},
			{Key: "D5", Kind: ItemDeduct, Points: 10, Title: "页面链接失效或外链未经审核", Auto: AutoBrokenLinks},
			{Key: "D6", Kind: ItemDeduct, Points: 15, Title: "留言、咨询答复不及时或答非所问"},
			{Key: "D7", Kind: ItemDeduct, Points: 10, Title: "未落实个人信息保护与数据安全要求"},
			{Key: "B1", Kind: ItemBonus, Points: 5, Title: "集约整合、优质服务等创新做法"},
		}},
		{Key: "app", Kind: KindApp, Name: "政务应用程序抽查评估指标", PassMark: 60, Items: []ChecklistItem{
			{Key: "V1", Kind: ItemVeto, Title: "未备案即上线运行", Guidance: "应先备案后上线"},
			{Key: "V2", Kind: ItemVeto, Title: "无法访问或主要功能无法使用", Auto: AutoUnreachable},
			{Key: "V3", Kind: ItemVeto, Title: "发生数据泄露、个人信息泄露或其他安全事故"},
			{Key: "V4", Kind: ItemVeto, Title: "设置强制打卡、积分排名、在线时长等功能(安保、应急除外)"},
			{Key: "D1", Kind: ItemDeduct, Points: 20, Title: "强制下载安装、考核装机率或要求定期登录"},
			{Key: "D2", Kind: ItemDeduct, Points: 15, Title: "将点赞、投票、转发、学习时长作为考核依据"},
			{Key: "D3", Kind: ItemDeduct, Points: 15, Title: "与其他应用功能重复,应整合未整合"},
			{Key: "D4", Kind: ItemDeduct, Points: 15, Title: "要求不必要的截图、拍照、视频或轨迹留痕"},
			{Key: "D5", Kind: ItemDeduct, Points: 10, Title: "重复填报:同一数据多头索要,未做到“一张表”"},
			{Key: "D6", Kind: ItemDeduct, Points: 10, Title: "使用率低、长期无人使用", Guidance: "低使用率应用应予关停"},
			{Key: "D7", Kind: ItemDeduct, Points: 10, Title: "县级以下单位自建应用", Guidance: "原则上县级以下单位不建设应用"},
			{Key: "D8", Kind: ItemDeduct, Points: 5, Title: "页面链接失效", Auto: AutoBrokenLinks},
			{Key: "B1", Kind: ItemBonus, Points: 5, Title: "便民减负成效突出"},
		}},
		{Key: "group", Kind: KindGroup, Name: "工作群组抽查评估指标", PassMark: 60, Items: []ChecklistItem{
			{Key: "V1", Kind: ItemVeto, Title: "脱离工作实际强制要求打卡接龙、即时响应", Guidance: "意见:不得脱离工作实际强制要求打卡接龙、即时响应"},
			{Key: "V2", Kind: ItemVeto, Title: "在群内泄露涉密信息或群众个人信息"},
			{Key: "V3", Kind: ItemVeto, Title: "专项工作群任务结束后仍未解散", Guidance: "为专项任务建立的群组,任务结束即解散"},
			{Key: "D1", Kind: ItemDeduct, Points: 20, Title: "随意摊派任务、索要材料"},
			{Key: "D2", Kind: ItemDeduct, Points: 15, Title: "非工作时间发送非紧急工作消息(应急、安保除外)"},
			{Key: "D3", Kind: ItemDeduct, Points: 15, Title: "要求截图、拍照、视频留痕作为工作证明"},
			{Key: "D4", Kind: ItemDeduct, Points: 15, Title: "同一单位重复建群、一人多群", Guidance: "原则上一个单位一个工作群"},
			{Key: "D5", Kind: ItemDeduct, Points: 10, Title: "群主、管理员未落实“谁建群谁负责”"},
			{Key: "D6", Kind: ItemDeduct, Points: 10, Title: "以点赞、转发、评论数作为考核依据"},
			{Key: "B1", Kind: ItemBonus, Points: 5, Title: "建立群组使用规范并严格执行"},
		}},
	}
}

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
	UnitID     int64   `json:"unit_id,omitempty"`
	Name       string  `json:"name"`
	RegionPath string  `json:"region_path"`
	Checked    int     `json:"checked"`
	Passed     int     `json:"passed"`
	Failed     int     `json:"failed"`
	Vetoed     int     `json:"vetoed"`
	AvgScore   float64 `json:"avg_score"`
}

// CampaignResults are a campaign's results per unit and per region.
type CampaignResults struct {
	Units   []UnitResult `json:"units"`
	Regions []UnitResult `json:"regions"`
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
