package web

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"jianfu"
)

// registryState is what the registry's pages keep between requests: parsed
// uploads waiting for confirmation, the public verification's limiter and
// its counters.
type registryState struct {
	verifyLimiter *loginLimiter
	verifyLookups *prometheus.CounterVec
	mu            sync.Mutex
	uploads       map[string]*upload
}

// upload is a checked channel file waiting for its confirmation.
type upload struct {
	user int64
	name string
	rows []*jianfu.ChannelImport
	at   time.Time
}

// registryPages registers the registry's pages (备案管理) and the public
// verification page.
func (s *Server) registryPages(mux *http.ServeMux) {
	s.registry = &registryState{
		verifyLimiter: newLoginLimiter(30, time.Minute),
		verifyLookups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jianfu_verify_lookups_total", Help: "Public verification lookups by verdict (filed, closed, unknown, invalid, limited).",
		}, []string{"verdict"}),
		uploads: map[string]*upload{},
	}
	s.metrics.reg.MustRegister(s.registry.verifyLookups)

	mux.Handle("GET /registry", s.h(s.login(s.showRegistry)))
	mux.Handle("GET /registry/new", s.h(s.login(s.showChannelNew)))
	mux.Handle("POST /registry", s.h(s.login(s.createChannel)))
	mux.Handle("GET /registry/{id}", s.h(s.login(s.showChannel)))
	mux.Handle("GET /registry/{id}/edit", s.h(s.login(s.showChannelEdit)))
	mux.Handle("POST /registry/{id}", s.h(s.login(s.updateChannel)))
	mux.Handle("POST /registry/{id}/action", s.h(s.login(s.channelAction)))
	mux.Handle("GET /registry/consolidation", s.h(s.login(s.showConsolidation)))
	mux.Handle("GET /registry/rules", s.h(s.login(s.showRegistryRules)))
	mux.Handle("POST /registry/rules", s.h(s.login(s.saveRegistryRule)))
	mux.Handle("POST /registry/url-rules", s.h(s.login(s.saveURLRules)))
	mux.Handle("GET /registry/import", s.h(s.login(s.showChannelImport)))
	mux.Handle("POST /registry/import", s.h(capBody(maxChannelUpload, s.login(s.previewChannelImport))))
	mux.Handle("POST /registry/import/confirm", s.h(s.login(s.confirmChannelImport)))
	mux.Handle("GET /registry/template", s.h(s.login(s.channelTemplate)))
	mux.Handle("GET /registry/export", s.h(s.login(s.exportChannels)))
	mux.Handle("GET /verify", s.h(anonymous(s.showVerify)))
}

// channelFilter reads the registry list's filters.
func channelFilter(r *http.Request, l *list) (jianfu.ChannelFilter, error) {
	q := r.URL.Query()
	f := jianfu.ChannelFilter{Kind: jianfu.ChannelKind(q.Get("kind")), Platform: q.Get("platform"), Status: jianfu.ChannelStatus(q.Get("status")),
		Query: q.Get("q"), Overdue: q.Get("overdue") == "1", Expired: q.Get("expired") == "1"}
	if l != nil {
		f.Page = l.Page()
	}
	if err := queryRegion(q, &f.RegionPath); err != nil {
		return f, err
	}
	if v := q.Get("unit"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return f, jianfu.Errorf(jianfu.EINVALID, "单位编号应为正整数", "the unit id is a positive integer")
		}
		f.UnitID = id
	}
	return f, nil
}

// platformOption is a platform in a select, grouped by kind.
type platformOption struct {
	Kind      jianfu.ChannelKind
	Platforms []string
}

func platformOptions() []platformOption {
	var out []platformOption
	for _, k := range jianfu.ChannelKinds {
		out = append(out, platformOption{Kind: k, Platforms: jianfu.Platforms[k]})
	}
	return out
}

// registryStat is a number on the registry's overview with its link.
type registryStat struct {
	Label string
	N     int
	URL   string
	Warn  bool
}

func (s *Server) showRegistry(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	l := newList(r, 50)
	p := s.newPage(r, "registry")
	p.Title = p.T("registry.title")
	f, ferr := channelFilter(r, l)
	var channels []*jianfu.Channel
	if ferr == nil {
		var total int
		channels, total, ferr = s.svc.Channels.FindChannels(ctx, f)
		l.Total = total
	}
	if ferr != nil {
		if jianfu.ErrorCode(ferr) == jianfu.EINTERNAL {
			return ferr
		}
		p.Error = ferr
	}
	// The overview: counts from the registry's counters (cheap).
	var stats []registryStat
	for _, st := range []struct {
		key string
		f   jianfu.ChannelFilter
		url string
	}{
		{"kind.app", jianfu.ChannelFilter{Kind: jianfu.KindApp}, "kind=app"},
		{"kind.account", jianfu.ChannelFilter{Kind: jianfu.KindAccount}, "kind=account"},
		{"kind.group", jianfu.ChannelFilter{Kind: jianfu.KindGroup}, "kind=group"},
		{"stat.submitted", jianfu.ChannelFilter{Status: jianfu.StatusSubmitted}, "status=submitted"},
		{"stat.overdue", jianfu.ChannelFilter{Overdue: true}, "overdue=1"},
		{"stat.expired", jianfu.ChannelFilter{Expired: true}, "expired=1"},
	} {
		st.f.Limit = 1
		_, n, err := s.svc.Channels.FindChannels(ctx, st.f)
		if err != nil {
			return err
		}
		stats = append(stats, registryStat{Label: p.T("chan." + st.key), N: n, URL: "/registry?" + st.url, Warn: n > 0 && (st.url == "overdue=1" || st.url == "expired=1")})
	}
	p.Data = map[string]any{"Channels": channels, "List": l, "Kinds": jianfu.ChannelKinds, "Statuses": jianfu.ChannelStatuses,
		"Platforms": platformOptions(), "Stats": stats, "Capped": l.Total > f.CountCap(), "Cap": f.CountCap(),
		"Now": s.now(), "Today": s.now().In(jianfu.China).Format("2006-01-02"), "ExportXLSX": exportURL(r, "xlsx"), "ExportCSV": exportURL(r, "csv")}
	s.render(w, r, "registry", p)
	return nil
}

// exportURL is the export link of the list's filters.
func exportURL(r *http.Request, format string) string {
	q := url.Values{"format": {format}}
	for _, k := range []string{"kind", "platform", "status", "region", "unit", "q", "overdue", "expired"} {
		if v := r.URL.Query().Get(k); v != "" {
			q.Set(k, v)
		}
	}
	return "/registry/export?" + q.Encode()
}

func (s *Server) showChannel(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderChannel(w, r, id, nil, "", http.StatusOK)
}

// changeRow is one field of a pending change: what it was and will be.
type changeRow struct {
	Field    string
	Old, New string
}

func (s *Server) renderChannel(w http.ResponseWriter, r *http.Request, id int64, formErr error, failedAction string, status int) error {
	ctx := r.Context()
	c, err := s.svc.Channels.FindChannelByID(ctx, id)
	if err != nil {
		return err
	}
	events, versions, err := s.svc.Channels.ChannelHistory(ctx, id)
	if err != nil {
		return err
	}
	p := s.newPage(r, "registry")
	p.Title = c.Name
	p.Error = formErr
	switch r.URL.Query().Get("done") {
	case "":
	case "saved":
		p.Flash = p.T("registry.flash.saved")
	case "created":
		p.Flash = p.T("registry.flash.created")
	case "change":
		p.Flash = p.T("registry.flash.change")
	default:
		p.Flash = p.T("registry.flash.done", p.RegAction(jianfu.ChannelAction(r.URL.Query().Get("done"))))
	}
	actions := s.svc.Channels.AllowedActions(ctx, c)
	var owner, reviewer []jianfu.ChannelAction
	for _, a := range actions {
		if a.ByReviewer() {
			reviewer = append(reviewer, a)
		} else {
			owner = append(owner, a)
		}
	}
	var changes []changeRow
	if c.Pending != nil && c.Pending.Proposed != nil {
		changes = diffChannels(p, c, c.Pending.Proposed)
	}
	canEdit := (c.Status.Editable() || c.Status.Live() && c.Status != jianfu.StatusExitRequested) && p.Can("unit_admin", "supervisor", "sysadmin")
	p.Data = map[string]any{"C": c, "Events": events, "Versions": versions, "OwnerActions": owner, "ReviewActions": reviewer,
		"Changes": changes, "CanEdit": canEdit, "Overdue": c.RevalidationOverdue(s.now()), "Expired": c.TemporaryExpired(s.now().In(jianfu.China).Format("2006-01-02")),
		"Failed": failedAction, "Note": r.PostFormValue("note")}
	p.Status = status
	s.render(w, r, "registry_channel", p)
	return nil
}

// diffChannels lists the fields a change request alters, for reviewers.
func diffChannels(p *page, old, next *jianfu.Channel) []changeRow {
	var out []changeRow
	add := func(key, a, b string) {
		if a != b {
			out = append(out, changeRow{Field: p.T("registry.f." + key), Old: a, New: b})
		}
	}
	add("name", old.Name, next.Name)
	add("platform", p.RegPlatform(old.Platform), p.RegPlatform(next.Platform))
	add("platform_id", old.PlatformID, next.PlatformID)
	add("handle", old.Handle, next.Handle)
	add("url", old.URL, next.URL)
	add("store_links", strings.Join(old.StoreLinks, " "), strings.Join(next.StoreLinks, " "))
	add("audience", old.Audience, next.Audience)
	add("functions", old.Functions, next.Functions)
	add("purpose", old.Purpose, next.Purpose)
	add("launch_date", old.LaunchDate, next.LaunchDate)
	add("cert_subject", old.CertSubject, next.CertSubject)
	add("owner", old.Owner, next.Owner)
	add("admins", strings.Join(old.Admins, "、"), strings.Join(next.Admins, "、"))
	add("member_count", strconv.Itoa(old.MemberCount), strconv.Itoa(next.MemberCount))
	add("end_date", old.EndDate, next.EndDate)
	add("responsible_person", old.ResponsiblePerson, next.ResponsiblePerson)
	add("responsible_phone", old.ResponsiblePhone, next.ResponsiblePhone)
	add("tags", strings.Join(old.Tags, "、"), strings.Join(next.Tags, "、"))
	add("notes", old.Notes, next.Notes)
	return out
}

// channelForm reads the channel form.
func channelForm(r *http.Request) *jianfu.Channel {
	v := r.PostFormValue
	c := &jianfu.Channel{
		Kind: jianfu.ChannelKind(v("kind")), Name: v("name"), Platform: v("platform"), PlatformID: v("platform_id"), Handle: v("handle"),
		URL: v("url"), StoreLinks: jianfu.SplitList(v("store_links")), Audience: v("audience"), Functions: v("functions"), Purpose: v("purpose"),
		LaunchDate: v("launch_date"), CertSubject: v("cert_subject"), Owner: v("owner"), Admins: jianfu.SplitList(v("admins")),
		Temporary: v("temporary") == "1", EndDate: v("end_date"), ResponsiblePerson: v("responsible_person"), ResponsiblePhone: v("responsible_phone"),
		Tags: jianfu.SplitList(v("tags")), Notes: v("notes"),
	}
	c.UnitID, _ = strconv.ParseInt(v("unit_id"), 10, 64)
	c.OperatorUnitID, _ = strconv.ParseInt(v("operator_unit_id"), 10, 64)
	c.MemberCount, _ = strconv.Atoi(strings.TrimSpace(v("member_count")))
	c.Version, _ = strconv.Atoi(v("version"))
	return c
}

// recognizeInto fills the platform and identifiers of a channel from its
// link when the user left them empty.
func (s *Server) recognizeInto(r *http.Request, c *jianfu.Channel) *jianfu.Recognition {
	if c.URL == "" {
		return nil
	}
	rec, err := s.svc.Registry.RecognizeURL(r.Context(), c.URL)
	if err != nil {
		return nil
	}
	if c.Kind == "" {
		c.Kind = rec.Kind
	}
	if rec.Kind == c.Kind {
		if c.Platform == "" {
			c.Platform = rec.Platform
		}
		if c.PlatformID == "" && rec.Platform == c.Platform {
			c.PlatformID = rec.ID
		}
		if c.Handle == "" && rec.Platform == c.Platform {
			c.Handle = rec.Handle
		}
	}
	return rec
}

func (s *Server) showChannelNew(w http.ResponseWriter, r *http.Request) error {
	c := &jianfu.Channel{Kind: jianfu.ChannelKind(r.URL.Query().Get("kind")), UnitID: info(r).actor.UnitID}
	if !c.Kind.Valid() {
		c.Kind = jianfu.KindAccount
	}
	if v, err := strconv.ParseInt(r.URL.Query().Get("unit"), 10, 64); err == nil {
		c.UnitID = v
	}
	return s.renderChannelForm(w, r, c, nil, nil, http.StatusOK)
}

func (s *Server) showChannelEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.svc.Channels.FindChannelByID(r.Context(), id)
	if err != nil {
		return err
	}
	if c.Pending != nil && c.Pending.Proposed != nil {
		proposed := *c.Pending.Proposed
		proposed.ID, proposed.Version, proposed.Status, proposed.FilingNumber = c.ID, c.Version, c.Status, c.FilingNumber
		c = &proposed
	}
	return s.renderChannelForm(w, r, c, nil, nil, http.StatusOK)
}

// unitChoice is a unit in the form's select.
type unitChoice struct {
	ID   int64
	Name string
}

func (s *Server) renderChannelForm(w http.ResponseWriter, r *http.Request, c *jianfu.Channel, checks []jianfu.CheckResult, formErr error, status int) error {
	units, n, err := s.svc.Units.FindUnits(r.Context(), jianfu.UnitFilter{Page: jianfu.Page{Limit: 1000, Sort: "name"}})
	if err != nil {
		return err
	}
	// Units file their own channels; a supervisor only its own office's.
	a := info(r).actor
	ownOnly := !a.HasAny(jianfu.RoleUnitAdmin, jianfu.RoleSysAdmin)
	var choices, operators []unitChoice
	for _, u := range units {
		if u.Disabled {
			continue
		}
		operators = append(operators, unitChoice{u.ID, u.Name})
		if !ownOnly || u.ID == a.UnitID {
			choices = append(choices, unitChoice{u.ID, u.Name})
		}
	}
	sort.SliceStable(choices, func(i, j int) bool { return choices[i].ID == c.UnitID && choices[j].ID != c.UnitID })
	p := s.newPage(r, "registry")
	if c.ID == 0 {
		p.Title = p.T("registry.new")
	} else {
		p.Title = p.T("registry.edit", c.Name)
	}
	p.Error = formErr
	p.Data = map[string]any{"C": c, "Units": choices, "Operators": operators, "ManyUnits": n > len(units), "Kinds": jianfu.ChannelKinds, "Platforms": platformOptions(),
		"Checks": checks, "Checked": checks != nil, "Filed": c.Status.Filed()}
	p.Status = status
	s.render(w, r, "registry_form", p)
	return nil
}

// previewChecks shows the form again with the filing rules' checks of what
// was typed, saving nothing.
func (s *Server) previewChecks(w http.ResponseWriter, r *http.Request, c *jianfu.Channel) error {
	checks, err := s.svc.Channels.CheckChannel(r.Context(), c)
	if jianfu.ErrorCode(err) == jianfu.EINTERNAL {
		return err
	}
	if checks == nil {
		checks = []jianfu.CheckResult{}
	}
	return s.renderChannelForm(w, r, c, checks, err, http.StatusOK)
}

func (s *Server) createChannel(w http.ResponseWriter, r *http.Request) error {
	c := channelForm(r)
	s.recognizeInto(r, c)
	if r.PostFormValue("check") == "1" {
		return s.previewChecks(w, r, c)
	}
	return formAction(w, r, func() (string, error) {
		if err := s.svc.Channels.CreateChannel(r.Context(), c); err != nil {
			return "", err
		}
		if r.PostFormValue("submit") != "1" {
			return "/registry/" + itoa(c.ID) + "?done=created", nil
		}
		_, err := s.svc.Channels.ActOnChannel(r.Context(), c.ID, jianfu.ActSubmit, "")
		return "/registry/" + itoa(c.ID) + "?done=submit", err
	}, func(err error, status int) error {
		if c.ID != 0 { // saved as a draft, but the submission was refused
			return s.renderChannel(w, r, c.ID, err, string(jianfu.ActSubmit), status)
		}
		return s.renderChannelForm(w, r, c, nil, err, status)
	})
}

func (s *Server) updateChannel(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c := channelForm(r)
	c.ID = id
	s.recognizeInto(r, c)
	current, err := s.svc.Channels.FindChannelByID(r.Context(), id)
	if err != nil {
		return err
	}
	c.Kind, c.UnitID, c.Status, c.FilingNumber = current.Kind, current.UnitID, current.Status, current.FilingNumber
	if r.PostFormValue("check") == "1" {
		return s.previewChecks(w, r, c)
	}
	return formAction(w, r, func() (string, error) {
		saved, err := s.svc.Channels.UpdateChannel(r.Context(), id, c, c.Version)
		if err != nil {
			return "", err
		}
		if saved.Pending != nil { // a change of a filed channel waits for review
			return "/registry/" + itoa(id) + "?done=change", nil
		}
		return "/registry/" + itoa(id) + "?done=saved", nil
	}, func(err error, status int) error { return s.renderChannelForm(w, r, c, nil, err, status) })
}

func (s *Server) channelAction(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	act := jianfu.ChannelAction(r.PostFormValue("action"))
	return formAction(w, r, func() (string, error) {
		_, err := s.svc.Channels.ActOnChannel(r.Context(), id, act, r.PostFormValue("note"))
		return "/registry/" + itoa(id) + "?done=" + string(act), err
	}, func(err error, status int) error { return s.renderChannel(w, r, id, err, string(act), status) })
}

// RegKind names a channel kind in the page's language.
func (p *page) RegKind(k jianfu.ChannelKind) string { return p.T("chan.kind." + string(k)) }

// RegPlatform names a platform in the page's language.
func (p *page) RegPlatform(s string) string { return p.T("chan.platform." + s) }

// RegStatus names a channel status in the page's language.
func (p *page) RegStatus(s jianfu.ChannelStatus) string { return p.T("chan.status." + string(s)) }

// RegAction names a life-cycle action in the page's language.
func (p *page) RegAction(a jianfu.ChannelAction) string { return p.T("chan.action." + string(a)) }

// Localized picks the message of a check result in the page's language.
func (p *page) Localized(zh, en string) string {
	if p.Lang == "en" && en != "" {
		return en
	}
	return zh
}

// RegDate shows an instant as a date in Beijing time.
func (p *page) RegDate(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(jianfu.China).Format("2006-01-02")
}
