package web

import (
	"cmp"
	"fmt"
	"net/http"
	"sort"
	"time"

	"jianfu"
)

// The 工作台: the first page of every role, its own work first — each list
// sorted by deadline (the overdue first), with how many wait, each item
// linking to its page. What a list holds is the store's scoped queries;
// which lists a person sees follows their roles.

// workItem is one piece of work on the 工作台.
type workItem struct {
	Title, Sub, Link string
	Due              string // the last day, YYYY-MM-DD; "" without a deadline
	Late             bool   // past its deadline
}

// workList is one kind of work: its heading (home.work.<Key>), the page
// of all of it, how many wait and how many of them are late, and the
// first few by deadline.
type workList struct {
	Key, Path   string
	Count, Late int
	Items       []workItem
}

// workLimit is how many items of each list the 工作台 shows.
const workLimit = 5

// workbench gathers the caller's work lists by role.
func (s *Server) workbench(r *http.Request, p *page) ([]workList, error) {
	a, ctx, now := p.Actor, r.Context(), s.now()
	var out []workList
	seen := map[string]bool{}
	add := func(l workList, err error) error {
		if err != nil || seen[l.Key] {
			return err
		}
		seen[l.Key] = true
		sort.SliceStable(l.Items, func(i, j int) bool { return cmp.Or(l.Items[i].Due, "9") < cmp.Or(l.Items[j].Due, "9") })
		out = append(out, l)
		return nil
	}
	cases := func(key, path string, set func(*jianfu.CaseFilter)) (workList, error) {
		l := workList{Key: key, Path: path}
		f := jianfu.CaseFilter{Page: jianfu.Page{Limit: workLimit, Sort: "due"}, Now: now}
		set(&f)
		items, total, err := s.svc.Cases.FindCases(ctx, f)
		if err != nil {
			return l, err
		}
		l.Count = total
		for _, c := range items {
			it := workItem{Title: c.Number + " · " + p.Category(c.Category), Link: fmt.Sprintf("/cases/%d", c.ID), Due: p.DueDay(c.DueAt), Late: c.Overdue(now)}
			it.Sub = p.Stage(c.Stage)
			if c.UnitName != "" {
				it.Sub += " · " + c.UnitName
			}
			if name := cmp.Or(c.ChannelName, c.ChannelText); name != "" {
				it.Sub += " · " + name
			}
			if it.Late {
				l.Late++
			}
			l.Items = append(l.Items, it)
		}
		if f.Overdue {
			l.Late = total
		}
		return l, nil
	}
	if s.svc.Cases != nil && a.CanHandleCases() {
		if err := add(cases("triage", "/cases?view=triage&sort=due", func(f *jianfu.CaseFilter) { f.SetView("triage") })); err != nil {
			return nil, err
		}
		if err := add(cases("verify", "/cases?view=open&sort=due", func(f *jianfu.CaseFilter) { f.Open, f.Stage = true, jianfu.StageVerify })); err != nil {
			return nil, err
		}
		if err := add(cases("overdue", "/cases?view=overdue&sort=due", func(f *jianfu.CaseFilter) { f.SetView("overdue") })); err != nil {
			return nil, err
		}
		if err := add(cases("escalated", "/cases?view=escalated&sort=due", func(f *jianfu.CaseFilter) { f.SetView("escalated") })); err != nil {
			return nil, err
		}
	}
	if s.svc.Cases != nil && a.CanAnswerCases() {
		if err := add(cases("answer", "/cases?view=open&sort=due", func(f *jianfu.CaseFilter) { f.SetView("open") })); err != nil {
			return nil, err
		}
	}
	channels := func(key, path string, f jianfu.ChannelFilter, due func(*jianfu.Channel) *time.Time) (workList, error) {
		l := workList{Key: key, Path: path}
		f.Page = jianfu.Page{Limit: workLimit}
		items, total, err := s.svc.Channels.FindChannels(ctx, f)
		if err != nil {
			return l, err
		}
		l.Count = total
		for _, c := range items {
			it := workItem{Title: c.Name, Sub: p.Kind(c.Kind) + " · " + c.UnitName, Link: fmt.Sprintf("/registry/%d", c.ID)}
			if d := due(c); d != nil {
				it.Due, it.Late = p.Day(d), !now.Before(*d)
				if it.Late {
					l.Late++
				}
			}
			l.Items = append(l.Items, it)
		}
		return l, nil
	}
	noDue := func(*jianfu.Channel) *time.Time { return nil }
	revalidation := func(c *jianfu.Channel) *time.Time { return c.RevalidationDue }
	if s.svc.Channels != nil && a.HasAny(jianfu.RoleReviewer) {
		if err := add(channels("review", "/registry?status=submitted", jianfu.ChannelFilter{Status: jianfu.StatusSubmitted}, noDue)); err != nil {
			return nil, err
		}
	}
	if s.svc.Channels != nil && a.Has(jianfu.RoleUnitAdmin) {
		if err := add(channels("returned", "/registry?status=returned", jianfu.ChannelFilter{Status: jianfu.StatusReturned}, noDue)); err != nil {
			return nil, err
		}
		if err := add(channels("revalidate", "/registry?overdue=1", jianfu.ChannelFilter{Overdue: true}, revalidation)); err != nil {
			return nil, err
		}
	}
	if s.svc.Cleanup != nil && a.Has(jianfu.RoleUnitAdmin) {
		l := workList{Key: "orders", Path: "/cleanup"}
		items, total, err := s.svc.Cleanup.FindOrders(ctx, jianfu.OrderFilter{Status: jianfu.OrderIssued, Page: jianfu.Page{Limit: workLimit}})
		if err != nil {
			return nil, err
		}
		l.Count = total
		today := now.In(jianfu.China).Format("2006-01-02")
		for _, o := range items {
			it := workItem{Title: o.ChannelName, Sub: p.Kind(o.Kind) + " · " + o.UnitName, Link: fmt.Sprintf("/cleanup/orders/%d", o.ID), Due: o.Deadline, Late: o.Deadline != "" && o.Deadline < today}
			if it.Late {
				l.Late++
			}
			l.Items = append(l.Items, it)
		}
		if err := add(l, nil); err != nil {
			return nil, err
		}
	}
	if s.svc.Campaigns != nil && a.HasAny(jianfu.RoleInspector) {
		if err := add(s.myForms(r, p, workLimit)); err != nil {
			return nil, err
		}
	}
	if s.svc.Audit != nil && a.HasAny(jianfu.RoleAuditor) {
		l := workList{Key: "security", Path: "/audit?action=reporter."}
		items, total, err := s.svc.Audit.FindAuditEntries(ctx, jianfu.AuditFilter{Action: "reporter.re", Page: jianfu.Page{Limit: workLimit}})
		if err != nil {
			return nil, err
		}
		l.Count = total
		for _, e := range items {
			l.Items = append(l.Items, workItem{Title: e.ActorShown(), Sub: e.ActionName(), Link: "/audit?action=" + e.Action, Due: p.Day(e.At)})
		}
		out = append(out, l) // newest first, not by deadline
	}
	return out, nil
}

// myForms is the inspector's list of the check forms assigned to them and
// not yet submitted, the first limit of them.
func (s *Server) myForms(r *http.Request, p *page, limit int) (workList, error) {
	l := workList{Key: "forms", Path: "/forms"}
	items, total, err := s.svc.Campaigns.FindForms(r.Context(), jianfu.FormFilter{InspectorID: p.Actor.UserID, Status: jianfu.FormPending, Page: jianfu.Page{Limit: limit, Sort: "deadline"}})
	if err != nil {
		return l, err
	}
	l.Count = total
	today := s.now().In(jianfu.China).Format("2006-01-02")
	for _, f := range items {
		it := workItem{Title: f.ChannelName, Sub: f.CampaignName + " · " + f.UnitName, Due: f.Deadline, Late: f.Deadline != "" && f.Deadline < today,
			Link: fmt.Sprintf("/campaigns/%d/forms/%d", f.CampaignID, f.ID)}
		if it.Late {
			l.Late++
		}
		l.Items = append(l.Items, it)
	}
	return l, nil
}

// showMyForms lists the check forms assigned to the inspector (我的检查表单).
func (s *Server) showMyForms(w http.ResponseWriter, r *http.Request) error {
	p := s.newPage(r, "campaigns")
	p.Title = p.T("home.work.forms")
	l, err := s.myForms(r, p, 1000)
	if err != nil {
		return err
	}
	p.Data = map[string]any{"List": l}
	s.render(w, r, "forms", p)
	return nil
}
