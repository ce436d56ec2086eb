package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"jianfu"
	"jianfu/detect"
	"jianfu/ingest"
	"jianfu/store"
	"jianfu/store/storetest"
)

// TestBurdenRoutesEveryRoleEveryScope walks every burden API route as every
// fixture role over groups, findings, clusters and clues inside and outside
// the caller's subtree: nothing outside is readable or writable, and what
// is outside answers like what does not exist.
func TestBurdenRoutesEveryRoleEveryScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		g := storetest.Groups(t, db, h.fx)
		sys := storetest.System()
		det, _ := detect.New()
		p := testPipeline(t, db, det).(*ingest.Pipeline)
		var msgs []jianfu.Message
		at := time.Now().Add(-26 * time.Hour)
		for _, k := range []string{"southEdu", "school", "northEdu", "southCAC"} {
			msgs = append(msgs,
				jianfu.Message{GroupID: g[k].ID, Time: at, Sender: "周明远", Text: "@所有人 收到请回复1,今晚必须完成打卡"},
				jianfu.Message{GroupID: g[k].ID, Time: at.Add(time.Minute), Sender: "李老师", Text: "收到"})
		}
		// one county's units ask for the same table; the other county's
		// request concerns other villages and stays apart
		for _, k := range []string{"southEdu", "school", "southCAC", "northEdu"} {
			msgs = append(msgs, jianfu.Message{GroupID: g[k].ID, Time: at.Add(time.Hour), Text: "请于今天下班前报送辖区60岁以上独居老人信息统计表"})
		}
		if _, err := p.IngestAll(sys, msgs); err != nil {
			t.Fatal(err)
		}
		db.Burden().ClusterMaterial(sys, 0)
		clusters, _, _ := db.Burden().FindClusters(sys, jianfu.ClusterFilter{})
		if len(clusters) != 1 {
			t.Fatalf("%d clusters, want 1", len(clusters))
		}
		cluster := clusters[0]
		findings, _, _ := db.Burden().FindFindings(sys, jianfu.FindingFilter{Page: jianfu.Page{Limit: 100}})
		unitOf := map[int64]*jianfu.Unit{}
		for k, c := range g {
			unitOf[c.ID] = h.fx.UnitByID(g[k].UnitID)
		}
		covered := map[string]bool{}
		check := func(r string) { covered[r] = true }

		for key := range h.fx.Users {
			a := h.actor(key)
			sees := func(group int64) bool { u := unitOf[group]; return a.SeesUnit(u.Path, u.RegionPath) }
			inScope := 0
			for _, c := range g {
				if sees(c.ID) {
					inScope++
				}
			}
			t.Run(key, func(t *testing.T) {
				check("GET /api/v1/burden/summary")
				st, body := h.do(key, "GET", "/api/v1/burden/summary?days=7", nil)
				if st != 200 || body["groups"] != float64(inScope) {
					t.Errorf("summary: %d, %v groups, want %d", st, body["groups"], inScope)
				}
				check("GET /api/v1/burden/groups")
				st, body = h.do(key, "GET", "/api/v1/burden/groups?days=7&limit=1000", nil)
				if st != 200 || len(items(body)) != inScope {
					t.Errorf("ranking: %d, %d rows, want %d", st, len(items(body)), inScope)
				}
				for _, it := range items(body) {
					if !sees(int64(it["id"].(float64))) {
						t.Errorf("ranking lists out-of-scope group %v", it["name"])
					}
				}
				check("GET /api/v1/burden/groups/{id}")
				for k, c := range g {
					st, _ := h.do(key, "GET", fmt.Sprintf("/api/v1/burden/groups/%d?days=7", c.ID), nil)
					if sees(c.ID) && st != 200 || !sees(c.ID) && st != 404 {
						t.Errorf("group %s: %d (in scope %v)", k, st, sees(c.ID))
					}
				}
				check("GET /api/v1/burden/units")
				st, body = h.do(key, "GET", "/api/v1/burden/units?days=7", nil)
				for _, it := range items(body) {
					u := h.fx.UnitByID(int64(it["id"].(float64)))
					if st != 200 || !a.SeesUnit(u.Path, u.RegionPath) {
						t.Errorf("unit ranking lists %v (%d)", it["name"], st)
					}
				}
				check("GET /api/v1/burden/units/{id}")
				for uk, u := range h.fx.Units {
					st, _ := h.do(key, "GET", fmt.Sprintf("/api/v1/burden/units/%d", u.ID), nil)
					if s := a.SeesUnit(u.Path, u.RegionPath); s && st != 200 || !s && st != 404 {
						t.Errorf("unit %s: %d (in scope %v)", uk, st, s)
					}
				}
				check("GET /api/v1/findings")
				st, body = h.do(key, "GET", "/api/v1/findings?limit=1000", nil)
				want := 0
				for _, f := range findings {
					if sees(f.GroupID) {
						want++
					}
				}
				if st != 200 || len(items(body)) != want {
					t.Errorf("findings: %d, %d, want %d", st, len(items(body)), want)
				}
				for _, it := range items(body) {
					if !sees(int64(it["group_id"].(float64))) {
						t.Errorf("lists a finding of an out-of-scope group")
					}
				}
				check("GET /api/v1/findings/{id}")
				for _, f := range findings {
					st, _ := h.do(key, "GET", fmt.Sprintf("/api/v1/findings/%d", f.ID), nil)
					if sees(f.GroupID) && st != 200 || !sees(f.GroupID) && st != 404 {
						t.Errorf("finding %d of %s: %d", f.ID, f.GroupName, st)
					}
				}
				// the cluster spans the three south groups
				visible := 0
				for _, k := range []string{"southEdu", "school", "southCAC"} {
					if sees(g[k].ID) {
						visible++
					}
				}
				check("GET /api/v1/burden/clusters")
				st, body = h.do(key, "GET", "/api/v1/burden/clusters", nil)
				if st != 200 || (visible >= 2) != (len(items(body)) == 1) {
					t.Errorf("clusters: %d, %d listed with %d groups in scope", st, len(items(body)), visible)
				}
				for _, it := range items(body) {
					if it["groups"] != float64(visible) {
						t.Errorf("cluster counts %v groups, want the %d in scope", it["groups"], visible)
					}
					for _, n := range it["unit_names"].([]any) {
						if strings.Contains(n.(string), "江北") {
							t.Errorf("cluster names a unit of the other county: %v", n)
						}
						var in bool
						for _, u := range h.fx.Units {
							if u.Name == n && a.SeesUnit(u.Path, u.RegionPath) {
								in = true
							}
						}
						if !in {
							t.Errorf("cluster names out-of-scope unit %v", n)
						}
					}
				}
				check("GET /api/v1/burden/clusters/{id}")
				st, _ = h.do(key, "GET", fmt.Sprintf("/api/v1/burden/clusters/%d", cluster.ID), nil)
				if visible >= 2 && st != 200 || visible < 2 && st != 404 {
					t.Errorf("cluster: %d with %d groups in scope", st, visible)
				}
				check("GET /api/v1/burden/people")
				if st, body := h.do(key, "GET", "/api/v1/burden/people", nil); st != 200 || body["stats"] == nil {
					t.Errorf("people: %d", st)
				}
			})
		}

		// Writes after all reads.
		for key := range h.fx.Users {
			a := h.actor(key)
			sees := func(group int64) bool { u := unitOf[group]; return a.SeesUnit(u.Path, u.RegionPath) }
			t.Run("write/"+key, func(t *testing.T) {
				for k, c := range g {
					check("POST /api/v1/messages")
					st, body := h.do(key, "POST", "/api/v1/messages", []map[string]any{{"group_id": c.ID, "time": recent(time.Hour), "text": "好的 " + key}})
					switch {
					case !a.CanIngest():
						if st != 403 {
							t.Errorf("messages to %s: %d, want 403", k, st)
						}
					case sees(c.ID):
						if st != 202 || body["accepted"] != 1.0 {
							t.Errorf("messages to %s: %d %v", k, st, body)
						}
					default:
						if st != 202 || body["accepted"] != 0.0 || body["rejected"] != 1.0 {
							t.Errorf("messages to out-of-scope %s: %d %v", k, st, body)
						}
					}
					check("POST /api/v1/messages/export")
					export := time.Now().In(jianfu.China).Add(-time.Hour).Format("2006-01-02 15:04:05") + " 某人\n好的 " + key + "\n"
					st, _ = h.raw(key, "POST", fmt.Sprintf("/api/v1/messages/export?group_id=%d&filename=x.txt", c.ID), "text/plain", []byte(export), nil)
					switch {
					case !a.CanIngest():
						if st != 403 {
							t.Errorf("export to %s: %d, want 403", k, st)
						}
					case sees(c.ID) && st != 202, !sees(c.ID) && st != 404:
						t.Errorf("export to %s: %d (in scope %v)", k, st, sees(c.ID))
					}
				}
				for _, f := range findings {
					check("POST /api/v1/clues")
					st, _ := h.do(key, "POST", "/api/v1/clues", map[string]any{"kind": "finding", "id": f.ID})
					switch {
					case !a.CanRaiseClue():
						if st != 403 {
							t.Errorf("clue on %s: %d, want 403", f.GroupName, st)
						}
					case !sees(f.GroupID):
						if st != 404 {
							t.Errorf("clue on out-of-scope %s: %d", f.GroupName, st)
						}
					default:
						if st != 201 && st != 409 {
							t.Errorf("clue on %s: %d", f.GroupName, st)
						}
					}
				}
				check("GET /api/v1/clues")
				st, body := h.do(key, "GET", "/api/v1/clues", nil)
				if st != 200 {
					t.Errorf("clues: %d", st)
				}
				for _, it := range items(body) {
					u := h.fx.UnitByID(int64(it["unit_id"].(float64)))
					if !a.SeesUnit(u.Path, u.RegionPath) {
						t.Errorf("lists a clue of %s", u.Name)
					}
				}
			})
		}
		for _, rt := range h.routes {
			if burdenRoutes[rt] && !covered[rt] {
				t.Errorf("route %s has no scope test", rt)
			}
		}
	})
}

var burdenRoutes = map[string]bool{
	"POST /api/v1/messages": true, "POST /api/v1/messages/export": true, "GET /api/v1/burden/summary": true,
	"GET /api/v1/burden/groups": true, "GET /api/v1/burden/groups/{id}": true, "GET /api/v1/burden/units": true, "GET /api/v1/burden/units/{id}": true,
	"GET /api/v1/findings": true, "GET /api/v1/findings/{id}": true, "GET /api/v1/burden/clusters": true, "GET /api/v1/burden/clusters/{id}": true,
	"GET /api/v1/clues": true, "POST /api/v1/clues": true, "GET /api/v1/burden/people": true,
}
