package web

import (
	"net/http"

	"jianfu"
)

func typicalFilter(r *http.Request, p jianfu.Page) (jianfu.TypicalFilter, error) {
	q := r.URL.Query()
	f := jianfu.TypicalFilter{Category: q.Get("category"), Query: q.Get("q"), Page: p}
	if !jianfu.ValidCategory(f.Category) {
		f.Category = "" // pages ignore an unknown category
	}
	return f, nil
}

// showTypicalList is the public page of typical cases (典型案例).
func (s *Server) showTypicalList(w http.ResponseWriter, r *http.Request) error {
	list, l, err := findList(r, 20, typicalFilter, s.svc.Typical.FindTypicalCases)
	if err != nil {
		return err
	}
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
