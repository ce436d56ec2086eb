package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"jianfu/store"
	"jianfu/store/storetest"
)

// TestChannelSettingsAndDeliveries: the unit administrator opens 通知方式
// from the account page, enters a bad mobile (the form comes back with a
// Chinese error and what they typed), then a good e-mail address with the
// daily digest; a transfer to the unit shows the e-mail as held (for the
// digest) on the notification; the provincial system administrator's
// 消息投递 list shows the row with the recipient by name and office and
// filters it by channel; another unit's administrator sees none of it.
func TestChannelSettingsAndDeliveries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		b := newBrowser(t, h.srv.URL)
		b.login("south.edu")
		if st, body := b.get("/account"); st != 200 || !strings.Contains(body, `href="/account/channels"`) {
			t.Fatalf("account page: %d", st)
		}
		st, body := b.get("/account/channels")
		if st != 200 || !strings.Contains(body, "通知方式") || !strings.Contains(body, "手机号码") || !strings.Contains(body, "飞书") {
			t.Fatalf("channels page: %d", st)
		}
		st, _, body = b.post("/account/channels", "/account/channels", url.Values{"on_sms": {"1"}, "addr_sms": {"1380013"}})
		if st != 400 || !strings.Contains(body, "手机号码“1380013”格式不对") || !strings.Contains(body, `value="1380013"`) {
			t.Errorf("bad mobile: %d", st)
		}
		st, _, body = b.post("/account/channels", "/account/channels", url.Values{"on_email": {"1"}, "addr_email": {"zhao.min@jiangnan.gov.cn"}, "digest_email": {"1"}, "addr_sms": {"13800138000"}})
		if st != 200 || !strings.Contains(body, `value="zhao.min@jiangnan.gov.cn"`) {
			t.Fatalf("save: %d", st)
		}
		if chs, _ := db.Deliveries().UserChannels(h.fx.Ctx(t, db, "eduAdmin")); len(chs) != 1 || !chs[0].Digest {
			t.Errorf("stored channels: %+v (an unticked channel's address is not kept)", chs)
		}

		transferToSouthEdu(t, h)
		if st, body := b.get("/notifications"); st != 200 || !strings.Contains(body, "电子邮件待发送") {
			t.Errorf("notification list: %d, no per-channel status", st)
		}

		a := newBrowser(t, h.srv.URL)
		a.login("prov.admin")
		if st, body := a.get("/admin"); st != 200 || !strings.Contains(body, `href="/deliveries"`) {
			t.Errorf("admin tiles: %d", st)
		}
		st, body = a.get("/deliveries?channel=email")
		if st != 200 || !strings.Contains(body, "江南区教育局管理员(江州市江南区教育局)") || !strings.Contains(body, "已移送本单位办理") || !strings.Contains(body, "待发送") {
			t.Errorf("deliveries: %d", st)
		}
		if _, body := a.get("/deliveries?channel=sms"); !strings.Contains(body, "没有符合条件的投递记录") {
			t.Errorf("filtered by SMS: rows shown")
		}
		if st, _ := a.get("/deliveries?status=lost"); st != 400 {
			t.Errorf("unknown status: %d", st)
		}
		n := newBrowser(t, h.srv.URL)
		n.login("north.edu")
		if _, body := n.get("/deliveries"); strings.Contains(body, "已移送本单位办理") {
			t.Errorf("another unit's administrator sees the delivery")
		}
	})
}

// TestDeliveryAPI: a user reads and replaces their channels through the
// API (a bad address is refused and nothing changes); the list answers in
// the list shape, with another user's address left out.
func TestDeliveryAPI(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	if st, body := h.do("eduAdmin", "GET", "/api/v1/account/channels", nil); st != 200 || len(body["offered"].([]any)) != 5 || len(body["channels"].([]any)) != 0 {
		t.Fatalf("get: %d %v", st, body)
	}
	st, body := h.do("eduAdmin", "PUT", "/api/v1/account/channels", map[string]any{"channels": []map[string]any{{"channel": "sms", "address": "13800138000"}, {"channel": "wecom", "address": "zhao min"}}})
	if st != 400 || !strings.Contains(fmt.Sprint(body["error"]), "企业微信账号") {
		t.Errorf("bad wecom id: %d %v", st, body)
	}
	if _, body := h.do("eduAdmin", "GET", "/api/v1/account/channels", nil); len(body["channels"].([]any)) != 0 {
		t.Errorf("a refused change stored %v", body["channels"])
	}
	st, body = h.do("eduAdmin", "PUT", "/api/v1/account/channels", map[string]any{"channels": []map[string]any{{"channel": "sms", "address": "13800138000", "digest": true}}})
	if chs := body["channels"].([]any); st != 200 || len(chs) != 1 || chs[0].(map[string]any)["digest"] != true {
		t.Fatalf("put: %d %v", st, body)
	}
	transferToSouthEdu(t, h)
	if st, body := h.do("eduAdmin", "GET", "/api/v1/deliveries", nil); st != 200 || body["total"] != 1.0 || items(body)[0]["address"] != "13800138000" || items(body)[0]["status"] != "pending" {
		t.Errorf("own list: %d %v", st, body)
	}
	if st, body := h.do("provAdmin", "GET", "/api/v1/deliveries?channel=sms", nil); st != 200 || body["total"] != 1.0 || items(body)[0]["address"] != "" {
		t.Errorf("administrator's list: %d %v", st, body)
	}
	if st, _ := h.do("provAdmin", "GET", "/api/v1/deliveries?channel=fax", nil); st != 400 {
		t.Errorf("unknown channel: %d", st)
	}
}

// TestBrowserChannelSettings: at desktop (1366×768) and phone (390×844)
// width the unit administrator opens 通知方式 from the notification list,
// ticks a channel, types the address and saves; the page says so, keeps
// what was saved, and fits the width.
func TestBrowserChannelSettings(t *testing.T) {
	ctx := chrome(t)
	h := newHarness(t, storetest.Open(t, store.SQLite))
	for _, tc := range []struct {
		w, h          int64
		channel, addr string
	}{
		{1366, 768, "email", "zhao.min@jiangnan.gov.cn"},
		{390, 844, "sms", "13800138000"},
	} {
		err := chromedp.Do(ctx,
			chromedp.EmulateViewport(tc.w, tc.h),
			loginAs(h.srv.URL, "south.edu"),
			chromedp.Navigate(h.srv.URL+"/notifications"),
			chromedp.Click(`a[href="/account/channels"]`),
			chromedp.WaitVisible(`form.channels-form`),
			chromedp.Click(`input[name=on_`+tc.channel+`]`),
			chromedp.SendKeys(`input[name=addr_`+tc.channel+`]`, tc.addr),
			chromedp.Click(`form.channels-form button.primary`),
		)
		if err != nil {
			t.Fatalf("%d wide: %v", tc.w, err)
		}
		waitText(t, ctx, `main`, "已保存")
		val, err := chromedp.Run(ctx, chromedp.Value(`input[name=addr_`+tc.channel+`]`))
		if err != nil || val != tc.addr {
			t.Errorf("%d wide: the address after saving reads %q (%v)", tc.w, val, err)
		}
		fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
		if err != nil || !fits {
			t.Errorf("%d wide: the page is wider than the screen (%v)", tc.w, err)
		}
	}
	chs, err := h.db.Deliveries().UserChannels(h.fx.Ctx(t, h.db, "eduAdmin"))
	if err != nil || len(chs) != 2 {
		t.Errorf("stored: %+v %v", chs, err)
	}
}
