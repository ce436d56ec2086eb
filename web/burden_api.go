package web

import (
	"net/http"
	"strconv"

	"jianfu"
)

// burdenAPI lists the JSON endpoints of burden monitoring.
func (s *Server) burdenAPI() []apiRoute {
	return []apiRoute{
		{"POST", "/api/v1/messages", s.apiMessages},
		{"POST", "/api/v1/messages/export", s.apiMessagesExport},
		{"GET", "/api/v1/burden/summary", s.apiBurdenSummary},
		{"GET", "/api/v1/burden/regions", s.apiBurdenRegions},
		{"GET", "/api/v1/burden/groups", s.apiBurdenRanking("group")},
		{"GET", "/api/v1/burden/groups/{id}", s.apiBurdenDetail("group")},
		{"GET", "/api/v1/burden/units", s.apiBurdenRanking("unit")},
		{"GET", "/api/v1/burden/units/{id}", s.apiBurdenDetail("unit")},
		{"GET", "/api/v1/findings", s.apiFindings},
		{"GET", "/api/v1/findings/{id}", s.apiFinding},
		{"GET", "/api/v1/burden/clusters", s.apiClusters},
		{"GET", "/api/v1/burden/clusters/{id}", s.apiCluster},
		{"GET", "/api/v1/clues", s.apiClues},
		{"POST", "/api/v1/clues", s.apiRaiseClue},
		{"GET", "/api/v1/burden/people", s.apiPeople},
	}
}

func (s *Server) apiBurdenSummary(w http.ResponseWriter, r *http.Request) error {
	_, since, until, err := burdenWindow(r, s.now())
	if err != nil {
		return err
	}
	sum, err := s.svc.Burden.BurdenSummary(r.Context(), jianfu.BurdenFilter{Since: since, Until: until})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sum)
	return nil
}

func (s *Server) apiBurdenRanking(kind string) handler {
	filter := func(r *http.Request, p jianfu.Page) (jianfu.BurdenFilter, error) {
		_, since, until, err := burdenWindow(r, s.now())
		if err != nil {
			return jianfu.BurdenFilter{}, err
		}
		q := r.URL.Query()
		f := jianfu.BurdenFilter{Kind: kind, Since: since, Until: until, Query: q.Get("q"), Page: p}
		if err := queryID(q, "unit_id", &f.UnitID); err != nil {
			return f, err
		}
		if v := q.Get("weeks"); v != "" {
			if f.Weeks, err = strconv.Atoi(v); err != nil || f.Weeks < 1 || f.Weeks > 104 {
				return f, jianfu.Errorf(jianfu.EINVALID, "weeks 应为1至104之间的整数", "weeks must be an integer from 1 to 104")
			}
		}
		return f, nil
	}
	return func(w http.ResponseWriter, r *http.Request) error {
		return listAPI(w, r, filter, s.svc.Burden.BurdenRanking)
	}
}

func (s *Server) apiBurdenDetail(kind string) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		_, since, until, err := burdenWindow(r, s.now())
		if err != nil {
			return err
		}
		step := r.URL.Query().Get("step")
		if step != "" && step != "day" && step != "week" && step != "month" {
			return jianfu.Errorf(jianfu.EINVALID, "step 应为 day、week 或 month", "step must be day, week or month")
		}
		get := s.svc.Burden.GroupBurden
		if kind == "unit" {
			get = s.svc.Burden.UnitBurden
		}
		d, err := get(r.Context(), id, step, since, until)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, d)
		return nil
	}
}

func (s *Server) apiFindings(w http.ResponseWriter, r *http.Request) error {
	return listAPI(w, r, findingFilter, s.svc.Burden.FindFindings)
}

func (s *Server) apiFinding(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.svc.Burden.FindFindingByID)
}

func (s *Server) apiClusters(w http.ResponseWriter, r *http.Request) error {
	return listAPI(w, r, clusterFilter, s.svc.Burden.FindClusters)
}

func (s *Server) apiCluster(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.svc.Burden.FindClusterByID)
}

func (s *Server) apiClues(w http.ResponseWriter, r *http.Request) error {
	return listAPI(w, r, clueFilter, s.svc.Burden.FindClues)
}

// clueInput is the body of POST /api/v1/clues.
type clueInput struct {
	Kind string `json:"kind"`
	ID   int64  `json:"id"`
}

func (s *Server) apiRaiseClue(w http.ResponseWriter, r *http.Request) error {
	var in clueInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	c, err := s.svc.Burden.RaiseClue(r.Context(), in.Kind, in.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) apiPeople(w http.ResponseWriter, r *http.Request) error {
	p, err := apiPage(r)
	if err != nil {
		return err
	}
	min := 1
	if v := r.URL.Query().Get("min_groups"); v != "" {
		if min, err = strconv.Atoi(v); err != nil || min < 1 {
			return jianfu.Errorf(jianfu.EINVALID, "min_groups 应为正整数", "min_groups must be a positive integer")
		}
	}
	ps, total, st, err := s.svc.Burden.FindPeople(r.Context(), jianfu.PeopleFilter{MinGroups: min, Page: p})
	if err != nil {
		return err
	}
	if ps == nil {
		ps = []*jianfu.PersonGroups{}
	}
	p = p.Normalize()
	writeJSON(w, http.StatusOK, map[string]any{"items": ps, "total": total, "limit": p.Limit, "offset": p.Offset, "stats": st})
	return nil
}

// apiBurdenRegions answers each child region of parent (a division code;
// the caller's region when absent) with its index, band counts, messages,
// demands and weekly trend.
func (s *Server) apiBurdenRegions(w http.ResponseWriter, r *http.Request) error {
	_, since, until, err := burdenWindow(r, s.now())
	if err != nil {
		return err
	}
	path, trail, err := s.regionView(r, "parent")
	if err != nil {
		return err
	}
	rows, err := s.svc.Burden.RegionBurden(r.Context(), jianfu.BurdenFilter{RegionPath: path, Since: since, Until: until})
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []*jianfu.RegionBurden{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"parent": trail[len(trail)-1], "since": since, "until": until, "levels": jianfu.BurdenLevels, "regions": rows})
	return nil
}
