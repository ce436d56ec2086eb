package jianfu

import (
	"fmt"
	"math"
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
	// RegionPath is where the checklist applies: "" everywhere (the
	// province-wide lists), else a region's own variant, used by campaigns
	// in that region's subtree. It never changes across versions.
	RegionPath string `json:"region_path"`
	RegionName string `json:"region_name,omitempty"` // "" when province-wide
}

// ProvinceWide reports whether the checklist applies everywhere.
func (c *Checklist) ProvinceWide() bool { return c.RegionPath == "" || len(c.RegionPath) <= 2 }

// AppliesIn reports whether the checklist applies to a campaign in the
// region (short path): it is province-wide, or its region contains it.
func (c *Checklist) AppliesIn(region string) bool { return strings.HasPrefix(region, c.RegionPath) }

// MayEditChecklist says whether the actor may save a version of a
// checklist that applies in region ("" everywhere): supervisors only; a
// province-wide list only by a supervisor at province level or above (a
// county could otherwise lower the pass mark of every county's spot
// checks); a region's own variant by a supervisor whose scope holds it.
func (a *Actor) MayEditChecklist(region string) error {
	if !a.Has(RoleSupervisor) {
		return Errorf(EFORBIDDEN, "修改检查表需要监管人员角色", "editing checklists needs the supervisor role")
	}
	if a.System {
		return nil
	}
	if region == "" || len(region) <= 2 {
		if len(a.RegionPath) > 2 || region != "" && !a.SeesRegion(region) {
			return Errorf(EFORBIDDEN, "全省通用的检查表只能由省级监管人员修改;如需在本辖区使用不同的指标,请“另存为本辖区版本”,它只用于本辖区的抽查",
				"a province-wide checklist is changed only by province-level supervisors; to use other indicators in your region, save it as your region's own version, which only your region's campaigns use")
		}
		return nil
	}
	if !a.SeesRegion(region) {
		return Errorf(EFORBIDDEN, "该检查表属于其他地区,您不能修改;如需不同的指标,请另存为本辖区版本", "the checklist belongs to another region; save your own region's version instead")
	}
	return nil
}

// SeesChecklist reports whether a checklist of region concerns the actor:
// it applies to the actor's region (province-wide or a region above), or
// belongs to a region in the actor's scope.
func (a *Actor) SeesChecklist(region string) bool {
	return a != nil && (a.System || strings.HasPrefix(a.RegionPath, region) || a.SeesRegion(region))
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

// VetoReason names the veto items of keys by their titles, joined by 、,
// for a scorecard's 单项否决; keys the checklist no longer has are skipped.
func (c *Checklist) VetoReason(keys []string) string {
	var titles []string
	for _, k := range keys {
		if it := c.Item(k); it != nil {
			titles = append(titles, it.Title)
		}
	}
	return strings.Join(titles, "、")
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

// MonitorFacts is what technical monitoring knows of a channel when its
// form is drawn: the last update seen, whether the last check reached the
// public page (nil: never checked) and how many links were broken.
type MonitorFacts struct {
	LastUpdate  *time.Time
	Reachable   *bool
	BrokenLinks int
}

// AutoAnswers answers the items an automatic source can judge, as of now;
// the inspector sees them pre-filled and may change them.
func (c *Checklist) AutoAnswers(now time.Time, m MonitorFacts) map[string]Answer {
	out := map[string]Answer{}
	for _, it := range c.Items {
		switch it.Auto {
		case AutoStale, AutoZombie:
			if m.LastUpdate == nil {
				continue
			}
			days := int(now.Sub(*m.LastUpdate).Hours() / 24)
			limit := 14 // 两周未更新: fails inspection
			if it.Auto == AutoZombie {
				limit = 90 // 超过三个月: a zombie
			}
			out[it.Key] = Answer{Hit: days > limit, Auto: true,
				Note: fmt.Sprintf("技术监测:最近更新于%s,距检查%d天", m.LastUpdate.In(China).Format("2006-01-02"), days)}
		case AutoUnreachable:
			if m.Reachable == nil {
				continue
			}
			note := "技术监测:最近一次检测可正常访问"
			if !*m.Reachable {
				note = "技术监测:最近一次检测无法访问"
			}
			out[it.Key] = Answer{Hit: !*m.Reachable, Auto: true, Note: note}
		case AutoBrokenLinks:
			if m.Reachable == nil || m.BrokenLinks == 0 {
				continue
			}
			a := Answer{Auto: true, Note: fmt.Sprintf("技术监测:发现%d个失效链接", m.BrokenLinks)}
			if it.Kind == ItemVeto {
				a.Hit = true
			} else {
				a.Points = min(it.Points, float64(m.BrokenLinks)*2)
			}
			out[it.Key] = a
		}
	}
	return out
}

// RectificationOpinion writes the 整改意见 of a failed form from its
// items: the verdict, each veto hit and deduction with the inspector's
// note, the inspector's own opinion (extra) and the deadline.
func (c *Checklist) RectificationOpinion(answers map[string]Answer, res Result, extra, deadline string) string {
	var b strings.Builder
	if res.Vetoed {
		fmt.Fprintf(&b, "经抽查,该渠道触及单项否决指标,评定为不合格。")
	} else {
		fmt.Fprintf(&b, "经抽查,该渠道得分%g分,低于合格线%g分,评定为不合格。", res.Score, c.PassMark)
	}
	b.WriteString("存在问题:")
	n := 0
	for _, it := range c.Items {
		a, ok := answers[it.Key]
		if !ok {
			continue
		}
		switch {
		case it.Kind == ItemVeto && a.Hit:
			n++
			fmt.Fprintf(&b, "%d. %s(单项否决)", n, it.Title)
		case it.Kind == ItemDeduct && a.Points > 0:
			n++
			fmt.Fprintf(&b, "%d. %s(扣%g分)", n, it.Title, a.Points)
		default:
			continue
		}
		if a.Note != "" {
			b.WriteString(":" + a.Note)
		}
		b.WriteString(";")
	}
	if extra != "" {
		b.WriteString("检查意见:" + extra + "。")
	}
	fmt.Fprintf(&b, "请于%s前完成整改,并将整改情况报送网信部门。", deadline)
	return b.String()
}

// CurrentChecklists picks the checklist of each kind that new forms use,
// from all versions read kind by kind, newest first: the kind's default
// key wins over other keys of the kind; among its versions the newest.
func CurrentChecklists(all []*Checklist) map[ChannelKind]*Checklist {
	return ChecklistsFor(all, "")
}

// ChecklistsFor picks the checklist of each kind a campaign in region uses,
// from all versions of all lists given newest version first per key: the
// latest version of the list that applies there most narrowly — the
// region's own variant before its city's, before the province-wide one;
// among lists of one region, the default key (the kind's name) first, then
// the newest.
func ChecklistsFor(all []*Checklist, region string) map[ChannelKind]*Checklist {
	latest := map[string]*Checklist{}
	for _, c := range all {
		if cur := latest[c.Key]; cur == nil || c.Version > cur.Version {
			latest[c.Key] = c
		}
	}
	out := map[ChannelKind]*Checklist{}
	for _, c := range latest {
		if !c.AppliesIn(region) {
			continue
		}
		cur := out[c.Kind]
		switch {
		case cur == nil, len(c.RegionPath) > len(cur.RegionPath):
		case len(c.RegionPath) < len(cur.RegionPath):
			continue
		case (cur.Key == string(c.Kind)) != (c.Key == string(c.Kind)):
			if cur.Key == string(c.Kind) {
				continue
			}
		case c.ID < cur.ID:
			continue
		}
		out[c.Kind] = c
	}
	return out
}

// Prepare readies an inspector's input to the form as saved, and scores
// it by the form's checklist: automatic answers the inspector did not
// override stay, evidence and opinion are trimmed, and a submitted veto
// needs evidence.
func (in *FormInput) Prepare(f *CheckForm, list *Checklist) (Result, error) {
	if in.Answers == nil {
		in.Answers = map[string]Answer{}
	}
	for k, v := range f.Answers {
		if _, ok := in.Answers[k]; !ok && v.Auto {
			in.Answers[k] = v
		}
	}
	res, err := list.Score(in.Answers)
	if err != nil {
		return res, err
	}
	in.Evidence, in.Opinion = strings.TrimSpace(in.Evidence), strings.TrimSpace(in.Opinion)
	if in.Submit && res.Vetoed && in.Evidence == "" {
		return res, &Error{Code: EINVALID, Message: "存在单项否决项时必须填写检查证据(截图说明、链接或记录)", English: "a veto needs evidence (a description, link or record)",
			Problems: []Problem{{Field: "evidence", Message: "请填写单项否决的证据", English: "give the evidence of the veto"}}}
	}
	return res, nil
}

// RecordedOpinion is what a submitted form records as its opinion: the
// generated 整改意见 of a failed form, else the inspector's own.
func (in *FormInput) RecordedOpinion(generated string) string {
	if generated != "" {
		return generated
	}
	return in.Opinion
}
