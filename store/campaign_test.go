package store_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// campaignClock is a fixed working Monday, so deadlines are predictable.
var campaignClock = time.Date(2026, 3, 9, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

// addChannel registers an active channel as the system.
func addChannel(t testing.TB, db *store.DB, unit *jianfu.Unit, kind jianfu.ChannelKind, platform, name string, edit ...func(*jianfu.Channel)) *jianfu.Channel {
	t.Helper()
	c := &jianfu.Channel{Kind: kind, Platform: platform, Name: name, UnitID: unit.ID, Status: jianfu.StatusActive}
	last := db.Now().Add(-2 * 24 * time.Hour)
	c.LastActivityAt = &last
	for _, e := range edit {
		e(c)
	}
	if err := db.Channels().CreateChannel(storetest.System(), c); err != nil {
		t.Fatalf("channel %s: %v", name, err)
	}
	return c
}

// addInspector creates a user with the inspector role in a unit.
func addInspector(t testing.TB, db *store.DB, f *storetest.Fixture, key, username, unitKey string) {
	t.Helper()
	u := &jianfu.User{Username: username, Name: "抽查员" + key, UnitID: f.Units[unitKey].ID, Roles: []jianfu.Role{jianfu.RoleInspector}, Phone: "13800005678"}
	if err := db.Users().CreateUser(storetest.System(), u, storetest.FixturePassword); err != nil {
		t.Fatal(err)
	}
	f.Users[key] = u
}

// population makes 60 channels over both counties and all kinds.
func population(t testing.TB, db *store.DB, f *storetest.Fixture) {
	t.Helper()
	plan := []struct {
		unit, platform string
		kind           jianfu.ChannelKind
		n              int
	}{
		{"southEdu", "wechat_oa", jianfu.KindAccount, 14},
		{"southSchool", "wechat", jianfu.KindGroup, 16},
		{"southEdu", "wechat_mini", jianfu.KindApp, 5},
		{"northEdu", "weibo", jianfu.KindAccount, 9},
		{"northEdu", "dingtalk", jianfu.KindGroup, 12},
		{"north", "android", jianfu.KindApp, 4},
	}
	for _, p := range plan {
		for i := 0; i < p.n; i++ {
			addChannel(t, db, f.Units[p.unit], p.kind, p.platform, fmt.Sprintf("%s-%s-%02d", f.Units[p.unit].Name[len(f.Units[p.unit].Name)-9:], p.platform, i))
		}
	}
}

func TestSampleSameSeedSameSampleOnBothEngines(t *testing.T) {
	var mu sync.Mutex
	samples := map[string][]string{}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return campaignClock }
		f := storetest.Load(t, db)
		population(t, db, f)
		ctx := f.Ctx(t, db, "provSup")
		c := &jianfu.Campaign{Name: "2026年一季度江州市抽查", RegionPath: "3901", SampleSize: 12, Seed: 20260309}
		if err := db.Campaigns().CreateCampaign(ctx, c); err != nil {
			t.Fatal(err)
		}
		if c.Population != 60 || c.Sampled != 12 {
			t.Fatalf("population %d, sampled %d; want 60 and 12", c.Population, c.Sampled)
		}
		// Every stratum (county × kind) is represented in proportion:
		// its share of 12 rounded by largest remainder.
		if len(c.Strata) != 6 {
			t.Fatalf("strata: %+v", c.Strata)
		}
		for _, s := range c.Strata {
			quota := float64(s.Population) * 12 / 60
			if s.Sampled < 1 || math.Abs(float64(s.Sampled)-quota) >= 1 {
				t.Errorf("stratum %s: %d of %d sampled, quota %.2f", s.Key, s.Sampled, s.Population, quota)
			}
		}
		forms, n, err := db.Campaigns().FindForms(ctx, jianfu.FormFilter{CampaignID: c.ID, Page: jianfu.Page{Limit: 100, Sort: "channel"}})
		if err != nil || n != 12 {
			t.Fatalf("forms: %d %v", n, err)
		}
		var names []string
		for _, fm := range forms {
			names = append(names, fm.ChannelName)
		}
		mu.Lock()
		samples[string(db.Engine())] = names
		mu.Unlock()
		check, err := db.Campaigns().VerifySample(ctx, c.ID)
		if err != nil || !check.Match || len(check.Redrawn) != 12 {
			t.Errorf("redraw: %+v %v", check, err)
		}
		// Another seed draws another sample over the same strata.
		c2 := &jianfu.Campaign{Name: "对照", RegionPath: "3901", SampleSize: 12, Seed: 7}
		if err := db.Campaigns().CreateCampaign(ctx, c2); err != nil {
			t.Fatal(err)
		}
		f2, _, _ := db.Campaigns().FindForms(ctx, jianfu.FormFilter{CampaignID: c2.ID, Page: jianfu.Page{Limit: 100, Sort: "channel"}})
		var names2 []string
		for _, fm := range f2 {
			names2 = append(names2, fm.ChannelName)
		}
		if strings.Join(names, ",") == strings.Join(names2, ",") {
			t.Error("seeds 20260309 and 7 drew the same sample")
		}
		// A county supervisor neither sees the city campaign nor its forms
		// outside the county; the other county's forms answer not found.
		if _, err := db.Campaigns().FindCampaignByID(f.Ctx(t, db, "southSup"), c.ID); code(err) != jianfu.ENOTFOUND {
			t.Errorf("county supervisor reads the city campaign: %v", err)
		}
		for _, fm := range forms {
			_, _, err := db.Campaigns().FindFormByID(f.Ctx(t, db, "southSup"), fm.ID)
			south := strings.HasPrefix(fm.RegionPath, "390102")
			if south && err != nil || !south && code(err) != jianfu.ENOTFOUND {
				t.Errorf("south supervisor reads form of %s: %v", fm.ChannelName, err)
			}
		}
	})
	if a, b := samples["sqlite"], samples["postgres"]; a != nil && b != nil && strings.Join(a, ",") != strings.Join(b, ",") {
		t.Errorf("the same seed drew different samples:\nsqlite   %v\npostgres %v", a, b)
	}
}

func TestCampaignVetoFailsAndLeavesRectification(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return campaignClock }
		f := storetest.Load(t, db)
		addInspector(t, db, f, "southInsp", "south.insp", "south")
		acct := addChannel(t, db, f.Units["southEdu"], jianfu.KindAccount, "wechat_oa", "江南教育发布")
		sup := f.Ctx(t, db, "southSup")
		c := &jianfu.Campaign{Name: "江南区政务新媒体抽查", RegionPath: "390102", SampleRate: 1, Kinds: []jianfu.ChannelKind{jianfu.KindAccount},
			Inspectors: []int64{f.Users["southInsp"].ID}}
		if err := db.Campaigns().CreateCampaign(sup, c); err != nil {
			t.Fatal(err)
		}
		forms, _, _ := db.Campaigns().FindForms(sup, jianfu.FormFilter{CampaignID: c.ID})
		if len(forms) != 1 || forms[0].ChannelID != acct.ID || forms[0].InspectorID != f.Users["southInsp"].ID {
			t.Fatalf("forms: %+v", forms)
		}
		// The inspector is told of the forms assigned, with a link to their list.
		if notes := mustNotesItems(t, db, f.Ctx(t, db, "southInsp")); len(notes) != 1 || notes[0].Kind != jianfu.NoteFormAssigned ||
			notes[0].Title != "专项抽查“江南区政务新媒体抽查”分配给您1份检查表单" || notes[0].Link != "/forms" {
			t.Errorf("the inspector's inbox: %+v", notes)
		}
		id := forms[0].ID
		// The unit administrator sees its channel's form but may not fill it.
		if _, _, err := db.Campaigns().FindFormByID(f.Ctx(t, db, "eduAdmin"), id); err != nil {
			t.Errorf("unit admin cannot read its channel's form: %v", err)
		}
		if _, err := db.Campaigns().SaveForm(f.Ctx(t, db, "eduAdmin"), id, jianfu.FormInput{Submit: true}); code(err) != jianfu.EFORBIDDEN {
			t.Errorf("unit admin submitted a form: %v", err)
		}
		insp := f.Ctx(t, db, "southInsp")
		// A veto needs evidence; too many points are refused with the item named.
		if _, err := db.Campaigns().SaveForm(insp, id, jianfu.FormInput{Submit: true, Answers: map[string]jianfu.Answer{"V2": {Hit: true}}}); code(err) != jianfu.EINVALID {
			t.Errorf("veto without evidence: %v", err)
		}
		if _, err := db.Campaigns().SaveForm(insp, id, jianfu.FormInput{Submit: true, Evidence: "x", Answers: map[string]jianfu.Answer{"D1": {Points: 50}}}); code(err) != jianfu.EINVALID ||
			!strings.Contains(err.Error(), "最多扣20分") {
			t.Errorf("50 points off a 20-point item: %v", err)
		}
		fm, err := db.Campaigns().SaveForm(insp, id, jianfu.FormInput{Submit: true, Evidence: "留言功能已关闭,截图见附件", Opinion: "尽快恢复互动功能",
			Answers: map[string]jianfu.Answer{"V2": {Hit: true, Note: "留言区关闭"}, "D2": {Points: 5}}})
		if err != nil {
			t.Fatal(err)
		}
		if fm.Result == nil || fm.Result.Passed || !fm.Result.Vetoed || fm.Result.Score != 95 {
			t.Fatalf("result: %+v", fm.Result)
		}
		// 15 working days from Monday 9 March 2026 is Monday 30 March.
		if fm.RectifyBy != "2026-03-30" || !strings.Contains(fm.Opinion, "互动功能无法正常使用") || !strings.Contains(fm.Opinion, "2026-03-30") {
			t.Errorf("rectify by %s, opinion %q", fm.RectifyBy, fm.Opinion)
		}
		if _, err := db.Campaigns().SaveForm(insp, id, jianfu.FormInput{Submit: true}); code(err) != jianfu.ECONFLICT {
			t.Errorf("second submission: %v", err)
		}
		rects, n, err := db.Campaigns().FindRectifications(f.Ctx(t, db, "eduAdmin"), jianfu.RectificationFilter{})
		if err != nil || n != 1 || rects[0].Status != jianfu.RectOpen || rects[0].ChannelID != acct.ID || rects[0].Deadline != "2026-03-30" {
			t.Fatalf("rectifications: %d %+v %v", n, rects, err)
		}
		if _, n, _ := db.Campaigns().FindRectifications(f.Ctx(t, db, "northSup"), jianfu.RectificationFilter{}); n != 0 {
			t.Error("another county sees the rectification")
		}
		// The failure also opened a case carrying the opinion, for the office to follow.
		if rects[0].CaseID == 0 {
			t.Fatal("the failed check opened no case")
		}
		kase, err := db.Cases().FindCaseByID(sup, rects[0].CaseID)
		if err != nil || kase.Source != jianfu.SourceSpotCheck || !strings.Contains(kase.Description, "互动功能无法正常使用") {
			t.Errorf("the spot-check case: %+v %v", kase, err)
		}
		ch, _ := db.Channels().FindChannelByID(storetest.System(), acct.ID)
		if ch.Status != jianfu.StatusRectifying {
			t.Errorf("failed channel is %s, want rectifying", ch.Status)
		}
		cands, _, err := db.Cleanup().FindCandidates(sup, jianfu.CandidateFilter{Signal: jianfu.SignalFailed})
		if err != nil || len(cands) != 1 || cands[0].ChannelID != acct.ID || !strings.Contains(cands[0].Signals[0].Evidence, "不合格1次") {
			t.Errorf("failed channel as cleanup candidate: %+v %v", cands, err)
		}
		res, err := db.Campaigns().CampaignResults(sup, c.ID)
		if err != nil || len(res.Units) != 1 || res.Units[0].Failed != 1 || res.Units[0].Vetoed != 1 || len(res.Regions) != 1 || res.Regions[0].Name != "江南区" {
			t.Errorf("results: %+v %v", res, err)
		}
		// The unit rectifies: the channel is active again.
		if _, err := db.Campaigns().MarkRectified(f.Ctx(t, db, "eduAdmin"), rects[0].ID, "已恢复留言功能"); err != nil {
			t.Fatal(err)
		}
		ch, _ = db.Channels().FindChannelByID(storetest.System(), acct.ID)
		if ch.Status != jianfu.StatusActive {
			t.Errorf("rectified channel is %s", ch.Status)
		}
		if _, err := db.Campaigns().CloseCampaign(sup, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Campaigns().CloseCampaign(sup, c.ID); code(err) != jianfu.ECONFLICT {
			t.Errorf("closing twice: %v", err)
		}
	})
}

func TestCampaignScopeRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := storetest.Load(t, db)
		addChannel(t, db, f.Units["northEdu"], jianfu.KindGroup, "dingtalk", "江北教育工作群")
		if err := db.Campaigns().CreateCampaign(f.Ctx(t, db, "southSup"), &jianfu.Campaign{Name: "越界", RegionPath: "390103", SampleSize: 1}); code(err) != jianfu.EINVALID {
			t.Errorf("county supervisor samples the other county: %v", err)
		}
		if err := db.Campaigns().CreateCampaign(f.Ctx(t, db, "eduAdmin"), &jianfu.Campaign{Name: "x", RegionPath: "390102", SampleSize: 1}); code(err) != jianfu.EFORBIDDEN {
			t.Errorf("unit admin runs a campaign: %v", err)
		}
		if err := db.Campaigns().CreateCampaign(f.Ctx(t, db, "southSup"), &jianfu.Campaign{Name: "空", RegionPath: "390102", SampleSize: 1}); code(err) != jianfu.EINVALID ||
			!strings.Contains(err.Error(), "没有已备案的在用渠道") {
			t.Errorf("empty scope: %v", err)
		}
		err := db.Campaigns().CreateCampaign(f.Ctx(t, db, "northSup"), &jianfu.Campaign{Name: "x", RegionPath: "390103", SampleSize: 1, Inspectors: []int64{f.Users["southSup"].ID}})
		if code(err) != jianfu.EINVALID {
			t.Errorf("inspector from the other county: %v", err)
		}
		var zero jianfu.Campaign
		if err := db.Campaigns().CreateCampaign(f.Ctx(t, db, "northSup"), &zero); code(err) != jianfu.EINVALID || len(err.(*jianfu.Error).Problems) < 2 {
			t.Errorf("empty campaign: %v", err)
		}
	})
}

func TestChecklistVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := storetest.Load(t, db)
		sup := f.Ctx(t, db, "provSup")
		lists, err := db.Campaigns().FindChecklists(sup, "")
		if err != nil || len(lists) != 3 {
			t.Fatalf("defaults: %d %v", len(lists), err)
		}
		var acct *jianfu.Checklist
		for _, l := range lists {
			if l.Key == "account" {
				acct = l
			}
		}
		if acct == nil || acct.PassMark != 60 || acct.Item("V1").Auto != jianfu.AutoStale || acct.Version != 1 {
			t.Fatalf("account checklist: %+v", acct)
		}
		acct.Items = append(acct.Items, jianfu.ChecklistItem{Key: "B2", Kind: jianfu.ItemBonus, Points: 3, Title: "主动公开减负措施"})
		if err := db.Campaigns().SaveChecklist(f.Ctx(t, db, "eduAdmin"), acct); code(err) != jianfu.EFORBIDDEN {
			t.Errorf("unit admin edits a checklist: %v", err)
		}
		if err := db.Campaigns().SaveChecklist(sup, acct); err != nil {
			t.Fatal(err)
		}
		versions, _ := db.Campaigns().FindChecklists(sup, "account")
		if len(versions) != 2 || versions[0].Version != 2 || !versions[0].Current || versions[1].Current || len(versions[0].Items) != len(versions[1].Items)+1 {
			t.Errorf("versions: %+v", versions)
		}
		bad := *acct
		bad.Items = append([]jianfu.ChecklistItem(nil), acct.Items...)
		bad.Items = append(bad.Items, jianfu.ChecklistItem{Key: "B2", Kind: "maybe", Title: ""})
		err = db.Campaigns().SaveChecklist(sup, &bad)
		if code(err) != jianfu.EINVALID || len(err.(*jianfu.Error).Problems) < 3 {
			t.Errorf("bad checklist: %v", err)
		}
		if v, _ := db.Campaigns().FindChecklists(sup, "account"); len(v) != 2 {
			t.Error("a rejected checklist was stored")
		}
	})
}

func TestConcurrentFormSubmissionsKeepOneResult(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := storetest.Load(t, db)
		addChannel(t, db, f.Units["southEdu"], jianfu.KindApp, "wechat_mini", "江南办事通")
		sup := f.Ctx(t, db, "southSup")
		c := &jianfu.Campaign{Name: "并发", RegionPath: "390102", SampleSize: 1}
		if err := db.Campaigns().CreateCampaign(sup, c); err != nil {
			t.Fatal(err)
		}
		forms, _, _ := db.Campaigns().FindForms(sup, jianfu.FormFilter{CampaignID: c.ID})
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = db.Campaigns().SaveForm(sup, forms[0].ID, jianfu.FormInput{Submit: true, Answers: map[string]jianfu.Answer{"D1": {Points: float64(i)}}})
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else if code(err) != jianfu.ECONFLICT {
				t.Errorf("concurrent submit: %v", err)
			}
		}
		if ok != 1 {
			t.Errorf("%d submissions accepted, want 1", ok)
		}
	})
}

var _ = context.Background

// TestChecklistsByRegion: a county supervisor cannot replace the
// province-wide checklist other counties' spot checks use (attack 11); the
// county keeps its own version, which only campaigns in the county use.
func TestChecklistsByRegion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return campaignClock }
		f := storetest.Load(t, db)
		population(t, db, f)
		south, north, prov := f.Ctx(t, db, "southSup"), f.Ctx(t, db, "northSup"), f.Ctx(t, db, "provSup")
		acct := privChecklist(t, db, prov, "account")
		lax := *acct
		lax.PassMark = 1
		if err := db.Campaigns().SaveChecklist(south, &lax); code(err) != jianfu.EFORBIDDEN || !strings.Contains(jianfu.ErrorMessage(err, "zh"), "另存为本辖区版本") {
			t.Errorf("a county supervisor replaces the province-wide checklist: %v", err)
		}
		// A new province-wide list is refused too.
		lax.Key, lax.RegionPath = "", ""
		if err := db.Campaigns().SaveChecklist(south, &lax); code(err) != jianfu.EFORBIDDEN {
			t.Errorf("a county supervisor adds a province-wide checklist: %v", err)
		}
		// The county's own version.
		own := *acct
		own.Key, own.RegionPath, own.PassMark, own.Name = "", "390102", 70, "江南区政务公众账号抽查指标"
		if err := db.Campaigns().SaveChecklist(south, &own); err != nil {
			t.Fatal(err)
		}
		if own.RegionPath != "390102" || own.Key == "account" {
			t.Fatalf("the county's version: %+v", own)
		}
		// Nor may the north change the south's version.
		other := own
		other.PassMark = 1
		if err := db.Campaigns().SaveChecklist(north, &other); code(err) != jianfu.EFORBIDDEN {
			t.Errorf("another county changes the south's version: %v", err)
		}
		if v, _ := db.Campaigns().FindChecklists(north, own.Key); len(v) != 0 {
			t.Errorf("the north sees the south's version: %+v", v)
		}
		if got := privChecklist(t, db, north, "account"); got.PassMark != 60 || got.Version != 1 {
			t.Errorf("the province-wide list the north uses changed: %+v", got)
		}
		// Campaigns: the south's uses its version, the north's and the
		// city's the province-wide one.
		for _, tt := range []struct {
			ctx    context.Context
			region string
			want   string
		}{{south, "390102", own.Key}, {north, "390103", "account"}, {prov, "3901", "account"}} {
			c := &jianfu.Campaign{Name: "账号抽查" + tt.region, RegionPath: tt.region, Kinds: []jianfu.ChannelKind{jianfu.KindAccount}, SampleSize: 3, Seed: 5}
			if err := db.Campaigns().CreateCampaign(tt.ctx, c); err != nil {
				t.Fatalf("campaign in %s: %v", tt.region, err)
			}
			forms, _, err := db.Campaigns().FindForms(tt.ctx, jianfu.FormFilter{CampaignID: c.ID})
			if err != nil || len(forms) == 0 {
				t.Fatalf("forms in %s: %v", tt.region, err)
			}
			for _, fm := range forms {
				l, err := db.Campaigns().FindChecklistByID(storetest.System(), fm.ChecklistID)
				if err != nil || l.Key != tt.want {
					t.Errorf("a campaign in %s uses %+v, want %s (%v)", tt.region, l, tt.want, err)
				}
			}
		}
		// The province changes the province-wide list; the south keeps its own.
		stricter := *acct
		stricter.PassMark = 65
		if err := db.Campaigns().SaveChecklist(prov, &stricter); err != nil {
			t.Fatal(err)
		}
		if got := privChecklist(t, db, north, "account"); got.PassMark != 65 {
			t.Errorf("the province's change: %+v", got)
		}
	})
}

// privChecklist returns the current version of a checklist key.
func privChecklist(t *testing.T, db *store.DB, ctx context.Context, key string) *jianfu.Checklist {
	t.Helper()
	v, err := db.Campaigns().FindChecklists(ctx, key)
	if err != nil || len(v) == 0 {
		t.Fatalf("checklist %s: %v", key, err)
	}
	return v[0]
}
