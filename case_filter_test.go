package jianfu_test

import (
	"jianfu/redact"
	"strings"
	"testing"
	"time"

	"jianfu"
)

// TestCaseNumber checks the public reference of a case: the year of China
// time, the id padded to six digits.
func TestCaseNumber(t *testing.T) {
	for _, tt := range []struct {
		at   time.Time
		id   int64
		want string
	}{
		{friday, 7, "JF2025-000007"},
		{time.Date(2025, 12, 31, 17, 0, 0, 0, time.UTC), 123, "JF2026-000123"}, // 1 a.m. on New Year's Day in China
		{friday, 1234567, "JF2025-1234567"},
	} {
		if got := jianfu.CaseNumber(tt.at, tt.id); got != tt.want {
			t.Errorf("CaseNumber(%v, %d) = %s, want %s", tt.at, tt.id, got, tt.want)
		}
	}
}

// TestCaseFilterDescribe checks how an export's filter reads in the audit
// log.
func TestCaseFilterDescribe(t *testing.T) {
	for _, tt := range []struct {
		view string
		f    jianfu.CaseFilter
		want string
	}{
		{"", jianfu.CaseFilter{}, "全部"},
		{"triage", jianfu.CaseFilter{}, "阶段:受理交办,办理中"},
		{"overdue", jianfu.CaseFilter{Category: "chain", RegionPath: "390102"}, "问题类型:chain,地区:390102,已超期"},
		{"closed", jianfu.CaseFilter{Source: jianfu.SourceHotline, UnitID: 5, Query: ` 接龙 "1" `}, `状态:已办结,来源:热线转办,指定单位,关键词:“接龙 "1"”`},
		{"escalated", jianfu.CaseFilter{Page: jianfu.Page{Limit: 5}}, "提级督办"},
	} {
		f := tt.f
		if !f.SetView(tt.view) {
			t.Fatalf("view %q", tt.view)
		}
		if got := f.Describe(); got != tt.want {
			t.Errorf("%q: %s, want %s", tt.view, got, tt.want)
		}
	}
}

// TestCaseLedger checks what a case carries into the ledger sent up: the
// description and the channel as typed redacted, nothing that locates
// the reporter.
func TestCaseLedger(t *testing.T) {
	lat, lon := 28.2, 112.9
	c := &jianfu.Case{Number: "JF2025-000007", Description: "请联系13912345678,群主每晚要求接龙", ChannelText: "张老师13812345678的群",
		Address: "江南区某小区3栋", Lat: &lat, Lon: &lon, MediaURL: "https://example.cn/p.jpg", HasIdentity: true, UnitName: "江南区教育局"}
	l := c.Ledger(redact.Placeholders)
	if strings.Contains(l.Description, "13912345678") || !strings.Contains(l.Description, "群主每晚要求接龙") ||
		strings.Contains(l.ChannelText, "13812345678") || !strings.HasSuffix(l.ChannelText, "的群") {
		t.Errorf("ledger texts %q, %q", l.Description, l.ChannelText)
	}
	if l.Address != "" || l.Lat != nil || l.Lon != nil || l.MediaURL != "" || l.HasIdentity || l.Number != "JF2025-000007" || l.UnitName != "江南区教育局" {
		t.Errorf("ledger %+v", l)
	}
}
