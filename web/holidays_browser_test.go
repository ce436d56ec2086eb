package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"jianfu/store"
	"jianfu/store/storetest"
)

// TestBrowserHolidaySchedule: the system administrator finds 节假日安排
// under 系统管理, picks a year and reads its days off and make-up days.
func TestBrowserHolidaySchedule(t *testing.T) {
	ctx := chrome(t)
	h := newHarness(t, storetest.Open(t, store.SQLite))
	if err := chromedp.Do(ctx, loginAs(h.srv.URL, "prov.admin"),
		chromedp.Navigate(h.srv.URL+"/admin"),
		chromedp.Click(`a.tile[href="/admin/holidays"]`),
		chromedp.WaitVisible(`#holidays-sample`),
		chromedp.SetValue(`select[name=year]`, "2026"),
		// the table of the page the form is on goes, so the wait below
		// finds the chosen year's page, not this one
		chromedp.Evaluate[chromedp.Void](`document.getElementById("holidays-days")?.remove()`),
		chromedp.Click(`form.filters button`),
		chromedp.WaitVisible(`#holidays-days`)); err != nil {
		t.Fatal(err)
	}
	covered, err := chromedp.Run(ctx, chromedp.Text(`#holidays-covered`))
	if err != nil {
		t.Fatal(err)
	}
	table, err := chromedp.Run(ctx, chromedp.Text(`#holidays-days`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(covered, "2002–2026") || !strings.Contains(table, "2026-10-10") || !strings.Contains(table, "调休上班") {
		t.Errorf("covered %q, table %q", covered, table)
	}
	if dir := os.Getenv("JIANFU_SHOTS"); dir != "" {
		if buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
			os.WriteFile(filepath.Join(dir, "holidays.png"), buf, 0o644)
		}
	}
}
