package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"jianfu"
	"jianfu/detect"
	"jianfu/report"
)

// burdenPages registers burden monitoring (负担监测): rankings, group and
// unit detail, the findings feed, 多头报送 clusters, clues, people, the
// chat-export upload, and the platform callbacks (public, verified by the
// platforms' signatures).
func (s *Server) burdenPages(mux *http.ServeMux) {
	mux.Handle("GET /burden", s.h(s.login(s.showBurden)))
	mux.Handle("GET /burden/regions", s.h(s.login(s.showBurdenRegions)))
	mux.Handle("GET /burden/groups/{id}", s.h(s.login(s.showBurdenGroup)))
	mux.Handle("GET /burden/units/{id}", s.h(s.login(s.showBurdenUnit)))
	mux.Handle("GET /burden/findings", s.h(s.login(s.showFindings)))
	mux.Handle("GET /burden/clusters", s.h(s.login(s.showClusters)))
	mux.Handle("GET /burden/clusters/{id}", s.h(s.login(s.showCluster)))
	mux.Handle("GET /burden/clues", s.h(s.login(s.showClues)))
	mux.Handle("POST /burden/clues", s.h(s.login(s.raiseClue)))
	mux.Handle("GET /burden/people", s.h(s.login(s.showPeople)))
	mux.Handle("GET /burden/upload", s.h(s.login(s.showUpload)))
	mux.Handle("POST /burden/upload", s.h(capBody(uploadLimit, s.login(s.doUpload))))
	s.hookRoutes(mux)
}

// capBody caps a request body before anything reads it (the CSRF check
// parses forms). Unlike limitBody it leaves the parsing of a large upload
// to the form reader, which keeps big files on disk.
func capBody(n int64, next handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if r.ContentLength > n {
			return tooLarge(n)
		}
		r.Body = http.MaxBytesReader(w, r.Body, n)
		return next(w, r)
	}
}

// burdenWindow reads the window of a burden view: days (7, 30, 90, 180 or
// 365; default 30) ending at until (YYYY-MM-DD; default today).
func burdenWindow(r *http.Request, now time.Time) (days, since, until int, err error) {
	q := r.URL.Query()
	days = 30
	if v := q.Get("days"); v != "" {
		n, e := strconv.Atoi(v)
		if e != nil || n < 1 || n > 731 {
			return 0, 0, 0, jianfu.Errorf(jianfu.EINVALID, "days 应为1至731之间的天数,收到“%s”", "days must be a number of days from 1 to 731, got %q", v)
		}
		days = n
	}
	until = jianfu.DayOf(now)
	if v := q.Get("until"); v != "" {
		t, e := time.ParseInLocation("2006-01-02", v, jianfu.China)
		if e != nil {
			return 0, 0, 0, jianfu.Errorf(jianfu.EINVALID, "until 应为日期 YYYY-MM-DD,收到“%s”", "until must be a date YYYY-MM-DD, got %q", v)
		}
		until = jianfu.DayOf(t)
	}
	since = jianfu.AddDays(until, -(days - 1))
	return days, since, until, nil
}

// dayString formats a YYYYMMDD day.
func dayString(d int) string {
	return fmt.Sprintf("%04d-%02d-%02d", d/10000, d/100%100, d%100)
}

// findingView is a finding as pages show it: the excerpt cut into
// highlighted segments, and the clauses its rules cite.
type findingView struct {
	*jianfu.Finding
	Segments []segment
	Rules    []detect.Rule
}

func (s *Server) viewFindings(fs []*jianfu.Finding) []findingView {
	out := make([]findingView, len(fs))
	for i, f := range fs {
		v := findingView{Finding: f}
		spans := make([]detect.Span, len(f.Spans))
		seen := map[string]bool{}
		for k, sp := range f.Spans {
			spans[k] = detect.Span{Start: sp.Start, End: sp.End, Category: jianfu.Category(sp.Category), Rule: sp.Rule}
			if s.svc.Detector != nil && !seen[sp.Rule] {
				seen[sp.Rule] = true
				if rule, ok := s.svc.Detector.Rule(sp.Rule); ok {
					v.Rules = append(v.Rules, rule)
				}
			}
		}
		v.Segments = highlight(f.Excerpt, spans)
		out[i] = v
	}
	return out
}

// ClauseTexts lists a finding's distinct cited clauses.
func (v findingView) ClauseTexts() []detect.Clause {
	var out []detect.Clause
	seen := map[string]bool{}
	for _, r := range v.Rules {
		if r.Clause.Text != "" && !seen[r.Clause.Text] {
			seen[r.Clause.Text] = true
			out = append(out, r.Clause)
		}
	}
	return out
}

// burdenPage carries what every burden page shows in its header.
type burdenPage struct {
	Days, Since, Until int
	Formula            string
}

func (s *Server) burdenHead(p *page, days, since, until int) burdenPage {
	f := jianfu.BurdenFormula
	if p.Lang == "en" {
		f = jianfu.BurdenFormulaEn
	}
	return burdenPage{Days: days, Since: since, Until: until, Formula: f}
}

func (s *Server) showBurden(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	days, since, until, err := burdenWindow(r, s.now())
	if err != nil {
		return err
	}
	q := r.URL.Query()
	kind := q.Get("kind")
	if kind != "unit" {
		kind = "group"
	}
	l := newList(r, 50)
	var region string
	if err := queryRegion(q, &region); err != nil {
		return err
	}
	if wantsWorkbook(r) {
		filter := func(r *http.Request, p jianfu.Page) (jianfu.BurdenFilter, error) {
			return jianfu.BurdenFilter{Kind: kind, RegionPath: region, Since: since, Until: until, Query: q.Get("q"), Weeks: 1, Page: p}, nil
		}
		return exportList(w, r, filter, s.svc.Burden.BurdenRanking, func(rows []*jianfu.BurdenRow, maker string) (*report.File, error) {
			return report.BurdenRanking(kind, rows, maker, since, until, s.now())
		})
	}
	// The page's three reads are independent: read them at once, so that
	// a province-wide page waits for the slowest rather than for their
	// sum. The ranking and the summary share one read of the window.
	var (
		rows      []*jianfu.BurdenRow
		total     int
		sum       *jianfu.BurdenSummary
		recent    []*jianfu.Finding
		nFindings int
		clusters  []*jianfu.Cluster
		nClusters int
	)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		rows, total, sum, err = s.svc.Burden.BurdenOverview(gctx, jianfu.BurdenFilter{Kind: kind, RegionPath: region, Since: since, Until: until, Query: q.Get("q"), Page: l.Page()})
		return err
	})
	g.Go(func() (err error) {
		recent, nFindings, err = s.svc.Burden.FindFindings(gctx, jianfu.FindingFilter{Since: jianfu.DayTime(since), Until: jianfu.DayTime(jianfu.AddDays(until, 1)), Page: jianfu.Page{Limit: 5}})
		return err
	})
	g.Go(func() (err error) {
		clusters, nClusters, err = s.svc.Burden.FindClusters(gctx, jianfu.ClusterFilter{Page: jianfu.Page{Limit: 5}})
		return err
	})
	if err := g.Wait(); err != nil {
		return err
	}
	l.Total = total
	p := s.burdenPage(r)
	p.Title = p.T("nav.burden")
	p.Data = map[string]any{"Head": s.burdenHead(p, days, since, until), "Kind": kind, "Rows": rows, "List": l, "Summary": sum,
		"Recent": s.viewFindings(recent), "NFindings": nFindings, "Clusters": clusters, "NClusters": nClusters,
		"CanIngest": info(r).actor.CanIngest(), "CanClue": info(r).actor.CanRaiseClue()}
	s.render(w, r, "burden", p)
	return nil
}

func (s *Server) showBurdenGroup(w http.ResponseWriter, r *http.Request) error {
	return s.showBurdenDetail(w, r, "group")
}

func (s *Server) showBurdenUnit(w http.ResponseWriter, r *http.Request) error {
	return s.showBurdenDetail(w, r, "unit")
}

// importNote is the summary of a chat-export import shown after it.
type importNote struct {
	Format                              string
	Messages, New, Duplicates, Findings int
	Queued                              bool
}

func (s *Server) showBurdenDetail(w http.ResponseWriter, r *http.Request, kind string) error {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	days, since, until, err := burdenWindow(r, s.now())
	if err != nil {
		return err
	}
	q := r.URL.Query()
	step := q.Get("step")
	if step != "week" && step != "month" {
		step = "day"
	}
	get := s.svc.Burden.GroupBurden
	if kind == "unit" {
		get = s.svc.Burden.UnitBurden
	}
	d, err := get(ctx, id, step, since, until)
	if err != nil {
		return err
	}
	// the chart: 12 weeks ending with the window
	weekly, err := get(ctx, id, "week", jianfu.AddDays(until, -83), until)
	if err != nil {
		return err
	}
	var pts []chartPoint
	for _, p := range weekly.Series {
		pts = append(pts, chartPoint{Label: dayString(p.Start)[5:], Value: float64(p.Metrics.Demands), Line: p.Index.Value})
	}
	fs, l, err := findList(r, 20, func(_ *http.Request, p jianfu.Page) (jianfu.FindingFilter, error) {
		if kind == "group" {
			return jianfu.FindingFilter{GroupID: id, Page: p}, nil
		}
		return jianfu.FindingFilter{UnitID: id, Page: p}, nil
	}, s.svc.Burden.FindFindings)
	if err != nil {
		return err
	}
	var groups []*jianfu.BurdenRow
	if kind == "unit" {
		groups, _, err = s.svc.Burden.BurdenRanking(ctx, jianfu.BurdenFilter{UnitID: id, Since: since, Until: until, Page: jianfu.Page{Limit: 200}})
		if err != nil {
			return err
		}
	}
	p := s.burdenPage(r)
	p.Title = d.Row.Name
	var note *importNote
	if q.Get("imported") != "" {
		n := func(k string) int { v, _ := strconv.Atoi(q.Get(k)); return v }
		note = &importNote{Format: q.Get("format"), Messages: n("imported"), New: n("new"), Duplicates: n("dup"), Findings: n("findings"), Queued: q.Get("queued") == "1"}
	}
	var parts []indexPart
	if d.Row.Metrics.Messages > 0 {
		ix := d.Row.Index
		parts = []indexPart{
			{"burden.part.demands", jianfu.WeightDemands, ix.Demands},
			{"burden.part.offhours", jianfu.WeightOffhours, ix.Offhours},
			{"burden.part.assessed", jianfu.WeightAssessed, ix.Assessed},
			{"burden.part.load", jianfu.WeightLoad, ix.Load},
			{"burden.part.mentionall", jianfu.WeightMentionAll, ix.MentionAll},
		}
	}
	p.Data = map[string]any{"Head": s.burdenHead(p, days, since, until), "Kind": kind, "D": d, "Chart": barLineChart(pts, p.T("burden.chart.demands"), p.T("burden.chart.index")),
		"Findings": s.viewFindings(fs), "List": l, "Groups": groups, "Import": note, "Parts": parts, "Step": step,
		"CanIngest": info(r).actor.CanIngest(), "CanClue": info(r).actor.CanRaiseClue()}
	s.render(w, r, "burden_detail", p)
	return nil
}

// indexPart is one weighted part of the burden index, for the breakdown.
type indexPart struct {
	Key    string
	Weight float64
	Value  float64
}

// Points is the part's contribution to the index.
func (ip indexPart) Points() float64 { return 100 * ip.Weight * ip.Value }

// Percent is the part's value as a bar width class (0–10).
func (ip indexPart) Percent() int { return int(ip.Value*10 + 0.5) }

// categoryCodes are the codes of the eight categories in canonical order.
func categoryCodes() []string {
	out := make([]string, len(jianfu.Categories))
	for i, c := range jianfu.Categories {
		out[i] = string(c)
	}
	return out
}

// findingFilter reads the filters of the findings feed, the page's and the
// API's.
func findingFilter(r *http.Request, p jianfu.Page) (jianfu.FindingFilter, error) {
	q := r.URL.Query()
	f := jianfu.FindingFilter{Category: q.Get("category"), Query: q.Get("q"), Page: p}
	if f.Category != "" && !jianfu.Category(f.Category).Valid() {
		return f, jianfu.Errorf(jianfu.EINVALID, "类别“%s”无效,可选:%s", "unknown category %q; use one of %s", f.Category, strings.Join(categoryCodes(), ", "))
	}
	for key, dst := range map[string]*int64{"group_id": &f.GroupID, "unit_id": &f.UnitID, "cluster_id": &f.ClusterID} {
		if err := queryID(q, key, dst); err != nil {
			return f, err
		}
	}
	for key, dst := range map[string]*time.Time{"since": &f.Since, "until": &f.Until} {
		if v := q.Get(key); v != "" {
			t, err := time.ParseInLocation("2006-01-02", v, jianfu.China)
			if err != nil {
				return f, jianfu.Errorf(jianfu.EINVALID, "%s 应为日期 YYYY-MM-DD", "%s must be a date YYYY-MM-DD", key)
			}
			if key == "until" {
				t = t.AddDate(0, 0, 1)
			}
			*dst = t
		}
	}
	return f, nil
}

// clusterFilter reads the filter of the 多头报送 clusters.
func clusterFilter(r *http.Request, p jianfu.Page) (jianfu.ClusterFilter, error) {
	return jianfu.ClusterFilter{Query: r.URL.Query().Get("q"), Page: p}, nil
}

// clueFilter reads the filters of the clue list.
func clueFilter(r *http.Request, p jianfu.Page) (jianfu.ClueFilter, error) {
	q := r.URL.Query()
	return jianfu.ClueFilter{Status: q.Get("status"), Kind: q.Get("kind"), Page: p}, nil
}

// burdenPage starts a page of burden monitoring; it says so when the user
// just raised a clue from it.
func (s *Server) burdenPage(r *http.Request) *page {
	p := s.newPage(r, "burden")
	if id := r.URL.Query().Get("clue"); id != "" {
		p.Flash = p.T("burden.clue.raised", id)
	}
	return p
}

func (s *Server) showFindings(w http.ResponseWriter, r *http.Request) error {
	fs, l, err := findList(r, 30, findingFilter, s.svc.Burden.FindFindings)
	if err != nil {
		return err
	}
	p := s.burdenPage(r)
	p.Title = p.T("burden.findings")
	p.Data = map[string]any{"Findings": s.viewFindings(fs), "List": l, "Categories": jianfu.Categories, "CanClue": info(r).actor.CanRaiseClue()}
	s.render(w, r, "burden_findings", p)
	return nil
}

func (s *Server) showClusters(w http.ResponseWriter, r *http.Request) error {
	cs, l, err := findList(r, 30, clusterFilter, s.svc.Burden.FindClusters)
	if err != nil {
		return err
	}
	p := s.burdenPage(r)
	p.Title = p.T("burden.clusters")
	p.Data = map[string]any{"Clusters": cs, "List": l, "Clause": jianfu.OneFormClause, "CanClue": info(r).actor.CanRaiseClue()}
	s.render(w, r, "burden_clusters", p)
	return nil
}

func (s *Server) showCluster(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.svc.Burden.FindClusterByID(r.Context(), id)
	if err != nil {
		return err
	}
	p := s.burdenPage(r)
	p.Title = p.T("burden.cluster.title", c.Units)
	l := subList(r, "offset", "members", 50)
	members := window(l, c.Members)
	p.Data = map[string]any{"C": c, "Members": s.viewFindings(members), "List": l, "Clause": jianfu.OneFormClause, "CanClue": info(r).actor.CanRaiseClue()}
	s.render(w, r, "burden_cluster", p)
	return nil
}

func (s *Server) showClues(w http.ResponseWriter, r *http.Request) error {
	cs, l, err := findList(r, 30, clueFilter, s.svc.Burden.FindClues)
	if err != nil {
		return err
	}
	p := s.burdenPage(r)
	p.Title = p.T("burden.clues")
	p.Data = map[string]any{"Clues": cs, "List": l}
	s.render(w, r, "burden_clues", p)
	return nil
}

// raiseClue turns a finding or cluster into a clue and goes back to where
// the button was, saying so.
func (s *Server) raiseClue(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PostFormValue("id"), 10, 64)
	if err != nil {
		return jianfu.Errorf(jianfu.EINVALID, "缺少要转为线索的记录编号", "the id of the record to raise is missing")
	}
	c, err := s.svc.Burden.RaiseClue(r.Context(), r.PostFormValue("kind"), id)
	if err != nil {
		return err
	}
	back := r.PostFormValue("back")
	if !strings.HasPrefix(back, "/burden") || strings.HasPrefix(back, "//") {
		back = "/burden/clues"
	}
	u, err := url.Parse(back)
	if err != nil {
		u = &url.URL{Path: "/burden/clues"}
	}
	v := u.Query()
	v.Set("clue", itoa(c.ID))
	u.RawQuery = v.Encode()
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
	return nil
}

func (s *Server) showPeople(w http.ResponseWriter, r *http.Request) error {
	l := newList(r, 50)
	min, _ := strconv.Atoi(r.URL.Query().Get("min"))
	ps, total, st, err := s.svc.Burden.FindPeople(r.Context(), jianfu.PeopleFilter{MinGroups: max(min, 2), Page: l.Page()})
	if err != nil {
		return err
	}
	l.Total = total
	p := s.burdenPage(r)
	p.Title = p.T("burden.people")
	p.Data = map[string]any{"People": ps, "List": l, "Stats": st, "Min": max(min, 2)}
	s.render(w, r, "burden_people", p)
	return nil
}

// regionView reads the region a burden-by-region view is about (region,
// or parent in the API: a division code; the caller's region when absent)
// and its trail of ancestors down from the caller's own region, for the
// breadcrumb.
func (s *Server) regionView(r *http.Request, param string) (path string, trail []*jianfu.Region, err error) {
	ctx := r.Context()
	a := info(r).actor
	code := strings.TrimSpace(r.URL.Query().Get(param))
	if code == "" {
		path = a.RegionPath
	} else if _, path, _, err = jianfu.ParseRegionCode(code); err != nil {
		return "", nil, err
	}
	if len(path) < len(a.RegionPath) || path[:len(a.RegionPath)] != a.RegionPath {
		path = a.RegionPath // nothing above one's own region
	}
	for p := path; ; {
		reg, err := s.svc.Regions.FindRegion(ctx, jianfu.CodeOfPath(p))
		if err != nil {
			return "", nil, err
		}
		trail = append([]*jianfu.Region{reg}, trail...)
		if len(p) <= len(a.RegionPath) || reg.ParentPath == p {
			break
		}
		p = reg.ParentPath
	}
	return path, trail, nil
}

// showBurdenRegions is burden by region (各地区负担): the child regions of
// a region with their index, bands, groups and trend, a chart, a drill
// down, and the ranking as a workbook (?format=xlsx).
func (s *Server) showBurdenRegions(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	days, since, until, err := burdenWindow(r, s.now())
	if err != nil {
		return err
	}
	path, trail, err := s.regionView(r, "region")
	if err != nil {
		return err
	}
	rows, err := s.svc.Burden.RegionBurden(ctx, jianfu.BurdenFilter{RegionPath: path, Since: since, Until: until})
	if err != nil {
		return err
	}
	here := trail[len(trail)-1]
	if r.URL.Query().Get("format") == "xlsx" {
		f, err := report.RegionBurdenRanking(here.Name, rows, info(r).actor.UnitName, since, until, s.now())
		if err != nil {
			return err
		}
		return download(w, f)
	}
	var bars []bar
	for _, x := range rows {
		b := bar{Label: x.Name, Value: x.Index, Class: "lvl-" + x.Level}
		if !x.Own && jianfu.ChildPathLen(x.RegionPath) > 0 {
			b.Href = fmt.Sprintf("/burden/regions?region=%s&days=%d", jianfu.CodeOfPath(x.RegionPath), days)
		}
		bars = append(bars, b)
	}
	p := s.burdenPage(r)
	p.Title = p.T("burden.regions.title", here.Name)
	p.Data = map[string]any{"Head": s.burdenHead(p, days, since, until), "Rows": rows, "Trail": trail, "Here": here, "Chart": barChart(bars, ""),
		"Levels": jianfu.BurdenLevels}
	s.render(w, r, "burden_regions", p)
	return nil
}
