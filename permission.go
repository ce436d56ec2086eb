package jianfu

import "strings"

// Who may do what. Each definition here is a rule of roles, with the
// actor's own unit or region where the rule needs them; the store checks
// it where it reads the record in the caller's scope, and pages show or
// hide an action by the same definition.

// Forbidden is the error for an action the actor's roles do not allow.
func Forbidden(zh, en string) error {
	return Errorf(EFORBIDDEN, "无权操作:%[1]s", "not allowed: %[2]s", zh, en)
}

// SeesPersonal reports whether the actor may see a channel's personal data
// (responsible person, phone, group owner and administrators) whole: the
// reviewers and supervisors who decide on it, and the administrators of
// the owning unit (unitPath) or a unit above it.
func (a *Actor) SeesPersonal(unitPath string) bool {
	return a.System || a.HasAny(RoleSupervisor, RoleReviewer) ||
		a.Has(RoleUnitAdmin) && strings.HasPrefix(unitPath, a.UnitPath)
}

// SeesPeople reports whether the actor may see the names of the people in
// views over many units (the consolidation view's group owners): those who
// review and supervise.
func (a *Actor) SeesPeople() bool {
	return a.System || a.HasAny(RoleSupervisor, RoleReviewer)
}

// CanOwnChannels says whether the actor's roles may register and maintain
// channels at all (for units in scope): unit administrators, supervisors
// and system administrators.
func (a *Actor) CanOwnChannels() error {
	if a.HasAny(RoleUnitAdmin, RoleSupervisor, RoleSysAdmin) {
		return nil
	}
	return Forbidden("登记和维护渠道需要单位管理员、监管人员或系统管理员角色", "registering and maintaining channels needs the unit administrator, supervisor or system administrator role")
}

// MayOwn says whether the actor may register and maintain the channels of
// a unit (file, edit, submit, confirm, ask to exit): the unit's own
// administrators and those of the units above it, a system administrator,
// and a supervisor for the channels of its own office only — reviewers do
// not file what they review.
func (a *Actor) MayOwn(unitID int64, unitPath string) error {
	switch {
	case a.System, a.Has(RoleSysAdmin):
		return nil
	case a.Has(RoleUnitAdmin) && strings.HasPrefix(unitPath, a.UnitPath):
		return nil
	case a.Has(RoleSupervisor) && unitID == a.UnitID:
		return nil
	}
	if err := a.CanOwnChannels(); err != nil {
		return err
	}
	return Forbidden("渠道由主办单位的单位管理员登记和维护;监管人员只能登记本单位的渠道", "a unit's administrators file and maintain its channels; supervisors only their own office's")
}

// MayReview says whether the actor may take a reviewer's action on the
// channel: a reviewer or supervisor whose region is the channel's county
// or above it, who does not work for the owning unit and did not submit it.
func (a *Actor) MayReview(c *Channel) error {
	if a.System {
		return nil
	}
	if !a.HasAny(RoleReviewer, RoleSupervisor) || !a.RegionWide() {
		return Forbidden("审核备案需要备案审核员或监管人员角色", "reviewing filings needs the reviewer or supervisor role")
	}
	if len(a.RegionPath) > 6 || !strings.HasPrefix(c.RegionPath, a.RegionPath) {
		return Forbidden("只有该单位所在县(区)及以上的审核人员可以审核", "only reviewers of the unit's county or above may review")
	}
	if a.UnitID == c.UnitID {
		return Forbidden("单位不能审核本单位的备案", "a unit cannot review its own filing")
	}
	if c.SubmittedBy != "" && c.SubmittedBy == a.Username || c.Pending != nil && c.Pending.ProposedBy == a.Username {
		return Forbidden("提交人不能审核自己提交的备案", "the person who submitted cannot review it")
	}
	return nil
}

// MayEditRules says whether the actor may change the registry's rules and
// link rules: supervisors of a province or of the nation, and the local
// operator.
func (a *Actor) MayEditRules() error {
	if a.System || a.Has(RoleSupervisor) && len(a.RegionPath) <= 2 {
		return nil
	}
	return Forbidden("修改备案规则需要省级及以上监管人员", "changing the filing rules needs a supervisor of a province or above")
}

// CanManageUsers reports whether the actor's roles may administer users:
// system and unit administrators (ordinary accounts) and the security
// administrator (accounts holding sensitive roles).
func (a *Actor) CanManageUsers() bool {
	return a.HasAny(RoleSysAdmin, RoleUnitAdmin, RoleSecAdmin)
}

// SeesUsers reports whether the actor sees the users of their scope;
// everybody else sees only themselves.
func (a *Actor) SeesUsers() bool {
	return a.HasAny(RoleSysAdmin, RoleUnitAdmin, RoleSecAdmin, RoleSupervisor, RoleAuditor)
}

// SeesPhone reports whether the actor may see the phone number of a user:
// the user themself and those who administer users.
func (a *Actor) SeesPhone(userID int64) bool {
	return a.CanManageUsers() || a.UserID == userID
}

// MayGrant says whether the actor may give or withdraw these roles: the
// sensitive ones (Role.Sensitive) only the security administrator; the
// others a system administrator, and a unit administrator only staff and
// unit administrators. The security administrator grants nothing else, so
// neither administrator alone can make an account that reveals
// complainants (三员分立).
func (a *Actor) MayGrant(roles []Role) error {
	if a.System {
		return nil
	}
	for _, r := range roles {
		switch {
		case r.Sensitive():
			if !a.Has(RoleSecAdmin) {
				return Forbidden("只有安全保密管理员可以授予或收回“"+RoleNames[r]+"”角色", "only the security administrator grants or withdraws "+string(r))
			}
		case a.Has(RoleSysAdmin):
		case a.Has(RoleUnitAdmin):
			if r != RoleStaff && r != RoleUnitAdmin {
				return Forbidden("单位管理员只能授予“基层干部”和“单位管理员”角色,不能授予“"+RoleNames[r]+"”", "a unit administrator can only grant staff and unit_admin, not "+string(r))
			}
		default:
			return Forbidden("安全保密管理员只授予和收回敏感角色,“"+RoleNames[r]+"”由系统管理员授予", "the security administrator grants only sensitive roles; "+string(r)+" is granted by a system administrator")
		}
	}
	return nil
}

// MayManageAccount says whether the actor may change, reset the password
// of, disable, unlock or make tokens for an account holding these roles:
// an account with a sensitive role only the security administrator; any
// other the system administrator, and a unit administrator those holding
// only roles it could grant.
func (a *Actor) MayManageAccount(roles []Role) error {
	if a.System {
		return nil
	}
	for _, r := range roles {
		if r.Sensitive() {
			if a.Has(RoleSecAdmin) {
				return nil
			}
			return Forbidden("该账号持有敏感角色“"+RoleNames[r]+"”,只有安全保密管理员可以修改、重置密码或停用", "the account holds the sensitive role "+string(r)+": only the security administrator may change, reset or disable it")
		}
	}
	if a.Has(RoleSecAdmin) && !a.HasAny(RoleSysAdmin, RoleUnitAdmin) {
		return Forbidden("安全保密管理员只管理持有敏感角色的账号,普通账号由系统管理员管理", "the security administrator manages only accounts holding sensitive roles")
	}
	return a.MayGrant(roles)
}

// MayChangeRoles says whether the actor may change an account's roles from
// old to new: the security administrator may add or withdraw sensitive
// roles on any account in scope; every other change needs the right to
// manage the account and to grant each role added or withdrawn.
func (a *Actor) MayChangeRoles(old, new []Role) error {
	var diff []Role
	sensitiveOnly := true
	for _, r := range symmetricDiff(old, new) {
		diff = append(diff, r)
		sensitiveOnly = sensitiveOnly && r.Sensitive()
	}
	if len(diff) == 0 {
		return nil
	}
	if sensitiveOnly && a.Has(RoleSecAdmin) {
		return nil
	}
	if err := a.MayManageAccount(old); err != nil {
		return err
	}
	return a.MayGrant(diff)
}

func symmetricDiff(a, b []Role) []Role {
	in := func(rs []Role, r Role) bool {
		for _, x := range rs {
			if x == r {
				return true
			}
		}
		return false
	}
	var out []Role
	for _, r := range a {
		if !in(b, r) {
			out = append(out, r)
		}
	}
	for _, r := range b {
		if !in(a, r) {
			out = append(out, r)
		}
	}
	return out
}

// CanManageUnits says whether the actor may create or change units: system
// and unit administrators.
func (a *Actor) CanManageUnits() error {
	if !a.HasAny(RoleSysAdmin, RoleUnitAdmin) {
		return Forbidden("管理单位需要系统管理员或单位管理员角色", "managing units needs the system administrator or unit administrator role")
	}
	return nil
}

// MayFillForm says whether the actor may fill and submit a check form: the
// inspector it is assigned to, or a supervisor of the region.
func (a *Actor) MayFillForm(f *CheckForm) error {
	if a.System || a.Has(RoleSupervisor) && a.RegionWide() || a.UserID == f.InspectorID && a.HasAny(RoleInspector, RoleSupervisor) {
		return nil
	}
	return Forbidden("只有分配的抽查评估员或监管人员可以填写检查表单", "only the assigned inspector or a supervisor may fill the form")
}

// Inspects reports whether a user with these roles may be assigned check
// forms: inspectors and supervisors.
func Inspects(roles []Role) bool {
	for _, r := range roles {
		if r == RoleInspector || r == RoleSupervisor {
			return true
		}
	}
	return false
}

// Area is a part of the application that has its own menu entry (菜单).
type Area string

const (
	AreaRegistry   Area = "registry"   // 备案管理
	AreaBurden     Area = "burden"     // 负担监测
	AreaCases      Area = "cases"      // 问题线索
	AreaCampaigns  Area = "campaigns"  // 抽查评估, check forms and rectifications
	AreaEvaluation Area = "evaluation" // 评价
	AreaCleanup    Area = "cleanup"    // 清理退出
	AreaTypical    Area = "typical"    // 典型案例 (public pages; the entry is for those who work with cases)
	AreaRules      Area = "rules"      // 检测规则
	AreaAdmin      Area = "admin"      // 系统管理: units, users, regions, the audit log
)

// Areas lists the areas in the order of the menu.
var Areas = []Area{AreaRegistry, AreaBurden, AreaCases, AreaCampaigns, AreaEvaluation, AreaCleanup, AreaTypical, AreaRules, AreaAdmin}

// areaRoles says which roles use each area. The office's working roles
// use the working areas; unit administrators those of their own unit's
// channels and cases; grassroots staff rate their groups; the three
// administrators (三员) only administration. What an area shows each role
// is scoped further by the store.
var areaRoles = map[Area][]Role{
	AreaRegistry:   {RoleSupervisor, RoleReviewer, RoleInspector, RoleCaseHandler, RoleUnitAdmin, RoleSysAdmin},
	AreaBurden:     {RoleSupervisor, RoleReviewer, RoleInspector, RoleCaseHandler, RoleUnitAdmin},
	AreaCases:      append(append([]Role{}, caseRegionReaders...), RoleUnitAdmin),
	AreaCampaigns:  {RoleSupervisor, RoleReviewer, RoleInspector, RoleCaseHandler, RoleUnitAdmin},
	AreaEvaluation: {RoleSupervisor, RoleReviewer, RoleInspector, RoleCaseHandler, RoleUnitAdmin, RoleStaff},
	AreaCleanup:    {RoleSupervisor, RoleReviewer, RoleInspector, RoleCaseHandler, RoleUnitAdmin},
	AreaTypical:    {RoleSupervisor, RoleReviewer, RoleInspector, RoleCaseHandler, RoleUnitAdmin, RoleStaff, RoleReporterAccess},
	AreaRules:      {RoleSupervisor, RoleReviewer, RoleInspector, RoleCaseHandler, RoleUnitAdmin, RoleStaff},
	AreaAdmin:      {RoleSysAdmin, RoleSecAdmin, RoleAuditor, RoleUnitAdmin, RoleSupervisor},
}

// MayUse reports whether the actor's roles use the area: the menu shows
// it, and its pages answer (others are refused).
func (a *Actor) MayUse(area Area) bool {
	if a == nil {
		return false
	}
	return a.System || a.HasAny(areaRoles[area]...)
}

// areaNames name the areas in refusals.
var areaNames = map[Area]string{AreaRegistry: "备案管理", AreaBurden: "负担监测", AreaCases: "问题线索", AreaCampaigns: "抽查评估",
	AreaEvaluation: "评价", AreaCleanup: "清理退出", AreaTypical: "典型案例", AreaRules: "检测规则", AreaAdmin: "系统管理"}

// UseArea is MayUse as the error for a page of an area.
func (a *Actor) UseArea(area Area) error {
	if a.MayUse(area) {
		return nil
	}
	return Forbidden("您的角色不使用“"+areaNames[area]+"”功能,菜单中只列出您可以使用的功能", "your roles do not use "+string(area))
}
