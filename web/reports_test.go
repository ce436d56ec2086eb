package web_test

import (
	"strings"
	"testing"

	"jianfu/docx"
	"jianfu/store"
	"jianfu/store/storetest"
)

// A supervisor generates the monthly situation report of its region from
// the reports page; a bad period is explained; a unit administrator is
// refused.
func TestSituationReportPage(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	resp, body := h.download("southSup", "/reports")
	if resp.StatusCode != 200 || !strings.Contains(string(body), "月度形势分析") || !strings.Contains(string(body), `value="390102"`) {
		t.Fatalf("reports page: %d\n%s", resp.StatusCode, body)
	}
	resp, body = h.download("southSup", "/reports/situation?period=2026-11&region=390102")
	if resp.StatusCode != 200 {
		t.Fatalf("report: %d %s", resp.StatusCode, body)
	}
	text, err := docx.ReadText(body)
	if err != nil || !strings.Contains(text, "江南区2026年11月“指尖上的形式主义”问题形势分析") || !strings.Contains(text, h.fx.Units["south"].Name) {
		t.Errorf("the document: %v\n%s", err, text)
	}
	resp, _ = h.download("southSup", "/reports/situation?period=2026-11&region=390102&format=xlsx")
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), ".xlsx") {
		t.Errorf("appendix: %d", resp.StatusCode)
	}
	if resp, body = h.download("southSup", "/reports/situation?period=2026-13"); resp.StatusCode != 400 || !strings.Contains(string(body), "月份“2026-13”无效") {
		t.Errorf("a bad month: %d %s", resp.StatusCode, body)
	}
	if resp, _ = h.download("eduAdmin", "/reports/situation?period=2026-11"); resp.StatusCode != 403 {
		t.Errorf("a unit administrator: %d", resp.StatusCode)
	}
}
