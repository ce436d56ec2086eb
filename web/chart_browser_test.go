package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"jianfu"
	"jianfu/detect"
	"jianfu/ingest"
	"jianfu/store"
	"jianfu/store/storetest"
)

// TestBrowserChartTextOnPhones: on a 390 px wide phone every text of the
// charts (a group's burden, burden by region, the overdue cases by region)
// is at least 11 px high on the screen.
func TestBrowserChartTextOnPhones(t *testing.T) {
	ctx := chrome(t)
	h := newCaseHarness(t, storetest.Open(t, store.SQLite))
	g := storetest.Groups(t, h.db, h.fx)
	var msgs []jianfu.Message
	for i := 0; i < 30; i++ {
		msgs = append(msgs, jianfu.Message{GroupID: g["southEdu"].ID, Time: time.Now().AddDate(0, 0, -i).Add(-time.Hour), Text: "@所有人 今晚10点前每人接龙报送走访照片,纳入考核"})
	}
	det, _ := detect.New()
	if _, err := testPipeline(t, h.db, det).(*ingest.Pipeline).IngestAll(storetest.System(), msgs); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), loginAs(h.srv.URL, "south.sup")); err != nil {
		t.Fatal(err)
	}
	for _, url := range []string{"/burden/groups/" + itoa(g["southEdu"].ID), "/burden/regions", "/cases/overdue"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(h.srv.URL+url), chromedp.WaitReady(`main`)); err != nil {
			t.Fatal(err)
		}
		// The height on the screen of each chart text: its font size times
		// the scale the SVG is drawn at.
		small, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.prototype.map.call(document.querySelectorAll("svg.chart text"), function (t) {
			var px = parseFloat(getComputedStyle(t).fontSize) * t.ownerSVGElement.getScreenCTM().a;
			return px < 11 ? t.textContent + " " + px.toFixed(1) + "px" : "";
		}).filter(Boolean)`))
		if err != nil {
			t.Fatal(err)
		}
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("svg.chart text").length`))
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 && url != "/cases/overdue" {
			t.Errorf("%s has no chart text to measure", url)
		}
		if len(small) > 0 {
			t.Errorf("%s: chart text under 11 px on a phone: %s", url, strings.Join(small, "; "))
		}
	}
}
