package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"jianfu"
	"jianfu/demo"
	"jianfu/internal/crawl"
	"jianfu/store"
	"jianfu/store/storetest"
)

// The crawl's bounds: how many pages it opens per role (and at most
// crawl.PerPattern of one path pattern such as /cases/{n}), and the
// tallest page the desktop may show.
const (
	crawlPerRole   = 70
	crawlMaxHeight = 8000 // px, on the desktop
)

// crawlSize is a viewport the crawl looks at every page in.
type crawlSize struct {
	name string
	w, h int64
}

var (
	crawlDesktop = crawlSize{"1366×768", 1366, 768}
	crawlPhone   = crawlSize{"390×844", 390, 844}
	// crawlZoom is the desktop at 200 % text zoom: the same CSS pixels as a
	// 683 px wide window (WCAG 1.4.4, GB/T 37668 5.2.3.4).
	crawlZoom = crawlSize{"1366×768 at 200%", 683, 384}
)

// Visible identifiers the crawl looks for in document.body.innerText.
var (
	// word.word: permission keys (case.read), login names (jiangnan.jianguan),
	// file names of the source tree.
	identDotted = regexp.MustCompile(`\b[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*\b`)
	// snake_case: codes of enums and columns (wechat_oa, overdue_units).
	identSnake = regexp.MustCompile(`\b[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]+\b`)
	// #123 and (编号3327): database ids.
	identHash = regexp.MustCompile(`#\d+|编号\s*\d+|\bid\s*[:=]?\s*\d+`)
	// A command-line flag in a page (--holidays).
	identFlag = regexp.MustCompile(`(^|\s)--[a-z][a-z-]+`)
)

// crawlAllowed is what the identifier patterns may match because a person
// reads it as such, cut out of the text before the patterns run. Keep it
// short: each entry says why it belongs.
//
// Login names are allowed in an element of class "loginname": the account
// pages (账号管理, 我的账号) show the name one logs in with, because that is
// what they are about; everywhere else people are named.
var digits = regexp.MustCompile(`\d+`)

// crawlPending are findings of the crawl that wait on work under way
// elsewhere: they are logged, not failed. Remove an entry once its page is
// fixed; keep the list short.
var crawlPending = map[string]string{}

var crawlAllowed = []*regexp.Regexp{
	// Addresses: links and domain names someone entered (an account's
	// homepage, an article's link, a mailbox), shown as entered.
	regexp.MustCompile(`https?://\S+`),
	regexp.MustCompile(`\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b`),
	regexp.MustCompile(`\b(?:[a-z0-9-]+\.)+(?:cn|com|net|org|gov)(?:/\S*)?\b`),
	// Numbers with a decimal point and a unit (1.5 MB) are numbers, not ids;
	// the patterns above need a letter first, so nothing to allow here.
}

// TestCrawl logs in as every demo role, follows every same-origin link it
// can reach from the menu and the home page, and looks at each page at
// desktop and phone size the way the quality bar says: no 5xx, no
// ASCII identifiers in the visible text, no essential column pushed off a
// table wider than the screen, no desktop page taller than 8,000 px, and no
// serious or critical axe-core violation. A few pages are also checked at
// 200 % zoom for horizontal scrolling.
func TestCrawl(t *testing.T) {
	ctx := chromeWithin(t, 20*time.Minute)
	axeSrc, err := os.ReadFile("testdata/axe/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.Open(t, store.SQLite)
	sum, err := demo.Generate(jianfu.WithActor(context.Background(), jianfu.SystemActor("demo")), db, demo.Options{Size: demo.Small})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, db)

	c := &crawler{t: t, ctx: ctx, base: h.srv.URL, axe: string(axeSrc), axeSeen: map[string]bool{}, found: map[string]map[string]string{}}
	for _, l := range sum.Logins {
		c.logins = append(c.logins, l.Username)
	}
	for _, u := range h.fx.Users {
		c.logins = append(c.logins, u.Username)
	}
	start := time.Now()
	defer c.summary(start) // also when a step fails fatally: what was found so far
	// The public pages, as a citizen sees them.
	c.crawl("公众", []string{"/login", "/complaint", "/track", "/typical", "/verify"}, nil)
	roles := map[string]bool{}
	for _, l := range sum.Logins {
		// Each role once: the first demo account with that set of roles
		// (the province's, as it sees the most).
		if roles[l.RoleNames()] {
			continue
		}
		roles[l.RoleNames()] = true
		c.crawl(l.Username+"("+l.RoleNames()+")", []string{"/"}, func() error {
			return chromedp.Do(ctx,
				chromedp.EmulateViewport(crawlDesktop.w, crawlDesktop.h),
				chromedp.Navigate(c.base+"/login"),
				chromedp.WaitVisible(`input[name=username]`),
				chromedp.SendKeys(`input[name=username]`, l.Username),
				chromedp.SendKeys(`input[name=password]`, l.Password),
				chromedp.Click(`button[type=submit]`),
				chromedp.WaitVisible(`header .who`))
		})
		c.roles++
	}
	// 200 % zoom on the pages officials use most, as the first demo supervisor.
	c.zoom(sum.Logins, []string{"/", "/cases", "/burden", "/campaigns", "/registry", "/evaluation", "/audit"})

}

// summary reports what the crawl found, one line per kind, pattern and
// detail.
func (c *crawler) summary(start time.Time) {
	t := c.t
	kinds := make([]string, 0, len(c.found))
	for k := range c.found {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		var where []string
		for key, w := range c.found[k] {
			where = append(where, key+"  (e.g. "+w+")")
		}
		sort.Strings(where)
		if len(where) > 40 {
			where = append(where[:40], fmt.Sprintf("… and %d more", len(where)-40))
		}
		msg := fmt.Sprintf("%s (%d):\n\t%s", k, len(c.found[k]), strings.Join(where, "\n\t"))
		if strings.HasPrefix(k, "pending") {
			t.Log(msg)
		} else {
			t.Error(msg)
		}
	}
	t.Logf("crawled %d page views (%d distinct pages × roles) for %d roles + the public at %s and %s, axe on %d page patterns, in %v",
		c.views, c.pages, c.roles, crawlDesktop.name, crawlPhone.name, len(c.axeSeen), time.Since(start).Round(time.Second))
}

type crawler struct {
	t       *testing.T
	ctx     context.Context
	base    string
	axe     string
	logins  []string
	axeSeen map[string]bool // pattern@size axe already ran on
	// found maps a kind of problem to "role page: detail" lines.
	found        map[string]map[string]string
	views, pages int
	roles        int
}

// report notes a problem once per kind, page pattern and detail, with the
// first page it was seen on.
func (c *crawler) report(kind, pattern, detail, where string) {
	if why, ok := crawlPending[kind+" "+pattern]; ok {
		kind = "pending (" + why + "): " + kind
	}
	if c.found[kind] == nil {
		c.found[kind] = map[string]string{}
	}
	key := pattern + ": " + detail
	if _, ok := c.found[kind][key]; !ok {
		c.found[kind][key] = where
	}
}

type pageFacts struct {
	Text   string   `json:"text"`
	Height int      `json:"height"`
	Width  int      `json:"width"`
	VW     int      `json:"vw"`
	Hidden []string `json:"hidden"`
	Links  []string `json:"links"`
	Logins []string `json:"logins"` // login names in a .loginname element
}

const crawlFactsJS = `(() => {
  const vw = document.documentElement.clientWidth;
  const hidden = [];
  document.querySelectorAll('table').forEach(t => {
    t.querySelectorAll('th.essential').forEach(th => {
      const r = th.getBoundingClientRect();
      if (r.width === 0 || r.right > vw + 1 || r.left < -1) hidden.push(th.innerText.trim() || th.outerHTML.slice(0, 60));
    });
  });
  const logins = [...document.querySelectorAll('.loginname')].map(e => e.innerText.trim()).filter(s => s && s.length < 40);
  const links = ` + crawl.LinksJS + `;
  return {text: document.body.innerText, height: document.documentElement.scrollHeight,
    width: document.documentElement.scrollWidth, vw, hidden, links, logins};
})()`

const crawlAxeJS = `axe.run(document, {
  runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
  resultTypes: ['violations']
}).then(r => r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
  .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' — ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')))`

// crawl opens the start pages and every link reachable from them as one
// role (login nil: nobody logged in).
func (c *crawler) crawl(role string, start []string, login func() error) {
	t := c.t
	if _, err := chromedp.Call(c.ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if login != nil {
		if err := login(); err != nil {
			t.Fatalf("%s: login: %v", role, err)
		}
	}
	began := time.Now()
	queue := crawl.NewQueue(c.base)
	for _, s := range start {
		queue.Add(s)
	}
	n := 0
	for ; n < crawlPerRole; n++ {
		rel, ok := queue.Next()
		if !ok {
			break
		}
		u, _ := url.Parse(rel)
		pat := crawl.Pattern(u)
		where := role + " " + rel
		if err := chromedp.Do(c.ctx, chromedp.EmulateViewport(crawlDesktop.w, crawlDesktop.h)); err != nil {
			t.Fatal(err)
		}
		resp, err := chromedp.Run(c.ctx, chromedp.NavigateResponse(c.base+rel))
		if err != nil {
			t.Errorf("%s: %v", where, err)
			continue
		}
		c.pages++
		if resp.Status >= 500 {
			c.report("5xx", pat, fmt.Sprint(resp.Status), where)
			continue
		}
		if resp.Status >= 400 {
			c.report("pending: 4xx behind a link the role is shown", pat, fmt.Sprint(resp.Status), where)
		}
		if !strings.HasPrefix(resp.MimeType, "text/html") {
			continue
		}
		for _, size := range []crawlSize{crawlDesktop, crawlPhone} {
			if size != crawlDesktop {
				if err := chromedp.Do(c.ctx, chromedp.EmulateViewport(size.w, size.h)); err != nil {
					t.Fatal(err)
				}
			}
			f := c.facts(where)
			c.views++
			text := f.Text
			for _, l := range f.Logins {
				text = strings.ReplaceAll(text, l, " ")
			}
			c.checkText(pat, where+" @"+size.name, text)
			for _, th := range f.Hidden {
				c.report("essential column off-screen", pat, fmt.Sprintf("%q @%s", th, size.name), where)
			}
			if size == crawlDesktop {
				if f.Height > crawlMaxHeight {
					c.report("pending: page taller than 8000 px on the desktop (paging)", pat, fmt.Sprintf("%d px", f.Height), where)
				}
				for _, l := range f.Links {
					queue.Add(l)
				}
			}
			if key := pat + "@" + size.name; !c.axeSeen[key] {
				c.axeSeen[key] = true
				for _, v := range c.runAxe(where) {
					c.report("axe", pat, v, where+" @"+size.name)
				}
			}
		}
	}
	t.Logf("%s: %d pages in %v", role, n, time.Since(began).Round(time.Millisecond))
	if queue.Left() > 0 {
		t.Logf("%s: stopped after %d pages with %d links left", role, crawlPerRole, queue.Left())
	}
}

func (c *crawler) facts(where string) pageFacts {
	var f pageFacts
	raw, err := chromedp.Run(c.ctx, chromedp.Evaluate[json.RawMessage](crawlFactsJS))
	if err != nil {
		c.t.Errorf("%s: %v", where, err)
		return f
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		c.t.Errorf("%s: %v", where, err)
	}
	return f
}

func (c *crawler) runAxe(where string) []string {
	if _, err := chromedp.Run(c.ctx, chromedp.Evaluate[json.RawMessage](c.axe+";0")); err != nil {
		c.t.Errorf("%s: load axe: %v", where, err)
		return nil
	}
	v, err := chromedp.Run(c.ctx, chromedp.Evaluate[[]string](crawlAxeJS, chromedp.EvalAwaitPromise))
	if err != nil {
		c.t.Errorf("%s: axe: %v", where, err)
	}
	return v
}

// checkText reports the ASCII identifiers in a page's visible text.
func (c *crawler) checkText(pat, where, text string) {
	for _, a := range crawlAllowed {
		text = a.ReplaceAllString(text, " ")
	}
	for _, l := range c.logins {
		if strings.Contains(text, l) {
			c.report("login name", pat, l, where)
		}
	}
	for kind, re := range map[string]*regexp.Regexp{"word.word": identDotted, "snake_case": identSnake, "#id": identHash, "--flag": identFlag} {
		for _, m := range re.FindAllStringIndex(text, 3) {
			lo, hi := max(0, m[0]-20), min(len(text), m[1]+20)
			c.report(kind, pat, digits.ReplaceAllString(text[m[0]:m[1]], "N"), fmt.Sprintf("%s: %q", where, strings.ReplaceAll(strings.ToValidUTF8(text[lo:hi], ""), "\n", " ")))
		}
	}
}

// zoom opens a few pages at 200 % zoom as the first demo supervisor and
// reports pages that then scroll sideways.
func (c *crawler) zoom(logins []demo.Login, paths []string) {
	var who *demo.Login
	for i, l := range logins {
		for _, r := range l.Roles {
			if r == jianfu.RoleSupervisor && who == nil {
				who = &logins[i]
			}
		}
	}
	if who == nil {
		c.t.Fatal("no demo supervisor")
	}
	chromedp.Call(c.ctx, network.ClearBrowserCookies, cdp.Empty{})
	if err := chromedp.Do(c.ctx, chromedp.EmulateViewport(crawlDesktop.w, crawlDesktop.h), chromedp.Navigate(c.base+"/login"),
		chromedp.SendKeys(`input[name=username]`, who.Username), chromedp.SendKeys(`input[name=password]`, who.Password),
		chromedp.Click(`button[type=submit]`), chromedp.WaitVisible(`header .who`)); err != nil {
		c.t.Fatal(err)
	}
	for _, p := range append([]string{"/login"}, paths...) {
		if err := chromedp.Do(c.ctx, chromedp.EmulateViewport(crawlZoom.w, crawlZoom.h), chromedp.Navigate(c.base+p)); err != nil {
			c.t.Fatal(err)
		}
		f := c.facts(p)
		c.views++
		if f.Width > f.VW+1 {
			c.report("200% zoom scrolls sideways", p, fmt.Sprintf("page %d px wide in a %d px window", f.Width, f.VW), p)
		}
	}
}
