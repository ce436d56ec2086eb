package demo_test

import (
	"testing"
	"time"

	"jianfu"
	"jianfu/demo"
	"jianfu/secret"
	"jianfu/store"
	"jianfu/store/storetest"
)

// TestDemoCases: the demo's cases cover every state, some are overdue
// and escalated, a few are published as typical cases, named complaints
// can be revealed by the demo's reporter-access account, and the audit
// chain holds.
func TestDemoCases(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	s, _ := secret.ParseSealerKey(secret.NewSealerKey())
	db.SetReporterKey(s)
	start := time.Now()
	sum := generate(t, db, demo.Options{Size: demo.Small})
	t.Logf("cases step and all: %v", time.Since(start))
	ctx := system()
	var got []string
	for _, st := range jianfu.CaseStatuses {
		_, n, err := db.Cases().FindCases(ctx, jianfu.CaseFilter{Status: st, Page: jianfu.Page{Limit: 1}})
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 && st != jianfu.CaseMerged {
			t.Errorf("no demo case is %s", st)
		}
		got = append(got, string(st)+":"+itoa(n))
	}
	t.Logf("by status: %v", got)
	_, overdue, _ := db.Cases().FindCases(ctx, jianfu.CaseFilter{Overdue: true, Page: jianfu.Page{Limit: 1}})
	_, escalated, _ := db.Cases().FindCases(ctx, jianfu.CaseFilter{Escalated: true, Page: jianfu.Page{Limit: 1}})
	_, total, _ := db.Cases().FindCases(ctx, jianfu.CaseFilter{Page: jianfu.Page{Limit: 1}})
	if overdue == 0 || escalated == 0 || total < 40 {
		t.Errorf("total %d, overdue %d, escalated %d", total, overdue, escalated)
	}
	typical, _, err := db.Typical().FindTypicalCases(ctx, jianfu.TypicalFilter{})
	if err != nil || len(typical) == 0 {
		t.Errorf("typical cases: %d %v", len(typical), err)
	}
	found := false
	for _, l := range sum.Logins {
		found = found || l.Username == "sheng.jubao"
	}
	if !found {
		t.Error("no demo login may reveal reporters")
	}
	named, _, _ := db.Cases().FindCases(ctx, jianfu.CaseFilter{Page: jianfu.Page{Limit: 1000}})
	keeper := 0
	for _, c := range named {
		if c.HasIdentity {
			keeper++
		}
	}
	if keeper == 0 {
		t.Error("no demo complaint is named")
	}
	if v, err := db.Audit().VerifyAudit(ctx); err != nil || !v.OK {
		t.Errorf("audit chain: %+v %v", v, err)
	}
}

func itoa(n int) string {
	b := []byte{}
	if n == 0 {
		return "0"
	}
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}
