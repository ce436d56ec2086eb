package web

import (
	"html/template"
	"strings"
	"time"

	"jianfu"
)

// Labels of the case workflow in the page's language.

func (p *page) CaseStatus(s jianfu.CaseStatus) string { return p.T("case.status." + string(s)) }
func (p *page) Category(c string) string              { return p.T("cat." + c) }
func (p *page) CategoryHelp(c string) string          { return p.T("cathelp." + c) }
func (p *page) Source(s jianfu.CaseSource) string     { return p.T("case.source." + string(s)) }
func (p *page) Stage(s jianfu.CaseStage) string       { return p.T("case.stage." + string(s)) }
func (p *page) Finding(f jianfu.CaseFinding) string   { return p.T("case.finding." + string(f)) }
func (p *page) Outcome(o jianfu.CaseOutcome) string   { return p.T("case.outcome." + string(o)) }

// Satisfactions are the answers of the follow-up after closure, in order.
func (p *page) Satisfactions() []jianfu.Satisfaction { return jianfu.Satisfactions }
func (p *page) EventAction(a string) string          { return p.T("case.event." + a) }
func (p *page) OpinionKind(k jianfu.OpinionKind) string {
	return p.T("case.opinion." + string(k))
}

// Day writes the China date of an instant.
func (p *page) Day(t any) string {
	switch v := t.(type) {
	case time.Time:
		return v.In(jianfu.China).Format("2006-01-02")
	case *time.Time:
		if v != nil {
			return v.In(jianfu.China).Format("2006-01-02")
		}
	}
	return ""
}

// DueDay writes the last day of a deadline (deadlines end at midnight
// after it).
func (p *page) DueDay(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Add(-time.Minute).In(jianfu.China).Format("2006-01-02")
}

// Has reports whether list holds s.
func (p *page) Has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// SourceRef shows where a case came from in words, linked where there is
// a page: 多头报送 12, 问题发现 41458, 整改事项 3, or the news report's link.
func (p *page) SourceRef(ref string) template.HTML {
	kind, id, _ := strings.Cut(ref, ":")
	esc := template.HTMLEscapeString
	switch {
	case jianfu.WebURL(ref):
		return template.HTML(`<a href="` + esc(ref) + `" rel="noopener noreferrer" target="_blank">` + esc(p.T("case.ref.article")) + `</a>`)
	case kind == jianfu.ClueFromCluster:
		return template.HTML(`<a href="/burden/clusters/` + esc(id) + `">` + esc(p.T("case.ref.cluster", id)) + `</a>`)
	case kind == jianfu.ClueFromFinding:
		return template.HTML(esc(p.T("case.ref.finding", id)))
	case kind == "rectification":
		return template.HTML(esc(p.T("case.ref.rectification", id)))
	}
	return template.HTML(esc(ref))
}
