package jianfu_test

import (
	"testing"

	"jianfu"
)

// TestCasePermissions checks what each role may do with cases, as the
// store enforces and the case page shows.
func TestCasePermissions(t *testing.T) {
	type can struct{ regionRead, read, handle, answer, clue, reveal, deadlines, publish bool }
	province := func(roles ...jianfu.Role) *jianfu.Actor {
		return &jianfu.Actor{UserID: 1, Roles: roles, RegionPath: "39", UnitPath: "/1/"}
	}
	city := func(roles ...jianfu.Role) *jianfu.Actor {
		return &jianfu.Actor{UserID: 2, Roles: roles, RegionPath: "3901", UnitPath: "/1/2/"}
	}
	for _, tt := range []struct {
		name string
		a    *jianfu.Actor
		want can
	}{
		{"the system", jianfu.SystemActor("test"), can{true, true, true, true, true, false, true, true}},
		{"a province supervisor", province(jianfu.RoleSupervisor), can{true, true, true, false, true, false, true, true}},
		{"a city supervisor", city(jianfu.RoleSupervisor), can{true, true, true, false, true, false, false, true}},
		{"a case handler", city(jianfu.RoleCaseHandler), can{true, true, true, false, true, false, false, false}},
		{"an inspector", city(jianfu.RoleInspector), can{true, true, false, false, true, false, false, false}},
		{"a reviewer", city(jianfu.RoleReviewer), can{true, true, false, false, false, false, false, false}},
		{"reporter access", city(jianfu.RoleReporterAccess), can{true, true, false, false, false, true, false, false}},
		{"a unit administrator", city(jianfu.RoleUnitAdmin), can{false, true, false, true, false, false, false, false}},
		{"staff", city(jianfu.RoleStaff), can{}},
		{"an auditor", city(jianfu.RoleAuditor), can{}},
		{"nobody", nil, can{}},
	} {
		a := tt.a
		got := can{a.ReadsRegionCases(), a.CanReadCases(), a.CanHandleCases(), a.CanAnswerCases(), a.CanAddClues(), a.CanRevealReporters(), a.CanSetDeadlines(), a.CanPublishTypical()}
		if got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
	sup := city(jianfu.RoleSupervisor)
	if sup.CanPublishTypicalOf(sup.UserID) || !sup.CanPublishTypicalOf(9) || !jianfu.SystemActor("test").CanPublishTypicalOf(0) || city(jianfu.RoleCaseHandler).CanPublishTypicalOf(9) {
		t.Error("a typical case is published by a supervisor other than its drafter")
	}
}
