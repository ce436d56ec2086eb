package web

import (
	"net/http"

	"jianfu"
	"jianfu/report"
)

// loadReport reads what a spot check's tables and notice show; the store
// audits the read (what names the file's kind).
func (s *Server) loadReport(r *http.Request, what string) (*jianfu.CampaignReport, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return s.svc.Campaigns.CampaignReport(r.Context(), id, what)
}

// campaignReportXLSX downloads the campaign's tables (.xlsx).
func (s *Server) campaignReportXLSX(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.loadReport(r, "xlsx")
	if err != nil {
		return err
	}
	f, err := report.CampaignWorkbook(rep)
	if err != nil {
		return err
	}
	return download(w, f)
}

// campaignNoticeDOCX downloads the notice (通报) naming the failed channels
// with their 整改意见 and rectification deadlines (.docx).
func (s *Server) campaignNoticeDOCX(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.loadReport(r, "docx")
	if err != nil {
		return err
	}
	f, err := report.CampaignNotice(rep, s.now())
	if err != nil {
		return err
	}
	return download(w, f)
}
