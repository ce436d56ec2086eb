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

// A demand keeps its categories when a complaint, a hotline item or a news
// report tells it; the voice says which of the two the text is, on the line
// and on each span.
func TestVoice(t *testing.T) {
	d := mustNew(t)
	cases := []struct {
		text  string
		cats  []jianfu.Category
		voice Voice
	}{
		{"请各村今晚十点前接龙报送走访照片,收到请回复", []jianfu.Category{jianfu.Chain, jianfu.Instant, jianfu.Material, jianfu.Trace}, VoiceDemand},
		{"请各位给我县作品投票,每天都要投", []jianfu.Category{jianfu.Engagement}, VoiceDemand},
		{"社区每天要求我们在群里接龙报平安", []jianfu.Category{jianfu.Chain}, VoiceNarrative},
		{"我们被要求每天上报疫苗接种进度表,周末也不例外。", []jianfu.Category{jianfu.Material}, VoiceNarrative},
		{"天天要打卡,出差在外也得打,漏一次扣钱。", []jianfu.Category{jianfu.Checkin}, VoiceNarrative},
		{"难道同一份材料非要我们报三遍才算重视吗?", []jianfu.Category{jianfu.Material}, VoiceNarrative},
		{"完不成任务就通报,通报三次就约谈,大家只能硬着头皮去找人。", []jianfu.Category{jianfu.Task}, VoiceNarrative},
		{"村民向12345反映,村干部挨家挨户要求下载某APP并注册,说是上面有任务。", []jianfu.Category{jianfu.Task, jianfu.Promote}, VoiceNarrative},
		{"点赞数排名每周公布一次,排在后面的单位要被约谈。", []jianfu.Category{jianfu.Engagement}, VoiceNarrative},
		// rules that forbid, reports of a stopped practice, praise and
		// voluntary offers stay quiet in either voice
		{"县委明确,不得要求基层干部在工作群里接龙报平安。", nil, VoiceDemand},
		{"去年被要求每天打卡的做法,今年已经全部叫停。", nil, VoiceNarrative},
		{"经核查,反映的该社区要求每日打卡问题不属实。", nil, VoiceNarrative},
		{"这位社区书记被群众称赞为“随叫随到的贴心人”。", nil, VoiceDemand},
		{"家长们自发在群里为孩子的作品投票,气氛很热烈。", nil, VoiceDemand},
		{"有人问,难道不回复收到就是不重视吗?其实各单位已经明确不再要求回复收到。", nil, VoiceNarrative},
	}
	for _, tc := range cases {
		r := d.Analyze(Message{Text: tc.text})
		if len(r.Categories) != len(tc.cats) {
			t.Errorf("%s: categories %v, want %v", tc.text, r.Categories, tc.cats)
		}
		for _, c := range tc.cats {
			if !r.Has(c) {
				t.Errorf("%s: categories %v, want %v", tc.text, r.Categories, tc.cats)
			}
		}
		if r.Voice != tc.voice {
			t.Errorf("%s: voice %q, want %q", tc.text, r.Voice, tc.voice)
		}
		for _, sp := range r.Spans {
			if sp.Voice != tc.voice {
				t.Errorf("%s: span %+v voice, want %q", tc.text, sp, tc.voice)
			}
		}
	}
	// a quoted instruction in a report is reported; the line is narrative
	// only when every span is
	r := d.Analyze(Message{Text: "记者了解到,镇里要求村干部每天在群里发定位。请各村今晚十点前接龙报送走访照片。"})
	if r.Voice != VoiceNarrative {
		t.Errorf("a report: voice %q, want narrative", r.Voice)
	}
	r = d.Analyze(Message{Text: "有的单位被要求每天打卡。请各村今晚十点前接龙报送走访照片。"})
	if r.Voice != VoiceDemand {
		t.Errorf("a demand after a narrative sentence: voice %q, want demand (%+v)", r.Voice, r.Spans)
	}
}

// TestLexiconsFitInline guards the detector's speed: the lexicons of the
// embedded rules must fit in the bits every hit carries (lexInline words).
// Beyond them the decision step still answers right but looks each question
// up in the pattern, which is slower; raise lexInline (and lexBits.or) then.
func TestLexiconsFitInline(t *testing.T) {
	d, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if d.nlex > lexInline*64 {
		t.Errorf("%d lexicons, %d fit in a hit's bits", d.nlex, lexInline*64)
	}
	t.Logf("%d lexicons of %d", d.nlex, lexInline*64)
}
