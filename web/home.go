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

// homeTask is something the caller's roles do, first on the home page, with
// how many wait for it when that can be counted (-1: not counted).
type homeTask struct {
	Key, Path string
	Count     int
}

// homeTasks lists the caller's work by role: review and triage for the
// offices, answering and filing for units, reporting and rating for
// grassroots staff.
func (s *Server) homeTasks(r *http.Request, a *jianfu.Actor) ([]homeTask, error) {
	ctx := r.Context()
	var out []homeTask
	seen := map[string]bool{}
	add := func(key, path string, count func() (int, error)) error {
		if seen[key] {
			return nil
		}
		seen[key] = true
		n := -1
		if count != nil {
			var err error
			if n, err = count(); err != nil {
				return err
			}
		}
		out = append(out, homeTask{Key: key, Path: path, Count: n})
		return nil
	}
	cases := func(tab string) func() (int, error) {
		if s.svc.Cases == nil {
			return nil
		}
		return func() (int, error) {
			f := jianfu.CaseFilter{Page: jianfu.Page{Limit: 1}, Now: s.now()}
			f.SetView(tab)
			_, n, err := s.svc.Cases.FindCases(ctx, f)
			return n, err
		}
	}
	filings := func() (int, error) {
		_, n, err := s.svc.Channels.FindChannels(ctx, jianfu.ChannelFilter{Status: jianfu.StatusSubmitted, Page: jianfu.Page{Limit: 1}})
		return n, err
	}
	if s.svc.Channels == nil {
		filings = nil
	}
	type step struct {
		role      jianfu.Role
		key, path string
		count     func() (int, error)
	}
	for _, st := range []step{
		{jianfu.RoleReviewer, "review", "/registry?status=submitted", filings},
		{jianfu.RoleSupervisor, "triage", "/cases?view=triage", cases("triage")},
		{jianfu.RoleCaseHandler, "triage", "/cases?view=triage", cases("triage")},
		{jianfu.RoleSupervisor, "overdue", "/cases?view=overdue", cases("overdue")},
		{jianfu.RoleCaseHandler, "overdue", "/cases?view=overdue", cases("overdue")},
		{jianfu.RoleInspector, "campaigns", "/campaigns", nil},
		{jianfu.RoleReporterAccess, "cases", "/cases", nil},
		{jianfu.RoleAuditor, "audit", "/audit", nil},
		{jianfu.RoleSysAdmin, "users", "/users", nil},
		{jianfu.RoleUnitAdmin, "answer", "/cases?view=open", cases("open")},
		{jianfu.RoleUnitAdmin, "file", "/registry/new", nil},
		{jianfu.RoleUnitAdmin, "upload", "/burden/upload", nil},
		{jianfu.RoleUnitAdmin, "report", "/complaint?from=staff", nil},
		{jianfu.RoleStaff, "report", "/complaint?from=staff", nil},
		{jianfu.RoleUnitAdmin, "rate", "/evaluation/rate", nil},
		{jianfu.RoleStaff, "rate", "/evaluation/rate", nil},
	} {
		if !a.Has(st.role) {
			continue
		}
		if err := add(st.key, st.path, st.count); err != nil {
			return nil, err
		}
	}
	return out, nil
}
