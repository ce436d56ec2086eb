package web

import (
	"net/http"
	"time"

	"jianfu"
)

// auditFilter reads the audit filters of a query string.
func auditFilter(r *http.Request, l *list) jianfu.AuditFilter {
	q := r.URL.Query()
	f := jianfu.AuditFilter{Actor: q.Get("actor"), Action: q.Get("action"), ObjectType: q.Get("object_type"), ObjectID: q.Get("object_id"), Page: l.Page()}
	if t, err := time.ParseInLocation("2006-01-02", q.Get("since"), jianfu.China); err == nil {
		f.Since = t
	}
	if t, err := time.ParseInLocation("2006-01-02", q.Get("until"), jianfu.China); err == nil {
		f.Until = t.AddDate(0, 0, 1)
	}
	return f
}

func (s *Server) showAudit(w http.ResponseWriter, r *http.Request) error {
	l := newList(r, 50)
	entries, total, err := s.svc.Audit.FindAuditEntries(r.Context(), auditFilter(r, l))
	if err != nil {
		return err
	}
	l.Total = total
	p := s.newPage(r, "admin")
	p.Title = p.T("audit.title")
	p.Data = map[string]any{"Entries": entries, "List": l}
	s.render(w, r, "audit", p)
	return nil
}
