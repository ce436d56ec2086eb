package detect

import (
	"regexp"
	"strings"
	"testing"

	"jianfu"
)

// benchMix is a realistic message mix: the corpus, with normal messages
// weighted four times so that about three in four messages are ordinary
// (as in real work groups), plus typical short chat lines.
func benchMix(tb testing.TB) []Message {
	var msgs []Message
	chat := []string{"好的", "收到,谢谢", "明天上午九点开会", "辛苦了", "王主任在吗?", "材料已经放在你桌上了",
		"下午我去村里走访", "周五的会议改到三楼", "今天天气不错", "这个问题我下午回复你"}
	for _, name := range []string{"dev", "heldout"} {
		for _, it := range loadCorpus(tb, name) {
			n := 1
			if len(it.Categories) == 0 {
				n = 4
			}
			for i := 0; i < n; i++ {
				msgs = append(msgs, Message{Text: it.Text})
			}
		}
	}
	for i := 0; i < 200; i++ {
		msgs = append(msgs, Message{Text: chat[i%len(chat)]})
	}
	return msgs
}

func BenchmarkPipeline(b *testing.B) { benchPipeline(b) }

// benchPipeline analyses the bench mix with a detector made with opts.
func benchPipeline(b *testing.B, opts ...Option) {
	d, err := New(opts...)
	if err != nil {
		b.Fatal(err)
	}
	msgs := benchMix(b)
	var r Result
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		d.AnalyzeInto(msgs[i%len(msgs)], &r)
		n += len(r.Categories)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	if n < 0 {
		b.Log(n)
	}
}

// BenchmarkBaselineRegexp is the naive approach: one regexp alternation of
// the rules' literal patterns per category, run over the raw text.
func BenchmarkBaselineRegexp(b *testing.B) {
	d, err := New()
	if err != nil {
		b.Fatal(err)
	}
	byCat := map[jianfu.Category][]string{}
	for _, r := range d.Rules() {
		for _, p := range r.Patterns {
			byCat[r.Category] = append(byCat[r.Category], regexp.QuoteMeta(p))
		}
	}
	var res []*regexp.Regexp
	for _, c := range jianfu.Categories {
		res = append(res, regexp.MustCompile(strings.Join(byCat[c], "|")))
	}
	msgs := benchMix(b)
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		text := msgs[i%len(msgs)].Text
		for _, re := range res {
			if re.MatchString(text) {
				n++
			}
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	if n < 0 {
		b.Log(n)
	}
}
