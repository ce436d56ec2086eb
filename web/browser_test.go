package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"jianfu/store"
	"jianfu/store/storetest"
)

// chrome starts a headless Chromium for a browser test. Without one the
// test is skipped, unless JIANFU_REQUIRE_BROWSER=1 (make test) says it
// must run.
func chrome(t *testing.T) context.Context {
	t.Helper()
	return chromeWithin(t, 90*time.Second)
}

// chromeWithin is chrome for a test that needs the browser longer than 90
// seconds (the crawl of every page).
func chromeWithin(t *testing.T, limit time.Duration) context.Context {
	t.Helper()
	if testing.Short() {
		// make test runs every journey in the full run; its race run (-short)
		// checks the server's concurrency, which a browser does not add to.
		t.Skip("browser journeys run in the full test run, not with -short")
	}
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("JIANFU_REQUIRE_BROWSER") == "1" {
			t.Fatal("Chromium is required (JIANFU_REQUIRE_BROWSER=1) but not installed; `make test` installs it with apt-get")
		}
		t.Skip("browser test skipped: install chromium (make test does)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, limit)
	t.Cleanup(cancel3)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// TestBrowserCountySupervisorSeesOnlyItsCounty is the foundation's user
// journey: a county supervisor logs in, sees only the county's units, and
// cannot open another county's unit by URL.
func TestBrowserCountySupervisorSeesOnlyItsCounty(t *testing.T) {
	ctx := chrome(t)
	h := newHarness(t, storetest.Open(t, store.SQLite))
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(chromedp.Do(ctx,
		chromedp.Navigate(h.srv.URL+"/units"),
		chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, "south.sup"),
		chromedp.SendKeys(`input[name=password]`, storetest.FixturePassword),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(`table.data`),
	))
	title, err := chromedp.Run(ctx, chromedp.Title())
	must(err)
	units, err := chromedp.Run(ctx, chromedp.Text(`table.data tbody`))
	must(err)
	must(chromedp.Do(ctx,
		chromedp.Navigate(h.srv.URL+"/units/"+itoa(h.fx.Units["northEdu"].ID)),
		chromedp.WaitVisible(`.error-page`),
	))
	denied, err := chromedp.Run(ctx, chromedp.Text(`main`))
	must(err)
	if !strings.Contains(title, "单位管理") {
		t.Errorf("after login the browser is on %q, want the unit list it asked for", title)
	}
	if !strings.Contains(units, "江州市江南区教育局") || !strings.Contains(units, "望江中学") {
		t.Errorf("the county's own units are missing: %q", units)
	}
	if strings.Contains(units, "江北区") || strings.Contains(units, "临江省委") {
		t.Errorf("units outside 江南区 are listed: %q", units)
	}
	if !strings.Contains(denied, "404") || !strings.Contains(denied, "不存在或不在您的管辖范围内") || strings.Contains(denied, "江北区教育局") {
		t.Errorf("another county's unit by URL shows: %q", denied)
	}
}

// TestScreenshots saves screenshots of the main pages at desktop and phone
// width into $JIANFU_SHOTS, for people to look at. It runs only when asked.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("JIANFU_SHOTS")
	if dir == "" {
		t.Skip("set JIANFU_SHOTS=DIR to save screenshots")
	}
	ctx := chrome(t)
	h := newHarness(t, storetest.Open(t, store.SQLite))
	shoot := func(name string, w, hgt int64, url string) {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, hgt), chromedp.Navigate(h.srv.URL+url), chromedp.Sleep(200*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, name), buf, 0o644)
	}
	shoot("login.png", 1280, 800, "/login")
	chromedp.Do(ctx, chromedp.Navigate(h.srv.URL+"/login"), chromedp.SendKeys(`input[name=username]`, "prov.admin"),
		chromedp.SendKeys(`input[name=password]`, storetest.FixturePassword), chromedp.Click(`button[type=submit]`), chromedp.WaitVisible(`main`))
	chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(h.srv.URL+"/rules"),
		chromedp.SendKeys(`textarea[name=text]`, "请各村今晚十点前接龙报送走访照片,收到请回复。全体干部必须下载并注册某某APP,明天通报注册率"),
		chromedp.Click(`form[action="/rules"] button.primary`), chromedp.WaitVisible(`.analysis`))
	if buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		os.WriteFile(filepath.Join(dir, "rules-analysis.png"), buf, 0o644)
	}
	for _, p := range []struct{ name, url string }{{"home", "/"}, {"units", "/units"}, {"unit", "/units/" + itoa(h.fx.Units["southEdu"].ID)}, {"users", "/users"}, {"audit", "/audit"}, {"regions", "/regions"}, {"module", "/burden"}, {"rules", "/rules"}, {"user", "/users/" + itoa(h.fx.Users["eduAdmin"].ID)}} {
		shoot(p.name+"-desktop.png", 1280, 800, p.url)
		shoot(p.name+"-phone.png", 390, 844, p.url)
	}
}

// waitText waits until the text of sel contains want, for at most 15
// seconds, and returns the last text seen. Use it after an action that
// navigates from a page that already matches the selector.
func waitText(t *testing.T, ctx context.Context, sel, want string) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	last := ""
	for time.Now().Before(deadline) {
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err == nil {
			last = s
			if strings.Contains(s, want) {
				return s
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return last
}

// answerYes answers every confirmation the page asks (confirm()) with yes,
// as the official clicking 确定, and returns what was asked last.
func answerYes(ctx context.Context) *atomic.Value {
	var yes atomic.Bool
	yes.Store(true)
	return answerDialogs(ctx, &yes)
}

// answerDialogs answers every confirmation the page asks with what accept
// holds at the time, and returns what was asked last.
func answerDialogs(ctx context.Context, accept *atomic.Bool) *atomic.Value {
	var asked atomic.Value
	asked.Store("")
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			asked.Store(ev.Message)
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: accept.Load()})
		}
	}()
	return &asked
}
