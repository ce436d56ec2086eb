package security

import (
	"net/url"
	"strings"
	"testing"

	"jianfu/store/storetest"
)

// Attack 12 (CSRF): the token was per browser, not bound to the session.
// Now a logged-in browser's token belongs to its session: it changes at
// login, another session's token is refused, and the token of the login
// form is worth nothing afterwards. Anonymous public forms keep working.
func TestAttack12CSRFBoundToSession(t *testing.T) {
	eachAudited(t, func(t *testing.T, s *server) {
		a := s.browserNoFollow()
		before := a.csrf("/login")
		if st, _, _ := a.login("south.sup", storetest.FixturePassword, ""); st != 303 {
			t.Fatal("login")
		}
		mine := a.csrf("/account")
		if mine == before {
			t.Fatal("the CSRF token did not change at login")
		}
		b := s.browserNoFollow()
		if st, _, _ := b.login("south.sup", storetest.FixturePassword, ""); st != 303 {
			t.Fatal("second login")
		}
		other := b.csrf("/account")
		if other == mine {
			t.Fatal("two sessions of one user share a CSRF token")
		}
		change := func(token string) int {
			st, _, _ := a.post("/account", "/account/password", url.Values{"csrf": {token}, "current": {"x"}, "new": {"y"}, "again": {"z"}})
			return st
		}
		for what, token := range map[string]string{"the login form's token": before, "another session's token": other} {
			if st := change(token); st != 403 {
				t.Errorf("%s was accepted: %d", what, st)
			}
		}
		if st := change(mine); st == 403 {
			t.Error("the session's own token was refused")
		}
		// After logging out and in again, the old token is dead.
		if st, _, _ := a.post("/account", "/logout", url.Values{}); st != 303 {
			t.Fatal("logout")
		}
		a.login("south.sup", storetest.FixturePassword, "")
		if st := change(mine); st != 403 {
			t.Errorf("the previous session's token was accepted: %d", st)
		}

		// An anonymous complaint still goes through with the form's token.
		anon := s.browserNoFollow()
		st, body, loc := anon.post("/complaint", "/complaint", url.Values{"category": {"chain"}, "region": {"390102"},
			"description": {"望江中学教师工作群每天晚上十点要求接龙回复收到,第二天通报未回复的老师。"}})
		if st == 403 || strings.Contains(body, "CSRF") || st != 303 && st != 200 {
			t.Errorf("anonymous complaint: %d to %q", st, loc)
		}
	})
}
