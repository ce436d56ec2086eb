package jianfu_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"jianfu"
	"jianfu/calendar"
)

// policy is the default deadline policy of a fresh installation.
var policy = jianfu.DeadlinePolicy{Category: jianfu.DefaultCategory, Triage: 3, Answer: 5, Rectify: 15, Verify: 5, Remind: 1, Escalate: 2}

// china is a time on the Chinese wall clock.
func china(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, jianfu.China)
}

// stepAt is an action at now with the default policy and the built-in
// holiday calendar.
func stepAt(c *jianfu.Case, now time.Time) jianfu.CaseStep {
	cal := calendar.Default()
	return jianfu.CaseStep{Now: now, Calendar: cal, Start: func(s jianfu.CaseStage) error {
		c.SetStage(s, policy, cal, now)
		return nil
	}}
}

// friday is Friday 26 September 2025, before the National Day holiday
// (1–8 October, with Sunday 28 September and Saturday 11 October worked).
var friday = china(2025, 9, 26, 10, 0)

// caseIn is a case of the chain category in the given status, with the
// stage that status has.
func caseIn(s jianfu.CaseStatus) *jianfu.Case {
	c := &jianfu.Case{ID: 7, Number: "JF2025-000007", Source: jianfu.SourceComplaint, Category: "chain", Proposed: []string{"instant"},
		RegionPath: "390102", Status: s}
	switch s {
	case jianfu.CaseNew, jianfu.CaseAccepted:
		c.Stage = jianfu.StageTriage
	case jianfu.CaseTransferred:
		c.Stage, c.UnitID, c.UnitName = jianfu.StageAnswer, 5, "江南区教育局"
	case jianfu.CaseAnswered:
		c.Stage, c.UnitID, c.UnitName, c.Finding = jianfu.StageRectify, 5, "江南区教育局", jianfu.FindingSubstantiated
	case jianfu.CaseRectified, jianfu.CaseVerified:
		c.Stage, c.UnitID, c.UnitName, c.Finding = jianfu.StageVerify, 5, "江南区教育局", jianfu.FindingSubstantiated
	}
	if c.Stage != "" {
		due := china(2025, 9, 30, 0, 0) // the end of Monday 29 September
		c.DueAt = &due
	}
	return c
}

// lookup is what a triage finds in scope.
type lookup struct {
	channels map[int64]string
	cases    map[string]jianfu.Case
}

func (l lookup) ChannelName(id int64) (string, bool) { n, ok := l.channels[id]; return n, ok }
func (l lookup) CaseByNumber(n string) (int64, jianfu.CaseStatus, bool) {
	c, ok := l.cases[n]
	return c.ID, c.Status, ok
}

var scope = lookup{
	channels: map[int64]string{42: "江南区教师工作群"},
	cases: map[string]jianfu.Case{
		"JF2025-000003": {ID: 3, Status: jianfu.CaseTransferred},
		"JF2025-000004": {ID: 4, Status: jianfu.CaseRejected},
		"JF2025-000007": {ID: 7, Status: jianfu.CaseNew},
	},
}

var education = &jianfu.Unit{ID: 9, Name: "江州市教育局", RegionPath: "3901"}

// TestCaseActionsByStatus checks which action each status allows: every
// other action is refused as a conflict that names the case's status.
func TestCaseActionsByStatus(t *testing.T) {
	actions := []struct {
		name string
		do   func(c *jianfu.Case) error
	}{
		{"triage", func(c *jianfu.Case) error {
			_, err := c.Triage(jianfu.Triage{Decision: jianfu.TriageAccept}, scope, stepAt(c, friday))
			return err
		}},
		{"transfer", func(c *jianfu.Case) error {
			_, err := c.Transfer(jianfu.Transfer{UnitID: 9, Reason: "原单位不负责该群"}, education, stepAt(c, friday))
			return err
		}},
		{"answer", func(c *jianfu.Case) error {
			_, err := c.Answer(jianfu.CaseAnswer{Finding: jianfu.FindingSubstantiated, Text: "经核实,该群确有每晚接龙的要求。"}, stepAt(c, friday))
			return err
		}},
		{"rectify", func(c *jianfu.Case) error {
			_, err := c.Rectify(jianfu.CaseRectification{Text: "已停止接龙并在全局通报。"}, stepAt(c, friday))
			return err
		}},
		{"verify", func(c *jianfu.Case) error {
			_, err := c.Verify(jianfu.Verification{Passed: true}, stepAt(c, friday))
			return err
		}},
		{"close not fixed", func(c *jianfu.Case) error {
			_, err := c.Close(jianfu.Closing{Outcome: jianfu.OutcomeNotFixed, Note: "责任单位拒不整改,已提出问责建议"}, stepAt(c, friday))
			return err
		}},
		{"close unsubstantiated", func(c *jianfu.Case) error {
			_, err := c.Close(jianfu.Closing{Outcome: jianfu.OutcomeUnsubstantiated, Note: "经核查反映不实"}, stepAt(c, friday))
			return err
		}},
		{"close fixed", func(c *jianfu.Case) error {
			_, err := c.Close(jianfu.Closing{Outcome: jianfu.OutcomeFixed, Note: "已整改到位"}, stepAt(c, friday))
			return err
		}},
		{"reopen", func(c *jianfu.Case) error {
			_, err := c.Reopen("群众反映问题仍然存在", stepAt(c, friday))
			return err
		}},
		{"opinion", func(c *jianfu.Case) error {
			_, err := c.AddOpinion(&jianfu.CaseOpinion{Kind: jianfu.OpinionRectification, Text: "立即停止要求接龙回复"}, &jianfu.Actor{Username: "sup"}, friday)
			return err
		}},
		{"typical", func(c *jianfu.Case) error { c.Outcome = jianfu.OutcomeFixed; return c.CanBecomeTypical(false) }},
	}
	// One letter per action above: Y allowed, - refused.
	allowed := map[jianfu.CaseStatus]string{
		jianfu.CaseNew:         "YY-------Y-",
		jianfu.CaseAccepted:    "YY-------Y-",
		jianfu.CaseTransferred: "-YY--Y---Y-",
		jianfu.CaseAnswered:    "-Y-Y-YY--Y-",
		jianfu.CaseRectified:   "----YYY--Y-",
		jianfu.CaseVerified:    "-----YYY-Y-",
		jianfu.CaseClosed:      "--------YYY",
		jianfu.CaseMerged:      "-----------",
		jianfu.CaseRejected:    "--------YY-",
	}
	for _, s := range jianfu.CaseStatuses {
		for i, a := range actions {
			want := allowed[s][i] == 'Y'
			err := a.do(caseIn(s))
			if want && err != nil {
				t.Errorf("%s on a %s case: %v", a.name, s, err)
			}
			if !want {
				if jianfu.ErrorCode(err) != jianfu.ECONFLICT {
					t.Errorf("%s on a %s case: %v, want a conflict", a.name, s, err)
				} else if msg := jianfu.ErrorMessage(err, "zh"); a.name != "close fixed" && !strings.Contains(msg, "当前为“"+jianfu.CaseStatusNames[s]+"”") {
					t.Errorf("%s on a %s case says %q, not the status", a.name, s, msg)
				}
			}
		}
		// What the case page offers (Allows, CloseOutcomes) is what the actions accept.
		c := caseIn(s)
		has := func(o jianfu.CaseOutcome) bool { return slices.Contains(c.CloseOutcomes(), o) }
		offered := map[string]bool{
			"triage": c.Allows(jianfu.CaseActTriage), "transfer": c.Allows(jianfu.CaseActTransfer) || c.Allows(jianfu.CaseActReroute),
			"answer": c.Allows(jianfu.CaseActAnswer), "rectify": c.Allows(jianfu.CaseActRectify), "verify": c.Allows(jianfu.CaseActVerify),
			"close not fixed": has(jianfu.OutcomeNotFixed), "close unsubstantiated": has(jianfu.OutcomeUnsubstantiated), "close fixed": has(jianfu.OutcomeFixed),
			"reopen": c.Allows(jianfu.CaseActReopen), "opinion": c.Allows(jianfu.CaseActOpinion),
		}
		for i, a := range actions[:len(actions)-1] {
			if want := allowed[s][i] == 'Y'; offered[a.name] != want {
				t.Errorf("a %s case: %s offered %v, allowed %v", s, a.name, offered[a.name], want)
			}
		}
		if c.Allows(jianfu.CaseActClose) != (len(c.CloseOutcomes()) > 0) {
			t.Errorf("a %s case: closing offered %v with outcomes %v", s, c.Allows(jianfu.CaseActClose), c.CloseOutcomes())
		}
	}
}

// TestWrongStatusWording checks what a user reads when the case has moved
// on: its status, in Chinese and in English, and why the action is out.
func TestWrongStatusWording(t *testing.T) {
	_, err := caseIn(jianfu.CaseClosed).Transfer(jianfu.Transfer{UnitID: 9}, education, stepAt(caseIn(jianfu.CaseClosed), friday))
	if zh, en := jianfu.ErrorMessage(err, "zh"), jianfu.ErrorMessage(err, "en"); zh != "该线索当前为“已办结”,不能移送" || en != "the case is closed: it cannot be transferred now" {
		t.Errorf("got %q / %q", zh, en)
	}
	_, err = caseIn(jianfu.CaseRectified).Close(jianfu.Closing{Outcome: jianfu.OutcomeFixed, Note: "已整改到位"}, stepAt(caseIn(jianfu.CaseRectified), friday))
	if zh := jianfu.ErrorMessage(err, "zh"); !strings.Contains(zh, "“已整改到位”须在整改经核查通过后才能办结") || !strings.Contains(zh, "如实选择“未整改”") {
		t.Errorf("closing as fixed before verification: %q", zh)
	}
}

// TestTriage checks the three decisions on a clue and what the reporter
// is told of each.
func TestTriage(t *testing.T) {
	tests := []struct {
		name       string
		status     jianfu.CaseStatus
		proposedCh bool
		t          jianfu.Triage
		err        string // part of the Chinese error, "" for none
		after      jianfu.CaseStatus
		categories string
		channel    string
		public     string // the public note, "" for an internal entry
	}{
		{name: "accept takes the category and the proposals", status: jianfu.CaseNew, t: jianfu.Triage{Decision: "accept"},
			after: jianfu.CaseAccepted, categories: "chain,instant", public: "已受理,正在核实责任单位"},
		{name: "accept confirms the proposed channel", status: jianfu.CaseNew, proposedCh: true, t: jianfu.Triage{Decision: "accept", Categories: []string{"instant", "instant", "chain"}},
			after: jianfu.CaseAccepted, categories: "instant,chain", channel: "江南区某校家长群", public: "已受理,正在核实责任单位"},
		{name: "accept names a channel in scope", status: jianfu.CaseNew, proposedCh: true, t: jianfu.Triage{Decision: "accept", ChannelID: 42},
			after: jianfu.CaseAccepted, categories: "chain,instant", channel: "江南区教师工作群", public: "已受理,正在核实责任单位"},
		{name: "accept again is internal", status: jianfu.CaseAccepted, t: jianfu.Triage{Decision: "accept", Categories: []string{"task"}},
			after: jianfu.CaseAccepted, categories: "task"},
		{name: "an unknown category", status: jianfu.CaseNew, t: jianfu.Triage{Decision: "accept", Categories: []string{"chain", "bogus"}}, err: "问题类型“bogus”无效"},
		{name: "a channel out of scope", status: jianfu.CaseNew, t: jianfu.Triage{Decision: "accept", ChannelID: 43}, err: "渠道(编号43)不存在或不在您的管辖范围内"},
		{name: "merge", status: jianfu.CaseNew, t: jianfu.Triage{Decision: "merge", MergeInto: " JF2025-000003 "},
			after: jianfu.CaseMerged, public: "与已受理的JF2025-000003反映的是同一问题,已并案办理,请关注该编号的办理进展"},
		{name: "merge needs a number", status: jianfu.CaseNew, t: jianfu.Triage{Decision: "merge"}, err: "请填写与之重复的线索编号"},
		{name: "merge into a case out of scope", status: jianfu.CaseNew, t: jianfu.Triage{Decision: "merge", MergeInto: "JF2025-000099"}, err: "线索JF2025-000099不存在或不在您的管辖范围内"},
		{name: "merge into itself", status: jianfu.CaseNew, t: jianfu.Triage{Decision: "merge", MergeInto: "JF2025-000007"}, err: "不能并入线索JF2025-000007"},
		{name: "merge into a rejected case", status: jianfu.CaseNew, t: jianfu.Triage{Decision: "merge", MergeInto: "JF2025-000004"}, err: "不能并入线索JF2025-000004"},
		{name: "reject", status: jianfu.CaseNew, t: jianfu.Triage{Decision: "reject", Reason: " 反映内容与指尖上的形式主义无关 "},
			after: jianfu.CaseRejected, public: "不予受理:反映内容与指尖上的形式主义无关"},
		{name: "reject needs a reason", status: jianfu.CaseNew, t: jianfu.Triage{Decision: "reject", Reason: "无关"}, err: "不予受理的理由应为4至1000字"},
		{name: "an unknown decision", status: jianfu.CaseNew, t: jianfu.Triage{Decision: "later"}, err: "受理决定应为 accept(受理)、merge(并案)或 reject(不予受理)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := caseIn(tt.status)
			if tt.proposedCh {
				c.ProposedChannelID, c.ProposedChannelName = 41, "江南区某校家长群"
			}
			ch, err := c.Triage(tt.t, scope, stepAt(c, friday))
			if tt.err != "" {
				if msg := jianfu.ErrorMessage(err, "zh"); jianfu.ErrorCode(err) != jianfu.EINVALID || !strings.Contains(msg, tt.err) {
					t.Fatalf("got %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Status != tt.after || len(ch.Events) != 1 {
				t.Fatalf("status %s, events %v", c.Status, ch.Events)
			}
			e := ch.Events[0]
			if e.FromStatus != tt.status || e.ToStatus != tt.after || e.Public != (tt.public != "") || e.PublicNote != tt.public && tt.public != "" {
				t.Errorf("event %+v", e)
			}
			if tt.categories != "" && (strings.Join(c.Categories, ",") != tt.categories || c.Category != c.Categories[0]) {
				t.Errorf("categories %v, category %s", c.Categories, c.Category)
			}
			if c.ChannelName != tt.channel || tt.channel != "" && !strings.Contains(e.Note, "涉及渠道:"+tt.channel) {
				t.Errorf("channel %q, note %q", c.ChannelName, e.Note)
			}
			if tt.after != jianfu.CaseAccepted && (c.Stage != "" || c.DueAt != nil) {
				t.Errorf("an ended case keeps a deadline: %s %v", c.Stage, c.DueAt)
			}
			if tt.after == jianfu.CaseRejected && (c.ClosedAt == nil || !c.ClosedAt.Equal(friday)) {
				t.Errorf("rejected at %v", c.ClosedAt)
			}
		})
	}
}

// TestTransfer checks that a transfer tells the reporter which unit has
// the case and by when it answers, over holidays, and that re-routing
// needs a reason both units read.
func TestTransfer(t *testing.T) {
	t.Run("to the owner of the proposed channel", func(t *testing.T) {
		c := caseIn(jianfu.CaseNew)
		c.ProposedChannelID, c.ProposedChannelName = 41, "江南区某校家长群"
		if id, err := c.OwnerChannel(); id != 41 || err != nil {
			t.Fatalf("owner channel %d, %v", id, err)
		}
		ch, err := c.Transfer(jianfu.Transfer{Note: "请核实"}, education, stepAt(c, friday))
		if err != nil {
			t.Fatal(err)
		}
		if len(ch.Events) != 2 || ch.Events[0].Action != "accepted" || ch.Events[1].Action != "transferred" {
			t.Fatalf("events %+v", ch.Events)
		}
		if got := ch.Events[1].PublicNote; got != "已移送江州市教育局办理,答复时限2025年10月10日" {
			t.Errorf("public note %q", got)
		}
		if got := ch.Events[1].Note; got != "移送江州市教育局办理。请核实" {
			t.Errorf("note %q", got)
		}
		if c.Status != jianfu.CaseTransferred || c.Stage != jianfu.StageAnswer || c.UnitID != 9 || c.RegionPath != "3901" || c.ChannelID != 41 || strings.Join(c.Categories, ",") != "chain" {
			t.Errorf("case after transfer %+v", c)
		}
		if ch.Detail != "移送 → 江州市教育局" {
			t.Errorf("audit %q", ch.Detail)
		}
	})
	t.Run("no channel, no unit", func(t *testing.T) {
		if _, err := caseIn(jianfu.CaseAccepted).OwnerChannel(); !strings.Contains(jianfu.ErrorMessage(err, "zh"), "请选择责任单位") {
			t.Errorf("got %v", err)
		}
	})
	for _, tt := range []struct {
		name string
		t    jianfu.Transfer
		unit *jianfu.Unit
		err  string
	}{
		{"a re-routing needs a reason", jianfu.Transfer{UnitID: 9}, education, "改派理由应为4至1000字"},
		{"not to the same unit", jianfu.Transfer{UnitID: 5, Reason: "原单位不负责该群"}, &jianfu.Unit{ID: 5, Name: "江南区教育局"}, "该线索已在“江南区教育局”办理"},
		{"not to a disabled unit", jianfu.Transfer{UnitID: 8, Reason: "原单位不负责该群"}, &jianfu.Unit{ID: 8, Name: "旧单位", Disabled: true}, "单位“旧单位”已停用"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := caseIn(jianfu.CaseTransferred)
			if _, err := c.Transfer(tt.t, tt.unit, stepAt(c, friday)); jianfu.ErrorCode(err) != jianfu.EINVALID || !strings.Contains(jianfu.ErrorMessage(err, "zh"), tt.err) {
				t.Errorf("got %v, want %q", err, tt.err)
			}
		})
	}
	t.Run("re-routed", func(t *testing.T) {
		c := caseIn(jianfu.CaseAnswered)
		ch, err := c.Transfer(jianfu.Transfer{UnitID: 9, Reason: "该群由市教育局建立"}, education, stepAt(c, friday))
		if err != nil {
			t.Fatal(err)
		}
		e := ch.Events[0]
		if len(ch.Events) != 1 || e.Action != "rerouted" || e.FromUnit != "江南区教育局" || e.Note != "改由江州市教育局办理。改派理由:该群由市教育局建立" ||
			e.PublicNote != "已改由江州市教育局办理,答复时限2025年10月10日" || c.Finding != "" {
			t.Errorf("event %+v, finding %q", e, c.Finding)
		}
	})
}

// TestAnswer checks that the finding decides the next stage, that the
// reporter reads the answer as a sentence with the rectification deadline,
// and that a late answer says how late.
func TestAnswer(t *testing.T) {
	text := "经核实,该群确有每晚接龙的要求,已责令停止"
	for _, tt := range []struct {
		name    string
		finding jianfu.CaseFinding
		now     time.Time
		stage   jianfu.CaseStage
		note    string
		public  string
	}{
		// 15 working days from Friday 26 September: 28–30 September, then
		// 9–23 October with Saturday 11 October worked.
		{"substantiated", jianfu.FindingSubstantiated, friday, jianfu.StageRectify,
			"答复(属实):" + text + ";", "江南区教育局答复(核实结果:属实):" + text + "。整改时限2025年10月23日。"},
		{"not responsible", jianfu.FindingNotResponsible, friday, jianfu.StageVerify,
			"答复(非本单位职责):" + text + ";", "江南区教育局答复(核实结果:非本单位职责):" + text + "。"},
		// Due at the end of Monday 29 September; answered on Thursday 9
		// October, after the holiday: 30 September and 9 October late.
		{"late", jianfu.FindingPartly, china(2025, 10, 9, 9, 0), jianfu.StageRectify,
			"答复(逾期2个工作日)(部分属实):" + text + ";", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := caseIn(jianfu.CaseTransferred)
			ch, err := c.Answer(jianfu.CaseAnswer{Finding: tt.finding, Text: "  " + text + "; "}, stepAt(c, tt.now))
			if err != nil {
				t.Fatal(err)
			}
			e := ch.Events[0]
			if c.Status != jianfu.CaseAnswered || c.Stage != tt.stage || c.Finding != tt.finding {
				t.Errorf("status %s stage %s finding %s", c.Status, c.Stage, c.Finding)
			}
			if e.Note != tt.note {
				t.Errorf("note %q, want %q", e.Note, tt.note)
			}
			if tt.public != "" && e.PublicNote != tt.public {
				t.Errorf("public note %q, want %q", e.PublicNote, tt.public)
			}
		})
	}
	for _, tt := range []struct {
		a   jianfu.CaseAnswer
		err string
	}{
		{jianfu.CaseAnswer{Finding: "maybe", Text: text}, "请选择核实结果"},
		{jianfu.CaseAnswer{Finding: jianfu.FindingPartly, Text: "已处理"}, "答复内容应为10至4000字"},
	} {
		c := caseIn(jianfu.CaseTransferred)
		if _, err := c.Answer(tt.a, stepAt(c, friday)); !strings.Contains(jianfu.ErrorMessage(err, "zh"), tt.err) {
			t.Errorf("answer %+v: %v, want %q", tt.a, err, tt.err)
		}
	}
}

// TestRectifyVerifyClose checks the end of the workflow: evidence counted
// in the note, a failed verification back to the unit with its reason
// and a new deadline, and an honest close.
func TestRectifyVerifyClose(t *testing.T) {
	c := caseIn(jianfu.CaseAnswered)
	ch, err := c.Rectify(jianfu.CaseRectification{Text: "已停止接龙并在全局通报。", Attachments: []*jianfu.Attachment{{}, {}}}, stepAt(c, friday))
	if err != nil {
		t.Fatal(err)
	}
	if e := ch.Events[0]; e.Note != "整改情况(附佐证图片2张):已停止接龙并在全局通报。" || e.PublicNote != "责任单位报告已完成整改,待网信部门核查" || c.Stage != jianfu.StageVerify {
		t.Errorf("rectified: %+v, stage %s", e, c.Stage)
	}
	if _, err := c.Verify(jianfu.Verification{Note: "未见"}, stepAt(c, friday)); !strings.Contains(jianfu.ErrorMessage(err, "zh"), "未通过核查的原因应为4至2000字") {
		t.Errorf("a failed verification without its reason: %v", err)
	}
	ch, err = c.Verify(jianfu.Verification{Note: "群内仍有接龙要求。"}, stepAt(c, friday))
	if err != nil {
		t.Fatal(err)
	}
	if e := ch.Events[0]; e.PublicNote != "整改未通过核查(群内仍有接龙要求),已退回责任单位重新整改,时限2025年10月23日" || c.Status != jianfu.CaseAnswered || c.Stage != jianfu.StageRectify {
		t.Errorf("failed: %+v, %s %s", e, c.Status, c.Stage)
	}
	ch, err = c.Close(jianfu.Closing{Outcome: jianfu.OutcomeNotFixed, Note: "责任单位两次整改未到位,已提出问责建议;"}, stepAt(c, friday))
	if err != nil {
		t.Fatal(err)
	}
	if e := ch.Events[0]; e.PublicNote != "已办结,结果:未整改。责任单位两次整改未到位,已提出问责建议。" || c.Outcome != jianfu.OutcomeNotFixed || c.Stage != "" || c.DueAt != nil || c.ClosedAt == nil {
		t.Errorf("closed: %+v, %+v", e, c)
	}
	if _, err := caseIn(jianfu.CaseVerified).Close(jianfu.Closing{Outcome: "done", Note: "已整改到位"}, stepAt(c, friday)); !strings.Contains(jianfu.ErrorMessage(err, "zh"), "请选择办结结果") {
		t.Errorf("an unknown outcome: %v", err)
	}
}

// TestReopen checks where a reopened case goes and who is said to have
// reopened it: the office, or the reporter at most twice.
func TestReopen(t *testing.T) {
	for _, tt := range []struct {
		from, to jianfu.CaseStatus
	}{
		{jianfu.CaseClosed, jianfu.CaseAccepted},
		{jianfu.CaseRejected, jianfu.CaseNew},
	} {
		c := caseIn(tt.from)
		c.Outcome = jianfu.OutcomeFixed
		ch, err := c.Reopen(" 群众反映问题仍然存在 ", stepAt(c, friday))
		if err != nil {
			t.Fatal(err)
		}
		if e := ch.Events[0]; c.Status != tt.to || c.Stage != jianfu.StageTriage || c.Outcome != "" || c.ReopenCount != 1 ||
			e.PublicNote != "网信部门决定重新办理:群众反映问题仍然存在" || e.ActorName != "" {
			t.Errorf("reopened %s: %s %+v", tt.from, c.Status, e)
		}
	}
	if _, err := caseIn(jianfu.CaseClosed).Reopen("再办", stepAt(caseIn(jianfu.CaseClosed), friday)); !strings.Contains(jianfu.ErrorMessage(err, "zh"), "重新办理的理由应为4至1000字") {
		t.Errorf("reopen without a reason: %v", err)
	}

	c := caseIn(jianfu.CaseClosed)
	for i := 1; i <= 3; i++ {
		ch, err := c.ReopenAtRequest("问题仍然存在", stepAt(c, friday))
		if i == 3 {
			if jianfu.ErrorCode(err) != jianfu.ECONFLICT || !strings.Contains(jianfu.ErrorMessage(err, "zh"), "已重新办理过2次") {
				t.Errorf("a third request: %v", err)
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if e := ch.Events[0]; e.ActorName != "reporter" || e.PublicNote != "反映人申请重新办理:问题仍然存在" || c.ReporterReopens != i {
			t.Errorf("request %d: %+v, %d", i, e, c.ReporterReopens)
		}
		if _, err := c.ReopenAtRequest("问题仍然存在", stepAt(c, friday)); !strings.Contains(jianfu.ErrorMessage(err, "zh"), "正在办理中") {
			t.Errorf("a request on an open case: %v", err)
		}
		c.Status = jianfu.CaseClosed
	}
}

// TestOpinionValidate checks what an opinion must hold.
func TestOpinionValidate(t *testing.T) {
	for _, tt := range []struct {
		o   jianfu.CaseOpinion
		err string
	}{
		{jianfu.CaseOpinion{Kind: jianfu.OpinionAccountability, Text: " 建议对该局分管负责人进行约谈。 ", Target: " 分管负责人 "}, ""},
		{jianfu.CaseOpinion{Kind: "praise", Text: "建议对该局分管负责人进行约谈。"}, "意见类型应为"},
		{jianfu.CaseOpinion{Kind: jianfu.OpinionRectification, Text: "立即整改"}, "整改意见应为10至4000字"},
		{jianfu.CaseOpinion{Kind: jianfu.OpinionAccountability, Text: "建议对该局分管负责人进行约谈。", Target: strings.Repeat("某", 201)}, "问责对象过长"},
	} {
		o := tt.o
		err := o.Validate()
		if tt.err == "" {
			if err != nil || o.Text != "建议对该局分管负责人进行约谈。" || o.Target != "分管负责人" {
				t.Errorf("%+v: %v", o, err)
			}
		} else if !strings.Contains(jianfu.ErrorMessage(err, "zh"), tt.err) {
			t.Errorf("%+v: %v, want %q", tt.o, err, tt.err)
		}
	}
	c := caseIn(jianfu.CaseVerified)
	o := &jianfu.CaseOpinion{Kind: jianfu.OpinionAccountability}
	ch, err := c.AddOpinion(o, &jianfu.Actor{Username: "sup", UnitName: "江州市网信办"}, friday)
	if err != nil || o.ActorName != "sup" || o.OfficeName != "江州市网信办" || !o.At.Equal(friday) || ch.Events[0].Note != "提出问责建议" {
		t.Errorf("opinion %+v, %+v, %v", o, ch, err)
	}
}
