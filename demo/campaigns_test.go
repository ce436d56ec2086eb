package demo_test

import (
	"context"
	"testing"

	"jianfu"
	"jianfu/demo"
	"jianfu/store"
	"jianfu/store/storetest"
)

// TestDemoCampaigns: the demo's capital supervisor sees a spot check with
// forms done and failed, rectification items, cleanup candidates and exit
// orders, scorecards with a six-month trend, ratings, and a relapse.
func TestDemoCampaigns(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	sum := generate(t, db, demo.Options{Size: demo.Small})
	var sup *demo.Login
	for i, l := range sum.Logins {
		if l.Username == "jiangzhou.jianguan" {
			sup = &sum.Logins[i]
		}
	}
	if sup == nil {
		t.Fatal("no capital supervisor among the logins")
	}
	u, err := db.Users().Authenticate(context.Background(), sup.Username, sup.Password)
	if err != nil {
		t.Fatal(err)
	}
	token, err := db.Users().CreateSession(context.Background(), u.ID, "127.0.0.1", "demo test")
	if err != nil {
		t.Fatal(err)
	}
	a, err := db.Users().SessionActor(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	ctx := jianfu.WithActor(context.Background(), a)
	d, err := db.Evaluation().Dashboard(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d.Active == 0 || d.Campaigns < 2 || d.OpenForms == 0 || d.FailRate == nil || d.Candidates == 0 || d.OpenOrders == 0 || d.RatingCount == 0 || len(d.Trend) < 2 {
		t.Errorf("dashboard: %+v", d)
	}
	// The trend starts when scoring began; this month rests on most channels.
	if last := d.Trend[len(d.Trend)-1]; last.Coverage < 50 || d.Trend[0].N == 0 {
		t.Errorf("trend coverage: %+v", d.Trend)
	}
	if len(d.Relapses) == 0 {
		t.Error("no relapse flagged")
	}
	cs, _, err := db.Campaigns().FindCampaigns(ctx, jianfu.CampaignFilter{})
	if err != nil || len(cs) < 2 || cs[0].Done == 0 || cs[0].Sampled <= cs[0].Done {
		t.Errorf("campaigns: %+v %v", cs, err)
	}
}
