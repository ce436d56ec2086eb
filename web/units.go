package web

import (
	"net/http"
	"strconv"
	"strings"

	"jianfu"
)

func unitFilter(r *http.Request, p jianfu.Page) (jianfu.UnitFilter, error) {
	q := r.URL.Query()
	f := jianfu.UnitFilter{Type: jianfu.UnitType(q.Get("type")), Query: q.Get("q"), Page: p}
	_ = queryRegion(q, &f.RegionPath) // pages ignore a bad code in a filter
	f.ParentID, _ = strconv.ParseInt(q.Get("parent"), 10, 64)
	return f, nil
}

func (s *Server) showUnits(w http.ResponseWriter, r *http.Request) error {
	units, l, err := findList(r, 50, unitFilter, s.svc.Units.FindUnits)
	if err != nil {
		return err
	}
	p := s.newPage(r, "admin")
	p.Title = p.T("units.title")
	p.Data = map[string]any{"Units": units, "List": l, "Types": jianfu.UnitTypes}
	s.render(w, r, "units", p)
	return nil
}

func (s *Server) showUnit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderUnit(w, r, id, nil, http.StatusOK)
}

func (s *Server) renderUnit(w http.ResponseWriter, r *http.Request, id int64, formErr error, status int) error {
	ctx := r.Context()
	u, err := s.svc.Units.FindUnitByID(ctx, id)
	if err != nil {
		return err
	}
	var parent *jianfu.Unit
	if u.ParentID != 0 {
		parent, _ = s.svc.Units.FindUnitByID(ctx, u.ParentID) // nil when the parent is above the caller's scope
	}
	children, nChildren, err := s.svc.Units.FindUnits(ctx, jianfu.UnitFilter{ParentID: id, Page: jianfu.Page{Limit: 200, Sort: "name"}})
	if err != nil {
		return err
	}
	users, nUsers, err := s.svc.Users.FindUsers(ctx, jianfu.UserFilter{UnitID: id, Page: jianfu.Page{Limit: 200}})
	if err != nil {
		return err
	}
	p := s.newPage(r, "admin")
	p.Title = u.Name
	p.Error = formErr
	p.Data = map[string]any{"Unit": u, "Parent": parent, "Children": children, "NChildren": nChildren, "Users": users, "NUsers": nUsers, "Types": jianfu.UnitTypes}
	p.Status = status
	s.render(w, r, "unit", p)
	return nil
}

func (s *Server) showUnitNew(w http.ResponseWriter, r *http.Request) error {
	u := &jianfu.Unit{Type: jianfu.UnitGovernment}
	if v, err := strconv.ParseInt(r.URL.Query().Get("parent"), 10, 64); err == nil {
		parent, err := s.svc.Units.FindUnitByID(r.Context(), v)
		if err != nil {
			return err
		}
		u.ParentID, u.RegionCode = parent.ID, parent.RegionCode
	}
	return s.renderUnitForm(w, r, u, nil, http.StatusOK)
}

func (s *Server) renderUnitForm(w http.ResponseWriter, r *http.Request, u *jianfu.Unit, formErr error, status int) error {
	var parent *jianfu.Unit
	if u.ParentID != 0 {
		parent, _ = s.svc.Units.FindUnitByID(r.Context(), u.ParentID)
	}
	p := s.newPage(r, "admin")
	p.Title = p.T("units.new")
	p.Error = formErr
	p.Data = map[string]any{"Unit": u, "Parent": parent, "Types": jianfu.UnitTypes}
	p.Status = status
	s.render(w, r, "unit_new", p)
	return nil
}

func (s *Server) createUnit(w http.ResponseWriter, r *http.Request) error {
	u := &jianfu.Unit{
		Name:       r.PostFormValue("name"),
		Type:       jianfu.UnitType(r.PostFormValue("type")),
		RegionCode: strings.TrimSpace(r.PostFormValue("region_code")),
		CreditCode: r.PostFormValue("credit_code"),
	}
	u.ParentID, _ = strconv.ParseInt(r.PostFormValue("parent_id"), 10, 64)
	return formAction(w, r, func() (string, error) {
		err := s.svc.Units.CreateUnit(r.Context(), u)
		return "/units/" + itoa(u.ID) + "?saved=1", err
	}, func(err error, status int) error { return s.renderUnitForm(w, r, u, err, status) })
}

func (s *Server) updateUnit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	name, typ, code := r.PostFormValue("name"), jianfu.UnitType(r.PostFormValue("type")), strings.ToUpper(strings.TrimSpace(r.PostFormValue("credit_code")))
	disabled := r.PostFormValue("disabled") == "1"
	return formAction(w, r, func() (string, error) {
		_, err := s.svc.Units.UpdateUnit(r.Context(), id, jianfu.UnitUpdate{Name: &name, Type: &typ, CreditCode: &code, Disabled: &disabled})
		return "/units/" + itoa(id) + "?saved=1", err
	}, func(err error, status int) error { return s.renderUnit(w, r, id, err, status) })
}
