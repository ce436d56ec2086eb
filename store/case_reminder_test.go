package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// TestReminderSweep: the reminder of a deadline comes N working days
// before it (default 1, over the National Day holiday), N set per stage;
// once per deadline however often the sweep runs; the unit's stages remind
// the unit's administrators, the office's its supervisors and handlers; a
// new deadline gets a new reminder.
func TestReminderSweep(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCaseWorld(t, db)
		sys := storetest.System()
		sup := w.as(t, "southSup")
		at := w.at
		sweep := w.sweep
		// Friday 26 September 2025: a is transferred (answer: 5 working
		// days, due end of 10 Oct); b stays in triage (3 working days: 28
		// Sep, 29, 30 — due end of 30 Sep).
		at("2025-09-26 10:00")
		a, _ := must2(t)(db.Intake().CreateClue(sup, &jianfu.Clue{Category: "chain", RegionCode: "390102", Description: "教育局工作群每天要求教师接龙报平安"}))
		a = must(db.Cases().TransferCase(sup, a.ID, jianfu.Transfer{UnitID: w.f.Units["southEdu"].ID}))
		b, _ := must2(t)(db.Intake().CreateClue(sup, &jianfu.Clue{Category: "chain", RegionCode: "390102001", Description: "街道工作群要求每天上报打卡截图"}))
		admin := w.as(t, "eduAdmin")
		must(db.Notifications().MarkAllRead(admin)) // the transfer

		// Sunday 28 September (worked): b's last day, 30 Sep, is two
		// working days off; on Monday 29 Sep it is the next working day, so
		// b is reminded — to the county office, not the unit.
		if n := sweep("2025-09-28 09:00", nil); n != 0 {
			t.Fatalf("sweep 28 Sep wrote %d reminders, want none yet", n)
		}
		if n := sweep("2025-09-29 09:00", nil); n != 1 {
			t.Fatalf("sweep 29 Sep wrote %d reminders, want 1 (b's triage)", n)
		}
		if got := strings.Join(told(t, w), " "); got != "southSup:1" {
			t.Errorf("told of b's triage: %q, want the county office's southSup", got)
		}
		if got := inbox(t, db, sup)[0]; got != "线索"+b.Number+"的受理交办将于2025年9月30日到期" {
			t.Errorf("reminder title %q", got)
		}
		// Again, and again the next day: nobody is told twice.
		if n := sweep("2025-09-29 09:10", nil) + sweep("2025-09-30 08:00", nil); n != 0 {
			t.Errorf("repeated sweeps wrote %d more reminders", n)
		}
		// Tuesday 30 Sep, one working day ahead: a (due 10 Oct, the next
		// working day being 9 Oct) is not yet due a reminder.
		if n := sweep("2025-09-30 09:00", nil); n != 0 {
			t.Errorf("sweep 30 Sep with 1 day: %d reminders, want none", n)
		}
		// With 2 working days for answers, it is.
		if n := sweep("2025-09-30 09:05", jianfu.ReminderPolicy{jianfu.StageAnswer: 2}); n != 1 {
			t.Errorf("sweep 30 Sep with answer=2: %d reminders, want 1", n)
		}
		items, _, _ := mustNotes(t)(db.Notifications().FindNotifications(admin, jianfu.NotificationFilter{}))
		if len(items) != 2 || items[0].Kind != jianfu.NoteCaseReminder || items[0].Link != fmt.Sprintf("/cases/%d", a.ID) ||
			items[0].Title != "线索"+a.Number+"的答复将于2025年10月10日到期" || !strings.Contains(items[0].Body, "2025年10月10日") {
			t.Fatalf("the unit's inbox: %+v", items)
		}
		// 9 October, the working day before: the default would remind now,
		// but this deadline has had its reminder.
		if n := sweep("2025-10-09 09:00", nil); n != 0 {
			t.Errorf("sweep 9 Oct: %d reminders for a deadline already reminded", n)
		}
		// The overdue notice, too, comes once per deadline.
		at("2025-10-11 09:00")
		must(db.Deadlines().SweepDeadlines(sys, w.now))
		must(db.Deadlines().SweepDeadlines(sys, w.now))
		var overdue int
		for _, n := range mustNotesItems(t, db, admin) {
			if n.Kind == jianfu.NoteCaseOverdue && strings.Contains(n.Title, a.Number) {
				overdue++
			}
		}
		if overdue != 1 {
			t.Errorf("overdue notices of a to the unit: %d, want 1", overdue)
		}
		// A new stage is a new deadline and a new reminder: a answered,
		// rectify (10 working days) is due end of 25 Oct.
		if n := sweep("2025-10-11 09:05", jianfu.ReminderPolicy{jianfu.StageAnswer: 0, jianfu.StageTriage: 0}); n != 0 {
			t.Errorf("sweep with 0 days reminded %d", n)
		}
		// Outside the office's scope nothing is swept: northSup has no such case.
		if n := must(db.Deadlines().SweepReminders(w.as(t, "northSup"), w.now, jianfu.ReminderPolicy{jianfu.StageTriage: 30, jianfu.StageAnswer: 30})); n != 0 {
			t.Errorf("another county's supervisor swept %d reminders", n)
		}
		// A unit administrator may not run the sweep.
		if _, err := db.Deadlines().SweepReminders(admin, w.now, nil); code(err) != jianfu.EFORBIDDEN {
			t.Errorf("a unit admin sweeps: %v, want EFORBIDDEN", err)
		}
	})
}

// mustNotesItems lists all of a context's notifications.
func mustNotesItems(t *testing.T, db *store.DB, ctx context.Context) []*jianfu.Notification {
	t.Helper()
	items, _, _ := mustNotes(t)(db.Notifications().FindNotifications(ctx, jianfu.NotificationFilter{Page: jianfu.Page{Limit: 500}}))
	return items
}

// TestRemindersReachTheOutbox: a reminder written by the set-based sweep
// goes out on the channel its recipient chose, once, like any other
// notification.
func TestRemindersReachTheOutbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCaseWorld(t, db)
		sys := storetest.System()
		sup := w.as(t, "southSup")
		admin := w.as(t, "eduAdmin")
		if err := db.Deliveries().SetUserChannels(admin, []jianfu.UserChannel{{Channel: jianfu.ChannelSMS, Address: "13900001111"}}); err != nil {
			t.Fatal(err)
		}
		at := w.at
		at("2025-09-26 10:00")
		a, _ := must2(t)(db.Intake().CreateClue(sup, &jianfu.Clue{Category: "chain", RegionCode: "390102", Description: "教育局工作群每天要求教师接龙报平安"}))
		must(db.Cases().TransferCase(sup, a.ID, jianfu.Transfer{UnitID: w.f.Units["southEdu"].ID}))
		reminders := func() int {
			rows, _, err := db.Deliveries().FindDeliveries(admin, jianfu.DeliveryFilter{})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, r := range rows {
				if r.Kind == string(jianfu.NoteCaseReminder) {
					n++
					if r.Channel != jianfu.ChannelSMS || r.Address != "13900001111" || !strings.Contains(r.Subject+r.Body, a.Number) {
						t.Errorf("reminder in the outbox: %+v", r)
					}
				}
			}
			return n
		}
		for _, when := range []string{"2025-10-09 09:00", "2025-10-09 09:10"} {
			must(db.Deadlines().SweepReminders(sys, at(when), nil))
			if n := reminders(); n != 1 {
				t.Fatalf("after the sweep at %s: %d reminders in the outbox, want 1", when, n)
			}
		}
	})
}

// at sets the world's clock to a time in China ("2006-01-02 15:04").
func (w *caseWorld) at(s string) time.Time {
	tm, err := time.ParseInLocation("2006-01-02 15:04", s, cst)
	if err != nil {
		panic(err)
	}
	w.set(tm)
	return tm
}

// sweep runs the reminder sweep as the system at a time and returns how
// many reminders it wrote.
func (w *caseWorld) sweep(when string, p jianfu.ReminderPolicy) int {
	return must(w.db.Deadlines().SweepReminders(storetest.System(), w.at(when), p))
}
