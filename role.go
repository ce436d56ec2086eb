package jianfu

import "strings"

// Role is what a user may do. A user holds one or more roles; their scope
// is set by their unit (see Actor).
type Role string

const (
	RoleSupervisor  Role = "supervisor"   // 网信办监管人员: sees the whole region subtree
	RoleReviewer    Role = "reviewer"     // 备案审核员
	RoleInspector   Role = "inspector"    // 抽查评估员
	RoleCaseHandler Role = "case_handler" // 线索办理员
	RoleUnitAdmin   Role = "unit_admin"   // 单位管理员: its own unit and the units under it
	RoleStaff       Role = "staff"        // 基层干部: reports burden, rates channels
	RoleAuditor     Role = "auditor"      // 审计员: reads the audit log
	RoleSysAdmin    Role = "sysadmin"     // 系统管理员
	// RoleReporterAccess is the explicit permission to reveal a
	// complainant's encrypted identity (举报人信息查阅), each time with an
	// audited reason.
	RoleReporterAccess Role = "reporter_access"
)

// Roles lists every role in display order.
var Roles = []Role{RoleSupervisor, RoleReviewer, RoleInspector, RoleCaseHandler, RoleUnitAdmin, RoleStaff, RoleAuditor, RoleSysAdmin, RoleReporterAccess}

// RoleNames are the Chinese names of the roles.
var RoleNames = map[Role]string{
	RoleSupervisor:     "监管人员",
	RoleReviewer:       "备案审核员",
	RoleInspector:      "抽查评估员",
	RoleCaseHandler:    "线索办理员",
	RoleUnitAdmin:      "单位管理员",
	RoleStaff:          "基层干部",
	RoleAuditor:        "审计员",
	RoleSysAdmin:       "系统管理员",
	RoleReporterAccess: "举报人信息查阅",
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { _, ok := RoleNames[r]; return ok }

// RegionWide reports whether the role's scope is its unit's whole region
// subtree rather than its unit subtree. Supervisory roles work for a
// cyberspace-affairs office and oversee every unit of their region.
func (r Role) RegionWide() bool {
	switch r {
	case RoleSupervisor, RoleReviewer, RoleInspector, RoleCaseHandler, RoleAuditor, RoleSysAdmin, RoleReporterAccess:
		return true
	}
	return false
}

// ParseRoles reads a comma-separated list of roles (English or Chinese names).
func ParseRoles(s string) ([]Role, error) {
	var out []Role
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ' ' || r == ';' }) {
		r := Role(strings.ToLower(f))
		if !r.Valid() {
			found := false
			for k, name := range RoleNames {
				if name == f {
					r, found = k, true
				}
			}
			if !found {
				return nil, Errorf(EINVALID, "未知角色“%s”,可选:supervisor、reviewer、inspector、case_handler、unit_admin、staff、auditor、sysadmin、reporter_access", "unknown role %q; use supervisor, reviewer, inspector, case_handler, unit_admin, staff, auditor, sysadmin or reporter_access", f)
			}
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, Errorf(EINVALID, "至少需要一个角色", "at least one role is required")
	}
	return out, nil
}

// What roles may do with cases (问题线索). The permissions are defined
// here, once; the store checks them and scopes what each reaches (region
// subtree or unit subtree), and the pages ask them to show their forms.
var (
	// caseRegionReaders read every case of their region subtree; unit
	// administrators read only the cases ever transferred to their unit
	// subtree.
	caseRegionReaders = []Role{RoleSupervisor, RoleCaseHandler, RoleInspector, RoleReviewer, RoleReporterAccess}
	// caseHandlers are the office's people who move cases: triage,
	// transfer, verify, close, reopen, opinions, deadline sweeps,
	// hotline imports, typical-case drafts.
	caseHandlers = []Role{RoleSupervisor, RoleCaseHandler}
	// clueAdders may register clues the administration found itself.
	clueAdders = []Role{RoleSupervisor, RoleCaseHandler, RoleInspector}
)

// ReadsRegionCases reports whether the actor reads the cases of its whole
// region subtree, rather than those of its unit subtree.
func (a *Actor) ReadsRegionCases() bool { return a.HasAny(caseRegionReaders...) }

// CanReadCases reports whether the actor may read cases at all.
func (a *Actor) CanReadCases() bool { return a.ReadsRegionCases() || a.Has(RoleUnitAdmin) }

// CanHandleCases reports whether the actor may move cases as the office.
func (a *Actor) CanHandleCases() bool { return a.HasAny(caseHandlers...) }

// CanAnswerCases reports whether the actor may answer and rectify cases
// for a responsible unit (of its subtree, which the store checks).
func (a *Actor) CanAnswerCases() bool { return a.Has(RoleUnitAdmin) }

// CanAddClues reports whether the actor may register clues.
func (a *Actor) CanAddClues() bool { return a.HasAny(clueAdders...) }

// CanRevealReporters reports whether the actor holds the explicit
// permission to reveal a reporter's identity (举报人信息查阅). The system
// does not: a person answers for every reveal.
func (a *Actor) CanRevealReporters() bool { return a != nil && !a.System && a.Has(RoleReporterAccess) }

// CanSetDeadlines reports whether the actor may change the deadline
// policies, which are the province's: a supervisor at province level or
// above.
func (a *Actor) CanSetDeadlines() bool {
	return a != nil && (a.System || a.Has(RoleSupervisor) && len(a.RegionPath) <= 2)
}

// CanPublishTypical reports whether the actor may review and publish
// typical cases: a supervisor.
func (a *Actor) CanPublishTypical() bool { return a.Has(RoleSupervisor) }

// CanPublishTypicalOf reports whether the actor may publish the typical
// case drafted by the user draftedID: a supervisor other than the drafter
// (two pairs of eyes; the system excepted).
func (a *Actor) CanPublishTypicalOf(draftedID int64) bool {
	return a.CanPublishTypical() && (a.System || a.UserID != draftedID)
}
