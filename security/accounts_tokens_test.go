package security

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"jianfu"
	"jianfu/store/storetest"
)

// Attack 12 (tokens): API tokens never expired, could not be revoked and
// survived a password reset.
func TestAttack12TokensExpireAndDie(t *testing.T) {
	eachAudited(t, func(t *testing.T, s *server) {
		sup := s.fx.Users["southSup"]
		tok := s.token("south.sup")
		if st, _ := s.api(tok, "GET", "/api/v1/me", nil); st != 200 {
			t.Fatalf("a fresh token: %d", st)
		}
		// The owner lists and revokes it.
		st, body := s.api(tok, "GET", fmt.Sprintf("/api/v1/users/%d/tokens", sup.ID), nil)
		items, _ := body["items"].([]any)
		if st != 200 || len(items) != 1 || items[0].(map[string]any)["expires_at"] == nil {
			t.Fatalf("list: %d %v", st, body)
		}
		id := int64(items[0].(map[string]any)["id"].(float64))
		if st, _ := s.api(tok, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", id), nil); st != 204 {
			t.Errorf("revoke: %d", st)
		}
		if st, _ := s.api(tok, "GET", "/api/v1/me", nil); st != 401 {
			t.Errorf("a revoked token: %d", st)
		}

		// A password reset ends every token.
		tok = s.token("south.sup")
		if st, _ := s.api(s.token("prov.admin"), "PATCH", fmt.Sprintf("/api/v1/users/%d", sup.ID), map[string]any{"password": "Reset-By-Admin-2026"}); st != 200 {
			t.Fatalf("reset: %d", st)
		}
		if st, _ := s.api(tok, "GET", "/api/v1/me", nil); st != 401 {
			t.Errorf("a token after a password reset: %d", st)
		}

		// A disabled account's tokens die too.
		tok = s.token("north.sup")
		disabled := true
		if _, err := s.db.Users().UpdateUser(storetest.System(), s.fx.Users["northSup"].ID, jianfu.UserUpdate{Disabled: &disabled}); err != nil {
			t.Fatal(err)
		}
		if st, _ := s.api(tok, "GET", "/api/v1/me", nil); st != 401 {
			t.Errorf("a disabled account's token: %d", st)
		}

		// And every token expires.
		tok = s.token("prov.sup")
		now := time.Now()
		s.db.Now = func() time.Time { return now.Add(jianfu.DefaultTokenLifetime + time.Hour) }
		defer func() { s.db.Now = time.Now }()
		if st, body := s.api(tok, "GET", "/api/v1/me", nil); st != 401 || !strings.Contains(fmt.Sprint(body), "过期") {
			t.Errorf("an expired token: %d %v", st, body)
		}
	})
}

// Open311 api_keys belong to application accounts, never to a person: a
// person's token would tie a complaint to that person.
func TestOpen311KeyIsAnApplication(t *testing.T) {
	eachAudited(t, func(t *testing.T, s *server) {
		s.createUser("app.rexian", "city", "", jianfu.RoleApp)
		form := func(key string) url.Values {
			return url.Values{"api_key": {key}, "service_code": {"chain"}, "address_string": {"江州市江南区望江街道"},
				"description": {"望江中学教师工作群每天晚上十点要求接龙回复收到,第二天通报未回复的老师。"}}
		}
		post := func(key string) (int, string) {
			resp, err := http.PostForm(s.srv.URL+"/open311/v2/requests.json", form(key))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		if st, body := post(s.token("south.sup")); st != 403 || !strings.Contains(body, "第三方应用") {
			t.Errorf("a person's token as api_key: %d %s", st, body)
		}
		if st, body := post(s.token("app.rexian")); st != 200 {
			t.Errorf("the application's key: %d %s", st, body)
		}
		// An application never logs in with a password.
		if st, _, _ := s.browserNoFollow().login("app.rexian", "", ""); st == 303 {
			t.Error("an application logged in")
		}
	})
}

// The user's own page lists its tokens and revokes one.
func TestOwnPageRevokesToken(t *testing.T) {
	eachAudited(t, func(t *testing.T, s *server) {
		tok := s.token("south.sup")
		b := s.browserNoFollow()
		if st, _, _ := b.login("south.sup", storetest.FixturePassword, ""); st != 303 {
			t.Fatal("login")
		}
		_, page, _ := b.get("/account")
		if !strings.Contains(page, "接口令牌") || !strings.Contains(page, `action="/tokens/`) {
			t.Fatal("no token section on the account page")
		}
		list, err := s.db.Users().ListTokens(storetest.System(), s.fx.Users["southSup"].ID)
		if err != nil || len(list) != 1 {
			t.Fatal(list, err)
		}
		st, _, loc := b.post("/account", fmt.Sprintf("/tokens/%d/revoke", list[0].ID), url.Values{"back": {"/account"}})
		if st != 303 || loc != "/account?revoked=1" {
			t.Errorf("revoke: %d to %q", st, loc)
		}
		if st, _ := s.api(tok, "GET", "/api/v1/me", nil); st != 401 {
			t.Errorf("the revoked token: %d", st)
		}
	})
}
