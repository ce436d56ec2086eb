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
	if err := caseIn(jianfu.CaseAnswered).CanBecomeTypical(true); !strings.Contains(jianfu.ErrorMessage(err, "zh"), "只有已办结的线索才能作为典型案例") {
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

// Only what was found true and dealt with becomes a typical case: rectified
// in full, or not rectified with an accountability proposal — never a case
// that "经核实,未整改" and stopped there.
func TestTypicalOnlyWhenSubstantiated(t *testing.T) {
	for _, tt := range []struct {
		outcome     jianfu.CaseOutcome
		accountable bool
		ok          bool
	}{
		{jianfu.OutcomeFixed, false, true},
		{jianfu.OutcomeNotFixed, true, true},
		{jianfu.OutcomePartlyFixed, true, true},
		{jianfu.OutcomeNotFixed, false, false},
		{jianfu.OutcomePartlyFixed, false, false},
		{jianfu.OutcomeUnsubstantiated, true, false},
		{jianfu.OutcomeNotResponsible, false, false},
	} {
		c := caseIn(jianfu.CaseClosed)
		c.Outcome = tt.outcome
		err := c.CanBecomeTypical(tt.accountable)
		if (err == nil) != tt.ok {
			t.Errorf("%s, accountable %v: %v", tt.outcome, tt.accountable, err)
		}
		if err != nil && !strings.Contains(jianfu.ErrorMessage(err, "zh"), "典型案例须是经核实属实、已整改到位或已提出问责建议的线索") {
			t.Errorf("%s: the refusal does not say why: %v", tt.outcome, err)
		}
	}
}

// The proposed text reads like a 通报: reported, found true, dealt with,
// and the clause broken — and never ends 未整改.
func TestTypicalDraftText(t *testing.T) {
	c := caseIn(jianfu.CaseClosed)
	c.Outcome, c.RegionName, c.CreatedAt = jianfu.OutcomeFixed, "江南区", china(2025, 9, 3, 10, 0)
	d := c.TypicalDraft("某工作群每晚十点要求教师接龙回复“收到”。", false)
	if d.Title != "某区“接龙回复”问题典型案例" || !strings.HasPrefix(d.Summary, "2025年9月,有群众反映:某工作群每晚十点要求教师接龙回复“收到”。") ||
		!strings.Contains(d.Summary, "经查,反映问题属实。") || !strings.HasSuffix(d.Summary, "整改到位。") ||
		!strings.Contains(d.Lesson, "关于“在工作群组中,不得脱离工作实际强制要求打卡接龙、即时响应”的要求") {
		t.Errorf("draft %+v", d)
	}
	if err := d.ValidateDraft(); err != nil {
		t.Errorf("the proposed draft does not pass its own checks: %v", err)
	}
	c.Outcome = jianfu.OutcomeNotFixed
	if d := c.TypicalDraft("某工作群要求每天转发点赞。", true); !strings.HasSuffix(d.Summary, "已依规依纪提出问责建议。") || strings.Contains(d.Summary, "未整改。") {
		t.Errorf("accountability draft %q", d.Summary)
	}
}
