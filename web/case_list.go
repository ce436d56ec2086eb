package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"jianfu"
	"jianfu/calendar"
	"jianfu/report"
)

// caseView is a case with what its row shows about the deadline.
type caseView struct {
	*jianfu.Case
	Overdue      bool
	DueSoon      bool
	Left         int // working days left on the deadline's days, 0 on the last day
	Late         int // working days past the deadline
	DueDay       string
	StageName    string
	CategoryName string
}

func (s *Server) viewCase(p *page, c *jianfu.Case, now time.Time) *caseView {
	v := &caseView{Case: c, CategoryName: p.T("cat." + c.Category)}
	if c.Stage != "" {
		v.StageName = p.T("case.stage." + string(c.Stage))
	}
	if c.DueAt != nil && c.Status.Open() {
		last := c.DueAt.Add(-24 * time.Hour)
		v.DueDay = last.In(jianfu.China).Format("2006-01-02")
		if c.Overdue(now) {
			v.Overdue = true
			v.Late = c.LateWorkdays(calendar.Default(), now)
		} else {
			v.Left = calendar.Default().WorkdaysBetween(now, last)
			v.DueSoon = c.RemindedAt != nil
		}
	}
	return v
}

// caseTab is one of the queue's views.
type caseTab struct {
	Key   string
	Count int
	On    bool
}

func (s *Server) caseFilter(r *http.Request, l *list) (jianfu.CaseFilter, string) {
	q := r.URL.Query()
	f := jianfu.CaseFilter{Category: q.Get("category"), Source: jianfu.CaseSource(q.Get("source")), Query: q.Get("q"), Page: l.Page(), Now: s.now()}
	if !jianfu.ValidCategory(f.Category) {
		f.Category = ""
	}
	if !f.Source.Valid() {
		f.Source = ""
	}
	if v, err := strconv.ParseInt(q.Get("unit"), 10, 64); err == nil {
		f.UnitID = v
	}
	_ = queryRegion(q, &f.RegionPath) // pages ignore a bad code in a filter
	tab := q.Get("view")
	if !f.SetView(tab) {
		tab = "" // pages ignore an unknown view
	}
	return f, tab
}

// showCases is the queue of clues and cases (问题线索).
func (s *Server) showCases(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	l := newList(r, 50)
	if l.Sort == "" {
		// A queue: what is due first (the overdue, longest late) on top.
		l.Sort = "due"
	}
	f, tab := s.caseFilter(r, l)
	cases, total, err := s.svc.Cases.FindCases(ctx, f)
	p := s.newPage(r, "cases")
	p.Title = p.T("nav.cases")
	if jianfu.ErrorCode(err) == jianfu.EFORBIDDEN {
		// Roles that do not handle cases learn what they can do instead.
		p.Data = map[string]any{"NoAccess": true}
		s.render(w, r, "cases", p)
		return nil
	}
	if err != nil {
		return err
	}
	l.Total = total
	now := s.now()
	var tabs []caseTab
	for _, key := range jianfu.CaseViews {
		tf := jianfu.CaseFilter{Now: now, Page: jianfu.Page{Limit: 1}}
		tf.SetView(key)
		_, n, err := s.svc.Cases.FindCases(ctx, tf)
		if err != nil {
			return err
		}
		tabs = append(tabs, caseTab{Key: key, Count: n, On: key == tab})
	}
	views := make([]*caseView, len(cases))
	for i, c := range cases {
		views[i] = s.viewCase(p, c, now)
	}
	if r.URL.Query().Get("swept") != "" {
		p.Flash = p.T("cases.swept", r.URL.Query().Get("swept"))
	}
	p.Data = map[string]any{"Cases": views, "List": l, "Tabs": tabs, "Tab": tab, "Categories": categoryOptions(), "Sources": jianfu.CaseSources,
		"ExportURL": caseExportURL(r)}
	s.render(w, r, "cases", p)
	return nil
}

// svgBar is one bar of an inline SVG chart.
type svgBar struct {
	Label        string
	Y, W, TextX  int
	Value, Total int
	OpenW        int
}

// showOverdue is the overdue board per unit and per region (超期看板).
func (s *Server) showOverdue(w http.ResponseWriter, r *http.Request) error {
	b, err := s.svc.Deadlines.OverdueBoard(r.Context())
	if err != nil {
		return err
	}
	if wantsWorkbook(r) {
		f, err := report.OverdueRanking(b, info(r).actor.UnitName, s.now())
		if err != nil {
			return err
		}
		return download(w, f)
	}
	p := s.newPage(r, "cases")
	p.Title = p.T("cases.overdue.title")
	// A horizontal bar chart of open and overdue cases per region,
	// rendered on the server: no script, no inline style.
	var bars []svgBar
	most := 1
	for _, row := range b.Regions {
		most = max(most, row.Open)
	}
	for i, row := range b.Regions {
		if i == 12 {
			break
		}
		open := row.Open * 380 / most
		bars = append(bars, svgBar{Label: row.Name, Y: 8 + i*26, W: row.Overdue * 380 / most, OpenW: open, TextX: 130 + open + 6, Value: row.Overdue, Total: row.Open})
	}
	ul, rl := subList(r, "uoffset", "byunit", 30), subList(r, "roffset", "byregion", 30)
	p.Data = map[string]any{"Board": b, "Bars": bars, "ChartHeight": 16 + len(bars)*26,
		"Units": window(ul, b.Units), "UnitList": ul, "Regions": window(rl, b.Regions), "RegionList": rl}
	s.render(w, r, "case_overdue", p)
	return nil
}

// showCaseNew is the form to add a clue found by the office.
func (s *Server) showCaseNew(w http.ResponseWriter, r *http.Request) error {
	return s.renderCaseNew(w, r, &jianfu.Clue{Source: jianfu.SourceManual, RegionCode: info(r).actor.RegionPath}, nil, http.StatusOK)
}

func (s *Server) renderCaseNew(w http.ResponseWriter, r *http.Request, cl *jianfu.Clue, formErr error, status int) error {
	p := s.newPage(r, "cases")
	p.Title = p.T("cases.new")
	p.Error = formErr
	p.Data = map[string]any{"Clue": cl, "Categories": categoryOptions(),
		"Sources": []jianfu.CaseSource{jianfu.SourceManual, jianfu.SourceSpotCheck, jianfu.SourceMonitoring, jianfu.SourceTechCheck, jianfu.SourceSelfCheck}}
	p.Status = status
	s.render(w, r, "case_new", p)
	return nil
}

func (s *Server) createClue(w http.ResponseWriter, r *http.Request) error {
	cl := &jianfu.Clue{Source: jianfu.CaseSource(r.PostFormValue("source")), SourceRef: r.PostFormValue("source_ref"), Category: r.PostFormValue("category"),
		RegionCode: strings.TrimSpace(r.PostFormValue("region_code")), Description: r.PostFormValue("description")}
	cl.ChannelID, _ = strconv.ParseInt(r.PostFormValue("channel_id"), 10, 64)
	cl.Proposed = s.svc.Detector.Propose(cl.Description)
	return formAction(w, r, func() (string, error) {
		c, _, err := s.svc.Intake.CreateClue(r.Context(), cl)
		if err != nil {
			return "", err
		}
		return "/cases/" + itoa(c.ID) + "?done=created", nil
	}, func(err error, status int) error { return s.renderCaseNew(w, r, cl, err, status) })
}

// sweepCases runs the deadline check now, for the caller's region.
func (s *Server) sweepCases(w http.ResponseWriter, r *http.Request) error {
	return formAction(w, r, func() (string, error) {
		res, err := s.svc.Deadlines.SweepDeadlines(r.Context(), s.now())
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("/cases?swept=%d/%d/%d", res.Reminded, res.Overdue, res.Escalated), nil
	}, nil)
}

func (s *Server) showDeadlines(w http.ResponseWriter, r *http.Request) error {
	return s.renderDeadlines(w, r, nil, http.StatusOK)
}

func (s *Server) renderDeadlines(w http.ResponseWriter, r *http.Request, formErr error, status int) error {
	list, err := s.svc.Deadlines.CaseDeadlines(r.Context())
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, p := range list {
		have[p.Category] = true
	}
	var missing []string
	for _, c := range jianfu.CaseCategories {
		if !have[string(c)] {
			missing = append(missing, string(c))
		}
	}
	a := info(r).actor
	p := s.newPage(r, "cases")
	p.Title = p.T("cases.deadlines.title")
	p.Error = formErr
	p.Data = map[string]any{"Policies": list, "Missing": missing, "CanEdit": a.Has(jianfu.RoleSupervisor) && len(a.RegionPath) <= 2,
		"Calendar": coverage(calendar.Default(), s.now())}
	p.Status = status
	s.render(w, r, "case_deadlines", p)
	return nil
}

func (s *Server) saveDeadlines(w http.ResponseWriter, r *http.Request) error {
	num := func(k string) int { v, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue(k))); return v }
	pol := &jianfu.DeadlinePolicy{Category: r.PostFormValue("category"), Triage: num("triage"), Answer: num("answer"), Rectify: num("rectify"),
		Verify: num("verify"), Remind: num("remind"), Escalate: num("escalate")}
	return formAction(w, r, func() (string, error) {
		return "/cases/deadlines?saved=1", s.svc.Deadlines.SetCaseDeadlines(r.Context(), pol)
	}, func(err error, status int) error { return s.renderDeadlines(w, r, err, status) })
}

// calendarCoverage is what the deadlines page says of the holiday data:
// the years it covers and a year deadlines may soon need but it lacks.
type calendarCoverage struct {
	First, Last int
	Missing     int // 0: nothing missing
}

func coverage(cal *calendar.Calendar, now time.Time) calendarCoverage {
	c := calendarCoverage{Missing: cal.Uncovered(now)}
	c.First, c.Last = cal.Years()
	return c
}
