package web

import (
	"fmt"
	"net/http"

	"jianfu"
	"jianfu/report"
)

// loadReport reads what a spot check's tables and notice show, and audits
// the download as a read of the results (what names the file's kind).
func (s *Server) loadReport(r *http.Request, what string) (*report.Campaign, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	c, err := s.svc.Campaigns.FindCampaignByID(ctx, id)
	if err != nil {
		return nil, err
	}
	rep := &report.Campaign{Campaign: c}
	for off := 0; ; off += 1000 {
		forms, total, err := s.svc.Campaigns.FindForms(ctx, jianfu.FormFilter{CampaignID: id, Page: jianfu.Page{Limit: 1000, Offset: off, Sort: "stratum"}})
		if err != nil {
			return nil, err
		}
		rep.Forms = append(rep.Forms, forms...)
		if off+1000 >= total {
			break
		}
	}
	if rep.Results, err = s.svc.Campaigns.CampaignResults(ctx, id); err != nil {
		return nil, err
	}
	if rep.Check, err = s.svc.Campaigns.VerifySample(ctx, id); err != nil {
		return nil, err
	}
	if err := s.svc.Audit.RecordAudit(ctx, &jianfu.AuditEntry{Action: "campaign.report", ObjectType: "campaign", ObjectID: itoa(id),
		RegionPath: c.RegionPath, Detail: fmt.Sprintf("%s, %d forms", what, len(rep.Forms))}); err != nil {
		return nil, err
	}
	return rep, nil
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
