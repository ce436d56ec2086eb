package jianfu_test

import (
	"strings"
	"testing"
	"time"

	"jianfu"
	"jianfu/calendar"
)

func TestParseReminderPolicy(t *testing.T) {
	for _, tc := range []struct {
		in      string
		answer  int
		triage  int
		wantErr bool
	}{
		{"", 1, 1, false},
		{"answer=2", 2, 1, false},
		{"答复=3，受理交办=0", 3, 0, false},
		{" triage=2 ; rectify=5 ", 1, 2, false},
		{"answer", 0, 0, true},
		{"answer=-1", 0, 0, true},
		{"answer=31", 0, 0, true},
		{"closing=1", 0, 0, true},
		{"answer=two", 0, 0, true},
		{"order=2,form=0", 1, 1, false},
		{"退出通知=3,检查表单=2", 1, 1, false},
		{"orders=2", 0, 0, true},
	} {
		p, err := jianfu.ParseReminderPolicy(tc.in)
		if (err != nil) != tc.wantErr {
			t.Errorf("%q: error %v, want error %v", tc.in, err, tc.wantErr)
			continue
		}
		if err != nil {
			if jianfu.ErrorCode(err) != jianfu.EINVALID {
				t.Errorf("%q: %v is not EINVALID", tc.in, err)
			}
			continue
		}
		if p.Days(jianfu.StageAnswer) != tc.answer || p.Days(jianfu.StageTriage) != tc.triage {
			t.Errorf("%q: answer %d triage %d, want %d %d", tc.in, p.Days(jianfu.StageAnswer), p.Days(jianfu.StageTriage), tc.answer, tc.triage)
		}
	}
}

func FuzzParseReminderPolicy(f *testing.F) {
	for _, s := range []string{"", "answer=2", "答复=3，受理交办=0", "x=", "=1", "triage=2;verify=30", "order=2,检查表单=0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := jianfu.ParseReminderPolicy(s)
		if err != nil {
			return
		}
		for _, st := range append(jianfu.CaseStages, jianfu.RemindOrder, jianfu.RemindForm) {
			if d := p.Days(st); d < 0 || d > 30 {
				t.Fatalf("%q: %s has %d days", s, st, d)
			}
		}
	})
}

// TestReminderPolicyOutsideCases: exit orders and check forms have their
// own days, by English or Chinese name, and the default otherwise.
func TestReminderPolicyOutsideCases(t *testing.T) {
	p, err := jianfu.ParseReminderPolicy("退出通知=3,form=0,answer=2")
	if err != nil {
		t.Fatal(err)
	}
	if p.Days(jianfu.RemindOrder) != 3 || p.Days(jianfu.RemindForm) != 0 || p.Days(jianfu.StageAnswer) != 2 || p.Days(jianfu.StageRectify) != 1 {
		t.Errorf("policy %v", p)
	}
	if p, _ := jianfu.ParseReminderPolicy(""); p.Days(jianfu.RemindOrder) != 1 || p.Days(jianfu.RemindForm) != 1 {
		t.Errorf("default policy %v", p)
	}
	if _, err := jianfu.ParseReminderPolicy("closing=1"); err == nil || !strings.Contains(err.Error(), "order(退出通知)、form(检查表单)") {
		t.Errorf("the error does not name the new keys: %v", err)
	}
}

// TestRemindThrough: a deadline that is a whole day is reminded of from
// the N-th working day before it, over weekends and holidays.
func TestRemindThrough(t *testing.T) {
	cal := calendar.Default()
	day := func(s string) time.Time {
		tm, _ := time.ParseInLocation("2006-01-02 15:04", s, jianfu.China)
		return tm
	}
	for _, tc := range []struct {
		now  string
		days int
		want string
	}{
		{"2026-03-20 17:00", 1, "2026-03-23"}, // Friday: Monday's
		{"2026-03-20 09:00", 0, "2026-03-20"}, // only today's
		{"2026-03-19 09:00", 2, "2026-03-23"},
		{"2025-09-30 09:00", 1, "2025-10-09"}, // over the National Day holiday
		{"2025-09-30 23:59", 1, "2025-10-09"},
	} {
		if got := jianfu.RemindThrough(cal, day(tc.now), tc.days); got != tc.want {
			t.Errorf("%s +%d: reminds deadlines through %s, want %s", tc.now, tc.days, got, tc.want)
		}
	}
}

// TestOrderAndFormReminders: who is reminded of an exit order and of
// unsubmitted check forms, with what, once per deadline.
func TestOrderAndFormReminders(t *testing.T) {
	o := &jianfu.ExitOrder{ID: 12, Kind: jianfu.KindGroup, ChannelName: "运动会筹备群", UnitID: 3, Deadline: "2026-03-23", Status: jianfu.OrderIssued}
	n, ok := jianfu.OrderReminder(o)
	if !ok || n.Kind != jianfu.NoteOrderReminder || n.To.Unit != 3 || n.To.User != 0 || len(n.To.Office) != 0 ||
		n.Title != "工作群组“运动会筹备群”的退出通知将于2026年3月23日到期" || !strings.Contains(n.Body, "确认关停或提出申诉") ||
		n.Link != "/cleanup/orders/12" || n.Key != "remind-order:12:2026-03-23" {
		t.Errorf("order reminder %+v", n)
	}
	for _, st := range []jianfu.OrderStatus{jianfu.OrderAppealed, jianfu.OrderClosed, jianfu.OrderWithdrawn} {
		o.Status = st
		if _, ok := jianfu.OrderReminder(o); ok {
			t.Errorf("a reminder for a %s order", st)
		}
	}
	c := &jianfu.Campaign{ID: 4, Name: "江南区政务新媒体抽查", Deadline: "2026-03-31", Status: jianfu.CampaignOpen}
	for _, tc := range []struct {
		camp      jianfu.Campaign
		inspector int64
		count     int
		ok        bool
	}{
		{*c, 5, 2, true},
		{*c, 0, 2, false},
		{*c, 5, 0, false},
		{jianfu.Campaign{ID: 4, Name: "无期限", Status: jianfu.CampaignOpen}, 5, 2, false},
		{jianfu.Campaign{ID: 4, Name: "已结束", Deadline: "2026-03-31", Status: jianfu.CampaignClosed}, 5, 2, false},
	} {
		n, ok := jianfu.FormReminder(&tc.camp, tc.inspector, tc.count)
		if ok != tc.ok {
			t.Errorf("%s %d/%d: ok %v", tc.camp.Name, tc.inspector, tc.count, ok)
		}
		if ok && (n.Kind != jianfu.NoteFormReminder || n.To.User != 5 || n.To.Unit != 0 || n.Link != "/forms" || n.Key != "remind-form:4:2026-03-31" ||
			n.Title != "专项抽查“江南区政务新媒体抽查”还有2份检查表单未提交,将于2026年3月31日到期" || n.Body != "请于2026年3月31日前填写提交") {
			t.Errorf("form reminder %+v", n)
		}
	}
	for _, k := range []jianfu.NotificationKind{jianfu.NoteOrderReminder, jianfu.NoteFormReminder} {
		if jianfu.NotificationKindNames[k] == "" {
			t.Errorf("%s has no Chinese name", k)
		}
	}
}

// TestRemindUntil: the reminder window ends with the N-th working day
// after today — over a weekend and the National Day holiday.
func TestRemindUntil(t *testing.T) {
	cal := calendar.Default()
	cst := jianfu.China
	day := func(s string) time.Time { tm, _ := time.ParseInLocation("2006-01-02 15:04", s, cst); return tm }
	for _, tc := range []struct {
		now  string
		days int
		want string // the last day whose deadlines are reminded of
	}{
		{"2025-09-29 09:00", 1, "2025-09-30 00:00"},
		{"2025-09-30 09:00", 1, "2025-10-09 00:00"}, // over the holiday
		{"2025-09-30 09:00", 2, "2025-10-10 00:00"},
		{"2025-10-10 09:00", 1, "2025-10-11 00:00"}, // the make-up Saturday
		{"2025-10-10 09:00", 0, "2025-10-10 00:00"},
		{"2026-03-06 17:00", 1, "2026-03-09 00:00"}, // Friday: Monday's
	} {
		got := jianfu.RemindUntil(cal, day(tc.now), tc.days)
		if want := day(tc.want).Add(24 * time.Hour); !got.Equal(want) {
			t.Errorf("%s +%d: reminds deadlines up to %v, want the end of %s", tc.now, tc.days, got.In(cst), tc.want)
		}
	}
}

// TestEventNotices: who is told of the new events, and what.
func TestEventNotices(t *testing.T) {
	due := time.Date(2025, 10, 11, 0, 0, 0, 0, jianfu.China)
	r := jianfu.CaseReminder(jianfu.StageAnswer, due)
	if !r.ToUnit || r.TitlePrefix+"JF2025-000001"+r.TitleSuffix != "线索JF2025-000001的答复将于2025年10月10日到期" {
		t.Errorf("answer reminder %+v", r)
	}
	if r := jianfu.CaseReminder(jianfu.StageVerify, due); r.ToUnit || len(r.OfficeRoles()) != 2 {
		t.Errorf("verify reminder goes to the unit: %+v", r)
	}
	if k := jianfu.ReminderKey(7, jianfu.StageAnswer, due); k != "remind:7:answer:1760112000000" {
		t.Errorf("reminder key %q", k)
	}
	c := &jianfu.Case{ID: 7, Number: "JF2025-000001", RegionPath: "390102001", UnitID: 3, Stage: jianfu.StageAnswer, DueAt: &due}
	if n, ok := jianfu.CaseNotice(jianfu.NoteCaseOverdue, c, ""); !ok || n.Key != "overdue:7:answer:1760112000000" {
		t.Errorf("overdue notice key %q", n.Key)
	}
	if n, ok := jianfu.CaseNotice(jianfu.NoteCaseTransferred, c, ""); !ok || n.Key != "" {
		t.Errorf("a transfer is not once-only: %q", n.Key)
	}
	camp := &jianfu.Campaign{Name: "江南区政务新媒体抽查", Deadline: "2026-03-31"}
	for _, tc := range []struct {
		inspector int64
		count     int
		ok        bool
	}{{5, 3, true}, {5, 0, false}, {0, 3, false}} {
		n, ok := jianfu.FormsNotice(camp, tc.inspector, tc.count)
		if ok != tc.ok {
			t.Errorf("forms notice %d/%d: ok %v", tc.inspector, tc.count, ok)
		}
		if ok && (n.To.User != 5 || n.Title != "专项抽查“江南区政务新媒体抽查”分配给您3份检查表单" || n.Body != "请于2026-03-31前填写提交" || n.Link != "/forms") {
			t.Errorf("forms notice %+v", n)
		}
	}
	n, ok := jianfu.TypicalNotice(c, &jianfu.TypicalCase{Title: "某区强制接龙"}, "江南区监管员")
	if !ok || n.To.Region != "390102" || len(n.To.Office) != 1 || n.To.Office[0] != jianfu.RoleSupervisor || n.Body != "起草人:江南区监管员" || n.Link != "/cases/7" {
		t.Errorf("typical notice %+v", n)
	}
}

func TestBurdenRising(t *testing.T) {
	for _, tc := range []struct {
		prev, cur float64
		want      bool
	}{
		{10, 15, false}, // same band, +5
		{10, 21, true},  // 低 → 中
		{41, 52, true},  // +11 within 较高
		{45, 50, false}, // +5 within 较高
		{62, 70, false}, // already 高, +8
		{30, 25, false}, // falling
		{0, 0, false},
	} {
		if got := jianfu.BurdenRising(tc.prev, tc.cur); got != tc.want {
			t.Errorf("%.0f → %.0f rising %v, want %v", tc.prev, tc.cur, got, tc.want)
		}
	}
	n, ok := jianfu.BurdenRisingNotice(9, 12, 45.5, "2026-03-09")
	if !ok || n.Key != "burden:2026-03-09" || n.To.Unit != 9 || n.Title != "本单位工作群负担指数上升:近一周45.5(较高),前一周12.0" || n.Link != "/burden/units/9" {
		t.Errorf("notice %+v", n)
	}
	if _, ok := jianfu.BurdenRisingNotice(9, 45, 46, "2026-03-09"); ok {
		t.Error("a notice for a steady index")
	}
}
