package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"jianfu/store"
	"jianfu/store/storetest"
	"jianfu/web"
)

// TestTwoReplicas: two web servers on one database behave as one. A
// session started on A works on B, and a form posted to B with the CSRF
// token of a page from A is accepted (logout), after which A no longer
// knows the session either. The login-failure limit of an address and the
// public submission limit are counted across both.
func TestTwoReplicas(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		storetest.Load(t, db)
		noSSO := func(string) *web.OIDCConfig { return nil }
		srvA, srvB := replicaServer(t, db, noSSO), replicaServer(t, db, noSSO)
		a := newBrowser(t, srvA.URL)
		b := &browser{t: t, base: srvB.URL, c: a.c} // one browser, the balancer alternating

		if st, path, _ := a.login("south.sup"); st != 200 || path != "/" {
			t.Fatalf("login on A: %d at %s", st, path)
		}
		if st, body := b.get("/account"); st != 200 || !strings.Contains(body, "江南区监管员") {
			t.Fatalf("the session of A on B: %d", st)
		}
		_, page := a.get("/account")
		m := csrfRe.FindStringSubmatch(page)
		if m == nil {
			t.Fatal("no csrf token on A's page")
		}
		resp, err := b.c.PostForm(srvB.URL+"/logout", url.Values{"csrf": {m[1]}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Request.URL.Path != "/login" {
			t.Fatalf("logout on B with A's token: %d at %s", resp.StatusCode, resp.Request.URL.Path)
		}
		if st, _ := a.get("/account"); st != 200 {
			t.Fatalf("after logout: %d", st)
		} else if resp, _ := a.c.Get(srvA.URL + "/account"); resp.Request.URL.Path != "/login" {
			t.Fatalf("A still knows the session ended on B: at %s", resp.Request.URL.Path)
		}

		// public submissions: 20 per address per ten minutes, whichever replica
		anon := newBrowser(t, srvA.URL)
		anonB := &browser{t: t, base: srvB.URL, c: anon.c}
		var last int
		for i := range 20 {
			br := anon
			if i%2 == 1 {
				br = anonB
			}
			if last, _, _ = br.post("/complaint", "/complaint", url.Values{}); last == http.StatusTooManyRequests {
				t.Fatalf("submission %d refused as too many", i+1)
			}
		}
		for _, br := range []*browser{anon, anonB} {
			if st, _, body := br.post("/complaint", "/complaint", url.Values{}); st != http.StatusTooManyRequests || !strings.Contains(body, "访问过于频繁") {
				t.Fatalf("the 21st submission on %s: %d, want 429", br.base, st)
			}
		}

		// login failures of an address: 50 per fifteen minutes across both
		for i := range 50 {
			br := anon
			if i%2 == 1 {
				br = anonB
			}
			if st, _, _ := br.post("/login", "/login", url.Values{"username": {"no.such.user"}, "password": {"wrong"}}); st != http.StatusUnauthorized {
				t.Fatalf("failed login %d: %d, want 401", i+1, st)
			}
		}
		for _, br := range []*browser{anon, anonB} {
			if st, _, body := br.login("south.sup"); st != http.StatusTooManyRequests || !strings.Contains(body, "登录失败次数过多") {
				t.Fatalf("a login after 50 failures on %s: %d, want 429", br.base, st)
			}
		}
		// the database holds counters, not addresses
		var counters, plain int
		if err := db.SQL().QueryRow(`SELECT COUNT(*), COUNT(CASE WHEN key LIKE '%127.0.0.1%' THEN 1 END) FROM rate_counters`).Scan(&counters, &plain); err != nil || counters == 0 || plain != 0 {
			t.Fatalf("rate counters: %d, %d holding the address (%v)", counters, plain, err)
		}
	})
}
