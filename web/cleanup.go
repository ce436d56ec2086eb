package web

import (
	"net/http"
	"strconv"

	"golang.org/x/sync/errgroup"

	"jianfu"
	"jianfu/report"
)

func (s *Server) cleanupPages(mux *http.ServeMux) {
	mux.Handle("GET /cleanup", s.h(s.login(s.showCleanup)))
	mux.Handle("POST /cleanup/orders", s.h(s.login(s.issueOrder)))
	mux.Handle("GET /cleanup/orders/{id}", s.h(s.login(s.showOrder)))
	mux.Handle("POST /cleanup/orders/{id}/confirm", s.h(s.login(s.confirmOrder)))
	mux.Handle("POST /cleanup/orders/{id}/appeal", s.h(s.login(s.appealOrder)))
	mux.Handle("POST /cleanup/orders/{id}/decision", s.h(s.login(s.decideOrder)))
}

// candidateFilter reads the signal, kind and thresholds from a query; an
// unknown signal is the API's to refuse.
func candidateFilter(r *http.Request, p jianfu.Page) jianfu.CandidateFilter {
	q := r.URL.Query()
	f := jianfu.CandidateFilter{Signal: jianfu.SignalKind(q.Get("signal")), Kind: jianfu.ChannelKind(q.Get("kind")), Page: p}
	f.Rules.ZombieDays, _ = strconv.Atoi(q.Get("zombie_days"))
	f.Rules.LowMembers, _ = strconv.Atoi(q.Get("low_members"))
	f.Rules.MinFailures, _ = strconv.Atoi(q.Get("min_failures"))
	_ = queryRegion(q, &f.RegionPath) // pages ignore a bad code in a filter
	return f
}

func (s *Server) showCleanup(w http.ResponseWriter, r *http.Request) error {
	if wantsWorkbook(r) {
		filter := func(r *http.Request, p jianfu.Page) (jianfu.CandidateFilter, error) {
			return candidateFilter(r, p), nil
		}
		return exportList(w, r, filter, s.svc.Cleanup.FindCandidates, func(rows []*jianfu.CleanupCandidate, maker string) (*report.File, error) {
			return report.CandidateList(rows, maker, s.now())
		})
	}
	return s.renderCleanup(w, r, nil, http.StatusOK)
}

func (s *Server) renderCleanup(w http.ResponseWriter, r *http.Request, formErr error, status int) error {
	ctx := r.Context()
	l := newList(r, 50)
	f := candidateFilter(r, l.Page())
	// the candidates and the orders are independent reads: read them at once
	var (
		cands          []*jianfu.CleanupCandidate
		orders         []*jianfu.ExitOrder
		total, nOrders int
	)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		cands, total, err = s.svc.Cleanup.FindCandidates(gctx, f)
		return err
	})
	g.Go(func() (err error) {
		orders, nOrders, err = s.svc.Cleanup.FindOrders(gctx, jianfu.OrderFilter{Status: jianfu.OrderStatus(r.URL.Query().Get("order_status")), Page: jianfu.Page{Limit: 100}})
		return err
	})
	if err := g.Wait(); err != nil {
		return err
	}
	l.Total = total
	p := s.newPage(r, "cleanup")
	p.Title = p.T("nav.cleanup")
	p.Error = formErr
	p.Data = map[string]any{"Candidates": cands, "List": l, "Orders": orders, "NOrders": nOrders, "Signals": jianfu.SignalKinds,
		"Kinds": jianfu.ChannelKinds, "Rules": f.Rules.WithDefaults()}
	p.Status = status
	s.render(w, r, "cleanup", p)
	return nil
}

func (s *Server) issueOrder(w http.ResponseWriter, r *http.Request) error {
	in := jianfu.OrderInput{Reason: r.PostFormValue("reason")}
	in.ChannelID, _ = strconv.ParseInt(r.PostFormValue("channel_id"), 10, 64)
	in.DeadlineDays, _ = strconv.Atoi(r.PostFormValue("deadline_days"))
	return formAction(w, r, func() (string, error) {
		o, err := s.svc.Cleanup.IssueExitOrder(r.Context(), in)
		if err != nil {
			return "", err
		}
		return "/cleanup/orders/" + itoa(o.ID), nil
	}, func(err error, status int) error { return s.renderCleanup(w, r, err, status) })
}

func (s *Server) showOrder(w http.ResponseWriter, r *http.Request) error {
	return s.renderOrder(w, r, nil, http.StatusOK)
}

func (s *Server) renderOrder(w http.ResponseWriter, r *http.Request, formErr error, status int) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	o, err := s.svc.Cleanup.FindOrderByID(r.Context(), id)
	if err != nil {
		return err
	}
	p := s.newPage(r, "cleanup")
	p.Title = p.T("cleanup.order.title", o.ChannelName)
	p.Error = formErr
	p.Data = map[string]any{"Order": o}
	p.Status = status
	s.render(w, r, "cleanup_order", p)
	return nil
}

// orderAction runs an answer to the order of the path and shows the order
// again.
func (s *Server) orderAction(w http.ResponseWriter, r *http.Request, answer func(id int64) (*jianfu.ExitOrder, error)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return formAction(w, r, func() (string, error) {
		_, err := answer(id)
		return "/cleanup/orders/" + itoa(id), err
	}, func(err error, status int) error { return s.renderOrder(w, r, err, status) })
}

func (s *Server) confirmOrder(w http.ResponseWriter, r *http.Request) error {
	return s.orderAction(w, r, func(id int64) (*jianfu.ExitOrder, error) {
		return s.svc.Cleanup.ConfirmExit(r.Context(), id, r.PostFormValue("note"), r.PostFormValue("dissolved") == "1")
	})
}

func (s *Server) appealOrder(w http.ResponseWriter, r *http.Request) error {
	return s.orderAction(w, r, func(id int64) (*jianfu.ExitOrder, error) {
		return s.svc.Cleanup.AppealExit(r.Context(), id, r.PostFormValue("reason"))
	})
}

func (s *Server) decideOrder(w http.ResponseWriter, r *http.Request) error {
	return s.orderAction(w, r, func(id int64) (*jianfu.ExitOrder, error) {
		return s.svc.Cleanup.DecideAppeal(r.Context(), id, r.PostFormValue("uphold") == "1", r.PostFormValue("note"))
	})
}
