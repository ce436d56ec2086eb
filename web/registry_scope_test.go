package web_test

import (
	"fmt"
	"strings"
	"testing"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// TestRegistryRoutesEveryRoleEveryScope walks every registry API route as
// every fixture role over channels inside and outside the caller's subtree:
// reads answer 404 outside, writes are refused to roles that may not make
// them, and reviewers act only above the unit.
func TestRegistryRoutesEveryRoleEveryScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		sys := storetest.System()
		type fixtureChannel struct {
			key string
			c   *jianfu.Channel
		}
		var chans []fixtureChannel
		add := func(key string, c *jianfu.Channel, submit bool) {
			if err := db.Channels().CreateChannel(sys, c); err != nil {
				t.Fatal(err)
			}
			if submit {
				got, err := db.Channels().ActOnChannel(sys, c.ID, jianfu.ActSubmit, "")
				if err != nil {
					t.Fatal(err)
				}
				c = got
			}
			chans = append(chans, fixtureChannel{key, c})
		}
		add("south", &jianfu.Channel{Kind: jianfu.KindAccount, Name: "江南教育", UnitID: h.fx.Units["southEdu"].ID, Platform: "wechat_oa", ResponsiblePhone: "13800001111"}, true)
		add("north", &jianfu.Channel{Kind: jianfu.KindAccount, Name: "江北教育", UnitID: h.fx.Units["northEdu"].ID, Platform: "weibo"}, true)
		add("school", &jianfu.Channel{Kind: jianfu.KindGroup, Name: "望江中学教师群", UnitID: h.fx.Units["southSchool"].ID, Platform: "dingtalk"}, false)
		add("city", &jianfu.Channel{Kind: jianfu.KindApp, Name: "江州办事", UnitID: h.fx.Units["city"].ID, Platform: "ios"}, true)

		covered := map[string]bool{}
		check := func(route string) { covered[route] = true }
		unitOf := func(c *jianfu.Channel) *jianfu.Unit { return h.fx.UnitByID(c.UnitID) }
		mayOwn := func(a *jianfu.Actor, u *jianfu.Unit) bool {
			if !a.SeesUnit(u.Path, u.RegionPath) {
				return false
			}
			return a.Has(jianfu.RoleSysAdmin) || a.Has(jianfu.RoleUnitAdmin) && strings.HasPrefix(u.Path, a.UnitPath) || a.Has(jianfu.RoleSupervisor) && u.ID == a.UnitID
		}
		mayReview := func(a *jianfu.Actor, c *jianfu.Channel) bool {
			return a.HasAny(jianfu.RoleReviewer, jianfu.RoleSupervisor) && a.RegionWide() && len(a.RegionPath) <= 6 &&
				strings.HasPrefix(c.RegionPath, a.RegionPath) && a.UnitID != c.UnitID
		}

		for key := range h.fx.Users {
			a := h.actor(key)
			t.Run(key, func(t *testing.T) {
				check("GET /api/v1/channels")
				st, body := h.do(key, "GET", "/api/v1/channels?limit=1000", nil)
				if st != 200 {
					t.Fatalf("list: %d %v", st, body)
				}
				want := 0
				for _, fc := range chans {
					if u := unitOf(fc.c); a.SeesUnit(u.Path, u.RegionPath) {
						want++
					}
				}
				if got := len(items(body)); got != want || body["total"].(float64) != float64(want) {
					t.Errorf("lists %d channels (total %v), want %d", got, body["total"], want)
				}
				for _, it := range items(body) {
					if p, _ := it["responsible_phone"].(string); p != "" && !strings.Contains(p, "****") {
						t.Errorf("the list shows a phone number whole: %q", p)
					}
				}
				for _, fc := range chans {
					u := unitOf(fc.c)
					sees := a.SeesUnit(u.Path, u.RegionPath)
					want := 404
					if sees {
						want = 200
					}
					for _, route := range []string{"GET /api/v1/channels/{id}", "GET /api/v1/channels/{id}/history"} {
						check(route)
						path := strings.Replace(strings.TrimPrefix(route, "GET "), "{id}", fmt.Sprint(fc.c.ID), 1)
						if st, body := h.do(key, "GET", path, nil); st != want {
							t.Errorf("%s %s: %d %v, want %d", route, fc.key, st, body, want)
						}
					}
					// Changes: refused outside the scope (404) and to non-owners (403).
					check("PATCH /api/v1/channels/{id}")
					st, body := h.do(key, "PATCH", fmt.Sprintf("/api/v1/channels/%d", fc.c.ID), map[string]any{"name": fc.c.Name, "platform": fc.c.Platform, "notes": "核对 " + key})
					owner := a.HasAny(jianfu.RoleUnitAdmin, jianfu.RoleSupervisor, jianfu.RoleSysAdmin)
					switch {
					case !owner && st != 403:
						t.Errorf("PATCH %s by a role that files nothing: %d, want 403", fc.key, st)
					case !owner:
					case !sees && st != 404:
						t.Errorf("PATCH out-of-scope %s: %d, want 404", fc.key, st)
					case sees && fc.c.Status == jianfu.StatusSubmitted && st == 200:
						t.Errorf("PATCH a submitted %s succeeded", fc.key)
					case sees && fc.c.Status == jianfu.StatusDraft && mayOwn(a, u) && st != 200:
						t.Errorf("PATCH own draft %s: %d %v", fc.key, st, body)
					case sees && !mayOwn(a, u) && st != 403:
						t.Errorf("PATCH %s by a non-owner: %d, want 403", fc.key, st)
					}
					// Reviewer actions: a return without reasons is refused as
					// invalid (400) only to those who may review; nothing changes.
					check("POST /api/v1/channels/{id}/actions")
					if fc.c.Status == jianfu.StatusSubmitted {
						st, _ := h.do(key, "POST", fmt.Sprintf("/api/v1/channels/%d/actions", fc.c.ID), map[string]any{"action": "return"})
						switch {
						case !sees && st != 404:
							t.Errorf("return out-of-scope %s: %d, want 404", fc.key, st)
						case sees && mayReview(a, fc.c) && st != 400:
							t.Errorf("return %s by a reviewer above it without reasons: %d, want 400", fc.key, st)
						case sees && !mayReview(a, fc.c) && st != 403:
							t.Errorf("return %s by %s: %d, want 403", fc.key, key, st)
						}
					}
				}
				check("GET /api/v1/registry/rules")
				if st, body := h.do(key, "GET", "/api/v1/registry/rules", nil); st != 200 || len(items(body)) < 8 {
					t.Errorf("rules: %d", st)
				}
				check("GET /api/v1/registry/url-rules")
				if st, body := h.do(key, "GET", "/api/v1/registry/url-rules", nil); st != 200 || len(items(body)) < 10 {
					t.Errorf("url rules: %d", st)
				}
				check("GET /api/v1/registry/recognize")
				if st, body := h.do(key, "GET", "/api/v1/registry/recognize?url=https://weibo.com/u/2803301701", nil); st != 200 || body["platform"] != "weibo" {
					t.Errorf("recognize: %d %v", st, body)
				}
				check("GET /api/v1/registry/consolidation")
				st, body = h.do(key, "GET", "/api/v1/registry/consolidation", nil)
				if st != 200 {
					t.Errorf("consolidation: %d %v", st, body)
				}
				for _, it := range body["units"].([]any) {
					u := h.fx.UnitByID(int64(it.(map[string]any)["unit_id"].(float64)))
					if u == nil || !a.SeesUnit(u.Path, u.RegionPath) {
						t.Errorf("consolidation lists an out-of-scope unit %v", it)
					}
				}
				// A province supervisor edits rules; nobody else does.
				province := a.Has(jianfu.RoleSupervisor) && len(a.RegionPath) <= 2
				check("PUT /api/v1/registry/rules/{rule}")
				st, _ = h.do(key, "PUT", "/api/v1/registry/rules/account.one_per_platform", map[string]any{"threshold": 1})
				if province && st != 200 || !province && st != 403 {
					t.Errorf("PUT rule: %d (province supervisor %v)", st, province)
				}
				check("PUT /api/v1/registry/url-rules")
				_, cur := h.do(key, "GET", "/api/v1/registry/url-rules", nil)
				st, _ = h.do(key, "PUT", "/api/v1/registry/url-rules", map[string]any{"items": cur["items"]})
				if province && st != 200 || !province && st != 403 {
					t.Errorf("PUT url rules: %d (province supervisor %v)", st, province)
				}
			})
		}

		// Creation last: what it adds changes the lists above.
		for key := range h.fx.Users {
			a := h.actor(key)
			t.Run("create/"+key, func(t *testing.T) {
				for ukey, u := range h.fx.Units {
					body := map[string]any{"kind": "group", "name": "测试群" + key + ukey, "unit_id": u.ID, "platform": "qq"}
					check("POST /api/v1/channels/check")
					st, _ := h.do(key, "POST", "/api/v1/channels/check", body)
					if sees := a.SeesUnit(u.Path, u.RegionPath); sees && st != 200 || !sees && st != 400 {
						t.Errorf("check for %s: %d (in scope %v)", ukey, st, sees)
					}
					check("POST /api/v1/channels")
					st, created := h.do(key, "POST", "/api/v1/channels", body)
					if may := mayOwn(a, u); may && st != 201 || !may && st == 201 {
						t.Errorf("create for %s: %d %v (may own %v)", ukey, st, created, may)
					}
				}
			})
		}

		for _, rt := range h.routes {
			// (a user's own delivery channels, /account/channels, are
			// tested in delivery_test.go)
			if strings.Contains(rt, " /api/v1/channels") || strings.Contains(rt, "/registry/") {
				if !covered[rt] {
					t.Errorf("registry route %s has no scope test", rt)
				}
			}
		}
		// The public verification needs no login.
		if st, body := h.do("", "GET", "/api/v1/verify?q=江北教育", nil); st != 200 || body["verdict"] != "unknown" {
			t.Errorf("anonymous verify: %d %v (a submitted channel is not public)", st, body)
		}
	})
}
