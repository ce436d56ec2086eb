package web_test

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// TestCaseQueueSortsByDeadline: the case list and its triage tab put what
// is due first on top — an old clue long overdue before a new one — not
// the newest number; asked, they sort by another column.
func TestCaseQueueSortsByDeadline(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			var now atomic.Int64
			now.Store(time.Now().Add(-40 * 24 * time.Hour).UnixMilli())
			db := storetest.Open(t, e, store.WithClock(func() time.Time { return time.UnixMilli(now.Load()) }))
			h := newHarness(t, db)
			sys := storetest.System()
			file := func(text string) string {
				rec, err := db.Intake().SubmitComplaint(jianfu.WithClientIP(sys, "198.51.100.7"), &jianfu.Complaint{Source: jianfu.SourceComplaint, RegionCode: "390102", Description: text})
				if err != nil {
					t.Fatal(err)
				}
				return rec.Number
			}
			old := file("江南区教育局工作群每天晚上十点要求接龙回复收到")
			now.Store(time.Now().UnixMilli())
			recent := file("江南区望江中学工作群要求每天上传打卡截图")
			b := newBrowser(t, h.srv.URL)
			b.login("south.sup")
			for _, tt := range []struct {
				url         string
				first, then string
			}{
				{"/cases", old, recent},
				{"/cases?view=triage", old, recent},
				{"/cases?sort=-number", recent, old},
				{"/cases?sort=-due", recent, old},
			} {
				_, body := b.get(tt.url)
				i, j := strings.Index(body, tt.first), strings.Index(body, tt.then)
				if i < 0 || j < 0 || i > j {
					t.Errorf("%s: %s at %d, %s at %d; want %s first", tt.url, tt.first, i, tt.then, j, tt.first)
				}
			}
		})
	}
}
