package web

import (
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
