package store_test

import (
	"fmt"
	"sync"
	"testing"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// TestConcurrentComplaintsLoseNothing files complaints from many
// goroutines at once; every one gets a distinct number and code.
func TestConcurrentComplaintsLoseNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCaseWorld(t, db)
		const n = 60
		var wg sync.WaitGroup
		codes := make([]string, n)
		errs := make([]error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				r, err := db.Intake().SubmitComplaint(anonymous(), &jianfu.Complaint{Source: jianfu.SourceComplaint, RegionCode: "390102", Description: fmt.Sprintf("第%d条:群里要求每天打卡签到", i)})
				errs[i] = err
				if r != nil {
					codes[i] = r.Number
				}
			}(i)
		}
		wg.Wait()
		seen := map[string]bool{}
		for i := range codes {
			if errs[i] != nil {
				t.Fatalf("submission %d: %v", i, errs[i])
			}
			seen[codes[i]] = true
		}
		_, total := must5(t)(db.Cases().FindCases(w.as(t, "southSup"), jianfu.CaseFilter{}))
		if len(seen) != n || total != n {
			t.Errorf("%d distinct numbers, %d stored, want %d", len(seen), total, n)
		}
		v := must(db.Audit().VerifyAudit(storetest.System()))
		if !v.OK {
			t.Errorf("audit chain broken: %+v", v)
		}
	})
}

func must5(t *testing.T) func([]*jianfu.Case, int, error) ([]*jianfu.Case, int) {
	return func(l []*jianfu.Case, n int, err error) ([]*jianfu.Case, int) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return l, n
	}
}
