package demo_test

import (
	"context"
	"testing"

	"jianfu"
	"jianfu/demo"
	"jianfu/store"
	"jianfu/store/storetest"
)

// TestDemoChannels checks that the registry of the demo province has
// something in every state and shows every check: planted duplicates, a
// township's app, overdue re-validations, expired temporary groups and a
// review queue in 江南区.
func TestDemoChannels(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		sum := generate(t, db, demo.Options{Size: demo.Small})
		ctx := system()
		n := 0
		for _, c := range sum.Counts {
			if c.What == "政务渠道" {
				n = c.N
			}
		}
		if _, total, _ := db.Channels().FindChannels(ctx, jianfu.ChannelFilter{Page: jianfu.Page{Limit: 1}}); total != n || n < 150 {
			t.Errorf("%d channels stored, summary says %d (want 150 or more in the small province)", total, n)
		}
		for _, st := range jianfu.ChannelStatuses {
			if _, k, _ := db.Channels().FindChannels(ctx, jianfu.ChannelFilter{Status: st, Page: jianfu.Page{Limit: 1}}); k == 0 {
				t.Errorf("no channel is %s", st)
			}
		}
		for _, f := range []jianfu.ChannelFilter{{Overdue: true}, {Expired: true}} {
			if _, k, _ := db.Channels().FindChannels(ctx, f); k == 0 {
				t.Errorf("nothing for %+v", f)
			}
		}
		// The 江南区 supervisor has filings to review, one with a warning.
		var jn demo.Login
		for _, l := range sum.Logins {
			if l.Username == "jiangnan.jianguan" {
				jn = l
			}
		}
		u, err := db.Users().Authenticate(context.Background(), jn.Username, jn.Password)
		if err != nil {
			t.Fatal(err)
		}
		tok, _ := db.Users().CreateSession(context.Background(), u.ID, "127.0.0.1", "test")
		a, _ := db.Users().SessionActor(context.Background(), tok)
		sup := jianfu.WithActor(context.Background(), a)
		queue, k, err := db.Channels().FindChannels(sup, jianfu.ChannelFilter{Status: jianfu.StatusSubmitted})
		if err != nil || k < 3 {
			t.Fatalf("江南区 review queue: %d (%v)", k, err)
		}
		warned := false
		for _, c := range queue {
			full, _ := db.Channels().FindChannelByID(sup, c.ID)
			warned = warned || len(full.Checks) > 0
			if acts := db.Channels().AllowedActions(sup, full); len(acts) == 0 {
				t.Errorf("the supervisor cannot review %s", c.Name)
			}
		}
		if !warned {
			t.Error("no filing in the queue carries a rule warning")
		}
		view, err := db.Registry().Consolidate(ctx, jianfu.ConsolidationFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(view.Clusters) == 0 || len(view.BelowCounty) == 0 || len(view.ExpiredGroups) == 0 || view.Overdue == 0 || len(view.People) == 0 {
			t.Errorf("consolidation shows too little: %d clusters, %d below-county apps, %d expired groups, %d overdue, %d people",
				len(view.Clusters), len(view.BelowCounty), len(view.ExpiredGroups), view.Overdue, len(view.People))
		}
		// Filed channels verify in public.
		list, _, _ := db.Channels().FindChannels(ctx, jianfu.ChannelFilter{Status: jianfu.StatusActive, Page: jianfu.Page{Limit: 1}})
		if v, err := db.Registry().VerifyChannel(context.Background(), list[0].FilingNumber); err != nil || v.Verdict != jianfu.VerdictFiled {
			t.Errorf("verify %s: %+v %v", list[0].FilingNumber, v, err)
		}
		// Accounts and apps carry public links in their platform's shape:
		// a citizen pasting one learns whose it is.
		for _, kind := range []jianfu.ChannelKind{jianfu.KindAccount, jianfu.KindApp} {
			live, _, _ := db.Channels().FindChannels(ctx, jianfu.ChannelFilter{Kind: kind, Status: jianfu.StatusActive, Page: jianfu.Page{Limit: 50}})
			linked := 0
			for _, c := range live {
				if c.URL == "" {
					continue
				}
				linked++
				v, err := db.Registry().VerifyChannel(context.Background(), c.URL)
				if err != nil || v.Verdict != jianfu.VerdictFiled || v.Recognized == nil || len(v.Matches) == 0 || v.Matches[0].Name != c.Name {
					t.Errorf("verify %s (%s): %+v %v", c.URL, c.Name, v, err)
				}
			}
			if linked == 0 {
				t.Errorf("no active %s has a public link", kind)
			}
		}
	})
}
