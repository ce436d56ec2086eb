package detect

import (
	"bufio"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestGoldenOutputs guards speed work on the detector: with
// JIANFU_DETECT_GOLDEN=<file> it analyses every corpus text (with its time,
// with an off-hours time, and joined with the next text into one longer
// message), the bench mix and the fuzz seeds, with the statistical layer off
// and on, and writes each result (categories, severity, score, flags, voice,
// spans and the rules that fired) as one JSON line to the file when it does
// not exist yet, or compares with it line for line when it does. Build the
// file with the old version, then run the new one against it.
func TestGoldenOutputs(t *testing.T) {
	path := os.Getenv("JIANFU_DETECT_GOLDEN")
	if path == "" {
		t.Skip("set JIANFU_DETECT_GOLDEN to a file to write or compare")
	}
	plain, err := New()
	if err != nil {
		t.Fatal(err)
	}
	withModel, err := New(WithModel())
	if err != nil {
		t.Fatal(err)
	}
	msgs := goldenMessages(t)
	var lines []string
	var reused Result
	for _, d := range []*Detector{plain, withModel} {
		for _, m := range msgs {
			d.AnalyzeInto(m, &reused)
			out := struct {
				Text  string
				Time  string
				R     *Result
				Fired []int32
			}{m.Text, m.Time.Format(time.RFC3339), &reused, reused.s.fired}
			b, err := json.Marshal(out)
			if err != nil {
				t.Fatal(err)
			}
			lines = append(lines, string(b))
		}
	}
	old, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %d results to %s", len(lines), path)
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Split(strings.TrimSuffix(string(old), "\n"), "\n")
	if len(want) != len(lines) {
		t.Fatalf("%d results, the file has %d", len(lines), len(want))
	}
	bad := 0
	for i := range lines {
		if lines[i] != want[i] {
			bad++
			if bad <= 10 {
				t.Errorf("result %d differs:\n got %s\nwant %s", i, lines[i], want[i])
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d results differ", bad, len(lines))
	}
	t.Logf("%d results compared", len(lines))
}

// goldenMessages lists the messages of TestGoldenOutputs in a fixed order.
func goldenMessages(t *testing.T) []Message {
	files, err := filepath.Glob("testdata/corpus/*.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	offhours := time.Date(2026, 12, 6, 22, 30, 0, 0, time.FixedZone("CST", 8*3600)) // a Sunday night
	var msgs []Message
	var texts []string
	for _, f := range files {
		for _, it := range loadCorpus(t, strings.TrimSuffix(filepath.Base(f), ".jsonl")) {
			m := Message{Text: it.Text}
			if it.Time != "" {
				m.Time, _ = time.Parse(time.RFC3339, it.Time)
			}
			msgs = append(msgs, m, Message{Text: it.Text, Time: offhours})
			texts = append(texts, it.Text)
		}
	}
	for i := range texts {
		msgs = append(msgs, Message{Text: texts[i] + "\n" + texts[(i+1)%len(texts)]})
	}
	msgs = append(msgs, benchMix(t)...)
	// long notices: hundreds of texts in one message (buffers grown in
	// steps, hits counted)
	for k := 0; (k+1)*400 <= len(texts); k += 3 {
		msgs = append(msgs, Message{Text: strings.Join(texts[k*400:(k+1)*400], "\n")}, Message{Text: strings.Join(texts[k*400:(k+1)*400], "jie龙 ")})
	}
	// disguised and broken variants, the same on every run: pieces of the
	// corpus with pinyin, initials, separators, emoji, full-width and
	// traditional characters, digits and invalid bytes in between
	rng := rand.New(rand.NewPCG(17, 2026))
	bits := []string{" ", "jie", "long", "da", "ka", "d", "k", "dk", "hui", "fu", "\u200b", "👍", "🔁", "1️⃣", "ＡＰＰ", "報", "覆",
		"\xff", "\xe4\xb8", "\xed\xa0\x80", "\xe0\x80\x80", "12", "三十", "、", "。", "\n", "，", "“", "”", "𠀀", "！", "?", "Miǎo", "回"}
	for range 4000 {
		var b strings.Builder
		for range 1 + rng.IntN(6) {
			if rng.IntN(2) == 0 {
				rs := []rune(texts[rng.IntN(len(texts))])
				from := rng.IntN(len(rs) + 1)
				to := from + rng.IntN(len(rs)-from+1)
				b.WriteString(string(rs[from:to]))
			} else {
				b.WriteString(bits[rng.IntN(len(bits))])
			}
		}
		msgs = append(msgs, Message{Text: b.String()})
	}
	seeds, err := filepath.Glob("testdata/fuzz/FuzzAnalyze/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range seeds {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		var m Message
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "string(") && strings.HasSuffix(line, ")"):
				m.Text, err = strconv.Unquote(line[len("string(") : len(line)-1])
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
			case strings.HasPrefix(line, "int64(") && strings.HasSuffix(line, ")"):
				n, err := strconv.ParseInt(line[len("int64("):len(line)-1], 10, 64)
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				if n != 0 {
					m.Time = time.Unix(n, 0)
				}
			}
		}
		fh.Close()
		msgs = append(msgs, m)
	}
	return msgs
}
