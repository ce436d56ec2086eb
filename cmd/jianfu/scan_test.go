package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCmd parses args into cmd's flags and calls its RunE with buffers,
// without starting a process.
func runCmd(t *testing.T, cmdArgs []string, stdin string) (string, error) {
	t.Helper()
	cmd := newScanCmd()
	var out bytes.Buffer
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetOut(&out)
	if err := cmd.ParseFlags(cmdArgs); err != nil {
		return "", err
	}
	err := cmd.RunE(cmd, cmd.Flags().Args())
	return out.String(), err
}

type jsonLine struct {
	N          int      `json:"n"`
	Categories []string `json:"categories"`
	Severity   string   `json:"severity"`
	Assessed   bool     `json:"assessed"`
	Offhours   bool     `json:"offhours"`
	Exempt     bool     `json:"exempt"`
	Truncated  bool     `json:"truncated"`
	Voice      string   `json:"voice"`
	Spans      []struct {
		Start, End int
		Category   string
		Rule       string
		Voice      string
	} `json:"spans"`
}

func parseJSONL(t *testing.T, out string) []jsonLine {
	t.Helper()
	var lines []jsonLine
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var v jsonLine
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("output line %q is not JSON: %v", l, err)
		}
		if v.Categories == nil || v.Spans == nil {
			t.Fatalf("categories and spans must be [] not null/missing: %q", l)
		}
		lines = append(lines, v)
	}
	return lines
}

// The contract check of the issue, as a new user would run it.
func TestScanContract(t *testing.T) {
	out, err := runCmd(t, []string{"--format", "jsonl"}, "请各村今晚十点前接龙报送走访照片,收到请回复\n根据规定,不再要求打卡接龙\n")
	if err != nil {
		t.Fatal(err)
	}
	lines := parseJSONL(t, out)
	if len(lines) != 2 {
		t.Fatalf("want 2 output lines, got %d:\n%s", len(lines), out)
	}
	got := map[string]bool{}
	for _, c := range lines[0].Categories {
		got[c] = true
	}
	for _, c := range []string{"chain", "material", "instant", "trace"} {
		if !got[c] {
			t.Errorf("line 1 lacks %s: %v", c, lines[0].Categories)
		}
	}
	if lines[0].N != 1 || lines[1].N != 2 {
		t.Errorf("n = %d, %d", lines[0].N, lines[1].N)
	}
	if len(lines[1].Categories) != 0 || lines[1].Severity != "none" {
		t.Errorf("line 2 should find nothing: %+v", lines[1])
	}
	// spans are rune offsets into the original line
	text := []rune("请各村今晚十点前接龙报送走访照片,收到请回复")
	for _, sp := range lines[0].Spans {
		if string(text[sp.Start:sp.End]) == "" {
			t.Errorf("empty span %+v", sp)
		}
		if sp.Rule == "chain.reply-received" && string(text[sp.Start:sp.End]) != "收到请回复" {
			t.Errorf("span %+v covers %q", sp, string(text[sp.Start:sp.End]))
		}
		if sp.Voice != "demand" {
			t.Errorf("span %+v of a work-group demand: voice %q", sp, sp.Voice)
		}
	}
	if lines[0].Voice != "demand" || lines[1].Voice != "demand" {
		t.Errorf("voices %q, %q, want demand", lines[0].Voice, lines[1].Voice)
	}
}

// A complaint that tells a demand is found with the same categories, in the
// narrative voice, on the line and on each span.
func TestScanNarrativeVoice(t *testing.T) {
	out, err := runCmd(t, []string{"--format", "jsonl"}, "12345工单:来电人反映,街道每周都要社区报送创文工作台账,格式一变就得重新做。\n")
	if err != nil {
		t.Fatal(err)
	}
	lines := parseJSONL(t, out)
	if len(lines) != 1 || len(lines[0].Categories) != 1 || lines[0].Categories[0] != "material" {
		t.Fatalf("want material: %s", out)
	}
	if lines[0].Voice != "narrative" {
		t.Errorf("line voice %q, want narrative", lines[0].Voice)
	}
	for _, sp := range lines[0].Spans {
		if sp.Voice != "narrative" {
			t.Errorf("span %+v: want narrative", sp)
		}
	}
	if !strings.Contains(out, `"exempt": false, "voice": "narrative", "spans": [`) {
		t.Errorf("voice sits before spans: %s", out)
	}
}

func TestScanJSONInputAndOddLines(t *testing.T) {
	in := strings.Join([]string{
		`{"text": "收到请回复", "time": "2026-10-02T21:00:00+08:00", "group": "村干部群"}`,
		`{这不是 JSON,但也要输出一行`,
		``,
		`{"text": "下午三点开会", "time": "2026-09-30T15:00:00+08:00"}`,
		`收 到 請 回 覆`,
	}, "\n") // no final newline
	out, err := runCmd(t, []string{"--format=jsonl"}, in)
	if err != nil {
		t.Fatal(err)
	}
	lines := parseJSONL(t, out)
	if len(lines) != 5 {
		t.Fatalf("want one output per input line (5), got %d:\n%s", len(lines), out)
	}
	if !lines[0].Offhours || len(lines[0].Categories) != 1 || lines[0].Categories[0] != "chain" {
		t.Errorf("JSON line with a holiday evening time: %+v", lines[0])
	}
	if lines[3].Offhours || len(lines[3].Categories) != 0 {
		t.Errorf("meeting notice in working time: %+v", lines[3])
	}
	if len(lines[4].Categories) != 1 || lines[4].Categories[0] != "chain" {
		t.Errorf("disguised 收到请回复 not found: %+v", lines[4])
	}
	for i, l := range lines {
		if l.N != i+1 {
			t.Errorf("line %d has n=%d", i+1, l.N)
		}
	}
}

func TestScanLongLine(t *testing.T) {
	long := "收到请回复" + strings.Repeat("啊", maxScanLine) + "\n第二行:看到的扣1\n"
	out, err := runCmd(t, []string{"--format", "jsonl"}, long)
	if err != nil {
		t.Fatal(err)
	}
	lines := parseJSONL(t, out)
	if len(lines) != 2 || !lines[0].Truncated || lines[1].Truncated {
		t.Fatalf("over-long line: %+v", lines)
	}
	if len(lines[0].Categories) == 0 || len(lines[1].Categories) == 0 {
		t.Errorf("findings lost around an over-long line: %+v", lines)
	}
}

func TestScanTextReport(t *testing.T) {
	out, err := runCmd(t, nil, "请各村今晚十点前接龙报送走访照片,收到请回复\n好的\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"第 1 行", "【收到请回复】", "接龙回复", "不得脱离工作实际强制要求打卡接龙", "共扫描 2 行"} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "第 2 行") {
		t.Errorf("a line without findings was reported:\n%s", out)
	}
}

func TestScanUsageErrors(t *testing.T) {
	var ue usageError
	if _, err := runCmd(t, []string{"--format", "xml"}, ""); !errors.As(err, &ue) || !strings.Contains(err.Error(), "text 或 jsonl") {
		t.Errorf("unknown format: %v", err)
	}
	if _, err := runCmd(t, []string{"/nonexistent/messages.txt"}, ""); !errors.As(err, &ue) || !strings.Contains(err.Error(), "文件不存在") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := runCmd(t, []string{"--rules", "/nonexistent/rules"}, ""); !errors.As(err, &ue) {
		t.Errorf("missing rules dir: %v", err)
	}
	if exitCode(usageError{msg: "x"}) != 2 {
		t.Error("usage errors must exit 2")
	}
}

// A supervisor adds a rule for a new disguise the same day, without a rebuild.
func TestScanRulesDir(t *testing.T) {
	dir := t.TempDir()
	rule := `version: 1
rules:
  - id: chain.new-slang
    category: chain
    title: 新变种:要求“扣波浪号”
    weight: 2
    patterns: [扣波浪]
    demand: self
    clause:
      text: 在工作群组中,不得脱离工作实际强制要求打卡接龙、即时响应,不得随意摊派任务、索要材料。
      source: 《关于防治“指尖上的形式主义”的若干意见》
    examples:
      match: [看到的扣波浪]
      no_match: [不用扣波浪]
`
	if err := os.WriteFile(filepath.Join(dir, "local.yaml"), []byte(rule), 0o644); err != nil {
		t.Fatal(err)
	}
	before, _ := runCmd(t, []string{"--format", "jsonl"}, "看到的扣波浪\n")
	after, err := runCmd(t, []string{"--format", "jsonl", "--rules", dir}, "看到的扣波浪\n")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(before, "chain.new-slang") || !strings.Contains(after, "chain.new-slang") {
		t.Errorf("rules dir not applied:\nbefore %s\nafter %s", before, after)
	}
	// and `jianfu rules test --rules DIR` runs its examples
	cmd := newRulesCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"test", "--rules", dir})
	if err := cmd.Execute(); err != nil {
		t.Fatalf("rules test: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "0 个失败") {
		t.Errorf("rules test output: %s", out.String())
	}
}

func TestRulesTestReportsFailures(t *testing.T) {
	dir := t.TempDir()
	bad := `version: 1
rules:
  - id: chain.broken
    category: chain
    weight: 1
    patterns: [扣波浪]
    demand: self
    clause: {text: x, source: y}
    examples:
      match: [这句话里没有那个词]
`
	os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte(bad), 0o644)
	cmd := newRulesCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"test", "--rules", dir})
	if err := cmd.Execute(); err == nil || !strings.Contains(out.String(), "chain.broken") {
		t.Errorf("a failing example must fail the command: err=%v\n%s", err, out.String())
	}
}
