package web

import (
	"net/http"
	"time"

	"jianfu"
	"jianfu/report"
)

// auditFilter reads the audit filters of a query string, the page's and
// the API's; a date it cannot read is left out.
func auditFilter(r *http.Request, p jianfu.Page) (jianfu.AuditFilter, error) {
	q := r.URL.Query()
	f := jianfu.AuditFilter{Actor: q.Get("actor"), Action: q.Get("action"), ObjectType: q.Get("object_type"), ObjectID: q.Get("object_id"), Page: p}
	if t, err := time.ParseInLocation("2006-01-02", q.Get("since"), jianfu.China); err == nil {
		f.Since = t
	}
	if t, err := time.ParseInLocation("2006-01-02", q.Get("until"), jianfu.China); err == nil {
		f.Until = t.AddDate(0, 0, 1)
	}
	return f, nil
}

func (s *Server) showAudit(w http.ResponseWriter, r *http.Request) error {
	if wantsWorkbook(r) {
		return exportList(w, r, auditFilter, s.svc.Audit.FindAuditEntries, func(rows []*jianfu.AuditEntry, maker string) (*report.File, error) {
			return report.AuditLog(rows, maker, s.now())
		})
	}
	entries, l, err := findList(r, 50, auditFilter, s.svc.Audit.FindAuditEntries)
	if err != nil {
		return err
	}
	p := s.newPage(r, "admin")
	p.Title = p.T("audit.title")
	p.Data = map[string]any{"Entries": entries, "List": l}
	s.render(w, r, "audit", p)
	return nil
}
