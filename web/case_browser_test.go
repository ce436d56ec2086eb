package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"jianfu"
	"jianfu/demo"
	"jianfu/detect"
	"jianfu/secret"
	"jianfu/store"
	"jianfu/store/storetest"
	"jianfu/web"
)

var cst = time.FixedZone("CST", 8*3600)

// fakeClock is the injected clock of the store and the server.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

// clockedServer runs the web server over a fixture database with the
// clock injected into both the store and the server.
func clockedServer(t *testing.T, clock *fakeClock) (*store.DB, *storetest.Fixture, *httptest.Server) {
	t.Helper()
	db := storetest.Open(t, store.SQLite)
	db.Now = clock.Now
	fx := storetest.Load(t, db)
	det, err := detect.New()
	if err != nil {
		t.Fatal(err)
	}
	s, err := web.New(web.Config{Version: "test"}, web.Services{Regions: db.Regions(), Units: db.Units(), Users: db.Users(), Audit: db.Audit(), Intake: db.Intake(), Cases: db.Cases(), Deadlines: db.Deadlines(), Typical: db.Typical(), Ping: db.Ping, Detector: det},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	s.SetClock(clock.Now)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return db, fx, srv
}

// TestBrowserComplaintOverdueEscalationTracking is the journey of the
// issue: a citizen files an anonymous complaint; the county supervisor
// transfers it to the 教育局; the deadline passes (the clock is moved on)
// and the case shows overdue and escalated to the city; the unit answers
// late; the citizen's tracking page shows all of it as public progress.
func TestBrowserComplaintOverdueEscalationTracking(t *testing.T) {
	ctx := chrome(t)
	step := func(actions ...chromedp.Action[chromedp.Void]) error {
		sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		return chromedp.Do(sctx, actions...)
	}
	clock := &fakeClock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, cst)} // Monday
	db, fx, srv := clockedServer(t, clock)
	must := func(err error) {
		t.Helper()
		if err != nil {
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			body, _ := chromedp.Run(ctx, chromedp.Text(`main`))
			t.Fatalf("%v (at %s: %.300s)", err, loc, body)
		}
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(sel))
		must(err)
		return v
	}
	login := func(user string) {
		must(step(
			chromedp.Navigate(srv.URL+"/login"),
			chromedp.WaitVisible(`input[name=username]`),
			chromedp.SendKeys(`input[name=username]`, user),
			chromedp.SendKeys(`input[name=password]`, storetest.FixturePassword),
			chromedp.Click(`button[type=submit]`),
			chromedp.WaitVisible(`header .who`),
		))
	}
	logout := func() {
		must(step(chromedp.Click(`header .who button`), chromedp.WaitVisible(`input[name=username]`)))
	}

	// 1. The citizen, not logged in, files an anonymous complaint.
	must(step(
		chromedp.Navigate(srv.URL+"/complaint"),
		chromedp.WaitVisible(`#complaint-form`),
		chromedp.Click(`input[name=category][value=chain]`),
		chromedp.SetValue(`#region`, "390102"),
		chromedp.SendKeys(`textarea[name=description]`, "江南区教育局工作群每天晚上十点要求全体老师接龙回复“收到”,不回复的第二天点名批评。"),
		chromedp.Click(`#complaint-form button[type=submit]`),
		chromedp.WaitVisible(`#tracking-code`),
	))
	code := strings.TrimSpace(text(`#tracking-code`))
	receipt := text(`.receipt`)
	if !codeRe.MatchString(code) || !strings.Contains(receipt, "JF2026-") {
		t.Fatalf("receipt: code %q, %q", code, receipt)
	}
	list, _, err := db.Cases().FindCases(storetest.System(), jianfu.CaseFilter{})
	must(err)
	if len(list) != 1 || !list[0].Anonymous {
		t.Fatalf("stored: %+v", list)
	}
	c := list[0]

	// 2. The county supervisor transfers it to the 教育局 (no channel is
	// registered: the supervisor picks the unit).
	login("south.sup")
	must(step(
		chromedp.Navigate(srv.URL+"/cases"),
		chromedp.WaitVisible(`table.cases`),
		chromedp.Click(`table.cases a.mono`),
		chromedp.WaitVisible(`form[action$="/transfer"]`),
		chromedp.SetValue(`form[action$="/transfer"] select[name=unit_id]`, fmt.Sprint(fx.Units["southEdu"].ID)),
		chromedp.SendKeys(`form[action$="/transfer"] textarea[name=note]`, "请核实并在时限内答复"),
		chromedp.Click(`form[action$="/transfer"] button.primary`),
		chromedp.WaitVisible(`.flash`),
	))
	if facts := text(`dl.facts`); !strings.Contains(facts, "江州市江南区教育局") || !strings.Contains(facts, "2026-03-09") {
		t.Errorf("after transfer the facts read %q (answer due Monday 9 March)", facts)
	}

	logout()

	// 3. The deadline passes: Friday 13 March, four working days late (the
	// sessions of 2 March have long expired). The periodic check, run here
	// on demand, marks the case overdue and moves it up to the city.
	clock.Set(time.Date(2026, 3, 13, 10, 0, 0, 0, cst))
	login("south.sup")
	must(step(
		chromedp.Navigate(srv.URL+"/cases"),
		chromedp.WaitVisible(`form[action="/cases/sweep"]`),
		chromedp.Click(`form[action="/cases/sweep"] button`),
		chromedp.WaitVisible(`.flash`),
		chromedp.Navigate(fmt.Sprintf("%s/cases/%d", srv.URL, c.ID)),
		chromedp.WaitVisible(`ol.timeline`),
	))
	title := text(`.titlebar h1`)
	if !strings.Contains(title, "超期4个工作日") || !strings.Contains(title, "已提级至") {
		t.Errorf("the case does not show overdue and escalation: %q", title)
	}
	timeline := text(`ol.timeline`)
	if !strings.Contains(timeline, "超期") || !strings.Contains(timeline, "提级督办") {
		t.Errorf("timeline: %q", timeline)
	}
	logout()

	// 4. The 教育局 answers, late.
	login("south.edu")
	must(step(
		chromedp.Navigate(fmt.Sprintf("%s/cases/%d", srv.URL, c.ID)),
		chromedp.WaitVisible(`form[action$="/answer"]`),
		chromedp.Click(`form[action$="/answer"] input[value=substantiated]`),
		chromedp.SendKeys(`form[action$="/answer"] textarea[name=text]`, "经核实情况属实,已责令群主停止夜间接龙,今后非工作时间不发工作通知。"),
		chromedp.Click(`form[action$="/answer"] button.primary`),
		chromedp.WaitVisible(`.flash`),
	))
	if tl := text(`ol.timeline`); !strings.Contains(tl, "逾期4个工作日") {
		t.Errorf("the late answer is not marked late: %q", tl)
	}
	logout()

	// 5. The citizen follows it with the tracking code.
	must(step(
		chromedp.Navigate(srv.URL+"/track"),
		chromedp.WaitVisible(`.trackform`),
		chromedp.SendKeys(`.trackform input[name=code]`, code),
		chromedp.Click(`.trackform button`),
		chromedp.WaitVisible(`.track-result`),
	))
	progress := text(`.track-result`)
	for _, want := range []string{"已收到您的反映", "已移送江州市江南区教育局办理", "已超过办理时限", "已提级至江州市网信部门督办", "江州市江南区教育局答复(核实结果:属实)", "已责令群主停止夜间接龙"} {
		if !strings.Contains(progress, want) {
			t.Errorf("tracking page lacks %q:\n%s", want, progress)
		}
	}
	if strings.Contains(progress, "请核实并在时限内答复") {
		t.Errorf("the tracking page shows an internal note:\n%s", progress)
	}
	if dir := os.Getenv("JIANFU_SHOTS"); dir != "" {
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		must(err)
		os.WriteFile(filepath.Join(dir, "track-journey.png"), shot, 0o644)
	}
}

// TestCaseScreenshots saves screenshots of the case pages over the demo
// province, at desktop and phone width, into $JIANFU_SHOTS.
func TestCaseScreenshots(t *testing.T) {
	dir := os.Getenv("JIANFU_SHOTS")
	if dir == "" {
		t.Skip("set JIANFU_SHOTS=DIR to save screenshots")
	}
	ctx := chrome(t)
	db := storetest.Open(t, store.SQLite)
	sealer, _ := secret.ParseSealerKey(secret.NewSealerKey())
	db.SetReporterKey(sealer)
	if _, err := demo.Generate(context.Background(), db, demo.Options{Size: demo.Small}); err != nil {
		t.Fatal(err)
	}
	det, _ := detect.New()
	s, err := web.New(web.Config{Version: "shots"}, web.Services{Regions: db.Regions(), Units: db.Units(), Users: db.Users(), Audit: db.Audit(), Intake: db.Intake(), Cases: db.Cases(), Deadlines: db.Deadlines(), Typical: db.Typical(), Ping: db.Ping, Detector: det}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	shoot := func(name, url string) {
		for _, size := range []struct {
			tag  string
			w, h int64
		}{{"desktop", 1280, 900}, {"phone", 390, 844}} {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(size.w, size.h), chromedp.Navigate(srv.URL+url), chromedp.Sleep(300*time.Millisecond)); err != nil {
				t.Fatal(err)
			}
			buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, name+"-"+size.tag+".png"), buf, 0o644)
		}
	}
	shoot("complaint", "/complaint")
	shoot("typical", "/typical")
	list, _, _ := db.Typical().FindTypicalCases(context.Background(), jianfu.TypicalFilter{})
	if len(list) > 0 {
		shoot("typical-case", fmt.Sprintf("/typical/%d", list[0].ID))
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(srv.URL+"/login"), chromedp.SendKeys(`input[name=username]`, "jiangnan.jianguan"),
		chromedp.SendKeys(`input[name=password]`, demo.DefaultPassword), chromedp.Click(`button[type=submit]`), chromedp.WaitVisible(`header .who`)); err != nil {
		t.Fatal(err)
	}
	cases, _, _ := db.Cases().FindCases(storetest.System(), jianfu.CaseFilter{Overdue: true, RegionPath: "390102", Page: jianfu.Page{Limit: 1}})
	closed, _, _ := db.Cases().FindCases(storetest.System(), jianfu.CaseFilter{Status: jianfu.CaseClosed, RegionPath: "390102", Page: jianfu.Page{Limit: 1}})
	shoot("cases", "/cases")
	shoot("cases-overdue", "/cases/overdue")
	shoot("cases-deadlines", "/cases/deadlines")
	shoot("cases-new", "/cases/new")
	if len(cases) > 0 {
		shoot("case", fmt.Sprintf("/cases/%d", cases[0].ID))
	}
	if len(closed) > 0 {
		shoot("case-closed", fmt.Sprintf("/cases/%d", closed[0].ID))
	}
}
