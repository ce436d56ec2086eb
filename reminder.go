package jianfu

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Reminders (办理时限提醒): a notice to whoever owes a stage's work, N
// working days before its deadline, once per deadline. N is set per stage
// (default 1: the working day before); the sweep that sends them runs
// periodically and may run again any time without telling anybody twice.

// DefaultRemindDays is how many working days before a deadline its
// reminder comes unless the stage has its own number.
const DefaultRemindDays = 1

// ReminderPolicy is the working days before a stage's deadline that its
// reminder comes; a stage not in the map has DefaultRemindDays. Besides
// the case stages it holds the two deadlines outside cases, RemindOrder
// and RemindForm.
type ReminderPolicy map[CaseStage]int

// The policy keys of the deadlines that are not a case's stage.
const (
	RemindOrder CaseStage = "order" // an exit order's (退出通知): the unit confirms the closure or appeals
	RemindForm  CaseStage = "form"  // a spot-check campaign's, for its unsubmitted check forms (检查表单)
)

// reminderKeyNames are the Chinese names of the policy keys that are not
// case stages.
var reminderKeyNames = map[CaseStage]string{RemindOrder: "退出通知", RemindForm: "检查表单"}

// Days returns the working days before a deadline of stage s.
func (p ReminderPolicy) Days(s CaseStage) int {
	if n, ok := p[s]; ok {
		return n
	}
	return DefaultRemindDays
}

// ParseReminderPolicy reads "answer=2,rectify=3,order=2" (stages, and
// order and form, by their English or Chinese name, working days from 0
// to 30); the empty string is the default for every one.
func ParseReminderPolicy(s string) (ReminderPolicy, error) {
	p := ReminderPolicy{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == ';' || r == ' ' }) {
		k, v, ok := strings.Cut(f, "=")
		stage, known := reminderKey(strings.TrimSpace(k))
		if !known {
			return nil, Errorf(EINVALID, "提醒设置“%[1]s”中的阶段无效,可选:triage(受理交办)、answer(答复)、rectify(整改)、verify(核查办结)、order(退出通知)、form(检查表单)", "unknown stage in %[1]q; use triage, answer, rectify, verify, order or form", f)
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if !ok || err != nil || n < 0 || n > 30 {
			return nil, Errorf(EINVALID, "提醒设置“%[1]s”应写作 阶段=工作日数(0至30),如 answer=2", "reminder setting %[1]q must read stage=working days (0 to 30), e.g. answer=2", f)
		}
		p[stage] = n
	}
	return p, nil
}

// reminderKey reads a policy key by its English or Chinese name.
func reminderKey(k string) (CaseStage, bool) {
	for _, names := range []map[CaseStage]string{CaseStageNames, reminderKeyNames} {
		for st, name := range names {
			if string(st) == k || name == k {
				return st, true
			}
		}
	}
	return "", false
}

// RemindUntil is the latest deadline a sweep at now reminds of for a stage
// reminded days working days ahead: the end of the days-th working day
// after today (China time), so with 1 a deadline ending tomorrow — or on
// Monday, swept on Friday — is reminded of, and with 0 only today's.
// Deadlines after now and up to it get their reminder.
func RemindUntil(cal WorkdayCalendar, now time.Time, days int) time.Time {
	return cal.AddWorkdays(now, days).Add(24 * time.Hour)
}

// ReminderKey is the once-only key of the reminder of a case's stage due
// at due: a second sweep, or a second server, finds it already given. The
// store writes the same key in SQL: "remind:<case>:<stage>:<due ms>".
func ReminderKey(caseID int64, s CaseStage, due time.Time) string {
	return fmt.Sprintf("remind:%d:%s:%d", caseID, s, due.UnixMilli())
}

// OverdueKey is the once-only key of the overdue notice of a case's stage
// due at due.
func OverdueKey(caseID int64, s CaseStage, due time.Time) string {
	return fmt.Sprintf("overdue:%d:%s:%d", caseID, s, due.UnixMilli())
}

// Reminder is the notice of the reminders of stage s due at due, for all
// the cases due then at once (the store adds each case's number between
// TitlePrefix and TitleSuffix and its link): to the responsible unit's
// administrators for the unit's stages, to the supervisors and case
// handlers of the supervising office for the office's.
type Reminder struct {
	Stage                    CaseStage
	Due                      time.Time
	TitlePrefix, TitleSuffix string
	Body                     string
	ToUnit                   bool // the unit's administrators; else the office
}

// OfficeRoles are the roles of the office reminded of its own stages.
func (r Reminder) OfficeRoles() []Role { return caseOffice }

// CaseReminder says the reminder of stage s due at due.
func CaseReminder(s CaseStage, due time.Time) Reminder {
	return Reminder{Stage: s, Due: due, TitlePrefix: "线索", TitleSuffix: "的" + CaseStageNames[s] + "将于" + DueText(due) + "到期",
		Body: "办理时限:" + DueText(due) + ",请抓紧办理", ToUnit: s.UnitStage()}
}

// RemindThrough is the last deadline day (YYYY-MM-DD, China time) a sweep
// at now reminds of for a deadline that is a whole day — an exit order's,
// a campaign's — reminded days working days ahead: RemindUntil for a
// deadline due at the end of its day. Deadlines from today up to it get
// their reminder (a day's deadline is past only when the day is).
func RemindThrough(cal WorkdayCalendar, now time.Time, days int) string {
	return DateOf(RemindUntil(cal, now, days).Add(-24 * time.Hour))
}

// dayText writes a YYYY-MM-DD deadline as 2026年3月23日 (as is when it is
// not a date).
func dayText(day string) string {
	t, err := time.ParseInLocation("2006-01-02", day, China)
	if err != nil {
		return day
	}
	return t.Format("2006年1月2日")
}

// OrderReminder is the reminder of exit order o's deadline to the unit's
// administrators, who must confirm the closure or appeal by then (an
// order issued, not yet answered). Once per deadline: an upheld appeal
// sets a new deadline and a new reminder.
func OrderReminder(o *ExitOrder) (n Notice, ok bool) {
	if o.Status != OrderIssued || o.Deadline == "" {
		return n, false
	}
	return Notice{Kind: NoteOrderReminder, Link: fmt.Sprintf("/cleanup/orders/%d", o.ID), To: Recipients{Unit: o.UnitID},
		Title: KindNames[o.Kind] + "“" + o.ChannelName + "”的退出通知将于" + dayText(o.Deadline) + "到期",
		Body:  "请于" + dayText(o.Deadline) + "前确认关停或提出申诉,逾期未办将记为超期",
		Key:   fmt.Sprintf("remind-order:%d:%s", o.ID, o.Deadline)}, true
}

// FormReminder is the reminder to an inspector that count of their check
// forms of campaign c are not yet submitted and the campaign's deadline is
// near: one notice per inspector and campaign deadline.
func FormReminder(c *Campaign, inspector int64, count int) (n Notice, ok bool) {
	if inspector == 0 || count == 0 || c.Deadline == "" || c.Status == CampaignClosed {
		return n, false
	}
	return Notice{Kind: NoteFormReminder, Link: "/forms", To: Recipients{User: inspector},
		Title: fmt.Sprintf("专项抽查“%s”还有%d份检查表单未提交,将于%s到期", c.Name, count, dayText(c.Deadline)),
		Body:  "请于" + dayText(c.Deadline) + "前填写提交",
		Key:   fmt.Sprintf("remind-form:%d:%s", c.ID, c.Deadline)}, true
}
