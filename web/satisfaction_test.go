package web_test

import (
	"net/url"
	"strings"
	"testing"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// TestSatisfactionOnTrackingPage: after closure the tracking page asks the
// reporter whether they are satisfied, once; the answer shows on the page.
func TestSatisfactionOnTrackingPage(t *testing.T) {
	h := newCaseHarness(t, storetest.Open(t, store.SQLite))
	sys := storetest.System()
	rec, err := h.db.Intake().SubmitComplaint(jianfu.WithClientIP(sys, "203.0.113.7"), &jianfu.Complaint{Source: jianfu.SourceComplaint, RegionCode: "390102",
		Description: "学校工作群要求每天上传带定位的打卡照片"})
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, h.srv.URL)
	_, _, page := b.post("/track", "/track", url.Values{"code": {rec.TrackingCode}})
	if strings.Contains(page, `action="/track/rate"`) {
		t.Error("an open case asks for satisfaction")
	}
	list, _, _ := h.db.Cases().FindCases(sys, jianfu.CaseFilter{Query: "定位的打卡照片"})
	c := list[0]
	if _, err := h.db.Cases().TriageCase(sys, c.ID, jianfu.Triage{Decision: "reject", Reason: "不属于本级职责范围,请向上级反映"}); err != nil {
		t.Fatal(err)
	}
	if _, _, page = b.post("/track", "/track", url.Values{"code": {rec.TrackingCode}}); strings.Contains(page, `action="/track/rate"`) {
		t.Error("a rejected case asks for satisfaction")
	}
	if _, err := h.db.Cases().ReopenCase(sys, c.ID, "重新核查"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.db.Cases().TriageCase(sys, c.ID, jianfu.Triage{Decision: "accept", Categories: []string{"trace"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.db.Cases().TransferCase(sys, c.ID, jianfu.Transfer{UnitID: h.fx.Units["southSchool"].ID, Note: "请核实"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.db.Cases().AnswerCase(sys, c.ID, jianfu.CaseAnswer{Finding: jianfu.FindingUnsubstantiated, Text: "经查无此要求,系误传。"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.db.Cases().CloseCase(sys, c.ID, jianfu.Closing{Outcome: jianfu.OutcomeUnsubstantiated, Note: "反映不实"}); err != nil {
		t.Fatal(err)
	}
	_, _, page = b.post("/track", "/track", url.Values{"code": {rec.TrackingCode}})
	if !strings.Contains(page, `action="/track/rate"`) || !strings.Contains(page, "您对办理结果满意吗") || !strings.Contains(page, "基本满意") {
		t.Fatalf("a closed case does not ask:\n%s", page)
	}
	st, _, page := b.post("/track", "/track/rate", url.Values{"code": {rec.TrackingCode}, "rating": {"basic_satisfied"}, "comment": {"还算及时"}})
	if st != 200 || !strings.Contains(page, "已收到您的评价") || !strings.Contains(page, "您对办理结果的评价:基本满意") || strings.Contains(page, `action="/track/rate"`) {
		t.Errorf("after rating: %d\n%s", st, page)
	}
	resp, err := b.c.PostForm(h.srv.URL+"/track/rate", url.Values{"code": {rec.TrackingCode}, "rating": {"satisfied"}, "csrf": {"forged"}})
	if err == nil && resp.StatusCode != 403 {
		t.Errorf("a forged rating: %d", resp.StatusCode)
	}
}
