package jianfu_test

import (
	"strings"
	"testing"
	"time"

	"jianfu"
	"jianfu/calendar"
)

// TestStageDeadlinesFollowTheHolidays checks deadlines in working days
// over the 2025 National Day holiday (1–8 October off, Sunday 28 September
// and Saturday 11 October worked), as the reporter reads them.
func TestStageDeadlinesFollowTheHolidays(t *testing.T) {
	cal := calendar.Default()
	for _, tt := range []struct {
		start time.Time
		stage jianfu.CaseStage
		want  string
	}{
		{friday, jianfu.StageAnswer, "2025年10月10日"},                     // 28, 29, 30 September, 9, 10 October
		{china(2025, 9, 26, 23, 59), jianfu.StageAnswer, "2025年10月10日"}, // the same day, however late
		{china(2025, 9, 30, 9, 0), jianfu.StageTriage, "2025年10月11日"},   // 9, 10, 11 (worked) October
		{china(2025, 9, 27, 9, 0), jianfu.StageTriage, "2025年9月30日"},    // a Saturday off: 28, 29, 30
		{friday, jianfu.StageRectify, "2025年10月23日"},
	} {
		due := policy.Due(cal, tt.stage, tt.start)
		if got := jianfu.DueText(due); got != tt.want {
			t.Errorf("%s of %d days from %s: due %s, want %s", tt.stage, policy.Days(tt.stage), tt.start.Format("2006-01-02 15:04"), got, tt.want)
		}
		if due.In(jianfu.China).Hour() != 0 {
			t.Errorf("due %v is not a midnight", due)
		}
	}
}

// TestDueText checks that a deadline at midnight is written as the day it
// ends.
func TestDueText(t *testing.T) {
	for _, tt := range []struct {
		due  time.Time
		want string
	}{
		{china(2025, 10, 11, 0, 0), "2025年10月10日"},
		{china(2026, 1, 1, 0, 0), "2025年12月31日"},
		{time.Date(2025, 10, 10, 16, 0, 0, 0, time.UTC), "2025年10月10日"}, // midnight in China
	} {
		if got := jianfu.DueText(tt.due); got != tt.want {
			t.Errorf("DueText(%v) = %s, want %s", tt.due, got, tt.want)
		}
	}
}

// TestSetStage checks that a new stage starts with a fresh deadline and no
// reminder, overdue mark or escalation of the stage before, and that the
// empty stage ends the deadlines.
func TestSetStage(t *testing.T) {
	c := caseIn(jianfu.CaseTransferred)
	c.RemindedAt, c.OverdueAt, c.StageEscalations, c.OverdueCount, c.EscalationLevel = &friday, &friday, 2, 1, 2
	c.SetStage(jianfu.StageRectify, policy, calendar.Default(), friday)
	if c.Stage != jianfu.StageRectify || !c.StageStartedAt.Equal(friday) || jianfu.DueText(*c.DueAt) != "2025年10月23日" ||
		c.RemindedAt != nil || c.OverdueAt != nil || c.StageEscalations != 0 || c.OverdueCount != 1 || c.EscalationLevel != 2 {
		t.Errorf("after SetStage: %+v", c)
	}
	c.SetStage("", policy, nil, friday)
	if c.Stage != "" || c.StageStartedAt != nil || c.DueAt != nil {
		t.Errorf("after the end: %+v", c)
	}
}

// TestDeadlineCheck checks what a sweep does with a stage due at the end of
// Friday 10 October 2025, with a reminder 1 working day before and an
// escalation for every 2 working days overdue.
func TestDeadlineCheck(t *testing.T) {
	cal := calendar.Default()
	due := china(2025, 10, 11, 0, 0)
	for _, tt := range []struct {
		name             string
		now              time.Time
		reminded, marked bool
		escalations      int
		remind, overdue  bool
		late             int
		escalate         bool
	}{
		{name: "a week before", now: china(2025, 10, 1, 9, 0)},
		{name: "the working day before", now: china(2025, 10, 9, 0, 0), remind: true},
		{name: "reminded already", now: china(2025, 10, 9, 8, 0), reminded: true},
		{name: "the last day", now: china(2025, 10, 10, 17, 0), remind: true},
		{name: "the worked Saturday after", now: china(2025, 10, 11, 9, 0), overdue: true, late: 1},
		{name: "marked already", now: china(2025, 10, 11, 9, 0), marked: true, late: 1},
		{name: "the Sunday after", now: china(2025, 10, 12, 9, 0), marked: true, late: 1},
		{name: "two working days late", now: china(2025, 10, 13, 9, 0), marked: true, late: 2, escalate: true},
		{name: "escalated once", now: china(2025, 10, 13, 9, 0), marked: true, late: 2, escalations: 1},
		{name: "four working days late", now: china(2025, 10, 15, 9, 0), marked: true, late: 4, escalations: 1, escalate: true},
		{name: "unreminded and late", now: china(2025, 10, 15, 9, 0), overdue: true, late: 4, escalate: true},
	} {
		got := policy.Check(cal, tt.now, due, tt.reminded, tt.marked, tt.escalations)
		want := jianfu.DeadlineCheck{Remind: tt.remind, Overdue: tt.overdue, LateDays: tt.late, Escalate: tt.escalate}
		if got != want {
			t.Errorf("%s: %+v, want %+v", tt.name, got, want)
		}
		if got.Any() != (tt.remind || tt.overdue || tt.escalate) {
			t.Errorf("%s: Any() = %v", tt.name, got.Any())
		}
	}
}

// TestEscalationClimbsToTheProvince checks the office that supervises a
// case, one level up per escalation, and that it stops at the province.
func TestEscalationClimbsToTheProvince(t *testing.T) {
	for _, tt := range []struct{ path, office string }{
		{"390102001", "390102"}, // a township: its county's office
		{"390102", "390102"},
		{"3901", "3901"},
		{"39", "39"},
	} {
		if got := jianfu.OfficeOf(tt.path); got != tt.office {
			t.Errorf("OfficeOf(%s) = %s, want %s", tt.path, got, tt.office)
		}
	}
	c := caseIn(jianfu.CaseTransferred)
	c.RegionPath = "390102001"
	var events []jianfu.CaseEvent
	for _, name := range []string{"江州市", "某省"} {
		from, to, ok := c.EscalationTarget()
		if !ok || from != c.SupervisingRegion() || to != jianfu.ParentPath(from) {
			t.Fatalf("target %s → %s, %v", from, to, ok)
		}
		events = append(events, c.Escalate(to, name, 2))
	}
	if c.EscalatedTo != "39" || c.EscalatedToName != "某省" || c.EscalationLevel != 2 || c.StageEscalations != 2 || c.SupervisingRegion() != "39" {
		t.Errorf("after two escalations: %+v", c)
	}
	if _, _, ok := c.EscalationTarget(); ok {
		t.Error("the province escalates further")
	}
	if e := events[0]; !e.Public || e.Note != "超期2个工作日,自动提级至江州市网信部门督办" || e.PublicNote != "超期未办结,已提级至江州市网信部门督办" {
		t.Errorf("escalation event %+v", e)
	}
}

// TestRemindAndMarkOverdue checks who the reminder asks to hurry and what
// the reporter is told of a missed deadline.
func TestRemindAndMarkOverdue(t *testing.T) {
	for _, tt := range []struct {
		status jianfu.CaseStatus
		note   string
	}{
		{jianfu.CaseAccepted, "催办:受理交办阶段将于2025年9月29日到期,请线索办理部门抓紧办理"},
		{jianfu.CaseTransferred, "催办:答复阶段将于2025年9月29日到期,请江南区教育局抓紧办理"},
		{jianfu.CaseRectified, "催办:核查办结阶段将于2025年9月29日到期,请线索办理部门抓紧办理"},
	} {
		c := caseIn(tt.status)
		if e := c.Remind(friday); e.Note != tt.note || e.Public || c.RemindedAt == nil {
			t.Errorf("%s: %+v", tt.status, e)
		}
	}
	c := caseIn(jianfu.CaseTransferred)
	c.OverdueCount = 1
	e := c.MarkOverdue(friday)
	if e.PublicNote != "答复已超过办理时限(2025年9月29日),已记录超期" || !e.Public || c.OverdueCount != 2 || !c.OverdueAt.Equal(friday) {
		t.Errorf("overdue: %+v, %d", e, c.OverdueCount)
	}
}

// TestLateWorkdays checks how late a stage is, as the lists and the ledger
// show it: at least one working day once overdue, never for a closed case.
func TestLateWorkdays(t *testing.T) {
	cal := calendar.Default()
	for _, tt := range []struct {
		status jianfu.CaseStatus
		now    time.Time
		want   int
	}{
		{jianfu.CaseTransferred, china(2025, 9, 29, 23, 0), 0},
		{jianfu.CaseTransferred, china(2025, 9, 30, 8, 0), 1},
		{jianfu.CaseTransferred, china(2025, 10, 4, 8, 0), 1}, // the holiday adds nothing
		{jianfu.CaseTransferred, china(2025, 10, 9, 8, 0), 2},
		{jianfu.CaseClosed, china(2025, 10, 9, 8, 0), 0},
	} {
		c := caseIn(tt.status)
		due := china(2025, 9, 30, 0, 0)
		c.DueAt = &due
		if got := c.LateWorkdays(cal, tt.now); got != tt.want {
			t.Errorf("%s at %v: %d, want %d", tt.status, tt.now, got, tt.want)
		}
	}
}

// TestOverdueTally checks the overdue board: totals, a row per unit owing
// the work, a row per region one level below the caller's (and 本级),
// ranked by how overdue.
func TestOverdueTally(t *testing.T) {
	cal := calendar.Default()
	now := china(2025, 10, 15, 9, 0)
	at := func(y int, m time.Month, d int) *time.Time { t := china(y, m, d, 0, 0); return &t }
	cases := []*jianfu.Case{
		// 江南区: two overdue at the education bureau, one escalated.
		{Status: jianfu.CaseTransferred, Stage: jianfu.StageAnswer, RegionPath: "390102", UnitID: 5, UnitName: "江南区教育局", DueAt: at(2025, 10, 11), EscalationLevel: 1},
		{Status: jianfu.CaseAnswered, Stage: jianfu.StageRectify, RegionPath: "390102001", UnitID: 5, UnitName: "江南区教育局", DueAt: at(2025, 10, 14)},
		// 江北区: due soon, reminded; verification is the office's work.
		{Status: jianfu.CaseRectified, Stage: jianfu.StageVerify, RegionPath: "390105", UnitID: 6, UnitName: "江北区卫健局", DueAt: at(2025, 10, 17), RemindedAt: at(2025, 10, 15)},
		// The city's own case, waiting for triage.
		{Status: jianfu.CaseNew, Stage: jianfu.StageTriage, RegionPath: "3901", DueAt: at(2025, 10, 20)},
	}
	tally := jianfu.NewOverdueTally("3901")
	for _, c := range cases {
		tally.Add(c, cal, now)
	}
	names := map[string]string{"390102": "江南区", "390105": "江北区", "3901": "江州市"}
	b := tally.Board(func(path string) string { return names[path] })
	if b.Open != 4 || b.Overdue != 2 || b.DueSoon != 1 || b.Escalated != 1 {
		t.Errorf("totals %+v", b)
	}
	if len(b.Units) != 1 || b.Units[0].Name != "江南区教育局" || b.Units[0].Overdue != 2 || b.Units[0].MaxWorkdays != 4 || b.Units[0].Escalated != 1 {
		t.Errorf("units %+v", b.Units)
	}
	var rows []string
	for _, r := range b.Regions {
		rows = append(rows, r.Name)
	}
	if strings.Join(rows, ",") != "江南区,江北区,江州市(本级)" {
		t.Errorf("regions %v", rows)
	}
	if r := b.Regions[0]; r.Path != "390102" || r.Open != 2 || r.Overdue != 2 || r.MaxWorkdays != 4 {
		t.Errorf("江南区 %+v", r)
	}
}
