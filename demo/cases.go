package demo

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"jianfu"
	"jianfu/calendar"
	"jianfu/redact"
)

// The cases step fills the case workflow: complaints from the public, from
// cadres inside, over Open311 and from the 12345 hotline, and clues from
// monitoring and spot checks, spread over the last months and played out
// in time order with the store's clock set to each moment — so deadlines,
// reminders, overdue marks and escalations fall where they would have.
// Every state occurs, some cases are overdue and escalated, a few closed
// ones are published as typical cases, and a province account may reveal
// the identities of the named complaints.

// caseTemplates are complaint texts per category; {g} is a work group or
// other channel, {a} an app, {c} an account.
var caseTemplates = map[jianfu.Category][]string{
	jianfu.Checkin: {
		"{g}要求每天早上8点前在群里发定位打卡,周末也不例外,没打卡的第二天在群里点名。",
		"单位要求每天登录“{a}”学习满30分钟,积分每周排名通报,大家只能挂机刷时长。",
		"{g}要求网格员每天上下班各拍照定位签到一次,节假日也要签到,漏签扣绩效。",
	},
	jianfu.Chain: {
		"{g}里每发一条通知都要求全体接龙回复“收到”,晚上十点后还在接龙,不回复的第二天被点名。",
		"{g}要求每位老师看完通知后回复1,群主逐个核对名单,漏一个就@全体成员。",
	},
	jianfu.Instant: {
		"{g}负责人要求消息必须“秒回”,下班后也要在10分钟内回复,否则视为工作不到位。",
		"晚上11点{g}突然发通知,要求当晚12点前上报本村在外务工人员数据。",
	},
	jianfu.Task: {
		"上级在{g}摊派任务,要求每个村发动不少于200名群众下载注册“{a}”,完成率每天排名。",
		"{g}要求每名教师转发问卷给50名家长填写,完不成的扣绩效。",
	},
	jianfu.Material: {
		"同一份人口统计表,{g}和上级几个部门先后要了三次,格式还各不相同。",
		"{g}每周要求报送工作台账和佐证材料,内容与系统里已有的数据完全重复。",
	},
	jianfu.Promote: {
		"单位强制要求全体职工及家属下载“{a}”并截图上传注册页面,装机率纳入年度考核。",
		"要求每名干部关注“{c}”并拉10名亲友关注,按关注人数排名通报。",
	},
	jianfu.Engagement: {
		"{g}每天转发“{c}”的文章,要求全员点赞、评论并截图,点赞数纳入月度考核。",
		"单位组织给“{c}”的作品投票,要求每人每天投票并在{g}晒截图。",
	},
	jianfu.Trace: {
		"入户走访要求拍摄带水印的照片和视频上传{a},一次走访要拍10张照片留痕。",
		"{g}要求每项工作都上传现场照片和轨迹截图作为完成证明,否则不算完成。",
	},
	jianfu.CategoryOther: {
		"一个人被拉进30多个工作群,{g}等群里同样的通知重复发,每个群都要回复。",
	},
}

// answers are what responsible units reply, by finding.
var answers = map[jianfu.CaseFinding][]string{
	jianfu.FindingSubstantiated:   {"经核实,反映情况属实。已责令群主停止相关做法,并在单位内部通报。", "经调查情况属实,已取消该要求,对相关负责人进行了批评教育。"},
	jianfu.FindingPartly:          {"经核实部分属实:通知确有要求,但未与考核挂钩。已调整为工作时间内按需反馈。"},
	jianfu.FindingUnsubstantiated: {"经查阅群聊记录和走访相关人员,未发现反映的情况,系个别人员误解通知内容。"},
	jianfu.FindingNotResponsible:  {"该群不由本单位建立和管理,建议转交实际建群单位办理。"},
}

var rectifications = []string{
	"已在群内发布通知,取消接龙打卡等要求,改为按需报送;建立群组管理制度,明确工作时间外不发工作消息。",
	"已停止将点赞、转发数量作为考核依据,撤回相关通报,并对全体成员作出说明。",
	"已合并重复报表,同一数据只报一次,由办公室统一归集。",
}

// plannedCase is a case and what will happen to it.
type plannedCase struct {
	county    *county
	unit      *unit // the responsible unit
	category  string
	source    jianfu.CaseSource
	text      string
	channel   string
	named     bool
	start     time.Time
	index     int
	mergeWith *plannedCase // for a duplicate: the earlier case it repeats
	id        int64
	number    string
	dropped   bool // a step failed: the case stays where it was
}

// caseStep is one action on a case at a moment.
type caseStep struct {
	at     time.Time
	action string
	pc     *plannedCase
	arg    string
}

func (g *gen) cases(ctx context.Context) error {
	anchor := g.db.Now()
	clock := anchor
	prev := g.db.Now
	g.db.Now = func() time.Time { return clock }
	defer func() { g.db.Now = prev }()
	cal := calendar.Default()
	at := func(t time.Time) { clock = t }

	var counties []*county
	for _, c := range g.w.cities {
		counties = append(counties, c.counties...)
	}
	byCounty := map[*county][]*unit{}
	for _, u := range g.w.units {
		if u.county == nil {
			continue
		}
		switch u.kind {
		case kindDept, kindSchool, kindHospital, kindTownGov, kindTownParty, kindCommittee, kindGovOffice, kindPartyOffice:
			byCounty[u.county] = append(byCounty[u.county], u)
		}
	}
	capital := g.w.cities[0].counties[0] // 江南区: the demo's county logins see its cases
	n := max(40, casesPerCounty*len(counties))
	typical := min(6, max(3, len(counties)/5))
	var plans []*plannedCase
	var steps []caseStep
	for i := 0; i < n; i++ {
		k := counties[g.rng.IntN(len(counties))]
		if g.rng.Float64() < 0.3 {
			k = capital
		}
		units := byCounty[k]
		u := units[g.rng.IntN(len(units))]
		if k == capital && g.rng.Float64() < 0.4 {
			if edu := g.w.find(k.region.Path, "edu"); edu != nil {
				u = edu
				if g.rng.IntN(2) == 0 {
					if s := g.w.find(k.region.Path, "school1"); s != nil {
						u = s
					}
				}
			}
		}
		cat := jianfu.CaseCategories[g.rng.IntN(len(jianfu.CaseCategories))]
		pc := &plannedCase{index: i + 1, county: k, unit: u, category: string(cat), source: pickSource(g.rng.Float64())}
		pc.channel, pc.text = g.caseText(u, cat)
		pc.named = pc.source.Public() && g.rng.Float64() < 0.25
		// Started between 75 days and 2 hours ago, in office hours.
		start := anchor.Add(-time.Duration(g.rng.IntN(75*24)) * time.Hour).Add(-2 * time.Hour)
		start = officeHours(start, g.rng.IntN(8*60))
		if start.After(anchor) {
			start = anchor.Add(-time.Hour)
		}
		want := ""
		if i < len(targets) {
			want = targets[i].state
			pc.start = officeHours(anchor.Add(-time.Duration(targets[i].daysAgo)*24*time.Hour), g.rng.IntN(6*60))
			if want == "merged" { // the same problem as the "closed" target, reported again
				orig := plans[7]
				pc.county, pc.unit, pc.category, pc.channel, pc.text = orig.county, orig.unit, orig.category, orig.channel, orig.text
				pc.start = orig.start.Add(26 * time.Hour)
			}
			if !pc.start.Before(anchor) {
				pc.start = anchor.Add(-3 * time.Hour)
			}
		} else {
			pc.start = start
		}
		plans = append(plans, pc)
		planned := g.planSteps(pc, plans, cal, anchor, want)
		if want == "" {
			planned = g.recent(planned, anchor)
		}
		steps = append(steps, planned...)
	}
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].at.Before(steps[j].at) })

	sys := jianfu.WithActor(ctx, jianfu.SystemActor("demo"))
	day := plans[0].start
	for _, p := range plans {
		if p.start.Before(day) {
			day = p.start
		}
	}
	nextSweep := time.Date(day.Year(), day.Month(), day.Day()+1, 8, 0, 0, 0, jianfu.China)
	sweep := func(until time.Time) error {
		for !nextSweep.After(until) {
			at(nextSweep)
			if _, err := g.db.Deadlines().SweepDeadlines(sys, nextSweep); err != nil {
				return fmt.Errorf("sweep %s: %w", nextSweep.Format("2006-01-02"), err)
			}
			nextSweep = nextSweep.Add(24 * time.Hour)
		}
		return nil
	}
	for _, s := range steps {
		if err := sweep(s.at); err != nil {
			return err
		}
		if s.pc.dropped || s.pc.id == 0 && s.action != "create" {
			continue
		}
		at(s.at)
		if err := g.runStep(ctx, s); err != nil {
			if jianfu.ErrorCode(err) == jianfu.EINTERNAL {
				return fmt.Errorf("case %s %s: %w", s.pc.number, s.action, err)
			}
			s.pc.dropped = true // the plan met a rule (e.g. a merge target closed): keep the case as it is
		}
	}
	if err := sweep(anchor); err != nil {
		return err
	}
	at(anchor)
	if _, err := g.db.Deadlines().SweepDeadlines(sys, anchor); err != nil {
		return fmt.Errorf("final sweep: %w", err)
	}
	dropped := 0
	for _, p := range plans {
		if p.dropped {
			dropped++
		}
	}
	g.opts.Logger.Info("demo cases played out", "cases", len(plans), "steps", len(steps), "stopped early", dropped)
	at(anchor)
	published, err := g.publishTypical(ctx, typical)
	if err != nil {
		return err
	}
	if err := g.addRevealer(ctx); err != nil {
		return err
	}
	g.count("问题线索", len(plans))
	g.count("典型案例", published)
	return nil
}

func pickSource(x float64) jianfu.CaseSource {
	switch {
	case x < 0.40:
		return jianfu.SourceComplaint
	case x < 0.55:
		return jianfu.SourceStaff
	case x < 0.65:
		return jianfu.SourceOpen311
	case x < 0.78:
		return jianfu.SourceHotline
	case x < 0.90:
		return jianfu.SourceMonitoring
	case x < 0.96:
		return jianfu.SourceSpotCheck
	}
	return jianfu.SourceTechCheck
}

// casesPerCounty is how many cases the full province gets per county.
const casesPerCounty = 12

// officeHours moves t to 09:00 China time of its day plus minutes.
func officeHours(t time.Time, minutes int) time.Time {
	t = t.In(jianfu.China)
	return time.Date(t.Year(), t.Month(), t.Day(), 9, 0, 0, 0, jianfu.China).Add(time.Duration(minutes) * time.Minute)
}

// caseText writes a complaint about a channel of the unit.
func (g *gen) caseText(u *unit, cat jianfu.Category) (channel, text string) {
	short := strings.TrimPrefix(u.Name, "中共")
	group := short + "工作群"
	if u.kind == kindSchool {
		group = short + "教师群"
	}
	app := "掌上" + string([]rune(u.county.region.Name)[:2]) + "通"
	account := short + "公众号"
	tpls := caseTemplates[cat]
	text = tpls[g.rng.IntN(len(tpls))]
	text = strings.NewReplacer("{g}", "“"+group+"”", "{a}", app, "{c}", account).Replace(text)
	switch {
	case strings.Contains(text, group):
		channel = group
	case strings.Contains(text, app):
		channel = app
	default:
		channel = account
	}
	return channel, text
}

// planSteps decides where a case ends and when each step happens. Steps
// that would fall after the anchor are not taken: the case is still there.
// targets are the end states the first cases are planned to reach, so
// every state shows even in the small demo; the rest are drawn at random.
var targets = []struct {
	state   string
	daysAgo int
}{
	{"rejected", 12}, {"new", 1}, {"accepted", 2}, {"transferred", 3}, {"answered", 12},
	{"rectified", 30}, {"verified", 42}, {"closed", 50}, {"notfixed", 50}, {"merged", 10},
}

// planSteps decides where a case ends (want, or at random when empty) and
// when each step happens. Steps that would fall after the anchor are not
// taken: the case is still there.
func (g *gen) planSteps(pc *plannedCase, plans []*plannedCase, cal *calendar.Calendar, anchor time.Time, want string) []caseStep {
	t := pc.start
	out := []caseStep{{at: t, action: "create", pc: pc}}
	// late decides whether this case keeps its deadlines.
	late := want == "" && g.rng.Float64() < 0.3
	gap := func(limit int) time.Time {
		d := 1 + g.rng.IntN(max(1, limit-1))
		if late {
			d = limit + 1 + g.rng.IntN(6)
		}
		return officeHours(cal.AddWorkdays(t, d), g.rng.IntN(8*60))
	}
	add := func(action, arg string, next time.Time) bool {
		if !next.Before(anchor) {
			return false
		}
		t = next
		out = append(out, caseStep{at: t, action: action, pc: pc, arg: arg})
		return true
	}
	// stop reports whether the case rests in state here.
	stop := func(p float64, state string) bool {
		if want != "" {
			return want == state
		}
		return g.rng.Float64() < p
	}
	first := want
	if want == "" {
		switch x := g.rng.Float64(); {
		case x < 0.05:
			first = "rejected"
		case x < 0.08:
			first = "merged"
		case x < 0.16:
			first = "new"
		}
	}
	switch first {
	case "rejected":
		add("reject", "", gap(3)) // not a formalism problem
		return out
	case "merged":
		// A duplicate of an earlier case of the same county.
		for i := len(plans) - 2; i >= 0; i-- {
			if p := plans[i]; p.county == pc.county && p.start.Before(pc.start) && p.mergeWith == nil {
				pc.mergeWith = p
				add("merge", "", gap(3))
				return out
			}
		}
	case "new":
		return out // still waiting for triage
	}
	if !add("accept", "", gap(2)) || stop(0.08, "accepted") {
		return out
	}
	if !add("transfer", "", t.Add(time.Duration(30+g.rng.IntN(90))*time.Minute)) || stop(0.18, "transferred") {
		return out
	}
	finding := jianfu.FindingSubstantiated
	if want == "" {
		switch y := g.rng.Float64(); {
		case y < 0.12:
			finding = jianfu.FindingUnsubstantiated
		case y < 0.22:
			finding = jianfu.FindingPartly
		case y < 0.27:
			finding = jianfu.FindingNotResponsible
		}
	}
	if !add("answer", string(finding), gap(5)) {
		return out
	}
	if !finding.NeedsRectification() {
		if finding == jianfu.FindingNotResponsible && g.rng.IntN(2) == 0 {
			add("reroute", "", gap(2))
			return out
		}
		add("close", string(map[jianfu.CaseFinding]jianfu.CaseOutcome{jianfu.FindingUnsubstantiated: jianfu.OutcomeUnsubstantiated, jianfu.FindingNotResponsible: jianfu.OutcomeNotResponsible}[finding]), gap(5))
		return out
	}
	if stop(0.08, "answered") {
		return out // rectifying
	}
	if stop(0.2, "notfixed") {
		// Never rectified: closed honestly as not fixed, with an accountability suggestion.
		if add("opinion", "accountability", gap(15)) {
			add("close", string(jianfu.OutcomeNotFixed), officeHours(t.Add(24*time.Hour), 30))
		}
		return out
	}
	if !add("rectify", "", gap(15)) || stop(0.08, "rectified") {
		return out
	}
	if want == "" && g.rng.Float64() < 0.15 {
		if !add("verify_fail", "", gap(5)) || !add("rectify", "", gap(15)) {
			return out
		}
	}
	if !add("verify", "", gap(5)) || stop(0.06, "verified") {
		return out
	}
	if g.rng.Float64() < 0.4 {
		add("opinion", "rectification", t.Add(30*time.Minute))
	}
	outcome := jianfu.OutcomeFixed
	if finding == jianfu.FindingPartly {
		outcome = jianfu.OutcomePartlyFixed
	}
	add("close", string(outcome), gap(3))
	return out
}

// recent moves the steps of a case still open, which kept its deadlines,
// close to the anchor: work in progress is mostly recent, and what is
// old and open is what ran late.
func (g *gen) recent(steps []caseStep, anchor time.Time) []caseStep {
	last := steps[len(steps)-1]
	switch last.action {
	case "close", "reject", "merge", "reroute":
		return steps
	}
	if g.rng.Float64() < 0.35 {
		return steps // left to run late
	}
	target := anchor.Add(-time.Duration(2+g.rng.IntN(60)) * time.Hour)
	days := int(target.Sub(last.at).Hours() / 24)
	if days <= 0 {
		return steps
	}
	shift := time.Duration(days) * 24 * time.Hour
	steps[0].pc.start = steps[0].pc.start.Add(shift)
	for i := range steps {
		steps[i].at = steps[i].at.Add(shift)
	}
	return steps
}

// officeActor names the county office as the actor of its steps.
func officeActor(ctx context.Context, k *county) context.Context {
	a := jianfu.SystemActor("demo")
	a.Username, a.Name = k.region.Name+"网信办", k.region.Name+"网信办"
	return jianfu.WithActor(ctx, a)
}

// unitActor names the responsible unit as the actor of its steps.
func unitActor(ctx context.Context, u *unit) context.Context {
	a := jianfu.SystemActor("demo")
	a.Username, a.Name = u.Name, u.Name
	return jianfu.WithActor(ctx, a)
}

func (g *gen) runStep(ctx context.Context, s caseStep) error {
	pc := s.pc
	office := officeActor(ctx, pc.county)
	var err error
	switch s.action {
	case "create":
		if pc.source.Public() {
			c := &jianfu.Complaint{Source: pc.source, Category: pc.category, RegionCode: pc.unit.RegionCode, ChannelText: pc.channel, Description: pc.text,
				Proposed: g.det.Propose(pc.text, pc.channel)}
			if pc.source == jianfu.SourceHotline {
				c.SourceRef = fmt.Sprintf("12345-%s-%04d", s.at.In(jianfu.China).Format("20060102"), pc.index)
			}
			if pc.named && g.db.Intake().AcceptsIdentity() {
				c.Identity = &jianfu.ReporterIdentity{Name: personName(g.rng), Phone: fmt.Sprintf("139%08d", g.rng.IntN(100_000_000))}
			}
			ctx := ctx
			if pc.source == jianfu.SourceOpen311 || pc.source == jianfu.SourceHotline {
				ctx = jianfu.WithActor(ctx, jianfu.SystemActor("12345"))
			} else {
				ctx = jianfu.WithActor(ctx, nil)
			}
			rec, err := g.db.Intake().SubmitComplaint(ctx, c)
			if err != nil {
				return err
			}
			pc.number = rec.Number
		} else {
			c, _, err := g.db.Intake().CreateClue(office, &jianfu.Clue{Source: pc.source, Category: pc.category, RegionCode: pc.unit.RegionCode,
				Description: pc.text, SourceRef: fmt.Sprintf("demo-%s-%04d", pc.source, pc.index), Proposed: g.det.Propose(pc.text)})
			if err != nil {
				return err
			}
			pc.number = c.Number
			pc.id = c.ID
			return nil
		}
		list, _, err := g.db.Cases().FindCases(jianfu.WithActor(ctx, jianfu.SystemActor("demo")), jianfu.CaseFilter{Query: pc.number, Page: jianfu.Page{Limit: 1}})
		if err != nil || len(list) == 0 {
			return fmt.Errorf("read back %s: %v", pc.number, err)
		}
		pc.id = list[0].ID
		return nil
	case "reject":
		_, err = g.db.Cases().TriageCase(office, pc.id, jianfu.Triage{Decision: "reject", Reason: "所反映问题不属于“指尖上的形式主义”范畴,已告知向有关部门反映"})
	case "merge":
		if pc.mergeWith.number == "" {
			return nil
		}
		_, err = g.db.Cases().TriageCase(office, pc.id, jianfu.Triage{Decision: "merge", MergeInto: pc.mergeWith.number})
	case "accept":
		_, err = g.db.Cases().TriageCase(office, pc.id, jianfu.Triage{Decision: "accept", Categories: []string{pc.category}})
	case "transfer":
		_, err = g.db.Cases().TransferCase(office, pc.id, jianfu.Transfer{UnitID: pc.unit.ID, Note: "请核实情况,按时答复并整改"})
	case "reroute":
		other := g.w.find(pc.county.region.Path, "gov")
		if other == nil || other == pc.unit {
			return nil
		}
		_, err = g.db.Cases().TransferCase(office, pc.id, jianfu.Transfer{UnitID: other.ID, Reason: "经核实该群由县政府办公室建立管理,改由其办理"})
	case "answer":
		f := jianfu.CaseFinding(s.arg)
		texts := answers[f]
		_, err = g.db.Cases().AnswerCase(unitActor(ctx, pc.unit), pc.id, jianfu.CaseAnswer{Finding: f, Text: texts[g.rng.IntN(len(texts))]})
	case "rectify":
		_, err = g.db.Cases().RectifyCase(unitActor(ctx, pc.unit), pc.id, jianfu.CaseRectification{Text: rectifications[g.rng.IntN(len(rectifications))]})
	case "verify_fail":
		_, err = g.db.Cases().VerifyCase(office, pc.id, jianfu.Verification{Passed: false, Note: "抽查群聊记录,相关要求仍在执行"})
	case "verify":
		_, err = g.db.Cases().VerifyCase(office, pc.id, jianfu.Verification{Passed: true, Note: "抽查群聊记录和走访,整改到位"})
	case "opinion":
		o := jianfu.CaseOpinion{Kind: jianfu.OpinionKind(s.arg)}
		if o.Kind == jianfu.OpinionAccountability {
			o.Target, o.Text = pc.unit.Name+"分管负责人", "该单位逾期未落实整改,建议对分管负责人进行约谈,并在全区通报。"
		} else {
			o.Text = "建立工作群组“谁建群谁负责”制度,清理重复群组,非工作时间不得发布工作要求。"
		}
		_, err = g.db.Cases().AddOpinion(office, pc.id, o)
	case "close":
		note := map[jianfu.CaseOutcome]string{
			jianfu.OutcomeFixed: "经核查整改到位,予以办结", jianfu.OutcomePartlyFixed: "部分问题已整改,其余纳入长效管理",
			jianfu.OutcomeNotFixed: "责任单位逾期未整改到位,如实办结并提出问责建议", jianfu.OutcomeUnsubstantiated: "经核查反映情况不实",
			jianfu.OutcomeNotResponsible: "不属于本级职责范围,已告知反映人",
		}[jianfu.CaseOutcome(s.arg)]
		_, err = g.db.Cases().CloseCase(office, pc.id, jianfu.Closing{Outcome: jianfu.CaseOutcome(s.arg), Note: note})
	}
	return err
}

// publishTypical publishes a few closed cases as typical cases.
func (g *gen) publishTypical(ctx context.Context, want int) (int, error) {
	sys := jianfu.WithActor(ctx, jianfu.SystemActor("demo"))
	list, _, err := g.db.Cases().FindCases(sys, jianfu.CaseFilter{Status: jianfu.CaseClosed, Page: jianfu.Page{Limit: 200, Sort: "number"}})
	if err != nil {
		return 0, err
	}
	n := 0
	seen := map[string]bool{}
	for _, c := range list {
		if n == want || c.Outcome == jianfu.OutcomeUnsubstantiated || c.Outcome == jianfu.OutcomeNotResponsible || seen[c.Category] {
			continue
		}
		ops, err := g.db.Cases().CaseOpinions(sys, c.ID)
		if err != nil {
			return n, err
		}
		accountable := false
		for _, o := range ops {
			accountable = accountable || o.Kind == jianfu.OpinionAccountability
		}
		if c.CanBecomeTypical(accountable) != nil {
			continue
		}
		seen[c.Category] = true
		draft := c.TypicalDraft(anonymise(redact.Placeholders(c.Description)), accountable)
		if _, err := g.db.Typical().DraftTypical(sys, c.ID, draft); err != nil {
			if jianfu.ErrorCode(err) == jianfu.EINTERNAL {
				return n, err
			}
			continue
		}
		if _, err := g.db.Typical().PublishTypical(sys, c.ID); err != nil {
			if jianfu.ErrorCode(err) == jianfu.EINTERNAL {
				return n, err
			}
			continue
		}
		n++
	}
	return n, nil
}

var (
	quoted  = regexp.MustCompile(`“[^”]*”`)
	demoApp = regexp.MustCompile(`掌上\p{Han}{2}通`)
)

// anonymise replaces the names of channels (in quotes) with what they are.
func anonymise(s string) string {
	s = demoApp.ReplaceAllString(s, "某政务应用")
	return quoted.ReplaceAllStringFunc(s, func(q string) string {
		switch {
		case strings.HasSuffix(q, "群”"):
			return "“某工作群”"
		case strings.HasSuffix(q, "公众号”"):
			return "“某公众号”"
		case strings.HasSuffix(q, "应用”"):
			return "某政务应用"
		}
		return q
	})
}

// addRevealer creates the province account allowed to reveal reporters.
func (g *gen) addRevealer(ctx context.Context) error {
	cac := g.w.find(province.Path, "cac")
	u := &jianfu.User{Username: "sheng.jubao", Name: personName(g.rng), UnitID: cac.ID, Roles: []jianfu.Role{jianfu.RoleReporterAccess}, Phone: "13800009999"}
	if err := g.db.Users().CreateUser(ctx, u, g.opts.Password); err != nil {
		return fmt.Errorf("create user %s: %w", u.Username, err)
	}
	g.revealer = &user{User: *u, unit: cac}
	g.sum.Users++
	g.sum.Logins = append(g.sum.Logins, Login{Username: u.Username, Password: g.opts.Password, Name: u.Name, Roles: u.Roles,
		UnitName: cac.Name, RegionPath: cac.RegionPath, Scope: province.Name + "全省(查阅实名反映人须写明事由)"})
	sort.SliceStable(g.sum.Logins, func(i, j int) bool {
		a, b := g.sum.Logins[i].RegionPath, g.sum.Logins[j].RegionPath
		return len(a) < len(b) || len(a) == len(b) && a < b
	})
	return nil
}
