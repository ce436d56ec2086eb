package web

import (
	"net/http"

	"jianfu"
)

// module is a capability with its own navigation entry.
type module struct {
	Key, Path string
	Live      bool // built: the capability registers its own page at Path
}

// modules lists the capabilities of the navigation that are still being
// built; each shows what it will do until it lands.
var modules = []module{
	{Key: "registry", Path: "/registry", Live: true},
	{Key: "cases", Path: "/cases", Live: true},
	{Key: "typical", Path: "/typical", Live: true},
}

func (s *Server) showModule(m module) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		p := s.newPage(r, m.Key)
		p.Title = p.T("nav." + m.Key)
		p.Data = m.Key
		s.render(w, r, "module", p)
		return nil
	}
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
