package detect

import (
	"sync"
	"testing"
	"time"

	"jianfu"
	"jianfu/calendar"
)

func mustNew(t testing.TB, opts ...Option) *Detector {
	t.Helper()
	d, err := New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Spans point at the words as the user wrote them, however disguised.
func TestSpansOnOriginalText(t *testing.T) {
	d := mustNew(t)
	cases := []struct {
		text, covered string
		cat           jianfu.Category
	}{
		{"通知已发,收 到 請 回 覆", "收 到 請 回 覆", jianfu.Chain},
		{"各村 jie龙 上报人数", "jie龙", jianfu.Chain},
		{"请大家👍并转发到朋友圈", "👍", jianfu.Engagement},
		{"每天早上d卡,别忘了", "d卡", jianfu.Checkin},
		{"看到的扣１", "扣１", jianfu.Chain},
		{"收\u200b到\u200b请\u200b回\u200b复", "收\u200b到\u200b请\u200b回\u200b复", jianfu.Chain},
	}
	for _, tc := range cases {
		r := d.Analyze(Message{Text: tc.text})
		rs := []rune(tc.text)
		found := false
		for _, sp := range r.Spans {
			if sp.Category == tc.cat && string(rs[sp.Start:sp.End]) == tc.covered {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: want a %s span over %q, got %+v", tc.text, tc.cat, tc.covered, r.Spans)
		}
	}
}

func TestModifiersAndSeverity(t *testing.T) {
	d := mustNew(t)
	holidayNight := time.Date(2026, 10, 3, 21, 15, 0, 0, jianfu.China)
	r := d.Analyze(Message{Text: "收到请回复,十分钟内没回复的明天通报", Time: holidayNight})
	if !r.Offhours || !r.Assessed || r.Severity != SeverityHigh || r.Exempt {
		t.Errorf("holiday-night demand tied to 通报: %+v", r)
	}
	r = d.Analyze(Message{Text: "收到请回复"})
	if r.Severity != SeverityLow || r.Offhours {
		t.Errorf("plain 收到请回复 without time: %+v", r)
	}
	r = d.Analyze(Message{Text: "防汛紧急:各村收到请回复,半小时内上报水位情况"})
	if !r.Exempt || r.Severity != SeverityNone || r.Score != 0 || !r.Has(jianfu.Chain) || r.Found() {
		t.Errorf("flood emergency must be reported as exempt: %+v", r)
	}
	r = d.Analyze(Message{Text: "紧急通知:各村收到请回复"})
	if r.Exempt || !r.Found() {
		t.Errorf("紧急通知 alone is no emergency: %+v", r)
	}
	// the same time on the 调休 Saturday is working time
	r = d.Analyze(Message{Text: "各村书记请回复收到", Time: time.Date(2026, 10, 10, 9, 30, 0, 0, jianfu.China)})
	if r.Offhours {
		t.Errorf("调休 Saturday morning is working time: %+v", r)
	}
	// a custom calendar changes office hours
	cal, _ := calendar.New(calendar.WithWorkingHours("09:00-18:00"))
	d2 := mustNew(t, WithCalendar(cal))
	if r := d2.Analyze(Message{Text: "收到请回复", Time: time.Date(2026, 9, 30, 17, 45, 0, 0, jianfu.China)}); r.Offhours {
		t.Errorf("17:45 within custom hours: %+v", r)
	}
}

func TestRuleLookup(t *testing.T) {
	d := mustNew(t)
	r, ok := d.Rule("chain.reply-received")
	if !ok || r.Category != jianfu.Chain || r.Clause.Text == "" || len(r.Examples.Match) == 0 {
		t.Fatalf("Rule(chain.reply-received) = %+v, %v", r, ok)
	}
	if _, ok := d.Rule("no.such-rule"); ok {
		t.Error("unknown rule found")
	}
	cats := map[jianfu.Category]bool{}
	for _, r := range d.Rules() {
		cats[r.Category] = true
		if r.Clause.Source == "" {
			t.Errorf("%s cites no source", r.ID)
		}
	}
	if len(cats) != len(jianfu.Categories) {
		t.Errorf("rules cover %d of %d categories", len(cats), len(jianfu.Categories))
	}
}

func TestBadRulesDir(t *testing.T) {
	if _, err := New(WithRulesDir(t.TempDir())); err == nil {
		t.Error("an empty rules directory must be an error")
	}
}

func TestAnalyzeIntoDoesNotAllocate(t *testing.T) {
	d := mustNew(t)
	msgs := []Message{
		{Text: "请各村今晚十点前接龙报送走访照片,收到请回复"},
		{Text: "明天上午九点开会"},
		{Text: "請大家👍並轉發,dz", Time: time.Date(2026, 10, 2, 22, 0, 0, 0, jianfu.China)},
	}
	var r Result
	for _, m := range msgs {
		d.AnalyzeInto(m, &r) // warm the buffers
	}
	allocs := testing.AllocsPerRun(200, func() {
		for _, m := range msgs {
			d.AnalyzeInto(m, &r)
		}
	})
	if allocs != 0 {
		t.Errorf("AnalyzeInto allocates %.1f times per run", allocs)
	}
}

func TestConcurrentUse(t *testing.T) {
	d := mustNew(t)
	want := d.Analyze(Message{Text: "每人点赞评论五条,纳入月度考核"})
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var r Result
			for i := 0; i < 200; i++ {
				d.AnalyzeInto(Message{Text: "每人点赞评论五条,纳入月度考核"}, &r)
				if r.Severity != want.Severity || len(r.Spans) != len(want.Spans) {
					t.Errorf("concurrent result differs: %+v", r)
					return
				}
			}
		}()
	}
	wg.Wait()
}
