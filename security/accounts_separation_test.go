package security

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"jianfu"
	"jianfu/store/storetest"
)

// Attack 2 of issue 12: the system administrator sheng.admin created a
// reporter_access user and revealed an identity, and could reset
// sheng.jubao's password. Under 三员分立 only the security administrator
// grants sensitive roles and manages the accounts holding them.
func TestAttack2SysAdminCannotMakeRevealers(t *testing.T) {
	eachAudited(t, func(t *testing.T, s *server) {
		admin := s.token("prov.admin") // the fixture's province system administrator
		prov := s.fx.Units["prov"].ID
		jubao := s.createUser("prov.jubao", "prov", acctPassword, jianfu.RoleReporterAccess)
		sup := s.fx.Users["provSup"]

		steps := []struct {
			what   string
			method string
			path   string
			body   map[string]any
		}{
			{"create a reporter_access user", "POST", "/api/v1/users", map[string]any{"username": "prov.mole", "name": "内鬼", "unit_id": prov, "roles": []string{"reporter_access"}, "password": acctPassword}},
			{"create an auditor", "POST", "/api/v1/users", map[string]any{"username": "prov.mole2", "name": "内鬼", "unit_id": prov, "roles": []string{"auditor"}, "password": acctPassword}},
			{"create a security administrator", "POST", "/api/v1/users", map[string]any{"username": "prov.mole3", "name": "内鬼", "unit_id": prov, "roles": []string{"secadmin"}, "password": acctPassword}},
			{"reset sheng.jubao's password", "PATCH", fmt.Sprintf("/api/v1/users/%d", jubao.ID), map[string]any{"password": "Taken-Over-2026!"}},
			{"disable sheng.jubao", "PATCH", fmt.Sprintf("/api/v1/users/%d", jubao.ID), map[string]any{"disabled": true}},
			{"rename sheng.jubao", "PATCH", fmt.Sprintf("/api/v1/users/%d", jubao.ID), map[string]any{"name": "改名"}},
			{"give a supervisor reporter_access", "PATCH", fmt.Sprintf("/api/v1/users/%d", sup.ID), map[string]any{"roles": []string{"supervisor", "reviewer", "reporter_access"}}},
			{"give itself reporter_access", "PATCH", fmt.Sprintf("/api/v1/users/%d", s.fx.Users["provAdmin"].ID), map[string]any{"roles": []string{"sysadmin", "reporter_access"}}},
		}
		for _, st := range steps {
			code, body := s.api(admin, st.method, st.path, st.body)
			if code != 403 {
				t.Errorf("the system administrator could %s: %d %v", st.what, code, body)
			}
		}
		// Nothing was stored half-way: no new account, jubao's password
		// and name unchanged.
		users, _, _ := s.db.Users().FindUsers(storetest.System(), jianfu.UserFilter{Query: "prov.mole"})
		if len(users) != 0 {
			t.Errorf("accounts created: %v", users)
		}
		if _, err := s.db.Users().Authenticate(t.Context(), "prov.jubao", acctPassword); err != nil {
			t.Errorf("jubao's password changed: %v", err)
		}
		// A token for the revealer's account would let the administrator
		// act as it.
		if _, err := s.db.Users().CreateToken(s.fx.Ctx(t, s.db, "provAdmin"), "prov.jubao", "x"); jianfu.ErrorCode(err) != jianfu.EFORBIDDEN {
			t.Errorf("the system administrator made a token for jubao: %v", err)
		}

		// The same through the pages: the reset form answers in Chinese.
		b := s.browserNoFollow()
		if st, _, _ := b.login("prov.admin", storetest.FixturePassword, ""); st != 303 {
			t.Fatalf("login: %d", st)
		}
		from := fmt.Sprintf("/users/%d", jubao.ID)
		st, body, _ := b.post(from, from, url.Values{"action": {"password"}, "password": {"Taken-Over-2026!"}})
		if st != 403 || !strings.Contains(body, "只有安全保密管理员") {
			t.Errorf("reset through the page: %d", st)
		}
		if _, page, _ := b.get(from); strings.Contains(page, `name="action" value="password"`) {
			t.Error("the page offers the system administrator a reset of jubao's password")
		}
	})
}

// The security administrator grants and withdraws reporter_access, but
// manages no ordinary account and holds no second administrator role.
func TestSecurityAdministratorGrantsSensitiveRoles(t *testing.T) {
	eachAudited(t, func(t *testing.T, s *server) {
		s.createUser("prov.baomi", "prov", acctPassword, jianfu.RoleSecAdmin)
		sec := s.token("prov.baomi")
		prov := s.fx.Units["prov"].ID
		sup := s.fx.Users["provSup"]
		if st, body := s.api(sec, "POST", "/api/v1/users", map[string]any{"username": "prov.jubao", "name": "查阅员", "unit_id": prov, "roles": []string{"reporter_access"}, "password": acctPassword}); st != 201 {
			t.Errorf("create a revealer: %d %v", st, body)
		}
		if st, _ := s.api(sec, "PATCH", fmt.Sprintf("/api/v1/users/%d", sup.ID), map[string]any{"roles": []string{"supervisor", "reviewer", "reporter_access"}}); st != 200 {
			t.Errorf("grant reporter_access to a supervisor: %d", st)
		}
		if st, _ := s.api(sec, "PATCH", fmt.Sprintf("/api/v1/users/%d", sup.ID), map[string]any{"roles": []string{"supervisor", "reviewer"}}); st != 200 {
			t.Errorf("withdraw it: %d", st)
		}
		for what, body := range map[string]map[string]any{
			"create a supervisor":               {"username": "prov.x", "name": "某", "unit_id": prov, "roles": []string{"supervisor"}, "password": acctPassword},
			"create a security admin + auditor": {"username": "prov.y", "name": "某", "unit_id": prov, "roles": []string{"secadmin", "auditor"}, "password": acctPassword},
			"create a revealer who is sysadmin": {"username": "prov.z", "name": "某", "unit_id": prov, "roles": []string{"sysadmin", "reporter_access"}, "password": acctPassword},
		} {
			if st, _ := s.api(sec, "POST", "/api/v1/users", body); st != 403 && st != 400 {
				t.Errorf("%s: %d", what, st)
			}
		}
		if st, _ := s.api(sec, "PATCH", fmt.Sprintf("/api/v1/users/%d", sup.ID), map[string]any{"password": "Taken-Over-2026!"}); st != 403 {
			t.Errorf("the security administrator reset a supervisor's password: %d", st)
		}
		// Through the pages: the security administrator sees the sensitive
		// roles to tick on a supervisor's page, not its password or profile,
		// and the supervisor's own roles survive the form.
		b := s.browserNoFollow()
		if st, _, _ := b.login("prov.baomi", acctPassword, ""); st != 303 {
			t.Fatal("login as the security administrator")
		}
		page := fmt.Sprintf("/users/%d", sup.ID)
		st, html, _ := b.get(page)
		if st != 200 || !strings.Contains(html, `name="roles" value="reporter_access"`) || strings.Contains(html, `value="password"`) || strings.Contains(html, `name="phone"`) {
			t.Errorf("the supervisor's page for the security administrator: %d", st)
		}
		form := url.Values{"roles": {"supervisor", "reviewer", "reporter_access"}}
		if st, _, _ := b.post(page, page, form); st != 303 {
			t.Errorf("grant through the page: %d", st)
		}
		if u, _ := s.db.Users().FindUserByID(storetest.System(), sup.ID); len(u.Roles) != 3 || !u.HasRole(jianfu.RoleReporterAccess) || u.Name != sup.Name {
			t.Errorf("after the grant: %+v", u)
		}

		// An auditor cannot also be made system administrator.
		aud := s.fx.Users["cityAuditor"]
		if st, body := s.api(sec, "PATCH", fmt.Sprintf("/api/v1/users/%d", aud.ID), map[string]any{"roles": []string{"auditor", "secadmin"}}); st != 400 || !strings.Contains(fmt.Sprint(body), "三员分立") {
			t.Errorf("auditor and security administrator on one account: %d %v", st, body)
		}
	})
}
