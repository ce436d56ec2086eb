package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"jianfu"
	"jianfu/demo"
	"jianfu/store"
	"jianfu/store/storetest"
)

// viewports are the desktop and phone sizes every picker journey runs at.
var viewports = []struct {
	name string
	w, h int64
}{{"desktop", 1366, 768}, {"phone", 390, 844}}

// stayed marks the page and later reports whether it is still the same
// document: a picker must not reload the page.
func stayed(ctx context.Context, t *testing.T, mark bool) bool {
	t.Helper()
	if mark {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__pickerMark = true`)); err != nil {
			t.Fatal(err)
		}
		return true
	}
	v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__pickerMark === true`))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// js runs a statement in the page.
func js(ctx context.Context, t *testing.T, stmt string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function () { `+stmt+`; return true })()`)); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

// TestBrowserRegionPicker: a provincial supervisor launching a campaign
// picks the region from a tree (province → city → county → township) with
// the keyboard and by searching a name; the form still carries the code,
// and the page is never reloaded.
func TestBrowserRegionPicker(t *testing.T) {
	ctx := chrome(t)
	h := newHarness(t, storetest.Open(t, store.SQLite))
	for _, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			step := func(actions ...chromedp.Action[chromedp.Void]) {
				t.Helper()
				sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
				defer cancel()
				if err := chromedp.Do(sctx, actions...); err != nil {
					body, _ := chromedp.Run(ctx, chromedp.Text(`main`))
					t.Fatalf("%v\n%.800s", err, body)
				}
			}
			value := func() string {
				t.Helper()
				v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("form input[name=region]").value`))
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
			box := `[data-picker=region] input[role=combobox]`
			step(chromedp.EmulateViewport(vp.w, vp.h), loginAs(h.srv.URL, "prov.sup"),
				chromedp.Navigate(h.srv.URL+"/campaigns/new"), chromedp.WaitVisible(box))
			stayed(ctx, t, true)
			if v := value(); v != "390000" {
				t.Errorf("the region field starts as %q, want the caller's own 390000", v)
			}
			shown, err := chromedp.Run(ctx, chromedp.Value(box))
			if err != nil {
				t.Fatal(err)
			}
			if shown != "临江省" {
				t.Errorf("the region box shows %q, want the name 临江省, not a code", shown)
			}
			// Keyboard: open the tree on the province, expand to the city, its
			// counties, and choose 江南区.
			step(chromedp.Click(box), chromedp.WaitVisible(`[role=tree] [role=treeitem]`))
			step(chromedp.Focus(box), chromedp.KeyEvent(kb.ArrowDown)) // ArrowDown: the province
			step(chromedp.WaitVisible(`[role=tree] > li[aria-expanded=true] [role=group] [role=treeitem]`))
			step(chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowRight)) // ArrowDown to 江州市, ArrowRight expands it
			step(chromedp.WaitVisible(`[role=treeitem][aria-level="3"]`))
			step(chromedp.KeyEvent(kb.ArrowRight), chromedp.KeyEvent(kb.ArrowDown)) // into the counties: 江南区, then 江北区
			active, err := chromedp.Run(ctx, chromedp.Text(`[role=treeitem].active > .name`))
			if err != nil {
				t.Fatal(err)
			}
			if active != "江北区" {
				t.Errorf("after ↓ → → ↓ the highlighted region is %q, want 江北区", active)
			}
			step(chromedp.KeyEvent(kb.ArrowUp), chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.Enter)) // ↑ 江南区, ↓ 江北区 again, Enter chooses
			if v := value(); v != "390103" {
				t.Errorf("choosing 江北区 by keyboard sets %q, want 390103", v)
			}
			// Expanding a county shows its townships; choosing by mouse.
			step(chromedp.Click(box), chromedp.WaitVisible(`[role=treeitem][aria-level="3"]`))
			js(ctx, t, `[...document.querySelectorAll('[role=treeitem][aria-level="3"]')].find(function(li){return li.querySelector('.name').textContent==='江南区'}).querySelector('.twisty').dispatchEvent(new MouseEvent('mousedown',{bubbles:true}))`)
			step(chromedp.WaitVisible(`[role=treeitem][aria-level="4"]`))
			town, err := chromedp.Run(ctx, chromedp.Text(`[role=treeitem][aria-level="4"] > .name`))
			if err != nil {
				t.Fatal(err)
			}
			if town != "望江街道" {
				t.Errorf("江南区 expands to %q, want its township 望江街道", town)
			}
			step(chromedp.KeyEvent(kb.Escape))
			// Searching by name.
			js(ctx, t, `document.querySelector('`+box+`').value = ''`)
			step(chromedp.SendKeys(box, "北湖"), chromedp.WaitVisible(`[role=tree]:not([aria-busy]) > li[role=treeitem] .note`))
			found, err := chromedp.Run(ctx, chromedp.Text(`.picker-list`))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(found, "北湖街道") || strings.Contains(found, "望江街道") {
				t.Errorf("searching 北湖 lists %q", found)
			}
			step(chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.Enter))
			if v := value(); v != "390103001" {
				t.Errorf("choosing 北湖街道 from the search sets %q, want 390103001", v)
			}
			if !stayed(ctx, t, false) {
				t.Error("the page was reloaded while picking a region")
			}
			// No horizontal overflow at this width.
			wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.scrollingElement.scrollWidth > window.innerWidth`))
			if err != nil {
				t.Fatal(err)
			}
			if wide {
				t.Error("the campaign form is wider than the screen")
			}
		})
	}
}

// TestBrowserTransferUnitTypeahead: a county supervisor transfers a case by
// typing part of a unit's name; the units come without a page reload and
// the transfer goes to the unit chosen.
func TestBrowserTransferUnitTypeahead(t *testing.T) {
	ctx := chrome(t)
	answerYes(ctx)
	h := newHarness(t, storetest.Open(t, store.SQLite))
	for i, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			st, resp := h.do("southSup", "POST", "/api/v1/cases", map[string]any{"source": "spotcheck", "source_ref": fmt.Sprint("picker-", i), "region_code": "390102", "description": "抽查发现工作群要求每天打卡签到"})
			if st != 201 {
				t.Fatalf("create case: %d %v", st, resp)
			}
			id := fmt.Sprint(resp["id"])
			step := func(actions ...chromedp.Action[chromedp.Void]) {
				t.Helper()
				sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
				defer cancel()
				if err := chromedp.Do(sctx, actions...); err != nil {
					body, _ := chromedp.Run(ctx, chromedp.Text(`main`))
					t.Fatalf("%v\n%.800s", err, body)
				}
			}
			form := `form[action$="/transfer"]`
			box := form + ` [data-picker=unit] input[role=combobox]`
			step(chromedp.EmulateViewport(vp.w, vp.h), loginAs(h.srv.URL, "south.sup"),
				chromedp.Navigate(h.srv.URL+"/cases/"+id), chromedp.WaitVisible(box))
			fallback, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`[...document.querySelectorAll('form.inline-search')].some(function(f){return f.getClientRects().length>0})`))
			if err != nil {
				t.Fatal(err)
			}
			if fallback {
				t.Error("the reloading unit search is still shown beside the type-ahead")
			}
			stayed(ctx, t, true)
			js(ctx, t, `document.querySelector('`+box+`').value = ''`)
			step(chromedp.SendKeys(box, "教育"), chromedp.WaitVisible(form+` [role=listbox]:not([aria-busy]) [role=option]`))
			options, err := chromedp.Run(ctx, chromedp.Text(form+` [role=listbox]`))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(options, "江州市江南区教育局") || strings.Contains(options, "江北区教育局") || strings.Contains(options, "望江中学") {
				t.Errorf("typing 教育 offers %q, want only 江南区教育局 (scoped, matching)", options)
			}
			step(chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.Enter))
			if !stayed(ctx, t, false) {
				t.Fatal("the page was reloaded while searching units")
			}
			v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('`+form+` select[name=unit_id]').value`))
			if err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprint(h.fx.Units["southEdu"].ID); v != want {
				t.Errorf("the transfer form carries unit %q, want %s", v, want)
			}
			step(chromedp.Click(form+` button.primary`), chromedp.WaitVisible(`.flash`))
			var c map[string]any
			for try := 0; try < 50; try++ {
				if _, c = h.do("southSup", "GET", "/api/v1/cases/"+id, nil); fmt.Sprint(c["unit_id"]) == fmt.Sprint(h.fx.Units["southEdu"].ID) {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			if fmt.Sprint(c["unit_id"]) != fmt.Sprint(h.fx.Units["southEdu"].ID) {
				t.Errorf("after the transfer the case is with unit %v, want 江南区教育局", c["unit_id"])
			}
		})
	}
}

// TestBrowserCardsFitAPhone opens the pages whose tables turn into cards on
// a phone, at 390×844 with the demo province, and fails when a page scrolls
// sideways.
func TestBrowserCardsFitAPhone(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the demo province")
	}
	db := storetest.Open(t, store.SQLite)
	if _, err := demo.Generate(jianfu.WithActor(context.Background(), jianfu.SystemActor("demo")), db, demo.Options{Size: demo.Small}); err != nil {
		t.Fatal(err)
	}
	ctx := chrome(t) // after the demo: its time limit is for the browser
	h := newHarness(t, db)
	pages := map[string][]string{
		"sheng.jianguan": {"/units", "/campaigns", "/cleanup", "/burden/clusters", "/burden/clues", "/rectifications", "/evaluation", "/rules",
			"/registry", "/registry/consolidation", "/registry/rules", "/cases/overdue", "/cases/deadlines", "/checklists", "/users", "/campaigns/1", "/burden/groups/1"},
		"sheng.shenji": {"/audit"},
	}
	for user, paths := range pages {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844),
			chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
				_, err := cdp.Call(ctx, t, network.ClearBrowserCookies, cdp.Empty{})
				return err
			}),
			chromedp.Navigate(h.srv.URL+"/login"), chromedp.WaitVisible(`input[name=username]`),
			chromedp.SendKeys(`input[name=username]`, user), chromedp.SendKeys(`input[name=password]`, demo.DefaultPassword),
			chromedp.Click(`button[type=submit]`), chromedp.WaitVisible(`header .who`)); err != nil {
			t.Fatalf("%s: login: %v", user, err)
		}
		for _, p := range paths {
			sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			err := chromedp.Do(sctx, chromedp.Navigate(h.srv.URL+p), chromedp.WaitVisible(`footer`))
			cancel()
			if err != nil {
				loc, _ := chromedp.Run(ctx, chromedp.Location())
				body, _ := chromedp.Run(ctx, chromedp.Text(`body`))
				t.Fatalf("%s: %v (at %s: %.300s)", p, err, loc, body)
			}
			n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("table.cards tbody tr").length`))
			if err != nil {
				t.Fatal(err)
			}
			over, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.scrollingElement.scrollWidth - window.innerWidth`))
			if err != nil {
				t.Fatal(err)
			}
			// A table that scrolls inside itself hides its columns just the same.
			inside, err := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll("table.cards, table.compact")].filter(function (t) { return t.scrollWidth > t.clientWidth + 1 }).length`))
			if err != nil {
				t.Fatal(err)
			}
			if inside > 0 {
				t.Errorf("%s at 390 px: %d card or number tables still scroll sideways", p, inside)
			}
			if over > 0 {
				wide, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("main *")].filter(function (e) { return e.getBoundingClientRect().right > window.innerWidth + 1 }).slice(0, 3).map(function (e) { return e.tagName + "." + e.className }).join(" ")`))
				t.Errorf("%s at 390 px scrolls sideways by %d px (%d card rows; too wide: %s)", p, over, n, wide)
			}
		}
	}
}
