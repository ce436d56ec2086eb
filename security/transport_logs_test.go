package security

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
	"jianfu/web"
)

// TestLogsCannotIdentifyReporter replays attack 3: every anonymous POST
// /complaint, Open311 POST and POST /track was logged with the client
// address and a millisecond time matching the case's creation, and a
// logged-in cadre's GET /complaint with the username just before. Now the
// anonymous routes write no line of their own: once a minute, a count per
// route and status stamped with the minute; the metrics move only then.
func TestLogsCannotIdentifyReporter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := start(t, db, web.Config{})
		anon := s.browser()
		anon.header.Set("X-Forwarded-For", "198.51.100.77")
		resp, page := anon.submit("/complaint", "/complaint", url.Values{"region": {"390102"}, "description": {"街道要求每天在群里接龙报平安,不回复就通报"}})
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, "反映已提交") {
			t.Fatalf("anonymous complaint: %d %s", resp.StatusCode, snippet(page))
		}
		anon.submit("/track", "/track", url.Values{"code": {"ABCD-EFGH-JKMN"}})
		anon.fetch("/typical")
		anon.fetch("/verify?q=" + url.QueryEscape("江南教育"))

		cadre := s.browser()
		cadre.signIn("south.school")
		// Two minutes later, so the session's last-seen time moves.
		later := time.Now().Add(2*time.Minute + 1234*time.Millisecond)
		db.Now = func() time.Time { return later }
		resp, page = cadre.submit("/complaint", "/complaint", url.Values{"region": {"390102"}, "description": {"校长要求老师每天在群里接龙汇报备课进度"}})
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, "反映已提交") {
			t.Fatalf("inside complaint: %d %s", resp.StatusCode, snippet(page))
		}
		cadre.fetch("/evaluation/rate")

		app := &jianfu.User{Username: "app.hotline", Name: "12345 市民热线应用", UnitID: s.fx.Units["city"].ID, Roles: []jianfu.Role{jianfu.RoleApp}}
		if err := s.db.Users().CreateUser(storetest.System(), app, ""); err != nil {
			t.Fatal(err)
		}
		form := url.Values{"api_key": {s.token("app.hotline")}, "service_code": {jianfu.CategoryOther}, "address_id": {"390102"},
			"description": {"乡镇要求每天在政务APP打卡签到"}}
		req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/open311/v2/requests.json", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", "198.51.100.78")
		if resp, body := anon.do(req); resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
			t.Fatalf("Open311 POST: %d %s", resp.StatusCode, snippet(body))
		}

		metrics := func() string {
			req, _ := http.NewRequest(http.MethodGet, s.srv.URL+"/metrics", nil)
			req.Header.Set("Authorization", "Bearer "+s.token("prov.admin"))
			_, body := s.browser().do(req)
			return body
		}
		before := s.logs.String()
		for _, route := range []string{"/complaint", "/track", "/open311", "/typical", "/verify", "/evaluation/rate"} {
			if strings.Contains(before, route) {
				t.Errorf("a request to %s has a log line before the minute ended:\n%s", route, before)
			}
		}
		if strings.Contains(before, "south.school") && !strings.Contains(before, "POST /login") {
			t.Errorf("the cadre is named in the log:\n%s", before)
		}
		if m := metrics(); strings.Contains(m, `route="POST /complaint"`) {
			t.Errorf("the metrics counted the complaint before the minute ended")
		}

		s.app.FlushMinute()
		after := s.logs.String()[len(before):]
		if !strings.Contains(after, `route="POST /complaint" status=200 count=2`) {
			t.Errorf("no count of the complaints after the minute:\n%s", after)
		}
		for _, counted := range []string{`route=/open311/v2/`, `route="GET /typical"`, `route="GET /verify"`, `route="GET /evaluation/rate"`} {
			if !strings.Contains(after, counted) {
				t.Errorf("no count with %s after the minute:\n%s", counted, after)
			}
		}
		stamp := regexp.MustCompile(`time=\S+`)
		for _, line := range strings.Split(strings.TrimSpace(after), "\n") {
			if !strings.Contains(line, "msg=\"public request") {
				continue // a staff request finishing meanwhile
			}
			for _, leak := range []string{"ip=", "user=", "127.0.0.1", "198.51.100", "south.school", "ms="} {
				if strings.Contains(line, leak) {
					t.Errorf("a public log line holds %q: %s", leak, line)
				}
			}
			if ts := stamp.FindString(line); !strings.HasSuffix(ts, ":00.000Z") && !strings.Contains(ts, ":00.000+") {
				t.Errorf("a public log line is stamped finer than the minute: %s", line)
			}
		}
		if m := metrics(); !strings.Contains(m, `jianfu_http_requests_total{code="200",method="POST",route="POST /complaint"} 2`) {
			t.Errorf("the metrics did not count the complaints at the minute's end")
		}

		// The staff routes are still logged in full: the login names its user.
		if !regexp.MustCompile(`route="POST /login" status=303 ms=\d+ ip=127.0.0.1`).MatchString(before) {
			t.Errorf("the login was not logged with its address:\n%s", before)
		}
		var seen int64
		if err := db.SQL().QueryRow(`SELECT MAX(last_seen_at) FROM sessions`).Scan(&seen); err != nil {
			t.Fatal(err)
		}
		if seen%60000 != 0 || seen < later.Add(-time.Minute).UnixMilli() {
			t.Errorf("the session was last seen at %d ms: finer than the minute, or not moved", seen)
		}
		entries, _, err := db.Audit().FindAuditEntries(storetest.System(), jianfu.AuditFilter{Action: "case.submit"})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.IP != "" || e.ActorName == "south.school" || e.ActorName == "reporter" && e.ActorID != 0 {
				t.Errorf("the audit of a complaint identifies its reporter: %+v", e)
			}
		}
	})
}
