package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"

	"jianfu"
	"jianfu/detect"
)

// Many lines over several batches and workers come out one per input line,
// in input order, each with what the detector finds on its own.
func TestScanKeepsOrderAcrossWorkers(t *testing.T) {
	d, err := detect.New()
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"收到请回复", "下午三点开会", "请各村今晚十点前接龙报送走访照片", "好的", "社区每天要求我们在群里接龙报平安", "", "每人转发到朋友圈并截图"}
	var in strings.Builder
	const n = 5000
	for i := 0; i < n; i++ {
		in.WriteString(texts[i%len(texts)])
		in.WriteByte('\n')
	}
	out, err := runCmd(t, []string{"--format", "jsonl"}, in.String())
	if err != nil {
		t.Fatal(err)
	}
	lines := parseJSONL(t, out)
	if len(lines) != n {
		t.Fatalf("%d output lines for %d input lines", len(lines), n)
	}
	for i, l := range lines {
		want := d.Analyze(detect.Message{Text: texts[i%len(texts)]})
		if l.N != i+1 || len(l.Categories) != len(want.Categories) || l.Voice != string(want.Voice) {
			t.Fatalf("line %d: %+v, want categories %v voice %s", i+1, l, want.Categories, want.Voice)
		}
	}
}

// Every labelled set, as JSON lines and again as plain text, scanned by one,
// two and eight workers, from a file and from input that arrives a byte at
// a time, gives byte for byte what reading, analysing and writing one line after
// the other gives, in input order; the text report is the same whatever the
// number of workers.
func TestScanParallelEqualsSequential(t *testing.T) {
	d, err := detect.New()
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("../../detect/testdata/corpus/*.jsonl")
	if err != nil || len(files) == 0 {
		t.Fatal("no corpus files", err)
	}
	var in bytes.Buffer
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		in.Write(data)
		for _, line := range bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n")) {
			var it struct{ Text string }
			if err := json.Unmarshal(line, &it); err != nil {
				t.Fatal(err)
			}
			in.WriteString(strings.ReplaceAll(it.Text, "\n", " "))
			in.WriteByte('\n')
		}
	}
	var want []byte
	var res detect.Result
	for i, line := range bytes.Split(bytes.TrimSuffix(in.Bytes(), []byte("\n")), []byte("\n")) {
		d.AnalyzeInto(detect.ParseLine(line), &res)
		want = appendJSONLine(want, i+1, &res, false)
	}
	scan := func(text bool, workers int, pieces bool) []byte {
		var out bytes.Buffer
		w := bufio.NewWriter(&out)
		s := newScanner(d, w, text, workers)
		var r io.Reader = bytes.NewReader(in.Bytes())
		if pieces {
			// one byte at a time: the input pauses after every line, so
			// every batch is sent at once with its one line
			r = iotest.OneByteReader(r)
		}
		if err := s.scan(r, "test"); err != nil {
			t.Fatal(err)
		}
		if err := s.close(); err != nil {
			t.Fatal(err)
		}
		if text {
			s.summary()
		}
		w.Flush()
		return out.Bytes()
	}
	text1 := scan(true, 1, false)
	for _, workers := range []int{1, 2, 8} {
		for _, pieces := range []bool{false, true} {
			if got := scan(false, workers, pieces); !bytes.Equal(got, want) {
				t.Errorf("%d workers (input in pieces: %v): the JSONL output differs from the sequential one", workers, pieces)
			}
			if got := scan(true, workers, pieces); !bytes.Equal(got, text1) {
				t.Errorf("%d workers (input in pieces: %v): the text report differs from one worker's", workers, pieces)
			}
		}
	}
	if !bytes.Contains(text1, []byte("共扫描")) {
		t.Errorf("no summary in the text report")
	}
}

// The hand-written JSON strings read back as what was written (invalid
// UTF-8 as U+FFFD), as encoding/json would write them.
func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "chain.reply-received", `引号"与\反斜杠`, "换行\n回车\r制表\t\x00\x1f", "\u2028\u2029", "坏的\xff字节\xe4\xb8", "<>&", "😀👍"} {
		b := appendJSONString(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%q → %s: %v", s, b, err)
		}
		// each invalid byte becomes U+FFFD, as encoding/json writes it
		var w strings.Builder
		for _, r := range s {
			w.WriteRune(r)
		}
		want := w.String()
		if got != want {
			t.Errorf("%q → %s → %q", s, b, got)
		}
	}
}

func FuzzAppendJSONString(f *testing.F) {
	f.Add("收到请回复")
	f.Add("\x00\"\\\u2028\xff")
	f.Fuzz(func(t *testing.T, s string) {
		b := appendJSONString(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%q → %s: %v", s, b, err)
		}
		if utf8.ValidString(s) && got != s {
			t.Fatalf("%q → %q", s, got)
		}
	})
}

// scanBenchInput is the mix `jianfu scan` is measured on: the labelled
// corpus, ordinary lines weighted four times, plus short chat lines.
func scanBenchInput(b *testing.B, size int) ([]byte, int) {
	var buf bytes.Buffer
	n := 0
	chat := []string{"好的", "收到,谢谢", "明天上午九点开会", "辛苦了", "王主任在吗?", "材料已经放在你桌上了",
		"下午我去村里走访", "周五的会议改到三楼", "今天天气不错", "这个问题我下午回复你"}
	for _, name := range []string{"dev", "heldout"} {
		f, err := os.Open("../../detect/testdata/corpus/" + name + ".jsonl")
		if err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var it struct {
				Text       string   `json:"text"`
				Categories []string `json:"categories"`
			}
			if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
				b.Fatal(err)
			}
			k := 1
			if len(it.Categories) == 0 {
				k = 4
			}
			for range k {
				buf.WriteString(strings.ReplaceAll(it.Text, "\n", " "))
				buf.WriteByte('\n')
				n++
			}
		}
		f.Close()
	}
	for i := 0; i < 200; i++ {
		buf.WriteString(chat[i%len(chat)])
		buf.WriteByte('\n')
		n++
	}
	one := buf.Bytes()
	var all bytes.Buffer
	lines := 0
	for lines < size {
		all.Write(one)
		lines += n
	}
	return all.Bytes(), lines
}

// BenchmarkScan is the whole `jianfu scan --format jsonl` of a 100,000-line
// input on every core of the machine (whatever -cpu says): building the
// detector, reading, analysing, writing.
func BenchmarkScan(b *testing.B) {
	// 100,000 lines: the detector's start-up is part of the whole but not
	// most of it
	in, lines := scanBenchInput(b, 100000)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(runtime.NumCPU()))
	b.SetBytes(int64(len(in)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := runScan(bytes.NewReader(in), io.Discard, "jsonl", "", nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkScanBaselineRegexp is the naive scanner on the same input and
// cores: one regexp alternation of the rule patterns per category over the
// raw text, line by line, and the same JSON line written with
// encoding/json (every core allowed, though it uses one).
func BenchmarkScanBaselineRegexp(b *testing.B) {
	// the same mix, a tenth as long: the naive scanner needs seconds for it
	in, lines := scanBenchInput(b, 10000)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(runtime.NumCPU()))
	b.SetBytes(int64(len(in)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, err := detect.New()
		if err != nil {
			b.Fatal(err)
		}
		pats := map[jianfu.Category][]string{}
		for _, r := range d.Rules() {
			for _, p := range r.Patterns {
				pats[r.Category] = append(pats[r.Category], regexp.QuoteMeta(p))
			}
		}
		var res []*regexp.Regexp
		var cats []jianfu.Category
		for _, c := range jianfu.Categories {
			res = append(res, regexp.MustCompile(strings.Join(pats[c], "|")))
			cats = append(cats, c)
		}
		sc := bufio.NewScanner(bytes.NewReader(in))
		w := bufio.NewWriter(io.Discard)
		n := 0
		for sc.Scan() {
			n++
			line := sc.Bytes()
			type span struct {
				Start    int             `json:"start"`
				End      int             `json:"end"`
				Category jianfu.Category `json:"category"`
			}
			out := struct {
				N          int               `json:"n"`
				Categories []jianfu.Category `json:"categories"`
				Spans      []span            `json:"spans"`
			}{N: n, Categories: []jianfu.Category{}, Spans: []span{}}
			for k, re := range res {
				if loc := re.FindIndex(line); loc != nil {
					out.Categories = append(out.Categories, cats[k])
					out.Spans = append(out.Spans, span{utf8.RuneCount(line[:loc[0]]), utf8.RuneCount(line[:loc[1]]), cats[k]})
				}
			}
			j, _ := json.Marshal(out)
			w.Write(j)
			w.WriteByte('\n')
		}
		w.Flush()
	}
	b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
