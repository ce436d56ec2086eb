package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"jianfu/detect"
)

// maxScanLine is the longest input line scanned whole. Longer lines are cut
// to their first maxScanLine bytes (at a character boundary), scanned, and
// marked "truncated": true; the rest of the line is skipped, so memory stays
// constant whatever the input.
const maxScanLine = 1 << 20

func newScanCmd() *cobra.Command {
	var format, rulesDir string
	cmd := &cobra.Command{
		Use:   "scan [FILE...]",
		Short: "扫描工作群消息和通知,找出“指尖上的形式主义”要求",
		Long: `扫描消息,找出打卡接龙、即时响应、摊派任务、索要材料、强制推广、点赞转发、截图留痕等要求。

每个输入行是一条消息:纯文本,或至少带 "text" 字段的 JSON 对象(可选 "time"(RFC 3339)、
"sender"、"group")。不给 FILE 时读标准输入。以 { 开头但不是合法 JSON 的行按纯文本处理。
超过 1 MiB 的行只扫描前 1 MiB,并标记 "truncated": true。

--format text(默认)输出中文报告,命中的词用【】标出并附所违反的条款;
--format jsonl 每个输入行输出一个 JSON 对象,顺序与输入一致:
  {"n": 1, "categories": ["chain","instant"], "severity": "high", "assessed": false,
   "offhours": false, "exempt": false, "voice": "demand", "spans": [{"start": 0, "end": 6,
   "category": "chain", "rule": "chain.reply-received", "voice": "demand"}]}
偏移量按字符(rune)计,基于原文。voice 为 "demand"(消息本身提出要求)或 "narrative"
(投诉、12345 工单、新闻报道转述或反映的要求),整行为 narrative 当且仅当每个命中都是转述。发现问题时退出码仍为 0;用法错误退出码为 2。`,
		Example: `  printf '收到请回复\n' | jianfu scan
  jianfu scan --format jsonl messages.jsonl > findings.jsonl
  jianfu scan --rules ./my-rules notices.txt`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runScan(cmd.InOrStdin(), cmd.OutOrStdout(), format, rulesDir, args)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "输出格式:text(中文报告)或 jsonl(每行一个 JSON 对象)")
	cmd.Flags().StringVar(&rulesDir, "rules", "", "规则目录:其中的 *.yaml 追加或按 id 覆盖内置规则")
	cmd.SetFlagErrorFunc(flagUsageError)
	return cmd
}

func flagUsageError(c *cobra.Command, err error) error {
	return usageError{msg: fmt.Sprintf("%v。用法见 %s --help", err, c.CommandPath())}
}

// loadDetector builds the detector, turning a bad rules directory into a
// usage error that says how to check it.
func loadDetector(rulesDir string) (*detect.Detector, error) {
	var opts []detect.Option
	if rulesDir != "" {
		opts = append(opts, detect.WithRulesDir(rulesDir))
	}
	d, err := detect.New(opts...)
	if err != nil {
		if rulesDir != "" {
			return nil, usageError{msg: fmt.Sprintf("无法加载规则目录 %s:%v。请检查该目录存在且其中的 .yaml 文件格式正确(可参考 docs/detector.md 的规则文件格式)", rulesDir, err)}
		}
		return nil, fmt.Errorf("加载内置规则: %w", err)
	}
	return d, nil
}

func runScan(stdin io.Reader, stdout io.Writer, format, rulesDir string, files []string) error {
	if format != "text" && format != "jsonl" {
		return usageError{msg: fmt.Sprintf("未知的输出格式 %q:--format 只能是 text 或 jsonl,例如 jianfu scan --format jsonl 消息.txt", format)}
	}
	// Check every file before writing anything, so a typo fails cleanly.
	for _, f := range files {
		if f == "-" {
			continue
		}
		fh, err := os.Open(f)
		if err != nil {
			return usageError{msg: fmt.Sprintf("无法读取输入文件 %s:%v。请检查路径和权限;不给文件名时从标准输入读取", f, describeOpenErr(err))}
		}
		st, err := fh.Stat()
		fh.Close()
		if err == nil && st.IsDir() {
			return usageError{msg: fmt.Sprintf("输入 %s 是目录,不是文件。请给出文件路径,例如 jianfu scan %s/*.jsonl", f, strings.TrimRight(f, "/"))}
		}
	}
	d, err := loadDetector(rulesDir)
	if err != nil {
		return err
	}
	out := bufio.NewWriterSize(stdout, 64<<10)
	s := newScanner(d, out, format == "text", runtime.GOMAXPROCS(0))
	if len(files) == 0 {
		files = []string{"-"}
	}
	var rerr error
	for _, f := range files {
		if f == "-" {
			if rerr = s.scan(stdin, "标准输入"); rerr != nil {
				break
			}
			continue
		}
		fh, err := os.Open(f)
		if err != nil {
			rerr = fmt.Errorf("读取 %s: %w", f, err)
			break
		}
		rerr = s.scan(fh, f)
		fh.Close()
		if rerr != nil {
			break
		}
	}
	werr := s.close()
	if rerr != nil {
		return rerr
	}
	if werr != nil {
		return werr
	}
	if s.text {
		s.summary()
	}
	return out.Flush()
}

func describeOpenErr(err error) string {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "文件不存在"
	case errors.Is(err, os.ErrPermission):
		return "没有读取权限"
	}
	return err.Error()
}

// The input is read on one goroutine, cut into batches of lines, analysed
// by one worker per core and written in input order by one writer: a
// batch's output waits for the batches before it, so memory stays bounded
// by the batches in flight.
const (
	batchLines = 512
	batchBytes = 256 << 10
)

// scanBatch is a run of input lines, analysed together and written in turn.
type scanBatch struct {
	n0     int    // number of the first line
	data   []byte // the lines, one after another
	ends   []int  // where each line ends in data
	trunc  []bool
	flush  bool // the input paused after this batch: show it at once
	out    []byte
	found  int // lines with findings, and exempt ones (text format)
	exempt int
	done   chan struct{}
}

type scanner struct {
	d    *detect.Detector
	out  *bufio.Writer
	text bool
	n    int    // lines so far, across inputs
	buf  []byte // the current line
	cur  *scanBatch

	work, order, free chan *scanBatch
	wg                sync.WaitGroup
	werr              chan error

	found, exempt int
}

// newScanner starts the workers (one per core in jianfu scan) and the
// writer.
func newScanner(d *detect.Detector, out *bufio.Writer, text bool, workers int) *scanner {
	inFlight := 2 * workers
	s := &scanner{d: d, out: out, text: text,
		work: make(chan *scanBatch, inFlight), order: make(chan *scanBatch, inFlight),
		free: make(chan *scanBatch, inFlight+2), werr: make(chan error, 1)}
	for range workers {
		s.wg.Add(1)
		go s.analyse()
	}
	go s.write()
	s.cur = s.batch()
	return s
}

func (s *scanner) batch() *scanBatch {
	select {
	case b := <-s.free:
		b.data, b.ends, b.trunc, b.flush = b.data[:0], b.ends[:0], b.trunc[:0], false
		return b
	default:
		return &scanBatch{done: make(chan struct{}, 1)}
	}
}

// send hands the current batch to the workers and the writer.
func (s *scanner) send(flush bool) {
	b := s.cur
	if len(b.ends) == 0 && !flush {
		return
	}
	b.flush = flush
	s.order <- b
	s.work <- b
	s.cur = s.batch()
}

// close sends what is left, waits for the workers and the writer, and
// returns the writer's error.
func (s *scanner) close() error {
	s.send(false)
	close(s.work)
	close(s.order)
	s.wg.Wait()
	return <-s.werr
}

// analyse is a worker: it analyses batches and encodes their output.
func (s *scanner) analyse() {
	defer s.wg.Done()
	var res detect.Result
	for b := range s.work {
		b.out, b.found, b.exempt = b.out[:0], 0, 0
		start := 0
		for i, end := range b.ends {
			// the message shares the batch's memory: it is done with
			// before the batch is written and reused
			msg := detect.ParseLineShared(b.data[start:end])
			start = end
			s.d.AnalyzeInto(msg, &res)
			if s.text {
				b.out = s.appendText(b, b.n0+i, msg, &res, b.trunc[i])
			} else {
				b.out = appendJSONLine(b.out, b.n0+i, &res, b.trunc[i])
			}
		}
		b.done <- struct{}{}
	}
}

// write writes the batches' output in input order.
func (s *scanner) write() {
	var err error
	for b := range s.order {
		<-b.done
		if err == nil {
			_, err = s.out.Write(b.out)
		}
		if err == nil && b.flush {
			// interactive use: show results as soon as the input pauses
			err = s.out.Flush()
		}
		s.found += b.found
		s.exempt += b.exempt
		select {
		case s.free <- b:
		default:
		}
	}
	s.werr <- err
}

// scan reads one input line by line with bounded memory.
func (s *scanner) scan(r io.Reader, name string) error {
	br := bufio.NewReaderSize(r, 256<<10)
	for {
		line, truncated, err := s.readLine(br)
		if err != nil && err != io.EOF {
			s.send(true)
			return fmt.Errorf("读取%s第 %d 行之后: %w", name, s.n, err)
		}
		if line == nil && err == io.EOF {
			return nil
		}
		s.n++
		b := s.cur
		if len(b.ends) == 0 {
			b.n0 = s.n
		}
		b.data = append(b.data, line...)
		b.ends = append(b.ends, len(b.data))
		b.trunc = append(b.trunc, truncated)
		if pause := br.Buffered() == 0; pause || len(b.ends) >= batchLines || len(b.data) >= batchBytes {
			s.send(pause)
		}
		if err == io.EOF {
			return nil
		}
	}
}

// readLine returns the next line without its line ending; nil at the end of
// input. Lines longer than maxScanLine are cut at a character boundary.
func (s *scanner) readLine(br *bufio.Reader) (line []byte, truncated bool, err error) {
	s.buf = s.buf[:0]
	for {
		chunk, e := br.ReadSlice('\n')
		if len(s.buf)+len(chunk) <= maxScanLine {
			s.buf = append(s.buf, chunk...)
		} else if !truncated {
			s.buf = append(s.buf, chunk[:maxScanLine-len(s.buf)]...)
			truncated = true
		}
		if e == bufio.ErrBufferFull {
			continue
		}
		if e != nil && len(s.buf) == 0 && !truncated {
			return nil, false, e
		}
		b := bytes.TrimRight(s.buf, "\r\n")
		if truncated {
			// do not end on half a character
			i := len(b) - 1
			for i > 0 && i > len(b)-4 && b[i]&0xC0 == 0x80 {
				i--
			}
			if i >= 0 && !utf8.FullRune(b[i:]) {
				b = b[:i]
			}
		}
		return b, truncated, e
	}
}

// appendJSONLine appends the JSON line of one message (see the contract in
// docs/detector.md), written by hand: no reflection on the hot path.
func appendJSONLine(b []byte, n int, res *detect.Result, truncated bool) []byte {
	b = append(b, `{"n": `...)
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, `, "categories": [`...)
	for i, c := range res.Categories {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, string(c))
	}
	b = append(b, `], "severity": `...)
	b = appendJSONString(b, string(res.Severity))
	b = append(b, `, "assessed": `...)
	b = strconv.AppendBool(b, res.Assessed)
	b = append(b, `, "offhours": `...)
	b = strconv.AppendBool(b, res.Offhours)
	b = append(b, `, "exempt": `...)
	b = strconv.AppendBool(b, res.Exempt)
	b = append(b, `, "voice": `...)
	b = appendJSONString(b, string(res.Voice))
	b = append(b, `, "spans": [`...)
	for i, sp := range res.Spans {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, `{"start": `...)
		b = strconv.AppendInt(b, int64(sp.Start), 10)
		b = append(b, `, "end": `...)
		b = strconv.AppendInt(b, int64(sp.End), 10)
		b = append(b, `, "category": `...)
		b = appendJSONString(b, string(sp.Category))
		b = append(b, `, "rule": `...)
		b = appendJSONString(b, sp.Rule)
		b = append(b, `, "voice": `...)
		b = appendJSONString(b, string(sp.Voice))
		b = append(b, '}')
	}
	b = append(b, ']')
	if truncated {
		b = append(b, `, "truncated": true`...)
	}
	return append(b, "}\n"...)
}

// appendJSONString appends s as a JSON string: quotes, backslashes and
// control characters escaped, U+2028 and U+2029 too (JavaScript reads them
// as line ends), invalid UTF-8 replaced by U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			switch r {
			case utf8.RuneError:
				b = append(b, `\ufffd`...)
			case '\u2028':
				b = append(b, `\u2028`...)
			default:
				b = append(b, `\u2029`...)
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendText appends the Chinese report of one line with findings.
func (s *scanner) appendText(bt *scanBatch, n int, m detect.Message, res *detect.Result, truncated bool) []byte {
	if len(res.Categories) == 0 {
		return bt.out
	}
	if res.Exempt {
		bt.exempt++
	} else {
		bt.found++
	}
	w := bytes.NewBuffer(bt.out)
	labels := make([]string, len(res.Categories))
	for i, c := range res.Categories {
		labels[i] = c.Label()
	}
	fmt.Fprintf(w, "第 %d 行 · %s · 严重程度:%s(%.1f 分)", n, strings.Join(labels, "、"), res.Severity.Label(), res.Score)
	var mods []string
	if res.Assessed {
		mods = append(mods, "与考核通报挂钩")
	}
	if res.Offhours {
		mods = append(mods, "非工作时间")
	}
	if res.Exempt {
		mods = append(mods, "紧急情况,已豁免")
	}
	if res.Voice == detect.VoiceNarrative {
		mods = append(mods, "转述或反映的要求")
	}
	if truncated {
		mods = append(mods, "该行超过 1 MiB,只扫描了前 1 MiB")
	}
	if len(mods) > 0 {
		fmt.Fprintf(w, " · %s", strings.Join(mods, "、"))
	}
	fmt.Fprintf(w, "\n  %s\n", highlight(m.Text, res.Spans))
	seen := map[string]bool{}
	for _, sp := range res.Spans {
		if seen[sp.Rule] {
			continue
		}
		seen[sp.Rule] = true
		r, ok := s.d.Rule(sp.Rule)
		if !ok {
			continue
		}
		fmt.Fprintf(w, "  · [%s] %s(%s)\n    违反:“%s”——%s\n", sp.Category.Label(), r.Title, r.ID, r.Clause.Text, r.Clause.Source)
	}
	w.WriteByte('\n')
	return w.Bytes()
}

// highlight wraps the spans of text in 【】, merging overlapping spans.
func highlight(text string, spans []detect.Span) string {
	rs := []rune(text)
	mark := make([]bool, len(rs)+1)
	for _, sp := range spans {
		for i := max(sp.Start, 0); i < sp.End && i < len(rs); i++ {
			mark[i] = true
		}
	}
	var b strings.Builder
	in := false
	for i, r := range rs {
		if mark[i] && !in {
			b.WriteString("【")
			in = true
		}
		if !mark[i] && in {
			b.WriteString("】")
			in = false
		}
		b.WriteRune(r)
	}
	if in {
		b.WriteString("】")
	}
	return b.String()
}

func (s *scanner) summary() {
	fmt.Fprintf(s.out, "共扫描 %d 行:%d 行发现“指尖上的形式主义”要求", s.n, s.found)
	if s.exempt > 0 {
		fmt.Fprintf(s.out, ",另有 %d 行属紧急情况已豁免", s.exempt)
	}
	fmt.Fprintln(s.out, "。")
}
