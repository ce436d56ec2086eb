package jianfu

import (
	"testing"
	"time"
)

func TestChangedFields(t *testing.T) {
	now := time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC)
	a := &Channel{Kind: KindAccount, Name: "江南教育", Platform: "wechat_oa", Purpose: "发布教育政策", Tags: []string{"教育"}, Status: StatusActive, Version: 3}
	b := *a
	b.Name, b.Tags, b.ResponsiblePhone = "江南教育发布", nil, "13800001234"
	b.Status, b.Version, b.UpdatedAt, b.FilingNumber, b.LastActivityAt = StatusRectifying, 4, now, "390102B202600001", &now
	if got := fmtList(ChangedFields(a, &b)); got != "[name responsible_phone tags]" {
		t.Errorf("changed %s: only what the owner typed, in order", got)
	}
	if got := ChangedFields(a, a); len(got) != 0 {
		t.Errorf("unchanged: %v", got)
	}
	var edited Channel
	edited.Kind, edited.UnitID, edited.Status, edited.FilingNumber = KindGroup, 9, StatusActive, "390102C202600002"
	edited.TakeEdits(&b)
	if edited.Name != "江南教育发布" || edited.Kind != KindGroup || edited.UnitID != 9 || edited.Status != StatusActive || edited.FilingNumber != "390102C202600002" {
		t.Errorf("an owner's edit reached the kind, unit, status or filing: %+v", edited)
	}
}

func TestLedgerDates(t *testing.T) {
	now := time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC)
	filed := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	confirmed := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	day := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return DateOf(*t)
	}
	tests := []struct {
		name string
		c    Channel
		want [3]string // filed, due, closed
	}{
		{"a draft", Channel{Status: StatusDraft}, [3]string{"-", "-", "-"}},
		{"approved, not yet running", Channel{Status: StatusApproved}, [3]string{"2026-03-09", "-", "-"}},
		{"active since a filing", Channel{Status: StatusActive, FiledAt: &filed}, [3]string{"2025-01-01", "2025-07-02", "-"}},
		{"active, last confirmed", Channel{Status: StatusRectifying, FiledAt: &filed, RevalidatedAt: &confirmed}, [3]string{"2025-01-01", "2026-03-02", "-"}},
		{"closed", Channel{Status: StatusClosed, FiledAt: &filed}, [3]string{"2025-01-01", "-", "2026-03-09"}},
	}
	for _, tt := range tests {
		c := tt.c
		c.FillLedgerDates(now, 6)
		if got := [3]string{day(c.FiledAt), day(c.RevalidationDue), day(c.ClosedAt)}; got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	if RevalidationMonths(&RuleSetting{}) != 6 || RevalidationMonths(&RuleSetting{Threshold: 3}) != 3 {
		t.Error("re-validation interval")
	}
	if got := RevalidationDue(filed, 12); !got.Equal(filed.Add(12 * 2629746000 * time.Millisecond)) {
		t.Errorf("a year of average months: %v", got)
	}
}

func TestBlockingError(t *testing.T) {
	checks := []CheckResult{
		{Rule: RuleAccountPerPlatform, Level: LevelWarn, Message: "本单位在微信公众号已有1个账号"},
		{Rule: "platform_id.taken", Level: LevelBlock, Message: "微信公众号标识“gh_1”已由“江北区教育局”登记为“江北教育”", Clause: "一个账号只能由一个单位登记", English: "taken"},
	}
	err := BlockingError(checks)
	if ErrorCode(err) != EINVALID || ErrorMessage(err, "zh") != "未通过备案规则检查,请修改后再提交:微信公众号标识“gh_1”已由“江北区教育局”登记为“江北教育”(依据:一个账号只能由一个单位登记)" {
		t.Errorf("blocking: %v", err)
	}
	if BlockingError(checks[:1]) != nil {
		t.Error("a warning blocks")
	}
}
