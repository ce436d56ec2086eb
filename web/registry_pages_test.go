package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// upload posts a file to the import form as the logged-in browser.
func (b *browser) upload(name, content string) (int, string) {
	b.t.Helper()
	return b.postMultipart("/registry/import", "/registry/import", nil, "file", map[string][]byte{name: []byte(content)})
}

func TestChannelImportPreviewThenConfirm(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	b := newBrowser(t, h.srv.URL)
	b.login("south.edu")
	bad := "渠道类型,名称,主办单位,平台,联系电话\n政务公众账号,江南教育,江州市江南区教育局,微信公众号,13800001234\n工作群组,望江中学教师群,江州市江南区望江中学,微博,\n政务应用程序,越界应用,江州市江北区教育局,安卓,\n"
	st, body := b.upload("渠道.csv", bad)
	if st != 400 || !strings.Contains(body, "不适用于工作群组") || !strings.Contains(body, "找不到主办单位“江州市江北区教育局”") || !strings.Contains(body, "未导入任何数据") {
		t.Fatalf("a file with bad rows: %d\n%s", st, body)
	}
	if _, n, _ := h.db.Channels().FindChannels(storetest.System(), jianfu.ChannelFilter{}); n != 0 {
		t.Fatalf("a refused upload saved %d channels", n)
	}
	good := "渠道类型,名称,主办单位,平台,临时群,结束日期\n政务公众账号,江南教育,江州市江南区教育局,微信公众号,,\n工作群组,期中考试临时群,江州市江南区望江中学,钉钉群,是,2026/12/31\n"
	st, body = b.upload("渠道.csv", good)
	if st != 200 || !strings.Contains(body, "检查通过,共 2 行") {
		t.Fatalf("a good file: %d\n%s", st, body)
	}
	if _, n, _ := h.db.Channels().FindChannels(storetest.System(), jianfu.ChannelFilter{}); n != 0 {
		t.Fatalf("the preview saved %d channels", n)
	}
	m := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no confirmation token")
	}
	token := m[1]
	st, path, page := b.post("/registry/import", "/registry/import/confirm", url.Values{"token": {token}})
	if st != 200 || path != "/registry" || !strings.Contains(page, "已导入 2 个渠道") {
		t.Fatalf("confirming: %d %s", st, path)
	}
	list, n, _ := h.db.Channels().FindChannels(storetest.System(), jianfu.ChannelFilter{Kind: jianfu.KindGroup})
	if n != 1 || list[0].EndDate != "2026-12-31" || !list[0].Temporary || list[0].Status != jianfu.StatusDraft {
		t.Errorf("imported group: %+v", list)
	}
	// The token is spent.
	if st, _, _ := b.post("/registry/import", "/registry/import/confirm", url.Values{"token": {token}}); st != 400 {
		t.Errorf("confirming twice: %d", st)
	}
}

func TestExportAndTemplate(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	c := &jianfu.Channel{Kind: jianfu.KindAccount, Name: "江南教育", UnitID: h.fx.Units["southEdu"].ID, Platform: "wechat_oa", ResponsiblePerson: "王小明", ResponsiblePhone: "13800001234"}
	if err := h.db.Channels().CreateChannel(storetest.System(), c); err != nil {
		t.Fatal(err)
	}
	for user, wantPhone := range map[string]string{"south.edu": "13800001234", "south.school": "138****1234"} {
		b := newBrowser(t, h.srv.URL)
		b.login(user)
		st, body := b.get("/registry/export?format=csv")
		if user == "south.school" {
			// Staff do not use the registry (it is not in their menu).
			if st != 403 || strings.Contains(body, "江南教育") {
				t.Errorf("staff export: %d %q", st, body)
			}
			continue
		}
		if st != 200 || !strings.HasPrefix(body, "\ufeff渠道类型,名称,主办单位") || !strings.Contains(body, "江南教育") || !strings.Contains(body, wantPhone) {
			t.Errorf("%s export: %d %q", user, st, body)
		}
	}
	b := newBrowser(t, h.srv.URL)
	b.login("south.sup")
	if st, body := b.get("/registry/export?format=csv"); st != 200 || !strings.Contains(body, "13800001234") {
		t.Errorf("supervisor export: %d", st)
	}
	if st, body := b.get("/registry/template?format=csv"); st != 200 || !strings.Contains(body, "渠道类型") || !strings.Contains(body, "防汛工作临时群") {
		t.Errorf("template: %d %q", st, body)
	}
	st, body := b.get("/registry/template")
	if st != 200 || !strings.HasPrefix(body, "PK") {
		t.Errorf("xlsx template: %d", st)
	}
	entries, _, _ := h.db.Audit().FindAuditEntries(storetest.System(), jianfu.AuditFilter{Action: "channel.export", Page: jianfu.Page{Limit: 10}})
	if len(entries) < 2 {
		t.Errorf("exports are not audited: %d entries", len(entries))
	}
}

func TestChannelFormKeepsInputAndExplains(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	b := newBrowser(t, h.srv.URL)
	b.login("south.edu")
	unit := itoa(h.fx.Units["southEdu"].ID)
	st, _, body := b.post("/registry/new", "/registry", url.Values{"kind": {"group"}, "name": {"防汛群"}, "unit_id": {unit}, "platform": {"weibo"}, "responsible_phone": {"abc"}})
	if st != 400 || !strings.Contains(body, "不适用于工作群组") || !strings.Contains(body, "联系电话格式不正确") || !strings.Contains(body, `value="防汛群"`) {
		t.Errorf("bad form: %d", st)
	}
	// The rule check preview explains without saving.
	st, _, body = b.post("/registry/new", "/registry", url.Values{"kind": {"group"}, "name": {"防汛群"}, "unit_id": {unit}, "platform": {"dingtalk"}, "temporary": {"1"}, "check": {"1"}})
	if st != 200 || !strings.Contains(body, "临时工作群未填写结束日期") || !strings.Contains(body, "阻止提交") {
		t.Errorf("check preview: %d", st)
	}
	if _, n, _ := h.db.Channels().FindChannels(storetest.System(), jianfu.ChannelFilter{}); n != 0 {
		t.Errorf("a rejected form or a preview saved %d channels", n)
	}
	// A temporary group without an end date is saved as a draft but cannot be submitted.
	st, _, body = b.post("/registry/new", "/registry", url.Values{"kind": {"group"}, "name": {"防汛群"}, "unit_id": {unit}, "platform": {"dingtalk"}, "temporary": {"1"}, "submit": {"1"}})
	if st != 400 || !strings.Contains(body, "未通过备案规则检查") || !strings.Contains(body, "草稿") {
		t.Errorf("a blocked submission: %d", st)
	}
}

func TestRuleSettingsPage(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	form := url.Values{"rule": {"account.one_per_platform"}, "enabled": {"1"}, "level": {"warn"}, "threshold": {"2"}, "clause": {"一个单位原则上在同一平台只开设一个政务新媒体账号"}, "source": {"测试"}}
	county := newBrowser(t, h.srv.URL)
	county.login("south.sup")
	if st, _, _ := county.post("/registry/rules", "/registry/rules", form); st != 403 {
		t.Errorf("a county supervisor changed a rule: %d", st)
	}
	prov := newBrowser(t, h.srv.URL)
	prov.login("prov.sup")
	st, _, body := prov.post("/registry/rules", "/registry/rules", form)
	if st != 200 || !strings.Contains(body, "已保存") || !strings.Contains(body, "prov.sup") {
		t.Errorf("a province supervisor: %d", st)
	}
	form.Set("threshold", "999")
	if st, _, body := prov.post("/registry/rules", "/registry/rules", form); st != 400 || !strings.Contains(body, "阈值应在1至20之间") {
		t.Errorf("a threshold out of range: %d", st)
	}
	// Link rules: a bad regular expression is explained by row.
	lf := url.Values{"platform": {"weibo"}, "kind": {""}, "host": {"weibo.com"}, "path": {"(bad"}, "param": {""}, "note": {""}}
	if st, _, body := prov.post("/registry/rules", "/registry/url-rules", lf); st != 400 || !strings.Contains(body, "路径正则表达式有误") {
		t.Errorf("a bad link rule: %d", st)
	}
	if st, body := prov.get("/registry/rules?test=" + url.QueryEscape("https://space.bilibili.com/12345")); st != 200 || !strings.Contains(body, "哔哩哔哩") {
		t.Errorf("testing a link: %d", st)
	}
}

func TestVerifyIsPublicLimitedAndCounted(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	anon := newBrowser(t, h.srv.URL)
	st, body := anon.get("/verify?q=" + url.QueryEscape("https://weibo.com/u/2803301701"))
	if st != 200 || !strings.Contains(body, "未查到备案记录") || !strings.Contains(body, "已识别为 微博") {
		t.Errorf("verify page: %d", st)
	}
	if strings.Contains(body, "/api/v1/") {
		t.Error("the public verify page shows an API address to citizens")
	}
	limited := false
	for i := 0; i < 40; i++ {
		if st, body := h.do("", "GET", "/api/v1/verify?q=x"+itoa(int64(i)), nil); st == 429 {
			limited = body["error"].(map[string]any)["code"] == "too_many"
			break
		}
	}
	if !limited {
		t.Error("public lookups are not limited per address")
	}
	if st, _ := anon.get("/metrics"); st != http.StatusUnauthorized {
		t.Errorf("anonymous /metrics: %d, want 401", st)
	}
	h.app.FlushMinute() // the lookups are counted when the minute ends
	_, raw := h.raw("provAdmin", "GET", "/metrics", "", nil, nil)
	metrics := string(raw)
	if !strings.Contains(metrics, `jianfu_verify_lookups_total{verdict="unknown"}`) || !strings.Contains(metrics, `jianfu_verify_lookups_total{verdict="limited"}`) {
		t.Error("lookups are not counted in the metrics")
	}
	if !strings.Contains(metrics, "\ngo_goroutines ") || !strings.Contains(metrics, "\nprocess_start_time_seconds ") {
		t.Error("the metrics lack the Go runtime or the process collector")
	}
	entries, _, _ := h.db.Audit().FindAuditEntries(storetest.System(), jianfu.AuditFilter{Page: jianfu.Page{Limit: 1000}})
	for _, e := range entries {
		if strings.Contains(e.Action, "verify") {
			t.Errorf("an anonymous lookup was audited as a user action: %+v", e)
		}
	}
}
