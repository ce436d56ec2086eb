package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"jianfu"
	"jianfu/secret"
	"jianfu/store"
	"jianfu/store/storetest"
)

// caseHarness is the web harness with registered channels, one named
// complaint in each county transferred to its 教育局, and a holder of the
// reporter_access permission in 江南区.
type caseHarness struct {
	*harness
	south, north *jianfu.Case
}

func newCaseHarness(t *testing.T, db *store.DB) *caseHarness {
	t.Helper()
	h := newHarness(t, db)
	sealer, err := secret.ParseSealerKey(secret.NewSealerKey())
	if err != nil {
		t.Fatal(err)
	}
	db.SetReporterKey(sealer)
	sys := storetest.System()
	keeper := &jianfu.User{Username: "south.keeper", Name: "江南区举报受理专员", UnitID: h.fx.Units["south"].ID, Roles: []jianfu.Role{jianfu.RoleReporterAccess}}
	if err := db.Users().CreateUser(sys, keeper, storetest.FixturePassword); err != nil {
		t.Fatal(err)
	}
	h.fx.Users["keeper"] = keeper
	tok, err := db.Users().CreateToken(sys, keeper.Username, "test")
	if err != nil {
		t.Fatal(err)
	}
	h.tokens["keeper"] = tok
	ch := &harnessChannels{}
	for _, c := range []*jianfu.Channel{
		{Kind: jianfu.KindGroup, Name: "望江中学教师工作群", UnitID: h.fx.Units["southSchool"].ID, Platform: "wechat", Status: jianfu.StatusActive},
		{Kind: jianfu.KindGroup, Name: "江北区教育局工作群", UnitID: h.fx.Units["northEdu"].ID, Platform: "dingtalk", Status: jianfu.StatusActive},
	} {
		if err := db.Channels().CreateChannel(sys, c); err != nil {
			t.Fatal(err)
		}
		ch.list = append(ch.list, c)
	}
	file := func(region, text string, unit *jianfu.Unit) *jianfu.Case {
		rec, err := db.Intake().SubmitComplaint(jianfu.WithClientIP(sys, "198.51.100.7"), &jianfu.Complaint{Source: jianfu.SourceComplaint, RegionCode: region, Description: text,
			Identity: &jianfu.ReporterIdentity{Name: "举报人" + region, Phone: "13700001111"}})
		if err != nil {
			t.Fatal(err)
		}
		list, _, err := db.Cases().FindCases(sys, jianfu.CaseFilter{Query: rec.Number})
		if err != nil || len(list) != 1 {
			t.Fatalf("find %s: %v", rec.Number, err)
		}
		c, err := db.Cases().TransferCase(sys, list[0].ID, jianfu.Transfer{UnitID: unit.ID})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	return &caseHarness{harness: h,
		south: file("390102", "江南区教育局工作群每天要求教师接龙打卡", h.fx.Units["southEdu"]),
		north: file("390103", "江北区教育局工作群要求周末秒回消息", h.fx.Units["northEdu"])}
}

type harnessChannels struct{ list []*jianfu.Channel }

// caseRoute is one case API route with what the test sends and who may.
type caseRoute struct {
	method, path string
	body         func(h *caseHarness, c *jianfu.Case) any
	may          func(a *jianfu.Actor) bool // the role allows it at all
	perCase      bool                       // the path names a case: scope applies
}

var (
	readsCases = func(a *jianfu.Actor) bool {
		return a.HasAny(jianfu.RoleSupervisor, jianfu.RoleCaseHandler, jianfu.RoleInspector, jianfu.RoleReviewer, jianfu.RoleReporterAccess, jianfu.RoleUnitAdmin)
	}
	handlesCases = func(a *jianfu.Actor) bool { return a.HasAny(jianfu.RoleSupervisor, jianfu.RoleCaseHandler) }
	unitOnly     = func(a *jianfu.Actor) bool { return a.Has(jianfu.RoleUnitAdmin) }
)

// caseRoutes lists every case route with a body that is valid for it.
func caseRoutes() []caseRoute {
	return []caseRoute{
		{"GET", "/api/v1/cases/{id}", nil, readsCases, true},
		{"GET", "/api/v1/cases/{id}/events", nil, readsCases, true},
		{"GET", "/api/v1/cases/{id}/opinions", nil, readsCases, true},
		{"GET", "/api/v1/cases/{id}/document", nil, readsCases, true},
		{"POST", "/api/v1/cases/{id}/reveal", func(*caseHarness, *jianfu.Case) any {
			return map[string]any{"reason": "核实举报线索需要联系反映人"}
		},
			func(a *jianfu.Actor) bool { return a.Has(jianfu.RoleReporterAccess) }, true},
		{"POST", "/api/v1/cases/{id}/opinions", func(*caseHarness, *jianfu.Case) any {
			return map[string]any{"kind": "rectification", "text": "立即停止要求接龙打卡,规范工作群管理。"}
		}, handlesCases, true},
		{"POST", "/api/v1/cases/{id}/answer", func(*caseHarness, *jianfu.Case) any {
			return map[string]any{"finding": "substantiated", "text": "经核实属实,已要求群主停止接龙打卡。"}
		}, unitOnly, true},
		{"POST", "/api/v1/cases/{id}/rectify", func(*caseHarness, *jianfu.Case) any {
			return map[string]any{"text": "已在群内公告取消接龙打卡要求。"}
		}, unitOnly, true},
		{"POST", "/api/v1/cases/{id}/verify", func(*caseHarness, *jianfu.Case) any { return map[string]any{"passed": true, "note": "抽查属实"} }, handlesCases, true},
		{"POST", "/api/v1/cases/{id}/close", func(*caseHarness, *jianfu.Case) any {
			return map[string]any{"outcome": "fixed", "note": "整改到位"}
		}, handlesCases, true},
		// Publishing comes before drafting: a drafter may not publish their own draft.
		{"POST", "/api/v1/cases/{id}/typical/publish", nil, handlesCases, true},
		{"POST", "/api/v1/cases/{id}/typical", func(*caseHarness, *jianfu.Case) any {
			return map[string]any{"title": "某区教育局工作群接龙打卡问题", "summary": strings.Repeat("某区教育局工作群要求教师每天接龙打卡,经查属实,已整改。", 2)}
		}, handlesCases, true},
		{"POST", "/api/v1/cases/{id}/reopen", func(*caseHarness, *jianfu.Case) any { return map[string]any{"reason": "问题再次出现"} }, handlesCases, true},
		{"POST", "/api/v1/cases/{id}/triage", func(*caseHarness, *jianfu.Case) any { return map[string]any{"decision": "accept"} }, handlesCases, true},
		{"POST", "/api/v1/cases/{id}/transfer", func(h *caseHarness, c *jianfu.Case) any {
			return map[string]any{"unit_id": c.UnitID, "reason": "核实责任单位"}
		}, handlesCases, true},
	}
}

// TestCaseRoutesEveryRoleEveryScope walks every case API route as every
// fixture role (and a reporter_access holder), over a case inside and a
// case outside the caller's scope: a role without the permission is
// refused (403), a case out of scope answers exactly like a missing one
// (404), and a case in scope is never refused for scope.
func TestCaseRoutesEveryRoleEveryScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newCaseHarness(t, db)
		covered := map[string]bool{}
		inScope := func(a *jianfu.Actor, c *jianfu.Case) bool {
			if a.HasAny(jianfu.RoleSupervisor, jianfu.RoleCaseHandler, jianfu.RoleInspector, jianfu.RoleReviewer, jianfu.RoleReporterAccess) {
				return strings.HasPrefix(c.RegionPath, a.RegionPath)
			}
			unit := h.fx.UnitByID(c.UnitID)
			return a.Has(jianfu.RoleUnitAdmin) && strings.HasPrefix(unit.Path, a.UnitPath)
		}
		keys := make([]string, 0, len(h.fx.Users))
		for k := range h.fx.Users {
			keys = append(keys, k)
		}
		for _, key := range keys {
			a := h.actor(key)
			t.Run(key, func(t *testing.T) {
				// The list holds exactly the cases in scope.
				covered["GET /api/v1/cases"] = true
				st, body := h.do(key, "GET", "/api/v1/cases?limit=1000&source=complaint", nil)
				if !readsCases(a) {
					if st != http.StatusForbidden {
						t.Errorf("list as a role without case access: %d", st)
					}
				} else {
					want := 0
					for _, c := range []*jianfu.Case{h.south, h.north} {
						if inScope(a, c) {
							want++
						}
					}
					if st != 200 || len(items(body)) != want {
						t.Errorf("list: %d, %d cases, want %d", st, len(items(body)), want)
					}
					for _, it := range items(body) {
						if n := it["number"]; n != h.south.Number && n != h.north.Number || n == h.south.Number && !inScope(a, h.south) || n == h.north.Number && !inScope(a, h.north) {
							t.Errorf("listed out-of-scope case %v", n)
						}
					}
				}
				// The ledger holds the same cases as the list.
				covered["GET /api/v1/cases/export"] = true
				resp, csv := h.download(key, "/api/v1/cases/export?format=csv&source=complaint")
				if !readsCases(a) {
					if resp.StatusCode != http.StatusForbidden {
						t.Errorf("export as a role without case access: %d", resp.StatusCode)
					}
				} else {
					if resp.StatusCode != 200 {
						t.Errorf("export: %d %s", resp.StatusCode, csv)
					}
					for _, c := range []*jianfu.Case{h.south, h.north} {
						if in := strings.Contains(string(csv), c.Number); in != inScope(a, c) {
							t.Errorf("export holds %s: %v, in scope: %v", c.Number, in, inScope(a, c))
						}
					}
				}
				for _, rt := range caseRoutes() {
					covered[rt.method+" "+rt.path] = true
					for _, c := range []*jianfu.Case{h.south, h.north} {
						var body any
						if rt.body != nil {
							body = rt.body(h, c)
						} else if rt.method != "GET" {
							body = map[string]any{}
						}
						path := strings.Replace(rt.path, "{id}", fmt.Sprint(c.ID), 1)
						st, resp := h.do(key, rt.method, path, body)
						sees := inScope(a, c)
						switch {
						case !rt.may(a):
							if st != http.StatusForbidden {
								t.Errorf("%s %s on %s without the permission: %d %v", rt.method, rt.path, c.Number, st, resp)
							}
						case !sees:
							if st != http.StatusNotFound {
								t.Errorf("%s %s on out-of-scope %s: %d %v", rt.method, rt.path, c.Number, st, resp)
							}
						default:
							if st == http.StatusForbidden || st == http.StatusNotFound || st >= 500 {
								t.Errorf("%s %s on in-scope %s: %d %v", rt.method, rt.path, c.Number, st, resp)
							}
						}
					}
				}
				// Routes without a case: the board, deadlines, sweep, new clues.
				covered["GET /api/v1/cases/overdue"] = true
				if st, _ := h.do(key, "GET", "/api/v1/cases/overdue", nil); readsCases(a) && st != 200 || !readsCases(a) && st != 403 {
					t.Errorf("overdue board: %d", st)
				}
				covered["GET /api/v1/cases/deadlines"] = true
				if st, _ := h.do(key, "GET", "/api/v1/cases/deadlines", nil); readsCases(a) && st != 200 || !readsCases(a) && st != 403 {
					t.Errorf("deadlines: %d", st)
				}
				covered["PUT /api/v1/cases/deadlines"] = true
				st, _ = h.do(key, "PUT", "/api/v1/cases/deadlines", map[string]any{"category": "chain", "triage": 3, "answer": 5, "rectify": 10, "verify": 5, "remind": 1, "escalate": 2})
				if province := a.Has(jianfu.RoleSupervisor) && len(a.RegionPath) <= 2; province && st != 200 || !province && st != 403 {
					t.Errorf("set deadlines: %d", st)
				}
				covered["POST /api/v1/cases/sweep"] = true
				if st, _ := h.do(key, "POST", "/api/v1/cases/sweep", map[string]any{}); handlesCases(a) && st != 200 || !handlesCases(a) && st != 403 {
					t.Errorf("sweep: %d", st)
				}
				covered["POST /api/v1/cases"] = true
				for _, region := range []string{"390102", "390103"} {
					st, resp := h.do(key, "POST", "/api/v1/cases", map[string]any{"source": "spotcheck", "source_ref": "scope-" + key + "-" + region, "region_code": region, "description": "抽查发现工作群要求每天打卡签到"})
					creates := a.HasAny(jianfu.RoleSupervisor, jianfu.RoleCaseHandler, jianfu.RoleInspector)
					sees := strings.HasPrefix(region, a.RegionPath) && a.RegionWide()
					switch {
					case !creates && st != 403:
						t.Errorf("clue in %s without the role: %d", region, st)
					case creates && sees && st != 201:
						t.Errorf("clue in own region %s: %d %v", region, st, resp)
					case creates && !sees && st == 201:
						t.Errorf("clue created in another region %s", region)
					}
				}
			})
		}
		for _, rt := range h.routes {
			if strings.HasPrefix(strings.SplitN(rt, " ", 2)[1], "/api/v1/cases") && !covered[rt] {
				t.Errorf("route %s has no scope test", rt)
			}
		}
	})
}
