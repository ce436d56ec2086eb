package jianfu

import "testing"

func TestChannelPermissions(t *testing.T) {
	// 江南区 (390102) and its education bureau (unit 5, path /1/5/) with a
	// school below it (/1/5/9/).
	sup := &Actor{UserID: 1, Username: "south.sup", Roles: []Role{RoleSupervisor}, UnitID: 2, UnitPath: "/1/2/", RegionPath: "390102"}
	cityRev := &Actor{UserID: 2, Username: "city.rev", Roles: []Role{RoleReviewer}, UnitID: 3, UnitPath: "/3/", RegionPath: "3901"}
	townRev := &Actor{UserID: 3, Username: "town.rev", Roles: []Role{RoleReviewer}, UnitID: 4, UnitPath: "/4/", RegionPath: "390102001"}
	eduAdmin := &Actor{UserID: 4, Username: "edu.admin", Roles: []Role{RoleUnitAdmin}, UnitID: 5, UnitPath: "/1/5/", RegionPath: "390102"}
	staff := &Actor{UserID: 5, Username: "edu.staff", Roles: []Role{RoleStaff}, UnitID: 5, UnitPath: "/1/5/", RegionPath: "390102"}
	sys := SystemActor("test")
	school := &Channel{UnitID: 9, RegionPath: "390102", SubmittedBy: "edu.admin"}
	office := &Channel{UnitID: 2, RegionPath: "390102"}
	tests := []struct {
		who              string
		a                *Actor
		seesSchool       bool   // personal data of the school's channel
		ownSchool        string // error code of MayOwn on the school's channels
		ownOffice        string // …on the supervisor's office's
		reviewSchool     string
		reviewOffice     string
		editRules, peopl bool
	}{
		{"district supervisor", sup, true, EFORBIDDEN, "", "", EFORBIDDEN, false, true},
		{"city reviewer", cityRev, true, EFORBIDDEN, EFORBIDDEN, "", "", false, true},
		{"township reviewer", townRev, true, EFORBIDDEN, EFORBIDDEN, EFORBIDDEN, EFORBIDDEN, false, true},
		{"education unit admin", eduAdmin, true, "", EFORBIDDEN, EFORBIDDEN, EFORBIDDEN, false, false},
		{"staff", staff, false, EFORBIDDEN, EFORBIDDEN, EFORBIDDEN, EFORBIDDEN, false, false},
		{"system", sys, true, "", "", "", "", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.who, func(t *testing.T) {
			if got := tt.a.SeesPersonal("/1/5/9/"); got != tt.seesSchool {
				t.Errorf("sees the school's personal data: %v", got)
			}
			if got := codeOf(tt.a.MayOwn(9, "/1/5/9/")); got != tt.ownSchool {
				t.Errorf("owns the school's channels: %q", got)
			}
			if got := codeOf(tt.a.MayOwn(2, "/1/2/")); got != tt.ownOffice {
				t.Errorf("owns the office's channels: %q", got)
			}
			if got := codeOf(tt.a.MayReview(school)); got != tt.reviewSchool {
				t.Errorf("reviews the school's filing: %q", got)
			}
			if got := codeOf(tt.a.MayReview(office)); got != tt.reviewOffice {
				t.Errorf("reviews the office's filing: %q", got)
			}
			if got := tt.a.MayEditRules() == nil; got != tt.editRules {
				t.Errorf("edits the rules: %v", got)
			}
			if got := tt.a.SeesPeople(); got != tt.peopl {
				t.Errorf("sees people's names: %v", got)
			}
		})
	}
	// Nobody approves what they submitted.
	if err := cityRev.MayReview(&Channel{UnitID: 9, RegionPath: "390102", SubmittedBy: "city.rev"}); ErrorMessage(err, "zh") != "无权操作:提交人不能审核自己提交的备案" {
		t.Errorf("reviewing one's own submission: %v", err)
	}
	prov := &Actor{UserID: 6, Roles: []Role{RoleSupervisor}, UnitID: 7, UnitPath: "/7/", RegionPath: "39"}
	if prov.MayEditRules() != nil {
		t.Error("a province supervisor cannot edit the rules")
	}
}

func TestUserPermissions(t *testing.T) {
	sysAdmin := &Actor{UserID: 1, Roles: []Role{RoleSysAdmin}, UnitID: 1, UnitPath: "/1/", RegionPath: "39"}
	unitAdmin := &Actor{UserID: 2, Roles: []Role{RoleUnitAdmin}, UnitID: 5, UnitPath: "/1/5/", RegionPath: "390102"}
	auditor := &Actor{UserID: 3, Roles: []Role{RoleAuditor}, UnitID: 1, UnitPath: "/1/", RegionPath: "39"}
	staff := &Actor{UserID: 4, Roles: []Role{RoleStaff}, UnitID: 5, UnitPath: "/1/5/", RegionPath: "390102"}
	if unitAdmin.MayGrant([]Role{RoleStaff, RoleUnitAdmin}) != nil || unitAdmin.MayGrant([]Role{RoleSupervisor}) == nil || sysAdmin.MayGrant([]Role{RoleSupervisor}) != nil {
		t.Error("granting roles")
	}
	if !auditor.SeesUsers() || staff.SeesUsers() || !staff.SeesPhone(4) || staff.SeesPhone(2) || !unitAdmin.SeesPhone(4) {
		t.Error("seeing users and phones")
	}
	if unitAdmin.CanManageUnits() != nil || auditor.CanManageUnits() == nil {
		t.Error("managing units")
	}
}

// 三员分立: the security administrator alone grants and withdraws the
// sensitive roles and manages the accounts holding them; the system
// administrator manages the others; nobody holds two of the three.
func TestSeparationOfDuties(t *testing.T) {
	sys := &Actor{UserID: 1, Roles: []Role{RoleSysAdmin}, UnitID: 1, UnitPath: "/1/", RegionPath: "39"}
	sec := &Actor{UserID: 2, Roles: []Role{RoleSecAdmin}, UnitID: 1, UnitPath: "/1/", RegionPath: "39"}
	revealer := []Role{RoleReporterAccess}
	supervisor := []Role{RoleSupervisor}
	for _, r := range []Role{RoleReporterAccess, RoleAuditor, RoleSecAdmin} {
		if sys.MayGrant([]Role{r}) == nil || sec.MayGrant([]Role{r}) != nil {
			t.Errorf("granting %s", r)
		}
	}
	if sec.MayGrant(supervisor) == nil || sys.MayGrant(supervisor) != nil || sys.MayGrant([]Role{RoleSysAdmin}) != nil {
		t.Error("granting ordinary roles")
	}
	if sys.MayManageAccount(revealer) == nil || sec.MayManageAccount(revealer) != nil {
		t.Error("managing an account holding reporter_access")
	}
	if sys.MayManageAccount(supervisor) != nil || sec.MayManageAccount(supervisor) == nil {
		t.Error("managing an ordinary account")
	}
	// The security administrator gives a supervisor reporter_access and
	// takes it back; the system administrator can do neither.
	withAccess := []Role{RoleSupervisor, RoleReporterAccess}
	if sec.MayChangeRoles(supervisor, withAccess) != nil || sec.MayChangeRoles(withAccess, supervisor) != nil {
		t.Error("the security administrator grants and withdraws reporter_access")
	}
	if sys.MayChangeRoles(supervisor, withAccess) == nil || sys.MayChangeRoles(withAccess, supervisor) == nil {
		t.Error("the system administrator changed reporter_access")
	}
	if sys.MayChangeRoles(withAccess, []Role{RoleSupervisor, RoleReviewer, RoleReporterAccess}) == nil {
		t.Error("the system administrator changed an account holding a sensitive role")
	}
	if sec.MayChangeRoles(supervisor, []Role{RoleReviewer}) == nil {
		t.Error("the security administrator changed ordinary roles")
	}
	for _, set := range [][]Role{{RoleSysAdmin, RoleAuditor}, {RoleSecAdmin, RoleAuditor}, {RoleSysAdmin, RoleSecAdmin}, {RoleSecAdmin, RoleReporterAccess}, {RoleSysAdmin, RoleReporterAccess}} {
		if codeOf(ValidateRoleSet(set)) != EINVALID {
			t.Errorf("%v accepted", set)
		}
	}
	if ValidateRoleSet([]Role{RoleSupervisor, RoleReporterAccess}) != nil || ValidateRoleSet([]Role{RoleAuditor, RoleReporterAccess}) != nil {
		t.Error("an allowed set refused")
	}
	u := User{ID: 9, Username: "sheng.jubao", Name: "举报查阅", UnitID: 1, Roles: revealer}
	name := "改名"
	if _, err := u.Apply(UserUpdate{Name: &name}, sys); codeOf(err) != EFORBIDDEN {
		t.Errorf("the system administrator renamed a reporter_access account: %v", err)
	}
	if _, err := u.Apply(UserUpdate{Unlock: true}, sys); codeOf(err) != EFORBIDDEN {
		t.Errorf("the system administrator unlocked a reporter_access account: %v", err)
	}
}

func TestUserApply(t *testing.T) {
	unitAdmin := &Actor{UserID: 2, Roles: []Role{RoleUnitAdmin}, UnitID: 5, UnitPath: "/1/5/", RegionPath: "390102"}
	name, off := "李四", true
	tests := []struct {
		name    string
		user    User
		upd     UserUpdate
		changes string
		code    string
	}{
		{"rename and promote staff", User{ID: 7, Username: "li.si", Name: "李三", UnitID: 5, Roles: []Role{RoleStaff}},
			UserUpdate{Name: &name, Roles: []Role{RoleUnitAdmin}, Unlock: true}, "[修改姓名 角色:基层干部 → 单位管理员 解除锁定]", ""},
		{"nothing to change", User{ID: 7, Username: "li.si", Name: "李四", UnitID: 5, Roles: []Role{RoleStaff}}, UserUpdate{Name: &name}, "[]", ""},
		{"a supervisor's account", User{ID: 8, Username: "wang.wu", Name: "王五", UnitID: 5, Roles: []Role{RoleSupervisor}}, UserUpdate{Name: &name}, "", EFORBIDDEN},
		{"one's own roles", User{ID: 2, Username: "zhao.liu", Name: "赵六", UnitID: 5, Roles: []Role{RoleUnitAdmin}}, UserUpdate{Roles: []Role{RoleStaff}}, "", EFORBIDDEN},
		{"disable oneself", User{ID: 2, Username: "zhao.liu", Name: "赵六", UnitID: 5, Roles: []Role{RoleUnitAdmin}}, UserUpdate{Disabled: &off}, "", EFORBIDDEN},
	}
	for _, tt := range tests {
		u := tt.user
		changes, err := u.Apply(tt.upd, unitAdmin)
		if got := codeOf(err); got != tt.code {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if err == nil && fmtList(changes) != tt.changes {
			t.Errorf("%s: changes %s, want %s", tt.name, fmtList(changes), tt.changes)
		}
	}
}

func TestUnitApply(t *testing.T) {
	unitAdmin := &Actor{UserID: 2, Roles: []Role{RoleUnitAdmin}, UnitID: 5, UnitPath: "/1/5/", RegionPath: "390102"}
	off, name := true, "江南区教育局(新)"
	own := &Unit{ID: 5, Name: "江南区教育局", Type: UnitGovernment, RegionCode: "390102"}
	if _, err := own.Apply(UnitUpdate{Disabled: &off}, unitAdmin); codeOf(err) != EFORBIDDEN {
		t.Errorf("disabling one's own unit: %v", err)
	}
	school := &Unit{ID: 9, Name: "江南区实验小学", Type: UnitInstitution, RegionCode: "390102"}
	changes, err := school.Apply(UnitUpdate{Name: &name, Disabled: &off}, unitAdmin)
	if err != nil || fmtList(changes) != `[name "江南区实验小学"→"江南区教育局(新)" disabled false→true]` || !school.Disabled {
		t.Errorf("changes %s %v", fmtList(changes), err)
	}
}

func fmtList(v []string) string {
	s := "["
	for i, x := range v {
		if i > 0 {
			s += " "
		}
		s += x
	}
	return s + "]"
}

// codeOf is the error code of err, "" for none.
func codeOf(err error) string {
	if err == nil {
		return ""
	}
	return ErrorCode(err)
}
