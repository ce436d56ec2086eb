package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func withClock(db *store.DB) *clock {
	c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	db.Now = c.now
	return c
}

func mustAct(t *testing.T, db *store.DB, ctx context.Context, id int64, act jianfu.ChannelAction, note string) *jianfu.Channel {
	t.Helper()
	c, err := db.Channels().ActOnChannel(ctx, id, act, note)
	if err != nil {
		t.Fatalf("%s on %d: %v", act, id, err)
	}
	return c
}

func hasRule(checks []jianfu.CheckResult, rule string) *jianfu.CheckResult {
	for i := range checks {
		if checks[i].Rule == rule {
			return &checks[i]
		}
	}
	return nil
}

// fileChannel creates, submits and approves a channel as the system.
func fileChannel(t *testing.T, db *store.DB, c *jianfu.Channel) *jianfu.Channel {
	t.Helper()
	sys := storetest.System()
	if err := db.Channels().CreateChannel(sys, c); err != nil {
		t.Fatalf("create %s: %v", c.Name, err)
	}
	mustAct(t, db, sys, c.ID, jianfu.ActSubmit, "")
	mustAct(t, db, sys, c.ID, jianfu.ActApprove, "")
	return mustAct(t, db, sys, c.ID, jianfu.ActActivate, "")
}

func TestChannelLifeCycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := withClock(db)
		f := storetest.Load(t, db)
		admin, sup, prov := f.Ctx(t, db, "eduAdmin"), f.Ctx(t, db, "southSup"), f.Ctx(t, db, "provSup")
		c := &jianfu.Channel{Kind: jianfu.KindAccount, Name: "江南教育", UnitID: f.Units["southEdu"].ID, Platform: "wechat_oa", PlatformID: "gh_0123456789ab",
			ResponsiblePerson: "王小明", ResponsiblePhone: "13800001234", Purpose: "发布教育政策和招生信息"}
		if err := db.Channels().CreateChannel(admin, c); err != nil {
			t.Fatal(err)
		}
		if got := db.Channels().AllowedActions(admin, c); fmt.Sprint(got) != "[submit]" {
			t.Errorf("a draft's actions for its unit: %v, want [submit]", got)
		}
		// The unit cannot approve; the reviewer cannot approve a draft.
		if _, err := db.Channels().ActOnChannel(admin, c.ID, jianfu.ActApprove, ""); code(err) != jianfu.EINVALID {
			t.Errorf("approving a draft: %v, want invalid", err)
		}
		mustAct(t, db, admin, c.ID, jianfu.ActSubmit, "")
		if _, err := db.Channels().ActOnChannel(admin, c.ID, jianfu.ActApprove, ""); code(err) != jianfu.EFORBIDDEN {
			t.Errorf("the unit approving its own filing: %v, want forbidden", err)
		}
		if _, err := db.Channels().ActOnChannel(f.Ctx(t, db, "northSup"), c.ID, jianfu.ActApprove, ""); code(err) != jianfu.ENOTFOUND {
			t.Errorf("another county's supervisor: %v, want not found", err)
		}
		if _, err := db.Channels().ActOnChannel(sup, c.ID, jianfu.ActReturn, "  "); code(err) != jianfu.EINVALID {
			t.Errorf("returning without reasons: %v, want invalid", err)
		}
		got := mustAct(t, db, sup, c.ID, jianfu.ActReturn, "请补充认证主体")
		if got.Status != jianfu.StatusReturned || got.ReviewNote != "请补充认证主体" {
			t.Fatalf("after return: %s %q", got.Status, got.ReviewNote)
		}
		c.CertSubject = "江州市江南区教育局"
		upd, err := db.Channels().UpdateChannel(admin, c.ID, c, got.Version)
		if err != nil || upd.Version != 2 {
			t.Fatalf("fixing the returned channel: %v (version %v)", err, upd)
		}
		if _, err := db.Channels().UpdateChannel(admin, c.ID, c, 1); code(err) != jianfu.ECONFLICT {
			t.Errorf("saving over a newer version: %v, want conflict", err)
		}
		mustAct(t, db, admin, c.ID, jianfu.ActSubmit, "")
		approved := mustAct(t, db, sup, c.ID, jianfu.ActApprove, "同意备案")
		if approved.Status != jianfu.StatusApproved || approved.FilingNumber != "390102B202600001" || approved.FiledAt == nil {
			t.Fatalf("approved: %s %q %v", approved.Status, approved.FilingNumber, approved.FiledAt)
		}
		active := mustAct(t, db, admin, c.ID, jianfu.ActActivate, "")
		if active.RevalidationDue == nil || active.RevalidationDue.Sub(clk.now()) < 180*24*time.Hour {
			t.Fatalf("an active channel is due for re-validation in 6 months, got %v", active.RevalidationDue)
		}
		// Overdue after seven months; the unit confirms and it is not.
		clk.add(7 * 31 * 24 * time.Hour)
		list, n, _ := db.Channels().FindChannels(sup, jianfu.ChannelFilter{Overdue: true})
		if n != 1 || list[0].ID != c.ID {
			t.Errorf("overdue list: %d", n)
		}
		mustAct(t, db, admin, c.ID, jianfu.ActRevalidate, "")
		if _, n, _ := db.Channels().FindChannels(sup, jianfu.ChannelFilter{Overdue: true}); n != 0 {
			t.Errorf("overdue after re-validation: %d", n)
		}
		// Rectification by the reviewer, then exit.
		mustAct(t, db, prov, c.ID, jianfu.ActRectify, "两周未更新")
		mustAct(t, db, sup, c.ID, jianfu.ActRectified, "")
		mustAct(t, db, admin, c.ID, jianfu.ActRequestExit, "职能调整,不再运营")
		closed := mustAct(t, db, sup, c.ID, jianfu.ActClose, "")
		if closed.Status != jianfu.StatusClosed || closed.ClosedAt == nil || closed.FilingNumber != "390102B202600001" {
			t.Fatalf("closed: %+v", closed)
		}
		if _, err := db.Channels().ActOnChannel(admin, c.ID, jianfu.ActSubmit, ""); code(err) != jianfu.EINVALID {
			t.Errorf("a closed channel took an action: %v", err)
		}
		// It is archived, not deleted: the timeline tells the whole story.
		events, versions, err := db.Channels().ChannelHistory(sup, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var steps []string
		for i := len(events) - 1; i >= 0; i-- {
			steps = append(steps, events[i].Action)
		}
		want := "create submit return update submit approve activate revalidate rectify rectified request_exit close"
		if strings.Join(steps, " ") != want {
			t.Errorf("timeline: %s\nwant:     %s", strings.Join(steps, " "), want)
		}
		if len(versions) != 2 || versions[0].Version != 2 || fmt.Sprint(versions[0].Changed) != "[cert_subject]" {
			t.Errorf("versions: %d, newest changed %v", len(versions), versions[0].Changed)
		}
		// Each step is in the audit log.
		entries, _, _ := db.Audit().FindAuditEntries(storetest.System(), jianfu.AuditFilter{ObjectType: "channel", ObjectID: fmt.Sprint(c.ID), Page: jianfu.Page{Limit: 100}})
		actions := map[string]bool{}
		for _, e := range entries {
			actions[e.Action] = true
		}
		for _, a := range []string{"channel.create", "channel.submit", "channel.approve", "channel.close", "channel.update"} {
			if !actions[a] {
				t.Errorf("no audit entry %s", a)
			}
		}
	})
}

func TestReviewerRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		withClock(db)
		f := storetest.Load(t, db)
		sup := f.Ctx(t, db, "southSup")
		// The county office's own account: it cannot approve it itself.
		own := &jianfu.Channel{Kind: jianfu.KindAccount, Name: "网信江南", UnitID: f.Units["south"].ID, Platform: "weibo"}
		if err := db.Channels().CreateChannel(sup, own); err != nil {
			t.Fatal(err)
		}
		mustAct(t, db, sup, own.ID, jianfu.ActSubmit, "")
		if _, err := db.Channels().ActOnChannel(sup, own.ID, jianfu.ActApprove, ""); code(err) != jianfu.EFORBIDDEN {
			t.Errorf("a unit approving its own filing: %v", err)
		}
		if acts := db.Channels().AllowedActions(sup, mustFind(t, db, sup, own.ID)); fmt.Sprint(acts) != "[withdraw]" {
			t.Errorf("own unit's submitted channel offers %v", acts)
		}
		// The city above may.
		prov := f.Ctx(t, db, "provSup")
		if got := mustAct(t, db, prov, own.ID, jianfu.ActApprove, ""); got.FilingNumber != "390102B202600001" {
			t.Errorf("filing number %q", got.FilingNumber)
		}
		// A township school's group is numbered with its county's code; the
		// sequence runs per region, kind and year.
		g1 := &jianfu.Channel{Kind: jianfu.KindGroup, Name: "望江中学教师工作群", UnitID: f.Units["southSchool"].ID, Platform: "dingtalk", Purpose: "教学安排通知"}
		g2 := &jianfu.Channel{Kind: jianfu.KindGroup, Name: "江南区教育局办公室群", UnitID: f.Units["southEdu"].ID, Platform: "wecom", Purpose: "局机关日常工作"}
		for _, g := range []*jianfu.Channel{g1, g2} {
			if err := db.Channels().CreateChannel(storetest.System(), g); err != nil {
				t.Fatal(err)
			}
			mustAct(t, db, f.Ctx(t, db, "eduAdmin"), g.ID, jianfu.ActSubmit, "")
		}
		n1 := mustAct(t, db, sup, g1.ID, jianfu.ActApprove, "").FilingNumber
		n2 := mustAct(t, db, sup, g2.ID, jianfu.ActApprove, "").FilingNumber
		if n1 != "390102C202600001" || n2 != "390102C202600002" {
			t.Errorf("group filing numbers %s, %s", n1, n2)
		}
		// A supervisor files only its own office's channels, not those it reviews.
		a := &jianfu.Channel{Kind: jianfu.KindApp, Name: "江南智慧教育", UnitID: f.Units["southEdu"].ID, Platform: "android"}
		if err := db.Channels().CreateChannel(sup, a); code(err) != jianfu.EFORBIDDEN {
			t.Errorf("a supervisor filing for a unit it reviews: %v", err)
		}
		// Someone who may both file (system administrator) and review cannot
		// approve what they submitted.
		both := &jianfu.User{Username: "south.both", Name: "双角色", UnitID: f.Units["south"].ID, Roles: []jianfu.Role{jianfu.RoleSysAdmin, jianfu.RoleReviewer}}
		if err := db.Users().CreateUser(storetest.System(), both, storetest.FixturePassword); err != nil {
			t.Fatal(err)
		}
		f.Users["both"] = both
		bctx := f.Ctx(t, db, "both")
		if err := db.Channels().CreateChannel(bctx, a); err != nil {
			t.Fatal(err)
		}
		mustAct(t, db, bctx, a.ID, jianfu.ActSubmit, "")
		if _, err := db.Channels().ActOnChannel(bctx, a.ID, jianfu.ActApprove, ""); code(err) != jianfu.EFORBIDDEN {
			t.Errorf("the submitter approving: %v", err)
		}
		if acts := db.Channels().AllowedActions(sup, mustFind(t, db, sup, a.ID)); fmt.Sprint(acts) != "[approve return]" {
			t.Errorf("the county reviewer's actions on a unit's submission: %v", acts)
		}
		// Staff and auditors review nothing and register nothing.
		for _, key := range []string{"schoolStaff", "cityAuditor"} {
			ctx := f.Ctx(t, db, key)
			if err := db.Channels().CreateChannel(ctx, &jianfu.Channel{Kind: jianfu.KindGroup, Name: "x群", UnitID: f.Units["southSchool"].ID, Platform: "qq"}); code(err) != jianfu.EFORBIDDEN {
				t.Errorf("%s registered a channel: %v", key, err)
			}
		}
	})
}

func mustFind(t *testing.T, db *store.DB, ctx context.Context, id int64) *jianfu.Channel {
	t.Helper()
	c, err := db.Channels().FindChannelByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestConcurrentApprovalsGetDistinctNumbers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := storetest.Load(t, db)
		sys := storetest.System()
		var ids []int64
		for i := 0; i < 12; i++ {
			c := &jianfu.Channel{Kind: jianfu.KindApp, Name: fmt.Sprintf("应用%02d号", i), UnitID: f.Units["southEdu"].ID, Platform: "android"}
			if err := db.Channels().CreateChannel(sys, c); err != nil {
				t.Fatal(err)
			}
			mustAct(t, db, sys, c.ID, jianfu.ActSubmit, "")
			ids = append(ids, c.ID)
		}
		var wg sync.WaitGroup
		numbers := make([]string, len(ids))
		errs := make([]error, len(ids))
		for i, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, err := db.Channels().ActOnChannel(f.Ctx(t, db, "provSup"), id, jianfu.ActApprove, "")
				errs[i] = err
				if err == nil {
					numbers[i] = c.FilingNumber
				}
			}()
		}
		wg.Wait()
		seen := map[string]bool{}
		for i := range ids {
			if errs[i] != nil {
				t.Fatalf("approval %d: %v", i, errs[i])
			}
			if seen[numbers[i]] || !strings.HasPrefix(numbers[i], "390102A") {
				t.Errorf("filing number %q repeated or malformed", numbers[i])
			}
			seen[numbers[i]] = true
		}
	})
}

func TestRuleChecksAtSubmission(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		withClock(db)
		f := storetest.Load(t, db)
		admin := f.Ctx(t, db, "eduAdmin")
		first := fileChannel(t, db, &jianfu.Channel{Kind: jianfu.KindAccount, Name: "江南教育", UnitID: f.Units["southEdu"].ID, Platform: "wechat_oa", PlatformID: "gh_0123456789ab"})
		_ = first
		// A second WeChat account of the same unit, under a name not tied to it.
		second := &jianfu.Channel{Kind: jianfu.KindAccount, Name: "阳光少年成长营", UnitID: f.Units["southEdu"].ID, Platform: "wechat_oa"}
		db.Channels().CreateChannel(admin, second)
		got := mustAct(t, db, admin, second.ID, jianfu.ActSubmit, "")
		r := hasRule(got.Checks, jianfu.RuleAccountPerPlatform)
		if r == nil || r.Level != jianfu.LevelWarn || !strings.Contains(r.Clause, "一个单位原则上在同一平台只开设一个政务新媒体账号") || len(r.Related) != 1 || r.Related[0].Name != "江南教育" {
			t.Errorf("one account per platform: %+v", r)
		}
		smart := &jianfu.Channel{Kind: jianfu.KindApp, Name: "江南智慧教育", Functions: "教师打卡、学习积分排名、点赞转发排名", UnitID: f.Units["southEdu"].ID, Platform: "android"}
		if err := db.Channels().CreateChannel(admin, smart); err != nil {
			t.Fatal(err)
		}
		submitted := mustAct(t, db, admin, smart.ID, jianfu.ActSubmit, "")
		if r := hasRule(submitted.Checks, jianfu.RuleFunctionFormalism); r == nil || !strings.Contains(r.Message, "打卡签到") || !strings.Contains(r.Clause, "不得作强制性要求") {
			t.Errorf("an app whose functions are 教师打卡、学习积分排名 passed the filing check: %+v", submitted.Checks)
		}
		if hasRule(got.Checks, jianfu.RuleAccountNameUnit) == nil {
			t.Errorf("a name not tied to the unit is not flagged: %+v", got.Checks)
		}
		// The same platform id again is refused outright.
		dup := &jianfu.Channel{Kind: jianfu.KindAccount, Name: "江南教育发布", UnitID: f.Units["southSchool"].ID, Platform: "wechat_oa", PlatformID: "gh_0123456789ab"}
		db.Channels().CreateChannel(storetest.System(), dup)
		_, err := db.Channels().ActOnChannel(storetest.System(), dup.ID, jianfu.ActSubmit, "")
		if je, ok := err.(*jianfu.Error); !ok || je.Code != jianfu.EINVALID || je.Problems[0].Field != jianfu.RulePlatformIDTaken {
			t.Errorf("a taken platform id: %v", err)
		}
		// Without the id, the school's 江南教育发布 is a near-duplicate of the
		// bureau's 江南教育 in the same county.
		dup.PlatformID = ""
		if _, err := db.Channels().UpdateChannel(storetest.System(), dup.ID, dup, 0); err != nil {
			t.Fatal(err)
		}
		got = mustAct(t, db, storetest.System(), dup.ID, jianfu.ActSubmit, "")
		if r := hasRule(got.Checks, jianfu.RuleNameDuplicate); r == nil || r.Related[0].UnitName != "江州市江南区教育局" || r.Related[0].Similarity < 80 {
			t.Errorf("near-duplicate: %+v", r)
		}
		// A township app, and a temporary group without an end date.
		app := &jianfu.Channel{Kind: jianfu.KindApp, Name: "望江中学APP", UnitID: f.Units["southSchool"].ID, Platform: "android"}
		checks, err := db.Channels().CheckChannel(admin, app)
		if err != nil || hasRule(checks, jianfu.RuleAppBelowCounty) == nil {
			t.Errorf("below-county app: %v %+v", err, checks)
		}
		grp := &jianfu.Channel{Kind: jianfu.KindGroup, Name: "防汛临时群", UnitID: f.Units["southEdu"].ID, Platform: "wechat", Temporary: true}
		db.Channels().CreateChannel(admin, grp)
		if _, err := db.Channels().ActOnChannel(admin, grp.ID, jianfu.ActSubmit, ""); code(err) != jianfu.EINVALID || !strings.Contains(jianfu.ErrorMessage(err, "zh"), "结束日期") {
			t.Errorf("a temporary group without an end date: %v", err)
		}
		// Rules are data: switched off, the check is gone; only province supervisors may.
		s := ruleOf(t, db, jianfu.RuleGroupTemporaryEnd)
		s.Enabled = false
		if err := db.Registry().UpdateRuleSetting(f.Ctx(t, db, "southSup"), s); code(err) != jianfu.EFORBIDDEN {
			t.Errorf("a county supervisor changed a rule: %v", err)
		}
		if err := db.Registry().UpdateRuleSetting(f.Ctx(t, db, "provSup"), s); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Channels().ActOnChannel(admin, grp.ID, jianfu.ActSubmit, ""); err != nil {
			t.Errorf("with the rule off: %v", err)
		}
		entries, _, _ := db.Audit().FindAuditEntries(storetest.System(), jianfu.AuditFilter{Action: "registry.rule", Page: jianfu.Page{Limit: 10}})
		if len(entries) != 1 || entries[0].ActorName != "prov.sup" || !strings.Contains(entries[0].Detail, "enabled true→false") {
			t.Errorf("rule change audit: %+v", entries)
		}
	})
}

func ruleOf(t *testing.T, db *store.DB, key string) *jianfu.RuleSetting {
	t.Helper()
	all, err := db.Registry().RuleSettings(storetest.System())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		if s.Rule == key {
			return s
		}
	}
	t.Fatalf("no rule %s", key)
	return nil
}

func TestChangeOfAFiledChannelIsReviewed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		withClock(db)
		f := storetest.Load(t, db)
		admin, sup := f.Ctx(t, db, "eduAdmin"), f.Ctx(t, db, "southSup")
		c := fileChannel(t, db, &jianfu.Channel{Kind: jianfu.KindAccount, Name: "江南教育", UnitID: f.Units["southEdu"].ID, Platform: "weibo", PlatformID: "2803301701"})
		c.Name = "江南教育发布"
		got, err := db.Channels().UpdateChannel(admin, c.ID, c, c.Version)
		if err != nil {
			t.Fatal(err)
		}
		if got.Pending == nil || got.Name != "江南教育" || got.Pending.Proposed.Name != "江南教育发布" {
			t.Fatalf("a filed channel's edit is a pending change, got name %q pending %+v", got.Name, got.Pending)
		}
		if acts := db.Channels().AllowedActions(sup, got); !strings.Contains(fmt.Sprint(acts), "approve_change") {
			t.Errorf("reviewer actions: %v", acts)
		}
		if _, err := db.Channels().ActOnChannel(admin, c.ID, jianfu.ActRequestExit, "x"); code(err) != jianfu.EINVALID {
			t.Errorf("asking to exit with a change pending: %v", err)
		}
		done := mustAct(t, db, sup, c.ID, jianfu.ActApproveChange, "")
		if done.Name != "江南教育发布" || done.Pending != nil || done.Version != c.Version+1 || done.FilingNumber != c.FilingNumber {
			t.Errorf("after the change: %q pending=%v v%d %s", done.Name, done.Pending, done.Version, done.FilingNumber)
		}
		// The search index follows the new name.
		if _, n, _ := db.Channels().FindChannels(sup, jianfu.ChannelFilter{Query: "教育发布"}); n != 1 {
			t.Errorf("search by the new name: %d", n)
		}
	})
}

func TestFindChannelsFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := withClock(db)
		f := storetest.Load(t, db)
		sys := storetest.System()
		a1 := fileChannel(t, db, &jianfu.Channel{Kind: jianfu.KindAccount, Name: "江南教育", UnitID: f.Units["southEdu"].ID, Platform: "wechat_oa", PlatformID: "gh_aaaaaaaaaaaa", Handle: "JiangnanEdu"})
		a2 := fileChannel(t, db, &jianfu.Channel{Kind: jianfu.KindAccount, Name: "江北教育", UnitID: f.Units["northEdu"].ID, Platform: "douyin"})
		g1 := &jianfu.Channel{Kind: jianfu.KindGroup, Name: "望江中学毕业班家长群", UnitID: f.Units["southSchool"].ID, Platform: "wechat", Temporary: true, EndDate: "2026-06-30"}
		db.Channels().CreateChannel(sys, g1)
		app := &jianfu.Channel{Kind: jianfu.KindApp, Name: "江州办事", UnitID: f.Units["city"].ID, Platform: "ios"}
		db.Channels().CreateChannel(sys, app)
		ids := func(list []*jianfu.Channel) string {
			var s []string
			for _, c := range list {
				s = append(s, c.Name)
			}
			return strings.Join(s, ",")
		}
		prov := f.Ctx(t, db, "provSup")
		tests := []struct {
			who  string
			f    jianfu.ChannelFilter
			want string
		}{
			{"provSup", jianfu.ChannelFilter{}, "江州办事,望江中学毕业班家长群,江北教育,江南教育"},
			{"southSup", jianfu.ChannelFilter{}, "望江中学毕业班家长群,江南教育"},
			{"eduAdmin", jianfu.ChannelFilter{}, "望江中学毕业班家长群,江南教育"},
			{"schoolStaff", jianfu.ChannelFilter{}, "望江中学毕业班家长群"},
			{"northAdmin", jianfu.ChannelFilter{}, "江北教育"},
			{"provSup", jianfu.ChannelFilter{Kind: jianfu.KindAccount}, "江北教育,江南教育"},
			{"provSup", jianfu.ChannelFilter{Platform: "douyin"}, "江北教育"},
			{"provSup", jianfu.ChannelFilter{Kind: jianfu.KindGroup, Platform: "douyin"}, ""},
			{"provSup", jianfu.ChannelFilter{Status: jianfu.StatusDraft}, "江州办事,望江中学毕业班家长群"},
			{"provSup", jianfu.ChannelFilter{RegionPath: "390102"}, "望江中学毕业班家长群,江南教育"},
			{"provSup", jianfu.ChannelFilter{RegionPath: "390102001"}, "望江中学毕业班家长群"},
			{"southSup", jianfu.ChannelFilter{RegionPath: "390103"}, ""},
			{"southSup", jianfu.ChannelFilter{RegionPath: "39"}, "望江中学毕业班家长群,江南教育"},
			{"provSup", jianfu.ChannelFilter{UnitID: f.Units["northEdu"].ID}, "江北教育"},
			{"provSup", jianfu.ChannelFilter{Query: "教育"}, "江北教育,江南教育"},
			{"provSup", jianfu.ChannelFilter{Query: "ＪＩＡＮＧＮＡＮEDU"}, ""},
			{"provSup", jianfu.ChannelFilter{Query: "jiangnanedu"}, "江南教育"},
			{"provSup", jianfu.ChannelFilter{Query: "gh_aaaaaaaaaaaa"}, "江南教育"},
			{"provSup", jianfu.ChannelFilter{Query: strings.ToLower(a2.FilingNumber)}, "江北教育"},
			{"provSup", jianfu.ChannelFilter{Query: "家长 群"}, "望江中学毕业班家长群"},
			{"provSup", jianfu.ChannelFilter{Page: jianfu.Page{Sort: "name"}}, "望江中学毕业班家长群,江北教育,江南教育,江州办事"},
		}
		for _, tt := range tests {
			list, n, err := db.Channels().FindChannels(f.Ctx(t, db, tt.who), tt.f)
			if err != nil {
				t.Errorf("%s %+v: %v", tt.who, tt.f, err)
				continue
			}
			if got := ids(list); got != tt.want || n != len(list) {
				t.Errorf("%s %+v: %q (total %d), want %q", tt.who, tt.f, got, n, tt.want)
			}
		}
		if _, _, err := db.Channels().FindChannels(prov, jianfu.ChannelFilter{Query: "江"}); code(err) != jianfu.EINVALID {
			t.Errorf("a one-character name search: %v", err)
		}
		// Lists mask personal data; the detail shows it to those who may see it.
		db.Channels().UpdateChannel(sys, g1.ID, &jianfu.Channel{Name: g1.Name, Platform: "wechat", Temporary: true, EndDate: "2026-06-30", Owner: "李老师", ResponsiblePerson: "李明华", ResponsiblePhone: "13912345678"}, 0)
		list, _, _ := db.Channels().FindChannels(f.Ctx(t, db, "eduAdmin"), jianfu.ChannelFilter{Kind: jianfu.KindGroup})
		if list[0].ResponsiblePhone != "139****5678" {
			t.Errorf("list shows phone %q", list[0].ResponsiblePhone)
		}
		if c := mustFind(t, db, f.Ctx(t, db, "eduAdmin"), g1.ID); c.ResponsiblePhone != "13912345678" || c.Masked {
			t.Errorf("the unit admin sees %q", c.ResponsiblePhone)
		}
		if c := mustFind(t, db, f.Ctx(t, db, "schoolStaff"), g1.ID); c.ResponsiblePerson != "李**" || c.Owner != "李**" {
			t.Errorf("staff sees %q / %q", c.ResponsiblePerson, c.Owner)
		}
		// The expired temporary group shows once its end date passes.
		clk.add(200 * 24 * time.Hour)
		if list, _, _ := db.Channels().FindChannels(prov, jianfu.ChannelFilter{Expired: true}); ids(list) != "望江中学毕业班家长群" {
			t.Errorf("expired groups: %q", ids(list))
		}
		_ = a1
	})
}

func TestVerifyChannel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		withClock(db)
		f := storetest.Load(t, db)
		live := fileChannel(t, db, &jianfu.Channel{Kind: jianfu.KindAccount, Name: "江南发布", UnitID: f.Units["south"].ID, Platform: "weibo", PlatformID: "2803301701", Handle: "江南发布"})
		gone := fileChannel(t, db, &jianfu.Channel{Kind: jianfu.KindAccount, Name: "江南旧闻", UnitID: f.Units["southEdu"].ID, Platform: "wechat_oa", PlatformID: "MzA5NzM4NjYxMQ=="})
		sys := storetest.System()
		mustAct(t, db, sys, gone.ID, jianfu.ActRequestExit, "合并")
		mustAct(t, db, sys, gone.ID, jianfu.ActClose, "")
		draft := &jianfu.Channel{Kind: jianfu.KindAccount, Name: "江南秘闻", UnitID: f.Units["southEdu"].ID, Platform: "douyin", PlatformID: "secret1"}
		db.Channels().CreateChannel(sys, draft)
		ctx := context.Background() // no actor: the public
		tests := []struct {
			q, verdict, name string
		}{
			{"https://weibo.com/u/2803301701", jianfu.VerdictFiled, "江南发布"},
			{live.FilingNumber, jianfu.VerdictFiled, "江南发布"},
			{"江南发布", jianfu.VerdictFiled, "江南发布"},
			{"https://mp.weixin.qq.com/s?__biz=MzA5NzM4NjYxMQ==&mid=1", jianfu.VerdictClosed, "江南旧闻"},
			{"secret1", jianfu.VerdictUnknown, ""},
			{"江南秘闻", jianfu.VerdictUnknown, ""},
			{"https://weibo.com/u/9999999999", jianfu.VerdictUnknown, ""},
		}
		for _, tt := range tests {
			v, err := db.Registry().VerifyChannel(ctx, tt.q)
			if err != nil {
				t.Fatalf("%s: %v", tt.q, err)
			}
			if v.Verdict != tt.verdict || tt.name != "" && (len(v.Matches) == 0 || v.Matches[0].Name != tt.name) {
				t.Errorf("verify %q: %s %+v, want %s %s", tt.q, v.Verdict, v.Matches, tt.verdict, tt.name)
			}
			if tt.name != "" && (v.Matches[0].UnitName == "" || v.Matches[0].FiledAt == nil) {
				t.Errorf("verify %q: no owner or filing date: %+v", tt.q, v.Matches[0])
			}
		}
		v, _ := db.Registry().VerifyChannel(ctx, "江南发布官方")
		if v.Verdict != jianfu.VerdictUnknown || len(v.Similar) == 0 || v.Similar[0].Name != "江南发布" {
			t.Errorf("an impostor's name: %+v", v)
		}
		if _, err := db.Registry().VerifyChannel(ctx, " "); code(err) != jianfu.EINVALID {
			t.Errorf("empty query: %v", err)
		}
	})
}

func TestImportChannels(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		withClock(db)
		f := storetest.Load(t, db)
		edu := f.Units["southEdu"]
		rows := []*jianfu.ChannelImport{
			{Row: 2, UnitRef: edu.CreditCode, Channel: jianfu.Channel{Kind: jianfu.KindAccount, Name: "江南教育", Platform: "wechat_oa", Status: jianfu.StatusActive, FilingNumber: "390102B201900007"}},
			{Row: 3, UnitRef: "江州市江南区望江中学", Channel: jianfu.Channel{Kind: jianfu.KindGroup, Name: "望江中学教师群", Platform: "dingtalk"}},
			{Row: 4, UnitRef: "不存在的单位", Channel: jianfu.Channel{Kind: jianfu.KindApp, Name: "x", Platform: "ios"}},
		}
		_, err := db.Registry().ImportChannels(f.Ctx(t, db, "eduAdmin"), rows)
		je, ok := err.(*jianfu.Error)
		if !ok || len(je.Problems) != 2 || je.Problems[0].Row != 2 || je.Problems[1].Row != 4 {
			t.Fatalf("a unit admin importing a filed row and an unknown unit: %v", err)
		}
		if _, n, _ := db.Channels().FindChannels(storetest.System(), jianfu.ChannelFilter{}); n != 0 {
			t.Fatalf("a refused import saved %d channels", n)
		}
		n, err := db.Registry().ImportChannels(storetest.System(), rows[:2])
		if err != nil || n != 2 {
			t.Fatalf("import: %d %v", n, err)
		}
		// The ledger's number is kept, and the sequence moves past it.
		list, _, _ := db.Channels().FindChannels(storetest.System(), jianfu.ChannelFilter{Query: "390102B201900007"})
		if len(list) != 1 || list[0].Status != jianfu.StatusActive || list[0].RevalidationDue == nil {
			t.Fatalf("imported filed record: %+v", list)
		}
		if v, _ := db.Registry().VerifyChannel(context.Background(), "390102B201900007"); v.Verdict != jianfu.VerdictFiled {
			t.Errorf("an imported filed account does not verify: %+v", v)
		}
		again := []*jianfu.ChannelImport{{Row: 2, UnitRef: edu.CreditCode, Channel: jianfu.Channel{Kind: jianfu.KindAccount, Name: "江南教育2", Platform: "weibo", Status: jianfu.StatusActive, FilingNumber: "390102B201900007"}}}
		if _, err := db.Registry().ImportChannels(storetest.System(), again); code(err) != jianfu.EINVALID {
			t.Errorf("a taken filing number: %v", err)
		}
	})
}

func TestConsolidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := withClock(db)
		f := storetest.Load(t, db)
		fileChannel(t, db, &jianfu.Channel{Kind: jianfu.KindAccount, Name: "江南教育", UnitID: f.Units["southEdu"].ID, Platform: "wechat_oa"})
		fileChannel(t, db, &jianfu.Channel{Kind: jianfu.KindAccount, Name: "江南教育发布", UnitID: f.Units["southSchool"].ID, Platform: "weibo"})
		fileChannel(t, db, &jianfu.Channel{Kind: jianfu.KindAccount, Name: "江北教育", UnitID: f.Units["northEdu"].ID, Platform: "wechat_oa"})
		for i, p := range []string{"wechat", "qq", "dingtalk"} {
			fileChannel(t, db, &jianfu.Channel{Kind: jianfu.KindGroup, Name: fmt.Sprintf("工作群%d", i), UnitID: f.Units["southEdu"].ID, Platform: p, Owner: "张三", Admins: []string{"李四"},
				Temporary: i == 0, EndDate: map[bool]string{true: "2026-04-01", false: ""}[i == 0]})
		}
		// Two peer schools under the bureau: their look-alike accounts
		// point to the bureau; 一中 and 二中 are two schools.
		var peers []int64
		for i, name := range []string{"江州市江南区望江一中", "江州市江南区望江二中"} {
			u := &jianfu.Unit{Name: name, Type: jianfu.UnitInstitution, RegionCode: "390102001", ParentID: f.Units["southEdu"].ID,
				CreditCode: jianfu.MakeCreditCode("12", "390102", fmt.Sprintf("0000009%d", i))}
			if err := db.Units().CreateUnit(storetest.System(), u); err != nil {
				t.Fatal(err)
			}
			peers = append(peers, u.ID)
		}
		fileChannel(t, db, &jianfu.Channel{Kind: jianfu.KindAccount, Name: "望江校园安全教育", UnitID: peers[0], Platform: "douyin"})
		fileChannel(t, db, &jianfu.Channel{Kind: jianfu.KindAccount, Name: "望江校园安全教育平台", UnitID: peers[1], Platform: "douyin"})
		fileChannel(t, db, &jianfu.Channel{Kind: jianfu.KindAccount, Name: "望江一中", UnitID: peers[0], Platform: "kuaishou"})
		fileChannel(t, db, &jianfu.Channel{Kind: jianfu.KindAccount, Name: "望江二中", UnitID: peers[1], Platform: "kuaishou"})
		clk.add(60 * 24 * time.Hour)
		view, err := db.Registry().Consolidate(f.Ctx(t, db, "provSup"), jianfu.ConsolidationFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var kept, coordinated *jianfu.DuplicateCluster
		for i, c := range view.Clusters {
			switch {
			case c.Keep.ID != 0:
				kept = &view.Clusters[i]
			case c.CompetentID != 0:
				coordinated = &view.Clusters[i]
			}
		}
		if len(view.Clusters) != 2 || kept == nil || kept.Keep.Name != "江南教育" || len(kept.Merge) != 1 || kept.Merge[0].Name != "江南教育发布" {
			t.Errorf("clusters: %+v (江北教育 is another county's and not a duplicate; 望江一中 and 望江二中 are two schools)", view.Clusters)
		}
		if coordinated == nil || coordinated.CompetentName != "江州市江南区教育局" || len(coordinated.Merge) != 2 {
			t.Errorf("peer schools' accounts should be coordinated by their bureau, not merged into one school's: %+v", view.Clusters)
		}
		if len(view.ExpiredGroups) != 1 || view.ExpiredGroups[0].Name != "工作群0" {
			t.Errorf("expired groups: %+v", view.ExpiredGroups)
		}
		if len(view.People) != 2 || view.People[0].Groups != 3 || view.People[0].Name != "张三" {
			t.Errorf("people: %+v", view.People)
		}
		if view.Units[0].UnitName != "江州市江南区教育局" || view.Units[0].Total != 4 {
			t.Errorf("units: %+v", view.Units)
		}
		staffView, err := db.Registry().Consolidate(f.Ctx(t, db, "eduAdmin"), jianfu.ConsolidationFilter{})
		if err != nil || staffView.People[0].Name != "张*" {
			t.Errorf("a unit admin sees people %+v (%v)", staffView.People, err)
		}
	})
}

// Groups told apart only by a grade, class or year serve different people:
// filing the second is not "a unit's second group for one purpose", while
// the same group once more is.
func TestNumberedNamesAreNotDuplicates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		withClock(db)
		f := storetest.Load(t, db)
		unit := f.Units["southSchool"].ID
		submit := func(name, purpose string) []jianfu.CheckResult {
			c := &jianfu.Channel{Kind: jianfu.KindGroup, Name: name, Purpose: purpose, UnitID: unit, Platform: "wecom"}
			if err := db.Channels().CreateChannel(storetest.System(), c); err != nil {
				t.Fatal(err)
			}
			return mustAct(t, db, storetest.System(), c.ID, jianfu.ActSubmit, "").Checks
		}
		for _, pair := range [][3]string{
			{"实验小学1年级家长群", "实验小学5年级家长群", "家校沟通,发布班级通知"},
			{"初三一班学生工作群", "初三二班学生工作群", "布置作业,收集学生情况"},
			{"2025届毕业生就业群", "2026届毕业生就业群", "毕业生就业信息发布"},
		} {
			fileChannel(t, db, &jianfu.Channel{Kind: jianfu.KindGroup, Name: pair[0], Purpose: pair[2], UnitID: unit, Platform: "wecom"})
			if r := hasRule(submit(pair[1], pair[2]), jianfu.RuleGroupPerPurpose); r != nil {
				t.Errorf("%s flagged as a second group for the purpose of %s: %+v", pair[1], pair[0], r)
			}
		}
		r := hasRule(submit("实验小学1年级家长群", "家校沟通,发布班级通知"), jianfu.RuleGroupPerPurpose)
		if r == nil || len(r.Related) == 0 || r.Related[0].Name != "实验小学1年级家长群" {
			t.Errorf("the same group filed twice is not flagged: %+v", r)
		}
	})
}
