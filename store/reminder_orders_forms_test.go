package store_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// remindedOf lists, by fixture user, the notifications of a kind each has
// (read or not), as "user:title".
func remindedOf(t *testing.T, w *caseWorld, kind jianfu.NotificationKind) []string {
	t.Helper()
	var out []string
	for key := range w.f.Users {
		for _, n := range mustNotesItems(t, w.db, w.as(t, key)) {
			if n.Kind == kind {
				out = append(out, key+":"+n.Title)
			}
		}
	}
	sort.Strings(out)
	return out
}

// outboxOf lists the outbox rows of a kind for the user of ctx's key, as
// "channel address subject".
func outboxOf(t *testing.T, w *caseWorld, key string, kind jianfu.NotificationKind) []string {
	t.Helper()
	rows, _, err := w.db.Deliveries().FindDeliveries(w.as(t, key), jianfu.DeliveryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		if r.Kind == string(kind) {
			out = append(out, string(r.Channel)+" "+r.Address+" "+r.Subject)
		}
	}
	return out
}

// TestOrderReminders: the unit's administrators are reminded of an exit
// order the working day before its deadline (Friday for Monday's), or N
// working days before with order=N; once per deadline; not of an order
// confirmed or under appeal; again for the new deadline of an upheld
// appeal; with an outbox row for a recipient who chose SMS.
func TestOrderReminders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCaseWorld(t, db)
		at := w.at
		sweep := w.sweep
		sup, admin := w.as(t, "southSup"), w.as(t, "eduAdmin")
		if err := db.Deliveries().SetUserChannels(admin, []jianfu.UserChannel{{Channel: jianfu.ChannelSMS, Address: "13900001111"}}); err != nil {
			t.Fatal(err)
		}
		// Monday 9 March 2026: three orders to 江南区教育局.
		at("2026-03-09 10:00")
		zombie := addChannel(t, db, w.f.Units["southEdu"], jianfu.KindAccount, "douyin", "江南教育抖音号")
		dup := addChannel(t, db, w.f.Units["southEdu"], jianfu.KindAccount, "weibo", "江南教育微博")
		issue := func(ch *jianfu.Channel, days int) *jianfu.ExitOrder {
			return must(db.Cleanup().IssueExitOrder(sup, jianfu.OrderInput{ChannelID: ch.ID, Reason: "长期无更新", DeadlineDays: days}))
		}
		o1 := issue(w.ch["eduAccount"], 10) // due Monday 23 March
		o2 := issue(zombie, 5)              // due Monday 16 March
		o3 := issue(dup, 10)                // due 23 March, confirmed at once
		if o1.Deadline != "2026-03-23" || o2.Deadline != "2026-03-16" || o3.Deadline != "2026-03-23" {
			t.Fatalf("deadlines %s %s %s", o1.Deadline, o2.Deadline, o3.Deadline)
		}
		must(db.Cleanup().ConfirmExit(admin, o3.ID, "已注销", false))

		// Thursday 12 March: o2's Monday is two working days off.
		if n := sweep("2026-03-12 09:00", nil); n != 0 {
			t.Errorf("sweep 12 Mar: %d reminders, want none yet", n)
		}
		// Friday 13 March: Monday's deadline is the next working day's.
		if n := sweep("2026-03-13 09:00", nil); n != 1 {
			t.Fatalf("sweep 13 Mar: %d reminders, want 1 (o2)", n)
		}
		want := "eduAdmin:政务公众账号“江南教育抖音号”的退出通知将于2026年3月16日到期"
		if got := remindedOf(t, w, jianfu.NoteOrderReminder); len(got) != 1 || got[0] != want {
			t.Errorf("reminded %q, want only %q", got, want)
		}
		if items := mustNotesItems(t, db, admin); items[0].Link != fmt.Sprintf("/cleanup/orders/%d", o2.ID) || !strings.Contains(items[0].Body, "确认关停或提出申诉") {
			t.Errorf("the reminder: %+v", items[0])
		}
		if got := outboxOf(t, w, "eduAdmin", jianfu.NoteOrderReminder); len(got) != 1 || !strings.HasPrefix(got[0], "sms 13900001111 【减负】政务公众账号“江南教育抖音号”") {
			t.Errorf("outbox: %q", got)
		}
		// Again, on the day and the day after: nobody is told twice, and a
		// past deadline is not reminded of.
		if n := sweep("2026-03-13 09:10", nil) + sweep("2026-03-16 09:00", nil) + sweep("2026-03-17 09:00", nil); n != 0 {
			t.Errorf("repeated sweeps: %d more reminders", n)
		}
		if got := outboxOf(t, w, "eduAdmin", jianfu.NoteOrderReminder); len(got) != 1 {
			t.Errorf("outbox after repeated sweeps: %q", got)
		}
		// With order=2: on Wednesday 18 March Monday is three working days
		// off; on Thursday 19 it is two — o1 is reminded, o3 (confirmed) not.
		two := jianfu.ReminderPolicy{jianfu.RemindOrder: 2}
		if n := sweep("2026-03-18 09:00", two); n != 0 {
			t.Errorf("sweep 18 Mar with order=2: %d reminders", n)
		}
		if n := sweep("2026-03-19 09:00", two); n != 1 {
			t.Errorf("sweep 19 Mar with order=2: %d reminders, want 1 (o1)", n)
		}
		// An order under appeal is the office's to decide: no reminder.
		must(db.Cleanup().AppealExit(admin, o1.ID, "该账号承担招生信息发布,申请保留"))
		issue(w.ch["schoolGroup"], 3) // 望江中学 has no administrator: nobody to remind
		must(db.Cleanup().AppealExit(admin, o2.ID, "逾期后申诉"))
		if n := sweep("2026-03-19 09:30", jianfu.ReminderPolicy{jianfu.RemindOrder: 30}); n != 0 {
			t.Errorf("sweep of appealed orders: %d reminders", n)
		}
		// Upheld with a fresh deadline (10 working days: 2 April): a new
		// deadline, a new reminder; o2 still awaits its decision.
		o1 = must(db.Cleanup().DecideAppeal(sup, o1.ID, true, "招生信息可由门户网站发布"))
		if n := sweep("2026-03-19 10:00", jianfu.ReminderPolicy{jianfu.RemindOrder: 30}); n != 1 || o1.Deadline != "2026-04-02" {
			t.Errorf("sweep after the appeal was upheld: %d reminders, want 1 (o1's new deadline %s)", n, o1.Deadline)
		}
		got := remindedOf(t, w, jianfu.NoteOrderReminder)
		if len(got) != 3 || !strings.Contains(strings.Join(got, "\n"), "“江南教育发布”的退出通知将于2026年4月2日到期") {
			t.Errorf("reminders after the appeal: %q", got)
		}
		for _, g := range got {
			if !strings.HasPrefix(g, "eduAdmin:") {
				t.Errorf("%q: only the unit's administrator is reminded", g)
			}
		}
		// Outside the supervisor's county nothing is swept.
		if n := must(db.Deadlines().SweepReminders(w.as(t, "northSup"), w.now, jianfu.ReminderPolicy{jianfu.RemindOrder: 30})); n != 0 {
			t.Errorf("another county's supervisor swept %d reminders", n)
		}
	})
}

// TestFormReminders: an inspector with unsubmitted forms of an open
// campaign is reminded the working day before its deadline, once, with how
// many wait; not of a campaign whose forms are all submitted; with an
// outbox row on the channel they chose.
func TestFormReminders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCaseWorld(t, db)
		at := w.at
		sweep := w.sweep
		at("2026-03-09 10:00")
		addInspector(t, db, w.f, "southInsp", "south.insp", "south")
		addInspector(t, db, w.f, "otherInsp", "south.insp2", "south")
		insp := w.as(t, "southInsp")
		if err := db.Deliveries().SetUserChannels(insp, []jianfu.UserChannel{{Channel: jianfu.ChannelEmail, Address: "insp@jiangnan.gov.cn"}}); err != nil {
			t.Fatal(err)
		}
		addChannel(t, db, w.f.Units["southEdu"], jianfu.KindAccount, "weibo", "江南教育微博")
		sup := w.as(t, "southSup")
		campaign := func(name, deadline string, inspector string, kind jianfu.ChannelKind) []*jianfu.CheckForm {
			c := &jianfu.Campaign{Name: name, RegionPath: "390102", SampleRate: 1, Kinds: []jianfu.ChannelKind{kind},
				Inspectors: []int64{w.f.Users[inspector].ID}, Deadline: deadline}
			if err := db.Campaigns().CreateCampaign(sup, c); err != nil {
				t.Fatal(err)
			}
			forms, _, err := db.Campaigns().FindForms(sup, jianfu.FormFilter{CampaignID: c.ID})
			if err != nil {
				t.Fatal(err)
			}
			return forms
		}
		submit := func(f *jianfu.CheckForm) {
			must(db.Campaigns().SaveForm(w.as(t, "southInsp"), f.ID, jianfu.FormInput{Submit: true, Answers: map[string]jianfu.Answer{"D1": {Points: 2}}}))
		}
		accounts := campaign("江南区政务公众账号抽查", "2026-03-20", "southInsp", jianfu.KindAccount) // Friday
		groups := campaign("江南区工作群组抽查", "2026-03-20", "southInsp", jianfu.KindGroup)
		campaign("江南区应用程序抽查", "", "southInsp", jianfu.KindAccount) // no deadline: nothing to remind of
		if len(accounts) != 2 || len(groups) != 1 {
			t.Fatalf("forms: %d accounts, %d groups", len(accounts), len(groups))
		}
		submit(accounts[0])
		submit(groups[0])
		if n := sweep("2026-03-18 09:00", nil); n != 0 {
			t.Errorf("sweep 18 Mar: %d reminders, want none yet", n)
		}
		// Thursday 19 March: one form of the accounts' campaign waits.
		if n := sweep("2026-03-19 09:00", nil); n != 1 {
			t.Fatalf("sweep 19 Mar: %d reminders, want 1", n)
		}
		want := "southInsp:专项抽查“江南区政务公众账号抽查”还有1份检查表单未提交,将于2026年3月20日到期"
		if got := remindedOf(t, w, jianfu.NoteFormReminder); len(got) != 1 || got[0] != want {
			t.Errorf("reminded %q, want only %q", got, want)
		}
		if n := sweep("2026-03-19 09:10", nil) + sweep("2026-03-20 09:00", nil); n != 0 {
			t.Errorf("repeated sweeps: %d more reminders", n)
		}
		if got := outboxOf(t, w, "southInsp", jianfu.NoteFormReminder); len(got) != 1 || !strings.HasPrefix(got[0], "email insp@jiangnan.gov.cn 【减负】专项抽查") {
			t.Errorf("outbox: %q", got)
		}
		// A campaign whose forms are all submitted is not reminded of,
		// however wide the window (form=3 reaches its 25 March).
		later := campaign("江南区账号复查", "2026-03-25", "otherInsp", jianfu.KindAccount)
		must(db.Campaigns().SaveForm(w.as(t, "otherInsp"), later[0].ID, jianfu.FormInput{Submit: true, Answers: map[string]jianfu.Answer{"D1": {Points: 0}}}))
		must(db.Campaigns().SaveForm(w.as(t, "otherInsp"), later[1].ID, jianfu.FormInput{Submit: true, Answers: map[string]jianfu.Answer{"D1": {Points: 0}}}))
		if n := sweep("2026-03-20 10:00", jianfu.ReminderPolicy{jianfu.RemindForm: 3}); n != 0 {
			t.Errorf("a campaign with all its forms submitted: %d reminders", n)
		}
	})
}
