package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"jianfu"
	"jianfu/report"
)

// campaignPages registers the pages of spot checks (抽查评估), evaluation
// (评价), cleanup (清理退出) and the checklists and rectification items.
func (s *Server) campaignPages(mux *http.ServeMux) {
	if s.svc.Campaigns == nil {
		return
	}
	mux.Handle("GET /campaigns", s.h(s.login(s.showCampaigns)))
	mux.Handle("GET /forms", s.h(s.login(s.showMyForms)))
	mux.Handle("GET /campaigns/new", s.h(s.login(s.showCampaignNew)))
	mux.Handle("POST /campaigns", s.h(s.login(s.createCampaign)))
	mux.Handle("GET /campaigns/{id}", s.h(s.login(s.showCampaign)))
	mux.Handle("POST /campaigns/{id}/close", s.h(s.login(s.closeCampaign)))
	mux.Handle("GET /campaigns/{id}/report.xlsx", s.h(s.login(s.campaignReportXLSX)))
	mux.Handle("GET /campaigns/{id}/notice.docx", s.h(s.login(s.campaignNoticeDOCX)))
	mux.Handle("GET /campaigns/{id}/forms/{form}", s.h(s.login(s.showCheckForm)))
	mux.Handle("POST /campaigns/{id}/forms/{form}", s.h(s.login(s.saveCheckForm)))
	mux.Handle("GET /checklists", s.h(s.login(s.showChecklists)))
	mux.Handle("GET /checklists/{id}", s.h(s.login(s.showChecklist)))
	mux.Handle("POST /checklists/{id}", s.h(s.login(s.saveChecklist)))
	mux.Handle("GET /rectifications", s.h(s.login(s.showRectifications)))
	mux.Handle("POST /rectifications/{id}/done", s.h(s.login(s.doneRectification)))
	s.evaluationPages(mux)
	s.cleanupPages(mux)
}

// Score formats a component score: "暂无数据" when there is no data.
func (p *page) Score(v *float64) string {
	if v == nil {
		return p.T("eval.nodata")
	}
	return strconv.FormatFloat(*v, 'f', 1, 64)
}

// Kind names a channel kind in the page's language.
func (p *page) Kind(k jianfu.ChannelKind) string { return p.T("campaigns.kind." + string(k)) }

// Platform names a platform.
func (p *page) Platform(code string) string {
	if p.Lang != "en" {
		if n, ok := jianfu.PlatformNames[code]; ok {
			return n
		}
	}
	return code
}

// Grade names a total score.
func (p *page) Grade(v *float64) string {
	g := jianfu.Grade(v)
	if g == "" {
		return p.T("eval.nodata")
	}
	return p.T("eval.grade." + g)
}

// campaignFilter reads the filters of the campaign list, the page's and the
// API's.
func campaignFilter(r *http.Request, p jianfu.Page) (jianfu.CampaignFilter, error) {
	q := r.URL.Query()
	return jianfu.CampaignFilter{Status: jianfu.CampaignStatus(q.Get("status")), Query: q.Get("q"), Page: p}, nil
}

// rectificationFilter reads the filters of the rectification items, the
// page's and the API's.
func rectificationFilter(r *http.Request, p jianfu.Page) (jianfu.RectificationFilter, error) {
	q := r.URL.Query()
	f := jianfu.RectificationFilter{Status: jianfu.RectificationStatus(q.Get("status")), Page: p}
	return f, queryID(q, "campaign_id", &f.CampaignID)
}

func (s *Server) showCampaigns(w http.ResponseWriter, r *http.Request) error {
	items, l, err := findList(r, 50, campaignFilter, s.svc.Campaigns.FindCampaigns)
	if err != nil {
		return err
	}
	a := info(r).actor
	mine, nMine, err := s.svc.Campaigns.FindForms(r.Context(), jianfu.FormFilter{InspectorID: a.UserID, Status: jianfu.FormPending, Page: jianfu.Page{Limit: 20}})
	if err != nil {
		return err
	}
	p := s.newPage(r, "campaigns")
	p.Title = p.T("nav.campaigns")
	p.Data = map[string]any{"Campaigns": items, "List": l, "Mine": mine, "NMine": nMine}
	s.render(w, r, "campaigns", p)
	return nil
}

func (s *Server) showCampaignNew(w http.ResponseWriter, r *http.Request) error {
	a := info(r).actor
	if !a.Has(jianfu.RoleSupervisor) {
		return jianfu.Errorf(jianfu.EFORBIDDEN, "无权操作:发起抽查需要监管人员角色", "not allowed: running a spot check needs the supervisor role")
	}
	return s.renderCampaignForm(w, r, &jianfu.Campaign{RegionPath: a.RegionPath, SampleSize: 20, RectifyDays: 15}, nil, http.StatusOK)
}

func (s *Server) renderCampaignForm(w http.ResponseWriter, r *http.Request, c *jianfu.Campaign, formErr error, status int) error {
	ctx := r.Context()
	var inspectors []*jianfu.User
	for _, role := range []jianfu.Role{jianfu.RoleInspector, jianfu.RoleSupervisor} {
		us, _, err := s.svc.Users.FindUsers(ctx, jianfu.UserFilter{Role: role, Page: jianfu.Page{Limit: 200, Sort: "name"}})
		if err != nil {
			return err
		}
		inspectors = append(inspectors, us...)
	}
	seen := map[int64]bool{}
	var uniq []*jianfu.User
	for _, u := range inspectors {
		if !seen[u.ID] {
			seen[u.ID] = true
			uniq = append(uniq, u)
		}
	}
	chosen := map[int64]bool{}
	for _, id := range c.Inspectors {
		chosen[id] = true
	}
	kinds := map[jianfu.ChannelKind]bool{}
	for _, k := range c.Kinds {
		kinds[k] = true
	}
	platformOn := map[string]bool{}
	for _, pl := range c.Platforms {
		platformOn[pl] = true
	}
	// The names of units already chosen, for the picker's chips (in order,
	// joined by the unit separator the picker splits on).
	var labels []string
	for _, id := range c.UnitIDs {
		name := strconv.FormatInt(id, 10)
		if u, err := s.svc.Units.FindUnitByID(ctx, id); err == nil {
			name = u.Name
		}
		labels = append(labels, name)
	}
	p := s.newPage(r, "campaigns")
	p.Title = p.T("campaigns.new")
	p.Error = formErr
	p.Data = map[string]any{"Campaign": c, "Inspectors": uniq, "Chosen": chosen, "Kinds": jianfu.ChannelKinds, "KindOn": kinds,
		"Platforms": platformOptions(), "PlatformOn": platformOn, "UnitLabels": strings.Join(labels, "\x1f"),
		"Region": jianfu.CodeOfPath(c.RegionPath), "Units": strings.Trim(fmt.Sprint(c.UnitIDs), "[]")}
	p.Status = status
	s.render(w, r, "campaign_new", p)
	return nil
}

func (s *Server) createCampaign(w http.ResponseWriter, r *http.Request) error {
	r.ParseForm()
	c := &jianfu.Campaign{Name: r.PostFormValue("name"), Deadline: strings.TrimSpace(r.PostFormValue("deadline"))}
	var probs []jianfu.Problem
	if code := strings.TrimSpace(r.PostFormValue("region")); code != "" {
		_, path, _, err := jianfu.ParseRegionCode(code)
		if err != nil {
			probs = append(probs, jianfu.Problem{Field: "region", Message: jianfu.ErrorMessage(err, "zh"), English: jianfu.ErrorMessage(err, "en")})
		}
		c.RegionPath = path
	} else {
		c.RegionPath = info(r).actor.RegionPath
	}
	for _, k := range r.PostForm["kinds"] {
		c.Kinds = append(c.Kinds, jianfu.ChannelKind(k))
	}
	// Ticked boxes, one value each; a typed list (the API's habit) still reads.
	seenPlatform := map[string]bool{}
	for _, v := range r.PostForm["platforms"] {
		for _, p := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\uff0c' || r == '、' }) {
			if p = strings.ToLower(p); !seenPlatform[p] {
				seenPlatform[p] = true
				c.Platforms = append(c.Platforms, p)
			}
		}
	}
	for _, v := range strings.FieldsFunc(r.PostFormValue("units"), func(r rune) bool { return r == ',' || r == ' ' || r == '\uff0c' || r == '、' }) {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			probs = append(probs, jianfu.Problem{Field: "units", Message: "单位编号“" + v + "”不是整数", English: "unit id " + v + " is not an integer"})
		}
		c.UnitIDs = append(c.UnitIDs, id)
	}
	for _, v := range r.PostForm["inspectors"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			c.Inspectors = append(c.Inspectors, id)
		}
	}
	num := func(field string, dst *int) {
		if v := strings.TrimSpace(r.PostFormValue(field)); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				probs = append(probs, jianfu.Problem{Field: field, Message: "“" + v + "”不是整数", English: v + " is not an integer"})
			}
			*dst = n
		}
	}
	num("sample_size", &c.SampleSize)
	num("rectify_days", &c.RectifyDays)
	if v := strings.TrimSpace(strings.TrimSuffix(r.PostFormValue("sample_rate"), "%")); v != "" && c.SampleSize == 0 {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			probs = append(probs, jianfu.Problem{Field: "sample_rate", Message: "抽样比例应为数字,如 10 表示 10%", English: "the rate is a number, 10 means 10%"})
		}
		if f > 1 {
			f /= 100
		}
		c.SampleRate = f
	}
	if v := strings.TrimSpace(r.PostFormValue("seed")); v != "" {
		seed, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			probs = append(probs, jianfu.Problem{Field: "seed", Message: "随机种子应为非负整数,留空则自动生成并记录", English: "the seed is a non-negative integer; leave it empty to draw one"})
		}
		c.Seed = seed
	}
	return formAction(w, r, func() (string, error) {
		err := jianfu.ProblemsError(probs)
		if err == nil {
			err = s.svc.Campaigns.CreateCampaign(r.Context(), c)
		}
		return "/campaigns/" + itoa(c.ID) + "?created=1", err
	}, func(err error, status int) error { return s.renderCampaignForm(w, r, c, err, status) })
}

func (s *Server) showCampaign(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	c, err := s.svc.Campaigns.FindCampaignByID(ctx, id)
	if err != nil {
		return err
	}
	l := newList(r, 50)
	q := r.URL.Query()
	f := jianfu.FormFilter{CampaignID: id, Status: jianfu.FormStatus(q.Get("status")), Failed: q.Get("failed") == "1", Page: l.Page()}
	forms, total, err := s.svc.Campaigns.FindForms(ctx, f)
	if err != nil {
		return err
	}
	l.Total = total
	res, err := s.svc.Campaigns.CampaignResults(ctx, id)
	if err != nil {
		return err
	}
	check, err := s.svc.Campaigns.VerifySample(ctx, id)
	if err != nil {
		return err
	}
	rects, _, err := s.svc.Campaigns.FindRectifications(ctx, jianfu.RectificationFilter{CampaignID: id, Page: jianfu.Page{Limit: 200}})
	if err != nil {
		return err
	}
	p := s.newPage(r, "campaigns")
	p.Title = c.Name
	if q.Get("created") == "1" {
		p.Flash = p.T("campaigns.created", c.Sampled, c.Population)
	}
	ul, rl := subList(r, "uoffset", "byunit", 20), subList(r, "roffset", "byregion", 20)
	p.Data = map[string]any{"Campaign": c, "Forms": forms, "List": l, "Results": res, "Check": check, "Rects": rects, "Strata": s.strataNames(ctx, p, forms),
		"ByUnit": window(ul, res.Units), "UnitList": ul, "ByRegion": window(rl, res.Regions), "RegionList": rl}
	s.render(w, r, "campaign", p)
	return nil
}

func (s *Server) closeCampaign(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return formAction(w, r, func() (string, error) {
		_, err := s.svc.Campaigns.CloseCampaign(r.Context(), id)
		return "/campaigns/" + itoa(id), err
	}, nil)
}

// formItem is one checklist item with its answer, for the form template.
type formItem struct {
	jianfu.ChecklistItem
	Answer jianfu.Answer
}

// formOf reads the check form of the path, of the campaign of the path
// (the page's and the API's).
func (s *Server) formOf(r *http.Request) (*jianfu.CheckForm, *jianfu.Checklist, error) {
	cid, err := pathID(r, "id")
	if err != nil {
		return nil, nil, err
	}
	id, err := pathID(r, "form")
	if err != nil {
		return nil, nil, err
	}
	f, list, err := s.svc.Campaigns.FindFormByID(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	if f.CampaignID != cid {
		return nil, nil, jianfu.Errorf(jianfu.ENOTFOUND, "检查表单不存在或不在您的管辖范围内", "check form not found or outside your scope")
	}
	return f, list, nil
}

func (s *Server) showCheckForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderCheckForm(w, r, nil, nil, http.StatusOK)
}

func (s *Server) renderCheckForm(w http.ResponseWriter, r *http.Request, input *jianfu.FormInput, formErr error, status int) error {
	f, list, err := s.formOf(r)
	if err != nil {
		return err
	}
	answers, evidence, opinion := f.Answers, f.Evidence, f.Opinion
	if input != nil {
		answers, evidence, opinion = input.Answers, input.Evidence, input.Opinion
	}
	var items []formItem
	for _, it := range list.Items {
		items = append(items, formItem{it, answers[it.Key]})
	}
	a := info(r).actor
	canEdit := f.Status == jianfu.FormPending && a.MayFillForm(f) == nil
	p := s.newPage(r, "campaigns")
	p.Title = f.ChannelName
	p.Error = formErr
	p.Data = map[string]any{"Form": f, "List": list, "Items": items, "Evidence": evidence, "Opinion": opinion, "CanEdit": canEdit}
	p.Status = status
	s.render(w, r, "campaign_form", p)
	return nil
}

func (s *Server) saveCheckForm(w http.ResponseWriter, r *http.Request) error {
	form, list, err := s.formOf(r)
	if err != nil {
		return err
	}
	r.ParseForm()
	in := jianfu.FormInput{Answers: map[string]jianfu.Answer{}, Evidence: r.PostFormValue("evidence"), Opinion: r.PostFormValue("opinion"), Submit: r.PostFormValue("submit") == "1"}
	var probs []jianfu.Problem
	for _, it := range list.Items {
		a := jianfu.Answer{Note: strings.TrimSpace(r.PostFormValue("note_" + it.Key))}
		switch it.Kind {
		case jianfu.ItemVeto:
			a.Hit = r.PostFormValue("hit_"+it.Key) == "1"
		default:
			if v := strings.TrimSpace(r.PostFormValue("points_" + it.Key)); v != "" {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil {
					probs = append(probs, jianfu.Problem{Field: it.Key, Message: "“" + it.Title + "”的分值应为数字", English: "points of " + it.Key + " must be a number"})
				}
				a.Points = f
			}
		}
		a.Auto = r.PostFormValue("auto_"+it.Key) == "1" && !a.Hit && a.Points == 0 && a.Note == ""
		if a.Hit || a.Points != 0 || a.Note != "" {
			in.Answers[it.Key] = a
		}
	}
	return formAction(w, r, func() (string, error) {
		err := jianfu.ProblemsError(probs)
		if err == nil {
			_, err = s.svc.Campaigns.SaveForm(r.Context(), form.ID, in)
		}
		return fmt.Sprintf("/campaigns/%d/forms/%d?saved=1", form.CampaignID, form.ID), err
	}, func(err error, status int) error { return s.renderCheckForm(w, r, &in, err, status) })
}

func (s *Server) showChecklists(w http.ResponseWriter, r *http.Request) error {
	lists, err := s.svc.Campaigns.FindChecklists(r.Context(), "")
	if err != nil {
		return err
	}
	p := s.newPage(r, "campaigns")
	p.Title = p.T("campaigns.checklists")
	p.Data = map[string]any{"Lists": lists}
	s.render(w, r, "campaign_checklists", p)
	return nil
}

func (s *Server) showChecklist(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.svc.Campaigns.FindChecklistByID(r.Context(), id)
	if err != nil {
		return err
	}
	return s.renderChecklist(w, r, c, nil, http.StatusOK)
}

func (s *Server) renderChecklist(w http.ResponseWriter, r *http.Request, c *jianfu.Checklist, formErr error, status int) error {
	versions, err := s.svc.Campaigns.FindChecklists(r.Context(), c.Key)
	if err != nil {
		return err
	}
	// Three empty rows to add items.
	items := append([]jianfu.ChecklistItem(nil), c.Items...)
	for i := 0; i < 3; i++ {
		items = append(items, jianfu.ChecklistItem{})
	}
	a := jianfu.ActorFrom(r.Context())
	p := s.newPage(r, "campaigns")
	p.Title = c.Name
	p.Error = formErr
	p.Data = map[string]any{"List": c, "Items": items, "Versions": versions,
		"MayEdit": a.MayEditChecklist(c.RegionPath) == nil,
		// Below province level, a supervisor may keep the region's own version.
		"MayVariant": a.Has(jianfu.RoleSupervisor) && !a.System && len(a.RegionPath) > 2 && c.RegionPath != a.RegionPath,
		"ItemKinds":  []jianfu.ItemKind{jianfu.ItemVeto, jianfu.ItemDeduct, jianfu.ItemBonus},
		"Autos":      []string{"", jianfu.AutoStale, jianfu.AutoZombie, jianfu.AutoUnreachable, jianfu.AutoBrokenLinks}}
	p.Status = status
	s.render(w, r, "campaign_checklist", p)
	return nil
}

func (s *Server) saveChecklist(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	base, err := s.svc.Campaigns.FindChecklistByID(r.Context(), id)
	if err != nil {
		return err
	}
	r.ParseForm()
	c := &jianfu.Checklist{Key: base.Key, Kind: base.Kind, Name: r.PostFormValue("name"), RegionPath: base.RegionPath, RegionName: base.RegionName}
	if r.PostFormValue("variant") == "1" {
		// The region's own version: a new key that applies in the caller's
		// region only (the store checks who may).
		a := jianfu.ActorFrom(r.Context())
		c.Key, c.RegionPath = "", a.RegionPath
	}
	c.PassMark, _ = strconv.ParseFloat(strings.TrimSpace(r.PostFormValue("pass_mark")), 64)
	keys, titles := r.PostForm["key"], r.PostForm["title"]
	for i := range keys {
		if strings.TrimSpace(keys[i]) == "" && strings.TrimSpace(get(titles, i)) == "" {
			continue // an unused empty row
		}
		if get(r.PostForm["remove"], i) == "1" {
			continue
		}
		it := jianfu.ChecklistItem{Key: keys[i], Title: get(titles, i), Kind: jianfu.ItemKind(get(r.PostForm["kind"], i)),
			Guidance: get(r.PostForm["guidance"], i), Auto: get(r.PostForm["auto"], i)}
		it.Points, _ = strconv.ParseFloat(strings.TrimSpace(get(r.PostForm["points"], i)), 64)
		c.Items = append(c.Items, it)
	}
	return formAction(w, r, func() (string, error) {
		err := s.svc.Campaigns.SaveChecklist(r.Context(), c)
		return "/checklists/" + itoa(c.ID) + "?saved=1", err
	}, func(err error, status int) error {
		c.ID, c.Key = 0, base.Key // shown again as an edit of the list it came from
		return s.renderChecklist(w, r, c, err, status)
	})
}

func get(v []string, i int) string {
	if i < len(v) {
		return strings.TrimSpace(v[i])
	}
	return ""
}

func (s *Server) showRectifications(w http.ResponseWriter, r *http.Request) error {
	if wantsWorkbook(r) {
		return exportList(w, r, rectificationFilter, s.svc.Campaigns.FindRectifications, func(rows []*jianfu.Rectification, maker string) (*report.File, error) {
			return report.RectificationList(rows, maker, s.now())
		})
	}
	items, l, err := findList(r, 50, rectificationFilter, s.svc.Campaigns.FindRectifications)
	if err != nil {
		return err
	}
	p := s.newPage(r, "campaigns")
	p.Title = p.T("campaigns.rects")
	p.Data = map[string]any{"Rects": items, "List": l, "Today": dateToday(s), "Statuses": []string{"open", "rectified", "case"}}
	s.render(w, r, "campaign_rects", p)
	return nil
}

func dateToday(s *Server) string { return s.now().In(jianfu.China).Format("2006-01-02") }

func (s *Server) doneRectification(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return formAction(w, r, func() (string, error) {
		_, err := s.svc.Campaigns.MarkRectified(r.Context(), id, r.PostFormValue("note"))
		return "/rectifications?saved=1", err
	}, nil)
}

// strataNames names the strata of forms (region path/kind, e.g.
// 3901/group) in words: 江州市 · 工作群组.
func (s *Server) strataNames(ctx context.Context, p *page, forms []*jianfu.CheckForm) map[string]string {
	out := map[string]string{}
	for _, f := range forms {
		if _, ok := out[f.Stratum]; ok {
			continue
		}
		path, kind, _ := strings.Cut(f.Stratum, "/")
		name := path
		if reg, err := s.svc.Regions.FindRegion(ctx, jianfu.CodeOfPath(path)); err == nil {
			name = reg.Name
		}
		out[f.Stratum] = name + " · " + p.Kind(jianfu.ChannelKind(kind))
	}
	return out
}
