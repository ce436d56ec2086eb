package jianfu

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// The workflow's rules: which action each status allows, what each action
// changes, and what the timeline and the reporter are told. The store
// loads the case, finds what an action names (a channel, a unit, the case
// a duplicate goes into), calls these and writes the result.

// CaseStep is the setting of one action on a case: when it happens, the
// working-day calendar, and how a stage starts. Start is the store's: the
// deadline policies are stored, so it reads the policy of the case's
// category and calls Case.SetStage (the empty stage ends the deadlines).
type CaseStep struct {
	Now      time.Time
	Calendar WorkdayCounter
	Start    func(CaseStage) error
}

// CaseChange is what an action did to a case: the entries it adds to the
// timeline, in order, and a short English summary for the audit log.
type CaseChange struct {
	Events []CaseEvent
	Detail string
}

func changed(detail string, events ...CaseEvent) CaseChange {
	return CaseChange{Events: events, Detail: detail}
}

// CaseAction names one action of the workflow, for asking which ones the
// case allows now (Allows): the case page offers only those forms.
type CaseAction string

// The actions of the workflow.
const (
	CaseActTriage   CaseAction = "triage"   // 受理
	CaseActTransfer CaseAction = "transfer" // 移送
	CaseActReroute  CaseAction = "reroute"  // 改派
	CaseActAnswer   CaseAction = "answer"   // 答复
	CaseActRectify  CaseAction = "rectify"  // 整改
	CaseActVerify   CaseAction = "verify"   // 核查
	CaseActClose    CaseAction = "close"    // 办结
	CaseActReopen   CaseAction = "reopen"   // 重新办理
	CaseActOpinion  CaseAction = "opinion"  // 整改意见、问责建议
)

// Allows reports whether the case's status (and stage) allows the action
// now; the methods below check the same, with what the action names.
// Closing is allowed when some outcome is (CloseOutcomes).
func (c *Case) Allows(a CaseAction) bool {
	switch a {
	case CaseActTriage, CaseActTransfer:
		return c.Status == CaseNew || c.Status == CaseAccepted
	case CaseActReroute:
		return c.Status == CaseTransferred || c.Status == CaseAnswered
	case CaseActAnswer:
		return c.Status == CaseTransferred
	case CaseActRectify:
		return c.Status == CaseAnswered && c.Stage == StageRectify
	case CaseActVerify:
		return c.Status == CaseRectified
	case CaseActClose:
		return len(c.CloseOutcomes()) > 0
	case CaseActReopen:
		return c.Status == CaseClosed || c.Status == CaseRejected
	case CaseActOpinion:
		return c.Status != CaseMerged
	}
	return false
}

// wrongStatus is the error of an action the case's status does not allow.
func (c *Case) wrongStatus(zh, en string) error {
	return Errorf(ECONFLICT, "该线索当前为“%[1]s”,%[2]s", "the case is %[3]s: %[4]s", CaseStatusNames[c.Status], zh, string(c.Status), en)
}

// checkLength checks that a text, trimmed, has min to max characters;
// the error names the field (label in Chinese).
func checkLength(field, label string, s string, min, max int) error {
	if n := utf8.RuneCountInString(strings.TrimSpace(s)); n < min || n > max {
		zh, en := fmt.Sprintf("%s应为%d至%d字", label, min, max), fmt.Sprintf("%s needs %d to %d characters", field, min, max)
		return &Error{Code: EINVALID, Message: zh, English: en, Problems: []Problem{{Field: field, Message: zh, English: en}}}
	}
	return nil
}

// sentence ends a text with one full stop, replacing a trailing stop, comma
// or semicolon (full- or half-width); one ending in ! or ? (either width)
// keeps it.
func sentence(s string) string {
	s = strings.TrimRight(strings.TrimSpace(s), "。.;；,，、 ")
	if s == "" {
		return ""
	}
	if strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "！") || strings.HasSuffix(s, "？") {
		return s
	}
	return s + "。"
}

// noteSuffix appends an optional note to a timeline text as its own
// sentence.
func noteSuffix(note string) string {
	if note == "" {
		return ""
	}
	return "。" + note
}

// Triage is the office's first decision on a clue (受理).
type Triage struct {
	Decision   string   `json:"decision"` // accept, merge or reject
	Categories []string `json:"categories"`
	ChannelID  int64    `json:"channel_id"`
	MergeInto  string   `json:"merge_into"` // the number of the case it duplicates
	Reason     string   `json:"reason"`     // required to reject; shown to the reporter
}

// The decisions of a triage.
const (
	TriageAccept = "accept" // 受理
	TriageMerge  = "merge"  // 并案: a duplicate of another case
	TriageReject = "reject" // 不予受理, with a reason
)

// TriageLookup finds, in the actor's scope, what a triage names: a
// registered channel the case concerns, and the case it duplicates. ok is
// false for one that is missing or out of scope.
type TriageLookup interface {
	ChannelName(id int64) (name string, ok bool)
	CaseByNumber(number string) (id int64, status CaseStatus, ok bool)
}

// Triage decides on a new (or accepted, not yet transferred) clue. Accept
// confirms its categories — those given, else its category and the
// proposals — and its channel — the one given, else the proposed one;
// merge ends it as a duplicate of an open or closed case; reject ends it
// with a reason the reporter reads.
func (c *Case) Triage(t Triage, look TriageLookup, step CaseStep) (CaseChange, error) {
	if !c.Allows(CaseActTriage) {
		return CaseChange{}, c.wrongStatus("不能再作受理决定", "it cannot be triaged now")
	}
	from := c.Status
	switch t.Decision {
	case TriageAccept:
		given := t.Categories
		if len(given) == 0 {
			given = append([]string{c.Category}, c.Proposed...)
		}
		seen := map[string]bool{}
		cats := []string{}
		for _, x := range given {
			if !ValidCategory(x) {
				return CaseChange{}, Errorf(EINVALID, "问题类型“%s”无效", "unknown category %q", x)
			}
			if !seen[x] {
				seen[x] = true
				cats = append(cats, x)
			}
		}
		c.Categories, c.Category = cats, cats[0]
		if t.ChannelID != 0 && t.ChannelID != c.ChannelID {
			name, ok := look.ChannelName(t.ChannelID)
			if !ok {
				return CaseChange{}, Errorf(EINVALID, "渠道(编号%d)不存在或不在您的管辖范围内", "channel %d does not exist or is outside your scope", t.ChannelID)
			}
			c.ChannelID, c.ChannelName = t.ChannelID, name
		} else if c.ChannelID == 0 && c.ProposedChannelID != 0 && t.ChannelID == 0 {
			c.ChannelID, c.ChannelName = c.ProposedChannelID, c.ProposedChannelName
		}
		c.Status = CaseAccepted
		note := "受理,问题类型:" + CategoryLabels(c.Categories)
		if c.ChannelName != "" {
			note += ";涉及渠道:" + c.ChannelName
		}
		if reason := strings.TrimSpace(t.Reason); reason != "" {
			note += ";" + reason
		}
		return changed("受理", CaseEvent{Action: "accepted", FromStatus: from, ToStatus: c.Status, Note: note, Public: from == CaseNew, PublicNote: "已受理,正在核实责任单位"}), nil
	case TriageMerge:
		target := strings.TrimSpace(t.MergeInto)
		if target == "" {
			return CaseChange{}, Errorf(EINVALID, "请填写与之重复的线索编号", "give the number of the case it duplicates")
		}
		tid, tstatus, ok := look.CaseByNumber(target)
		if !ok {
			return CaseChange{}, Errorf(EINVALID, "线索%s不存在或不在您的管辖范围内", "case %s does not exist or is outside your scope", target)
		}
		if tid == c.ID || tstatus == CaseMerged || tstatus == CaseRejected {
			return CaseChange{}, Errorf(EINVALID, "不能并入线索%s(本身、已并案或不予受理的线索)", "cannot merge into %s (itself, merged or rejected)", target)
		}
		c.Status, c.MergedInto, c.MergedIntoNumber = CaseMerged, tid, target
		if err := step.Start(""); err != nil {
			return CaseChange{}, err
		}
		return changed("并入"+target, CaseEvent{Action: "merged", FromStatus: from, ToStatus: c.Status, Note: "与" + target + "重复,并案办理",
			Public: true, PublicNote: "与已受理的" + target + "反映的是同一问题,已并案办理,请关注该编号的办理进展"}), nil
	case TriageReject:
		if err := checkLength("reason", "不予受理的理由", t.Reason, 4, 1000); err != nil {
			return CaseChange{}, err
		}
		c.Status = CaseRejected
		if err := step.Start(""); err != nil {
			return CaseChange{}, err
		}
		now := step.Now
		c.ClosedAt = &now
		reason := strings.TrimSpace(t.Reason)
		return changed("不予受理", CaseEvent{Action: "rejected", FromStatus: from, ToStatus: c.Status, Note: reason, Public: true, PublicNote: "不予受理:" + reason}), nil
	}
	return CaseChange{}, Errorf(EINVALID, "受理决定应为 accept(受理)、merge(并案)或 reject(不予受理)", "the decision is accept, merge or reject")
}

// Transfer is 移送: handing a case to the unit responsible. UnitID 0 means
// the owner of the case's channel. Reason is required when re-routing a
// case already transferred; the old and the new unit both see it.
type Transfer struct {
	UnitID int64  `json:"unit_id"`
	Note   string `json:"note"`
	Reason string `json:"reason"`
}

// CheckTransfer reports whether the case can be transferred now, and
// whether the transfer re-routes it (改派) from the unit it is with, which
// needs a reason of 4 to 1,000 characters.
func (c *Case) CheckTransfer(t Transfer) (reroute bool, err error) {
	switch {
	case c.Allows(CaseActTransfer):
		return false, nil
	case c.Allows(CaseActReroute):
		return true, checkLength("reason", "改派理由", t.Reason, 4, 1000)
	}
	return false, c.wrongStatus("不能移送", "it cannot be transferred now")
}

// OwnerChannel is the registered channel whose owner a transfer naming no
// unit goes to: the case's channel, else the proposed one.
func (c *Case) OwnerChannel() (int64, error) {
	if c.ChannelID != 0 {
		return c.ChannelID, nil
	}
	if c.ProposedChannelID != 0 {
		return c.ProposedChannelID, nil
	}
	return 0, Errorf(EINVALID, "该线索未关联已登记的渠道,请选择责任单位", "the case names no registered channel; choose the responsible unit")
}

// Transfer hands the case to unit u, which the store found in the actor's
// scope: the unit named, or the owner of OwnerChannel (whose channel the
// case then concerns). A new clue is accepted on the way. The case moves
// to u's region and the answer stage starts; the reporter reads to whom it
// went and by when it answers.
func (c *Case) Transfer(t Transfer, u *Unit, step CaseStep) (CaseChange, error) {
	reroute, err := c.CheckTransfer(t)
	if err != nil {
		return CaseChange{}, err
	}
	if u.Disabled {
		return CaseChange{}, Errorf(EINVALID, "单位“%s”已停用,不能接收移送", "unit %s is disabled and cannot receive cases", u.Name)
	}
	if reroute && u.ID == c.UnitID {
		return CaseChange{}, Errorf(EINVALID, "该线索已在“%s”办理,请选择另一个单位", "the case is with %s already; choose another unit", u.Name)
	}
	if t.UnitID == 0 && c.ChannelID == 0 {
		c.ChannelID, c.ChannelName = c.ProposedChannelID, c.ProposedChannelName
	}
	from, oldUnit := c.Status, c.UnitName
	var events []CaseEvent
	if from == CaseNew {
		events = append(events, CaseEvent{Action: "accepted", FromStatus: from, ToStatus: CaseAccepted, Note: "受理", Public: true, PublicNote: "已受理"})
		if len(c.Categories) == 0 {
			c.Categories = []string{c.Category}
		}
	}
	c.UnitID, c.UnitName, c.RegionPath = u.ID, u.Name, u.RegionPath
	c.Status, c.Finding = CaseTransferred, ""
	if err := step.Start(StageAnswer); err != nil {
		return CaseChange{}, err
	}
	note := strings.TrimSpace(t.Note)
	if reroute {
		reason := strings.TrimSpace(t.Reason)
		return changed("改派:"+oldUnit+" → "+u.Name+":"+reason, append(events, CaseEvent{Action: "rerouted", FromStatus: from, ToStatus: c.Status,
			UnitID: u.ID, FromUnit: oldUnit, Note: "改由" + u.Name + "办理。改派理由:" + reason + noteSuffix(note),
			Public: true, PublicNote: fmt.Sprintf("已改由%s办理,答复时限%s", u.Name, DueText(*c.DueAt))})...), nil
	}
	return changed("移送 → "+u.Name, append(events, CaseEvent{Action: "transferred", FromStatus: CaseAccepted, ToStatus: c.Status,
		UnitID: u.ID, Note: "移送" + u.Name + "办理" + noteSuffix(note),
		Public: true, PublicNote: fmt.Sprintf("已移送%s办理,答复时限%s", u.Name, DueText(*c.DueAt))})...), nil
}

// CaseAnswer is the responsible unit's reply (答复).
type CaseAnswer struct {
	Finding CaseFinding `json:"finding"`
	Text    string      `json:"text"` // shown to the reporter
}

// Answer records the unit's answer to a transferred case: its finding and
// a text of 10 to 4,000 characters the reporter reads. A substantiated
// finding starts rectification; any other goes to the office to verify.
func (c *Case) Answer(ans CaseAnswer, step CaseStep) (CaseChange, error) {
	if !c.Allows(CaseActAnswer) {
		return CaseChange{}, c.wrongStatus("不需要答复", "it needs no answer now")
	}
	if !ans.Finding.Valid() {
		return CaseChange{}, Errorf(EINVALID, "请选择核实结果:属实、部分属实、不属实或非本单位职责", "choose the finding: substantiated, partly, unsubstantiated or not responsible")
	}
	if err := checkLength("text", "答复内容", ans.Text, 10, 4000); err != nil {
		return CaseChange{}, err
	}
	late := c.lateness(step.Calendar, step.Now)
	c.Status, c.Finding = CaseAnswered, ans.Finding
	next := StageVerify
	if ans.Finding.NeedsRectification() {
		next = StageRectify
	}
	if err := step.Start(next); err != nil {
		return CaseChange{}, err
	}
	text := strings.TrimSpace(ans.Text)
	pub := fmt.Sprintf("%s答复(核实结果:%s):%s", c.UnitName, CaseFindingNames[ans.Finding], sentence(text))
	if next == StageRectify {
		pub += fmt.Sprintf("整改时限%s。", DueText(*c.DueAt))
	}
	return changed("答复("+CaseFindingNames[ans.Finding]+")"+late, CaseEvent{Action: "answered", FromStatus: CaseTransferred, ToStatus: c.Status,
		Note: "答复" + late + "(" + CaseFindingNames[ans.Finding] + "):" + text, Public: true, PublicNote: pub}), nil
}

// CaseRectification reports what the unit changed, with evidence (整改).
type CaseRectification struct {
	Text        string        `json:"text"`
	Attachments []*Attachment `json:"-"`
}

// Validate checks a rectification report: a text of 10 to 4,000
// characters and at most MaxAttachments images, each checked and
// stripped (CheckAttachments).
func (r *CaseRectification) Validate() error {
	if err := checkLength("text", "整改情况", r.Text, 10, 4000); err != nil {
		return err
	}
	if len(r.Attachments) > MaxAttachments {
		return Errorf(EINVALID, "最多上传3张图片", "at most 3 images")
	}
	return CheckAttachments(r.Attachments)
}

// Rectify records the unit's validated rectification of a case in its
// rectification stage; the office verifies it next.
func (c *Case) Rectify(r CaseRectification, step CaseStep) (CaseChange, error) {
	if !c.Allows(CaseActRectify) {
		return CaseChange{}, c.wrongStatus("不在整改阶段", "it is not being rectified")
	}
	late := c.lateness(step.Calendar, step.Now)
	c.Status = CaseRectified
	if err := step.Start(StageVerify); err != nil {
		return CaseChange{}, err
	}
	evidence := ""
	if n := len(r.Attachments); n > 0 {
		evidence = fmt.Sprintf("(附佐证图片%d张)", n)
	}
	return changed("报送整改情况"+late, CaseEvent{Action: "rectified", FromStatus: CaseAnswered, ToStatus: c.Status,
		Note: "整改情况" + late + evidence + ":" + strings.TrimSpace(r.Text), Public: true, PublicNote: "责任单位报告已完成整改,待网信部门核查"}), nil
}

// Verification is the office's check of a rectification (核查).
type Verification struct {
	Passed bool   `json:"passed"`
	Note   string `json:"note"`
}

// Verify records the office's check of a rectification: passed, or back
// to the unit to rectify again with the reason (4 to 2,000 characters)
// and a new deadline.
func (c *Case) Verify(v Verification, step CaseStep) (CaseChange, error) {
	if !c.Allows(CaseActVerify) {
		return CaseChange{}, c.wrongStatus("没有待核查的整改", "there is no rectification to verify")
	}
	note := strings.TrimSpace(v.Note)
	if v.Passed {
		c.Status = CaseVerified
		return changed("核查通过", CaseEvent{Action: "verified", FromStatus: CaseRectified, ToStatus: c.Status,
			Note: "核查通过" + noteSuffix(note), Public: true, PublicNote: "整改情况已经网信部门核查"}), nil
	}
	if err := checkLength("note", "未通过核查的原因", note, 4, 2000); err != nil {
		return CaseChange{}, err
	}
	c.Status = CaseAnswered
	if err := step.Start(StageRectify); err != nil {
		return CaseChange{}, err
	}
	return changed("核查未通过", CaseEvent{Action: "verify_failed", FromStatus: CaseRectified, ToStatus: c.Status,
		Note: "核查未通过,退回重新整改:" + note, Public: true, PublicNote: fmt.Sprintf("整改未通过核查(%s),已退回责任单位重新整改,时限%s", strings.TrimRight(note, "。. "), DueText(*c.DueAt))}), nil
}

// Closing ends a case with an honest outcome (办结).
type Closing struct {
	Outcome CaseOutcome `json:"outcome"`
	Note    string      `json:"note"` // shown to the reporter
}

// Close ends the case with its honest outcome (办结) and a note of 4 to
// 2,000 characters the reporter reads. A rectification can be called done
// (fixed, partly fixed) only once verified; "not fixed" can be recorded
// from the transfer on; the other outcomes once the unit has answered.
func (c *Case) Close(cl Closing, step CaseStep) (CaseChange, error) {
	if err := c.closableWith(cl.Outcome); err != nil {
		return CaseChange{}, err
	}
	if err := checkLength("note", "办结说明", cl.Note, 4, 2000); err != nil {
		return CaseChange{}, err
	}
	from := c.Status
	c.Status, c.Outcome = CaseClosed, cl.Outcome
	if err := step.Start(""); err != nil {
		return CaseChange{}, err
	}
	now := step.Now
	c.ClosedAt = &now
	note := strings.TrimSpace(cl.Note)
	return changed("办结:"+CaseOutcomeNames[cl.Outcome], CaseEvent{Action: "closed", FromStatus: from, ToStatus: c.Status,
		Note: "办结(" + CaseOutcomeNames[cl.Outcome] + "):" + note, Public: true, PublicNote: "已办结,结果:" + CaseOutcomeNames[cl.Outcome] + "。" + sentence(note)}), nil
}

// closableWith checks the case can be closed now with outcome o, as Close
// says.
func (c *Case) closableWith(o CaseOutcome) error {
	if !o.Valid() {
		return Errorf(EINVALID, "请选择办结结果:已整改到位、部分整改、未整改、反映不实或不属于职责范围", "choose the outcome: fixed, partly_fixed, not_fixed, unsubstantiated or not_responsible")
	}
	switch {
	case o.NeedsVerification() && c.Status != CaseVerified:
		return Errorf(ECONFLICT, "“%s”须在整改经核查通过后才能办结;如未整改到位,请如实选择“未整改”", "%s needs a verified rectification first; if it was not fixed, say so with not_fixed", CaseOutcomeNames[o])
	case o == OutcomeNotFixed:
		if c.Status != CaseTransferred && c.Status != CaseAnswered && c.Status != CaseRectified && c.Status != CaseVerified {
			return c.wrongStatus("不能办结", "it cannot be closed now")
		}
	case !o.NeedsVerification():
		if c.Status != CaseAnswered && c.Status != CaseRectified && c.Status != CaseVerified {
			return c.wrongStatus("须在责任单位答复后办结", "it can be closed once the unit has answered")
		}
	}
	return nil
}

// CloseOutcomes lists the outcomes the case can be closed with now, in
// the order of CaseOutcomes; none when it cannot be closed.
func (c *Case) CloseOutcomes() []CaseOutcome {
	var out []CaseOutcome
	for _, o := range CaseOutcomes {
		if c.closableWith(o) == nil {
			out = append(out, o)
		}
	}
	return out
}

// Reopen reopens a closed or rejected case at the office's decision, with
// a reason of 4 to 1,000 characters the reporter reads.
func (c *Case) Reopen(reason string, step CaseStep) (CaseChange, error) {
	if err := checkLength("reason", "重新办理的理由", reason, 4, 1000); err != nil {
		return CaseChange{}, err
	}
	if !c.Allows(CaseActReopen) {
		return CaseChange{}, c.wrongStatus("无需重新办理", "there is nothing to reopen")
	}
	ev, err := c.reopen("", strings.TrimSpace(reason), step)
	return changed("重新办理", ev), err
}

// ReopenAtRequest reopens the case at its reporter's request, with a
// reason checked by ReopenRequestReason, as CanReporterReopen allows.
func (c *Case) ReopenAtRequest(reason string, step CaseStep) (CaseChange, error) {
	if err := c.CanReporterReopen(); err != nil {
		return CaseChange{}, err
	}
	c.ReporterReopens++
	ev, err := c.reopen("reporter", reason, step)
	return changed("反映人申请重新办理", ev), err
}

// reopen moves a closed case back to the office (accepted) and a rejected
// one back to triage (new), by the reporter ("reporter") or the office
// (""), and starts triage again.
func (c *Case) reopen(by, reason string, step CaseStep) (CaseEvent, error) {
	from := c.Status
	if from == CaseRejected {
		c.Status = CaseNew
	} else {
		c.Status = CaseAccepted
	}
	c.Outcome, c.ClosedAt = "", nil
	c.ReopenCount++
	if err := step.Start(StageTriage); err != nil {
		return CaseEvent{}, err
	}
	who := "网信部门决定重新办理"
	if by == "reporter" {
		who = "反映人申请重新办理"
	}
	return CaseEvent{Action: "reopened", ActorName: by, FromStatus: from, ToStatus: c.Status,
		Note: who + ":" + reason, Public: true, PublicNote: who + ":" + reason}, nil
}

// Validate tidies and checks an opinion: a known kind, a text of 10 to
// 4,000 characters and a target of at most 200.
func (o *CaseOpinion) Validate() error {
	if !o.Kind.Valid() {
		return Errorf(EINVALID, "意见类型应为 rectification(整改意见)或 accountability(问责建议)", "the kind is rectification or accountability")
	}
	if err := checkLength("text", OpinionKindNames[o.Kind], o.Text, 10, 4000); err != nil {
		return err
	}
	o.Text, o.Target = strings.TrimSpace(o.Text), strings.TrimSpace(o.Target)
	if utf8.RuneCountInString(o.Target) > 200 {
		return Errorf(EINVALID, "问责对象过长(最多200字)", "the target is too long (200 characters at most)")
	}
	return nil
}

// AddOpinion records a validated opinion of actor a on the case at now:
// on any case but a merged one, whose opinions belong to the case it went
// into.
func (c *Case) AddOpinion(o *CaseOpinion, a *Actor, now time.Time) (CaseChange, error) {
	if !c.Allows(CaseActOpinion) {
		return CaseChange{}, c.wrongStatus("请在并入的线索上记录意见", "record opinions on the case it was merged into")
	}
	o.ActorName, o.OfficeName, o.At = a.Username, a.UnitName, now
	return changed(OpinionKindNames[o.Kind], CaseEvent{Action: "opinion", Note: "提出" + OpinionKindNames[o.Kind]}), nil
}
