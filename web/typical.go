package web

import (
	"net/http"

	"jianfu"
)

// showTypicalList is the public page of typical cases (典型案例).
func (s *Server) showTypicalList(w http.ResponseWriter, r *http.Request) error {
	l := newList(r, 20)
	q := r.URL.Query()
	f := jianfu.TypicalFilter{Category: q.Get("category"), Query: q.Get("q"), Page: l.Page()}
	if !jianfu.ValidCategory(f.Category) {
		f.Category = ""
	}
	list, total, err := s.svc.Typical.FindTypicalCases(r.Context(), f)
	if err != nil {
		return err
	}
	l.Total = total
	p := s.newPage(r, "typical")
	p.Title = p.T("nav.typical")
	p.Data = map[string]any{"Cases": list, "List": l, "Categories": categoryOptions()}
	s.render(w, r, "typical", p)
	return nil
}

func (s *Server) showTypical(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	t, err := s.svc.Typical.FindTypicalCase(r.Context(), id)
	if err != nil {
		return err
	}
	p := s.newPage(r, "typical")
	p.Title = t.Title
	p.Data = t
	s.render(w, r, "typical_case", p)
	return nil
}
