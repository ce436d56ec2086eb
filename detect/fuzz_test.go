package detect

import (
	"reflect"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzAnalyze checks that the detector never panics, that every span is a
// valid, non-empty range of runes of the original text, and that the same
// message always gives the same result (also through a reused Result) —
// with the statistical layer off (the default) and on.
func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{
		"请各村今晚十点前接龙报送走访照片,收到请回复",
		"根据规定,不再要求打卡接龙",
		"收 到 请 回 覆", "jie龙", "d卡", "👍👍🔁", "扣1️⃣", "ＡＰＰ下載", "\u200b打\u200b卡",
		"", "\xff\xfe", "abc", "一二三四五六七八九十百千万分钟内回复",
	} {
		f.Add(s, int64(0))
	}
	plain, err := New()
	if err != nil {
		f.Fatal(err)
	}
	withModel, err := New(WithModel())
	if err != nil {
		f.Fatal(err)
	}
	var reused Result
	f.Fuzz(func(t *testing.T, text string, unix int64) {
		for _, d := range []*Detector{plain, withModel} {
			checkAnalyze(t, d, &reused, text, unix)
		}
	})
}

// checkAnalyze runs FuzzAnalyze's checks on one detector.
func checkAnalyze(t *testing.T, d *Detector, reused *Result, text string, unix int64) {
	m := Message{Text: text}
	if unix != 0 {
		m.Time = time.Unix(unix%4e9, 0)
	}
	r1 := d.Analyze(m)
	n := utf8.RuneCountInString(text)
	for _, sp := range r1.Spans {
		if sp.Start < 0 || sp.End > n || sp.Start >= sp.End {
			t.Fatalf("span %+v outside [0,%d) of %q", sp, n, text)
		}
		if !sp.Category.Valid() || sp.Rule == "" {
			t.Fatalf("span %+v without category or rule", sp)
		}
	}
	for _, c := range r1.Categories {
		if !c.Valid() {
			t.Fatalf("invalid category %q", c)
		}
	}
	if len(r1.Categories) == 0 && r1.Severity != SeverityNone {
		t.Fatalf("severity %s without categories", r1.Severity)
	}
	d.AnalyzeInto(m, reused)
	r2 := *reused
	r1.s, r2.s = nil, nil
	if !reflect.DeepEqual(r1, r2) {
		t.Fatalf("not deterministic for %q:\n%+v\n%+v", text, r1, r2)
	}
}
