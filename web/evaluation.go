package web

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"

	"jianfu"
	"jianfu/report"
)

func (s *Server) evaluationPages(mux *http.ServeMux) {
	mux.Handle("GET /evaluation", s.h(s.login(s.showEvaluation)))
	mux.Handle("POST /evaluation/recompute", s.h(s.login(s.recomputeScorecards)))
	mux.Handle("GET /evaluation/rate", s.h(anonymous(s.login(s.showRate))))
	mux.Handle("POST /evaluation/rate/{id}", s.h(anonymous(s.login(s.rateChannel))))
	mux.Handle("GET /evaluation/channels/{id}", s.h(s.login(s.showScorecard)))
}

func (s *Server) showEvaluation(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	if by := q.Get("export"); wantsWorkbook(r) && (by == "unit" || by == "region") {
		filter := func(r *http.Request, p jianfu.Page) (jianfu.RankingFilter, error) {
			f := jianfu.RankingFilter{By: by, Period: q.Get("period"), Page: p}
			return f, queryRegion(q, &f.RegionPath)
		}
		return exportList(w, r, filter, s.svc.Evaluation.Rankings, func(rows []*jianfu.UnitScore, maker string) (*report.File, error) {
			period := q.Get("period")
			if period == "" {
				period = jianfu.Period(s.now())
			}
			return report.UnitScoreRanking(by, rows, maker, period, s.now())
		})
	}
	l := newList(r, 50)
	if l.Sort == "" {
		l.Sort = "-total"
	}
	f := jianfu.ScorecardFilter{Kind: jianfu.ChannelKind(q.Get("kind")), Query: q.Get("q"), Page: l.Page()}
	_ = queryRegion(q, &f.RegionPath) // pages ignore a bad code in a filter
	cards, total, err := s.svc.Evaluation.FindScorecards(ctx, f)
	if err != nil {
		return err
	}
	l.Total = total
	units, _, err := s.svc.Evaluation.Rankings(ctx, jianfu.RankingFilter{By: "unit", Page: jianfu.Page{Limit: 20}})
	if err != nil {
		return err
	}
	regions, _, err := s.svc.Evaluation.Rankings(ctx, jianfu.RankingFilter{By: "region", Page: jianfu.Page{Limit: 50}})
	if err != nil {
		return err
	}
	trend, err := s.svc.Evaluation.Trend(ctx, 0)
	if err != nil {
		return err
	}
	p := s.newPage(r, "evaluation")
	p.Title = p.T("nav.evaluation")
	if v := q.Get("recomputed"); v != "" {
		p.Flash = p.T("eval.recomputed", v)
	}
	p.Data = map[string]any{"Cards": cards, "List": l, "Units": units, "Regions": regions, "Trend": trendChart(trend, p.T("eval.trend.label")),
		"Kinds": jianfu.ChannelKinds}
	s.render(w, r, "evaluation", p)
	return nil
}

func (s *Server) recomputeScorecards(w http.ResponseWriter, r *http.Request) error {
	return formAction(w, r, func() (string, error) {
		n, err := s.svc.Evaluation.RecomputeScorecards(r.Context())
		return "/evaluation?recomputed=" + strconv.Itoa(n), err
	}, nil)
}

func (s *Server) showScorecard(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	ch, err := s.channelReader().FindChannelByID(ctx, id)
	if err != nil {
		return err
	}
	sc, err := s.svc.Evaluation.FindScorecard(ctx, id)
	if err != nil && jianfu.ErrorCode(err) != jianfu.ENOTFOUND {
		return err
	}
	ratings, err := s.svc.Evaluation.Ratings(ctx, id, r.URL.Query().Get("quarter"))
	if err != nil {
		return err
	}
	checks, _, err := s.svc.Monitor.FindMonitorChecks(ctx, id, jianfu.Page{Limit: 20})
	if err != nil {
		return err
	}
	forms, _, err := s.svc.Campaigns.FindForms(ctx, jianfu.FormFilter{ChannelID: id, Page: jianfu.Page{Limit: 20, Sort: "-submitted"}})
	if err != nil {
		return err
	}
	p := s.newPage(r, "evaluation")
	p.Title = ch.Name
	p.Data = map[string]any{"Channel": ch, "Card": sc, "Ratings": ratings, "Checks": checks, "Forms": forms,
		"Hist": ratingBars(ratings)}
	s.render(w, r, "evaluation_channel", p)
	return nil
}

// channelReader reads channels through the registry; pages of this
// capability need only FindChannelByID, and answer "not found" on a server
// built without the registry.
func (s *Server) channelReader() jianfu.ChannelService {
	if s.svc.Channels != nil {
		return s.svc.Channels
	}
	return noChannels{}
}

type noChannels struct{ jianfu.ChannelService }

func (noChannels) FindChannelByID(context.Context, int64) (*jianfu.Channel, error) {
	return nil, jianfu.Errorf(jianfu.ENOTFOUND, "渠道不存在或不在您的管辖范围内", "channel not found or outside your scope")
}

// rateableFilter reads the search of the channels a user may rate.
func rateableFilter(r *http.Request, p jianfu.Page) (jianfu.ChannelFilter, error) {
	return jianfu.ChannelFilter{Query: r.URL.Query().Get("q"), Page: p}, nil
}

func (s *Server) showRate(w http.ResponseWriter, r *http.Request) error {
	return s.renderRate(w, r, nil, http.StatusOK)
}

func (s *Server) renderRate(w http.ResponseWriter, r *http.Request, formErr error, status int) error {
	items, l, err := findList(r, 50, rateableFilter, s.svc.Evaluation.RateableChannels)
	if err != nil {
		return err
	}
	p := s.newPage(r, "evaluation")
	p.Title = p.T("eval.rate.title")
	p.Error = formErr
	if r.URL.Query().Get("rated") == "1" {
		p.Flash = p.T("eval.rate.thanks")
	}
	p.Data = map[string]any{"Items": items, "List": l, "Scores": []int{1, 2, 3, 4, 5}}
	p.Status = status
	s.render(w, r, "evaluation_rate", p)
	return nil
}

func (s *Server) rateChannel(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	score, _ := strconv.Atoi(r.PostFormValue("score"))
	return formAction(w, r, func() (string, error) {
		err := s.svc.Evaluation.RateChannel(r.Context(), &jianfu.Rating{ChannelID: id, Score: score, Comment: r.PostFormValue("comment")})
		return "/evaluation/rate?rated=1", err
	}, func(err error, status int) error { return s.renderRate(w, r, err, status) })
}

// Delta says how a score moved since the period before: up, down, same or new.
// Verdict is what a scorecard without a total says instead: the veto and
// its reason, or the missing components.
func (p *page) Verdict(sc *jianfu.Scorecard) string {
	if p.Lang != "en" {
		return sc.Verdict()
	}
	if sc.Veto != "" {
		return "veto: " + sc.Veto
	}
	var missing []string
	for _, c := range jianfu.ScoreComponents {
		for _, m := range sc.Missing() {
			if m == c.Label {
				missing = append(missing, c.English)
			}
		}
	}
	return "insufficient data (missing " + strings.Join(missing, ", ") + ")"
}

// Change is the size of a change against the period before, signed.
func (p *page) Change(s *jianfu.UnitScore) string {
	if s.Change == nil {
		return ""
	}
	return strconv.FormatFloat(math.Abs(*s.Change), 'f', 1, 64)
}

func (p *page) Delta(s *jianfu.UnitScore) string {
	switch {
	case s.Score == nil || s.Previous == nil:
		return "new"
	case *s.Score > *s.Previous:
		return "up"
	case *s.Score < *s.Previous:
		return "down"
	}
	return "same"
}
