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
