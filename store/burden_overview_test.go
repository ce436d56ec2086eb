package store_test

import (
	"fmt"
	"testing"
	"time"

	"jianfu"
	"jianfu/store/storetest"
)

// The burden page's overview reads the window once and answers exactly
// what its ranking and summary do when read apart: for each reader, kind,
// page, sort and narrowing filter.
func TestBurdenOverviewMatchesRankingAndSummary(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			db := storetest.OpenDSN(t, storetest.DSN(t, e))
			f := storetest.Load(t, db)
			g := storetest.Groups(t, db, f)
			now := time.Date(2026, 6, 30, 18, 0, 0, 0, jianfu.China)
			db.Now = func() time.Time { return now }
			var obs []jianfu.Observation
			for i, grp := range []*jianfu.Channel{g["southEdu"], g["school"], g["northEdu"], g["southCAC"]} {
				for d := 0; d < 40; d += 1 + i {
					o := jianfu.Observation{Key: []byte(fmt.Sprintf("m%d-%d", i, d)), GroupID: grp.ID, At: now.AddDate(0, 0, -d),
						MemberCount: 30 + 10*i, Offhours: d%3 == 0, MentionAll: d%5 == 0}
					if d%2 == 0 {
						o.Demand, o.Categories = true, jianfu.Categories[d%len(jianfu.Categories)].Bit()
						o.Finding = &jianfu.Finding{Categories: []string{"chain"}, Severity: "medium", Excerpt: "请接龙"}
					}
					obs = append(obs, o)
				}
			}
			if _, err := db.Burden().RecordObservations(storetest.System(), "api", obs); err != nil {
				t.Fatal(err)
			}
			since, until := 20260601, 20260630
			for _, who := range []string{"provSup", "southSup", "eduAdmin"} {
				ctx := f.Ctx(t, db, who)
				for _, kind := range []string{"group", "unit"} {
					for _, fl := range []jianfu.BurdenFilter{
						{}, {Page: jianfu.Page{Limit: 2, Offset: 1}}, {Page: jianfu.Page{Sort: "name"}},
						{RegionPath: "3901"}, {Query: "教育"}, {Page: jianfu.Page{Limit: 1, Offset: 9}},
					} {
						fl.Kind, fl.Since, fl.Until = kind, since, until
						what := fmt.Sprintf("%s, %s, %+v", who, kind, fl)
						rows, total, sum, err := db.Burden().BurdenOverview(ctx, fl)
						wantRows, wantTotal, errR := db.Burden().BurdenRanking(ctx, fl)
						wantSum, errS := db.Burden().BurdenSummary(ctx, jianfu.BurdenFilter{Since: since, Until: until})
						equal(t, what+": rows", rows, err, wantRows, errR)
						equal(t, what+": summary", sum, err, wantSum, errS)
						if total != wantTotal {
							t.Errorf("%s: total %d, want %d", what, total, wantTotal)
						}
						if fl.Page.Offset == 0 && fl.RegionPath == "" && fl.Query == "" && (sum.Groups == 0 || len(rows) == 0) {
							t.Errorf("%s: nothing to compare: %d rows, %+v", what, len(rows), sum)
						}
					}
				}
			}
		})
	}
}
