package web

import (
	"net/http"

	"jianfu"
)

// module is a capability, shown as a tile on the home page.
type module struct {
	Key, Path string
}

// modules lists the capabilities in the order of the navigation.
var modules = []module{
	{Key: "registry", Path: "/registry"},
	{Key: "burden", Path: "/burden"},
	{Key: "cases", Path: "/cases"},
	{Key: "campaigns", Path: "/campaigns"},
	{Key: "evaluation", Path: "/evaluation"},
	{Key: "cleanup", Path: "/cleanup"},
	{Key: "typical", Path: "/typical"},
	{Key: "rules", Path: "/rules"},
}

// regionOf returns the region of a short path ("" is the nation).
func (s *Server) regionOf(r *http.Request, path string) (*jianfu.Region, error) {
	if path == "" {
		return s.svc.Regions.FindRegion(r.Context(), jianfu.NationalCode)
	}
	return s.svc.Regions.FindRegion(r.Context(), path)
}

type levelCount struct {
	Level jianfu.Level
	Count int
}

func (s *Server) showHome(w http.ResponseWriter, r *http.Request) error {
	a := info(r).actor
	ctx := r.Context()
	region, err := s.regionOf(r, a.RegionPath)
	if err != nil {
		return err
	}
	_, units, err := s.svc.Units.FindUnits(ctx, jianfu.UnitFilter{Page: jianfu.Page{Limit: 1}})
	if err != nil {
		return err
	}
	_, users, err := s.svc.Users.FindUsers(ctx, jianfu.UserFilter{Page: jianfu.Page{Limit: 1}})
	if err != nil {
		return err
	}
	var levels []levelCount
	for _, l := range jianfu.Levels[region.Level.Rank()+1:] {
		_, n, err := s.svc.Regions.FindRegions(ctx, jianfu.RegionFilter{Level: l, Page: jianfu.Page{Limit: 1}})
		if err != nil {
			return err
		}
		if n > 0 {
			levels = append(levels, levelCount{l, n})
		}
	}
	byType := map[jianfu.UnitType]int{}
	for _, t := range jianfu.UnitTypes {
		_, n, err := s.svc.Units.FindUnits(ctx, jianfu.UnitFilter{Type: t, Page: jianfu.Page{Limit: 1}})
		if err != nil {
			return err
		}
		byType[t] = n
	}
	own, err := s.svc.Units.FindUnitByID(ctx, a.UnitID)
	if err != nil {
		return err
	}
	dash, err := s.dashboardData(r)
	if err != nil {
		return err
	}
	tasks, err := s.homeTasks(r, a)
	if err != nil {
		return err
	}
	p := s.newPage(r, "home")
	p.Title = p.T("nav.home")
	work, err := s.workbench(r, p)
	if err != nil {
		return err
	}
	var mods []module
	for _, m := range modules {
		if a.MayUse(jianfu.Area(m.Key)) {
			mods = append(mods, m)
		}
	}
	var notes []*jianfu.Notification
	if p.Unread > 0 {
		if notes, _, _, err = s.svc.Notifications.FindNotifications(ctx, jianfu.NotificationFilter{Unread: true, Page: jianfu.Page{Limit: 5}}); err != nil {
			return err
		}
	}
	p.Data = map[string]any{
		"Notes": notes, "Tasks": tasks, "Work": work, "Region": region, "Units": units, "Users": users, "Levels": levels, "ByType": byType,
		"Types": jianfu.UnitTypes, "Own": own, "Modules": mods, "Scope": a.ScopeLabel(), "Dashboard": dash,
	}
	s.render(w, r, "home", p)
	return nil
}

func (s *Server) showAdmin(w http.ResponseWriter, r *http.Request) error {
	p := s.newPage(r, "admin")
	p.Title = p.T("nav.admin")
	s.render(w, r, "admin", p)
	return nil
}

func (s *Server) showRegions(w http.ResponseWriter, r *http.Request) error {
	a := info(r).actor
	ctx := r.Context()
	parentPath := r.URL.Query().Get("parent")
	if parentPath == "" {
		parentPath = a.RegionPath
	}
	parent, err := s.regionOf(r, parentPath)
	if err != nil {
		return err
	}
	l := newList(r, 100)
	pp := parent.Path
	regions, total, err := s.svc.Regions.FindRegions(ctx, jianfu.RegionFilter{Parent: &pp, Query: r.URL.Query().Get("q"), Page: l.Page()})
	if err != nil {
		return err
	}
	l.Total = total
	// The trail from the actor's own region down to this one.
	var trail []*jianfu.Region
	for path := parent.Path; len(path) > len(a.RegionPath); path = jianfu.ParentPath(path) {
		reg, err := s.regionOf(r, jianfu.ParentPath(path))
		if err != nil {
			break
		}
		trail = append([]*jianfu.Region{reg}, trail...)
	}
	p := s.newPage(r, "admin")
	p.Title = p.T("regions.title")
	p.Data = map[string]any{"Parent": parent, "Regions": regions, "List": l, "Trail": trail}
	s.render(w, r, "regions", p)
	return nil
}

// homeTask is something the caller's roles do, a tile on the home page
// beside the work lists (workbench).
type homeTask struct {
	Key, Path string
	Count     int // -1: not counted
}

// homeTasks lists the caller's tiles by role: spot checks for inspectors,
// the audit log, users and units for the administrators, filing and
// uploads for units, reporting, progress and rating for grassroots staff.
func (s *Server) homeTasks(_ *http.Request, a *jianfu.Actor) ([]homeTask, error) {
	var out []homeTask
	seen := map[string]bool{}
	for _, st := range []struct {
		role      jianfu.Role
		key, path string
	}{
		{jianfu.RoleInspector, "campaigns", "/campaigns"},
		{jianfu.RoleReporterAccess, "cases", "/cases"},
		{jianfu.RoleAuditor, "audit", "/audit"},
		{jianfu.RoleSysAdmin, "users", "/users"},
		{jianfu.RoleSecAdmin, "users", "/users"},
		{jianfu.RoleUnitAdmin, "file", "/registry/new"},
		{jianfu.RoleUnitAdmin, "upload", "/burden/upload"},
		{jianfu.RoleUnitAdmin, "report", "/complaint?from=staff"},
		{jianfu.RoleStaff, "report", "/complaint?from=staff"},
		{jianfu.RoleStaff, "track", "/track"},
		{jianfu.RoleUnitAdmin, "rate", "/evaluation/rate"},
		{jianfu.RoleStaff, "rate", "/evaluation/rate"},
	} {
		if !a.Has(st.role) || seen[st.key] {
			continue
		}
		seen[st.key] = true
		out = append(out, homeTask{Key: st.key, Path: st.path, Count: -1})
	}
	return out, nil
}
