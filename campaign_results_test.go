package jianfu

import (
	"fmt"
	"testing"
)

func TestStratify(t *testing.T) {
	// A city's campaign stratifies by county and kind.
	tests := []struct{ scope, region, want string }{
		{"3901", "390102003", "390102/account"},
		{"3901", "3901", "3901/account"},
		{"39", "390102", "3901/account"},
		{"", "390102", "39/account"},
		{"390102001002", "390102001002", "390102001002/account"},
	}
	for _, tt := range tests {
		if got := StratumOf(tt.scope, tt.region, KindAccount); got != tt.want {
			t.Errorf("StratumOf(%q, %q) = %q, want %q", tt.scope, tt.region, got, tt.want)
		}
	}
	pop := []Candidate{{1, "390102/group"}, {2, "390102/account"}, {3, "390103/group"}, {4, "390102/group"}, {5, "390102/group"}}
	sample := []Candidate{{1, "390102/group"}, {3, "390103/group"}}
	strata, ids := Stratify(pop, sample)
	if got := fmt.Sprint(strata); got != "[{390102/account 390102  account 1 0} {390102/group 390102  group 3 1} {390103/group 390103  group 1 1}]" {
		t.Errorf("strata %s", got)
	}
	if fmt.Sprint(ids["390102/group"]) != "[1 4 5]" {
		t.Errorf("population %v", ids)
	}
	c := &Campaign{SampleSize: 2, Seed: 42}
	check := c.Redraw(ids, nil)
	again := c.Redraw(ids, check.Redrawn)
	if check.Match || !again.Match || again.Population != 5 || len(again.Redrawn) != 2 {
		t.Errorf("redraw %+v %+v", check, again)
	}
}

func TestRegionResults(t *testing.T) {
	// A stratum's average is of its forms not vetoed (a veto is not a
	// score); a region's is their mean weighted by those forms; a region
	// whose every form was vetoed has no average.
	strata := []UnitResult{
		{RegionPath: "390102/account", Checked: 3, Passed: 2, Failed: 1, Vetoed: 1, AvgScore: f(100)},
		{RegionPath: "390102/group", Checked: 1, Passed: 1, AvgScore: f(80)},
		{RegionPath: "390103/group", Checked: 2, Failed: 2, Vetoed: 2},
	}
	got := RegionResults(strata)
	if len(got) != 2 || got[0].Checked != 4 || got[0].Vetoed != 1 || got[0].AvgScore == nil || *got[0].AvgScore != 93.3 || got[1].AvgScore != nil || got[1].Failed != 2 {
		t.Errorf("regions %+v", got)
	}
}

func TestFormInputPrepare(t *testing.T) {
	list := DefaultChecklists()[0] // the account checklist of the 2019 structure
	form := &CheckForm{Answers: map[string]Answer{"V1": {Hit: false, Auto: true, Note: "技术监测"}, "D5": {Points: 5, Auto: true}}}
	tests := []struct {
		name   string
		in     FormInput
		score  string
		passed bool
		code   string
	}{
		{"the automatic answers stay", FormInput{Answers: map[string]Answer{"D1": {Points: 20}}}, "75", true, ""},
		{"an override replaces one", FormInput{Answers: map[string]Answer{"D5": {Points: 0}, "D2": {Points: 15}, "D3": {Points: 15}, "D4": {Points: 15}}}, "55", false, ""},
		{"a submitted veto needs evidence", FormInput{Submit: true, Answers: map[string]Answer{"V3": {Hit: true}}}, "0", false, EINVALID},
		// A vetoed form keeps the score of its deductions (95 here) and
		// fails all the same; its scorecard counts it as 0.
		{"a veto with evidence", FormInput{Submit: true, Evidence: " 见截图 ", Answers: map[string]Answer{"V3": {Hit: true}}}, "95", false, ""},
		{"a saved draft with a veto", FormInput{Answers: map[string]Answer{"V3": {Hit: true}}}, "95", false, ""},
	}
	for _, tt := range tests {
		in := tt.in
		res, err := in.Prepare(form, list)
		if codeOf(err) != tt.code || err == nil && (fmt.Sprint(res.Score) != tt.score || res.Passed != tt.passed) {
			t.Errorf("%s: %+v %v", tt.name, res, err)
		}
	}
	in := FormInput{Opinion: " 请尽快整改 "}
	in.Prepare(form, list)
	if in.RecordedOpinion("") != "请尽快整改" || in.RecordedOpinion("整改意见:…") != "整改意见:…" {
		t.Error("the recorded opinion")
	}
}

func TestCurrentChecklists(t *testing.T) {
	// Read kind by kind, newest version first.
	all := []*Checklist{
		{ID: 5, Key: "account-x", Kind: KindAccount, Version: 1},
		{ID: 4, Key: "account", Kind: KindAccount, Version: 2},
		{ID: 1, Key: "account", Kind: KindAccount, Version: 1},
		{ID: 6, Key: "group-y", Kind: KindGroup, Version: 3},
	}
	cur := CurrentChecklists(all)
	if cur[KindAccount].ID != 4 || cur[KindGroup].ID != 6 || cur[KindApp] != nil {
		t.Errorf("current %+v", cur)
	}
}
