package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"jianfu/store"
	"jianfu/store/storetest"
)

// TestBrowserPrint: a case, the case list and the campaign list printed
// carry a header with the office and the date, and show no navigation,
// buttons, forms, filters or paging. With $JIANFU_SHOTS set, the printed
// pages are saved there as screenshots.
func TestBrowserPrint(t *testing.T) {
	ctx := chrome(t)
	h := newCaseHarness(t, storetest.Open(t, store.SQLite))
	if err := chromedp.Do(ctx, loginAs(h.srv.URL, "south.sup")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct{ name, url, shows string }{
		{"case", "/cases/" + itoa(h.south.ID), "江南区教育局工作群每天要求教师接龙打卡"},
		{"cases", "/cases", h.south.Number},
		{"campaigns", "/campaigns", "抽查"},
		{"evaluation", "/evaluation", "评价"},
	} {
		if err := chromedp.Do(ctx, chromedp.Navigate(h.srv.URL+p.url), chromedp.WaitReady(`main`)); err != nil {
			t.Fatal(err)
		}
		// What a printout shows: the visible text, and any visible control.
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(function () {
			var shown = function (e) { return e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden"; };
			var controls = Array.prototype.filter.call(document.querySelectorAll("header.top, nav, form, button, a.button, .filters, .pager, footer"), shown);
			return [document.body.innerText, controls.map(function (e) { return e.tagName + "." + e.className; }).join(" ")];
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		text, controls := got[0], got[1]
		if !strings.HasPrefix(strings.TrimSpace(text), "中共江州市江南区委网络安全和信息化委员会办公室") || !strings.Contains(text, "打印日期:") {
			t.Errorf("%s printed does not start with the office and the date: %.120q", p.name, text)
		}
		if !strings.Contains(text, p.shows) {
			t.Errorf("%s printed lacks %q", p.name, p.shows)
		}
		if controls != "" {
			t.Errorf("%s printed shows %s", p.name, controls)
		}
		if dir := os.Getenv("JIANFU_SHOTS"); dir != "" {
			if buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
				os.WriteFile(filepath.Join(dir, "print-"+p.name+".png"), buf, 0o644)
			}
		}
	}
	// On screen the header is hidden.
	chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""})
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector(".printhead").getClientRects().length > 0`))
	if err != nil || shown {
		t.Errorf("the print header shows on screen (%v)", err)
	}
}
