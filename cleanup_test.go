package jianfu

import (
	"testing"
	"time"
)

func TestCleanupSignalEvidence(t *testing.T) {
	now := time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC)
	at := func(s string) time.Time { t, _ := time.Parse("2006-01-02 15:04", s); return t }
	tp := func(s string) *time.Time { t := at(s); return &t }
	rules := CleanupRules{}.WithDefaults()
	tests := []struct {
		name string
		got  Signal
		want string
	}{
		{"zombie never active", rules.ZombieSignal(nil, nil, at("2025-10-01 02:00"), now),
			"登记于2025-10-01,至今无任何活动记录(超过90天)"},
		{"zombie by its own activity", rules.ZombieSignal(tp("2025-11-20 02:00"), tp("2025-10-01 02:00"), at("2025-01-01 02:00"), now),
			"最近活动于2025-11-20,已109天无更新(标准:90天)"},
		{"zombie by monitoring's later update", rules.ZombieSignal(tp("2025-10-01 02:00"), tp("2025-11-30 20:00"), at("2025-01-01 02:00"), now),
			"最近活动于2025-12-01,已98天无更新(标准:90天)"},
		{"low use", rules.LowUseSignal(2), "群成员仅2人(标准:少于3人视为低使用)"},
		{"low use, stricter", CleanupRules{LowMembers: 10}.WithDefaults().LowUseSignal(4), "群成员仅4人(标准:少于10人视为低使用)"},
		{"expired temporary group", ExpiredTempSignal("2026-01-31"), "临时工作群的结束日期为2026-01-31,任务结束后应及时解散"},
		{"failed once by veto", FailedSignal(1, 1, nil, at("2026-02-03 02:00")), "近一年抽查不合格1次(其中单项否决1次),最近一次于2026-02-03"},
		{"failed twice", FailedSignal(2, 1, f(55.5), at("2026-02-03 02:00")), "屡查屡犯:近一年抽查不合格2次(其中单项否决1次,扣分后最低55.5分),最近一次于2026-02-03"},
	}
	for _, tt := range tests {
		if tt.got.Evidence != tt.want {
			t.Errorf("%s:\ngot  %s\nwant %s", tt.name, tt.got.Evidence, tt.want)
		}
	}
	if s := rules.ZombieSignal(nil, nil, at("2025-10-01 02:00"), now); s.Kind != SignalZombie || s.Since == nil || !s.Since.Equal(at("2025-10-01 02:00")) {
		t.Errorf("zombie since %+v", s)
	}
	if got := rules.ZombieCutoff(now); !got.Equal(now.Add(-90 * 24 * time.Hour)) {
		t.Errorf("cut-off %v", got)
	}
}

func TestDuplicateSignals(t *testing.T) {
	// Ordered by unit, kind and platform, as the store reads them.
	chans := []RelatedChannel{
		{ID: 3, Name: "江南教育", UnitID: 1, Kind: KindAccount, Platform: "wechat_oa"},
		{ID: 8, Name: "江南教育发布", UnitID: 1, Kind: KindAccount, Platform: "wechat_oa"},
		{ID: 9, Name: "江南教育在线", UnitID: 1, Kind: KindAccount, Platform: "wechat_oa"},
		{ID: 4, Name: "教育局工作群", UnitID: 1, Kind: KindGroup, Platform: "dingtalk"},
		{ID: 5, Name: "教育局通知群", UnitID: 1, Kind: KindGroup, Platform: "dingtalk"},
		{ID: 6, Name: "卫健委工作群", UnitID: 2, Kind: KindGroup, Platform: "dingtalk"},
		{ID: 7, Name: "卫健委群", UnitID: 2, Kind: KindGroup, Platform: "dingtalk"},
	}
	got := DuplicateSignals(chans)
	want := map[int64]string{
		3: "同一单位在微信公众号上还有“江南教育发布”、“江南教育在线”,共3个",
		8: "同一单位在微信公众号上还有“江南教育”、“江南教育在线”,共3个",
		4: "同一单位在钉钉群上还有“教育局通知群”,共2个",
		7: "同一单位在钉钉群上还有“卫健委工作群”,共2个",
	}
	if len(got) != len(chans) {
		t.Fatalf("%d signals for %d channels", len(got), len(chans))
	}
	for id, w := range want {
		if got[id].Evidence != w || got[id].Kind != SignalDuplicate {
			t.Errorf("%d:\ngot  %s\nwant %s", id, got[id].Evidence, w)
		}
	}
	if r := got[3].Related; len(r) != 2 || r[0] != 8 || r[1] != 9 {
		t.Errorf("related %v", r)
	}
}

func TestCandidatesRanked(t *testing.T) {
	cs := Candidates{}
	cs.Add(9, Signal{Kind: SignalFailed})
	cs.Add(4, Signal{Kind: SignalLowUse})
	cs.Add(9, Signal{Kind: SignalZombie})
	cs.Add(2, Signal{Kind: SignalExpiredTemp})
	cs.Add(4, Signal{Kind: SignalDuplicate})
	cs.Add(7, Signal{Kind: SignalZombie})
	var got []int64
	var first []SignalKind
	for _, c := range cs.Ranked() {
		got = append(got, c.ChannelID)
		first = append(first, c.Signals[0].Kind)
	}
	// Most signals first, then by id; each one's signals in display order.
	if want := []int64{4, 9, 2, 7}; len(got) != 4 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || got[3] != want[3] {
		t.Errorf("order %v, want %v", got, want)
	}
	if first[0] != SignalDuplicate || first[1] != SignalZombie {
		t.Errorf("signal order %v", first)
	}
	if !SignalZombie.Valid() || SignalKind("spam").Valid() {
		t.Error("signal validity")
	}
}

func TestExitOrderSteps(t *testing.T) {
	issued := &ExitOrder{Status: OrderIssued, Kind: KindGroup, Deadline: "2026-03-10"}
	appealed := &ExitOrder{Status: OrderAppealed, Kind: KindAccount}
	closed := &ExitOrder{Status: OrderClosed, Kind: KindAccount}
	tests := []struct {
		name string
		err  error
		code string
	}{
		{"confirm an issued group order, dissolved", issued.CheckConfirm(true), ""},
		{"confirm a group order not dissolved", issued.CheckConfirm(false), EINVALID},
		{"confirm a closed order", closed.CheckConfirm(true), ECONFLICT},
		{"appeal an issued order", issued.CheckAppeal("新学期成员将增加"), ""},
		{"appeal without reasons", issued.CheckAppeal("  "), EINVALID},
		{"appeal twice", appealed.CheckAppeal("再次申诉"), ECONFLICT},
		{"decide an appeal", appealed.CheckDecision("同意保留"), ""},
		{"decide without grounds", appealed.CheckDecision(""), EINVALID},
		{"decide with no appeal", issued.CheckDecision("维持"), ECONFLICT},
	}
	for _, tt := range tests {
		if got := codeOf(tt.err); got != tt.code {
			t.Errorf("%s: %v, want %q", tt.name, tt.err, tt.code)
		}
	}
	if err := closed.CheckConfirm(true); ErrorMessage(err, "zh") != "该通知当前状态为“已关停”,不能确认关停" {
		t.Errorf("message %q", ErrorMessage(err, "zh"))
	}
	issued.MarkOverdue("2026-03-11")
	if !issued.Overdue {
		t.Error("an issued order past its deadline is not overdue")
	}
	appealed.Deadline = "2026-03-01"
	appealed.MarkOverdue("2026-03-11")
	if appealed.Overdue {
		t.Error("an appealed order is overdue")
	}
}
