package web

import (
	"net/http"
	"strings"

	"jianfu"
	"jianfu/report"
)

// reportPages registers the situation reports (形势分析): a form choosing
// the period and the region, and the Word document or its Excel appendix.
func (s *Server) reportPages(mux *http.ServeMux) {
	mux.Handle("GET /reports", s.h(s.login(s.showReports)))
	mux.Handle("GET /reports/situation", s.h(s.login(s.downloadSituation)))
}

// showReports is the form: monthly or quarterly, which period (last month
// and last quarter preset), which region (the caller's own and those just
// below it).
func (s *Server) showReports(w http.ResponseWriter, r *http.Request) error {
	a := info(r).actor
	if !a.System && !a.Has(jianfu.RoleSupervisor) {
		return jianfu.Errorf(jianfu.EFORBIDDEN, "生成形势分析需要监管人员角色", "situation reports need the supervisor role")
	}
	ctx := r.Context()
	here, err := s.svc.Regions.FindRegion(ctx, jianfu.CodeOfPath(a.RegionPath))
	if err != nil {
		return err
	}
	regions := []*jianfu.Region{here}
	if jianfu.ChildPathLen(a.RegionPath) > 0 {
		parent := a.RegionPath
		kids, _, err := s.svc.Regions.FindRegions(ctx, jianfu.RegionFilter{Parent: &parent, Page: jianfu.Page{Limit: 200}})
		if err != nil {
			return err
		}
		regions = append(regions, kids...)
	}
	now := s.now().In(jianfu.China)
	lastMonth := now.AddDate(0, -1, 0)
	lastQuarter := jianfu.Quarter(now.AddDate(0, -3, 0))
	p := s.newPage(r, "burden")
	p.Title = p.T("reports.title")
	p.Data = map[string]any{"Regions": regions, "Month": lastMonth.Format("2006-01"), "Quarter": lastQuarter}
	s.render(w, r, "reports", p)
	return nil
}

// downloadSituation composes the situation report of a region (a division
// code; the caller's region when absent) over a period (2026-11 or
// 2026Q4): format docx (the default) or xlsx (the appendix).
func (s *Server) downloadSituation(w http.ResponseWriter, r *http.Request) error {
	a := info(r).actor
	if !a.System && !a.Has(jianfu.RoleSupervisor) {
		return jianfu.Errorf(jianfu.EFORBIDDEN, "生成形势分析需要监管人员角色", "situation reports need the supervisor role")
	}
	q := r.URL.Query()
	cur, prev, yearAgo, err := jianfu.ParseSituationPeriod(strings.TrimSpace(q.Get("period")))
	if err != nil {
		return err
	}
	path, trail, err := s.regionView(r, "region")
	if err != nil {
		return err
	}
	here := trail[len(trail)-1]
	office := a.UnitName
	sit, err := jianfu.GatherSituation(r.Context(), jianfu.SituationSources{Burden: s.svc.Burden, Cases: s.svc.Cases, Deadlines: s.svc.Deadlines, Typical: s.svc.Typical},
		path, here.Name, office, cur, prev, yearAgo)
	if err != nil {
		return err
	}
	var f *report.File
	if q.Get("format") == "xlsx" {
		f, err = report.SituationAppendix(sit, s.now())
	} else {
		f, err = report.SituationReport(sit, s.now())
	}
	if err != nil {
		return err
	}
	return download(w, f)
}
