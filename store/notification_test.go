package store_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"jianfu"
	"jianfu/secret"
	"jianfu/store"
	"jianfu/store/storetest"
)

// inbox lists the titles of a context's notifications, newest first.
func inbox(t *testing.T, db *store.DB, ctx context.Context) []string {
	t.Helper()
	items, _, _, err := db.Notifications().FindNotifications(ctx, jianfu.NotificationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range items {
		out = append(out, n.Title)
	}
	return out
}

// told lists the fixture users with any notification, by key.
func told(t *testing.T, w *caseWorld) []string {
	t.Helper()
	var out []string
	for key := range w.f.Users {
		if n := must(w.db.Notifications().UnreadCount(w.as(t, key))); n > 0 {
			out = append(out, fmt.Sprintf("%s:%d", key, n))
		}
	}
	sort.Strings(out)
	return out
}

// TestTransferNotifiesTheUnitAdmin: a case transferred to 江南区教育局
// tells its administrator and nobody else; the note links to the case;
// only its owner can mark it read, and the unread count follows.
func TestTransferNotifiesTheUnitAdmin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCaseWorld(t, db)
		sup := w.as(t, "southSup")
		c, _ := must2(t)(db.Intake().CreateClue(sup, &jianfu.Clue{Category: "chain", RegionCode: "390102", Description: "教育局工作群每天要求教师接龙报平安"}))
		c = must(db.Cases().TransferCase(sup, c.ID, jianfu.Transfer{UnitID: w.f.Units["southEdu"].ID, Note: "请核实并按时答复"}))

		if got := strings.Join(told(t, w), " "); got != "eduAdmin:1" {
			t.Fatalf("told after the transfer: %q, want only eduAdmin", got)
		}
		admin := w.as(t, "eduAdmin")
		items, total, unread := mustNotes(t)(db.Notifications().FindNotifications(admin, jianfu.NotificationFilter{Unread: true}))
		if total != 1 || unread != 1 || len(items) != 1 {
			t.Fatalf("unread list: %d items, total %d, unread %d", len(items), total, unread)
		}
		n := items[0]
		if n.Kind != jianfu.NoteCaseTransferred || n.Title != "线索"+c.Number+"已移送本单位办理" || n.Link != fmt.Sprintf("/cases/%d", c.ID) ||
			!strings.Contains(n.Body, "办理时限:") || !strings.Contains(n.Body, "请核实并按时答复") {
			t.Errorf("the notification: %+v", n)
		}

		// Another unit's administrator cannot see or mark it.
		if _, err := db.Notifications().MarkRead(w.as(t, "northAdmin"), n.ID); code(err) != jianfu.ENOTFOUND {
			t.Errorf("another user marks it read: %v, want ENOTFOUND", err)
		}
		if got := must(db.Notifications().UnreadCount(admin)); got != 1 {
			t.Errorf("unread after another's attempt: %d", got)
		}
		read := must(db.Notifications().MarkRead(admin, n.ID))
		if read.Unread() {
			t.Error("marked read but still unread")
		}
		items, total, unread = mustNotes(t)(db.Notifications().FindNotifications(admin, jianfu.NotificationFilter{Unread: true}))
		if len(items) != 0 || total != 0 || unread != 0 {
			t.Errorf("unread after reading: %d items, total %d, unread %d", len(items), total, unread)
		}
		items, total, unread = mustNotes(t)(db.Notifications().FindNotifications(admin, jianfu.NotificationFilter{}))
		if len(items) != 1 || total != 1 || unread != 0 {
			t.Errorf("all after reading: %d items, total %d, unread %d", len(items), total, unread)
		}

		// Returned for re-rectification and reopened: the unit again.
		must(db.Cases().AnswerCase(admin, c.ID, jianfu.CaseAnswer{Finding: jianfu.FindingSubstantiated, Text: "经核实情况属实,已要求立即停止接龙并整改"}))
		must(db.Cases().RectifyCase(admin, c.ID, jianfu.CaseRectification{Text: "已停止群内接龙报平安,改为系统统计到岗情况"}))
		must(db.Cases().VerifyCase(sup, c.ID, jianfu.Verification{Passed: false, Note: "群内仍有接龙"}))
		if got := inbox(t, db, admin); len(got) != 2 || got[0] != "线索"+c.Number+"整改未通过核查,请重新整改" {
			t.Errorf("after a failed check the unit reads %q", got)
		}
		if n := must(db.Notifications().MarkAllRead(admin)); n != 1 {
			t.Errorf("mark all read marked %d, want 1", n)
		}
		if got := strings.Join(told(t, w), " "); got != "" {
			t.Errorf("someone still has unread notifications: %q", got)
		}
	})
}

// TestEscalationNotifiesTheOffice: an overdue case tells the unit and the
// county office; its escalation to the city tells the nearest office above
// with supervisors (the province's: the fixture city has only an auditor).
func TestEscalationNotifiesTheOffice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCaseWorld(t, db)
		sys := storetest.System()
		sup := w.as(t, "southSup")
		w.set(time.Date(2025, 9, 26, 10, 0, 0, 0, cst))
		c, _ := must2(t)(db.Intake().CreateClue(sup, &jianfu.Clue{Category: "chain", RegionCode: "390102", Description: "教育局工作群每天要求教师接龙报平安"}))
		c = must(db.Cases().TransferCase(sup, c.ID, jianfu.Transfer{UnitID: w.f.Units["southEdu"].ID}))
		must(db.Notifications().MarkAllRead(w.as(t, "eduAdmin")))
		sweep := func(at time.Time) {
			w.set(at)
			must(db.Deadlines().SweepDeadlines(sys, at))
		}
		sweep(time.Date(2025, 10, 11, 9, 0, 0, 0, cst)) // overdue since the end of 10 October
		overdue := "线索" + c.Number + "已超过办理时限"
		if got := strings.Join(told(t, w), " "); got != "eduAdmin:1 southSup:1" {
			t.Errorf("told of the overdue case: %q", got)
		}
		if got := inbox(t, db, sup); len(got) != 1 || got[0] != overdue {
			t.Errorf("the county office reads %q", got)
		}
		sweep(time.Date(2025, 10, 13, 9, 0, 0, 0, cst)) // two working days late: up to the city
		escalated := "线索" + c.Number + "已提级至江州市督办"
		if got := inbox(t, db, w.as(t, "provSup")); len(got) != 1 || got[0] != escalated {
			t.Errorf("the office above reads %q, want %q", got, escalated)
		}
		if got := inbox(t, db, w.as(t, "eduAdmin")); len(got) != 3 || got[0] != escalated {
			t.Errorf("the unit reads %q", got)
		}
		for _, key := range []string{"northSup", "northAdmin", "cityAuditor", "schoolStaff"} {
			if got := inbox(t, db, w.as(t, key)); len(got) != 0 {
				t.Errorf("%s was told: %q", key, got)
			}
		}
	})
}

// TestRevealNotifiesTheAuditor: a reveal of a reporter's identity, and a
// refused one, reach the auditor of the case's region, nobody else.
func TestRevealNotifiesTheAuditor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCaseWorld(t, db)
		db.SetReporterKey(must(secret.ParseSealerKey(secret.NewSealerKey())))
		rec := must(db.Intake().SubmitComplaint(anonymous(), &jianfu.Complaint{Source: jianfu.SourceComplaint, RegionCode: "390102",
			Description: "望江中学教师工作群每晚要求接龙打卡", Identity: &jianfu.ReporterIdentity{Name: "王晓明", Phone: "13912345678"}}))
		c := findByNumber(t, w, "southSup", rec.Number)
		keeper := &jianfu.User{Username: "south.keeper", Name: "江南区举报受理专员", UnitID: w.f.Units["south"].ID, Roles: []jianfu.Role{jianfu.RoleReporterAccess}}
		must0(t, db.Users().CreateUser(storetest.System(), keeper, storetest.FixturePassword))
		kctx := actorCtx(t, db, keeper.Username)
		must(db.Cases().RevealReporter(kctx, c.ID, "反映人要求当面反馈办理结果"))
		if _, err := db.Cases().RevealReporter(kctx, c.ID, "看看"); code(err) != jianfu.EINVALID {
			t.Fatalf("a short reason: %v", err)
		}
		auditor := w.as(t, "cityAuditor")
		got := inbox(t, db, auditor)
		who := keeper.Name + "(" + w.f.Units["south"].Name + ")" // named with the office, not by login name
		if len(got) != 2 || got[0] != who+"查看反映人身份被拒绝" || got[1] != who+"查看了反映人身份" {
			t.Errorf("the auditor reads %q", got)
		}
		items, _, _ := mustNotes(t)(db.Notifications().FindNotifications(auditor, jianfu.NotificationFilter{}))
		if len(items) == 2 && (items[1].Kind != jianfu.NoteSecurityEvent || items[1].Link != "/audit?action="+jianfu.ActionReveal) {
			t.Errorf("the reveal's notification: %+v", items[1])
		}
		if got := strings.Join(told(t, w), " "); got != "cityAuditor:2" {
			t.Errorf("told of the reveals: %q, want only the auditor", got)
		}
	})
}

func mustNotes(t *testing.T) func([]*jianfu.Notification, int, int, error) ([]*jianfu.Notification, int, int) {
	return func(items []*jianfu.Notification, total, unread int, err error) ([]*jianfu.Notification, int, int) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return items, total, unread
	}
}

// TestFilingAndExitNotices: a submitted filing tells the reviewers of the
// county's office (not the province's), its return tells the unit with the
// reasons; an exit order tells the unit, its appeal the county's
// supervisors, the decision the unit again.
func TestFilingAndExitNotices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCaseWorld(t, db)
		admin, sup := w.as(t, "eduAdmin"), w.as(t, "southSup")
		c := &jianfu.Channel{Kind: jianfu.KindAccount, Name: "江南教育资讯", UnitID: w.f.Units["southEdu"].ID, Platform: "weibo", PlatformID: "jnjyzx",
			ResponsiblePerson: "王小明", ResponsiblePhone: "13800001234", Purpose: "发布教育政策和招生信息"}
		must0(t, db.Channels().CreateChannel(admin, c))
		must(db.Channels().ActOnChannel(admin, c.ID, jianfu.ActSubmit, ""))
		if got := strings.Join(told(t, w), " "); got != "southSup:1" {
			t.Errorf("told of the submission: %q, want the county's reviewer", got)
		}
		if got := inbox(t, db, sup); len(got) != 1 || got[0] != "政务公众账号“江南教育资讯”提交备案,待审核" {
			t.Errorf("the reviewer reads %q", got)
		}
		must(db.Channels().ActOnChannel(sup, c.ID, jianfu.ActReturn, "请补充认证主体"))
		items, _, _ := mustNotes(t)(db.Notifications().FindNotifications(admin, jianfu.NotificationFilter{}))
		if len(items) != 1 || items[0].Kind != jianfu.NoteFilingReturned || items[0].Body != "退回理由:请补充认证主体" || items[0].Link != fmt.Sprintf("/registry/%d", c.ID) {
			t.Errorf("the unit's notifications after the return: %+v", items)
		}
		must(db.Notifications().MarkAllRead(admin))
		must(db.Notifications().MarkAllRead(sup))

		o := must(db.Cleanup().IssueExitOrder(sup, jianfu.OrderInput{ChannelID: w.ch["eduAccount"].ID, Reason: "功能与区政府门户重复,应当关停"}))
		if got := inbox(t, db, admin); len(got) != 2 || got[0] != "政务公众账号“江南教育发布”收到退出通知,请于"+o.Deadline+"前关停或申诉" {
			t.Errorf("the unit reads %q", got)
		}
		must(db.Cleanup().AppealExit(admin, o.ID, "该账号承担招生信息发布,暂不能关停"))
		if got := strings.Join(told(t, w), " "); got != "eduAdmin:1 southSup:1" {
			t.Errorf("told after the appeal: %q", got)
		}
		if got := inbox(t, db, sup); got[0] != "江州市江南区教育局对政务公众账号“江南教育发布”的退出通知提出申诉" {
			t.Errorf("the supervisor reads %q", got)
		}
		must(db.Cleanup().DecideAppeal(sup, o.ID, false, "招生期间保留,期满后再评估"))
		if got := inbox(t, db, admin); got[0] != "政务公众账号“江南教育发布”的申诉成立,退出通知已撤销" {
			t.Errorf("the unit reads %q after the decision", got)
		}
	})
}
