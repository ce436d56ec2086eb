package jianfu

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"
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
	CaseNew         CaseStatus = "new"         // 待受理: a clue waiting for triage
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
	CaseNew: "待受理", CaseAccepted: "已受理", CaseTransferred: "已移送", CaseAnswered: "已答复",
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
var CaseStageNames = map[CaseStage]string{StageTriage: "受理交办", StageAnswer: "答复", StageRectify: "整改", StageVerify: "核查办结"}

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
	SourceMedia      CaseSource = "media"      // a news report the monitor found in a configured feed
)

// CaseSources lists the sources in display order.
var CaseSources = []CaseSource{SourceComplaint, SourceStaff, SourceOpen311, SourceHotline, SourceMonitoring, SourceSpotCheck, SourceTechCheck, SourceSelfCheck, SourceMedia, SourceManual}

// CaseSourceNames are the Chinese names of the sources.
var CaseSourceNames = map[CaseSource]string{
	SourceComplaint: "群众投诉", SourceStaff: "基层反映", SourceOpen311: "第三方平台接入", SourceHotline: "热线转办",
	SourceMonitoring: "负担监测", SourceSpotCheck: "抽查评估", SourceTechCheck: "技术监测", SourceSelfCheck: "自查发现", SourceMedia: "媒体报道", SourceManual: "监管录入",
}

// Valid reports whether s is a known source.
func (s CaseSource) Valid() bool { _, ok := CaseSourceNames[s]; return ok }

// Public reports whether the clue came from a person outside the
// administration (so it has a tracking code and public progress).
func (s CaseSource) Public() bool {
	return s == SourceComplaint || s == SourceStaff || s == SourceOpen311 || s == SourceHotline
}

// FiledByMachine reports whether complaints from this source are filed by
// a machine — an Open311 application, a hotline import — which the
// timeline and the audit log name. A person's complaint is only ever from
// "reporter": no account, no address.
func (s CaseSource) FiledByMachine() bool { return s == SourceOpen311 || s == SourceHotline }

// Submitter is how the timeline names who filed a complaint from this
// source through actor a: the machine's account, else "reporter".
func (s CaseSource) Submitter(a *Actor) string {
	if a != nil && s.FiledByMachine() {
		return a.Username
	}
	return "reporter"
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
	// StageEscalations counts the escalations of the current stage, so
	// a sweep escalates once for every Escalate working days overdue.
	StageEscalations int `json:"-"`
	// ReporterReopens counts the reopenings the reporter asked for
	// (MaxReporterReopens at most).
	ReporterReopens int `json:"-"`
}

// CaseNumber is the public reference of case id received at at: JF, the
// year (China time) and the id, "JF2026-000123".
func CaseNumber(at time.Time, id int64) string {
	return fmt.Sprintf("JF%d-%06d", at.In(China).Year(), id)
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
	// ReceivedSince and ReceivedBefore select cases received in a window
	// (a month's report); zero means open-ended.
	ReceivedSince, ReceivedBefore time.Time
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

// Describe writes the set fields of the filter, for the audit log of an
// export: "status=closed category=chain overdue", or "all".
func (f CaseFilter) Describe() string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+":"+v)
		}
	}
	flag := func(k string, on bool) {
		if on {
			parts = append(parts, k)
		}
	}
	if f.Status != "" {
		add("状态", cmp.Or(CaseStatusNames[f.Status], string(f.Status)))
	}
	if f.Stage != "" {
		add("阶段", cmp.Or(CaseStageNames[f.Stage], string(f.Stage)))
	}
	add("问题类型", f.Category)
	if f.Source != "" {
		add("来源", cmp.Or(CaseSourceNames[f.Source], string(f.Source)))
	}
	flag("指定单位", f.UnitID != 0)
	add("地区", f.RegionPath)
	flag("办理中", f.Open)
	flag("已超期", f.Overdue)
	flag("即将到期", f.DueSoon)
	flag("提级督办", f.Escalated)
	if q := strings.TrimSpace(f.Query); q != "" {
		add("关键词", "“"+q+"”")
	}
	if len(parts) == 0 {
		return "全部"
	}
	return strings.Join(parts, ",")
}

// Ledger keeps of the case what may leave the people handling it (the
// 台账 goes to the office above): the description and the channel as the
// reporter named it are redacted (by redact, the personal-data rule); the address, coordinates and media link
// (which can point at a person) and whether an identity is stored are
// dropped. It changes c and returns it.
func (c *Case) Ledger(redact func(string) string) *Case {
	c.Description = redact(c.Description)
	c.ChannelText = redact(c.ChannelText)
	c.Address, c.Lat, c.Lon, c.MediaURL = "", nil, nil, ""
	c.HasIdentity = false
	return c
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
	// HandlingOffice names the office handling the case: the unit of the
	// official who last raised, accepted, transferred, re-routed, verified,
	// reopened or closed it; "" before any official has.
	HandlingOffice(ctx context.Context, id int64) (string, error)
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
