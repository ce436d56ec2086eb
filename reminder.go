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
// reminder comes; a stage not in the map has DefaultRemindDays.
type ReminderPolicy map[CaseStage]int

// Days returns the working days before a deadline of stage s.
func (p ReminderPolicy) Days(s CaseStage) int {
	if n, ok := p[s]; ok {
		return n
	}
	return DefaultRemindDays
}

// ParseReminderPolicy reads "answer=2,rectify=3" (stages by their English
// or Chinese name, working days from 0 to 30); the empty string is the
// default for every stage.
func ParseReminderPolicy(s string) (ReminderPolicy, error) {
	p := ReminderPolicy{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == ';' || r == ' ' }) {
		k, v, ok := strings.Cut(f, "=")
		stage := CaseStage(strings.TrimSpace(k))
		if _, known := CaseStageNames[stage]; !known {
			for st, name := range CaseStageNames {
				if name == strings.TrimSpace(k) {
					stage, known = st, true
				}
			}
			if !known {
				return nil, Errorf(EINVALID, "提醒设置“%[1]s”中的阶段无效,可选:triage(受理交办)、answer(答复)、rectify(整改)、verify(核查办结)", "unknown stage in %[1]q; use triage, answer, rectify or verify", f)
			}
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if !ok || err != nil || n < 0 || n > 30 {
			return nil, Errorf(EINVALID, "提醒设置“%[1]s”应写作 阶段=工作日数(0至30),如 answer=2", "reminder setting %[1]q must read stage=working days (0 to 30), e.g. answer=2", f)
		}
		p[stage] = n
	}
	return p, nil
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
