package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// API tokens expire, can be listed and revoked, and die with a password
// reset.
func TestTokensExpireAndDie(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		f := storetest.Load(t, db)
		ctx := context.Background()
		sys := storetest.System()
		u := f.Users["southSup"]
		tok := must(db.Users().CreateToken(sys, "south.sup", "ci"))
		list := must(db.Users().ListTokens(f.Ctx(t, db, "southSup"), u.ID))
		if len(list) != 1 || list[0].ExpiresAt == nil || !list[0].ExpiresAt.Equal(now.Add(jianfu.DefaultTokenLifetime)) || list[0].Revoked {
			t.Fatalf("own tokens: %+v", list)
		}
		if _, err := db.Users().ListTokens(f.Ctx(t, db, "northSup"), u.ID); err == nil {
			t.Error("another supervisor listed the tokens")
		}
		now = now.Add(jianfu.DefaultTokenLifetime - time.Minute)
		if _, err := db.Users().TokenActor(ctx, tok); err != nil {
			t.Fatalf("a token before it expires: %v", err)
		}
		now = now.Add(2 * time.Minute)
		if _, err := db.Users().TokenActor(ctx, tok); code(err) != jianfu.EUNAUTHORIZED {
			t.Fatalf("an expired token: %v", err)
		}

		// Revoked by its owner.
		tok = must(db.Users().CreateToken(sys, "south.sup", "ci2"))
		list = must(db.Users().ListTokens(sys, u.ID))
		if err := db.Users().RevokeToken(f.Ctx(t, db, "southSup"), list[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Users().TokenActor(ctx, tok); code(err) != jianfu.EUNAUTHORIZED {
			t.Fatalf("a revoked token: %v", err)
		}
		if err := db.Users().RevokeToken(f.Ctx(t, db, "southSup"), list[0].ID); code(err) != jianfu.ECONFLICT {
			t.Fatalf("revoking twice: %v", err)
		}

		// A password reset by the administrator ends every token.
		db.SetTokenLifetime(30 * 24 * time.Hour)
		tok = must(db.Users().CreateToken(sys, "south.sup", "ci3"))
		if err := db.Users().SetPassword(f.Ctx(t, db, "provAdmin"), u.ID, "Reset-By-Admin-2026"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Users().TokenActor(ctx, tok); code(err) != jianfu.EUNAUTHORIZED {
			t.Fatalf("a token after a password reset: %v", err)
		}
		got := must(db.Users().FindUserByID(sys, u.ID))
		if !got.MustChangePassword {
			t.Error("a reset password need not be changed")
		}
		entries, _, _ := db.Audit().FindAuditEntries(sys, jianfu.AuditFilter{Action: "token."})
		if len(entries) != 4 { // three created, one revoked by hand
			t.Errorf("%d token entries", len(entries))
		}
	})
}

// Passwords expire when the server says so; an expired one must be changed
// before anything else in a browser session.
func TestPasswordExpiry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		f := storetest.Load(t, db)
		ctx := context.Background()
		sess := must(db.Users().CreateSession(ctx, f.Users["southSup"].ID, "127.0.0.1", "test"))
		if a := must(db.Users().SessionActor(ctx, sess)); a.MustChangePassword {
			t.Fatal("a fresh password must be changed")
		}
		db.SetPasswordMaxAge(90 * 24 * time.Hour)
		now = now.Add(91 * 24 * time.Hour)
		sess = must(db.Users().CreateSession(ctx, f.Users["southSup"].ID, "127.0.0.1", "test"))
		if a := must(db.Users().SessionActor(ctx, sess)); !a.MustChangePassword {
			t.Fatal("an expired password need not be changed")
		}
	})
}

// Accounts an administrator creates start with a password to change;
// application accounts never log in with a password.
func TestNewAccountsAndApplications(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := storetest.Load(t, db)
		admin := f.Ctx(t, db, "provAdmin")
		u := &jianfu.User{Username: "zhou.min", Name: "周敏", UnitID: f.Units["southEdu"].ID, Roles: []jianfu.Role{jianfu.RoleStaff}}
		if err := db.Users().CreateUser(admin, u, "Jiangnan-Edu-2026"); err != nil || !u.MustChangePassword {
			t.Fatalf("create: %v, must change %v", err, u.MustChangePassword)
		}
		app := &jianfu.User{Username: "app.rexian", Name: "12345热线", UnitID: f.Units["city"].ID, Roles: []jianfu.Role{jianfu.RoleApp}}
		if err := db.Users().CreateUser(admin, app, ""); err != nil {
			t.Fatal(err)
		}
		both := &jianfu.User{Username: "app.person", Name: "混合", UnitID: f.Units["city"].ID, Roles: []jianfu.Role{jianfu.RoleApp, jianfu.RoleStaff}}
		if code(db.Users().CreateUser(admin, both, "Jiangnan-Edu-2026")) != jianfu.EINVALID {
			t.Error("an application account that is also a person")
		}
		tok := must(db.Users().CreateToken(admin, "app.rexian", "open311"))
		a := must(db.Users().TokenActor(context.Background(), tok))
		if !a.IsApplication() {
			t.Errorf("the app's actor: %+v", a)
		}
	})
}

// PeopleNames names who acted by name and office, for a signed-in caller
// only; unknown login names are left out.
func TestPeopleNames(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := storetest.Load(t, db)
		u := f.Users["southSup"]
		got, err := db.Users().PeopleNames(f.Ctx(t, db, "northSup"), []string{u.Username, "system", "nobody.here"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[u.Username] == "" || got[u.Username] == u.Username || !strings.HasPrefix(got[u.Username], u.Name+"(") {
			t.Errorf("names: %v (want %s with the office)", got, u.Name)
		}
		if _, err := db.Users().PeopleNames(context.Background(), []string{u.Username}); err == nil {
			t.Error("names without a caller")
		}
	})
}
