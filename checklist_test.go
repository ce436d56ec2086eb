package jianfu

import (
	"strings"
	"testing"
	"time"
)

func TestAutoAnswers(t *testing.T) {
	account := &Checklist{PassMark: 60, Items: []ChecklistItem{
		{Key: "V1", Kind: ItemVeto, Title: "检查前2周内无更新", Auto: AutoStale},
		{Key: "V2", Kind: ItemVeto, Title: "无法访问", Auto: AutoUnreachable},
		{Key: "D5", Kind: ItemDeduct, Points: 10, Title: "页面链接失效", Auto: AutoBrokenLinks},
		{Key: "D9", Kind: ItemDeduct, Points: 10, Title: "人工判断的项目"},
	}}
	now := time.Date(2026, 3, 20, 10, 0, 0, 0, China)
	yes, no := true, false
	at := func(days int) *time.Time { t := now.AddDate(0, 0, -days); return &t }
	cases := []struct {
		name  string
		facts MonitorFacts
		want  map[string]bool // item key → hit; absent keys unanswered
	}{
		{"nothing known answers nothing", MonitorFacts{}, map[string]bool{}},
		{"updated 3 days ago passes the 2-week item", MonitorFacts{LastUpdate: at(3)}, map[string]bool{AutoStale: false}},
		{"silent for 20 days fails it", MonitorFacts{LastUpdate: at(20)}, map[string]bool{AutoStale: true}},
		{"unreachable", MonitorFacts{Reachable: &no}, map[string]bool{AutoUnreachable: true}},
		{"reachable with broken links", MonitorFacts{Reachable: &yes, BrokenLinks: 3}, map[string]bool{AutoUnreachable: false, AutoBrokenLinks: false}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := account.AutoAnswers(now, c.facts)
			seen := map[string]bool{}
			for _, it := range account.Items {
				a, ok := got[it.Key]
				want, expected := c.want[it.Auto]
				if !ok {
					if expected {
						t.Errorf("%s (%s) not answered", it.Key, it.Auto)
					}
					continue
				}
				seen[it.Auto] = true
				if !a.Auto || !strings.HasPrefix(a.Note, "技术监测") {
					t.Errorf("%s: not marked automatic with a note: %+v", it.Key, a)
				}
				if it.Auto != AutoBrokenLinks && a.Hit != want {
					t.Errorf("%s (%s) hit %v, want %v", it.Key, it.Auto, a.Hit, want)
				}
				if it.Auto == AutoBrokenLinks && it.Kind == ItemDeduct && a.Points != 6 {
					t.Errorf("3 broken links deduct %g points, want 6", a.Points)
				}
			}
			for auto := range c.want {
				if !seen[auto] {
					t.Errorf("%s not answered", auto)
				}
			}
		})
	}
}

func TestRectificationOpinion(t *testing.T) {
	list := &Checklist{PassMark: 60, Items: []ChecklistItem{
		{Key: "V1", Kind: ItemVeto, Title: "检查前2周内无更新"},
		{Key: "D1", Kind: ItemDeduct, Points: 20, Title: "强制关注"},
		{Key: "D2", Kind: ItemDeduct, Points: 10, Title: "页面链接失效"},
	}}
	answers := map[string]Answer{"V1": {Hit: true, Note: "最近更新于2026-02-01"}, "D1": {Points: 15}, "D2": {}}
	op := list.RectificationOpinion(answers, Result{Vetoed: true}, "尽快更新", "2026年4月1日")
	for _, want := range []string{"触及单项否决指标", "1. 检查前2周内无更新(单项否决):最近更新于2026-02-01;", "2. 强制关注(扣15分);", "检查意见:尽快更新。", "请于2026年4月1日前完成整改"} {
		if !strings.Contains(op, want) {
			t.Errorf("opinion lacks %q:\n%s", want, op)
		}
	}
	if strings.Contains(op, "页面链接失效") {
		t.Error("an item without deduction is listed as a problem")
	}
	if op := list.RectificationOpinion(answers, Result{Score: 45}, "", "2026年4月1日"); !strings.Contains(op, "得分45分,低于合格线60分") || strings.Contains(op, "检查意见") {
		t.Errorf("score verdict: %s", op)
	}
}

// TestChecklistsFor: a campaign uses the narrowest list that applies in its
// region, the latest version of it.
func TestChecklistsFor(t *testing.T) {
	all := []*Checklist{
		{ID: 1, Key: "account", Kind: KindAccount, Version: 1},
		{ID: 7, Key: "account", Kind: KindAccount, Version: 2},
		{ID: 5, Key: "account-x", Kind: KindAccount, Version: 1}, // another province-wide list: the default wins
		{ID: 8, Key: "account-south", Kind: KindAccount, Version: 1, RegionPath: "390102"},
		{ID: 9, Key: "account-south", Kind: KindAccount, Version: 2, RegionPath: "390102"},
		{ID: 10, Key: "account-city", Kind: KindAccount, Version: 1, RegionPath: "3901"},
		{ID: 11, Key: "account-city2", Kind: KindAccount, Version: 1, RegionPath: "3901"}, // the newer of the city's
		{ID: 3, Key: "group", Kind: KindGroup, Version: 1},
	}
	for _, tt := range []struct {
		region       string
		account, grp int64
	}{
		{"", 7, 3},
		{"39", 7, 3},
		{"3902", 7, 3},
		{"3901", 11, 3},
		{"390103", 11, 3},
		{"390102", 9, 3},
		{"390102001", 9, 3},
	} {
		got := ChecklistsFor(all, tt.region)
		if got[KindAccount].ID != tt.account || got[KindGroup].ID != tt.grp || got[KindApp] != nil {
			t.Errorf("region %q: account %d, group %d; want %d, %d", tt.region, got[KindAccount].ID, got[KindGroup].ID, tt.account, tt.grp)
		}
	}
}

// TestMayEditChecklist: province-wide lists only from province level up;
// a region's version from within the region's scope.
func TestMayEditChecklist(t *testing.T) {
	sup := func(region string) *Actor {
		return &Actor{UserID: 1, Username: "s", Roles: []Role{RoleSupervisor}, RegionPath: region, UnitPath: "/1/"}
	}
	for _, tt := range []struct {
		who    *Actor
		region string
		ok     bool
	}{
		{sup(""), "", true},
		{sup("39"), "", true},
		{sup("39"), "39", true},
		{sup("39"), "390102", true},
		{sup("3901"), "", false},
		{sup("390102"), "", false},
		{sup("390102"), "39", false},
		{sup("390102"), "390102", true},
		{sup("390102"), "390102001", true},
		{sup("390102"), "390103", false},
		{sup("390102"), "3901", false},
		{sup("3901"), "390103", true},
		{&Actor{UserID: 2, Username: "r", Roles: []Role{RoleReviewer}, RegionPath: "39", UnitPath: "/1/"}, "", false},
		{SystemActor("test"), "", true},
	} {
		err := tt.who.MayEditChecklist(tt.region)
		if (err == nil) != tt.ok {
			t.Errorf("%v at %q edits a list of %q: %v", tt.who.Roles, tt.who.RegionPath, tt.region, err)
		}
	}
	if s := sup("390102"); !s.SeesChecklist("") || !s.SeesChecklist("3901") || !s.SeesChecklist("390102001") || s.SeesChecklist("390103") {
		t.Error("which lists a county supervisor sees")
	}
}
