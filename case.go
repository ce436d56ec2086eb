package jianfu

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// A Case (问题线索/案件) is one problem of "指尖上的形式主义" on its way from
// discovery to an honest end: a clue is triaged, transferred (移送) to the
// unit responsible for the channel, answered, rectified, verified by the
// supervising office and closed with an outcome that says what really
// happened. Complaints from the public and from grassroots staff, Open311
// requests, hotline records and findings of monitoring or spot checks all
// enter the same queue as clues.
//
// Every stage has a deadline in working days (工作日, counted with the
// official holiday calendar including 调休); a case is reminded before its
// deadline, marked overdue after it, and escalated to the office one level
// up when it stays overdue.

// CaseStatus is where a case is in its workflow.
//
//	new → accepted → transferred → answered → rectified → verified → closed
//	new → rejected | merged
//	answered → closed (unsubstantiated, not responsible, not fixed)
//	rectified → answered (verification failed: rectify again)
//	closed | rejected → reopened as accepted | new
type CaseStatus string

const (
	CaseNew         CaseStatus = "new"         // 待分拣: a clue waiting for triage
	CaseAccepted    CaseStatus = "accepted"    // 已受理,待移送
	CaseTransferred CaseStatus = "transferred" // 已移送,待责任单位答复
	CaseAnswered    CaseStatus = "answered"    // 已答复,整改或核实中
	CaseRectified   CaseStatus = "rectified"   // 已整改,待核查
	CaseVerified    CaseStatus = "verified"    // 已核查,待办结
	CaseClosed      CaseStatus = "closed"      // 已办结
	CaseMerged      CaseStatus = "merged"      // 已并案 (a duplicate of another case)
	CaseRejected    CaseStatus = "rejected"    // 不予受理 (with a reason)
)

// CaseStatuses lists the statuses in workflow order.
var CaseStatuses = []CaseStatus{CaseNew, CaseAccepted, CaseTransferred, CaseAnswered, CaseRectified, CaseVerified, CaseClosed, CaseMerged, CaseRejected}

// Valid reports whether s is a known status.
func (s CaseStatus) Valid() bool {
	for _, x := range CaseStatuses {
		if x == s {
			return true
		}
	}
	return false
}

// Open reports whether a case in this status still needs work.
func (s CaseStatus) Open() bool { return s != CaseClosed && s != CaseMerged && s != CaseRejected }

// CaseStatusNames are the Chinese names of the statuses.
var CaseStatusNames = map[CaseStatus]string{
	CaseNew: "待分拣", CaseAccepted: "已受理", CaseTransferred: "已移送", CaseAnswered: "已答复",
	CaseRectified: "已整改", CaseVerified: "已核查", CaseClosed: "已办结", CaseMerged: "已并案", CaseRejected: "不予受理",
}

// CaseStage is a stretch of a case's work that has a deadline.
type CaseStage string

const (
	StageTriage  CaseStage = "triage"  // the office triages and transfers (new, accepted)
	StageAnswer  CaseStage = "answer"  // the unit answers (transferred)
	StageRectify CaseStage = "rectify" // the unit rectifies (answered, substantiated)
	StageVerify  CaseStage = "verify"  // the office verifies and closes
)

// CaseStages lists the stages in order.
var CaseStages = []CaseStage{StageTriage, StageAnswer, StageRectify, StageVerify}

// CaseStageNames are the Chinese names of the stages.
var CaseStageNames = map[CaseStage]string{StageTriage: "分拣移送", StageAnswer: "答复", StageRectify: "整改", StageVerify: "核查办结"}

// UnitStage reports whether the responsible unit (rather than the office)
// owes the work of the stage.
func (s CaseStage) UnitStage() bool { return s == StageAnswer || s == StageRectify }

// CaseSource says where a clue came from (问题发现).
type CaseSource string

const (
	SourceComplaint  CaseSource = "complaint"  // the public complaint page
	SourceStaff      CaseSource = "staff"      // a grassroots cadre reporting from inside
	SourceOpen311    CaseSource = "open311"    // a third-party app over Open311 GeoReport v2
	SourceHotline    CaseSource = "hotline"    // imported from a 12345-style hotline
	SourceMonitoring CaseSource = "monitoring" // burden monitoring of work groups
	SourceSpotCheck  CaseSource = "spotcheck"  // 抽查评估
	SourceTechCheck  CaseSource = "techcheck"  // 技术监测 of channels' pages
	SourceSelfCheck  CaseSource = "selfcheck"  // a unit's self-inspection
	SourceManual     CaseSource = "manual"     // entered by the office
)

// CaseSources lists the sources in display order.
var CaseSources = []CaseSource{SourceComplaint, SourceStaff, SourceOpen311, SourceHotline, SourceMonitoring, SourceSpotCheck, SourceTechCheck, SourceSelfCheck, SourceManual}

// CaseSourceNames are the Chinese names of the sources.
var CaseSourceNames = map[CaseSource]string{
	SourceComplaint: "群众投诉", SourceStaff: "基层反映", SourceOpen311: "Open311 接入", SourceHotline: "热线转办",
	SourceMonitoring: "负担监测", SourceSpotCheck: "抽查评估", SourceTechCheck: "技术监测", SourceSelfCheck: "自查发现", SourceManual: "监管录入",
}

// Valid reports whether s is a known source.
func (s CaseSource) Valid() bool { _, ok := CaseSourceNames[s]; return ok }

// Public reports whether the clue came from a person outside the
// administration (so it has a tracking code and public progress).
func (s CaseSource) Public() bool {
	return s == SourceComplaint || s == SourceStaff || s == SourceOpen311 || s == SourceHotline
}

// CaseFinding is what the responsible unit found when it looked into a case.
type CaseFinding string

const (
	FindingSubstantiated   CaseFinding = "substantiated"   // 属实
	FindingPartly          CaseFinding = "partly"          // 部分属实
	FindingUnsubstantiated CaseFinding = "unsubstantiated" // 不属实
	FindingNotResponsible  CaseFinding = "not_responsible" // 非本单位职责
)

// CaseFindings lists the findings.
var CaseFindings = []CaseFinding{FindingSubstantiated, FindingPartly, FindingUnsubstantiated, FindingNotResponsible}

// CaseFindingNames are the Chinese names of the findings.
var CaseFindingNames = map[CaseFinding]string{
	FindingSubstantiated: "属实", FindingPartly: "部分属实", FindingUnsubstantiated: "不属实", FindingNotResponsible: "非本单位职责",
}

// Valid reports whether f is a known finding.
func (f CaseFinding) Valid() bool { _, ok := CaseFindingNames[f]; return ok }

// NeedsRectification reports whether the unit must rectify after this finding.
func (f CaseFinding) NeedsRectification() bool {
	return f == FindingSubstantiated || f == FindingPartly
}

// CaseOutcome is the honest result a closed case records: closing a case
// does not pretend the problem was fixed.
type CaseOutcome string

const (
	OutcomeFixed           CaseOutcome = "fixed"           // 已整改到位
	OutcomePartlyFixed     CaseOutcome = "partly_fixed"    // 部分整改
	OutcomeNotFixed        CaseOutcome = "not_fixed"       // 未整改(如实办结)
	OutcomeUnsubstantiated CaseOutcome = "unsubstantiated" // 反映不实
	OutcomeNotResponsible  CaseOutcome = "not_responsible" // 非监管职责范围
)

// CaseOutcomes lists the outcomes.
var CaseOutcomes = []CaseOutcome{OutcomeFixed, OutcomePartlyFixed, OutcomeNotFixed, OutcomeUnsubstantiated, OutcomeNotResponsible}

// CaseOutcomeNames are the Chinese names of the outcomes.
var CaseOutcomeNames = map[CaseOutcome]string{
	OutcomeFixed: "已整改到位", OutcomePartlyFixed: "部分整改", OutcomeNotFixed: "未整改", OutcomeUnsubstantiated: "反映不实", OutcomeNotResponsible: "不属于职责范围",
}

// Valid reports whether o is a known outcome.
func (o CaseOutcome) Valid() bool { _, ok := CaseOutcomeNames[o]; return ok }

// NeedsVerification reports whether the outcome claims a rectification,
// which the office must have verified first.
func (o CaseOutcome) NeedsVerification() bool { return o == OutcomeFixed || o == OutcomePartlyFixed }

// OpinionKind is a kind of formal opinion recorded on a case.
type OpinionKind string

const (
	OpinionRectification  OpinionKind = "rectification"  // 整改意见
	OpinionAccountability OpinionKind = "accountability" // 问责建议
)

// OpinionKindNames are the Chinese names of the opinion kinds.
var OpinionKindNames = map[OpinionKind]string{OpinionRectification: "整改意见", OpinionAccountability: "问责建议"}

// Valid reports whether k is a known kind.
func (k OpinionKind) Valid() bool { _, ok := OpinionKindNames[k]; return ok }

// Case is one case as the office and the responsible unit see it.
type Case struct {
	ID                  int64             `json:"id"`
	Number              string            `json:"number"` // public reference, also the Open311 service_request_id
	Source              CaseSource        `json:"source"`
	SourceRef           string            `json:"source_ref,omitempty"`
	Category            string            `json:"category"`             // the primary category
	Categories          []string          `json:"categories"`           // confirmed at triage
	Proposed            []string          `json:"proposed_categories"`  // proposed by the detector
	Description         string            `json:"description"`          // the reporter's words
	ChannelID           int64             `json:"channel_id,omitempty"` // the registered channel, once known
	ChannelName         string            `json:"channel_name,omitempty"`
	ChannelText         string            `json:"channel_text,omitempty"` // the channel as the reporter named it
	ProposedChannelID   int64             `json:"proposed_channel_id,omitempty"`
	ProposedChannelName string            `json:"proposed_channel_name,omitempty"`
	RegionPath          string            `json:"region_path"`
	RegionName          string            `json:"region_name,omitempty"`
	Address             string            `json:"address,omitempty"`
	Lat                 *float64          `json:"lat,omitempty"`
	Lon                 *float64          `json:"long,omitempty"`
	MediaURL            string            `json:"media_url,omitempty"` // Open311: a link the reporter gave (never fetched)
	UnitID              int64             `json:"unit_id,omitempty"`   // the responsible unit, once transferred
	UnitName            string            `json:"unit_name,omitempty"`
	Status              CaseStatus        `json:"status"`
	Finding             CaseFinding       `json:"finding,omitempty"`
	Outcome             CaseOutcome       `json:"outcome,omitempty"`
	Stage               CaseStage         `json:"stage,omitempty"` // the stage the deadline is for; empty when closed
	StageStartedAt      *time.Time        `json:"stage_started_at,omitempty"`
	DueAt               *time.Time        `json:"due_at,omitempty"` // the current stage's deadline
	RemindedAt          *time.Time        `json:"reminded_at,omitempty"`
	OverdueAt           *time.Time        `json:"overdue_at,omitempty"` // when the current stage was marked overdue
	OverdueCount        int               `json:"overdue_count"`        // stages that ran over their deadline
	EscalationLevel     int               `json:"escalation_level"`     // 0: the local office; 1: one level up …
	EscalatedTo         string            `json:"escalated_to,omitempty"`
	EscalatedToName     string            `json:"escalated_to_name,omitempty"`
	Anonymous           bool              `json:"anonymous"`    // the reporter gave no identity
	HasIdentity         bool              `json:"has_identity"` // an encrypted identity is stored
	ReopenCount         int               `json:"reopen_count"`
	MergedInto          int64             `json:"merged_into,omitempty"`
	MergedIntoNumber    string            `json:"merged_into_number,omitempty"`
	Typical             string            `json:"typical,omitempty"` // "", "draft" or "published"
	Attachments         []*AttachmentInfo `json:"attachments,omitempty"`
	CreatedAt           time.Time         `json:"created_at"`
	UpdatedAt           time.Time         `json:"updated_at"`
	ClosedAt            *time.Time        `json:"closed_at,omitempty"`
	// Former is set when the caller's unit was responsible before a
	// re-routing: it may read the case but no longer act on it.
	Former bool `json:"former,omitempty"`
}

// Overdue reports whether the current stage is past its deadline at now.
func (c *Case) Overdue(now time.Time) bool {
	return c.Status.Open() && c.DueAt != nil && !now.Before(*c.DueAt)
}

// CaseEvent is one entry of a case's timeline.
type CaseEvent struct {
	ID         int64      `json:"id"`
	At         time.Time  `json:"at"`
	ActorName  string     `json:"actor"` // a username, "system" or "reporter"
	Action     string     `json:"action"`
	FromStatus CaseStatus `json:"from_status,omitempty"`
	ToStatus   CaseStatus `json:"to_status,omitempty"`
	UnitID     int64      `json:"unit_id,omitempty"` // for transfers: the unit the case went to
	UnitName   string     `json:"unit_name,omitempty"`
	FromUnit   string     `json:"from_unit,omitempty"` // for re-routings: the unit it left
	Note       string     `json:"note,omitempty"`
	// Public events appear on the reporter's tracking page with PublicNote.
	Public     bool   `json:"public"`
	PublicNote string `json:"public_note,omitempty"`
}

// CaseOpinion is a 整改意见 or 问责建议 recorded on a case.
type CaseOpinion struct {
	ID         int64       `json:"id"`
	Kind       OpinionKind `json:"kind"`
	Text       string      `json:"text"`
	Target     string      `json:"target,omitempty"` // for accountability: whom it concerns (a post, not a private person's data)
	ActorName  string      `json:"actor"`
	OfficeName string      `json:"office,omitempty"` // the actor's unit
	At         time.Time   `json:"at"`
}

// Attachment is an image attached to a complaint or to rectification evidence.
type Attachment struct {
	AttachmentInfo
	Data []byte `json:"-"`
}

// AttachmentInfo describes an attachment without its bytes.
type AttachmentInfo struct {
	ID      int64     `json:"id"`
	Kind    string    `json:"kind"` // "complaint" or "evidence"
	Name    string    `json:"name"`
	MIME    string    `json:"mime"`
	Size    int       `json:"size"`
	SHA256  string    `json:"sha256"`
	Created time.Time `json:"created_at"`
}

// ReporterIdentity is who filed a complaint, when the reporter chose to say.
// It is stored only encrypted, and shown only to a role with the explicit
// permission to reveal it, with an audited reason.
type ReporterIdentity struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
	Other string `json:"other,omitempty"` // work unit, post, or how to reach them
}

// Empty reports whether no field is given.
func (r *ReporterIdentity) Empty() bool {
	return r == nil || strings.TrimSpace(r.Name+r.Phone+r.Email+r.Other) == ""
}

// Complaint is a problem reported by a person: from the public page, from a
// cadre inside, over Open311, or from a hotline record.
type Complaint struct {
	Source      CaseSource
	SourceRef   string   // the hotline's record id; makes imports idempotent
	Category    string   // the reporter's choice; "" takes the first proposal
	Proposed    []string // the demand categories the caller's detector found in the words
	ChannelID   int64    // a registered channel the reporter picked
	ChannelText string   // the channel as the reporter named it
	RegionCode  string   // where: a division code
	Address     string
	Lat, Lon    *float64
	MediaURL    string
	Description string
	Attachments []*Attachment
	Identity    *ReporterIdentity // nil or empty: anonymous
	ReceivedAt  time.Time         // for imports: when the hotline took it; zero means now
}

// MaxDescription is the longest description accepted, in characters (the
// Open311 limit).
const MaxDescription = 4000

// Validate checks what a reporter typed.
func (c *Complaint) Validate() error {
	c.Description = strings.TrimSpace(c.Description)
	c.ChannelText = strings.TrimSpace(c.ChannelText)
	c.Address = strings.TrimSpace(c.Address)
	c.Category = strings.TrimSpace(c.Category)
	c.Proposed = Proposals(c.Proposed)
	var probs []Problem
	add := func(field, zh, en string) { probs = append(probs, Problem{Field: field, Message: zh, English: en}) }
	switch n := utf8.RuneCountInString(c.Description); {
	case n == 0:
		add("description", "请描述遇到的问题:在哪个应用、公众号或群里,被要求做什么", "describe the problem: in which app, account or group, and what you were asked to do")
	case n < 8:
		add("description", "描述过短,请至少写8个字,说明具体要求和时间", "the description is too short; write at least 8 characters saying what was demanded and when")
	case n > MaxDescription:
		add("description", "描述过长(最多4000字)", "the description is too long (4,000 characters at most)")
	}
	if c.Category != "" && !ValidCategory(c.Category) {
		add("category", "问题类型无效", "unknown problem category")
	}
	if utf8.RuneCountInString(c.ChannelText) > 100 {
		add("channel", "渠道名称过长(最多100字)", "the channel name is too long (100 characters at most)")
	}
	if utf8.RuneCountInString(c.Address) > 200 {
		add("address", "地址过长(最多200字)", "the address is too long (200 characters at most)")
	}
	if c.RegionCode == "" && c.ChannelID == 0 {
		add("region", "请选择问题发生的地区", "choose the region where it happened")
	}
	if !c.Source.Valid() {
		add("source", "来源无效", "unknown source")
	}
	if len(c.Attachments) > MaxAttachments {
		add("attachments", "最多上传3张图片", "at most 3 images")
	}
	if id := c.Identity; id != nil {
		id.Name, id.Phone, id.Email, id.Other = strings.TrimSpace(id.Name), strings.TrimSpace(id.Phone), strings.TrimSpace(id.Email), strings.TrimSpace(id.Other)
		if utf8.RuneCountInString(id.Name+id.Phone+id.Email+id.Other) > 300 {
			add("contact", "联系方式过长", "the contact details are too long")
		}
		if id.Phone != "" && !looksLikePhone(id.Phone) {
			add("phone", "电话号码格式不正确(手机11位,或带区号的固定电话)", "the phone number is malformed (11-digit mobile, or a landline with area code)")
		}
		if id.Email != "" && (!strings.Contains(id.Email, "@") || strings.ContainsAny(id.Email, " <>")) {
			add("email", "电子邮箱格式不正确", "the email address is malformed")
		}
	}
	return problemsError(probs)
}

func looksLikePhone(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '-' || r == ' ' || r == '+' || r == '(' || r == ')':
		default:
			return false
		}
	}
	return digits >= 7 && digits <= 15
}

// ComplaintReceipt is what a reporter gets back: the case number, the
// secret tracking code (shown once; the store keeps only its digest) and
// when the office will have triaged it.
type ComplaintReceipt struct {
	Number       string    `json:"number"`
	TrackingCode string    `json:"tracking_code"`
	TriageDue    time.Time `json:"triage_due"`
}

// Clue is a problem found by the administration itself: a burden-monitoring
// finding, a spot-check result, a technical check, a self-inspection or an
// entry by the office. Source and SourceRef make it idempotent.
type Clue struct {
	Source      CaseSource `json:"source"`
	SourceRef   string     `json:"source_ref"`
	Category    string     `json:"category"`
	ChannelID   int64      `json:"channel_id"`
	RegionCode  string     `json:"region_code"`
	Description string     `json:"description"`
	// Proposed are the demand categories the caller's detector found (or
	// the finding carries), most salient first; a clue without a Category
	// takes the first.
	Proposed []string `json:"-"`
}

// PublicCase is what anyone may see of a case: its number, its public
// status and public progress. No description, reporter or internal note.
type PublicCase struct {
	Number      string         `json:"number"`
	Category    string         `json:"category"`
	Status      CaseStatus     `json:"status"`
	Outcome     CaseOutcome    `json:"outcome,omitempty"`
	Open        bool           `json:"open"`
	RegionCode  string         `json:"region_code"`
	RegionName  string         `json:"region_name"`
	Address     string         `json:"address,omitempty"`
	Lat         *float64       `json:"lat,omitempty"`
	Lon         *float64       `json:"long,omitempty"`
	UnitName    string         `json:"unit_name,omitempty"`
	Overdue     bool           `json:"overdue"`
	Escalated   bool           `json:"escalated"`
	MergedInto  string         `json:"merged_into,omitempty"`
	RequestedAt time.Time      `json:"requested_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
	ExpectedAt  *time.Time     `json:"expected_at,omitempty"`
	StatusNote  string         `json:"status_note,omitempty"`
	Events      []*PublicEvent `json:"events,omitempty"`
	CanReopen   bool           `json:"can_reopen"`
}

// PublicEvent is one step of public progress.
type PublicEvent struct {
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

// PublicCaseFilter selects public cases (Open311 GET requests).
type PublicCaseFilter struct {
	Numbers  []string
	Category []string
	Status   string // "open" or "closed"
	Since    time.Time
	Until    time.Time
	Limit    int
}

// PublicChannel is a registered channel as the complaint form shows it.
type PublicChannel struct {
	ID         int64       `json:"id"`
	Name       string      `json:"name"`
	Kind       ChannelKind `json:"kind"`
	Platform   string      `json:"platform"`
	UnitName   string      `json:"unit_name"`
	RegionPath string      `json:"region_path"`
}

// CaseFilter selects cases.
type CaseFilter struct {
	Status     CaseStatus
	Open       bool // only cases still open
	Stage      CaseStage
	Category   string
	Source     CaseSource
	UnitID     int64
	RegionPath string
	Overdue    bool // only open cases past their stage's deadline
	DueSoon    bool // only open cases reminded and not yet overdue
	Escalated  bool
	Query      string    // number or description contains
	Now        time.Time // for Overdue; zero means the store's clock
	Page
}

// CaseViews are the named views of the case queue (its tabs), which the
// list page, the ledger export and the command line share: "" is every
// case.
var CaseViews = []string{"", "triage", "open", "soon", "overdue", "escalated", "closed"}

// SetView narrows the filter to a named view of the queue; it reports
// false for an unknown name and leaves the filter as it was.
func (f *CaseFilter) SetView(view string) bool {
	switch view {
	case "":
	case "triage":
		f.Stage = StageTriage
		f.Open = true
	case "open":
		f.Open = true
	case "soon":
		f.DueSoon = true
	case "overdue":
		f.Overdue = true
	case "escalated":
		f.Escalated = true
	case "closed":
		f.Status = CaseClosed
	default:
		return false
	}
	return true
}

// WorkdayCounter counts working days (a calendar.Calendar): the working
// days after the date of a up to and including the date of b.
type WorkdayCounter interface {
	WorkdaysBetween(a, b time.Time) int
}

// LateWorkdays is how many working days the current stage is past its
// deadline at now: 0 when it is not overdue, at least 1 when it is.
func (c *Case) LateWorkdays(cal WorkdayCounter, now time.Time) int {
	if !c.Overdue(now) {
		return 0
	}
	return max(1, cal.WorkdaysBetween(c.DueAt.Add(-24*time.Hour), now))
}

// Triage is the office's first decision on a clue (分拣).
type Triage struct {
	Decision   string   `json:"decision"` // accept, merge or reject
	Categories []string `json:"categories"`
	ChannelID  int64    `json:"channel_id"`
	MergeInto  string   `json:"merge_into"` // the number of the case it duplicates
	Reason     string   `json:"reason"`     // required to reject; shown to the reporter
}

// Transfer is 移送: handing a case to the unit responsible. UnitID 0 means
// the owner of the case's channel. Reason is required when re-routing a
// case already transferred; the old and the new unit both see it.
type Transfer struct {
	UnitID int64  `json:"unit_id"`
	Note   string `json:"note"`
	Reason string `json:"reason"`
}

// CaseAnswer is the responsible unit's reply (答复).
type CaseAnswer struct {
	Finding CaseFinding `json:"finding"`
	Text    string      `json:"text"` // shown to the reporter
}

// CaseRectification reports what the unit changed, with evidence (整改).
type CaseRectification struct {
	Text        string        `json:"text"`
	Attachments []*Attachment `json:"-"`
}

// Verification is the office's check of a rectification (核查).
type Verification struct {
	Passed bool   `json:"passed"`
	Note   string `json:"note"`
}

// Closing ends a case with an honest outcome (办结).
type Closing struct {
	Outcome CaseOutcome `json:"outcome"`
	Note    string      `json:"note"` // shown to the reporter
}

// DeadlinePolicy is how many working days each stage has, for one category
// ("*" is the default for every category without its own), how many
// working days before a deadline the reminder comes, and after how many
// working days overdue a case goes one level up (and again as often).
type DeadlinePolicy struct {
	Category  string    `json:"category"`
	Triage    int       `json:"triage"`
	Answer    int       `json:"answer"`
	Rectify   int       `json:"rectify"`
	Verify    int       `json:"verify"`
	Remind    int       `json:"remind"`
	Escalate  int       `json:"escalate"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by,omitempty"`
}

// DefaultCategory is the category of the default deadline policy.
const DefaultCategory = "*"

// Days returns the working days of a stage.
func (p DeadlinePolicy) Days(s CaseStage) int {
	switch s {
	case StageTriage:
		return p.Triage
	case StageAnswer:
		return p.Answer
	case StageRectify:
		return p.Rectify
	case StageVerify:
		return p.Verify
	}
	return 0
}

// Validate checks the numbers.
func (p *DeadlinePolicy) Validate() error {
	var probs []Problem
	if p.Category != DefaultCategory && !ValidCategory(p.Category) {
		probs = append(probs, Problem{Field: "category", Message: "问题类型无效", English: "unknown category"})
	}
	for _, f := range []struct {
		field string
		v     int
		min   int
	}{{"triage", p.Triage, 1}, {"answer", p.Answer, 1}, {"rectify", p.Rectify, 1}, {"verify", p.Verify, 1}, {"remind", p.Remind, 0}, {"escalate", p.Escalate, 1}} {
		if f.v < f.min || f.v > 60 {
			probs = append(probs, Problem{Field: f.field, Message: "工作日数应为" + itoa(f.min) + "至60之间的整数", English: "working days must be an integer from " + itoa(f.min) + " to 60"})
		}
	}
	return problemsError(probs)
}

// SweepResult says what a deadline sweep did.
type SweepResult struct {
	Checked   int `json:"checked"`
	Reminded  int `json:"reminded"`
	Overdue   int `json:"overdue"`
	Escalated int `json:"escalated"`
}

// OverdueBoard is the overdue picture of the caller's scope: per
// responsible unit and per region one level below the caller's.
type OverdueBoard struct {
	Units     []*OverdueRow `json:"units"`
	Regions   []*OverdueRow `json:"regions"`
	Open      int           `json:"open"`
	Overdue   int           `json:"overdue"`
	DueSoon   int           `json:"due_soon"`
	Escalated int           `json:"escalated"`
}

// OverdueRow is one line of the board.
type OverdueRow struct {
	ID          int64  `json:"id,omitempty"`   // unit id
	Path        string `json:"path,omitempty"` // region path
	Name        string `json:"name"`
	Open        int    `json:"open"`
	Overdue     int    `json:"overdue"`
	Escalated   int    `json:"escalated"`
	MaxWorkdays int    `json:"max_overdue_workdays"` // the longest overdue, in working days
}

// TypicalCase is an anonymised case published as a 典型案例.
type TypicalCase struct {
	CaseID      int64       `json:"-"`
	ID          int64       `json:"id"`
	Title       string      `json:"title"`
	Summary     string      `json:"summary"`
	Lesson      string      `json:"lesson,omitempty"`
	Category    string      `json:"category"`
	Outcome     CaseOutcome `json:"outcome"`
	RegionName  string      `json:"region_name"`
	Status      string      `json:"status"` // draft, published, withdrawn
	DraftedBy   string      `json:"drafted_by,omitempty"`
	PublishedBy string      `json:"published_by,omitempty"`
	PublishedAt *time.Time  `json:"published_at,omitempty"`
	UpdatedAt   time.Time   `json:"updated_at"`
}

// TypicalFilter selects typical cases.
type TypicalFilter struct {
	Category string
	Query    string
	Page
}

// IntakeService takes complaints and clues in (问题发现). Methods that take
// a person's complaint or show public progress work without an actor;
// CreateClue needs one. Changes write their audit entries in the same
// transaction.
type IntakeService interface {
	// SubmitComplaint files a complaint. Anonymous unless Identity is
	// given, in which case it is stored encrypted; without a configured
	// key an identity is refused (EINVALID) and anonymous complaints still
	// work. A hotline record already imported (same SourceRef) answers
	// ECONFLICT.
	SubmitComplaint(ctx context.Context, c *Complaint) (*ComplaintReceipt, error)
	// AcceptsIdentity reports whether a key to encrypt identities is configured.
	AcceptsIdentity() bool
	// TrackCase shows public progress for a tracking code; ENOTFOUND for a
	// wrong code.
	TrackCase(ctx context.Context, code string) (*PublicCase, error)
	// RequestReopen lets the reporter ask to reopen a closed or rejected case.
	RequestReopen(ctx context.Context, code, reason string) error
	// PublicCases lists public-intake cases (Open311 GET requests).
	PublicCases(ctx context.Context, f PublicCaseFilter) ([]*PublicCase, error)
	// ComplaintRegions lists the regions a complaint can name (to county level).
	ComplaintRegions(ctx context.Context) ([]*Region, error)
	// ComplaintChannels searches filed, active channels by name.
	ComplaintChannels(ctx context.Context, query, regionPath string, limit int) ([]*PublicChannel, error)
	// CreateClue adds a clue found by the administration; the same
	// Source and SourceRef twice returns the existing case.
	CreateClue(ctx context.Context, c *Clue) (*Case, bool, error)
}

// CaseService is the case workflow (案例移送、责任协同): reading cases and
// moving them through triage, transfer, answer, rectification,
// verification and closing. Every method reads the actor from the
// context, sees only cases in its scope (region-wide roles: the region
// subtree; unit administrators: cases transferred to their unit subtree,
// now or before a re-routing) and answers ENOTFOUND for the rest. Changes
// write their audit entries in the same transaction.
type CaseService interface {
	FindCaseByID(ctx context.Context, id int64) (*Case, error)
	FindCases(ctx context.Context, f CaseFilter) ([]*Case, int, error)
	// ExportCases calls fn for every case FindCases would list under the
	// filter (its page is ignored), newest first: the ledger (台账) of
	// the caller's scope. Each case carries no more than the case list
	// shows — the description redacted (Redact), no address, coordinates
	// or media link, nothing of the reporter — and the export is audited
	// once ("case.export") with its count and filter.
	ExportCases(ctx context.Context, f CaseFilter, fn func(*Case) error) (int, error)
	CaseEvents(ctx context.Context, id int64) ([]*CaseEvent, error)
	CaseOpinions(ctx context.Context, id int64) ([]*CaseOpinion, error)
	CaseAttachment(ctx context.Context, caseID, attachmentID int64) (*Attachment, error)

	TriageCase(ctx context.Context, id int64, t Triage) (*Case, error)
	TransferCase(ctx context.Context, id int64, t Transfer) (*Case, error)
	AnswerCase(ctx context.Context, id int64, a CaseAnswer) (*Case, error)
	RectifyCase(ctx context.Context, id int64, r CaseRectification) (*Case, error)
	VerifyCase(ctx context.Context, id int64, v Verification) (*Case, error)
	CloseCase(ctx context.Context, id int64, c Closing) (*Case, error)
	ReopenCase(ctx context.Context, id int64, reason string) (*Case, error)
	AddOpinion(ctx context.Context, id int64, o CaseOpinion) (*CaseOpinion, error)
	// RevealReporter decrypts a reporter's identity. It needs the
	// reporter_access role and a reason, and writes an audit entry.
	RevealReporter(ctx context.Context, id int64, reason string) (*ReporterIdentity, error)
}

// DeadlineService keeps the working-day deadlines of cases: reminders,
// overdue marks, escalation (提级督办) and the per-stage policy.
type DeadlineService interface {
	// SweepDeadlines reminds, marks overdue and escalates the open cases
	// in scope as of now. The server runs it periodically; it is
	// idempotent.
	SweepDeadlines(ctx context.Context, now time.Time) (*SweepResult, error)
	OverdueBoard(ctx context.Context) (*OverdueBoard, error)
	CaseDeadlines(ctx context.Context) ([]*DeadlinePolicy, error)
	SetCaseDeadlines(ctx context.Context, p *DeadlinePolicy) error
}

// TypicalService publishes anonymised typical cases (典型案例).
type TypicalService interface {
	// DraftTypical saves an anonymised draft of a closed case as a
	// typical case; PublishTypical (by another supervisor) makes it public.
	DraftTypical(ctx context.Context, id int64, t TypicalCase) (*TypicalCase, error)
	PublishTypical(ctx context.Context, id int64) (*TypicalCase, error)
	WithdrawTypical(ctx context.Context, id int64, reason string) error
	TypicalOfCase(ctx context.Context, id int64) (*TypicalCase, error)
	// FindTypicalCases lists published typical cases; no actor needed.
	FindTypicalCases(ctx context.Context, f TypicalFilter) ([]*TypicalCase, int, error)
	FindTypicalCase(ctx context.Context, id int64) (*TypicalCase, error)
}
