package web_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
	"jianfu/web"
)

// TestCampaignPagesEveryRoleEveryScope opens every page of spot checks,
// evaluation and cleanup as every fixture role: pages of records in scope
// render, records out of scope answer 404 and never show their names.
func TestCampaignPagesEveryRoleEveryScope(t *testing.T) {
	w := newCampaignWorld(t, storetest.Open(t, store.SQLite))
	h := w.h
	for key, u := range h.fx.Users {
		a := h.actor(key)
		b := newBrowser(t, h.srv.URL)
		if st, _, _ := b.login(u.Username); st != 200 {
			t.Fatalf("login %s: %d", key, st)
		}
		for _, p := range []string{"/campaigns", "/checklists", "/checklists/1", "/rectifications", "/evaluation", "/evaluation/rate", "/cleanup", "/", "/campaigns?lang=en"} {
			st, body := b.get(p)
			if ar := web.AreaOf(strings.Split(p, "?")[0]); ar != "" && !a.MayUse(ar) {
				if st != 403 {
					t.Errorf("%s GET %s, an area its roles do not use: %d, want 403", key, p, st)
				}
				continue
			}
			if st != 200 || !strings.Contains(body, "</html>") {
				t.Errorf("%s GET %s: %d", key, p, st)
			}
			if strings.Contains(body, "江北教育发布") && !w.sees(a, w.northAcct) {
				t.Errorf("%s GET %s shows the other county's channel", key, p)
			}
		}
		b.get("/?lang=zh")
		st, _ := b.get("/campaigns/new")
		if a.Has(jianfu.RoleSupervisor) && st != 200 || !a.Has(jianfu.RoleSupervisor) && st != 403 {
			t.Errorf("%s GET /campaigns/new: %d", key, st)
		}
		for i, ch := range []*jianfu.Channel{w.southAcct, w.northAcct} {
			c := []*jianfu.Campaign{w.southCampaign, w.northCampaign}[i]
			f := []*jianfu.CheckForm{w.southForm, w.northForm}[i]
			o := []*jianfu.ExitOrder{w.southOrder, w.northOrder}[i]
			campaignIn := a.RegionWide() && a.SeesRegion(c.RegionPath) || !a.RegionWide() && w.sees(a, ch)
			for _, pg := range []struct {
				path string
				in   bool
			}{
				{fmt.Sprintf("/campaigns/%d", c.ID), campaignIn},
				{fmt.Sprintf("/campaigns/%d/report.xlsx", c.ID), campaignIn},
				{fmt.Sprintf("/campaigns/%d/notice.docx", c.ID), campaignIn},
				{fmt.Sprintf("/campaigns/%d/forms/%d", c.ID, f.ID), w.sees(a, ch)},
				{fmt.Sprintf("/evaluation/channels/%d", ch.ID), w.sees(a, ch)},
				{fmt.Sprintf("/cleanup/orders/%d", o.ID), w.sees(a, []*jianfu.Channel{w.southGroup, w.northGroup}[i])},
			} {
				st, body := b.get(pg.path)
				if !a.MayUse(web.AreaOf(pg.path)) {
					if st != 403 || strings.Contains(body, ch.Name) {
						t.Errorf("%s GET %s, an area its roles do not use: %d, want 403", key, pg.path, st)
					}
					continue
				}
				if pg.in && st != 200 || !pg.in && st != 404 {
					t.Errorf("%s GET %s: %d (in scope %v)", key, pg.path, st, pg.in)
				}
				if !pg.in && (strings.Contains(body, ch.Name) || strings.Contains(body, c.Name)) {
					t.Errorf("%s GET %s leaks %s", key, pg.path, ch.Name)
				}
			}
		}
	}
}

// TestCampaignDownloads: the tables and the notice of a spot check are
// files named after the campaign, never cached, and each download is
// audited as a read of the results. What they say is tested in package
// report.
func TestCampaignDownloads(t *testing.T) {
	w := newCampaignWorld(t, storetest.Open(t, store.SQLite))
	c := w.southCampaign
	for _, d := range []struct{ path, ctype, name, detail string }{
		{"report.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", c.Name + "-抽查结果.xlsx", "导出Excel,1份检查表"},
		{"notice.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", c.Name + "-整改通报.docx", "导出Word通报,1份检查表"},
	} {
		resp, body := w.h.download("southSup", fmt.Sprintf("/campaigns/%d/%s", c.ID, d.path))
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != d.ctype || len(body) == 0 ||
			resp.Header.Get("Content-Disposition") != `attachment; filename="`+d.path+`"; filename*=UTF-8''`+url.PathEscape(d.name) ||
			resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: %d %v", d.path, resp.StatusCode, resp.Header)
		}
		entries, _, err := w.h.db.Audit().FindAuditEntries(storetest.System(), jianfu.AuditFilter{Action: "campaign.report", Page: jianfu.Page{Limit: 1}})
		if err != nil || len(entries) != 1 || entries[0].Detail != d.detail || entries[0].ObjectID != fmt.Sprint(c.ID) {
			t.Errorf("%s audit: %+v %v", d.path, entries, err)
		}
	}
	// The campaign page names each form's stratum in words, not by code.
	if resp, body := w.h.download("southSup", fmt.Sprintf("/campaigns/%d", c.ID)); resp.StatusCode != 200 || !strings.Contains(string(body), " · 政务") && !strings.Contains(string(body), " · 工作群组") ||
		regexp.MustCompile(`\d{4,9}/(app|account|group)`).Match(body) {
		t.Errorf("the strata of the campaign page: %d", resp.StatusCode)
	}
	if resp, _ := w.h.download("northSup", fmt.Sprintf("/campaigns/%d/report.xlsx", c.ID)); resp.StatusCode != 404 {
		t.Errorf("another county downloads the tables: %d", resp.StatusCode)
	}
}

// TestCampaignFormsShowErrors: a bad campaign or check form keeps the input
// and says what is wrong, and nothing is stored.
func TestCampaignFormsShowErrors(t *testing.T) {
	w := newCampaignWorld(t, storetest.Open(t, store.SQLite))
	h := w.h
	b := newBrowser(t, h.srv.URL)
	b.login("south.sup")
	st, _, body := b.post("/campaigns/new", "/campaigns", url.Values{"name": {"第二次抽查"}, "region": {"390102"}, "sample_size": {"abc"}})
	if st != 400 || !strings.Contains(body, "不是整数") || !strings.Contains(body, "第二次抽查") {
		t.Errorf("bad sample size: %d", st)
	}
	st, _, body = b.post("/campaigns/new", "/campaigns", url.Values{"name": {"越界抽查"}, "region": {"390103"}, "sample_size": {"1"}})
	if st != 400 || !strings.Contains(body, "不在您的管辖范围内") {
		t.Errorf("campaign in the other county: %d", st)
	}
	if cs, _, _ := h.db.Campaigns().FindCampaigns(storetest.System(), jianfu.CampaignFilter{Query: "抽查"}); len(cs) != 2 {
		t.Errorf("%d campaigns stored, want the 2 of the fixture", len(cs))
	}
	// A check form with too many points keeps the answers.
	grp := w.channel("southEdu", jianfu.KindGroup, "wecom", "江南区教育系统通知群")
	_, f := w.campaign("390102", grp, "southSup")
	path := fmt.Sprintf("/campaigns/%d/forms/%d", f.CampaignID, f.ID)
	st, _, body = b.post(path, path, url.Values{"points_D1": {"50"}, "note_D1": {"要求每天接龙"}, "submit": {"1"}})
	if st != 400 || !strings.Contains(body, "最多扣20分") || !strings.Contains(body, "要求每天接龙") {
		t.Errorf("50 points: %d", st)
	}
	st, _, body = b.post(path, path, url.Values{"points_D1": {"20"}, "submit": {"1"}})
	if st != 200 || !strings.Contains(body, "合格") {
		t.Errorf("good form: %d", st)
	}
	// Staff rate a group above them, once.
	s := newBrowser(t, h.srv.URL)
	s.login("south.school")
	st, _, body = s.post("/evaluation/rate", fmt.Sprintf("/evaluation/rate/%d", grp.ID), url.Values{"score": {"5"}, "comment": {"周末也要求秒回"}})
	if st != 200 || !strings.Contains(body, "匿名提交") {
		t.Errorf("rating: %d", st)
	}
	st, _, body = s.post("/evaluation/rate", fmt.Sprintf("/evaluation/rate/%d", grp.ID), url.Values{"score": {"1"}})
	if st != 409 || !strings.Contains(body, "每人每季度只能评价一次") {
		t.Errorf("second rating: %d", st)
	}
}

// TestChecklistEditedInTheUI: a supervisor adds an item, which saves a new
// version; a unit administrator may look but not save.
func TestChecklistEditedInTheUI(t *testing.T) {
	w := newCampaignWorld(t, storetest.Open(t, store.SQLite))
	h := w.h
	lists, _ := h.db.Campaigns().FindChecklists(storetest.System(), "group")
	cur := lists[0]
	form := url.Values{"name": {cur.Name}, "pass_mark": {"60"}}
	for _, it := range cur.Items {
		form.Add("key", it.Key)
		form.Add("kind", string(it.Kind))
		form.Add("points", fmt.Sprint(it.Points))
		form.Add("title", it.Title)
		form.Add("guidance", it.Guidance)
		form.Add("auto", it.Auto)
		form.Add("remove", "0")
	}
	form.Add("key", "D9")
	form.Add("kind", "deduct")
	form.Add("points", "5")
	form.Add("title", "非工作时间要求即时回复")
	form.Add("guidance", "")
	form.Add("auto", "")
	form.Add("remove", "0")
	path := fmt.Sprintf("/checklists/%d", cur.ID)
	admin := newBrowser(t, h.srv.URL)
	admin.login("south.edu")
	if st, _, _ := admin.post(path, path, form); st != 403 {
		t.Errorf("unit admin saves a checklist: %d", st)
	}
	// A county supervisor may not change the province-wide list; the page
	// offers to save the county's own version instead, which it does.
	county := newBrowser(t, h.srv.URL)
	county.login("south.sup")
	if st, _, body := county.post(path, path, form); st != 403 || !strings.Contains(body, "另存为本辖区版本") {
		t.Errorf("a county supervisor saves the province-wide checklist: %d", st)
	}
	if _, page := county.get(path); !strings.Contains(page, `name="variant"`) || !strings.Contains(page, "全省通用") {
		t.Error("the page does not offer the county's own version")
	}
	variant := url.Values{}
	for k, v := range form {
		variant[k] = v
	}
	variant.Set("variant", "1")
	variant.Set("name", "江南区工作群组检查表")
	st, _, body := county.post(path, path, variant)
	if st != 200 || !strings.Contains(body, "非工作时间要求即时回复") || !strings.Contains(body, "仅江南区及下辖地区的抽查使用") {
		t.Errorf("the county saves its own version: %d", st)
	}
	sup := newBrowser(t, h.srv.URL)
	sup.login("prov.sup")
	st, _, body = sup.post(path, path, form)
	if st != 200 || !strings.Contains(body, "非工作时间要求即时回复") || !strings.Contains(body, "v2") {
		t.Errorf("supervisor saves a checklist: %d", st)
	}
	form.Set("pass_mark", "0")
	st, _, body = sup.post(path, path, form)
	if st != 400 || !strings.Contains(body, "合格分数线") {
		t.Errorf("pass mark 0: %d", st)
	}
	if v, _ := h.db.Campaigns().FindChecklists(storetest.System(), "group"); len(v) != 2 || len(v[0].Items) != len(cur.Items)+1 {
		t.Errorf("versions after the edits: %d", len(v))
	}
}
