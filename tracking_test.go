package jianfu_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"jianfu"
)

// TestTrackingCode checks the codes reporters are given: three groups of
// four, no character that reads like another (0/O, 1/I/L), all different,
// and found again however the reporter types them.
func TestTrackingCode(t *testing.T) {
	shape := regexp.MustCompile(`^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$`)
	seen := map[string]bool{}
	for range 1000 {
		code := jianfu.NewTrackingCode()
		if !shape.MatchString(code) {
			t.Fatalf("code %q", code)
		}
		if seen[code] {
			t.Fatalf("code %q twice", code)
		}
		seen[code] = true
	}
	for _, typed := range []string{"K7QM-4XPR-9TBW", "k7qm 4xpr 9tbw", " K7QM4XPR9TBW ", "k7qm—4xpr—9tbw"} {
		if got := jianfu.TrackingKey(typed); got != "K7QM4XPR9TBW" {
			t.Errorf("TrackingKey(%q) = %q", typed, got)
		}
	}
	if jianfu.TrackingKey("K7QM-4XPR-9TBX") == jianfu.TrackingKey("K7QM-4XPR-9TBW") {
		t.Error("two codes are one")
	}
}

// TestPublicCase checks what anyone with the tracking code sees: progress,
// place and unit, the deadline while open and the latest public note —
// never the description, the reporter's identity or an internal note.
func TestPublicCase(t *testing.T) {
	now := china(2025, 10, 9, 9, 0)
	events := []*jianfu.PublicEvent{{At: friday, Text: "已受理"}, {At: friday, Text: "已移送江南区教育局办理,答复时限2025年9月29日"}}
	c := caseIn(jianfu.CaseTransferred)
	c.Description, c.Anonymous, c.HasIdentity, c.EscalationLevel = "我是王晓明,电话13912345678,学校每晚要求接龙", false, true, 1
	c.RegionName, c.CreatedAt, c.UpdatedAt = "江南区", friday, friday
	p := c.Public(now, events)
	out, _ := json.Marshal(p)
	if s := string(out); strings.Contains(s, "王晓明") || strings.Contains(s, "139") || strings.Contains(s, "接龙") {
		t.Errorf("the public view shows the description: %s", s)
	}
	if p.Number != "JF2025-000007" || p.RegionCode != "390102" || p.UnitName != "江南区教育局" || !p.Open || !p.Overdue || !p.Escalated ||
		p.ExpectedAt == nil || p.StatusNote != events[1].Text || len(p.Events) != 2 || p.CanReopen {
		t.Errorf("public view %+v", p)
	}

	for _, tt := range []struct {
		status  jianfu.CaseStatus
		reopens int
		open    bool
		reopen  bool
	}{
		{jianfu.CaseAnswered, 0, true, false},
		{jianfu.CaseClosed, 0, false, true},
		{jianfu.CaseClosed, 1, false, true},
		{jianfu.CaseClosed, 2, false, false},
		{jianfu.CaseRejected, 0, false, true},
		{jianfu.CaseMerged, 0, false, false},
	} {
		c := caseIn(tt.status)
		c.ReporterReopens = tt.reopens
		closed := friday.Add(time.Hour)
		if !tt.open {
			c.ClosedAt = &closed
		}
		p := c.Public(now, nil)
		if p.Open != tt.open || p.CanReopen != tt.reopen || (p.ExpectedAt != nil) != tt.open || p.Overdue && !tt.open {
			t.Errorf("%s with %d reopenings: %+v", tt.status, tt.reopens, p)
		}
		if !tt.open && !p.UpdatedAt.Equal(closed) {
			t.Errorf("%s: updated %v, want the closing time", tt.status, p.UpdatedAt)
		}
	}
}

// TestReopenRequestReason checks the reason a reporter must give.
func TestReopenRequestReason(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{" 问题仍然存在 ", "问题仍然存在", true},
		{"没改", "", false},
		{strings.Repeat("仍", 1001), "", false},
	} {
		got, err := jianfu.ReopenRequestReason(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ReopenRequestReason(%q) = %q, %v", tt.in, got, err)
		}
		if err != nil && !strings.Contains(jianfu.ErrorMessage(err, "zh"), "4至1000字") {
			t.Errorf("message %q", jianfu.ErrorMessage(err, "zh"))
		}
	}
}
