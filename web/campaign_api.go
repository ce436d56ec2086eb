package web

import (
	"net/http"
	"strings"

	"jianfu"
)

// campaignsAPI is the JSON API of spot checks, scorecards and cleanup.
func (s *Server) campaignsAPI() []apiRoute {
	if s.svc.Campaigns == nil {
		return nil
	}
	return []apiRoute{
		{"GET", "/api/v1/campaigns", s.apiCampaigns},
		{"POST", "/api/v1/campaigns", s.apiCreateCampaign},
		{"GET", "/api/v1/campaigns/checklists", s.apiChecklists},
		{"POST", "/api/v1/campaigns/checklists", s.apiSaveChecklist},
		{"GET", "/api/v1/campaigns/rectifications", s.apiRectifications},
		{"POST", "/api/v1/campaigns/rectifications/{id}/done", s.apiRectified},
		{"GET", "/api/v1/campaigns/{id}", s.apiCampaign},
		{"POST", "/api/v1/campaigns/{id}/close", s.apiCloseCampaign},
		{"GET", "/api/v1/campaigns/{id}/verify", s.apiVerifySample},
		{"GET", "/api/v1/campaigns/{id}/results", s.apiCampaignResults},
		{"GET", "/api/v1/campaigns/{id}/forms", s.apiForms},
		{"GET", "/api/v1/campaigns/{id}/forms/{form}", s.apiForm},
		{"PUT", "/api/v1/campaigns/{id}/forms/{form}", s.apiSaveForm},

		{"GET", "/api/v1/scorecards", s.apiScorecards},
		{"POST", "/api/v1/scorecards/recompute", s.apiRecompute},
		{"GET", "/api/v1/scorecards/rankings", s.apiRankings},
		{"GET", "/api/v1/scorecards/dashboard", s.apiDashboard},
		{"GET", "/api/v1/scorecards/rateable", s.apiRateable},
		{"GET", "/api/v1/scorecards/{id}", s.apiScorecard},
		{"GET", "/api/v1/scorecards/{id}/ratings", s.apiRatings},
		{"POST", "/api/v1/scorecards/{id}/ratings", anonymous(s.apiRate)}, // the rater stays out of the logs
		{"GET", "/api/v1/scorecards/{id}/checks", s.apiChecks},

		{"GET", "/api/v1/cleanup/candidates", s.apiCandidates},
		{"GET", "/api/v1/cleanup/orders", s.apiOrders},
		{"POST", "/api/v1/cleanup/orders", s.apiIssueOrder},
		{"GET", "/api/v1/cleanup/orders/{id}", s.apiOrder},
		{"POST", "/api/v1/cleanup/orders/{id}/confirm", s.apiConfirmOrder},
		{"POST", "/api/v1/cleanup/orders/{id}/appeal", s.apiAppealOrder},
		{"POST", "/api/v1/cleanup/orders/{id}/decision", s.apiDecideOrder},
	}
}

func (s *Server) apiCampaigns(w http.ResponseWriter, r *http.Request) error {
	return listAPI(w, r, campaignFilter, s.svc.Campaigns.FindCampaigns)
}

// campaignInput is the body of POST /api/v1/campaigns.
type campaignInput struct {
	Name        string               `json:"name"`
	Region      string               `json:"region"`
	Kinds       []jianfu.ChannelKind `json:"kinds"`
	Platforms   []string             `json:"platforms"`
	UnitIDs     []int64              `json:"unit_ids"`
	SampleSize  int                  `json:"sample_size"`
	SampleRate  float64              `json:"sample_rate"`
	Seed        uint64               `json:"seed"`
	Inspectors  []int64              `json:"inspectors"`
	Deadline    string               `json:"deadline"`
	RectifyDays int                  `json:"rectify_days"`
}

func (s *Server) apiCreateCampaign(w http.ResponseWriter, r *http.Request) error {
	var in campaignInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	c := &jianfu.Campaign{Name: in.Name, Kinds: in.Kinds, Platforms: in.Platforms, UnitIDs: in.UnitIDs, SampleSize: in.SampleSize,
		SampleRate: in.SampleRate, Seed: in.Seed, Inspectors: in.Inspectors, Deadline: in.Deadline, RectifyDays: in.RectifyDays}
	c.RegionPath = info(r).actor.RegionPath
	if in.Region != "" {
		_, path, _, err := jianfu.ParseRegionCode(in.Region)
		if err != nil {
			return err
		}
		c.RegionPath = path
	}
	if err := s.svc.Campaigns.CreateCampaign(r.Context(), c); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) apiCampaign(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.svc.Campaigns.FindCampaignByID)
}

func (s *Server) apiCloseCampaign(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.svc.Campaigns.CloseCampaign)
}

func (s *Server) apiVerifySample(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.svc.Campaigns.VerifySample)
}

func (s *Server) apiCampaignResults(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.svc.Campaigns.CampaignResults)
}

func (s *Server) apiForms(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.svc.Campaigns.FindCampaignByID(r.Context(), id); err != nil {
		return err // a campaign out of scope is not found, not empty
	}
	return listAPI(w, r, func(r *http.Request, p jianfu.Page) (jianfu.FormFilter, error) {
		q := r.URL.Query()
		return jianfu.FormFilter{CampaignID: id, Status: jianfu.FormStatus(q.Get("status")), Failed: q.Get("failed") == "true", Page: p}, nil
	}, s.svc.Campaigns.FindForms)
}

func (s *Server) apiForm(w http.ResponseWriter, r *http.Request) error {
	f, list, err := s.formOf(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"form": f, "checklist": list})
	return nil
}

func (s *Server) apiSaveForm(w http.ResponseWriter, r *http.Request) error {
	f, _, err := s.formOf(r)
	if err != nil {
		return err
	}
	var in jianfu.FormInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	out, err := s.svc.Campaigns.SaveForm(r.Context(), f.ID, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiChecklists(w http.ResponseWriter, r *http.Request) error {
	lists, err := s.svc.Campaigns.FindChecklists(r.Context(), r.URL.Query().Get("key"))
	if err != nil {
		return err
	}
	return respondList(w, lists, len(lists), jianfu.Page{Limit: max(len(lists), 1)})
}

func (s *Server) apiSaveChecklist(w http.ResponseWriter, r *http.Request) error {
	var c jianfu.Checklist
	if err := decode(w, r, &c); err != nil {
		return err
	}
	c.ID, c.Version, c.CreatedBy, c.Current = 0, 0, "", false
	if err := s.svc.Campaigns.SaveChecklist(r.Context(), &c); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) apiRectifications(w http.ResponseWriter, r *http.Request) error {
	return listAPI(w, r, rectificationFilter, s.svc.Campaigns.FindRectifications)
}

// noteInput is a body that carries a note.
type noteInput struct {
	Note string `json:"note"`
}

func (s *Server) apiRectified(w http.ResponseWriter, r *http.Request) error {
	return changeByID(w, r, http.StatusOK, func(id int64, in noteInput) (*jianfu.Rectification, error) {
		return s.svc.Campaigns.MarkRectified(r.Context(), id, in.Note)
	})
}

func (s *Server) apiScorecards(w http.ResponseWriter, r *http.Request) error {
	return listAPI(w, r, apiScorecardFilter, s.svc.Evaluation.FindScorecards)
}

func apiScorecardFilter(r *http.Request, p jianfu.Page) (jianfu.ScorecardFilter, error) {
	q := r.URL.Query()
	f := jianfu.ScorecardFilter{Kind: jianfu.ChannelKind(q.Get("kind")), Query: q.Get("q"), Page: p}
	if err := queryRegion(q, &f.RegionPath); err != nil {
		return f, err
	}
	return f, queryID(q, "unit_id", &f.UnitID)
}

func (s *Server) apiRecompute(w http.ResponseWriter, r *http.Request) error {
	n, err := s.svc.Evaluation.RecomputeScorecards(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"channels": n})
	return nil
}

func (s *Server) apiRankings(w http.ResponseWriter, r *http.Request) error {
	return listAPI(w, r, apiRankingFilter, s.svc.Evaluation.Rankings)
}

func apiRankingFilter(r *http.Request, p jianfu.Page) (jianfu.RankingFilter, error) {
	q := r.URL.Query()
	f := jianfu.RankingFilter{By: q.Get("by"), Period: q.Get("period"), Page: p}
	if f.By == "" {
		f.By = "unit"
	}
	if f.By != "unit" && f.By != "region" {
		return f, jianfu.Errorf(jianfu.EINVALID, "by 应为 unit 或 region,收到“%s”", "by must be unit or region, got %q", f.By)
	}
	return f, queryRegion(q, &f.RegionPath)
}

func (s *Server) apiDashboard(w http.ResponseWriter, r *http.Request) error {
	d, err := s.svc.Evaluation.Dashboard(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) apiRateable(w http.ResponseWriter, r *http.Request) error {
	return listAPI(w, r, func(r *http.Request, p jianfu.Page) (jianfu.ChannelFilter, error) {
		return jianfu.ChannelFilter{Kind: jianfu.ChannelKind(r.URL.Query().Get("kind")), Page: p}, nil
	}, s.svc.Evaluation.RateableChannels)
}

func (s *Server) apiScorecard(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.svc.Evaluation.FindScorecard)
}

func (s *Server) apiRatings(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	q := r.URL.Query().Get("quarter")
	if q != "" && (len(q) != 6 || q[4] != 'Q' || strings.IndexByte("1234", q[5]) < 0) {
		return jianfu.Errorf(jianfu.EINVALID, "quarter 格式应为 2026Q1", "quarter is written like 2026Q1")
	}
	sum, err := s.svc.Evaluation.Ratings(r.Context(), id, q)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sum)
	return nil
}

// rateInput is the body of POST /api/v1/scorecards/{id}/ratings.
type rateInput struct {
	Score   int    `json:"score"`
	Comment string `json:"comment"`
}

func (s *Server) apiRate(w http.ResponseWriter, r *http.Request) error {
	return changeByID(w, r, http.StatusCreated, func(id int64, in rateInput) (*jianfu.Rating, error) {
		rt := &jianfu.Rating{ChannelID: id, Score: in.Score, Comment: in.Comment}
		return rt, s.svc.Evaluation.RateChannel(r.Context(), rt)
	})
}

func (s *Server) apiChecks(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := apiPage(r)
	if err != nil {
		return err
	}
	items, total, err := s.svc.Monitor.FindMonitorChecks(r.Context(), id, p)
	if err != nil {
		return err
	}
	return respondList(w, items, total, p)
}

func (s *Server) apiCandidates(w http.ResponseWriter, r *http.Request) error {
	return listAPI(w, r, apiCandidateFilter, s.svc.Cleanup.FindCandidates)
}

func apiCandidateFilter(r *http.Request, p jianfu.Page) (jianfu.CandidateFilter, error) {
	f := candidateFilter(r, p)
	if f.Signal != "" && !f.Signal.Valid() {
		return f, jianfu.Errorf(jianfu.EINVALID, "signal 取值无效:%s(可选 zombie、duplicate、low_use、expired_temp、failed)", "invalid signal %q (zombie, duplicate, low_use, expired_temp, failed)", f.Signal)
	}
	return f, nil
}

func (s *Server) apiOrders(w http.ResponseWriter, r *http.Request) error {
	return listAPI(w, r, func(r *http.Request, p jianfu.Page) (jianfu.OrderFilter, error) {
		return jianfu.OrderFilter{Status: jianfu.OrderStatus(r.URL.Query().Get("status")), Page: p}, nil
	}, s.svc.Cleanup.FindOrders)
}

func (s *Server) apiIssueOrder(w http.ResponseWriter, r *http.Request) error {
	var in jianfu.OrderInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	o, err := s.svc.Cleanup.IssueExitOrder(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, o)
	return nil
}

func (s *Server) apiOrder(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.svc.Cleanup.FindOrderByID)
}

// orderAnswer is the body of the confirm, appeal and decision calls.
type orderAnswer struct {
	Note      string `json:"note"`
	Dissolved bool   `json:"dissolved"`
	Reason    string `json:"reason"`
	Uphold    bool   `json:"uphold"`
}

func (s *Server) apiConfirmOrder(w http.ResponseWriter, r *http.Request) error {
	return changeByID(w, r, http.StatusOK, func(id int64, in orderAnswer) (*jianfu.ExitOrder, error) {
		return s.svc.Cleanup.ConfirmExit(r.Context(), id, in.Note, in.Dissolved)
	})
}

func (s *Server) apiAppealOrder(w http.ResponseWriter, r *http.Request) error {
	return changeByID(w, r, http.StatusOK, func(id int64, in orderAnswer) (*jianfu.ExitOrder, error) {
		return s.svc.Cleanup.AppealExit(r.Context(), id, in.Reason)
	})
}

func (s *Server) apiDecideOrder(w http.ResponseWriter, r *http.Request) error {
	return changeByID(w, r, http.StatusOK, func(id int64, in orderAnswer) (*jianfu.ExitOrder, error) {
		return s.svc.Cleanup.DecideAppeal(r.Context(), id, in.Uphold, in.Note)
	})
}
