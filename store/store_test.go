package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

func code(err error) string { return jianfu.ErrorCode(err) }

func TestMigrateTwiceIsANoop(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		v1, err := db.Migrate(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		migs, _ := store.Migrations()
		if want := migs[len(migs)-1].Version; v1 != want {
			t.Fatalf("version %d, want %d", v1, want)
		}
	})
}

func TestUnitScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := storetest.Load(t, db)
		tests := []struct {
			user    string
			sees    []string
			notSees []string
		}{
			{"provSup", []string{"prov", "city", "south", "north", "southEdu", "southSchool", "northEdu"}, nil},
			{"southSup", []string{"south", "southEdu", "southSchool"}, []string{"prov", "city", "north", "northEdu"}},
			{"northSup", []string{"north", "northEdu"}, []string{"south", "southEdu", "southSchool", "city"}},
			{"eduAdmin", []string{"southEdu", "southSchool"}, []string{"south", "north", "northEdu", "city"}},
			{"schoolStaff", []string{"southSchool"}, []string{"southEdu", "south"}},
		}
		for _, tt := range tests {
			ctx := f.Ctx(t, db, tt.user)
			list, total, err := db.Units().FindUnits(ctx, jianfu.UnitFilter{})
			if err != nil {
				t.Fatalf("%s: %v", tt.user, err)
			}
			if total != len(tt.sees) || len(list) != len(tt.sees) {
				t.Errorf("%s lists %d units (total %d), want %d", tt.user, len(list), total, len(tt.sees))
			}
			for _, k := range tt.sees {
				if _, err := db.Units().FindUnitByID(ctx, f.Units[k].ID); err != nil {
					t.Errorf("%s cannot read %s: %v", tt.user, k, err)
				}
			}
			for _, k := range tt.notSees {
				if _, err := db.Units().FindUnitByID(ctx, f.Units[k].ID); code(err) != jianfu.ENOTFOUND {
					t.Errorf("%s reading %s: got %v, want not found", tt.user, k, err)
				}
				name := "改名"
				if _, err := db.Units().UpdateUnit(ctx, f.Units[k].ID, jianfu.UnitUpdate{Name: &name}); err == nil {
					t.Errorf("%s could rename out-of-scope unit %s", tt.user, k)
				}
			}
		}
	})
}

func TestNoActorSeesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		storetest.Load(t, db)
		_, _, err := db.Units().FindUnits(context.Background(), jianfu.UnitFilter{})
		if code(err) != jianfu.EUNAUTHORIZED {
			t.Fatalf("no actor: %v, want unauthorized", err)
		}
		half := jianfu.WithActor(context.Background(), &jianfu.Actor{Roles: []jianfu.Role{jianfu.RoleSupervisor}})
		if _, _, err := db.Units().FindUnits(half, jianfu.UnitFilter{}); code(err) != jianfu.EUNAUTHORIZED {
			t.Fatalf("actor without user: %v, want unauthorized", err)
		}
	})
}

func TestUnitAdminCreatesOnlyBelowItself(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := storetest.Load(t, db)
		ctx := f.Ctx(t, db, "eduAdmin")
		ok := &jianfu.Unit{Name: "江州市江南区望江小学", Type: jianfu.UnitInstitution, RegionCode: "390102001", ParentID: f.Units["southEdu"].ID}
		if err := db.Units().CreateUnit(ctx, ok); err != nil {
			t.Fatalf("create below own unit: %v", err)
		}
		if ok.Path != f.Units["southEdu"].Path+itoa(ok.ID)+"/" {
			t.Errorf("path %q does not extend the parent's %q", ok.Path, f.Units["southEdu"].Path)
		}
		other := &jianfu.Unit{Name: "江北区某小学", Type: jianfu.UnitInstitution, RegionCode: "390103", ParentID: f.Units["northEdu"].ID}
		if err := db.Units().CreateUnit(ctx, other); err == nil {
			t.Fatal("a unit admin created a unit under another county's bureau")
		}
		root := &jianfu.Unit{Name: "野单位", Type: jianfu.UnitInstitution, RegionCode: "390102"}
		if code(db.Units().CreateUnit(ctx, root)) != jianfu.EFORBIDDEN {
			t.Fatal("a unit admin created a root unit")
		}
		bad := &jianfu.Unit{Name: "错代码单位", Type: jianfu.UnitInstitution, RegionCode: "390102", ParentID: f.Units["southEdu"].ID, CreditCode: "91350100M000100Y44"}
		err := db.Units().CreateUnit(ctx, bad)
		var je *jianfu.Error
		if !errors.As(err, &je) || je.Code != jianfu.EINVALID || je.Problems[0].Field != "credit_code" {
			t.Fatalf("bad credit code: %v", err)
		}
		supCtx := f.Ctx(t, db, "southSup")
		if code(db.Units().CreateUnit(supCtx, &jianfu.Unit{Name: "x单位", Type: jianfu.UnitInstitution, RegionCode: "390102", ParentID: f.Units["south"].ID})) != jianfu.EFORBIDDEN {
			t.Fatal("a supervisor without admin role created a unit")
		}
	})
}

func itoa(v int64) string { return jianfu.Errorf("", "%d", "%d", v).Message }

func TestImportUnitsAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := storetest.Load(t, db)
		ctx := storetest.System()
		rows := []*jianfu.UnitImport{
			{Row: 1, Unit: jianfu.Unit{Name: "江南区卫生健康局", Type: jianfu.UnitGovernment, RegionCode: "390102"}, ParentRef: f.Units["south"].CreditCode},
			{Row: 2, Unit: jianfu.Unit{Name: "江南区人民医院", Type: jianfu.UnitInstitution, RegionCode: "390102"}, ParentRef: "江南区卫生健康局"},
			{Row: 3, Unit: jianfu.Unit{Name: "坏单位", Type: "bogus", RegionCode: "390102"}},
			{Row: 4, Unit: jianfu.Unit{Name: "孤儿单位", Type: jianfu.UnitInstitution, RegionCode: "390102"}, ParentRef: "不存在的上级"},
		}
		_, err := db.Units().ImportUnits(ctx, rows)
		var je *jianfu.Error
		if !errors.As(err, &je) || je.Code != jianfu.EINVALID {
			t.Fatalf("import with bad rows: %v", err)
		}
		if len(je.Problems) == 0 || je.Problems[0].Row != 3 {
			t.Fatalf("problems %+v, want row 3 first", je.Problems)
		}
		_, total, _ := db.Units().FindUnits(ctx, jianfu.UnitFilter{})
		if total != len(f.Units) {
			t.Fatalf("a failed import saved units: %d, want %d", total, len(f.Units))
		}
		// Fixed file: children may come before their parents.
		good := []*jianfu.UnitImport{rows[1], rows[0]}
		if n, err := db.Units().ImportUnits(ctx, good); err != nil || n != 2 {
			t.Fatalf("import good rows: %d %v", n, err)
		}
		list, _, _ := db.Units().FindUnits(ctx, jianfu.UnitFilter{Query: "人民医院"})
		if len(list) != 1 || list[0].ParentID == 0 {
			t.Fatalf("hospital not imported under its bureau: %+v", list)
		}
	})
}

func TestAuditChainDetectsTampering(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		storetest.Load(t, db)
		ctx := storetest.System()
		v, err := db.Audit().VerifyAudit(ctx)
		if err != nil || !v.OK || v.Entries < 10 {
			t.Fatalf("untouched chain: %+v %v", v, err)
		}
		if _, err := db.SQL().Exec(rebind(db, `UPDATE audit_log SET detail = 'forged' WHERE id = 5`)); err != nil {
			t.Fatal(err)
		}
		v, err = db.Audit().VerifyAudit(ctx)
		if err != nil || v.OK || v.BrokenID != 5 {
			t.Fatalf("after editing entry 5: %+v %v", v, err)
		}
	})
}

func TestAuditChainDetectsDeletion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		storetest.Load(t, db)
		ctx := storetest.System()
		if _, err := db.SQL().Exec(`DELETE FROM audit_log WHERE id = 7`); err != nil {
			t.Fatal(err)
		}
		v, _ := db.Audit().VerifyAudit(ctx)
		if v.OK || v.BrokenID != 8 {
			t.Fatalf("after deleting entry 7: %+v", v)
		}
	})
}

func rebind(db *store.DB, q string) string { return q }

func TestAuditLogScopedToAuditors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := storetest.Load(t, db)
		if _, _, err := db.Audit().FindAuditEntries(f.Ctx(t, db, "southSup"), jianfu.AuditFilter{}); code(err) != jianfu.EFORBIDDEN {
			t.Fatalf("supervisor read the audit log: %v", err)
		}
		entries, _, err := db.Audit().FindAuditEntries(f.Ctx(t, db, "cityAuditor"), jianfu.AuditFilter{ObjectType: "unit"})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) == 0 {
			t.Fatal("the city auditor sees no unit entries")
		}
		for _, e := range entries {
			if len(e.RegionPath) < 4 || e.RegionPath[:4] != "3901" {
				t.Errorf("city auditor sees entry about region %q", e.RegionPath)
			}
		}
		// Reading the log is itself logged.
		reads, _, _ := db.Audit().FindAuditEntries(storetest.System(), jianfu.AuditFilter{Action: "audit.read"})
		if len(reads) == 0 {
			t.Fatal("reading the audit log left no trace")
		}
	})
}

func TestLoginLockout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		storetest.Load(t, db)
		ctx := context.Background()
		if _, err := db.Users().Authenticate(ctx, "south.sup", storetest.FixturePassword); err != nil {
			t.Fatalf("good login: %v", err)
		}
		for i := 0; i < jianfu.MaxFailedLogins; i++ {
			if _, err := db.Users().Authenticate(ctx, "south.sup", "wrong-password"); code(err) != jianfu.EUNAUTHORIZED {
				t.Fatalf("bad login %d: %v", i, err)
			}
		}
		// Locked: the right password gets the answer of a wrong one (and
		// of an unknown name), so the answer tells nobody the name exists.
		_, lockedErr := db.Users().Authenticate(ctx, "south.sup", storetest.FixturePassword)
		_, unknownErr := db.Users().Authenticate(ctx, "no.such.user", storetest.FixturePassword)
		if code(lockedErr) != jianfu.EUNAUTHORIZED || lockedErr.Error() != unknownErr.Error() {
			t.Fatalf("login while locked: %v; unknown user: %v", lockedErr, unknownErr)
		}
		now = now.Add(jianfu.LockoutDuration + time.Second)
		if _, err := db.Users().Authenticate(ctx, "south.sup", storetest.FixturePassword); err != nil {
			t.Fatalf("login after the lockout: %v", err)
		}
		fails, _, _ := db.Audit().FindAuditEntries(storetest.System(), jianfu.AuditFilter{Action: "login.fail"})
		if len(fails) != jianfu.MaxFailedLogins+1 { // and the unknown user
			t.Fatalf("%d login.fail entries, want %d", len(fails), jianfu.MaxFailedLogins)
		}
	})
}

func TestSessionsAndTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		f := storetest.Load(t, db)
		ctx := context.Background()
		u := f.Users["southSup"]
		tok, err := db.Users().CreateSession(ctx, u.ID, "127.0.0.1", "test")
		if err != nil {
			t.Fatal(err)
		}
		a, err := db.Users().SessionActor(ctx, tok)
		if err != nil || a.UserID != u.ID || a.RegionPath != "390102" {
			t.Fatalf("session actor: %+v %v", a, err)
		}
		now = now.Add(jianfu.SessionIdle + time.Minute)
		if _, err := db.Users().SessionActor(ctx, tok); code(err) != jianfu.EUNAUTHORIZED {
			t.Fatalf("idle session still valid: %v", err)
		}
		api, err := db.Users().CreateToken(storetest.System(), "south.sup", "ci")
		if err != nil {
			t.Fatal(err)
		}
		var n int
		db.SQL().QueryRow(`SELECT COUNT(*) FROM api_tokens WHERE token_hash = '` + api + `'`).Scan(&n)
		if n != 0 {
			t.Fatal("the API token is stored in clear")
		}
		if a, err := db.Users().TokenActor(ctx, api); err != nil || a.Username != "south.sup" {
			t.Fatalf("token actor: %+v %v", a, err)
		}
		disabled := true
		if _, err := db.Users().UpdateUser(storetest.System(), u.ID, jianfu.UserUpdate{Disabled: &disabled}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Users().TokenActor(ctx, api); code(err) != jianfu.EUNAUTHORIZED {
			t.Fatalf("token of a disabled user still works: %v", err)
		}
	})
}

func TestUnitAdminCannotGrantSupervisor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := storetest.Load(t, db)
		ctx := f.Ctx(t, db, "eduAdmin")
		u := &jianfu.User{Username: "sneaky", Name: "越权者", UnitID: f.Units["southSchool"].ID, Roles: []jianfu.Role{jianfu.RoleSupervisor}, Phone: "13912345678"}
		if code(db.Users().CreateUser(ctx, u, storetest.FixturePassword)) != jianfu.EFORBIDDEN {
			t.Fatal("a unit admin granted the supervisor role")
		}
		u.Roles = []jianfu.Role{jianfu.RoleStaff}
		if err := db.Users().CreateUser(ctx, u, storetest.FixturePassword); err != nil {
			t.Fatalf("unit admin creating staff: %v", err)
		}
		// Phones are masked for those who do not manage the user.
		got, err := db.Users().FindUserByID(f.Ctx(t, db, "southSup"), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Phone != "139****5678" {
			t.Fatalf("supervisor sees phone %q, want it masked", got.Phone)
		}
		mine, _ := db.Users().FindUserByID(ctx, u.ID)
		if mine.Phone != "13912345678" {
			t.Fatalf("the unit admin sees phone %q, want it whole", mine.Phone)
		}
	})
}

func TestChannelScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := storetest.Load(t, db)
		sys := storetest.System()
		south := &jianfu.Channel{Kind: jianfu.KindAccount, Name: "江南教育", UnitID: f.Units["southEdu"].ID, Platform: "wechat_oa", PlatformID: "gh_0001"}
		north := &jianfu.Channel{Kind: jianfu.KindGroup, Name: "江北教育局工作群", UnitID: f.Units["northEdu"].ID, Platform: "dingtalk"}
		for _, c := range []*jianfu.Channel{south, north} {
			if err := db.Channels().CreateChannel(sys, c); err != nil {
				t.Fatal(err)
			}
		}
		if south.Status != jianfu.StatusDraft || south.Version != 1 {
			t.Errorf("a new channel is %s v%d, want a draft v1", south.Status, south.Version)
		}
		ctx := f.Ctx(t, db, "southSup")
		list, total, err := db.Channels().FindChannels(ctx, jianfu.ChannelFilter{})
		if err != nil || total != 1 || list[0].ID != south.ID {
			t.Fatalf("江南 supervisor lists %d channels (%v), want only 江南教育", total, err)
		}
		if _, err := db.Channels().FindChannelByID(ctx, north.ID); code(err) != jianfu.ENOTFOUND {
			t.Fatalf("江南 supervisor reads 江北's group: %v", err)
		}
		bad := &jianfu.Channel{Kind: jianfu.KindApp, Name: "越界APP", UnitID: f.Units["northEdu"].ID, Platform: "android"}
		if err := db.Channels().CreateChannel(f.Ctx(t, db, "eduAdmin"), bad); err == nil {
			t.Fatal("a unit admin registered a channel for another county's unit")
		}
		wrong := &jianfu.Channel{Kind: jianfu.KindApp, Name: "错平台", UnitID: f.Units["southEdu"].ID, Platform: "weibo"}
		if code(db.Channels().CreateChannel(sys, wrong)) != jianfu.EINVALID {
			t.Fatal("an app on weibo was accepted")
		}
	})
}

func TestBackupSQLite(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	storetest.Load(t, db)
	out := t.TempDir() + "/backup.db"
	v, err := db.Backup(context.Background(), out)
	if err != nil || !v.OK || v.Entries < 10 {
		t.Fatalf("backup: %+v %v", v, err)
	}
	copy, err := store.Open(context.Background(), out, storetest.Rules)
	if err != nil {
		t.Fatal(err)
	}
	defer copy.Close()
	_, total, err := copy.Units().FindUnits(storetest.System(), jianfu.UnitFilter{})
	if err != nil || total != 7 {
		t.Fatalf("the backup holds %d units (%v), want 7", total, err)
	}
	if _, err := db.Backup(context.Background(), out); code(err) != jianfu.ECONFLICT {
		t.Fatalf("backup over an existing file: %v", err)
	}
}

func TestPurgeSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		f := storetest.Load(t, db)
		old, _ := db.Users().CreateSession(context.Background(), f.Users["southSup"].ID, "", "")
		now = now.Add(jianfu.SessionIdle + time.Minute)
		fresh, _ := db.Users().CreateSession(context.Background(), f.Users["northSup"].ID, "", "")
		n, err := db.Users().PurgeSessions(context.Background())
		if err != nil || n != 1 {
			t.Fatalf("purged %d (%v), want 1", n, err)
		}
		if _, err := db.Users().SessionActor(context.Background(), fresh); err != nil {
			t.Fatalf("the fresh session was purged: %v", err)
		}
		if _, err := db.Users().SessionActor(context.Background(), old); err == nil {
			t.Fatal("the idle session survived")
		}
	})
}
