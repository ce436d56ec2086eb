package jianfu_test

import (
	"strings"
	"testing"

	"jianfu"
)

// TestTypicalRegion checks that a typical case names no place finer than
// a city, so a county's single office is not pointed at.
func TestTypicalRegion(t *testing.T) {
	for _, tt := range []struct{ path, want string }{
		{"390102001", "3901"},
		{"390102", "3901"},
		{"3901", "3901"},
		{"39", "39"},
		{"", ""},
	} {
		if got := jianfu.TypicalRegion(tt.path); got != tt.want {
			t.Errorf("TypicalRegion(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

// TestTypicalDraft checks the lengths of a draft's texts, each problem
// naming its field.
func TestTypicalDraft(t *testing.T) {
	summary := strings.Repeat("某区教育局要求教师每晚在工作群接龙回复。", 2)
	for _, tt := range []struct {
		name   string
		t      jianfu.TypicalCase
		fields string
	}{
		{"complete", jianfu.TypicalCase{Title: "某区教育局工作群每晚接龙", Summary: summary}, ""},
		{"with a lesson", jianfu.TypicalCase{Title: "某区教育局工作群每晚接龙", Summary: summary, Lesson: "工作群不是打卡群"}, ""},
		{"too short", jianfu.TypicalCase{Title: "  接龙  ", Summary: "每晚接龙"}, "title,summary"},
		{"a long lesson", jianfu.TypicalCase{Title: "某区教育局工作群每晚接龙", Summary: summary, Lesson: strings.Repeat("警", 1001)}, "lesson"},
	} {
		var fields []string
		if e, ok := tt.t.ValidateDraft().(*jianfu.Error); ok {
			for _, p := range e.Problems {
				fields = append(fields, p.Field)
			}
		}
		if strings.Join(fields, ",") != tt.fields {
			t.Errorf("%s: problems with %v, want %s", tt.name, fields, tt.fields)
		}
	}
}

// TestTypicalPublication checks what may be published and withdrawn, and
// the timeline's words for it.
func TestTypicalPublication(t *testing.T) {
	if err := caseIn(jianfu.CaseAnswered).CanBecomeTypical(); !strings.Contains(jianfu.ErrorMessage(err, "zh"), "只有已办结的线索才能作为典型案例") {
		t.Errorf("an open case as typical: %v", err)
	}
	if err := (&jianfu.TypicalCase{Status: "draft"}).CanPublish(); err != nil {
		t.Errorf("a draft: %v", err)
	}
	if err := (&jianfu.TypicalCase{Status: "published"}).CanPublish(); jianfu.ErrorCode(err) != jianfu.ECONFLICT {
		t.Errorf("published twice: %v", err)
	}
	if got, err := jianfu.WithdrawalReason(" 案例细节有误 "); err != nil || got != "案例细节有误" {
		t.Errorf("withdrawal %q, %v", got, err)
	}
	if _, err := jianfu.WithdrawalReason("错"); !strings.Contains(jianfu.ErrorMessage(err, "zh"), "撤回理由应为4至500字") {
		t.Errorf("a short withdrawal reason: %v", err)
	}
	tc := &jianfu.TypicalCase{Title: "某区教育局工作群每晚接龙"}
	for _, tt := range []struct {
		e    jianfu.CaseEvent
		want string
	}{
		{tc.Drafted(), "拟作为典型案例:某区教育局工作群每晚接龙"},
		{tc.Published(), "作为典型案例发布:某区教育局工作群每晚接龙"},
		{jianfu.TypicalWithdrawn("案例细节有误"), "撤回典型案例:案例细节有误"},
	} {
		if tt.e.Note != tt.want || tt.e.Public {
			t.Errorf("event %+v, want %q", tt.e, tt.want)
		}
	}
}
