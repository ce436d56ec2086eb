package web_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"jianfu"
	"jianfu/demo"
	"jianfu/store"
	"jianfu/store/storetest"
)

// TestBurdenScreenshots saves screenshots of the burden pages over the
// small demo province into $JIANFU_SHOTS, for people to look at.
func TestBurdenScreenshots(t *testing.T) {
	dir := os.Getenv("JIANFU_SHOTS")
	if dir == "" {
		t.Skip("set JIANFU_SHOTS=DIR to save screenshots")
	}
	ctx := chrome(t)
	db := storetest.Open(t, store.SQLite)
	if _, err := demo.Generate(jianfu.WithActor(context.Background(), jianfu.SystemActor("demo")), db, demo.Options{Size: demo.Small}); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, db)
	groups, _, _ := db.Channels().FindChannels(storetest.System(), jianfu.ChannelFilter{Kind: jianfu.KindGroup, Query: "江南区教育系统"})
	clusters, _, _ := db.Burden().FindClusters(storetest.System(), jianfu.ClusterFilter{})
	shoot := func(name string, w, hgt int64, url string) {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, hgt), chromedp.Navigate(h.srv.URL+url), chromedp.Sleep(300*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, name), buf, 0o644)
		top, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "top-"+name), top, 0o644)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(h.srv.URL+"/login"), chromedp.SendKeys(`input[name=username]`, "jiangzhou.jianguan"),
		chromedp.SendKeys(`input[name=password]`, demo.DefaultPassword), chromedp.Click(`button[type=submit]`), chromedp.WaitVisible(`main`)); err != nil {
		t.Fatal(err)
	}
	pages := []struct{ name, url string }{{"burden", "/burden"}, {"burden-units", "/burden?kind=unit&days=90"}, {"findings", "/burden/findings"},
		{"clusters", "/burden/clusters"}, {"clues", "/burden/clues"}, {"people", "/burden/people"}, {"upload", "/burden/upload"}}
	if len(groups) > 0 {
		pages = append(pages, struct{ name, url string }{"group", "/burden/groups/" + itoa(groups[0].ID) + "?days=90&step=week"})
	}
	if len(clusters) > 0 {
		pages = append(pages, struct{ name, url string }{"cluster", "/burden/clusters/" + itoa(clusters[0].ID)})
	}
	for _, p := range pages {
		shoot(p.name+"-desktop.png", 1280, 800, p.url)
		shoot(p.name+"-phone.png", 390, 844, p.url)
	}
}
