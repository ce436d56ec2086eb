package demo

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"jianfu"
	"jianfu/detect"
	"jianfu/store"
	"jianfu/store/storetest"
)

// TestTemplatesMeanWhatTheySay keeps the demo honest: ordinary messages
// make no demand, burdensome ones do, emergencies are exempt, and every
// wave of repeated material requests asks for material.
func TestTemplatesMeanWhatTheySay(t *testing.T) {
	det, err := detect.New()
	if err != nil {
		t.Fatal(err)
	}
	g := &gen{rng: rand.New(rand.NewPCG(1, 2))}
	dg := &demoGroup{who: "村", area: "县", members: []string{"张晓明", "李秀兰"}, photo: photoTopics[0], ledger: ledgerTopics[0], daily: dailyTopics[0]}
	for i := 0; i < len(photoTopics); i++ { // several fillings of each, every topic
		dg.photo, dg.ledger, dg.daily = photoTopics[i], ledgerTopics[i%len(ledgerTopics)], dailyTopics[i%len(dailyTopics)]
		for _, tpl := range normalTemplates {
			if r := det.Analyze(detect.Message{Text: g.fill(tpl, dg, time.Now())}); len(r.Categories) > 0 {
				t.Errorf("ordinary message makes a demand: %q → %v", tpl, r.Categories)
			}
		}
		for _, tpl := range burdenTemplates {
			if r := det.Analyze(detect.Message{Text: g.fill(tpl, dg, time.Now())}); !r.Found() {
				t.Errorf("burdensome message not found: %q", tpl)
			}
		}
		for _, tpl := range emergencyTemplates {
			if r := det.Analyze(detect.Message{Text: g.fill(tpl, dg, time.Now())}); !r.Exempt {
				t.Errorf("emergency not exempt: %q", tpl)
			}
		}
		for _, w := range waves {
			for _, tpl := range w.texts {
				if r := det.Analyze(detect.Message{Text: g.fill(tpl, dg, time.Now())}); !r.Found() || !r.Has(jianfu.Material) {
					t.Errorf("wave request is not a material demand: %q", tpl)
				}
			}
		}
	}
}

// TestDemoBurdenStory generates the small province and checks the story
// it tells: normal traffic dominates, some groups are clearly burdensome,
// the same data is asked for by several units, and 江南区's education group
// relapses after its rectification.
func TestDemoBurdenStory(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := jianfu.WithActor(context.Background(), jianfu.SystemActor("test"))
	sum, err := Generate(ctx, db, Options{Size: Small})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, c := range sum.Counts {
		counts[c.What] = c.N
	}
	t.Logf("counts %v", counts)
	msgs, findings := counts["工作群消息(已分析,原文未保存)"], counts["问题发现"]
	if msgs < 5000 || findings == 0 || findings*5 > msgs {
		t.Errorf("%d messages, %d findings: want thousands of messages with findings a small share", msgs, findings)
	}
	if counts["多头报送"] < 2 {
		t.Errorf("%d 多头报送 clusters, want the waves", counts["多头报送"])
	}
	rows, total, err := db.Burden().BurdenRanking(ctx, jianfu.BurdenFilter{Since: jianfu.AddDays(jianfu.DayOf(time.Now()), -89), Page: jianfu.Page{Limit: 1000}})
	rows0 := rows
	if err != nil {
		t.Fatal(err)
	}
	high, low := 0, 0
	var relapse *jianfu.BurdenRow
	for _, r := range rows {
		switch {
		case r.Index.Value >= 40:
			high++
		case r.Index.Value < 20:
			low++
		}
		if r.UnitName == "江州市江南区教育局" {
			relapse = r
		}
	}
	for _, r := range rows0 {
		t.Logf("%-28s %5.1f d=%d m=%d off=%.2f load=%.2f at=%d as=%d", r.Name, r.Index.Value, r.Metrics.Demands, r.Metrics.Messages, r.Metrics.OffhoursShare(), r.Metrics.PerMemberDay(), r.Metrics.MentionAll, r.Metrics.Assessed)
	}
	if high == 0 || low < total/2 {
		t.Errorf("of %d groups %d are burdensome and %d low: normal groups should dominate, some stand out", total, high, low)
	}
	rows, _, _ = db.Burden().BurdenRanking(ctx, jianfu.BurdenFilter{Query: "江州市江南区教育局"})
	flagged := false
	for _, r := range rows {
		flagged = flagged || r.Relapse
	}
	if relapse == nil || !flagged {
		t.Errorf("江南区教育局's group is not flagged as relapsing: %+v", rows)
	}
	cs, _, _ := db.Burden().FindClusters(ctx, jianfu.ClusterFilter{})
	best := 0
	for _, c := range cs {
		best = max(best, c.Units)
	}
	if best < 3 {
		t.Errorf("the largest 多头报送 cluster spans %d units, want 3 or more", best)
	}
	// names known to the registry and phone numbers are masked
	fs, _, _ := db.Burden().FindFindings(ctx, jianfu.FindingFilter{Page: jianfu.Page{Limit: 1000}})
	for _, f := range fs {
		for _, d := range []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"} {
			if strings.Contains(f.Excerpt, "1"+d+"0") && strings.Count(f.Excerpt, "*") == 0 && len(f.Excerpt) > 200 {
				t.Logf("check %q", f.Excerpt)
			}
		}
	}
}
