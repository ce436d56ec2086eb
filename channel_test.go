package jianfu

import (
	"strings"
	"testing"
	"time"
)

func TestChannelValidate(t *testing.T) {
	ok := Channel{Kind: KindGroup, Name: " 防汛群 ", UnitID: 1, Platform: "DingTalk", Temporary: true, EndDate: "2026-09-30", ResponsiblePhone: "0571-87654321"}
	if err := ok.Validate(); err != nil {
		t.Fatalf("a good group: %v", err)
	}
	if ok.Name != "防汛群" || ok.Platform != "dingtalk" {
		t.Errorf("not normalised: %q %q", ok.Name, ok.Platform)
	}
	tests := []struct {
		c     Channel
		field string
	}{
		{Channel{Kind: "robot", Name: "x", UnitID: 1, Platform: "qq"}, "kind"},
		{Channel{Kind: KindApp, UnitID: 1, Platform: "ios"}, "name"},
		{Channel{Kind: KindApp, Name: strings.Repeat("长", 101), UnitID: 1, Platform: "ios"}, "name"},
		{Channel{Kind: KindApp, Name: "x", Platform: "ios"}, "unit_id"},
		{Channel{Kind: KindApp, Name: "x", UnitID: 1, Platform: "weibo"}, "platform"},
		{Channel{Kind: KindApp, Name: "x", UnitID: 1, Platform: "ios", LaunchDate: "2026/3/1"}, "launch_date"},
		{Channel{Kind: KindApp, Name: "x", UnitID: 1, Platform: "ios", Audience: "everyone"}, "audience"},
		{Channel{Kind: KindAccount, Name: "x", UnitID: 1, Platform: "weibo", ResponsiblePhone: "call me"}, "responsible_phone"},
		{Channel{Kind: KindAccount, Name: "x", UnitID: 1, OperatorUnitID: 1, Platform: "weibo"}, "operator_unit_id"},
		{Channel{Kind: KindAccount, Name: "x", UnitID: 1, Platform: "weibo", Notes: "a\x00b"}, "notes"},
		{Channel{Kind: KindApp, Name: "x", UnitID: 1, Platform: "web", URL: "javascript:alert(1)"}, "url"},
		{Channel{Kind: KindApp, Name: "x", UnitID: 1, Platform: "web", URL: "file:///etc/passwd"}, "url"},
		{Channel{Kind: KindApp, Name: "x", UnitID: 1, Platform: "web", URL: "www.example.gov.cn"}, "url"},
		{Channel{Kind: KindApp, Name: "x", UnitID: 1, Platform: "web", URL: "http://admin:pw@10.0.0.1/"}, "url"},
	}
	for _, tt := range tests {
		err := tt.c.Validate()
		e, isErr := err.(*Error)
		if !isErr || e.Code != EINVALID || e.Problems[0].Field != tt.field || e.Problems[0].Message == "" || e.Problems[0].English == "" {
			t.Errorf("%+v: %v, want a problem with %s", tt.c, err, tt.field)
		}
	}
	// Group fields do not stick to other kinds.
	a := Channel{Kind: KindAccount, Name: "x", UnitID: 1, Platform: "weibo", Owner: "张三", Temporary: true, EndDate: "2026-01-01"}
	a.Validate()
	if a.Owner != "" || a.Temporary || a.EndDate != "" {
		t.Errorf("group fields kept on an account: %+v", a)
	}
}

func TestLifeCycleActions(t *testing.T) {
	c := &Channel{Status: StatusSubmitted}
	if got := ActionsFor(c); strings.Join(actionNames(got), ",") != "withdraw,approve,return" {
		t.Errorf("submitted: %v", got)
	}
	c.Status = StatusActive
	if got := ActionsFor(c); strings.Join(actionNames(got), ",") != "revalidate,rectify,request_exit" {
		t.Errorf("active: %v", got)
	}
	c.Pending = &ChannelChange{Proposed: &Channel{}}
	if got := ActionsFor(c); strings.Join(actionNames(got), ",") != "revalidate,rectify,approve_change,return_change,withdraw_change" {
		t.Errorf("active with a change: %v", got)
	}
	if to, ok := ActReturn.Target(&Channel{Status: StatusSubmitted}); !ok || to != StatusReturned || !ActReturn.NeedsNote() || !ActReturn.ByReviewer() {
		t.Errorf("return: %s %v", to, ok)
	}
	if _, ok := ActApprove.Target(&Channel{Status: StatusClosed}); ok {
		t.Error("a closed channel can be approved")
	}
	for _, s := range ChannelStatuses {
		if s.Live() && !s.Filed() || s == StatusClosed && s.Live() {
			t.Errorf("%s: live %v filed %v", s, s.Live(), s.Filed())
		}
	}
}

func actionNames(a []ChannelAction) []string {
	out := make([]string, len(a))
	for i, x := range a {
		out[i] = string(x)
	}
	return out
}

func TestFilingNumbers(t *testing.T) {
	for path, want := range map[string]string{"390102001": "390102", "390102": "390102", "3901": "390100", "39": "390000", "441900003": "441900"} {
		if got := FilingRegionCode(path); got != want {
			t.Errorf("FilingRegionCode(%s) = %s, want %s", path, got, want)
		}
	}
	n := FormatFilingNumber("390102", KindAccount, 2026, 17)
	if n != "390102B202600017" {
		t.Fatalf("format: %s", n)
	}
	f, ok := ParseFilingNumber("390102b202600017")
	if !ok || f.Kind != KindAccount || f.Year != 2026 || f.Seq != 17 || f.String() != n {
		t.Errorf("parse: %+v %v", f, ok)
	}
	for _, bad := range []string{"", "390102B20260001", "390102D202600017", "390102B202600000", "39010XB202600017", "390102B199900001"} {
		if _, ok := ParseFilingNumber(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestMaskAndDates(t *testing.T) {
	c := &Channel{ResponsiblePerson: "王小明", ResponsiblePhone: "13800001234", Owner: "李四", Admins: []string{"张三"}}
	c.Mask()
	if c.ResponsiblePerson != "王**" || c.ResponsiblePhone != "138****1234" || c.Owner != "李*" || c.Admins[0] != "张*" || !c.Masked {
		t.Errorf("masked: %+v", c)
	}
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	past := now.Add(-time.Hour)
	if !(&Channel{Status: StatusActive, RevalidationDue: &past}).RevalidationOverdue(now) || (&Channel{Status: StatusClosed, RevalidationDue: &past}).RevalidationOverdue(now) {
		t.Error("overdue")
	}
	g := &Channel{Kind: KindGroup, Temporary: true, EndDate: "2026-02-01", Status: StatusActive}
	if !g.TemporaryExpired("2026-03-01") || g.TemporaryExpired("2026-01-01") {
		t.Error("expired")
	}
}

func TestRuleSettingValidate(t *testing.T) {
	s := &RuleSetting{Rule: RuleNameDuplicate, Level: LevelWarn, Threshold: 80, Clause: "集约高效"}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	s.Threshold, s.Level, s.Clause = 20, "loud", ""
	if e, ok := s.Validate().(*Error); !ok || len(e.Problems) != 3 {
		t.Errorf("three problems: %v", s.Validate())
	}
	if ErrorCode((&RuleSetting{Rule: "nope"}).Validate()) != ENOTFOUND {
		t.Error("an unknown rule")
	}
}

// FuzzParseFilingNumber reads arbitrary text as a filing number (the
// public verification does): a parse must round-trip.
func FuzzParseFilingNumber(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := ParseFilingNumber(s)
		if !ok {
			return
		}
		if got := n.String(); !strings.EqualFold(got, s) {
			t.Fatalf("%q parses to %+v, which formats as %q", s, n, got)
		}
		if _, ok := ParseFilingNumber(n.String()); !ok {
			t.Fatalf("%q does not parse again", n.String())
		}
	})
}
