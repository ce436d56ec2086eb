package jianfu

import (
	"cmp"
	"strings"
)

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
	RoleAuditor     Role = "auditor"      // 安全审计员: reads the audit log and security events
	RoleSysAdmin    Role = "sysadmin"     // 系统管理员: units and ordinary users
	// RoleSecAdmin is the security administrator (安全保密管理员): alone
	// grants and withdraws the sensitive roles and manages the accounts
	// holding them (三员分立 with the system administrator and the auditor).
	RoleSecAdmin Role = "secadmin"
	// RoleReporterAccess is the explicit permission to reveal a
	// complainant's encrypted identity (反映人信息查阅), each time with an
	// audited reason.
	RoleReporterAccess Role = "reporter_access"
	// RoleApp is a third-party application (第三方应用), not a person: it
	// holds API tokens (Open311 api_keys) and never logs in with a
	// password; it holds no other role.
	RoleApp Role = "app"
)

// Roles lists every role in display order.
var Roles = []Role{RoleSupervisor, RoleReviewer, RoleInspector, RoleCaseHandler, RoleUnitAdmin, RoleStaff, RoleSysAdmin, RoleSecAdmin, RoleAuditor, RoleReporterAccess, RoleApp}

// RoleNames are the Chinese names of the roles.
var RoleNames = map[Role]string{
	RoleSupervisor:     "监管人员",
	RoleReviewer:       "备案审核员",
	RoleInspector:      "抽查评估员",
	RoleCaseHandler:    "线索办理员",
	RoleUnitAdmin:      "单位管理员",
	RoleStaff:          "基层干部",
	RoleAuditor:        "安全审计员",
	RoleSysAdmin:       "系统管理员",
	RoleSecAdmin:       "安全保密管理员",
	RoleReporterAccess: "反映人信息查阅",
	RoleApp:            "第三方应用",
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { _, ok := RoleNames[r]; return ok }

// RegionWide reports whether the role's scope is its unit's whole region
// subtree rather than its unit subtree. Supervisory roles work for a
// cyberspace-affairs office and oversee every unit of their region.
func (r Role) RegionWide() bool {
	switch r {
	case RoleSupervisor, RoleReviewer, RoleInspector, RoleCaseHandler, RoleAuditor, RoleSysAdmin, RoleSecAdmin, RoleReporterAccess:
		return true
	}
	return false
}

// Sensitive reports whether the role is one only the security
// administrator grants and withdraws, on accounts only it manages: the
// power to reveal complainants, to audit, and to grant these.
func (r Role) Sensitive() bool {
	return r == RoleReporterAccess || r == RoleAuditor || r == RoleSecAdmin
}

// threeAdmins are the three separated administrators (三员): no account
// holds two of them.
var threeAdmins = []Role{RoleSysAdmin, RoleSecAdmin, RoleAuditor}

// ValidateRoleSet checks that a set of roles keeps the separation of
// duties (三员分立): at most one of system administrator, security
// administrator and auditor; and neither administrator may also reveal
// complainants, since they could grant themselves the accounts to do so.
func ValidateRoleSet(roles []Role) error {
	var admins []string
	has := map[Role]bool{}
	for _, r := range roles {
		has[r] = true
	}
	for _, r := range threeAdmins {
		if has[r] {
			admins = append(admins, "“"+RoleNames[r]+"”")
		}
	}
	if len(admins) > 1 {
		return Errorf(EINVALID, "三员分立:%[1]s不能由同一账号兼任,请分设账号", "separation of duties: %[2]s cannot be held by one account", strings.Join(admins, "与"), strings.Join(admins, " and "))
	}
	if has[RoleApp] && len(has) > 1 {
		return Errorf(EINVALID, "“第三方应用”账号代表一个接入的应用而不是人,不能兼有其他角色", "an application account is not a person and holds no other role")
	}
	if has[RoleReporterAccess] && (has[RoleSysAdmin] || has[RoleSecAdmin]) {
		return Errorf(EINVALID, "系统管理员和安全保密管理员不能兼有“反映人信息查阅”角色", "a system or security administrator cannot also hold reporter_access")
	}
	return nil
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
				return nil, Errorf(EINVALID, "未知角色“%s”,可选:supervisor、reviewer、inspector、case_handler、unit_admin、staff、sysadmin、secadmin、auditor、reporter_access、app(或其中文名)", "unknown role %q; use supervisor, reviewer, inspector, case_handler, unit_admin, staff, sysadmin, secadmin, auditor, reporter_access or app", f)
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
// permission to reveal a reporter's identity (反映人信息查阅). The system
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

// RolesShown names roles in Chinese, e.g. 监管人员、备案审核员, for people
// (the audit log); RolesText is the stored form.
func RolesShown(roles []Role) string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = cmp.Or(RoleNames[r], string(r))
	}
	return strings.Join(names, "、")
}
