package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// campaignWorld is the data of the campaign tests: channels, campaigns,
// forms, rectifications, ratings, checks and orders in both counties.
type campaignWorld struct {
	h                                            *harness
	southAcct, southGroup, northAcct, northGroup *jianfu.Channel
	southCampaign, northCampaign                 *jianfu.Campaign
	southForm, northForm                         *jianfu.CheckForm
	southRect, northRect                         *jianfu.Rectification
	southOrder, northOrder                       *jianfu.ExitOrder
	units                                        map[int64]*jianfu.Unit // channel id → owning unit
}

func (w *campaignWorld) channel(unitKey string, kind jianfu.ChannelKind, platform, name string) *jianfu.Channel {
	w.h.t.Helper()
	last := time.Now().Add(-3 * 24 * time.Hour)
	c := &jianfu.Channel{Kind: kind, Platform: platform, Name: name, UnitID: w.h.fx.Units[unitKey].ID, Status: jianfu.StatusActive, LastActivityAt: &last, URL: "https://" + platform + ".example.invalid/" + name, MemberCount: 40}
	if err := w.h.db.Channels().CreateChannel(storetest.System(), c); err != nil {
		w.h.t.Fatal(err)
	}
	w.units[c.ID] = w.h.fx.Units[unitKey]
	return c
}

// campaign runs a campaign as the system over one channel, with an inspector.
func (w *campaignWorld) campaign(region string, ch *jianfu.Channel, inspector string) (*jianfu.Campaign, *jianfu.CheckForm) {
	w.h.t.Helper()
	sys := storetest.System()
	c := &jianfu.Campaign{Name: "抽查" + ch.Name, RegionPath: region, UnitIDs: []int64{ch.UnitID}, Kinds: []jianfu.ChannelKind{ch.Kind}, Platforms: []string{ch.Platform},
		SampleRate: 1, Inspectors: []int64{w.h.fx.Users[inspector].ID}}
	if err := w.h.db.Campaigns().CreateCampaign(sys, c); err != nil {
		w.h.t.Fatal(err)
	}
	forms, _, err := w.h.db.Campaigns().FindForms(sys, jianfu.FormFilter{CampaignID: c.ID})
	if err != nil || len(forms) == 0 {
		w.h.t.Fatalf("forms: %v", err)
	}
	for _, f := range forms {
		if f.ChannelID == ch.ID {
			return c, f
		}
	}
	w.h.t.Fatalf("channel %s not sampled", ch.Name)
	return nil, nil
}

// fail submits a failing form as the system and returns its rectification.
func (w *campaignWorld) fail(f *jianfu.CheckForm) *jianfu.Rectification {
	w.h.t.Helper()
	sys := storetest.System()
	if _, err := w.h.db.Campaigns().SaveForm(sys, f.ID, jianfu.FormInput{Submit: true, Evidence: "截图", Answers: map[string]jianfu.Answer{"V3": {Hit: true}}}); err != nil {
		w.h.t.Fatal(err)
	}
	rects, _, _ := w.h.db.Campaigns().FindRectifications(sys, jianfu.RectificationFilter{CampaignID: f.CampaignID})
	return rects[0]
}

func (w *campaignWorld) order(ch *jianfu.Channel) *jianfu.ExitOrder {
	w.h.t.Helper()
	o, err := w.h.db.Cleanup().IssueExitOrder(storetest.System(), jianfu.OrderInput{ChannelID: ch.ID, Reason: "测试关停"})
	if err != nil {
		w.h.t.Fatal(err)
	}
	return o
}

func newCampaignWorld(t *testing.T, db *store.DB) *campaignWorld {
	h := newHarness(t, db)
	w := &campaignWorld{h: h, units: map[int64]*jianfu.Unit{}}
	w.southAcct = w.channel("southEdu", jianfu.KindAccount, "wechat_oa", "江南教育发布")
	w.southGroup = w.channel("southSchool", jianfu.KindGroup, "wechat", "望江中学教师群")
	w.northAcct = w.channel("northEdu", jianfu.KindAccount, "wechat_oa", "江北教育发布")
	w.northGroup = w.channel("northEdu", jianfu.KindGroup, "dingtalk", "江北教育工作群")
	w.southCampaign, w.southForm = w.campaign("390102", w.southAcct, "southSup")
	w.northCampaign, w.northForm = w.campaign("390103", w.northAcct, "northSup")
	w.southRect, w.northRect = w.fail(w.southForm), w.fail(w.northForm)
	w.southOrder, w.northOrder = w.order(w.southGroup), w.order(w.northGroup)
	sys := storetest.System()
	if err := db.Monitor().RecordChecks(sys, []*jianfu.MonitorCheck{{ChannelID: w.southAcct.ID, At: time.Now(), URL: w.southAcct.URL, Reachable: true, StatusCode: 200},
		{ChannelID: w.northAcct.ID, At: time.Now(), URL: w.northAcct.URL, Reachable: false, StatusCode: 500}}); err != nil {
		t.Fatal(err)
	}
	if err := db.Evaluation().RateChannel(h.fx.Ctx(t, db, "schoolStaff"), &jianfu.Rating{ChannelID: w.southAcct.ID, Score: 4, Comment: "要求每天转发"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Evaluation().RecomputeScorecards(sys); err != nil {
		t.Fatal(err)
	}
	return w
}

// sees reports whether the actor sees the channel's owning unit.
func (w *campaignWorld) sees(a *jianfu.Actor, ch *jianfu.Channel) bool {
	u := w.units[ch.ID]
	return a.SeesUnit(u.Path, u.RegionPath)
}

// TestCampaignRoutesEveryRoleEveryScope walks every route of spot checks,
// scorecards and cleanup as every fixture role, over records of both
// counties: out-of-scope records answer 404 exactly like missing ones,
// lists hold only records in scope, and writes succeed only for the roles
// allowed on records in scope.
func TestCampaignRoutesEveryRoleEveryScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCampaignWorld(t, db)
		h := w.h
		covered := map[string]bool{}
		get := func(user, route, path string) (int, map[string]any) {
			covered[route] = true
			return h.do(user, "GET", path, nil)
		}
		send := func(user, method, route, path string, body any) (int, map[string]any) {
			covered[method+" "+route] = true
			return h.do(user, method, path, body)
		}
		both := []*jianfu.Channel{w.southAcct, w.northAcct}
		for key := range h.fx.Users {
			a := h.actor(key)
			t.Run(key, func(t *testing.T) {
				regionWide := a.RegionWide()
				// Campaigns: a region-wide caller sees campaigns over its
				// subtree; a unit caller those that checked its channels.
				st, body := get(key, "GET /api/v1/campaigns", "/api/v1/campaigns?limit=100")
				if st != 200 {
					t.Fatalf("campaigns: %d", st)
				}
				want := 0
				for i, c := range []*jianfu.Campaign{w.southCampaign, w.northCampaign} {
					in := regionWide && a.SeesRegion(c.RegionPath) || !regionWide && w.sees(a, both[i])
					if in {
						want++
					}
					for _, p := range []string{"/api/v1/campaigns/%d", "/api/v1/campaigns/%d/verify", "/api/v1/campaigns/%d/results", "/api/v1/campaigns/%d/forms"} {
						st, _ := get(key, "GET "+strings.Replace(p, "%d", "{id}", 1), fmt.Sprintf(p, c.ID))
						if in && st != 200 || !in && st != 404 {
							t.Errorf("GET %s for campaign %d: %d (in scope %v)", p, c.ID, st, in)
						}
					}
				}
				if n := len(items(body)); n != want {
					t.Errorf("lists %d campaigns, want %d", n, want)
				}
				for i, f := range []*jianfu.CheckForm{w.southForm, w.northForm} {
					in := w.sees(a, both[i])
					st, _ := get(key, "GET /api/v1/campaigns/{id}/forms/{form}", fmt.Sprintf("/api/v1/campaigns/%d/forms/%d", f.CampaignID, f.ID))
					if in && st != 200 || !in && st != 404 {
						t.Errorf("GET form %d: %d (in scope %v)", f.ID, st, in)
					}
				}
				st, body = get(key, "GET /api/v1/campaigns/checklists", "/api/v1/campaigns/checklists")
				if st != 200 || len(items(body)) != 3 {
					t.Errorf("checklists: %d %d", st, len(items(body)))
				}
				st, body = get(key, "GET /api/v1/campaigns/rectifications", "/api/v1/campaigns/rectifications?limit=100")
				checkListed(t, "rectifications", st, body, w, a)

				// Scorecards.
				st, body = get(key, "GET /api/v1/scorecards", "/api/v1/scorecards?limit=100")
				checkListed(t, "scorecards", st, body, w, a)
				for _, ch := range both {
					in := w.sees(a, ch)
					for _, p := range []string{"/api/v1/scorecards/%d", "/api/v1/scorecards/%d/ratings", "/api/v1/scorecards/%d/checks"} {
						st, body := get(key, "GET "+strings.Replace(p, "%d", "{id}", 1), fmt.Sprintf(p, ch.ID))
						if in && st != 200 || !in && st != 404 {
							t.Errorf("GET %s for %s: %d (in scope %v)", p, ch.Name, st, in)
						}
						if in && strings.HasSuffix(p, "ratings") && ch == w.southAcct {
							if body["count"] != 1.0 || strings.Contains(fmt.Sprint(body), "south.school") {
								t.Errorf("ratings summary: %v", body)
							}
						}
					}
				}
				st, body = get(key, "GET /api/v1/scorecards/rankings", "/api/v1/scorecards/rankings?by=unit&limit=100")
				if st != 200 {
					t.Errorf("rankings: %d", st)
				}
				for _, it := range items(body) {
					u := h.fx.UnitByID(int64(it["unit_id"].(float64)))
					if !a.SeesUnit(u.Path, u.RegionPath) {
						t.Errorf("ranking lists out-of-scope unit %s", u.Name)
					}
				}
				if st, _ := get(key, "GET /api/v1/scorecards/rankings", "/api/v1/scorecards/rankings?by=street"); st != 400 {
					t.Errorf("ranking by street: %d", st)
				}
				st, body = get(key, "GET /api/v1/scorecards/dashboard", "/api/v1/scorecards/dashboard")
				if st != 200 {
					t.Errorf("dashboard: %d", st)
				}
				visible := 0
				for _, ch := range []*jianfu.Channel{w.southAcct, w.southGroup, w.northAcct, w.northGroup} {
					if w.sees(a, ch) {
						visible++
					}
				}
				if active, _ := body["active"].(float64); int(active) != visible {
					t.Errorf("dashboard counts %v channels, want %d", body["active"], visible)
				}
				st, body = get(key, "GET /api/v1/scorecards/rateable", "/api/v1/scorecards/rateable?limit=100")
				if st != 200 {
					t.Errorf("rateable: %d", st)
				}
				for _, it := range items(body) {
					ch := it["channel"].(map[string]any)
					if strings.HasPrefix(ch["region_path"].(string), "390103") && !strings.HasPrefix("390103", a.RegionPath) {
						t.Errorf("offered a channel of the other county: %v", ch["name"])
					}
				}

				// Cleanup.
				st, body = get(key, "GET /api/v1/cleanup/candidates", "/api/v1/cleanup/candidates?limit=100")
				if st != 200 {
					t.Fatalf("candidates: %d", st)
				}
				for _, it := range items(body) {
					if rp := it["region_path"].(string); !strings.HasPrefix(rp, a.RegionPath) {
						t.Errorf("candidate of region %s listed", rp)
					}
				}
				if st, _ := get(key, "GET /api/v1/cleanup/candidates", "/api/v1/cleanup/candidates?signal=ghost"); st != 400 {
					t.Errorf("unknown signal: %d", st)
				}
				st, body = get(key, "GET /api/v1/cleanup/orders", "/api/v1/cleanup/orders?limit=100")
				checkListed(t, "orders", st, body, w, a)
				for i, o := range []*jianfu.ExitOrder{w.southOrder, w.northOrder} {
					in := w.sees(a, []*jianfu.Channel{w.southGroup, w.northGroup}[i])
					st, _ := get(key, "GET /api/v1/cleanup/orders/{id}", fmt.Sprintf("/api/v1/cleanup/orders/%d", o.ID))
					if in && st != 200 || !in && st != 404 {
						t.Errorf("GET order %d: %d (in scope %v)", o.ID, st, in)
					}
				}
			})
		}

		// Writes, after all reads. Each user gets fresh records in both
		// counties so the answers depend only on role and scope.
		sys := storetest.System()
		for key := range h.fx.Users {
			a := h.actor(key)
			t.Run("write/"+key, func(t *testing.T) {
				supervisor := a.Has(jianfu.RoleSupervisor) && a.RegionWide()
				expect := func(what string, st int, allowed, in bool) {
					t.Helper()
					ok := st >= 200 && st < 300
					if in && allowed && !ok || (!in || !allowed) && ok {
						t.Errorf("%s: %d (allowed %v, in scope %v)", what, st, allowed, in)
					}
					if !in && st != 404 && st != 403 && st != 400 {
						t.Errorf("%s out of scope: %d, want 404", what, st)
					}
				}
				st, _ := send(key, "POST", "/api/v1/campaigns", "/api/v1/campaigns", map[string]any{"name": "抽查" + key, "region": "390102", "sample_rate": 1})
				expect("create campaign in 江南区", st, a.Has(jianfu.RoleSupervisor), a.SeesRegion("390102"))
				st, _ = send(key, "POST", "/api/v1/campaigns/checklists", "/api/v1/campaigns/checklists", map[string]any{"key": "group", "kind": "group", "name": "工作群组检查表" + key, "pass_mark": 60,
					"items": []map[string]any{{"key": "V1", "kind": "veto", "title": "强制打卡接龙"}}})
				// The province-wide list only from province level up; a
				// region's own version from within its scope.
				expect("save checklist", st, a.MayEditChecklist("") == nil, true)
				st, _ = send(key, "POST", "/api/v1/campaigns/checklists", "/api/v1/campaigns/checklists", map[string]any{"kind": "group", "name": "本辖区工作群组检查表" + key, "pass_mark": 60,
					"region_path": a.RegionPath, "items": []map[string]any{{"key": "V1", "kind": "veto", "title": "强制打卡接龙"}}})
				expect("save the region's checklist", st, a.Has(jianfu.RoleSupervisor), true)
				st, _ = send(key, "POST", "/api/v1/scorecards/recompute", "/api/v1/scorecards/recompute", map[string]any{})
				expect("recompute", st, supervisor, true)

				for i, region := range []string{"390102", "390103"} {
					unitKey := []string{"southEdu", "northEdu"}[i]
					insp := []string{"southSup", "northSup"}[i]
					ch := w.channel(unitKey, jianfu.KindAccount, "weibo", fmt.Sprintf("%s-%s-微博", key, region))
					in := w.sees(a, ch)
					// Close a campaign.
					c, _ := w.campaign(region, ch, insp)
					st, _ := send(key, "POST", "/api/v1/campaigns/{id}/close", fmt.Sprintf("/api/v1/campaigns/%d/close", c.ID), map[string]any{})
					expect("close campaign "+region, st, supervisor, in && regionWideSees(a, region))
					// Fill a form of another campaign.
					_, f2 := w.campaign(region, ch, insp)
					st, _ = send(key, "PUT", "/api/v1/campaigns/{id}/forms/{form}", fmt.Sprintf("/api/v1/campaigns/%d/forms/%d", f2.CampaignID, f2.ID), map[string]any{"answers": map[string]any{"D1": map[string]any{"points": 5}}})
					expect("save form "+region, st, supervisor || a.UserID == h.fx.Users[insp].ID, in)
					// Mark a rectification done.
					_, f3 := w.campaign(region, ch, insp)
					r := w.fail(f3)
					st, _ = send(key, "POST", "/api/v1/campaigns/rectifications/{id}/done", fmt.Sprintf("/api/v1/campaigns/rectifications/%d/done", r.ID), map[string]any{"note": "已整改"})
					expect("rectified "+region, st, a.HasAny(jianfu.RoleUnitAdmin, jianfu.RoleSupervisor), in)
					// Rate.
					st, _ = send(key, "POST", "/api/v1/scorecards/{id}/ratings", fmt.Sprintf("/api/v1/scorecards/%d/ratings", ch.ID), map[string]any{"score": 3})
					expect("rate "+region, st, true, in || rateable(a, w.units[ch.ID]))
					// Exit orders: issue, confirm, appeal, decide.
					g := w.channel(unitKey, jianfu.KindApp, "android", fmt.Sprintf("%s-%s-应用", key, region))
					st, _ = send(key, "POST", "/api/v1/cleanup/orders", "/api/v1/cleanup/orders", map[string]any{"channel_id": g.ID, "reason": "低使用"})
					expect("issue order "+region, st, supervisor, in)
					o := w.order(w.channel(unitKey, jianfu.KindApp, "ios", fmt.Sprintf("%s-%s-iOS", key, region)))
					st, _ = send(key, "POST", "/api/v1/cleanup/orders/{id}/confirm", fmt.Sprintf("/api/v1/cleanup/orders/%d/confirm", o.ID), map[string]any{"note": "已下架"})
					expect("confirm "+region, st, a.HasAny(jianfu.RoleUnitAdmin, jianfu.RoleSupervisor), in)
					o = w.order(w.channel(unitKey, jianfu.KindApp, "harmony", fmt.Sprintf("%s-%s-鸿蒙", key, region)))
					st, _ = send(key, "POST", "/api/v1/cleanup/orders/{id}/appeal", fmt.Sprintf("/api/v1/cleanup/orders/%d/appeal", o.ID), map[string]any{"reason": "仍在使用"})
					expect("appeal "+region, st, a.Has(jianfu.RoleUnitAdmin), in)
					o = w.order(w.channel(unitKey, jianfu.KindApp, "quick_app", fmt.Sprintf("%s-%s-快应用", key, region)))
					if _, err := db.Cleanup().AppealExit(sys, o.ID, "仍在使用"); err != nil {
						t.Fatal(err)
					}
					st, _ = send(key, "POST", "/api/v1/cleanup/orders/{id}/decision", fmt.Sprintf("/api/v1/cleanup/orders/%d/decision", o.ID), map[string]any{"uphold": false, "note": "同意保留"})
					expect("decide "+region, st, supervisor, in)
				}
			})
		}
		for _, rt := range h.routes {
			if strings.Contains(rt, "/campaigns") || strings.Contains(rt, "/scorecards") || strings.Contains(rt, "/cleanup") {
				if !covered[rt] {
					t.Errorf("route %s has no scope test", rt)
				}
			}
		}
	})
}

// regionWideSees: closing needs a region-wide supervisor over the region.
func regionWideSees(a *jianfu.Actor, region string) bool { return a.SeesRegion(region) }

// rateable: a user may rate channels of units above its own.
func rateable(a *jianfu.Actor, u *jianfu.Unit) bool {
	return strings.HasPrefix(a.UnitPath, u.Path)
}

// checkListed checks a list whose items carry a region_path: only records
// of the caller's region subtree (or unit subtree) appear.
func checkListed(t *testing.T, what string, st int, body map[string]any, w *campaignWorld, a *jianfu.Actor) {
	t.Helper()
	if st != 200 {
		t.Errorf("%s: %d", what, st)
		return
	}
	for _, it := range items(body) {
		id, _ := it["channel_id"].(float64)
		ch := int64(id)
		u := w.units[ch]
		if u == nil {
			t.Errorf("%s lists an unknown channel %v", what, it)
			continue
		}
		if !a.SeesUnit(u.Path, u.RegionPath) {
			t.Errorf("%s lists channel %d of out-of-scope unit %s", what, ch, u.Name)
		}
	}
}
