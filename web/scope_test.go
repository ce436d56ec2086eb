package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// TestEveryRouteEveryRoleEveryScope walks every API route, as every role,
// over records inside and outside the caller's subtree, and checks that
// nothing outside is readable or writable.
func TestEveryRouteEveryRoleEveryScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		covered := map[string]bool{}
		check := func(route string) { covered[route] = true }

		for key := range h.fx.Users {
			a := h.actor(key)
			t.Run(key, func(t *testing.T) {
				// GET /api/v1/me
				check("GET /api/v1/me")
				if st, body := h.do(key, "GET", "/api/v1/me", nil); st != 200 || body["username"] != a.Username {
					t.Errorf("me: %d %v", st, body)
				}

				// Units: list, read, change, create.
				check("GET /api/v1/units")
				st, body := h.do(key, "GET", "/api/v1/units?limit=1000", nil)
				if st != 200 {
					t.Fatalf("list units: %d %v", st, body)
				}
				want := 0
				for _, u := range h.fx.Units {
					if a.SeesUnit(u.Path, u.RegionPath) {
						want++
					}
				}
				if got := len(items(body)); got != want || want == 0 {
					t.Errorf("lists %d units, want %d (>0)", got, want)
				}
				for _, it := range items(body) {
					u := h.fx.UnitByID(int64(it["id"].(float64)))
					if u == nil || !a.SeesUnit(u.Path, u.RegionPath) {
						t.Errorf("listed out-of-scope unit %v", it["name"])
					}
				}
				for ukey, u := range h.fx.Units {
					sees := a.SeesUnit(u.Path, u.RegionPath)
					check("GET /api/v1/units/{id}")
					st, _ := h.do(key, "GET", fmt.Sprintf("/api/v1/units/%d", u.ID), nil)
					if sees && st != 200 || !sees && st != 404 {
						t.Errorf("GET unit %s: %d (in scope: %v)", ukey, st, sees)
					}
				}

				// Users: list, read, change, create.
				check("GET /api/v1/users")
				st, body = h.do(key, "GET", "/api/v1/users?limit=1000", nil)
				if st != 200 {
					t.Fatalf("list users: %d", st)
				}
				for _, it := range items(body) {
					u := h.fx.UnitByID(int64(it["unit_id"].(float64)))
					if u != nil && !a.SeesUnit(u.Path, u.RegionPath) {
						t.Errorf("listed user %v of out-of-scope unit %s", it["username"], u.Name)
					}
				}
				for ukey, u := range h.fx.Users {
					unit := h.fx.UnitByID(u.UnitID)
					check("GET /api/v1/users/{id}")
					if st, _ := h.do(key, "GET", fmt.Sprintf("/api/v1/users/%d", u.ID), nil); !a.SeesUnit(unit.Path, unit.RegionPath) && st != 404 {
						t.Errorf("GET out-of-scope user %s: %d", ukey, st)
					}
				}

				// Regions.
				check("GET /api/v1/regions")
				st, body = h.do(key, "GET", "/api/v1/regions?limit=1000", nil)
				if st != 200 || len(items(body)) == 0 {
					t.Errorf("regions: %d, %d items", st, len(items(body)))
				}
				for _, it := range items(body) {
					if !strings.HasPrefix(it["path"].(string), a.RegionPath) {
						t.Errorf("listed out-of-scope region %v", it["name"])
					}
				}
				check("GET /api/v1/regions/{code}")
				for _, code := range []string{"390102", "390103", "3901", "39"} {
					st, _ := h.do(key, "GET", "/api/v1/regions/"+code, nil)
					if sees := strings.HasPrefix(code, a.RegionPath); sees && st != 200 || !sees && st != 404 {
						t.Errorf("GET region %s: %d", code, st)
					}
				}

				// Audit.
				check("GET /api/v1/audit")
				st, body = h.do(key, "GET", "/api/v1/audit?limit=1000", nil)
				if a.HasAny(jianfu.RoleAuditor, jianfu.RoleSysAdmin) {
					if st != 200 {
						t.Errorf("audit as %s: %d", key, st)
					}
					for _, it := range items(body) {
						if !strings.HasPrefix(it["region_path"].(string), a.RegionPath) {
							t.Errorf("audit entry about region %v shown", it["region_path"])
						}
					}
				} else if st != http.StatusForbidden {
					t.Errorf("audit as %s: %d, want 403", key, st)
				}
			})
		}

		// Writes come after all reads, so what they create does not change
		// what the reads expect.
		for key := range h.fx.Users {
			a := h.actor(key)
			t.Run("write/"+key, func(t *testing.T) {
				admin := a.HasAny(jianfu.RoleSysAdmin, jianfu.RoleUnitAdmin)
				for ukey, u := range h.fx.Units {
					sees := a.SeesUnit(u.Path, u.RegionPath)
					canWrite := sees && admin
					check("PATCH /api/v1/units/{id}")
					st, _ := h.do(key, "PATCH", fmt.Sprintf("/api/v1/units/%d", u.ID), map[string]any{"name": u.Name})
					if canWrite && st != 200 || !canWrite && st == 200 {
						t.Errorf("PATCH unit %s: %d (may write: %v)", ukey, st, canWrite)
					}
					check("POST /api/v1/units")
					st, created := h.do(key, "POST", "/api/v1/units", map[string]any{"name": "测试下级单位" + key + ukey, "type": "institution", "region_code": u.RegionCode, "parent_id": u.ID})
					if canWrite && st != 201 || !canWrite && st == 201 {
						t.Errorf("POST unit under %s: %d %v (may write: %v)", ukey, st, created, canWrite)
					}
				}
				for ukey, u := range h.fx.Users {
					unit := h.fx.UnitByID(u.UnitID)
					sees := a.SeesUnit(unit.Path, unit.RegionPath)
					check("PATCH /api/v1/users/{id}")
					if st, _ := h.do(key, "PATCH", fmt.Sprintf("/api/v1/users/%d", u.ID), map[string]any{"phone": "13800009999"}); !sees && st == 200 || !admin && st == 200 {
						t.Errorf("PATCH user %s: %d (in scope %v, admin %v)", ukey, st, sees, admin)
					}
					check("POST /api/v1/users")
					st, _ := h.do(key, "POST", "/api/v1/users", map[string]any{"username": "t." + strings.ToLower(key) + "." + strings.ToLower(ukey), "name": "测试", "unit_id": u.UnitID, "roles": []string{"staff"}, "password": storetest.FixturePassword})
					if (!sees || !admin) && st == 201 {
						t.Errorf("POST user in unit of %s: %d (in scope %v, admin %v)", ukey, st, sees, admin)
					}
					if sees && admin && st != 201 {
						t.Errorf("admin could not create staff in unit of %s: %d", ukey, st)
					}
				}
			})
		}

		// Every route refuses anonymous callers, and every route was walked above.
		for _, rt := range h.routes {
			method, path, _ := strings.Cut(rt, " ")
			st, body := h.do("", method, strings.NewReplacer("{id}", "1", "{code}", "39").Replace(path), map[string]any{})
			if st != 401 {
				t.Errorf("anonymous %s: %d", rt, st)
			}
			if e, _ := body["error"].(map[string]any); e["code"] != "unauthorized" || e["message"] == "" {
				t.Errorf("anonymous %s: error body %v", rt, body)
			}
			if coreRoutes[rt] && !covered[rt] {
				t.Errorf("route %s has no scope test", rt)
			}
		}
	})
}

// coreRoutes are the routes this test walks; every other capability has a
// scope test of its own for its routes (anonymous access is checked here
// for all of them).
var coreRoutes = map[string]bool{
	"GET /api/v1/me": true, "GET /api/v1/regions": true, "GET /api/v1/regions/{code}": true,
	"GET /api/v1/units": true, "POST /api/v1/units": true, "GET /api/v1/units/{id}": true, "PATCH /api/v1/units/{id}": true,
	"GET /api/v1/users": true, "POST /api/v1/users": true, "GET /api/v1/users/{id}": true, "PATCH /api/v1/users/{id}": true,
	"GET /api/v1/audit": true,
}
