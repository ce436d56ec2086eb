package storetest

import (
	"context"
	"testing"

	"jianfu"
	"jianfu/store"
)

// FixturePassword is the password of every fixture user.
const FixturePassword = "Fixture-Pass-2026"

// Fixture is a small hierarchy: a province with one city and two counties
// (江南区, 江北区), their offices and units, and a user for each role.
type Fixture struct {
	Units map[string]*jianfu.Unit // by key: prov, city, south, north, southEdu, southSchool, northEdu
	Users map[string]*jianfu.User // by key: provSup, southSup, northSup, cityAuditor, provAdmin, eduAdmin, schoolStaff, northAdmin
}

// Ctx returns a context acting as the fixture user with the given key.
func (f *Fixture) Ctx(t testing.TB, db *store.DB, key string) context.Context {
	t.Helper()
	u := f.Users[key]
	if u == nil {
		t.Fatalf("no fixture user %q", key)
	}
	unit := f.UnitByID(u.UnitID)
	a := &jianfu.Actor{UserID: u.ID, Username: u.Username, Name: u.Name, Roles: u.Roles, UnitID: u.UnitID,
		UnitName: unit.Name, UnitPath: unit.Path, RegionPath: unit.RegionPath, IP: "127.0.0.1", Via: "test"}
	return jianfu.WithActor(context.Background(), a)
}

// UnitByID finds a fixture unit.
func (f *Fixture) UnitByID(id int64) *jianfu.Unit {
	for _, u := range f.Units {
		if u.ID == id {
			return u
		}
	}
	return nil
}

// Load fills the store with the fixture.
func Load(t testing.TB, db *store.DB) *Fixture {
	t.Helper()
	ctx := System()
	regions := []*jianfu.Region{
		{Code: "390000", Path: "39", Name: "临江省", Level: jianfu.LevelProvince},
		{Code: "390100", Path: "3901", Name: "江州市", Level: jianfu.LevelCity, ParentPath: "39"},
		{Code: "390102", Path: "390102", Name: "江南区", Level: jianfu.LevelCounty, ParentPath: "3901"},
		{Code: "390103", Path: "390103", Name: "江北区", Level: jianfu.LevelCounty, ParentPath: "3901"},
		{Code: "390102001", Path: "390102001", Name: "望江街道", Level: jianfu.LevelTownship, ParentPath: "390102"},
		{Code: "390103001", Path: "390103001", Name: "北湖街道", Level: jianfu.LevelTownship, ParentPath: "390103"},
	}
	if _, err := db.Regions().ImportRegions(ctx, regions); err != nil {
		t.Fatalf("fixture regions: %v", err)
	}
	f := &Fixture{Units: map[string]*jianfu.Unit{}, Users: map[string]*jianfu.User{}}
	unit := func(key, name string, typ jianfu.UnitType, region, parent, org string) {
		u := &jianfu.Unit{Name: name, Type: typ, RegionCode: region, CreditCode: jianfu.MakeCreditCode("11", jianfu.CodeOfPath(region)[:6], org)}
		if parent != "" {
			u.ParentID = f.Units[parent].ID
		}
		if err := db.Units().CreateUnit(ctx, u); err != nil {
			t.Fatalf("fixture unit %s: %v", name, err)
		}
		f.Units[key] = u
	}
	unit("prov", "中共临江省委网络安全和信息化委员会办公室", jianfu.UnitParty, "39", "", "00000001")
	unit("city", "中共江州市委网络安全和信息化委员会办公室", jianfu.UnitParty, "3901", "prov", "00000002")
	unit("south", "中共江州市江南区委网络安全和信息化委员会办公室", jianfu.UnitParty, "390102", "city", "00000003")
	unit("north", "中共江州市江北区委网络安全和信息化委员会办公室", jianfu.UnitParty, "390103", "city", "00000004")
	unit("southEdu", "江州市江南区教育局", jianfu.UnitGovernment, "390102", "south", "00000005")
	unit("southSchool", "江州市江南区望江中学", jianfu.UnitInstitution, "390102001", "southEdu", "00000006")
	unit("northEdu", "江州市江北区教育局", jianfu.UnitGovernment, "390103", "north", "00000007")
	user := func(key, username, name, unitKey string, roles ...jianfu.Role) {
		u := &jianfu.User{Username: username, Name: name, UnitID: f.Units[unitKey].ID, Roles: roles, Phone: "13800001234"}
		if err := db.Users().CreateUser(ctx, u, FixturePassword); err != nil {
			t.Fatalf("fixture user %s: %v", username, err)
		}
		f.Users[key] = u
	}
	user("provSup", "prov.sup", "省级监管员", "prov", jianfu.RoleSupervisor, jianfu.RoleReviewer)
	user("southSup", "south.sup", "江南区监管员", "south", jianfu.RoleSupervisor, jianfu.RoleReviewer, jianfu.RoleCaseHandler)
	user("northSup", "north.sup", "江北区监管员", "north", jianfu.RoleSupervisor)
	user("cityAuditor", "city.auditor", "市审计员", "city", jianfu.RoleAuditor)
	user("provAdmin", "prov.admin", "省系统管理员", "prov", jianfu.RoleSysAdmin)
	user("eduAdmin", "south.edu", "江南区教育局管理员", "southEdu", jianfu.RoleUnitAdmin)
	user("schoolStaff", "south.school", "望江中学干部", "southSchool", jianfu.RoleStaff)
	user("northAdmin", "north.edu", "江北区教育局管理员", "northEdu", jianfu.RoleUnitAdmin)
	return f
}
