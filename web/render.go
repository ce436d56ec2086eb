package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"jianfu"
)

// locale is a flat catalogue of translated strings.
type locale map[string]string

// loadLocales merges the catalogue files of each language
// (locales/zh/*.json, locales/en/*.json: one file per capability). A key
// defined twice is an error.
func loadLocales() (map[string]*locale, error) {
	out := map[string]*locale{}
	for _, lang := range []string{"zh", "en"} {
		files, err := fs.Glob(assets, "locales/"+lang+"/*.json")
		if err != nil {
			return nil, err
		}
		l := locale{}
		for _, f := range files {
			b, err := assets.ReadFile(f)
			if err != nil {
				return nil, err
			}
			var part locale
			if err := json.Unmarshal(b, &part); err != nil {
				return nil, fmt.Errorf("locale %s: %w", f, err)
			}
			for k, v := range part {
				if _, dup := l[k]; dup {
					return nil, fmt.Errorf("locale %s: key %q defined twice", f, k)
				}
				l[k] = v
			}
		}
		for k, v := range categoryLocale(lang) {
			if _, dup := l[k]; dup {
				return nil, fmt.Errorf("locale %s: key %q comes from the category's definition (jianfu.Categories); remove it", lang, k)
			}
			l[k] = v
		}
		out[lang] = &l
	}
	return out, nil
}

// categoryLocale names the case categories in a language from their one
// definition: cat.<code> is the name, cathelp.<code> what it covers.
func categoryLocale(lang string) locale {
	l := locale{}
	for _, c := range jianfu.CaseCategories {
		name, help := c.Label(), c.Meaning()
		if lang == "en" {
			name, help = c.LabelEn(), c.MeaningEn()
		}
		l["cat."+string(c)], l["cathelp."+string(c)] = name, help
	}
	return l
}

// pageSet holds one template per page, each parsed with the layout.
type pageSet struct {
	pages map[string]*template.Template
}

var funcs = template.FuncMap{
	// pseudonym shows a member's pseudonym (p_adzkoafj6znqi) as a code
	// people read aloud (ADZK-OAFJ-6ZNQ-I), without the program's prefix.
	"pseudonym": func(p string) string {
		p = strings.ToUpper(strings.TrimPrefix(p, "p_"))
		var b strings.Builder
		for i, r := range p {
			if i > 0 && i%4 == 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
		}
		return b.String()
	},
	"datetime": func(t any) string {
		switch v := t.(type) {
		case time.Time:
			if v.IsZero() {
				return ""
			}
			return v.In(jianfu.China).Format("2006-01-02 15:04")
		case *time.Time:
			if v == nil {
				return ""
			}
			return v.In(jianfu.China).Format("2006-01-02 15:04")
		}
		return ""
	},
	"seconds": func(t time.Time) string { return t.In(jianfu.China).Format("2006-01-02 15:04:05") },
	"join":    strings.Join,
	"add":     func(a, b int) int { return a + b },
	// num groups digits by three from 1,000 on, so a column of counts reads
	// alike (2,673 beside 35,839, not 2673).
	"num": func(n int) string {
		s := strconv.Itoa(n)
		if n < 1000 && n > -1000 {
			return s
		}
		var b strings.Builder
		for i, c := range s {
			if i > 0 && (len(s)-i)%3 == 0 && c != '-' {
				b.WriteByte(',')
			}
			b.WriteRune(c)
		}
		return b.String()
	},
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
}

// loadPages parses each page with the layout and the partials: the shared
// partials.html and each capability's partial_<name>.html.
func loadPages() (*pageSet, error) {
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/partials.html", "templates/section_*.html")
	if err != nil {
		return nil, err
	}
	files, err := fs.Glob(assets, "templates/page_*.html")
	if err != nil {
		return nil, err
	}
	ps := &pageSet{pages: map[string]*template.Template{}}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(path.Base(f), "page_"), ".html")
		t, err := template.Must(layout.Clone()).ParseFS(assets, f)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", f, err)
		}
		ps.pages[name] = t
	}
	return ps, nil
}

// page is what every template gets.
type page struct {
	Lang    string
	Title   string
	Nav     string // the active navigation entry
	Actor   *jianfu.Actor
	CSRF    string
	Path    string
	Query   url.Values
	Flash   string
	Error   error
	Data    any
	Version string
	Status  int // the HTTP status to answer with; 0 is 200
	Unread  int // the caller's unread notifications, for the bell

	now time.Time

	people      map[string]string // login name → name and office, as asked (Person)
	peopleNames func(logins []string) (map[string]string, error)

	loc *locale
	zh  *locale
}

// Person is who acted, in words, from the login name a record stores: the
// person with their office (龚娟亚(江南区委网信办)), 系统, 反映人 — never
// the login name itself when the person is known.
func (p *page) Person(login string) string {
	label, ok := p.people[login]
	if !ok && p.peopleNames != nil && login != "" {
		if got, err := p.peopleNames([]string{login}); err == nil {
			label = got[login]
		}
		if p.people == nil {
			p.people = map[string]string{}
		}
		p.people[login] = label
	}
	return jianfu.PersonShown(login, label)
}

// T translates a key, formatting args into it.
func (p *page) T(key string, args ...any) string {
	s, ok := (*p.loc)[key]
	if !ok {
		if s, ok = (*p.zh)[key]; !ok {
			s = key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Today is the date of the page in China, for the header of a printout.
func (p *page) Today() string {
	t := p.now.In(jianfu.China)
	if p.Lang == "en" {
		return t.Format("2 January 2006")
	}
	return t.Format("2006年1月2日")
}

// Confirm is the question asked before an irreversible action (the
// data-confirm of its form, read by app.js): the text of "confirm."+key,
// or "" when the action needs none.
func (p *page) Confirm(key string) string {
	if _, ok := (*p.zh)["confirm."+key]; !ok {
		return ""
	}
	return p.T("confirm." + key)
}

// ErrorText shows the page's error in its language.
func (p *page) ErrorText() string {
	if p.Error == nil {
		return ""
	}
	return jianfu.ErrorMessage(p.Error, p.Lang)
}

// Problems lists the per-field problems of the page's error.
func (p *page) Problems() []jianfu.Problem {
	if je, ok := p.Error.(*jianfu.Error); ok {
		return je.Problems
	}
	return nil
}

// ProblemFor returns the problem message for one form field.
func (p *page) ProblemFor(field string) string {
	for _, pr := range p.Problems() {
		if pr.Field == field {
			return pr.Localize(p.Lang)
		}
	}
	return ""
}

// Role names a role in the page's language.
func (p *page) Role(r jianfu.Role) string { return p.T("role." + string(r)) }

// UnitType names a unit type in the page's language.
func (p *page) UnitType(t jianfu.UnitType) string { return p.T("unittype." + string(t)) }

// Level names a region level in the page's language.
func (p *page) Level(l jianfu.Level) string { return p.T("level." + string(l)) }

// Can reports whether the actor holds any of the roles (names).
func (p *page) Can(roles ...string) bool {
	for _, r := range roles {
		if p.Actor.Has(jianfu.Role(r)) {
			return true
		}
	}
	return false
}

// LangURL returns the current URL switched to another language.
func (p *page) LangURL(lang string) string {
	q := url.Values{}
	for k, v := range p.Query {
		q[k] = v
	}
	q.Set("lang", lang)
	return p.Path + "?" + q.Encode()
}

// newPage starts a page. A page a form action redirected to with saved=1
// says that it was saved.
func (s *Server) newPage(r *http.Request, nav string) *page {
	ri := info(r)
	p := &page{Lang: ri.lang, Nav: nav, Actor: ri.actor, CSRF: ri.csrf, Path: r.URL.Path, Query: r.URL.Query(),
		Version: s.cfg.Version, loc: s.loc[ri.lang], zh: s.loc["zh"], now: s.now()}
	p.Unread = s.unreadCount(r.Context(), ri.actor)
	if ri.actor != nil {
		ctx := r.Context()
		p.peopleNames = func(logins []string) (map[string]string, error) { return s.svc.Users.PeopleNames(ctx, logins) }
	}
	if p.Query.Get("saved") == "1" {
		p.Flash = p.T("form.saved")
	}
	return p
}

// render executes a page template into a buffer first, so a template
// error never leaves half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, p *page) {
	t, ok := s.pages.pages[name]
	if !ok {
		s.log.Error("no such page template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.log.Error("render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if p.Status != 0 {
		retryLater(w, p.Status)
		w.WriteHeader(p.Status) // after the headers: they are fixed from here
	}
	buf.WriteTo(w)
}

// formAction answers a form: act does what the form asks and returns where
// to go next, and the browser is sent there (303, so a reload does not post
// again; the page there says what was done, from its address). An error
// the user can act on goes to back with its status, to show the form again
// with the message and what was typed (see formError); an action without a
// form of its own passes a nil back, and its errors fail the request.
func formAction(w http.ResponseWriter, r *http.Request, act func() (next string, err error), back func(err error, status int) error) error {
	next, err := act()
	if err != nil {
		if status, ok := formError(err); ok && back != nil {
			return back(err, status)
		}
		return err
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// formError says whether an error of a form's action is for the user, shown
// on the form again with the status it answers (anything they can correct or
// learn from: invalid input, a conflict, a refusal, something not found), or
// fails the request (internal errors; a session that ended).
func formError(err error) (status int, onForm bool) {
	code := jianfu.ErrorCode(err)
	return statusOf[code], code != jianfu.EINTERNAL && code != jianfu.EUNAUTHORIZED
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// list is the state of a sortable, filterable, paged table from the query.
type list struct {
	Query  url.Values
	Path   string
	Sort   string
	Offset int
	Limit  int
	Total  int
	// Param carries the offset in the query ("offset" when empty), so a
	// page can page more than one list; Anchor is the section the pager's
	// links come back to.
	Param, Anchor string
}

// subList pages a further list of a page, its offset in the query as param
// and its links returning to the element with id anchor.
func subList(r *http.Request, param, anchor string, limit int) *list {
	l := &list{Query: r.URL.Query(), Path: r.URL.Path, Limit: limit, Param: param, Anchor: anchor}
	if v, err := strconv.Atoi(l.Query.Get(param)); err == nil && v >= 0 {
		l.Offset = v
	}
	return l
}

// window counts all items for the pager and returns the list's page of
// them: for lists a service answers whole (aggregates, a cluster's members).
func window[T any](l *list, items []T) []T {
	l.Total = len(items)
	from := min(l.Offset, len(items))
	return items[from:min(from+l.Limit, len(items))]
}

func (l *list) offsetParam() string {
	if l.Param != "" {
		return l.Param
	}
	return "offset"
}

// Paged says whether the list is longer than one page (whether to show the pager).
func (l *list) Paged() bool { return l.Total > l.Limit || l.Offset > 0 }

func newList(r *http.Request, defLimit int) *list {
	q := r.URL.Query()
	l := &list{Query: q, Path: r.URL.Path, Sort: q.Get("sort"), Limit: defLimit}
	if v, err := strconv.Atoi(q.Get("limit")); err == nil && v > 0 && v <= 500 {
		l.Limit = v
	}
	if v, err := strconv.Atoi(q.Get("offset")); err == nil && v >= 0 {
		l.Offset = v
	}
	return l
}

func (l *list) Page() jianfu.Page { return jianfu.Page{Offset: l.Offset, Limit: l.Limit, Sort: l.Sort} }

// findList finds one page of a list page: the paging from the query (def
// rows unless it asks for another number), the filter read by filter (the
// one the API's list reads, where they share one), the rows from find, and
// the total on the list for the pager.
func findList[F, T any](r *http.Request, def int, filter func(*http.Request, jianfu.Page) (F, error), find func(context.Context, F) ([]T, int, error)) ([]T, *list, error) {
	l := newList(r, def)
	f, err := filter(r, l.Page())
	if err != nil {
		return nil, l, err
	}
	items, total, err := find(r.Context(), f)
	l.Total = total
	return items, l, err
}

// URL returns the list's URL with some parameters changed.
func (l *list) URL(kv ...string) string {
	q := url.Values{}
	for k, v := range l.Query {
		if k != "lang" {
			q[k] = v
		}
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			q.Del(kv[i])
		} else {
			q.Set(kv[i], kv[i+1])
		}
	}
	if e := q.Encode(); e != "" {
		return l.Path + "?" + e
	}
	return l.Path
}

// SortURL toggles sorting by key.
func (l *list) SortURL(key string) string {
	next := key
	if l.Sort == key {
		next = "-" + key
	}
	return l.URL("sort", next, "offset", "")
}

// SortMark shows the sort direction of a column.
func (l *list) SortMark(key string) string {
	switch l.Sort {
	case key:
		return "▲"
	case "-" + key:
		return "▼"
	}
	return ""
}

func (l *list) HasPrev() bool { return l.Offset > 0 }
func (l *list) HasNext() bool { return l.Offset+l.Limit < l.Total }
func (l *list) PrevURL() string {
	return l.URL(l.offsetParam(), strconv.Itoa(max(0, l.Offset-l.Limit))) + l.fragment()
}
func (l *list) NextURL() string {
	return l.URL(l.offsetParam(), strconv.Itoa(l.Offset+l.Limit)) + l.fragment()
}
func (l *list) fragment() string {
	if l.Anchor == "" {
		return ""
	}
	return "#" + l.Anchor
}
func (l *list) From() int {
	if l.Total == 0 {
		return 0
	}
	return l.Offset + 1
}
func (l *list) To() int { return min(l.Offset+l.Limit, l.Total) }
