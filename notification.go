package jianfu

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"
)

// NotificationKind is what a notification (站内通知) tells of.
type NotificationKind string

const (
	NoteCaseTransferred NotificationKind = "case.transferred" // a case was transferred (移送) to the unit
	NoteCaseOverdue     NotificationKind = "case.overdue"     // a stage of a case ran past its deadline
	NoteCaseEscalated   NotificationKind = "case.escalated"   // a case was escalated (提级督办)
	NoteCaseReturned    NotificationKind = "case.returned"    // a rectification failed its check: rectify again
	NoteCaseReopened    NotificationKind = "case.reopened"    // a closed case was reopened
	NoteFilingSubmitted NotificationKind = "filing.submitted" // a channel was submitted for filing (备案)
	NoteFilingReturned  NotificationKind = "filing.returned"  // a filing was returned to the unit
	NoteFilingApproved  NotificationKind = "filing.approved"  // a filing was approved with its number
	NoteExitOrdered     NotificationKind = "exit.ordered"     // an exit order (退出通知) was issued
	NoteExitAppealed    NotificationKind = "exit.appealed"    // a unit appealed an exit order
	NoteAppealDecided   NotificationKind = "exit.decided"     // the office decided an appeal
	NoteSecurityEvent   NotificationKind = "security.event"   // a reporter's identity was revealed, or a reveal refused
	NoteCaseReminder    NotificationKind = "case.reminder"    // a stage's deadline is near (办理时限提醒)
	NoteFormAssigned    NotificationKind = "form.assigned"    // spot-check forms were assigned to an inspector
	NoteTypicalPending  NotificationKind = "typical.pending"  // a typical case was drafted and awaits publication
	NoteBurdenRising    NotificationKind = "burden.rising"    // the unit's burden index rose (负担指数上升)
	NoteOrderReminder   NotificationKind = "exit.reminder"    // an exit order's deadline is near
	NoteFormReminder    NotificationKind = "form.reminder"    // a campaign's deadline is near and forms are unsubmitted
)

// NotificationKindNames are the Chinese names of the kinds.
var NotificationKindNames = map[NotificationKind]string{
	NoteCaseTransferred: "线索移送",
	NoteCaseOverdue:     "办理超期",
	NoteCaseEscalated:   "提级督办",
	NoteCaseReturned:    "退回重新整改",
	NoteCaseReopened:    "线索重新办理",
	NoteFilingSubmitted: "备案待审核",
	NoteFilingReturned:  "备案退回",
	NoteFilingApproved:  "备案通过",
	NoteExitOrdered:     "退出通知",
	NoteExitAppealed:    "退出申诉",
	NoteAppealDecided:   "申诉处理结果",
	NoteSecurityEvent:   "安全事件",
	NoteCaseReminder:    "办理时限提醒",
	NoteFormAssigned:    "抽查任务分配",
	NoteTypicalPending:  "典型案例待发布",
	NoteBurdenRising:    "负担指数上升",
	NoteOrderReminder:   "退出通知到期提醒",
	NoteFormReminder:    "检查表单到期提醒",
}

// Notification is one in-app message to one user (站内通知).
type Notification struct {
	ID        int64            `json:"id"`
	UserID    int64            `json:"user_id"`
	Kind      NotificationKind `json:"kind"`
	Title     string           `json:"title"` // in Chinese, one line
	Body      string           `json:"body,omitempty"`
	Link      string           `json:"link,omitempty"` // the page of the object it concerns
	CreatedAt time.Time        `json:"created_at"`
	ReadAt    *time.Time       `json:"read_at,omitempty"`
}

// Unread reports whether the notification is still unread.
func (n *Notification) Unread() bool { return n.ReadAt == nil }

// Recipients is whom a notice is for, resolved by the store among the
// enabled users: the unit administrators of Unit, and the holders of
// Office's roles in the nearest office at or above Region — the users
// whose unit lies in the deepest region containing Region that has any
// of them (the county's office, or the city's when the county has none).
type Recipients struct {
	User   int64  // one user told by name (an assigned inspector); 0 for none
	Unit   int64  // the unit whose administrators are told; 0 for none
	Office []Role // region-wide roles of the office told
	Region string // the region path the office is sought from
}

// Notice is a notification before it is addressed: what to say and to whom.
type Notice struct {
	Kind  NotificationKind
	Title string
	Body  string
	Link  string
	To    Recipients
	// Key, when set, makes the notice once-only per recipient: a second
	// notice with the same key to the same user is not written (the
	// overdue notice of a deadline, a week's burden rise).
	Key string
}

// Who is told what. Each event names its audience here, once; the store
// resolves the audience in the same transaction as the event, and never
// tells the person who caused it.

// caseOffice are the roles of the office that handles cases.
var caseOffice = []Role{RoleSupervisor, RoleCaseHandler}

// CaseNotice is the notice of an event of case c: a transfer (to the unit's
// administrators), an overdue stage and an escalation (to the unit's and
// to the supervising office's supervisors and case handlers: of the
// case's region when overdue, of the office it was escalated to), a
// failed verification and a reopening (to the unit's administrators).
// note is the office's note or reason, shown in the body. ok is false when
// nobody is to be told (a case with no unit yet, reopened).
func CaseNotice(kind NotificationKind, c *Case, note string) (n Notice, ok bool) {
	n = Notice{Kind: kind, Link: fmt.Sprintf("/cases/%d", c.ID), To: Recipients{Unit: c.UnitID}}
	ref := "线索" + c.Number
	var parts []string
	if name := cmp.Or(c.ChannelName, c.ChannelText); name != "" {
		parts = append(parts, "渠道:"+name)
	}
	if c.DueAt != nil {
		parts = append(parts, "办理时限:"+DueText(*c.DueAt))
	}
	if note = withLabel("说明:", note); note != "" {
		parts = append(parts, note)
	}
	switch kind {
	case NoteCaseTransferred:
		n.Title = ref + "已移送本单位办理"
	case NoteCaseOverdue:
		n.Title = ref + "已超过办理时限"
		n.To.Office, n.To.Region = caseOffice, c.RegionPath
		if c.DueAt != nil {
			n.Key = OverdueKey(c.ID, c.Stage, *c.DueAt)
		}
	case NoteCaseEscalated:
		to := cmp.Or(c.EscalatedToName, c.EscalatedTo)
		n.Title = ref + "已提级至" + to + "督办"
		n.To.Office, n.To.Region = caseOffice, cmp.Or(c.EscalatedTo, c.RegionPath)
	case NoteCaseReturned:
		n.Title = ref + "整改未通过核查,请重新整改"
	case NoteCaseReopened:
		n.Title = ref + "已重新办理"
	default:
		return n, false
	}
	n.Body = strings.Join(parts, ";")
	return n, n.To.Unit != 0 || len(n.To.Office) > 0
}

// FilingNotice is the notice of a filing step on channel c: a submission
// (to the reviewers of its region's office), a return or an approval (to
// the owning unit's administrators). ok is false for other actions.
func FilingNotice(act ChannelAction, c *Channel, note string) (n Notice, ok bool) {
	n = Notice{Link: fmt.Sprintf("/registry/%d", c.ID)}
	what := KindNames[c.Kind] + "“" + c.Name + "”"
	switch act {
	case ActSubmit:
		n.Kind, n.Title = NoteFilingSubmitted, what+"提交备案,待审核"
		n.Body = withLabel("报备单位:", c.UnitName)
		n.To = Recipients{Office: []Role{RoleReviewer}, Region: c.RegionPath}
	case ActReturn:
		n.Kind, n.Title, n.Body = NoteFilingReturned, what+"的备案被退回", withLabel("退回理由:", note)
		n.To = Recipients{Unit: c.UnitID}
	case ActApprove:
		n.Kind, n.Title, n.Body = NoteFilingApproved, what+"已通过备案", withLabel("备案号:", c.FilingNumber)
		n.To = Recipients{Unit: c.UnitID}
	default:
		return n, false
	}
	return n, true
}

// ExitNotice is the notice of a step of exit order o: issued and appeal
// decided (to the unit's administrators), appealed (to the supervisors of
// the order's region's office).
func ExitNotice(kind NotificationKind, o *ExitOrder, note string) (n Notice, ok bool) {
	n = Notice{Kind: kind, Link: fmt.Sprintf("/cleanup/orders/%d", o.ID), To: Recipients{Unit: o.UnitID}}
	what := KindNames[o.Kind] + "“" + o.ChannelName + "”"
	switch kind {
	case NoteExitOrdered:
		n.Title, n.Body = what+"收到退出通知,请于"+o.Deadline+"前关停或申诉", withLabel("理由:", o.Reason)
	case NoteExitAppealed:
		n.Title, n.Body = o.UnitName+"对"+what+"的退出通知提出申诉", withLabel("申诉理由:", note)
		n.To = Recipients{Office: []Role{RoleSupervisor}, Region: o.RegionPath}
	case NoteAppealDecided:
		if o.Status == OrderWithdrawn {
			n.Title = what + "的申诉成立,退出通知已撤销"
		} else {
			n.Title = what + "的申诉未获支持,请于" + o.Deadline + "前关停"
		}
		n.Body = withLabel("处理意见:", note)
	default:
		return n, false
	}
	return n, true
}

// SecurityNotice is the notice of a security event (an identity revealed, a
// reveal refused) to the auditors of the office of the event's region.
func SecurityNotice(e *AuditEntry) (n Notice, ok bool) {
	if !IsSecurityEvent(e.Action) {
		return n, false
	}
	n = Notice{Kind: NoteSecurityEvent, Link: "/audit?action=" + e.Action, Body: e.Detail,
		To: Recipients{Office: []Role{RoleAuditor}, Region: e.RegionPath}}
	who := cmp.Or(e.ActorShown(), "某用户") // the person with their office, once the store has named them
	if e.Action == ActionReveal {
		n.Title = who + "查看了反映人身份"
	} else {
		n.Title = who + "查看反映人身份被拒绝"
	}
	return n, true
}

// FormsNotice is the notice to an inspector that count forms of campaign c
// were assigned to them (one notice per inspector and campaign).
func FormsNotice(c *Campaign, inspector int64, count int) (n Notice, ok bool) {
	if inspector == 0 || count == 0 {
		return n, false
	}
	n = Notice{Kind: NoteFormAssigned, Link: "/forms", To: Recipients{User: inspector},
		Title: fmt.Sprintf("专项抽查“%s”分配给您%d份检查表单", c.Name, count)}
	if c.Deadline != "" {
		n.Body = "请于" + c.Deadline + "前填写提交"
	}
	return n, true
}

// TypicalNotice is the notice that the typical case drafted from case c
// awaits publication: to the supervisors of the case's office, who
// review and publish (the drafter, who may not publish it, is not told).
func TypicalNotice(c *Case, t *TypicalCase, drafter string) (n Notice, ok bool) {
	return Notice{Kind: NoteTypicalPending, Link: fmt.Sprintf("/cases/%d", c.ID),
		Title: "典型案例“" + t.Title + "”待审核发布", Body: withLabel("起草人:", drafter),
		To: Recipients{Office: []Role{RoleSupervisor}, Region: c.SupervisingRegion()}}, true
}

// NotificationFilter selects the caller's own notifications.
type NotificationFilter struct {
	Page
	Unread bool // only the unread ones
}

// NotificationService is the caller's own notifications (通知中心). Nobody
// reads or marks another's: another's notification is ENOTFOUND.
type NotificationService interface {
	// FindNotifications lists the caller's notifications, newest first,
	// with how many match and how many of all theirs are unread.
	FindNotifications(ctx context.Context, f NotificationFilter) (items []*Notification, total, unread int, err error)
	// UnreadCount counts the caller's unread notifications (one indexed count).
	UnreadCount(ctx context.Context) (int, error)
	// MarkRead marks one of the caller's notifications read and returns it.
	MarkRead(ctx context.Context, id int64) (*Notification, error)
	// MarkAllRead marks all the caller's notifications read; it returns how many were unread.
	MarkAllRead(ctx context.Context) (int, error)
}

func withLabel(label, s string) string {
	if s = strings.TrimSpace(s); s == "" {
		return ""
	}
	return label + s
}

// BurdenRisePoints is how many points a unit's weekly burden index must
// climb over the week before to count as rising when it stays in its band.
const BurdenRisePoints = 10

// BurdenRising reports whether a unit's weekly burden index is rising (负担
// 指数上升): it climbed from prev (the week before) to cur into a higher
// band (BurdenLevel: 低, 中, 较高, 高), or by BurdenRisePoints or more.
func BurdenRising(prev, cur float64) bool {
	band := func(v float64) int {
		for i, l := range BurdenLevels {
			if BurdenLevel(v) == l {
				return i
			}
		}
		return 0
	}
	return cur > prev && (band(cur) > band(prev) || cur-prev >= BurdenRisePoints)
}

// BurdenRisingNotice is the notice to a unit's administrators that its
// groups' burden index rose from prev to cur in the week starting on week
// (YYYY-MM-DD), once that week. ok is false when it did not rise.
func BurdenRisingNotice(unitID int64, prev, cur float64, week string) (n Notice, ok bool) {
	if !BurdenRising(prev, cur) {
		return n, false
	}
	return Notice{Kind: NoteBurdenRising, Link: fmt.Sprintf("/burden/units/%d", unitID),
		Title: fmt.Sprintf("本单位工作群负担指数上升:近一周%.1f(%s),前一周%.1f", cur, BurdenLevelName(BurdenLevel(cur)), prev),
		Body:  "请查看哪些工作群的打卡接龙、即时响应和索要材料增多,及时纠正",
		To:    Recipients{Unit: unitID}, Key: "burden:" + week}, true
}
