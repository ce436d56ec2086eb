package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// The current window (burden_current) answers what the stored days do for
// today's default window: the regions, both rankings, the summary, the
// overview and the indexes evaluation reads, for three callers, equal the
// direct reading of burden_daily (WithDirectBurden); ingest keeps the
// table current in its transaction (what it holds equals a rebuild from
// the days, also after concurrent batches for the same groups); a new day
// is recomputed by its first reader; a rebuild recomputes it.
func TestBurdenCurrentMatchesDays(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			dsn := storetest.DSN(t, e)
			db := storetest.OpenDSN(t, dsn)
			direct := storetest.OpenDSN(t, dsn, store.WithDirectBurden())
			f := storetest.Load(t, db)
			g := storetest.Groups(t, db, f)
			now := time.Date(2026, 6, 30, 18, 0, 0, 0, jianfu.China)
			var mu sync.Mutex
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			db.Now, direct.Now = clock, clock
			rng := rand.New(rand.NewPCG(21, 15))
			var rngMu sync.Mutex
			// a second group of the south's education bureau, quiet in the
			// window: its weeks still count in its unit's trend
			old := &jianfu.Channel{Kind: jianfu.KindGroup, Name: "江南区教育局旧工作群", UnitID: g["southEdu"].UnitID, Platform: "wecom", PlatformID: "wr-south-edu-old",
				Owner: "周明远", MemberCount: 30, Status: jianfu.StatusActive, Purpose: "工作沟通"}
			if err := db.Channels().CreateChannel(storetest.System(), old); err != nil {
				t.Fatal(err)
			}
			groups := []*jianfu.Channel{g["southEdu"], g["school"], g["northEdu"], g["southCAC"]}
			n := 0
			batch := func(from, to time.Time, count int, only ...*jianfu.Channel) []jianfu.Observation {
				rngMu.Lock()
				defer rngMu.Unlock()
				pick := groups
				if len(only) > 0 {
					pick = only
				}
				var obs []jianfu.Observation
				span := int64(to.Sub(from) / time.Minute)
				for i := 0; i < count; i++ {
					n++
					grp := pick[rng.IntN(len(pick))]
					o := jianfu.Observation{Key: []byte(fmt.Sprintf("c%d", n)), GroupID: grp.ID, At: from.Add(time.Duration(rng.Int64N(span)) * time.Minute),
						MemberCount: 20 + rng.IntN(60), Offhours: rng.IntN(4) == 0, MentionAll: rng.IntN(9) == 0}
					switch rng.IntN(6) {
					case 0, 1:
						o.Demand, o.Assessed = true, rng.IntN(3) == 0
						o.Categories = jianfu.Categories[rng.IntN(len(jianfu.Categories))].Bit()
						o.Finding = &jianfu.Finding{Categories: []string{"chain"}, Severity: "medium", Excerpt: "请接龙"}
					case 2:
						o.Exempt = true
					}
					obs = append(obs, o)
				}
				return obs
			}
			record := func(obs []jianfu.Observation) {
				t.Helper()
				for start := 0; start < len(obs); start += 200 {
					if _, err := db.Burden().RecordObservations(storetest.System(), "api", obs[start:min(start+200, len(obs))]); err != nil {
						t.Fatal(err)
					}
				}
			}
			same := func(step string) {
				t.Helper()
				today := jianfu.DayOf(clock())
				since, until := jianfu.AddDays(today, -(jianfu.BurdenWindowDays-1)), today
				for _, who := range []string{"provSup", "southSup", "eduAdmin"} {
					ctx := f.Ctx(t, db, who)
					for _, region := range []string{"", "39", "3901", "390102"} {
						fl := jianfu.BurdenFilter{RegionPath: region, Since: since, Until: until}
						a, errA := db.Burden().RegionBurden(ctx, fl)
						b, errB := direct.Burden().RegionBurden(ctx, fl)
						equal(t, fmt.Sprintf("%s: regions of %q by %s", step, region, who), a, errA, b, errB)
					}
					for _, kind := range []string{"group", "unit"} {
						for _, fl := range []jianfu.BurdenFilter{
							{Kind: kind, Since: since, Until: until},
							{Kind: kind, Page: jianfu.Page{Limit: 2, Offset: 1, Sort: "-demands"}}, // the default window by zeros
							{Kind: kind, RegionPath: "3901", Since: since, Until: until, Query: "教育"},
						} {
							a, na, errA := db.Burden().BurdenRanking(ctx, fl)
							b, nb, errB := direct.Burden().BurdenRanking(ctx, fl)
							equal(t, fmt.Sprintf("%s: %s ranking %+v by %s", step, kind, fl, who), a, errA, b, errB)
							if na != nb {
								t.Fatalf("%s: %s ranking by %s: %d rows, %d from the days", step, kind, who, na, nb)
							}
							ra, ta, sa, errA := db.Burden().BurdenOverview(ctx, fl)
							rb, tb, sb, errB := direct.Burden().BurdenOverview(ctx, fl)
							equal(t, fmt.Sprintf("%s: %s overview %+v by %s", step, kind, fl, who), []any{ra, ta, sa}, errA, []any{rb, tb, sb}, errB)
						}
					}
					a, errA := db.Burden().BurdenSummary(ctx, jianfu.BurdenFilter{})
					b, errB := direct.Burden().BurdenSummary(ctx, jianfu.BurdenFilter{})
					equal(t, fmt.Sprintf("%s: summary by %s", step, who), a, errA, b, errB)
				}
				ids := []int64{groups[0].ID, groups[1].ID, groups[2].ID, groups[3].ID}
				a, errA := db.Burden().BurdenIndexes(storetest.System(), ids)
				b, errB := direct.Burden().BurdenIndexes(storetest.System(), ids)
				equal(t, step+": indexes", a, errA, b, errB)
			}
			// kept at ingest: what the table holds equals a rebuild from the days
			kept := func(step string) {
				t.Helper()
				before, nBefore := currentRows(t, db)
				if _, err := db.Burden().RebuildRollups(storetest.System()); err != nil {
					t.Fatal(err)
				}
				after, nAfter := currentRows(t, db)
				if before != after {
					t.Fatalf("%s: burden_current kept at ingest (%d rows) differs from a rebuild (%d rows)\nkept    %s\nrebuilt %s", step, nBefore, nAfter, before, after)
				}
			}

			// the southern CAC group stays quiet until later: it first appears
			// in the window by ingest
			record(batch(now.AddDate(0, 0, -120), now, 2500, groups[0], groups[1], groups[2]))
			record(batch(now.AddDate(0, 0, -70), now.AddDate(0, 0, -40), 200, old))
			// the scorecards read the indexes inside their transaction while
			// the table is not yet today's: they read the rollups, and do not
			// wait for their own transaction to recompute it
			sctx, cancel := context.WithTimeout(storetest.System(), time.Minute)
			if _, err := db.Evaluation().RecomputeScorecards(sctx); err != nil {
				t.Fatalf("scorecards before the first reader: %v", err)
			}
			cancel()
			same("first traffic") // the first reader computes the table
			if _, n := currentRows(t, db); n != 4 {
				t.Fatalf("burden_current holds %d groups, want the 3 with messages in the window and the quiet one", n)
			}

			record(batch(now.AddDate(0, 0, -3), now, 300)) // new group included
			if _, n := currentRows(t, db); n != 5 {
				t.Fatalf("after ingest burden_current holds %d groups, want 5", n)
			}
			kept("more traffic")
			record(batch(now.AddDate(0, 0, -60), now.AddDate(0, 0, -20), 400)) // late messages for old days
			kept("late traffic")
			same("late traffic")

			// concurrent batches for the same groups on different days
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for k := 0; k < 8; k++ {
				obs := batch(now.AddDate(0, 0, -(4*k+1)), now.AddDate(0, 0, -4*k), 60, groups[k%2], groups[3])
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := db.Burden().RecordObservations(storetest.System(), "api", obs); err != nil {
						errs <- err
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			kept("concurrent batches")
			same("concurrent batches")

			// the next day: the window moves, the first reader recomputes it
			mu.Lock()
			now = now.AddDate(0, 0, 1)
			mu.Unlock()
			same("next day")
			record(batch(now.Add(-6*time.Hour), now, 100))
			kept("next day's traffic")
			same("next day's traffic")
		})
	}
}

// currentRows reads burden_current whole, in order, as one string.
func currentRows(t *testing.T, db *store.DB) (string, int) {
	t.Helper()
	if _, err := db.FoldBurden(context.Background()); err != nil {
		t.Fatal(err)
	}
	rows, err := db.SQL().QueryContext(context.Background(), `SELECT group_id, days, messages, members, offhours, mention_all, demands, assessed, exempt,
		c_checkin, c_chain, c_instant, c_task, c_material, c_promote, c_engagement, c_trace, trend, in_window, weeks FROM burden_current ORDER BY group_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		v := make([]any, 20)
		p := make([]any, 20)
		for i := range v {
			p[i] = &v[i]
		}
		if err := rows.Scan(p...); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(v...))
	}
	b, _ := json.Marshal(out)
	return string(b), len(out)
}
