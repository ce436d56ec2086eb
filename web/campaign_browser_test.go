package web_test

import (
	"archive/zip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// loginAs clears the cookies and logs in through the form.
func loginAs(base, user string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, network.ClearBrowserCookies, cdp.Empty{})
			return err
		}),
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, user),
		chromedp.SendKeys(`input[name=password]`, storetest.FixturePassword),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(`header .who`),
	)
}

// TestBrowserSpotCheckJourney: a county supervisor runs a spot check, the
// inspector finds a veto and submits the form, the supervisor downloads the
// report and the notice, and the failed channel shows up as a cleanup
// candidate and as an open rectification item.
func TestBrowserSpotCheckJourney(t *testing.T) {
	ctx := chrome(t)
	asked := answerYes(ctx) // the official confirms each irreversible step
	db := storetest.Open(t, store.SQLite)
	w := &campaignWorld{units: map[int64]*jianfu.Unit{}}
	w.h = newHarness(t, db)
	h := w.h
	insp := &jianfu.User{Username: "south.insp", Name: "江南区抽查员", UnitID: h.fx.Units["south"].ID, Roles: []jianfu.Role{jianfu.RoleInspector}}
	if err := db.Users().CreateUser(storetest.System(), insp, storetest.FixturePassword); err != nil {
		t.Fatal(err)
	}
	acct := w.channel("southEdu", jianfu.KindAccount, "wechat_oa", "江南教育发布")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// do runs steps one by one, each with its own time limit, and names
	// the step that failed.
	do := func(steps ...chromedp.Action[chromedp.Void]) error {
		t.Helper()
		for i, s := range steps {
			sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			err := chromedp.Do(sctx, s)
			cancel()
			if err != nil {
				url, _ := chromedp.Run(ctx, chromedp.Location())
				body, _ := chromedp.Run(ctx, chromedp.Text(`body`))
				t.Fatalf("step %d: %v (at %s)\n%.1500s", i+1, err, url, body)
			}
		}
		return nil
	}
	dl := t.TempDir()
	must(do(
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{Behavior: "allow", DownloadPath: dl})
			return err
		}),
		loginAs(h.srv.URL, "south.sup"),
		chromedp.Navigate(h.srv.URL+"/campaigns"),
		chromedp.Click(`a[href="/campaigns/new"]`),
		chromedp.WaitVisible(`input[name=name]`),
		chromedp.SendKeys(`input[name=name]`, "江南区政务公众账号专项抽查"),
		chromedp.Click(`input[name=kinds][value=account]`),
		chromedp.Click(`input[name=inspectors][value="`+itoa(insp.ID)+`"]`),
		chromedp.Click(`form button.primary`),
		chromedp.WaitVisible(`table#forms`),
	))
	created, err := chromedp.Run(ctx, chromedp.Text(`main`))
	must(err)
	if !strings.Contains(created, "已抽取1个渠道") || !strings.Contains(created, "江南教育发布") || !strings.Contains(created, "江南区抽查员") || !strings.Contains(created, "结果与实际样本一致") {
		t.Fatalf("campaign page after the draw: %s", created)
	}

	// The inspector finds the interaction function closed: a veto.
	must(do(
		loginAs(h.srv.URL, "south.insp"),
		chromedp.Navigate(h.srv.URL+"/campaigns"),
		chromedp.Click(`a[href*="/forms/"]`),
		chromedp.WaitVisible(`form.checkform`),
		chromedp.Click(`input[name=hit_V2]`),
		chromedp.SendKeys(`input[name=note_V2]`, "留言功能已关闭三个月"),
		chromedp.SendKeys(`input[name=points_D2]`, "5"),
		chromedp.SendKeys(`textarea[name=evidence]`, "2026年3月9日截图:公众号留言入口关闭"),
		chromedp.Click(`#submit-form`),
		chromedp.WaitVisible(`#verdict`),
	))
	verdict, err := chromedp.Run(ctx, chromedp.Text(`main`))
	must(err)
	if !strings.Contains(verdict, "不合格:触及单项否决指标") || !strings.Contains(verdict, "整改意见") || !strings.Contains(verdict, "互动功能无法正常使用") {
		t.Fatalf("form after submit: %s", verdict)
	}
	if q := asked.Load().(string); !strings.Contains(q, "提交后检查结果将锁定") {
		t.Errorf("submitting the form asked %q, want what submitting does", q)
	}

	// The supervisor downloads the tables and the notice.
	must(do(
		loginAs(h.srv.URL, "south.sup"),
		chromedp.Navigate(h.srv.URL+"/campaigns"),
		chromedp.Click(`table.data a[href^="/campaigns/"]`),
		chromedp.WaitVisible(`#dl-xlsx`),
		chromedp.Click(`#dl-xlsx`),
		chromedp.Click(`#dl-docx`),
	))
	xlsx, docx := waitDownload(t, dl, ".xlsx"), waitDownload(t, dl, ".docx")
	f, err := excelize.OpenFile(xlsx)
	must(err)
	rows, err := f.GetRows("不合格渠道")
	must(err)
	if len(rows) != 2 || rows[1][0] != "江南教育发布" || rows[1][2] != "不合格(单项否决)" || rows[1][4] == "" {
		t.Errorf("failed channels sheet: %v", rows)
	}
	f.Close()
	z, err := zip.OpenReader(docx)
	must(err)
	var doc string
	for _, zf := range z.File {
		if zf.Name == "word/document.xml" {
			rc, _ := zf.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			doc = string(b)
		}
	}
	z.Close()
	if !strings.Contains(doc, "关于江南区政务公众账号专项抽查情况的通报") || !strings.Contains(doc, "江南教育发布") || !strings.Contains(doc, "整改期限") {
		t.Errorf("notice document lacks the failed channel: %.400s", doc)
	}

	// The failed channel is a cleanup candidate and an open rectification item.
	must(do(chromedp.Navigate(h.srv.URL+"/cleanup"), chromedp.WaitVisible(`table#candidates`)))
	cands, err := chromedp.Run(ctx, chromedp.Text(`table#candidates`))
	must(err)
	if !strings.Contains(cands, "江南教育发布") || !strings.Contains(cands, "抽查不合格") || !strings.Contains(cands, "单项否决1次") {
		t.Errorf("cleanup candidates: %s", cands)
	}
	must(do(chromedp.Navigate(h.srv.URL+"/rectifications"), chromedp.WaitVisible(`table.data`)))
	rects, err := chromedp.Run(ctx, chromedp.Text(`table.data`))
	must(err)
	if !strings.Contains(rects, "江南教育发布") || !strings.Contains(rects, "待整改") {
		t.Errorf("rectification items: %s", rects)
	}
	if ch, _ := db.Channels().FindChannelByID(storetest.System(), acct.ID); ch.Status != jianfu.StatusRectifying {
		t.Errorf("the failed channel is %s, want rectifying", ch.Status)
	}
}

// waitDownload waits for a finished download with the suffix.
func waitDownload(t *testing.T, dir, suffix string) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), suffix) {
				return filepath.Join(dir, e.Name())
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	entries, _ := os.ReadDir(dir)
	t.Fatalf("no %s downloaded; the folder holds %v", suffix, entries)
	return ""
}

// TestCampaignScreenshots saves the campaign pages at desktop and phone
// width into $JIANFU_SHOTS, for people to look at.
func TestCampaignScreenshots(t *testing.T) {
	dir := os.Getenv("JIANFU_SHOTS")
	if dir == "" {
		t.Skip("set JIANFU_SHOTS=DIR to save screenshots")
	}
	ctx := chrome(t)
	w := newCampaignWorld(t, storetest.Open(t, store.SQLite))
	h := w.h
	w.channel("southEdu", jianfu.KindApp, "wechat_mini", "江南教育办事通")
	w.channel("southSchool", jianfu.KindGroup, "wecom", "初三年级家校群")
	shoot := func(name string, width, height int64, url string) {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height), chromedp.Navigate(h.srv.URL+url), chromedp.Sleep(200*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, name), buf, 0o644)
	}
	if err := chromedp.Do(ctx, loginAs(h.srv.URL, "prov.sup")); err != nil {
		t.Fatal(err)
	}
	pages := []struct{ name, url string }{
		{"cp-home", "/"}, {"cp-campaigns", "/campaigns"}, {"cp-new", "/campaigns/new"}, {"cp-campaign", "/campaigns/" + itoa(w.southCampaign.ID)},
		{"cp-form", "/campaigns/" + itoa(w.southCampaign.ID) + "/forms/" + itoa(w.southForm.ID)}, {"cp-checklists", "/checklists"},
		{"cp-checklist", "/checklists/1"}, {"cp-rects", "/rectifications"}, {"cp-eval", "/evaluation"},
		{"cp-card", "/evaluation/channels/" + itoa(w.southAcct.ID)}, {"cp-cleanup", "/cleanup"}, {"cp-order", "/cleanup/orders/" + itoa(w.southOrder.ID)},
	}
	for _, p := range pages {
		shoot(p.name+"-desktop.png", 1280, 800, p.url)
		shoot(p.name+"-phone.png", 390, 844, p.url)
	}
	if err := chromedp.Do(ctx, loginAs(h.srv.URL, "south.school")); err != nil {
		t.Fatal(err)
	}
	shoot("cp-rate-phone.png", 390, 844, "/evaluation/rate")
	shoot("cp-rate-desktop.png", 1280, 800, "/evaluation/rate")
}
