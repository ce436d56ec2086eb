package web_test

import (
	"io"
	"jianfu"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"jianfu/store"
	"jianfu/store/storetest"
)

// browser is an HTTP client with cookies that fills forms like a user.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, c: &http.Client{Jar: jar}}
}

func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// post submits a form from the page at from, with its CSRF token.
func (b *browser) post(from, action string, form url.Values) (int, string, string) {
	b.t.Helper()
	_, page := b.get(from)
	m := csrfRe.FindStringSubmatch(page)
	if m == nil {
		b.t.Fatalf("no csrf token on %s", from)
	}
	form.Set("csrf", m[1])
	resp, err := b.c.PostForm(b.base+action, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Request.URL.Path, string(body)
}

func (b *browser) login(user string) (int, string, string) {
	return b.post("/login", "/login", url.Values{"username": {user}, "password": {storetest.FixturePassword}})
}

func TestLoginLandsOnRolePage(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	tests := []struct{ user, landing, shows string }{
		{"prov.sup", "/", "临江省 · 工作概览"},
		{"south.sup", "/", "江南区 · 工作概览"},
		{"city.auditor", "/", "安全事件"},
		{"prov.admin", "/", "用户与单位"},
		{"south.edu", "/", "江州市江南区教育局"},
		{"south.school", "/", "江州市江南区望江中学"},
	}
	for _, tt := range tests {
		b := newBrowser(t, h.srv.URL)
		st, path, body := b.login(tt.user)
		if st != 200 || !strings.HasPrefix(path, tt.landing) || !strings.Contains(body, tt.shows) {
			t.Errorf("%s lands on %s (%d), want %s showing %q", tt.user, path, st, tt.landing, tt.shows)
		}
	}
}

func TestLoginErrorsAndCSRF(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	b := newBrowser(t, h.srv.URL)
	st, _, body := b.post("/login", "/login", url.Values{"username": {"south.sup"}, "password": {"wrong"}})
	if st != 401 || !strings.Contains(body, "用户名或密码错误") {
		t.Errorf("wrong password: %d", st)
	}
	// A form posted without the page's token is refused.
	resp, _ := b.c.PostForm(h.srv.URL+"/login", url.Values{"username": {"south.sup"}, "password": {storetest.FixturePassword}, "csrf": {"forged"}})
	if resp.StatusCode != 403 {
		t.Errorf("login with a forged CSRF token: %d", resp.StatusCode)
	}
	resp.Body.Close()
	// Pages need a login and remember where the user wanted to go.
	b2 := newBrowser(t, h.srv.URL)
	_, page := b2.get("/units?type=party")
	if !strings.Contains(page, `name="next" value="/units?type=party"`) {
		t.Error("an anonymous visit to /units does not lead to the login with next")
	}
	// After login, a page form without CSRF is refused too.
	b.login("prov.admin")
	resp, _ = b.c.PostForm(h.srv.URL+"/units", url.Values{"name": {"x"}})
	if resp.StatusCode != 403 {
		t.Errorf("unit form without CSRF: %d", resp.StatusCode)
	}
	resp.Body.Close()
}

// TestPagesRenderForEveryRole: every role's menu lists exactly the areas
// its roles use (jianfu.Actor.MayUse), each of them renders, and the
// pages of an area hidden from the menu are refused with a reason.
func TestPagesRenderForEveryRole(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	pages := []struct {
		path string
		area jianfu.Area
	}{{"/", ""}, {"/account", ""}, {"/account/channels", ""}, {"/deliveries", ""}, {"/notifications", ""}, {"/typical", ""}, {"/admin", jianfu.AreaAdmin}, {"/regions", jianfu.AreaAdmin}, {"/units", jianfu.AreaAdmin},
		{"/users", jianfu.AreaAdmin}, {"/registry", jianfu.AreaRegistry}, {"/registry/new", jianfu.AreaRegistry}, {"/burden", jianfu.AreaBurden}, {"/burden/upload", jianfu.AreaBurden},
		{"/cases", jianfu.AreaCases}, {"/cases/new", jianfu.AreaCases}, {"/campaigns", jianfu.AreaCampaigns}, {"/forms", jianfu.AreaCampaigns}, {"/rectifications", jianfu.AreaCampaigns},
		{"/evaluation", jianfu.AreaEvaluation}, {"/cleanup", jianfu.AreaCleanup}, {"/rules", jianfu.AreaRules}}
	menu := regexp.MustCompile(`(?s)<nav class="mainnav">(.*?)</nav>`)
	href := regexp.MustCompile(`href="(/[a-z]*)"`)
	for key, u := range h.fx.Users {
		a := h.actor(key)
		b := newBrowser(t, h.srv.URL)
		if st, _, _ := b.login(u.Username); st != 200 {
			t.Fatalf("login %s: %d", u.Username, st)
		}
		_, home := b.get("/")
		var got, want []string
		for _, m := range href.FindAllStringSubmatch(menu.FindString(home), -1) {
			got = append(got, m[1])
		}
		want = append(want, "/")
		for _, ar := range jianfu.Areas {
			if a.MayUse(ar) {
				want = append(want, "/"+string(ar))
			}
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s (%v) menu %v, want %v", u.Username, u.Roles, got, want)
		}
		for _, p := range pages {
			st, body := b.get(p.path)
			switch {
			case p.area == "" || a.MayUse(p.area):
				if st != 200 || !strings.Contains(body, "</html>") {
					t.Errorf("%s GET %s: %d", u.Username, p.path, st)
				}
			case st != 403 || !strings.Contains(body, "菜单中只列出您可以使用的功能"):
				t.Errorf("%s GET %s, hidden from the menu: %d, want 403 with the reason", u.Username, p.path, st)
			}
		}
		st, body := b.get("/audit")
		if u.HasRole("auditor") || u.HasRole("sysadmin") {
			if st != 200 {
				t.Errorf("%s /audit: %d", u.Username, st)
			}
		} else if st != 403 || !strings.Contains(body, "审计员") && !strings.Contains(body, "菜单中只列出") {
			t.Errorf("%s /audit: %d, want 403 with an explanation", u.Username, st)
		}
		st, body = b.get("/admin/holidays")
		if u.HasRole("sysadmin") {
			if st != 200 || !strings.Contains(body, "载入节假日安排") {
				t.Errorf("%s /admin/holidays: %d", u.Username, st)
			}
		} else if st != 403 || !strings.Contains(body, "节假日安排由系统管理员管理") && !strings.Contains(body, "菜单中只列出") {
			t.Errorf("%s /admin/holidays: %d, want 403 with an explanation", u.Username, st)
		}
		if st, _ := b.get("/units/999999"); st != 404 && !(st == 403 && !a.MayUse(jianfu.AreaAdmin)) {
			t.Errorf("%s missing unit: %d", u.Username, st)
		}
	}
}

func TestOtherCountysUnitIsNotFound(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	b := newBrowser(t, h.srv.URL)
	b.login("south.sup")
	_, list := b.get("/units")
	if strings.Contains(list, "江北区") || !strings.Contains(list, "江南区教育局") {
		t.Error("the 江南区 supervisor's unit list is not limited to 江南区")
	}
	st, body := b.get("/units/" + itoa(h.fx.Units["northEdu"].ID))
	if st != 404 || strings.Contains(body, "江北区教育局") {
		t.Errorf("opening another county's unit by URL: %d", st)
	}
}

func TestEnglishSwitch(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	b := newBrowser(t, h.srv.URL)
	b.login("south.sup")
	_, body := b.get("/units?lang=en")
	if !strings.Contains(body, "Units") || !strings.Contains(body, `lang="en"`) {
		t.Error("?lang=en does not switch to English")
	}
	_, body = b.get("/")
	if !strings.Contains(body, "Overview") {
		t.Error("the language choice is not remembered")
	}
}

func TestUnitFormShowsFieldErrors(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	b := newBrowser(t, h.srv.URL)
	b.login("south.edu")
	parent := itoa(h.fx.Units["southEdu"].ID)
	st, _, body := b.post("/units/new?parent="+parent, "/units", url.Values{"name": {"望江小学"}, "type": {"institution"}, "region_code": {"390102001"}, "parent_id": {parent}, "credit_code": {"91350100M000100Y44"}})
	if st != 400 || !strings.Contains(body, "校验位错误") || !strings.Contains(body, "望江小学") {
		t.Errorf("bad credit code: %d; the form must keep the input and explain", st)
	}
	_, total, _ := h.db.Units().FindUnits(storetest.System(), unitQuery("望江小学"))
	if total != 0 {
		t.Error("a rejected form saved a unit")
	}
	st, path, _ := b.post("/units/new?parent="+parent, "/units", url.Values{"name": {"望江小学"}, "type": {"institution"}, "region_code": {"390102001"}, "parent_id": {parent}})
	if st != 200 || !strings.HasPrefix(path, "/units/") {
		t.Errorf("good unit form: %d %s", st, path)
	}
}

func TestRulesPageHighlightsFindings(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	b := newBrowser(t, h.srv.URL)
	b.login("south.school")
	st, _, body := b.post("/rules", "/rules", url.Values{"text": {"请各村今晚十点前接龙报送走访照片,收到请回复"}, "time": {"2026-11-26T21:30"}})
	if st != 200 {
		t.Fatalf("analyze: %d", st)
	}
	for _, want := range []string{`<mark class="cat-chain"`, "接龙回复", "索要材料", "截图留痕", "下班时间发送", "不得脱离工作实际强制要求打卡接龙"} {
		if !strings.Contains(body, want) {
			t.Errorf("the analysis does not show %q", want)
		}
	}
	_, _, body = b.post("/rules", "/rules", url.Values{"text": {"根据规定,不再要求打卡接龙"}})
	if !strings.Contains(body, "未发现形式主义要求") || strings.Contains(body, "<mark class=") {
		t.Error("a policy citation is shown as a finding")
	}
	st, _, body = b.post("/rules", "/rules", url.Values{"text": {"  "}})
	if st != 400 || !strings.Contains(body, "请粘贴要检测的消息") {
		t.Errorf("empty text: %d", st)
	}
	_, body = b.get("/rules?category=engagement")
	if !strings.Contains(body, "engagement.") || strings.Contains(body, "<code>chain.") {
		t.Error("the rule browser does not filter by category")
	}
}

func TestDetectAPI(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	st, body := h.do("southSup", "POST", "/api/v1/detect", map[string]any{"text": "每人点赞评论五条,纳入月度考核", "time": "2026-11-26T10:00:00+08:00"})
	if st != 200 {
		t.Fatalf("detect: %d %v", st, body)
	}
	cats, _ := body["categories"].([]any)
	if len(cats) != 1 || cats[0] != "engagement" || body["assessed"] != true || body["offhours"] != false {
		t.Errorf("detect: %v", body)
	}
	fs, _ := body["findings"].([]any)
	if len(fs) == 0 || fs[0].(map[string]any)["clause"].(map[string]any)["text"] == "" {
		t.Errorf("findings lack the cited clause: %v", body["findings"])
	}
	if st, body := h.do("southSup", "POST", "/api/v1/detect", map[string]any{"text": "x", "time": "yesterday"}); st != 400 || body["error"].(map[string]any)["message"] == "" {
		t.Errorf("bad time: %d %v", st, body)
	}
}

// A form's errors name what is wrong in words, not by field keys.
func TestFormErrorsInWords(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	b := newBrowser(t, h.srv.URL)
	b.login("prov.admin")
	st, _, page := b.post("/units/new", "/units", url.Values{"name": {""}, "type": {"nonsense"}, "region_code": {"39x"}})
	if st != 400 || !strings.Contains(page, "单位名称不能为空") {
		t.Fatalf("invalid unit: %d", st)
	}
	for _, key := range []string{"<code>name</code>", "<code>type</code>", "<code>region_code</code>"} {
		if strings.Contains(page, key) {
			t.Errorf("the page shows the field key %s", key)
		}
	}
}
