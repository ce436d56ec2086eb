package web_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// TestBrowserBurdenDrillDown is burden by region's user journey: the
// province supervisor opens 各地区, drills from the province to the city to
// a county and on to the unit and its group, and exports the city's county
// ranking.
func TestBrowserBurdenDrillDown(t *testing.T) {
	ctx := chrome(t)
	h := newHarness(t, storetest.Open(t, store.SQLite))
	g := storetest.Groups(t, h.db, h.fx)
	now := time.Now()
	var obs []jianfu.Observation
	for i := 0; i < 30; i++ {
		obs = append(obs, jianfu.Observation{Key: []byte(fmt.Sprintf("s%d", i)), GroupID: g["school"].ID, At: now.Add(-time.Duration(i) * 3 * time.Hour),
			MemberCount: 40, Offhours: true, Demand: true, Categories: jianfu.Chain.Bit()})
		obs = append(obs, jianfu.Observation{Key: []byte(fmt.Sprintf("n%d", i)), GroupID: g["northEdu"].ID, At: now.Add(-time.Duration(i) * 5 * time.Hour), MemberCount: 40})
	}
	if _, err := h.db.Burden().RecordObservations(storetest.System(), "api", obs); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(chromedp.Do(ctx,
		chromedp.Navigate(h.srv.URL+"/burden/regions"),
		chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, "prov.sup"),
		chromedp.SendKeys(`input[name=password]`, storetest.FixturePassword),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(`table.regions`),
	))
	if got := waitText(t, ctx, `table.regions`, "江州市"); !strings.Contains(got, "江州市") {
		t.Fatalf("the province page: %q", got)
	}
	must(chromedp.Do(ctx, chromedp.Click(`table.regions a[href*="region=390100"]`, chromedp.NodeVisible)))
	city := waitText(t, ctx, `h1`, "江州市各地区负担指数")
	if !strings.Contains(city, "江州市") {
		t.Fatalf("the city page: %q", city)
	}
	rows := waitText(t, ctx, `table.regions tbody`, "江北区")
	if !strings.Contains(rows, "江南区") || strings.Index(rows, "江南区") > strings.Index(rows, "江北区") {
		t.Errorf("the counties, heaviest first: %q", rows)
	}
	href, err := chromedp.Run(ctx, chromedp.AttributeValue(`a.button[href*="format=xlsx"]`, "href"))
	must(err)
	resp, body := h.download("provSup", strings.TrimPrefix(href.Value, h.srv.URL))
	if resp.StatusCode != 200 {
		t.Fatalf("export %s: %d", href.Value, resp.StatusCode)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	must(err)
	sheet, _ := f.GetRows(f.GetSheetList()[0])
	if len(sheet) < 5 || !strings.HasPrefix(sheet[0][0], "江州市各地区") || sheet[3][1] != "江南区" {
		t.Errorf("the county ranking workbook: %q", sheet)
	}
	must(chromedp.Do(ctx, chromedp.Click(`table.regions a[href*="region=390102&"]`, chromedp.NodeVisible)))
	if got := waitText(t, ctx, `table.regions tbody`, "望江街道"); !strings.Contains(got, "望江街道") {
		t.Fatalf("the county page: %q", got)
	}
	must(chromedp.Do(ctx, chromedp.Click(`table.regions a[href*="kind=unit"]`, chromedp.NodeVisible)))
	if got := waitText(t, ctx, `table.ranking`, "望江中学"); !strings.Contains(got, "望江中学") {
		t.Fatalf("the township's units: %q", got)
	}
	must(chromedp.Do(ctx, chromedp.Click(`table.ranking a[href*="/burden/units/"]`, chromedp.NodeVisible)))
	if got := waitText(t, ctx, `main`, "望江中学教师群"); !strings.Contains(got, "望江中学教师群") {
		t.Errorf("the unit's groups: %q", got)
	}
}
