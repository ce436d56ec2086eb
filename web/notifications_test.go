package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// transferToSouthEdu makes a clue in 江南区 and transfers it to 江南区教育局
// as the county supervisor, as the office would.
func transferToSouthEdu(t *testing.T, h *harness) *jianfu.Case {
	t.Helper()
	sup := h.fx.Ctx(t, h.db, "southSup")
	c, _, err := h.db.Intake().CreateClue(sup, &jianfu.Clue{Category: "chain", RegionCode: "390102", Description: "教育局工作群每天要求教师接龙报平安"})
	if err != nil {
		t.Fatal(err)
	}
	c, err = h.db.Cases().TransferCase(sup, c.ID, jianfu.Transfer{UnitID: h.fx.Units["southEdu"].ID, Note: "请核实并按时答复"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestNotificationsAPI: the unit administrator lists the notification of
// a transfer with its unread count; another user neither sees nor marks
// it (404); marking it read moves it out of the unread list.
func TestNotificationsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		c := transferToSouthEdu(t, h)

		status, body := h.do("eduAdmin", "GET", "/api/v1/notifications?unread=1", nil)
		list := items(body)
		if status != 200 || body["total"] != 1.0 || body["unread"] != 1.0 || len(list) != 1 {
			t.Fatalf("the unit's unread notifications: %d %v", status, body)
		}
		n := list[0]
		if n["kind"] != "case.transferred" || n["link"] != fmt.Sprintf("/cases/%d", c.ID) || !strings.Contains(n["title"].(string), c.Number) || n["read_at"] != nil {
			t.Errorf("the notification: %v", n)
		}
		id := int64(n["id"].(float64))
		if _, body := h.do("northAdmin", "GET", "/api/v1/notifications", nil); body["total"] != 0.0 || body["unread"] != 0.0 {
			t.Errorf("another unit's administrator lists %v", body)
		}
		if status, body := h.do("northAdmin", "POST", fmt.Sprintf("/api/v1/notifications/%d/read", id), nil); status != 404 {
			t.Errorf("another user marks it read: %d %v", status, body)
		}
		if status, body := h.do("eduAdmin", "GET", "/api/v1/notifications?unread=yes", nil); status != 400 || !strings.Contains(fmt.Sprint(body), "unread") {
			t.Errorf("unread=yes: %d %v", status, body)
		}
		status, body = h.do("eduAdmin", "POST", fmt.Sprintf("/api/v1/notifications/%d/read", id), nil)
		if status != 200 || body["read_at"] == nil {
			t.Errorf("mark read: %d %v", status, body)
		}
		if _, body := h.do("eduAdmin", "GET", "/api/v1/notifications?unread=1", nil); body["total"] != 0.0 || body["unread"] != 0.0 {
			t.Errorf("unread after reading: %v", body)
		}
		if _, body := h.do("eduAdmin", "GET", "/api/v1/notifications", nil); body["total"] != 1.0 || len(items(body)) != 1 {
			t.Errorf("all after reading: %v", body)
		}
		if status, body := h.do("eduAdmin", "POST", "/api/v1/notifications/read-all", nil); status != 200 || body["marked"] != 0.0 {
			t.Errorf("read-all with nothing unread: %d %v", status, body)
		}
	})
}

// TestBrowserUnitAdminOpensTransferNotification: after a case is
// transferred to 江南区教育局, its administrator sees the bell's badge on the
// home page with the notification, opens it from the notification list,
// lands on the case, and the badge is gone.
func TestBrowserUnitAdminOpensTransferNotification(t *testing.T) {
	ctx := chrome(t)
	h := newHarness(t, storetest.Open(t, store.SQLite))
	c := transferToSouthEdu(t, h)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(chromedp.Do(ctx,
		chromedp.Navigate(h.srv.URL+"/"),
		chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, "south.edu"),
		chromedp.SendKeys(`input[name=password]`, storetest.FixturePassword),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(`#unread-badge`),
	))
	badge, err := chromedp.Run(ctx, chromedp.Text(`#unread-badge`))
	must(err)
	if badge != "1" {
		t.Errorf("the badge reads %q, want 1", badge)
	}
	if home := waitText(t, ctx, `.homenotes`, c.Number); !strings.Contains(home, "已移送本单位办理") {
		t.Errorf("the home page's unread notifications: %q", home)
	}
	must(chromedp.Do(ctx,
		chromedp.Click(`a.bell`),
		chromedp.WaitVisible(`ul.notes`),
	))
	list := waitText(t, ctx, `ul.notes`, c.Number)
	if !strings.Contains(list, "线索移送") || !strings.Contains(list, "请核实并按时答复") {
		t.Errorf("the notification list: %q", list)
	}
	must(chromedp.Do(ctx,
		chromedp.Click(`ul.notes button.title`),
		chromedp.WaitNotPresent(`ul.notes`),
	))
	loc, err := chromedp.Run(ctx, chromedp.Location())
	must(err)
	if !strings.HasSuffix(loc, fmt.Sprintf("/cases/%d", c.ID)) {
		t.Errorf("opening the notification lands on %q, want the case", loc)
	}
	if page := waitText(t, ctx, `main`, c.Number); !strings.Contains(page, c.Number) {
		t.Errorf("the case page: %q", page)
	}
	gone, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('#unread-badge') === null`))
	must(err)
	if !gone {
		t.Error("the badge is still shown after the notification was opened")
	}
}
