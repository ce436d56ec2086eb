package web_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// TestBrowserFilingJourney is the registry's user journey: a unit
// administrator files an account; the county supervisor sees the duplicate
// warning and returns it; the unit renames it and submits again; the
// supervisor approves; the public verification page then finds it.
func TestBrowserFilingJourney(t *testing.T) {
	ctx := chrome(t)
	asked := answerYes(ctx) // the official confirms each irreversible step
	h := newHarness(t, storetest.Open(t, store.SQLite))
	sys := storetest.System()
	// The school already runs the filed account 江南教育 in the same county.
	existing := &jianfu.Channel{Kind: jianfu.KindAccount, Name: "江南教育", UnitID: h.fx.Units["southSchool"].ID, Platform: "wechat_oa"}
	if err := h.db.Channels().CreateChannel(sys, existing); err != nil {
		t.Fatal(err)
	}
	for _, act := range []jianfu.ChannelAction{jianfu.ActSubmit, jianfu.ActApprove, jianfu.ActActivate} {
		if _, err := h.db.Channels().ActOnChannel(sys, existing.ID, act, ""); err != nil {
			t.Fatal(err)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		must(err)
		return s
	}
	login := func(user string) {
		t.Helper()
		must(chromedp.Do(ctx,
			chromedp.Navigate(h.srv.URL+"/login"),
			chromedp.WaitVisible(`input[name=username]`),
			chromedp.SendKeys(`input[name=username]`, user),
			chromedp.SendKeys(`input[name=password]`, storetest.FixturePassword),
			chromedp.Click(`button[type=submit]`),
			chromedp.WaitVisible(`.who`),
		))
	}
	logout := func() {
		t.Helper()
		must(chromedp.Do(ctx, chromedp.Click(`form[action="/logout"] button`), chromedp.WaitVisible(`input[name=username]`)))
	}

	// 1. The education bureau's administrator files 江南教育发布 on Weibo.
	login("south.edu")
	must(chromedp.Do(ctx,
		chromedp.Navigate(h.srv.URL+"/registry/new"),
		chromedp.WaitVisible(`#channel-form`),
		chromedp.SetValue(`select[name=kind]`, "account"),
		chromedp.SendKeys(`input[name=name]`, "江南教育发布"),
		chromedp.SetValue(`select[name=platform]`, "weibo"),
		chromedp.SendKeys(`input[name=url]`, "https://weibo.com/u/2803301701"),
		chromedp.SendKeys(`input[name=responsible_person]`, "王小明"),
		chromedp.SendKeys(`input[name=responsible_phone]`, "13800001234"),
		chromedp.Click(`#save-submit`),
		chromedp.WaitVisible(`.flash`),
	))
	title := text(`h1`)
	if !strings.Contains(title, "江南教育发布") || !strings.Contains(title, "待审核") {
		t.Fatalf("after filing the page shows %q", title)
	}
	chURL, err := chromedp.Run(ctx, chromedp.Location())
	must(err)
	if facts := text(`main`); !strings.Contains(facts, "2803301701") {
		t.Errorf("the weibo link was not recognised into its platform id: %q", facts)
	}
	logout()

	// 2. The county supervisor sees the duplicate warning and returns it.
	login("south.sup")
	must(chromedp.Do(ctx, chromedp.Navigate(h.srv.URL+"/registry?status=submitted"), chromedp.WaitVisible(`table.registry`)))
	if list := text(`table.registry tbody`); !strings.Contains(list, "江南教育发布") {
		t.Fatalf("the review queue lacks the filing: %q", list)
	}
	must(chromedp.Do(ctx, chromedp.Click(`//a[text()="江南教育发布"]`), chromedp.WaitVisible(`ul.checks`)))
	checks := text(`ul.checks`)
	if !strings.Contains(checks, "相近") || !strings.Contains(checks, "江南教育") || !strings.Contains(checks, "集约高效") {
		t.Fatalf("the reviewer does not see the duplicate warning with its clause: %q", checks)
	}
	must(chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`form.action-form:has(input[value=return]) textarea`), "与望江中学“江南教育”名称相近,请更名以免公众混淆"),
		chromedp.Click(chromedp.CSS(`form.action-form:has(input[value=return]) button`)),
		chromedp.WaitVisible(`.flash`),
	))
	if title := text(`h1`); !strings.Contains(title, "已退回") {
		t.Fatalf("after returning: %q", title)
	}
	logout()

	// 3. The unit reads the reasons, renames the account and submits again.
	login("south.edu")
	must(chromedp.Do(ctx, chromedp.Navigate(chURL), chromedp.WaitVisible(`.warnbox`)))
	if note := text(`.warnbox`); !strings.Contains(note, "请更名") {
		t.Errorf("the unit does not see the reasons: %q", note)
	}
	must(chromedp.Do(ctx,
		chromedp.Click(`//a[contains(@href,"/edit")]`),
		chromedp.WaitVisible(`#channel-form`),
		chromedp.SetValue(`input[name=name]`, "江南招生考试"),
		chromedp.Click(`#save-draft`),
		chromedp.WaitVisible(`.flash`),
		chromedp.Click(chromedp.CSS(`form.action-form:has(input[value=submit]) button`)),
	))
	// The page before already shows a flash ("saved"): wait for the new state.
	if title := waitText(t, ctx, `h1`, "待审核"); !strings.Contains(title, "江南招生考试") || !strings.Contains(title, "待审核") {
		t.Fatalf("after resubmitting: %q", title)
	}
	logout()

	// 4. The supervisor approves: a filing number is issued.
	login("south.sup")
	must(chromedp.Do(ctx, chromedp.Navigate(chURL), chromedp.WaitVisible(chromedp.CSS(`ul.checks, .ok-note`))))
	if checks := text(`ul.checks, .ok-note`); strings.Contains(checks, "重复建设") {
		t.Errorf("the renamed filing still warns of a duplicate: %q", checks)
	}
	must(chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form.action-form:has(input[value=approve]) button`)), chromedp.WaitVisible(`.filing`)))
	if q := asked.Load().(string); !strings.Contains(q, "审核通过后将编发备案号") {
		t.Errorf("approving asked %q, want what approval does", q)
	}
	filing := regexp.MustCompile(`390102B\d{9}`).FindString(text(`.filing`))
	if filing == "" {
		t.Fatalf("no filing number after approval: %q", text(`.filing`))
	}
	logout()

	// 5. The public verification page finds it, without logging in.
	must(chromedp.Do(ctx,
		chromedp.Navigate(h.srv.URL+"/verify"),
		chromedp.WaitVisible(`input[name=q]`),
		chromedp.SendKeys(`input[name=q]`, "江南招生考试"),
		chromedp.Click(`.verify-form button`),
		chromedp.WaitVisible(`.verdict`),
	))
	verdict, result := text(`.verdict`), text(`section.verify`)
	if !strings.Contains(verdict, "已备案的政务渠道") || !strings.Contains(result, "江州市江南区教育局") || !strings.Contains(result, filing) {
		t.Errorf("the public verification shows %q / %q", verdict, result)
	}
}

// TestRegistryScreenshots saves screenshots of the registry's pages at
// desktop and phone width into $JIANFU_SHOTS. It runs only when asked.
func TestRegistryScreenshots(t *testing.T) {
	dir := os.Getenv("JIANFU_SHOTS")
	if dir == "" {
		t.Skip("set JIANFU_SHOTS=DIR to save screenshots")
	}
	ctx := chrome(t)
	h := newHarness(t, storetest.Open(t, store.SQLite))
	c := &jianfu.Channel{Kind: jianfu.KindAccount, Name: "江南教育", UnitID: h.fx.Units["southEdu"].ID, Platform: "wechat_oa"}
	h.db.Channels().CreateChannel(storetest.System(), c)
	h.db.Channels().ActOnChannel(storetest.System(), c.ID, jianfu.ActSubmit, "")
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(chromedp.Do(ctx, chromedp.Navigate(h.srv.URL+"/login"), chromedp.SendKeys(`input[name=username]`, "south.sup"),
		chromedp.SendKeys(`input[name=password]`, storetest.FixturePassword), chromedp.Click(`button[type=submit]`), chromedp.WaitVisible(`.who`)))
	for _, p := range []struct{ name, url string }{{"registry", "/registry"}, {"channel", "/registry/" + itoa(c.ID)}, {"new", "/registry/new"},
		{"consolidation", "/registry/consolidation"}, {"rules", "/registry/rules"}, {"import", "/registry/import"}, {"verify", "/verify?q=江南教育"}} {
		for _, w := range []int64{1280, 390} {
			must(chromedp.Do(ctx, chromedp.EmulateViewport(w, 900), chromedp.Navigate(h.srv.URL+p.url), chromedp.Sleep(200*time.Millisecond)))
			buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			must(err)
			os.WriteFile(filepath.Join(dir, "registry-"+p.name+"-"+map[int64]string{1280: "desktop", 390: "phone"}[w]+".png"), buf, 0o644)
		}
	}
}
