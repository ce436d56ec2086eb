package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// TestDeadlinesAcrossNationalDay counts working days over the 2025
// National Day and Mid-Autumn holiday (1–8 October off; Sunday 28
// September and Saturday 11 October worked), then sweeps: a reminder the
// day before, an overdue mark once past, and escalation to the city and
// then the province as the case stays overdue.
func TestDeadlinesAcrossNationalDay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCaseWorld(t, db)
		sys := storetest.System()
		must0(t, db.Deadlines().SetCaseDeadlines(sys, &jianfu.DeadlinePolicy{Category: "material", Triage: 2, Answer: 3, Rectify: 10, Verify: 3, Remind: 1, Escalate: 2}))
		sup := w.as(t, "southSup")
		newCase := func(cat, at string) *jianfu.Case {
			tm, _ := time.ParseInLocation("2006-01-02 15:04", at, cst)
			w.set(tm)
			c, _ := must2(t)(db.Intake().CreateClue(sup, &jianfu.Clue{Category: cat, RegionCode: "390102", Description: "群里反复要求报送同一张统计表格和台账材料"}))
			return must(db.Cases().TransferCase(sup, c.ID, jianfu.Transfer{UnitID: w.f.Units["southEdu"].ID}))
		}
		// Friday 26 September, 5 working days (the default): 28 Sep (Sun,
		// worked), 29, 30 Sep, then 9 and 10 Oct.
		a := newCase("chain", "2025-09-26 10:00")
		if want := time.Date(2025, 10, 11, 0, 0, 0, 0, cst); !a.DueAt.Equal(want) {
			t.Errorf("5 working days from 26 Sep end %v, want end of 10 Oct", a.DueAt.In(cst))
		}
		// Thursday 9 October, 3 working days for materials: 10 Oct, Saturday
		// 11 Oct (调休), Monday 13 Oct.
		b := newCase("material", "2025-10-09 15:00")
		if want := time.Date(2025, 10, 14, 0, 0, 0, 0, cst); !b.DueAt.Equal(want) {
			t.Errorf("3 working days from 9 Oct end %v, want end of Monday 13 Oct", b.DueAt.In(cst))
		}
		sweep := func(at string) *jianfu.SweepResult {
			tm, _ := time.ParseInLocation("2006-01-02 15:04", at, cst)
			w.set(tm)
			return must(db.Deadlines().SweepDeadlines(sys, tm))
		}
		get := func(c *jianfu.Case) *jianfu.Case { return must(db.Cases().FindCaseByID(sup, c.ID)) }

		// On 9 Oct (the working day before a's last day) a is reminded.
		if r := sweep("2025-10-09 16:00"); r.Reminded != 1 || r.Overdue != 0 {
			t.Errorf("sweep 9 Oct: %+v", r)
		}
		if r := sweep("2025-10-09 16:05"); r.Reminded+r.Overdue+r.Escalated != 0 {
			t.Errorf("a second sweep at once changes things again: %+v", r)
		}
		// Saturday 11 Oct: a is overdue; b (due end of 13 Oct) is reminded
		// on its previous working day, the make-up Saturday.
		if r := sweep("2025-10-11 09:00"); r.Overdue != 1 || r.Reminded != 1 || r.Escalated != 0 {
			t.Errorf("sweep 11 Oct: %+v", r)
		}
		if c := get(a); !c.Overdue(w.clock()) || c.OverdueCount != 1 || c.EscalationLevel != 0 {
			t.Errorf("a on 11 Oct: overdue %v count %d level %d", c.Overdue(w.clock()), c.OverdueCount, c.EscalationLevel)
		}
		// Monday 13 Oct: a is two working days late (11 and 13 Oct) and goes
		// up to the city.
		if r := sweep("2025-10-13 09:00"); r.Escalated != 1 {
			t.Errorf("sweep 13 Oct: %+v", r)
		}
		if c := get(a); c.EscalationLevel != 1 || c.EscalatedTo != "3901" || c.EscalatedToName != "江州市" {
			t.Errorf("a escalated to %q (%s) level %d", c.EscalatedTo, c.EscalatedToName, c.EscalationLevel)
		}
		// Four working days late: the province; more lateness stops there.
		sweep("2025-10-15 09:00")
		sweep("2025-10-22 09:00")
		if c := get(a); c.EscalationLevel != 2 || c.EscalatedTo != "39" {
			t.Errorf("a after 15 and 22 Oct: level %d to %q", c.EscalationLevel, c.EscalatedTo)
		}
		if c := get(b); !c.Overdue(w.clock()) || c.EscalationLevel != 2 {
			t.Errorf("b on 22 Oct: overdue %v level %d", c.Overdue(w.clock()), c.EscalationLevel)
		}
		// The unit answers late: the answer says by how much, and the
		// rectify stage starts with a fresh deadline.
		c := must(db.Cases().AnswerCase(w.as(t, "eduAdmin"), a.ID, jianfu.CaseAnswer{Finding: jianfu.FindingPartly, Text: "部分属实,正在整改表格重复报送问题。"}))
		if c.Overdue(w.clock()) || c.Stage != jianfu.StageRectify || c.OverdueCount != 1 {
			t.Errorf("after the late answer: overdue %v stage %s count %d", c.Overdue(w.clock()), c.Stage, c.OverdueCount)
		}
		events := must(db.Cases().CaseEvents(sup, a.ID))
		var actions []string
		for _, e := range events {
			actions = append(actions, e.Action)
			if e.Action == "answered" && !strings.Contains(e.Note, "逾期9个工作日") {
				t.Errorf("late answer note %q", e.Note)
			}
		}
		if got := strings.Join(actions, " "); got != "created accepted transferred reminded overdue escalated escalated answered" {
			t.Errorf("timeline %s", got)
		}
		// The city sees what was escalated to it on its board.
		city := jianfu.WithActor(context.Background(), &jianfu.Actor{UserID: 1, Username: "city.sup", Roles: []jianfu.Role{jianfu.RoleSupervisor}, UnitID: w.f.Units["city"].ID, UnitPath: w.f.Units["city"].Path, RegionPath: "3901"})
		board := must(db.Deadlines().OverdueBoard(city))
		if board.Overdue != 1 || board.Escalated != 2 || len(board.Regions) != 1 || board.Regions[0].Name != "江南区" || board.Regions[0].MaxWorkdays != 7 {
			t.Errorf("city board %+v regions %+v", board, *board.Regions[0])
		}
	})
}
