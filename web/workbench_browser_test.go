package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// TestBrowserWorkbenchEveryRole: each role logs in at desktop (1366×768)
// and phone (390×844) width, lands on its 工作台, sees its own work — with
// deadlines where the work has them — and opens the first item; the staff
// member reports a problem from the home page and gets a tracking code.
func TestBrowserWorkbenchEveryRole(t *testing.T) {
	ctx := chrome(t)
	w := newCampaignWorld(t, storetest.Open(t, store.SQLite))
	h, db := w.h, w.h.db
	sys := storetest.System()
	u := &jianfu.User{Username: "south.insp", Name: "林抽查", UnitID: h.fx.Units["south"].ID, Roles: []jianfu.Role{jianfu.RoleInspector}, Phone: "13800005678"}
	if err := db.Users().CreateUser(sys, u, storetest.FixturePassword); err != nil {
		t.Fatal(err)
	}
	h.fx.Users["southInsp"] = u
	w.campaign("390102", w.southAcct, "southInsp")
	sup := h.fx.Ctx(t, db, "southSup")
	c, _, err := db.Intake().CreateClue(sup, &jianfu.Clue{Category: "chain", RegionCode: "390102", Description: "教育局工作群每天要求教师接龙报平安"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Cases().TransferCase(sup, c.ID, jianfu.Transfer{UnitID: h.fx.Units["southEdu"].ID}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.Intake().CreateClue(sup, &jianfu.Clue{Category: "checkin", RegionCode: "390102", Description: "街道工作群要求每天上报打卡截图"}); err != nil {
		t.Fatal(err)
	}

	step := func(actions ...chromedp.Action[chromedp.Void]) error {
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		return chromedp.Do(sctx, actions...)
	}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			body, _ := chromedp.Run(ctx, chromedp.Text(`main`))
			t.Fatalf("%s: %v (at %s: %.300s)", what, err, loc, body)
		}
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(sel))
		must(sel, err)
		return v
	}
	for _, vp := range []struct {
		name string
		w, h int64
	}{{"desktop", 1366, 768}, {"phone", 390, 844}} {
		for _, tc := range []struct {
			user, list string // the list of its work shown first
			due        bool   // its items have deadlines
			opens      string // the path the first item opens
		}{
			{"south.sup", "triage", true, "/cases/"},
			{"south.edu", "answer", true, "/cases/"},
			{"south.insp", "forms", false, "/campaigns/"},
			{"city.auditor", "security", false, ""},
			{"prov.admin", "", false, ""},
			{"south.school", "", false, ""},
		} {
			t.Run(vp.name+"/"+tc.user, func(t *testing.T) {
				must("log in", step(
					chromedp.EmulateViewport(vp.w, vp.h),
					chromedp.Navigate(h.srv.URL+"/login"),
					chromedp.WaitVisible(`input[name=username]`),
					chromedp.SendKeys(`input[name=username]`, tc.user),
					chromedp.SendKeys(`input[name=password]`, storetest.FixturePassword),
					chromedp.Click(`button[type=submit]`),
					chromedp.WaitReady(`header .who`),
				))
				loc, _ := chromedp.Run(ctx, chromedp.Location())
				if !strings.HasSuffix(loc, "/") {
					t.Errorf("%s lands on %s, not the 工作台", tc.user, loc)
				}
				if tc.list != "" {
					sel := `section.worklist[data-work="` + tc.list + `"]`
					must("the work list", step(chromedp.WaitVisible(sel)))
					if first := text(`section.worklist`); !strings.Contains(first, text(sel+` h3`)) {
						t.Errorf("%s: the first list is not its own work %q: %.100s", tc.user, tc.list, first)
					}
					if tc.due && !strings.Contains(text(sel+` .workitems li .due`), "20") {
						t.Errorf("%s: its first item shows no deadline", tc.user)
					}
					if tc.opens != "" {
						must("open the first item", step(chromedp.Click(sel+` .workitems li a`), chromedp.WaitNotPresent(`section.workbench`), chromedp.WaitVisible(`main h1`)))
						if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.Contains(loc, tc.opens) {
							t.Errorf("%s: the first item opens %s, want %s…", tc.user, loc, tc.opens)
						}
					}
				}
				switch tc.user {
				case "prov.admin":
					if !strings.Contains(text(`main`), "用户与单位") {
						t.Error("the system administrator's 工作台 does not lead to users and units")
					}
				case "south.school":
					// Report a problem from the home page: the public form,
					// anonymous, and a tracking code.
					must("report", step(
						chromedp.Click(`a.tile[data-task=report]`),
						chromedp.WaitVisible(`#complaint-form`),
						chromedp.Click(`input[name=category][value=chain]`),
						chromedp.SetValue(`#region`, "390102"),
						chromedp.SendKeys(`textarea[name=description]`, "学校工作群每天晚上十点要求全体老师接龙回复收到,不回复的第二天点名批评。"),
						chromedp.Click(`#complaint-form button[type=submit]`),
						chromedp.WaitVisible(`#tracking-code`),
					))
					if code := strings.TrimSpace(text(`#tracking-code`)); !codeRe.MatchString(code) {
						t.Errorf("tracking code %q", code)
					}
				}
				// Menus: the auditor, the administrator and staff see few entries.
				if tc.user == "south.school" || tc.user == "city.auditor" || tc.user == "prov.admin" {
					must("home", step(chromedp.Navigate(h.srv.URL+"/"), chromedp.WaitReady(`nav.mainnav`)))
					if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('nav.mainnav a').length`)); n > 4 {
						t.Errorf("%s has %d menu entries", tc.user, n)
					}
				}
				must("log out", step(chromedp.Navigate(h.srv.URL+"/"), chromedp.WaitReady(`header .who form`),
					chromedp.Evaluate[chromedp.Void](`document.querySelector('header .who form').submit()`), chromedp.WaitVisible(`input[name=username]`)))
			})
		}
	}
}
