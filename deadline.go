package jianfu

import (
	"context"
	"fmt"
	"time"
)

// WorkdayCounter counts working days (a calendar.Calendar): the working
// days after the date of a up to and including the date of b.
type WorkdayCounter interface {
	WorkdaysBetween(a, b time.Time) int
}

// WorkdayCalendar is a working-day calendar (a calendar.Calendar): it
// counts working days and steps over them, holidays and 调休 included.
type WorkdayCalendar interface {
	WorkdayCounter
	// AddWorkdays returns the date n working days after the date of d
	// (before it for negative n), at midnight China time.
	AddWorkdays(d time.Time, n int) time.Time
}

// DueText writes a deadline as the date of its last day, China time:
// "2025年10月10日" for a deadline at the midnight ending that day.
func DueText(due time.Time) string {
	return due.Add(-time.Minute).In(China).Format("2006年1月2日")
}

// LateWorkdays is how many working days the current stage is past its
// deadline at now: 0 when it is not overdue, at least 1 when it is.
func (c *Case) LateWorkdays(cal WorkdayCounter, now time.Time) int {
	if !c.Overdue(now) {
		return 0
	}
	return max(1, cal.WorkdaysBetween(c.DueAt.Add(-24*time.Hour), now))
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

// Due returns the deadline of stage s started at start: the end of the
// stage's n-th working day after the start's date, China time — a stage of
// 5 working days started on Friday 26 September 2025 is due at the end of
// Friday 10 October, over the National Day holiday and its 调休.
func (p DeadlinePolicy) Due(cal WorkdayCalendar, s CaseStage, start time.Time) time.Time {
	return cal.AddWorkdays(start, p.Days(s)).Add(24 * time.Hour)
}

// EscalationDue reports whether a stage lateDays working days overdue and
// escalated escalations times so far goes one more level up: once for
// every Escalate working days.
func (p DeadlinePolicy) EscalationDue(lateDays, escalations int) bool {
	return lateDays >= p.Escalate*(escalations+1)
}

// DeadlineCheck is what a deadline sweep finds of an open stage.
type DeadlineCheck struct {
	Remind   bool // the reminder is due and was not given
	Overdue  bool // the deadline has passed and the stage is not marked yet
	LateDays int  // working days past the deadline; 0 before it
	Escalate bool // late enough to go one more level up
}

// Any reports whether the sweep has something to do.
func (d DeadlineCheck) Any() bool { return d.Remind || d.Overdue || d.Escalate }

// Check decides what a sweep at now does with a stage due at due, which
// has had its reminder (reminded), its overdue mark (marked) and
// escalations escalations: the reminder comes Remind working days before
// the deadline's day; the overdue mark once the deadline has passed; an
// escalation for every Escalate working days overdue.
func (p DeadlinePolicy) Check(cal WorkdayCalendar, now, due time.Time, reminded, marked bool, escalations int) DeadlineCheck {
	lastDay := due.Add(-24 * time.Hour) // midnight starting the deadline's day
	var d DeadlineCheck
	d.Remind = !reminded && !now.Before(cal.AddWorkdays(lastDay, -p.Remind)) && now.Before(due)
	d.Overdue = !marked && !now.Before(due)
	if !now.Before(due) {
		d.LateDays = cal.WorkdaysBetween(lastDay, now)
	}
	d.Escalate = p.EscalationDue(d.LateDays, escalations)
	return d
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

// SetStage starts stage s of the case at now with its deadline by policy
// p, clearing the reminder, the overdue mark and the stage's escalations;
// the empty stage ends the deadlines (a closed, merged or rejected case).
func (c *Case) SetStage(s CaseStage, p DeadlinePolicy, cal WorkdayCalendar, now time.Time) {
	c.Stage = s
	c.RemindedAt, c.OverdueAt = nil, nil
	c.StageEscalations = 0
	if s == "" {
		c.StageStartedAt, c.DueAt = nil, nil
		return
	}
	due := p.Due(cal, s, now)
	c.StageStartedAt, c.DueAt = &now, &due
}

// lateness says how late an action on the current stage comes at now,
// "" when in time: "(逾期2个工作日)".
func (c *Case) lateness(cal WorkdayCounter, now time.Time) string {
	if n := c.LateWorkdays(cal, now); n > 0 {
		return fmt.Sprintf("(逾期%d个工作日)", n)
	}
	return ""
}

// Remind records the reminder of the current stage at now; its event asks
// whoever owes the work — the responsible unit or the office — to hurry.
func (c *Case) Remind(now time.Time) CaseEvent {
	c.RemindedAt = &now
	who := "线索办理部门"
	if c.Stage.UnitStage() {
		who = c.UnitName
	}
	return CaseEvent{Action: "reminded", Note: fmt.Sprintf("催办:%s阶段将于%s到期,请%s抓紧办理", CaseStageNames[c.Stage], DueText(*c.DueAt), who)}
}

// MarkOverdue marks the current stage overdue at now, counts it, and says
// so in public: the reporter sees that the deadline was missed.
func (c *Case) MarkOverdue(now time.Time) CaseEvent {
	c.OverdueAt = &now
	c.OverdueCount++
	return CaseEvent{Action: "overdue", Public: true,
		Note:       fmt.Sprintf("%s阶段已超过办理时限(%s)", CaseStageNames[c.Stage], DueText(*c.DueAt)),
		PublicNote: fmt.Sprintf("%s已超过办理时限(%s),已记录超期", CaseStageNames[c.Stage], DueText(*c.DueAt))}
}

// OfficeOf is the region of the office that supervises cases of region
// path: the county's for anything below county level (a township has no
// cyberspace-affairs office of its own).
func OfficeOf(path string) string {
	if len(path) > 6 {
		return path[:6]
	}
	return path
}

// SupervisingRegion is the region of the office that supervises the case
// now: where it was escalated to, else the office of its region.
func (c *Case) SupervisingRegion() string {
	if c.EscalatedTo != "" {
		return c.EscalatedTo
	}
	return OfficeOf(c.RegionPath)
}

// EscalationTarget is where the case goes if it is escalated once more:
// from the supervising office to the one above. ok is false at the
// province (or the nation), which has no office above it here.
func (c *Case) EscalationTarget() (from, to string, ok bool) {
	from = c.SupervisingRegion()
	if len(from) <= 2 {
		return from, "", false
	}
	return from, ParentPath(from), true
}

// Escalate sends the case, lateDays working days overdue, to the office
// of region to (named name) for supervision (提级督办).
func (c *Case) Escalate(to, name string, lateDays int) CaseEvent {
	c.EscalationLevel++
	c.StageEscalations++
	c.EscalatedTo, c.EscalatedToName = to, name
	return CaseEvent{Action: "escalated", Public: true,
		Note:       fmt.Sprintf("超期%d个工作日,自动提级至%s网信部门督办", lateDays, name),
		PublicNote: fmt.Sprintf("超期未办结,已提级至%s网信部门督办", name)}
}

// SweepResult says what a deadline sweep did.
type SweepResult struct {
	Checked   int `json:"checked"`
	Reminded  int `json:"reminded"`
	Overdue   int `json:"overdue"`
	Escalated int `json:"escalated"`
}

// DeadlineService keeps the working-day deadlines of cases: reminders,
// overdue marks, escalation (提级督办) and the per-stage policy.
type DeadlineService interface {
	// SweepDeadlines reminds, marks overdue and escalates the open cases
	// in scope as of now. The server runs it periodically; it is
	// idempotent.
	SweepDeadlines(ctx context.Context, now time.Time) (*SweepResult, error)
	// SweepReminders tells whoever owes the work of the open cases in
	// scope whose stage is due within its reminder window (p) at now,
	// once per deadline; it returns how many notifications it wrote.
	SweepReminders(ctx context.Context, now time.Time, p ReminderPolicy) (int, error)
	OverdueBoard(ctx context.Context) (*OverdueBoard, error)
	CaseDeadlines(ctx context.Context) ([]*DeadlinePolicy, error)
	SetCaseDeadlines(ctx context.Context, p *DeadlinePolicy) error
}
