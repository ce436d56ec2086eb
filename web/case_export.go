package web

import (
	"net/http"
	"net/url"
	"strconv"

	"jianfu"
	"jianfu/calendar"
	"jianfu/report"
	"jianfu/tabular"
)

// caseExportURL is the ledger link of the queue's current view and filters.
func caseExportURL(r *http.Request) string {
	q := url.Values{}
	for _, k := range []string{"view", "q", "category", "source", "unit", "region"} {
		if v := r.URL.Query().Get(k); v != "" {
			q.Set(k, v)
		}
	}
	if len(q) == 0 {
		return "/cases/export.xlsx"
	}
	return "/cases/export.xlsx?" + q.Encode()
}

// exportCasesPage downloads the queue as it is filtered on the page: the
// case ledger (问题线索台账).
func (s *Server) exportCasesPage(format tabular.Format) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		f, _ := s.caseFilter(r, newList(r, 50))
		return s.sendCaseLedger(w, r, f, format)
	}
}

// apiExportCases is GET /api/v1/cases/export: the ledger with the list's filters.
func (s *Server) apiExportCases(w http.ResponseWriter, r *http.Request) error {
	f, err := s.apiCaseFilter(r, jianfu.Page{})
	if err != nil {
		return err
	}
	format := tabular.XLSX
	switch v := r.URL.Query().Get("format"); v {
	case "", "xlsx":
	case "csv":
		format = tabular.CSV
	default:
		return jianfu.Errorf(jianfu.EINVALID, "format 应为 xlsx 或 csv:%s", "format is xlsx or csv, not %q", v)
	}
	return s.sendCaseLedger(w, r, f, format)
}

func (s *Server) sendCaseLedger(w http.ResponseWriter, r *http.Request, f jianfu.CaseFilter, format tabular.Format) error {
	now := s.now()
	f.Now = now
	file, n, err := report.CaseLedger(format, calendar.Default(), now, func(add func(*jianfu.Case) error) (int, error) {
		return s.svc.Cases.ExportCases(r.Context(), f, add)
	})
	if err != nil {
		return err
	}
	w.Header().Set("X-Rows", strconv.Itoa(n))
	return download(w, file)
}
