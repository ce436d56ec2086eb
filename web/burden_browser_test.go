package web_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// TestBrowserUploadChatExport is burden monitoring's user journey: a unit
// administrator uploads the chat export of a group (through the page's
// progress-bar upload), lands on the group's burden, sees it risen, and
// reads the finding's excerpt with the phone number masked.
func TestBrowserUploadChatExport(t *testing.T) {
	ctx := chrome(t)
	h := newHarness(t, storetest.Open(t, store.SQLite))
	g := storetest.Groups(t, h.db, h.fx)
	group := itoa(g["southEdu"].ID)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	day := time.Now().In(jianfu.China).AddDate(0, 0, -1).Format("2006-01-02")
	export := "微信聊天记录:江南区教育局工作群\n\n" +
		day + " 21:30:12 周明远\n@所有人 请各学校今晚10点前接龙报送走访照片,联系人王老师13812345678\n\n" +
		day + " 21:31:05 李老师\n收到\n\n" +
		day + " 21:40:00 周明远\n收到请回复1,明早7点前未回复的点名通报\n"
	file := filepath.Join(t.TempDir(), "江南区教育局工作群.txt")
	must(os.WriteFile(file, []byte(export), 0o644))

	must(chromedp.Do(ctx,
		chromedp.Navigate(h.srv.URL+"/burden/groups/"+group),
		chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, "south.edu"),
		chromedp.SendKeys(`input[name=password]`, storetest.FixturePassword),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(`p.bignum`),
	))
	before, err := chromedp.Run(ctx, chromedp.Text(`p.bignum .bi`))
	must(err)

	must(chromedp.Do(ctx,
		chromedp.Navigate(h.srv.URL+"/burden/upload?group="+group),
		chromedp.WaitVisible(`#upload-form`),
		chromedp.SetUploadFiles(`input[type=file]`, []string{file}),
		chromedp.Click(`#upload-form button.primary`),
		chromedp.WaitVisible(`.flash`),
	))
	loc, err := chromedp.Run(ctx, chromedp.Location())
	must(err)
	flash, err := chromedp.Run(ctx, chromedp.Text(`.flash`))
	must(err)
	after, err := chromedp.Run(ctx, chromedp.Text(`p.bignum .bi`))
	must(err)
	excerpts, err := chromedp.Run(ctx, chromedp.Text(`ul.findings`))
	must(err)

	if !strings.Contains(loc, "/burden/groups/"+group) {
		t.Errorf("after the upload the browser is at %s, want the group's burden", loc)
	}
	if !strings.Contains(flash, "识别为微信聊天记录文本") || !strings.Contains(flash, "共 3 条消息") {
		t.Errorf("the page does not say what it read: %q", flash)
	}
	b, _ := strconv.ParseFloat(strings.TrimSpace(before), 64)
	a, _ := strconv.ParseFloat(strings.TrimSpace(after), 64)
	if a <= b || a < 20 {
		t.Errorf("the burden index went from %s to %s; it should rise clearly", before, after)
	}
	if !strings.Contains(excerpts, "138****5678") || strings.Contains(excerpts, "13812345678") {
		t.Errorf("the excerpt does not mask the phone number: %q", excerpts)
	}
	if !strings.Contains(excerpts, "接龙") || !strings.Contains(excerpts, "不得脱离工作实际强制要求打卡接龙") {
		t.Errorf("the finding does not show the demand and the clause it breaks: %q", excerpts)
	}
}
