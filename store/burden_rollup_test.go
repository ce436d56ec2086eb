package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// The burden rollups answer exactly what the stored days do: every region,
// ranking, summary and trend read through them equals the direct reading
// of burden_daily (WithDirectBurden), on generated traffic over four
// groups and 120 days, after more traffic arrives (some of it for old
// days), after retention deletes old findings, after a rebuild, and after
// migration 0016 fills them for a database that had days before them.
func TestBurdenRollupsMatchDays(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			dsn := storetest.DSN(t, e)
			db := storetest.OpenDSN(t, dsn)
			direct := storetest.OpenDSN(t, dsn, store.WithDirectBurden())
			f := storetest.Load(t, db)
			g := storetest.Groups(t, db, f)
			now := time.Date(2026, 6, 30, 18, 0, 0, 0, jianfu.China)
			db.Now = func() time.Time { return now }
			direct.Now = db.Now
			rng := rand.New(rand.NewPCG(15, 16))
			groups := []*jianfu.Channel{g["southEdu"], g["school"], g["northEdu"], g["southCAC"]}
			n := 0
			traffic := func(from, to time.Time, count int) {
				t.Helper()
				var obs []jianfu.Observation
				span := int64(to.Sub(from) / time.Minute)
				for i := 0; i < count; i++ {
					n++
					grp := groups[rng.IntN(len(groups))]
					if grp == groups[3] && rng.IntN(3) > 0 {
						continue // a quieter group, absent on many days
					}
					o := jianfu.Observation{Key: []byte(fmt.Sprintf("m%d", n)), GroupID: grp.ID, At: from.Add(time.Duration(rng.Int64N(span)) * time.Minute),
						MemberCount: 20 + rng.IntN(60), Offhours: rng.IntN(4) == 0, MentionAll: rng.IntN(9) == 0}
					switch rng.IntN(6) {
					case 0, 1:
						o.Demand, o.Assessed = true, rng.IntN(3) == 0
						one, other := jianfu.Categories[rng.IntN(len(jianfu.Categories))], jianfu.Categories[rng.IntN(len(jianfu.Categories))]
						o.Categories = one.Bit() | other.Bit()
						o.Finding = &jianfu.Finding{Categories: []string{"chain"}, Severity: "medium", Excerpt: "请接龙"}
					case 2:
						o.Exempt = true
					}
					obs = append(obs, o)
				}
				for start := 0; start < len(obs); start += 150 { // several batches
					if _, err := db.Burden().RecordObservations(storetest.System(), "api", obs[start:min(start+150, len(obs))]); err != nil {
						t.Fatal(err)
					}
				}
			}
			same := func(step string) {
				t.Helper()
				for _, who := range []string{"provSup", "southSup", "eduAdmin"} {
					for _, days := range []int{1, 6, 7, 30, 31, 90} {
						for _, until := range []int{20260630, 20260627, 20260515} {
							since := jianfu.AddDays(until, -(days - 1))
							ctx := f.Ctx(t, db, who)
							for _, region := range []string{"", "39", "3901", "390102"} {
								fl := jianfu.BurdenFilter{RegionPath: region, Since: since, Until: until}
								a, errA := db.Burden().RegionBurden(ctx, fl)
								b, errB := direct.Burden().RegionBurden(ctx, fl)
								equal(t, fmt.Sprintf("%s: regions of %q by %s, %d days to %d", step, region, who, days, until), a, errA, b, errB)
							}
							for _, kind := range []string{"group", "unit"} {
								fl := jianfu.BurdenFilter{Kind: kind, Since: since, Until: until, Page: jianfu.Page{Limit: 2, Offset: 1}}
								a, _, errA := db.Burden().BurdenRanking(ctx, fl)
								b, _, errB := direct.Burden().BurdenRanking(ctx, fl)
								equal(t, fmt.Sprintf("%s: %s ranking by %s, %d days to %d", step, kind, who, days, until), a, errA, b, errB)
							}
							a, errA := db.Burden().BurdenSummary(ctx, jianfu.BurdenFilter{Since: since, Until: until})
							b, errB := direct.Burden().BurdenSummary(ctx, jianfu.BurdenFilter{Since: since, Until: until})
							equal(t, fmt.Sprintf("%s: summary by %s, %d days to %d", step, who, days, until), a, errA, b, errB)
						}
					}
				}
				ids := []int64{groups[0].ID, groups[1].ID, groups[2].ID, groups[3].ID}
				a, errA := db.Burden().BurdenIndexes(storetest.System(), ids)
				b, errB := direct.Burden().BurdenIndexes(storetest.System(), ids)
				equal(t, step+": indexes", a, errA, b, errB)
			}

			traffic(now.AddDate(0, 0, -120), now, 3000)
			rows, err := db.Burden().RegionBurden(f.Ctx(t, db, "provSup"), jianfu.BurdenFilter{RegionPath: "3901"})
			if err != nil || len(rows) != 2 || rows[0].Messages == 0 || len(rows[0].Trend) != jianfu.TrendWeeks {
				t.Fatalf("the generated traffic shows no burden: %+v %v", rows, err)
			}
			same("first traffic")

			traffic(now.AddDate(0, 0, -40), now, 800) // late messages for old days too
			same("more traffic")

			purged, err := db.Burden().PurgeFindings(storetest.System(), now.AddDate(0, 0, -60))
			if err != nil || purged == 0 {
				t.Fatalf("retention: %d %v", purged, err)
			}
			same("after retention")

			weeks, nWeeks := rollupRows(t, db)
			if _, err := db.Burden().RebuildRollups(f.Ctx(t, db, "provSup")); jianfu.ErrorCode(err) != jianfu.EFORBIDDEN {
				t.Errorf("a supervisor rebuilt the rollups: %v", err)
			}
			if n, err := db.Burden().RebuildRollups(storetest.System()); err != nil || n != nWeeks {
				t.Fatalf("rebuild: %d rows, %v; kept at ingest %d", n, err, nWeeks)
			}
			if again, _ := rollupRows(t, db); again != weeks {
				t.Error("the rebuilt rollup differs from the one kept at ingest")
			}
			same("after rebuild")

			// a database from before the rollups: migration fills them
			if _, err := db.SQL().Exec(`DELETE FROM burden_weeks`); err != nil {
				t.Fatal(err)
			}
			if _, err := db.SQL().Exec(`INSERT INTO rollup_pending(name) VALUES ('burden_weeks')`); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			if again, _ := rollupRows(t, db); again != weeks {
				t.Error("the migration's rollup differs from the one kept at ingest")
			}
		})
	}
}

// rollupRows reads burden_weeks whole, in order, as one string.
func rollupRows(t *testing.T, db *store.DB) (string, int) {
	t.Helper()
	if _, err := db.FoldBurden(context.Background()); err != nil {
		t.Fatal(err)
	}
	rows, err := db.SQL().Query(`SELECT group_id, week_end, first_day, unit_id, region_path, unit_path, messages, members, offhours, mention_all, demands, assessed, exempt,
		c_checkin, c_chain, c_instant, c_task, c_material, c_promote, c_engagement, c_trace FROM burden_weeks ORDER BY group_id, week_end`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		v := make([]any, 21)
		p := make([]any, 21)
		for i := range v {
			p[i] = &v[i]
		}
		if err := rows.Scan(p...); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(v...))
	}
	if len(out) == 0 {
		t.Fatal("no rollup rows")
	}
	b, _ := json.Marshal(out)
	return string(b), len(out)
}

func equal(t *testing.T, what string, a any, errA error, b any, errB error) {
	t.Helper()
	if errA != nil || errB != nil {
		t.Fatalf("%s: %v / %v", what, errA, errB)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Fatalf("%s: rollup and days differ\nrollup %s\ndays   %s", what, ja, jb)
	}
}
