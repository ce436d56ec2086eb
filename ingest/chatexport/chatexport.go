// Package chatexport reads the chat-history files people export from work
// groups, in the common shapes, and says which shape it chose:
//
//   - WeChat-style text: a header line "2024-01-05 21:30:12 张三" (or
//     "张三 2024-01-05 21:30:12", or with 2024/1/5 or 2024年1月5日), then the
//     message's lines until the next header;
//   - CSV (or an Excel workbook) with columns for time, sender and text, in
//     Chinese or English (时间/发送人/内容, time/sender/content …);
//   - JSON: an array of objects with time, sender and text (aliases such as
//     timestamp/createTime, from/nickname, content/message), an object
//     holding such an array under "messages", or JSON Lines.
//
// Text files may be UTF-8 or GB18030/GBK. Times without a zone are China
// time. Every message gets an id derived from its time, sender, text and
// its rank among identical messages, so importing the same file twice
// counts nothing twice.
package chatexport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"jianfu"
	"jianfu/ingest"
	"jianfu/tabular"
)

// Format is the shape of an export file.
type Format string

const (
	WeChatText Format = "wechat-text"
	CSV        Format = "csv"
	XLSX       Format = "xlsx"
	JSON       Format = "json"
	JSONLines  Format = "jsonl"
)

// Describe says in Chinese and English which shape was read.
func (f Format) Describe() (zh, en string) {
	switch f {
	case WeChatText:
		return "微信聊天记录文本(“日期 时间 发送人”行 + 消息内容行)", "WeChat-style text (a \"date time sender\" line, then the message lines)"
	case CSV:
		return "CSV 表格(时间、发送人、内容列)", "CSV table (time, sender, text columns)"
	case XLSX:
		return "Excel 表格(时间、发送人、内容列)", "Excel table (time, sender, text columns)"
	case JSON:
		return "JSON 消息数组", "JSON array of messages"
	case JSONLines:
		return "JSON Lines(每行一条消息)", "JSON Lines (one message a line)"
	}
	return string(f), string(f)
}

// MaxSize is the largest export read.
const MaxSize = 64 << 20

// Result is an export read.
type Result struct {
	Format   Format
	Encoding string // UTF-8 or GB18030
	Messages []jianfu.Message
	// Members is the member list when the export includes one (JSON).
	Members []string
}

// Parse reads an export. name is the file name (a hint and for messages).
// A file with any unreadable message is refused as a whole: the error lists
// the problems by line or row.
func Parse(r io.Reader, name string) (*Result, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, jianfu.Errorf(jianfu.EINVALID, "无法读取文件“%s”:%v", "cannot read %s: %v", name, err)
	}
	if len(data) > MaxSize {
		return nil, jianfu.Errorf(jianfu.EINVALID, "文件“%s”超过64MB,请按时间分成几个文件导入", "%s exceeds 64 MB; split it by time and import the parts", name)
	}
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return parseTable(data, name, XLSX)
	}
	res := &Result{Encoding: "UTF-8"}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		if err != nil || !utf8.Valid(dec) || bytes.ContainsRune(dec, utf8.RuneError) || bytes.IndexByte(dec, 0) >= 0 {
			return nil, jianfu.Errorf(jianfu.EINVALID, "文件“%s”既不是 UTF-8 也不是 GBK/GB18030 文本,请另存为 UTF-8 后导入", "%s is neither UTF-8 nor GBK/GB18030 text; save it as UTF-8 and import that", name)
		}
		data, res.Encoding = dec, "GB18030"
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	trim := strings.TrimSpace(text)
	if trim == "" {
		return nil, jianfu.Errorf(jianfu.EINVALID, "文件“%s”是空的", "%s is empty", name)
	}
	var out *Result
	switch {
	case trim[0] == '[' || trim[0] == '{':
		out, err = parseJSON(trim, name)
	default:
		first := firstLine(trim)
		if _, ok := header(first); !ok && strings.ContainsAny(first, ",\t;，") {
			out, err = parseTable([]byte(text), name, CSV)
			if err != nil && countHeaders(trim) > 0 {
				out, err = parseText(trim, name)
			}
		} else {
			out, err = parseText(trim, name)
		}
	}
	if err != nil {
		return nil, err
	}
	if out.Format != XLSX {
		out.Encoding = res.Encoding
	}
	number(out.Messages)
	return out, nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return strings.TrimSpace(s[:i])
	}
	return s
}

// number gives each message its id: identical (time, sender, text) triples
// are told apart by their rank in the file.
func number(msgs []jianfu.Message) {
	type k struct {
		t    int64
		s, x string
	}
	seen := map[k]int{}
	for i := range msgs {
		m := &msgs[i]
		m.Source = jianfu.SourceExport
		m.MentionAll = m.MentionAll || jianfu.MentionsAll(m.Text)
		if m.ID != "" {
			continue
		}
		key := k{m.Time.Unix(), m.Sender, m.Text}
		m.ID = ingest.ContentID(m.Time, m.Sender, m.Text, seen[key])
		seen[key]++
	}
}

const (
	dateRe = `(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?`
	timeRe = `(上午|下午|晚上|凌晨)?\s*(\d{1,2}):(\d{2})(?::(\d{2}))?`
)

var (
	headerDateFirst = regexp.MustCompile(`^\s*` + dateRe + `\s+` + timeRe + `\s+(\S.*?)\s*[::]?\s*$`)
	headerNameFirst = regexp.MustCompile(`^\s*(\S.*?)\s+[((]?` + dateRe + `\s+` + timeRe + `[))]?\s*$`)
	dateOnly        = regexp.MustCompile(`^[\s—\-=_*·.]*` + dateRe + `[\s—\-=_*·.]*$`)
)

type hdr struct {
	t      time.Time
	sender string
}

// header recognises a message header line.
func header(line string) (hdr, bool) {
	if len(line) > 300 {
		return hdr{}, false
	}
	if m := headerDateFirst.FindStringSubmatch(line); m != nil {
		t, ok := clock(m[1], m[2], m[3], m[4], m[5], m[6], m[7])
		return hdr{t, strings.TrimSpace(m[8])}, ok
	}
	if m := headerNameFirst.FindStringSubmatch(line); m != nil {
		t, ok := clock(m[2], m[3], m[4], m[5], m[6], m[7], m[8])
		return hdr{t, strings.TrimSpace(m[1])}, ok
	}
	return hdr{}, false
}

func clock(y, mo, d, half, h, mi, s string) (time.Time, bool) {
	yy, _ := strconv.Atoi(y)
	mm, _ := strconv.Atoi(mo)
	dd, _ := strconv.Atoi(d)
	hh, _ := strconv.Atoi(h)
	mn, _ := strconv.Atoi(mi)
	ss := 0
	if s != "" {
		ss, _ = strconv.Atoi(s)
	}
	switch half {
	case "下午", "晚上":
		if hh < 12 {
			hh += 12
		}
	case "上午", "凌晨":
		if hh == 12 {
			hh = 0
		}
	}
	if mm < 1 || mm > 12 || dd < 1 || dd > 31 || hh > 23 || mn > 59 || ss > 60 {
		return time.Time{}, false
	}
	t := time.Date(yy, time.Month(mm), dd, hh, mn, ss, 0, jianfu.China)
	if t.Day() != dd {
		return time.Time{}, false // 2月30日
	}
	return t, true
}

func countHeaders(text string) int {
	n := 0
	for _, l := range strings.Split(text, "\n") {
		if _, ok := header(l); ok {
			n++
			if n > 2 {
				break
			}
		}
	}
	return n
}

// maxPreamble is how many lines before the first header may be a title.
const maxPreamble = 5

func parseText(text, name string) (*Result, error) {
	lines := strings.Split(text, "\n")
	res := &Result{Format: WeChatText}
	var cur *jianfu.Message
	var body []string
	flush := func() {
		if cur == nil {
			return
		}
		cur.Text = strings.TrimSpace(strings.Join(body, "\n"))
		if cur.Text != "" {
			res.Messages = append(res.Messages, *cur)
		}
		cur, body = nil, body[:0]
	}
	preamble := 0
	for i, l := range lines {
		if h, ok := header(l); ok {
			flush()
			cur = &jianfu.Message{Time: h.t, Sender: h.sender}
			continue
		}
		if cur == nil {
			if strings.TrimSpace(l) != "" {
				preamble++
				if preamble > maxPreamble {
					return nil, jianfu.Errorf(jianfu.EINVALID,
						"“%s”第%d行:未找到消息头。聊天记录文本的每条消息应以“2024-01-05 21:30:12 张三”这样的一行开头,其后是消息内容;也可导入含 时间、发送人、内容 列的 CSV/Excel,或 JSON",
						"%s line %d: no message header found. Each message of a text export starts with a line like \"2024-01-05 21:30:12 张三\", followed by its text; CSV/Excel with time, sender and text columns, or JSON, work too", name, i+1)
				}
			}
			continue
		}
		if dateOnly.MatchString(l) {
			continue // a day separator between messages
		}
		body = append(body, l)
	}
	flush()
	if len(res.Messages) == 0 {
		return nil, jianfu.Errorf(jianfu.EINVALID, "“%s”中没有读到任何消息", "no message found in %s", name)
	}
	return res, nil
}

var exportColumns = []tabular.Column{
	{Key: "time", Label: "时间", English: "time", Required: true, Aliases: []string{"发送时间", "日期时间", "消息时间", "日期", "datetime", "timestamp", "date", "createtime", "create_time", "strtime", "sendtime"}},
	{Key: "sender", Label: "发送人", English: "sender", Aliases: []string{"发送者", "发言人", "昵称", "用户", "成员", "from", "nickname", "talker", "name", "user", "author", "sendername"}},
	{Key: "text", Label: "内容", English: "text", Required: true, Aliases: []string{"消息", "消息内容", "聊天内容", "正文", "content", "message", "msg", "strcontent", "body"}},
	{Key: "id", Label: "消息编号", English: "message id", Aliases: []string{"消息id", "msgid", "msgsvrid", "message_id", "id"}},
}

func parseTable(data []byte, name string, f Format) (*Result, error) {
	hint := name
	if f == XLSX && !strings.HasSuffix(strings.ToLower(name), ".xlsx") {
		hint = name + ".xlsx"
	}
	r, err := tabular.NewReader(bytes.NewReader(data), hint, exportColumns)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	res := &Result{Format: f, Encoding: r.Encoding()}
	if f == XLSX {
		res.Encoding = ""
	}
	var probs []jianfu.Problem
	for r.Next() {
		row := r.Row()
		t, ok := parseTime(row.Get("time"))
		text := row.Get("text")
		if !ok {
			probs = append(probs, jianfu.Problem{Row: row.Number, Field: r.Column("time"),
				Message: fmt.Sprintf("时间“%s”无法识别,应如 2024-01-05 21:30:12", row.Get("time")),
				English: fmt.Sprintf("cannot read the time %q; write it like 2024-01-05 21:30:12", row.Get("time"))})
			continue
		}
		if text == "" {
			continue // pictures and system lines export as empty text
		}
		res.Messages = append(res.Messages, jianfu.Message{Time: t, Sender: row.Get("sender"), Text: text, ID: row.Get("id")})
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	if len(probs) > 0 {
		return nil, jianfu.ProblemsError(probs)
	}
	if len(res.Messages) == 0 {
		return nil, jianfu.Errorf(jianfu.EINVALID, "“%s”中没有读到任何消息", "no message found in %s", name)
	}
	return res, nil
}

var timeLayouts = []string{
	"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02T15:04",
	"2006/01/02 15:04:05", "2006/01/02 15:04", "2006/1/2 15:04:05", "2006/1/2 15:04", "2006-1-2 15:04:05", "2006-1-2 15:04",
	"2006.01.02 15:04:05", "2006.01.02 15:04", "2006年1月2日 15:04:05", "2006年1月2日 15:04", "2006年01月02日 15:04:05", "2006年01月02日 15:04",
}

// parseTime reads the times exports write: the layouts above in China
// time, RFC 3339 with a zone, or Unix seconds or milliseconds.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, s, jianfu.China); err == nil {
			return t, true
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return unix(n)
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f > 0 && f < 1e13 {
		return unix(int64(f))
	}
	if h, ok := header(s + " x"); ok {
		return h.t, true
	}
	return time.Time{}, false
}

func unix(n int64) (time.Time, bool) {
	switch {
	case n >= 1e9 && n < 1e10:
		return time.Unix(n, 0), true
	case n >= 1e12 && n < 1e13:
		return time.UnixMilli(n), true
	}
	return time.Time{}, false
}

var (
	timeKeys   = []string{"time", "timestamp", "create_time", "createtime", "date", "datetime", "sendtime", "send_time", "msgtime", "msg_time", "strtime", "时间", "发送时间"}
	senderKeys = []string{"sender", "from", "nickname", "sender_name", "sendername", "talker", "user", "name", "author", "发送人", "发送者", "昵称"}
	textKeys   = []string{"text", "content", "message", "msg", "body", "strcontent", "内容", "消息", "消息内容"}
	idKeys     = []string{"id", "msgid", "msg_id", "message_id", "msgsvrid"}
)

func field(obj map[string]any, keys []string) (any, bool) {
	for k, v := range obj {
		lk := strings.ToLower(k)
		for _, want := range keys {
			if lk == want {
				return v, true
			}
		}
	}
	return nil, false
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case map[string]any:
		if t, ok := x["text"].(string); ok {
			return t
		}
		if t, ok := x["content"].(string); ok {
			return t
		}
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}

func parseJSON(text, name string) (*Result, error) {
	res := &Result{Format: JSON}
	var items []any
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var first any
	if err := dec.Decode(&first); err != nil {
		return nil, jsonError(name, text, err)
	}
	switch v := first.(type) {
	case []any:
		items = v
		if dec.More() {
			return nil, jianfu.Errorf(jianfu.EINVALID, "“%s”:JSON 数组之后还有内容,应只有一个数组", "%s: more content after the JSON array; the file must hold one array", name)
		}
	case map[string]any:
		if dec.More() {
			res.Format = JSONLines
			items = append(items, v)
			for dec.More() {
				var x any
				if err := dec.Decode(&x); err != nil {
					return nil, jsonError(name, text, err)
				}
				items = append(items, x)
			}
		} else if msgs, ok := v["messages"].([]any); ok {
			items = msgs
			if mem, ok := v["members"].([]any); ok {
				for _, m := range mem {
					if s := str(m); s != "" {
						res.Members = append(res.Members, s)
					} else if o, ok := m.(map[string]any); ok {
						if n, ok := field(o, append(idKeys, senderKeys...)); ok {
							res.Members = append(res.Members, str(n))
						}
					}
				}
			}
		} else {
			items = []any{v}
		}
	default:
		return nil, jianfu.Errorf(jianfu.EINVALID, "“%s”:JSON 应为消息对象的数组", "%s: the JSON must be an array of message objects", name)
	}
	var probs []jianfu.Problem
	for i, it := range items {
		obj, ok := it.(map[string]any)
		if !ok {
			probs = append(probs, jianfu.Problem{Row: i + 1, Message: "第" + strconv.Itoa(i+1) + "项不是对象", English: fmt.Sprintf("item %d is not an object", i+1)})
			continue
		}
		tv, _ := field(obj, timeKeys)
		t, ok := parseTime(str(tv))
		if !ok {
			probs = append(probs, jianfu.Problem{Row: i + 1, Field: "time", Message: fmt.Sprintf("第%d项的时间“%s”缺失或无法识别", i+1, str(tv)),
				English: fmt.Sprintf("item %d: the time %q is missing or unreadable", i+1, str(tv))})
			continue
		}
		xv, _ := field(obj, textKeys)
		text := strings.TrimSpace(str(xv))
		if text == "" {
			continue
		}
		sv, _ := field(obj, senderKeys)
		iv, _ := field(obj, idKeys)
		m := jianfu.Message{Time: t, Sender: str(sv), Text: text, ID: str(iv)}
		if b, ok := obj["mention_all"].(bool); ok {
			m.MentionAll = b
		}
		res.Messages = append(res.Messages, m)
	}
	if len(probs) > 0 {
		sort.SliceStable(probs, func(i, j int) bool { return probs[i].Row < probs[j].Row })
		return nil, jianfu.ProblemsError(probs)
	}
	if len(res.Messages) == 0 {
		return nil, jianfu.Errorf(jianfu.EINVALID, "“%s”中没有读到任何消息", "no message found in %s", name)
	}
	return res, nil
}

func jsonError(name, text string, err error) error {
	var se *json.SyntaxError
	if ok := asSyntax(err, &se); ok {
		line := strings.Count(text[:min(int(se.Offset), len(text))], "\n") + 1
		return jianfu.Errorf(jianfu.EINVALID, "“%s”第%d行 JSON 格式错误:%v", "%s line %d: malformed JSON: %v", name, line, err)
	}
	return jianfu.Errorf(jianfu.EINVALID, "“%s”JSON 格式错误:%v", "%s: malformed JSON: %v", name, err)
}

func asSyntax(err error, se **json.SyntaxError) bool {
	s, ok := err.(*json.SyntaxError)
	if ok {
		*se = s
	}
	return ok
}
