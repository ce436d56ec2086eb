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
	p := s.newPage(r, "home")
	p.Title = p.T("nav.home")
	p.Data = map[string]any{
		"Region": region, "Units": units, "Users": users, "Levels": levels, "ByType": byType,
		"Types": jianfu.UnitTypes, "Own": own, "Modules": modules, "Scope": a.ScopeLabel(), "Dashboard": dash,
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
