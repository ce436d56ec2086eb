package web_test

import (
	"context"
	"strings"
	"testing"

	"jianfu"
	"jianfu/demo"
	"jianfu/store"
	"jianfu/store/storetest"
)

// TestEveryDemoLoginLands logs in as every demo user and checks the first
// page fits the role and shows the province in Chinese.
func TestEveryDemoLoginLands(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	sum, err := demo.Generate(jianfu.WithActor(context.Background(), jianfu.SystemActor("demo")), db, demo.Options{Size: demo.Small})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, db)
	for _, l := range sum.Logins {
		b := newBrowser(t, h.srv.URL)
		st, path, body := b.post("/login", "/login", map[string][]string{"username": {l.Username}, "password": {l.Password}})
		if st != 200 {
			t.Errorf("%s: login gives %d", l.Username, st)
			continue
		}
		roles := map[jianfu.Role]bool{}
		for _, r := range l.Roles {
			roles[r] = true
		}
		var want, shows string
		switch {
		case roles[jianfu.RoleSupervisor] || roles[jianfu.RoleReviewer] || roles[jianfu.RoleInspector] || roles[jianfu.RoleCaseHandler]:
			want, shows = "/", "工作概览"
		case roles[jianfu.RoleAuditor]:
			want, shows = "/", "安全事件"
		case roles[jianfu.RoleSysAdmin]:
			want, shows = "/", "用户与单位"
		case roles[jianfu.RoleUnitAdmin]:
			want, shows = "/", "待办与常用" // the home page: the cases to answer, the unread notifications
		default:
			want, shows = "/", l.UnitName
		}
		if !strings.HasPrefix(path, want) || !strings.Contains(body, shows) || !strings.Contains(body, `lang="zh-CN"`) {
			t.Errorf("%s (%s) lands on %s, want %s showing %q", l.Username, l.RoleNames(), path, want, shows)
		}
	}
	if len(sum.Logins) < 10 {
		t.Errorf("only %d demo logins", len(sum.Logins))
	}
}
