package web_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"jianfu"
	"jianfu/detect"
	"jianfu/docx"
	"jianfu/store"
	"jianfu/store/storetest"
	"jianfu/web"
)

var codeRe = regexp.MustCompile(`[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}`)

// postMultipart submits a form with files (file name → content, all under
// the form field fileField), with the CSRF token of the page from, as a
// browser does.
func (b *browser) postMultipart(from, action string, fields map[string]string, fileField string, files map[string][]byte) (int, string) {
	b.t.Helper()
	_, page := b.get(from)
	m := csrfRe.FindStringSubmatch(page)
	if m == nil {
		b.t.Fatalf("no csrf token on %s", from)
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("csrf", m[1])
	for k, v := range fields {
		w.WriteField(k, v)
	}
	for name, data := range files {
		fw, _ := w.CreateFormFile(fileField, name)
		fw.Write(data)
	}
	w.Close()
	resp, err := b.c.Post(b.base+action, w.FormDataContentType(), &body)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

func pngImage(t *testing.T) []byte {
	var b bytes.Buffer
	png.Encode(&b, image.NewGray(image.Rect(0, 0, 3, 3)))
	return b.Bytes()
}

// TestAnonymousComplaintWithImage: a citizen with no account files a
// complaint with a photo through the form, gets a tracking code, and
// follows the case with it; a forged form and a non-image are refused.
func TestAnonymousComplaintWithImage(t *testing.T) {
	h := newCaseHarness(t, storetest.Open(t, store.SQLite))
	b := newBrowser(t, h.srv.URL)
	st, page := b.get("/complaint")
	if st != 200 || !strings.Contains(page, "反映“指尖上的形式主义”问题") || !strings.Contains(page, "江南区") || !strings.Contains(page, `name="csrf"`) {
		t.Fatalf("complaint form: %d", st)
	}
	// Without the page's token the form is refused.
	resp, _ := b.c.PostForm(h.srv.URL+"/complaint", url.Values{"description": {"群里要求每天打卡签到"}, "region": {"390102"}, "csrf": {"forged"}})
	if resp.StatusCode != 403 {
		t.Errorf("forged complaint: %d", resp.StatusCode)
	}
	resp.Body.Close()
	st, page = b.postMultipart("/complaint", "/complaint", map[string]string{"category": "", "region": "390102", "description": "<b>学校</b>工作群要求每天上传带定位的打卡照片"}, "images",
		map[string][]byte{"notes.txt": []byte("not an image at all")})
	if st != 400 || !strings.Contains(page, "只能上传图片") || !strings.Contains(page, "&lt;b&gt;学校&lt;/b&gt;") {
		t.Errorf("non-image: %d, the form must say why and keep the text escaped", st)
	}
	st, page = b.postMultipart("/complaint", "/complaint", map[string]string{"category": "trace", "region": "390102", "description": "学校工作群要求每天上传带定位的打卡照片"}, "images",
		map[string][]byte{"定位照片.png": pngImage(t)})
	code := codeRe.FindString(page)
	if st != 200 || code == "" || !strings.Contains(page, "JF2026-") && !strings.Contains(page, "JF20") {
		t.Fatalf("filed: %d code %q", st, code)
	}
	list, _, err := h.db.Cases().FindCases(storetest.System(), jianfu.CaseFilter{Query: "定位的打卡照片"})
	if err != nil || len(list) != 1 {
		t.Fatalf("stored: %v %d", err, len(list))
	}
	c, _ := h.db.Cases().FindCaseByID(storetest.System(), list[0].ID)
	if c.Source != jianfu.SourceComplaint || !c.Anonymous || len(c.Attachments) != 1 || c.Category != "trace" {
		t.Errorf("stored case: %+v", c)
	}
	// Tracking by POST: the code never travels in a URL.
	st, _, page = b.post("/track", "/track", url.Values{"code": {strings.ToLower(code)}})
	if st != 200 || !strings.Contains(page, "已收到您的反映") || !strings.Contains(page, c.Number) {
		t.Errorf("tracking page: %d", st)
	}
	st, _, page = b.post("/track", "/track", url.Values{"code": {"ABCD-EFGH-JKMN"}})
	if st != 404 || !strings.Contains(page, "查询码不正确") {
		t.Errorf("wrong code: %d", st)
	}
}

// TestInsideReportLeavesNoName: a cadre logged in files a complaint; it is
// a staff report, and neither the audit log nor the request log names them.
func TestInsideReportLeavesNoName(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	storetest.Load(t, db)
	var logs bytes.Buffer
	var mu sync.Mutex
	det, _ := detect.New()
	s, err := web.New(web.Config{Version: "test"}, web.Services{Regions: db.Regions(), Units: db.Units(), Users: db.Users(), Audit: db.Audit(), Intake: db.Intake(), Cases: db.Cases(), Deadlines: db.Deadlines(), Typical: db.Typical(), Ping: db.Ping, Detector: det},
		slog.New(slog.NewTextHandler(lockedWriter{&logs, &mu}, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	b := newBrowser(t, srv.URL)
	b.login("south.school")
	st, _, page := b.post("/complaint", "/complaint", url.Values{"region": {"390102"}, "description": {"校长要求老师每天在群里接龙汇报备课进度"}})
	if st != 200 || !strings.Contains(page, "反映已提交") {
		t.Fatalf("inside report: %d", st)
	}
	list, _, _ := db.Cases().FindCases(storetest.System(), jianfu.CaseFilter{Query: "备课进度"})
	if len(list) != 1 || list[0].Source != jianfu.SourceStaff {
		t.Fatalf("stored as %+v", list)
	}
	entries, _, _ := db.Audit().FindAuditEntries(storetest.System(), jianfu.AuditFilter{Action: "case.submit"})
	if len(entries) != 1 || entries[0].ActorName != "reporter" || entries[0].ActorID != 0 || entries[0].IP != "" {
		t.Errorf("audit of the inside report: %+v", entries)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "POST /complaint") && strings.Contains(line, "south.school") {
			t.Errorf("the request log names the reporter: %s", line)
		}
	}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestPublicPagesAreRateLimited: a client address that floods the public
// pages is slowed down; others are not.
func TestPublicPagesAreRateLimited(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	storetest.Load(t, db)
	det, _ := detect.New()
	s, _ := web.New(web.Config{Version: "test"}, web.Services{Regions: db.Regions(), Units: db.Units(), Users: db.Users(), Audit: db.Audit(), Intake: db.Intake(), Cases: db.Cases(), Deadlines: db.Deadlines(), Typical: db.Typical(), Ping: db.Ping, Detector: det}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	s.SetPublicLimits(5, 2, 2)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	codes := []int{}
	for i := 0; i < 7; i++ {
		resp, err := http.Get(srv.URL + "/typical")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
	}
	if fmt.Sprint(codes) != "[200 200 200 200 200 429 429]" {
		t.Errorf("public reads: %v", codes)
	}
	resp, _ := http.Get(srv.URL + "/open311/v2/services.xml")
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 429 || !strings.Contains(string(b), "<errors>") {
		t.Errorf("Open311 over the limit: %d %s", resp.StatusCode, b)
	}
}

// TestRevealOverHTTP: only the reporter_access holder sees the identity,
// with a reason, and the reveal is in the audit log.
func TestRevealOverHTTP(t *testing.T) {
	h := newCaseHarness(t, storetest.Open(t, store.SQLite))
	path := fmt.Sprintf("/api/v1/cases/%d/reveal", h.south.ID)
	for _, u := range []string{"southSup", "provSup", "eduAdmin", "provAdmin", "cityAuditor"} {
		if st, _ := h.do(u, "POST", path, map[string]any{"reason": "需要联系反映人核实"}); st != 403 {
			t.Errorf("%s reveals: %d", u, st)
		}
	}
	if st, _ := h.do("keeper", "POST", path, map[string]any{"reason": ""}); st != 400 {
		t.Errorf("reveal without reason: %d", st)
	}
	st, body := h.do("keeper", "POST", path, map[string]any{"reason": "需要联系反映人核实情况"})
	if st != 200 || body["name"] != "举报人390102" || body["phone"] != "13700001111" {
		t.Errorf("keeper reveals: %d %v", st, body)
	}
	if st, _ := h.do("keeper", "POST", fmt.Sprintf("/api/v1/cases/%d/reveal", h.north.ID), map[string]any{"reason": "需要联系反映人核实情况"}); st != 404 {
		t.Errorf("keeper reveals another county's reporter: %d", st)
	}
	entries, _, _ := h.db.Audit().FindAuditEntries(storetest.System(), jianfu.AuditFilter{Action: "reporter.reveal"})
	if len(entries) != 1 || entries[0].ActorName != "south.keeper" || !strings.Contains(entries[0].Detail, "核实情况") {
		t.Errorf("audit: %+v", entries)
	}
	// The case as the unit sees it says only that the reporter is named.
	st, body = h.do("eduAdmin", "GET", fmt.Sprintf("/api/v1/cases/%d", h.south.ID), nil)
	if st != 200 || body["has_identity"] != true || strings.Contains(fmt.Sprint(body), "13700001111") {
		t.Errorf("case as the unit sees it: %d %v", st, body)
	}
}

// TestCaseDocumentIsADocx downloads the opinions of a case: a Word file
// named by the case number, in the caller's scope only, without the
// reporter. What the document says is tested in package report.
func TestCaseDocumentIsADocx(t *testing.T) {
	h := newCaseHarness(t, storetest.Open(t, store.SQLite))
	id := h.south.ID
	h.do("southSup", "POST", fmt.Sprintf("/api/v1/cases/%d/opinions", id), map[string]any{"kind": "rectification", "text": "立即停止在工作群要求教师接龙打卡,建立群组管理制度。"})
	h.do("southSup", "POST", fmt.Sprintf("/api/v1/cases/%d/opinions", id), map[string]any{"kind": "accountability", "target": "江南区教育局分管负责人", "text": "建议对分管负责人进行约谈。"})
	resp, data := h.download("southSup", fmt.Sprintf("/api/v1/cases/%d/document", id))
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.wordprocessingml.document" ||
		resp.Header.Get("Content-Disposition") != `attachment; filename="`+h.south.Number+`.docx"; filename*=UTF-8''`+url.PathEscape(h.south.Number+"-整改意见与问责建议.docx") {
		t.Fatalf("document: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
	}
	text, err := docx.ReadText(data)
	if err != nil {
		t.Fatalf("not a docx: %v", err)
	}
	for _, want := range []string{"关于" + h.south.Number + "号问题线索的整改意见和问责建议", "江州市江南区教育局", "建立群组管理制度", "对江南区教育局分管负责人"} {
		if !strings.Contains(text, want) {
			t.Errorf("document lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "举报人390102") || strings.Contains(text, "13700001111") {
		t.Error("the document names the reporter")
	}
	if st, _ := h.do("northSup", "GET", fmt.Sprintf("/api/v1/cases/%d/document", id), nil); st != 404 {
		t.Errorf("another county exports: %d", st)
	}
}

// TestCasePagesRender opens every case page as the roles that use them.
func TestCasePagesRender(t *testing.T) {
	h := newCaseHarness(t, storetest.Open(t, store.SQLite))
	sup := newBrowser(t, h.srv.URL)
	sup.login("south.sup")
	for _, p := range []string{"/cases", "/cases?view=overdue", "/cases?view=triage&category=chain&q=接龙", "/cases/overdue", "/cases/deadlines", "/cases/new",
		fmt.Sprintf("/cases/%d", h.south.ID), fmt.Sprintf("/cases/%d?unitq=教育", h.south.ID), "/cases?lang=en"} {
		if st, body := sup.get(p); st != 200 || !strings.Contains(body, "</html>") {
			t.Errorf("supervisor %s: %d", p, st)
		}
	}
	sup.get("/cases?lang=zh")
	if st, _ := sup.get(fmt.Sprintf("/cases/%d", h.north.ID)); st != 404 {
		t.Errorf("supervisor opens another county's case: %d", st)
	}
	_, body := sup.get(fmt.Sprintf("/cases/%d", h.south.ID))
	for _, want := range []string{"改派", "办结", "整改意见", "江州市江南区教育局"} {
		if !strings.Contains(body, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
	// A transferred case: the office may re-route, or close it as not fixed
	// only; triage, transfer, verify and reopen are not offered.
	id := fmt.Sprint(h.south.ID)
	for _, form := range []string{"triage", "verify", "reopen", "rectify"} {
		if strings.Contains(body, `action="/cases/`+id+`/`+form+`"`) {
			t.Errorf("a transferred case offers the office the %s form", form)
		}
	}
	if strings.Count(body, `action="/cases/`+id+`/transfer"`) != 1 || !strings.Contains(body, `value="not_fixed"`) || strings.Contains(body, `value="fixed"`) {
		t.Error("a transferred case should offer re-routing and closing as not fixed, and nothing else to close with")
	}
	if t.Failed() {
		t.Logf("case page:\n%s", body)
	}
	unit := newBrowser(t, h.srv.URL)
	unit.login("south.edu")
	_, body = unit.get(fmt.Sprintf("/cases/%d", h.south.ID))
	if !strings.Contains(body, `action="/cases/`+fmt.Sprint(h.south.ID)+`/answer"`) || strings.Contains(body, "/transfer") || strings.Contains(body, "/rectify") {
		t.Error("the unit sees no answer form, or the office's forms, or the rectification form before answering")
	}
	st, _, page := unit.post(fmt.Sprintf("/cases/%d", h.south.ID), fmt.Sprintf("/cases/%d/answer", h.south.ID), url.Values{"finding": {"substantiated"}, "text": {"短"}})
	if st != 400 || !strings.Contains(page, "答复内容应为10至4000字") {
		t.Errorf("short answer: %d\n%s", st, page)
	}
	staff := newBrowser(t, h.srv.URL)
	staff.login("south.school")
	if st, body := staff.get("/cases"); st != 403 || !strings.Contains(body, "您的角色不使用“问题线索”功能") {
		t.Errorf("staff /cases: %d, want 403 (staff report through the public form)", st)
	}
	anon := newBrowser(t, h.srv.URL)
	if st, body := anon.get("/complaint/channels?q=望江"); st != 200 || !strings.Contains(body, `"name":"望江中学教师工作群"`) || !strings.Contains(body, "望江中学") {
		t.Errorf("channel search for the form: %d %s", st, body)
	}
	for _, p := range []string{"/complaint", "/track", "/typical", "/complaint?lang=en"} {
		if st, _ := anon.get(p); st != 200 {
			t.Errorf("anonymous %s: %d", p, st)
		}
	}
	if st, _ := anon.get("/cases"); st != 200 {
		// redirected to the login page
		t.Errorf("anonymous /cases: %d", st)
	}
}

// Late in a year whose successor's holiday schedule is not loaded, the
// deadlines page tells supervisors that working days will count weekends
// only, and how the administrator fixes it.
func TestDeadlinesPageNamesAMissingHolidayYear(t *testing.T) {
	h := newCaseHarness(t, storetest.Open(t, store.SQLite))
	sup := newBrowser(t, h.srv.URL)
	sup.login("south.sup")
	h.app.SetClock(func() time.Time { return time.Date(2026, 11, 27, 10, 0, 0, 0, jianfu.China) })
	_, body := sup.get("/cases/deadlines")
	if strings.Contains(body, "1970") || !strings.Contains(body, "系统默认(未修改)") {
		t.Error("the built-in default deadlines show an epoch date instead of saying they are the default")
	}
	for _, want := range []string{"节假日与调休数据覆盖 2002–2026 年", "2027 年的节假日与调休安排尚未载入", "请联系系统管理员载入"} {
		if !strings.Contains(body, want) {
			t.Errorf("deadlines page in late November 2026 lacks %q", want)
		}
	}
	h.app.SetClock(func() time.Time { return time.Date(2026, 6, 1, 10, 0, 0, 0, jianfu.China) })
	if _, body := sup.get("/cases/deadlines"); strings.Contains(body, "calendar-missing") {
		t.Error("a warning in June 2026, with 2026 covered and 2027 far off")
	}
}

// Each role's home page opens with its own work: the office its review and
// triage queues with counts, the unit its transferred cases, grassroots
// staff reporting and rating — and no one another role's queue.
func TestHomeTasksFitTheRole(t *testing.T) {
	h := newCaseHarness(t, storetest.Open(t, store.SQLite))
	for _, tc := range []struct {
		user      string
		want, not []string
	}{
		{"south.sup", []string{`data-work="review"`, `data-work="triage"`, `data-work="verify"`, `data-work="overdue"`, `data-work="escalated"`}, []string{`data-task="rate"`, `data-work="answer"`}},
		{"south.edu", []string{`data-work="answer"`, `data-work="returned"`, `data-work="orders"`, `data-task="file"`, `data-task="report"`, `data-task="rate"`}, []string{`data-work="review"`, `data-work="triage"`}},
		{"south.school", []string{`data-task="report"`, `data-task="track"`, `data-task="rate"`, "默认匿名", `href="/complaint?from=staff"`}, []string{`data-work="review"`, `data-work="answer"`, `data-task="users"`, `href="/cases/new"`}},
		{"city.auditor", []string{`data-task="audit"`, `data-work="security"`}, []string{`data-work="review"`, `data-task="report"`}},
	} {
		b := newBrowser(t, h.srv.URL)
		b.login(tc.user)
		st, body := b.get("/")
		if st != 200 {
			t.Fatalf("%s home: %d", tc.user, st)
		}
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s home lacks %s", tc.user, w)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(body, n) {
				t.Errorf("%s home offers %s", tc.user, n)
			}
		}
	}
	// The triage count is the supervisor's own queue.
	sup := newBrowser(t, h.srv.URL)
	sup.login("south.sup")
	_, body := sup.get("/")
	_, n, err := h.db.Cases().FindCases(jianfu.WithActor(context.Background(), h.actor("southSup")), jianfu.CaseFilter{Stage: jianfu.StageTriage, Open: true, Page: jianfu.Page{Limit: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf(`待受理交办 <span class="tag%s" data-count="%d">%d</span>`, map[bool]string{true: " warn", false: ""}[n > 0], n, n); !strings.Contains(body, want) {
		t.Errorf("supervisor home lacks %q", want)
	}
}
