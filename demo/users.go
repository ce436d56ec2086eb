package demo

import (
	"context"
	"fmt"
	"sort"

	"jianfu"
)

// user is a demo account with the unit it works in.
type user struct {
	jianfu.User
	unit  *unit
	scope string
}

// users creates the demo accounts: every role at the province, the
// capital, two of its districts (so each district supervisor visibly sees
// only its own district), a district 教育局, a township government, a
// village committee and a school; in the full province also the supervisors
// of a second city and of one of its counties.
func (g *gen) users(ctx context.Context) error {
	w := &g.w
	capital := w.cities[0]
	jn, jb := capital.counties[0], capital.counties[1]
	sup, rev, ins, cas := jianfu.RoleSupervisor, jianfu.RoleReviewer, jianfu.RoleInspector, jianfu.RoleCaseHandler
	pp, cp := province.Path, capital.region.Path

	g.addUser("sheng.jianguan", w.find(pp, "cac"), sup, rev)
	g.addUser("sheng.choucha", w.find(pp, "cac"), ins)
	g.addUser("sheng.xiansuo", w.find(pp, "cac"), cas)
	g.addUser("sheng.shenji", w.find(pp, "cac"), jianfu.RoleAuditor)
	g.addUser("sheng.admin", w.find(pp, "data"), jianfu.RoleSysAdmin)
	g.addUser("sheng.baomi", w.find(pp, "cac"), jianfu.RoleSecAdmin)

	g.addUser(capital.stem.py+".jianguan", w.find(cp, "cac"), sup, rev)
	g.addUser(capital.stem.py+".choucha", w.find(cp, "cac"), ins)
	g.addUser(capital.stem.py+".shenji", w.find(cp, "cac"), jianfu.RoleAuditor)

	for _, k := range []*county{jn, jb} {
		g.addUser(k.stem.py+".jianguan", w.find(k.region.Path, "cac"), sup, rev, cas)
		g.addUser(k.stem.py+".jiaoyu", w.find(k.region.Path, "edu"), jianfu.RoleUnitAdmin)
	}
	g.addUser(jn.stem.py+".xuexiao", w.find(jn.region.Path, "school1"), jianfu.RoleStaff)
	for _, t := range jn.townships {
		if t.kind == town {
			gov := w.find(t.region.Path, "gov")
			g.addUser(t.stem.py+".zhengfu", gov, jianfu.RoleUnitAdmin)
			v := t.villages[0] // always has a committee
			g.addUser(v.stem.py+".cunwei", w.find(v.region.Path, "committee"), jianfu.RoleStaff)
			break
		}
	}

	if len(w.cities) > 1 {
		c := w.cities[1]
		g.addUser(c.stem.py+".jianguan", w.find(c.region.Path, "cac"), sup, rev)
		for _, k := range c.counties {
			if k.kind == county_ {
				g.addUser(k.stem.py+".jianguan", w.find(k.region.Path, "cac"), sup, rev, cas)
				break
			}
		}
	}
	return g.writeUsers(ctx)
}

// addUser plans an account with a fresh name and phone number.
func (g *gen) addUser(username string, u *unit, roles ...jianfu.Role) {
	if u == nil {
		panic("demo: no unit for user " + username) // a bug in the plan
	}
	taken := map[string]bool{}
	for _, x := range g.w.users {
		taken[x.Name], taken[x.Phone] = true, true
	}
	name, phone := personName(g.rng), ""
	for taken[name] {
		name = personName(g.rng)
	}
	for phone == "" || taken[phone] {
		phone = fmt.Sprintf("1380000%04d", g.rng.IntN(10000)) // one block, so demo numbers are easy to spot
	}
	g.w.users = append(g.w.users, &user{unit: u, scope: g.scopeOf(u, roles), User: jianfu.User{
		Username: username, Name: name, Roles: roles, Phone: phone,
	}})
}

// scopeOf says in Chinese what a user with these roles in unit u sees.
func (g *gen) scopeOf(u *unit, roles []jianfu.Role) string {
	a := jianfu.Actor{Roles: roles}
	if !a.RegionWide() {
		for _, x := range g.w.units {
			if x.parent == u {
				return u.Name + "及下属单位"
			}
		}
		return "仅本单位(" + u.Name + ")"
	}
	var s string
	switch p := u.RegionPath; len(p) {
	case 2:
		s = province.Name + "全省"
	case 4:
		for _, c := range g.w.cities {
			if c.region.Path == p {
				s = c.region.Name + "全市"
			}
		}
	default:
		for _, c := range g.w.cities {
			for _, k := range c.counties {
				if k.region.Path == p {
					s = k.longName() + k.kind.whole()
				}
			}
		}
	}
	switch {
	case len(roles) == 1 && roles[0] == jianfu.RoleAuditor:
		s += "的审计日志"
	case len(roles) == 1 && roles[0] == jianfu.RoleSysAdmin:
		s += "(系统管理:单位与普通账号)"
	case len(roles) == 1 && roles[0] == jianfu.RoleSecAdmin:
		s += "(安全保密管理:授予和收回敏感角色)"
	}
	return s
}

// writeUsers creates the accounts one by one (each hashes its password
// with argon2id) and lists their logins from the province down.
func (g *gen) writeUsers(ctx context.Context) error {
	for _, u := range g.w.users {
		u.UnitID = u.unit.ID
		if err := g.db.Users().CreateUser(ctx, &u.User, g.opts.Password); err != nil {
			return fmt.Errorf("create user %s: %w", u.Username, err)
		}
		g.sum.Logins = append(g.sum.Logins, Login{
			Username: u.Username, Password: g.opts.Password, Name: u.Name, Roles: u.Roles,
			UnitName: u.unit.Name, RegionPath: u.unit.RegionPath, Scope: u.scope,
		})
	}
	sort.SliceStable(g.sum.Logins, func(i, j int) bool {
		a, b := g.sum.Logins[i].RegionPath, g.sum.Logins[j].RegionPath
		return len(a) < len(b) || len(a) == len(b) && a < b
	})
	g.sum.Users = len(g.w.users)
	return nil
}
