package detect

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
	"unicode/utf8"
)

func TestParseLine(t *testing.T) {
	cases := []struct {
		line     string
		text     string
		hasTime  bool
		sender   string
		wantTime string
	}{
		{"收到请回复", "收到请回复", false, "", ""},
		{`{"text": "收到请回复", "time": "2026-10-02T21:00:00+08:00", "sender": "王"}`, "收到请回复", true, "王", "2026-10-02T21:00:00+08:00"},
		{`{"text": "x", "time": "yesterday"}`, "x", false, "", ""},
		{`{"text": 5}`, `{"text": 5}`, false, "", ""},     // not a string: the line as text
		{`{"msg": "hi"}`, `{"msg": "hi"}`, false, "", ""}, // no text field
		{`{收到请回复`, `{收到请回复`, false, "", ""},               // broken JSON
		{`  {"text":"a"}`, "a", false, "", ""},            // leading spaces
		{`{"text": "a\nb"}`, "a\nb", false, "", ""},       // escaped newline
	}
	for _, tc := range cases {
		m := ParseLine([]byte(tc.line))
		if m.Text != tc.text || !m.Time.IsZero() != tc.hasTime || m.Sender != tc.sender {
			t.Errorf("ParseLine(%q) = %+v", tc.line, m)
		}
		if tc.hasTime && !m.Time.Equal(mustTime(tc.wantTime)) {
			t.Errorf("ParseLine(%q) time %v", tc.line, m.Time)
		}
	}
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// FuzzScanLine: the line parser never panics and never loses a plain-text
// line.
func FuzzScanLine(f *testing.F) {
	for _, s := range []string{`{"text":"收到请回复","time":"2026-10-02T21:00:00+08:00"}`, `{`, `{"text":null}`, "plain", `{"text":"\ud800"}`, "\xff{"} {
		f.Add([]byte(s))
	}
	for _, s := range sameAsJSON {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		m := ParseLine(line)
		checkSameAsJSON(t, line)
		if len(line) > 0 && line[0] != '{' && line[0] != ' ' && line[0] != '\t' && line[0] != 0xef && m.Text != string(line) {
			t.Fatalf("plain line %q became %q", line, m.Text)
		}
		if utf8.ValidString(string(line)) && m.Text == "" && len(line) > 0 && line[0] != '{' && line[0] != ' ' && line[0] != '\t' && line[0] != 0xef {
			t.Fatalf("line %q lost its text", line)
		}
	})
}

// parseLineJSON is how lines were read before the hand-written reader:
// encoding/json for every line that starts with "{".
func parseLineJSON(line []byte) Message {
	trimmed := bytes.TrimLeft(line, " \t\ufeff")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var v lineJSON
		if err := json.Unmarshal(trimmed, &v); err == nil && v.Text != nil {
			m := Message{Text: *v.Text, Sender: v.Sender, Group: v.Group}
			if v.Time != "" {
				if t, err := time.Parse(time.RFC3339Nano, v.Time); err == nil {
					m.Time = t
				}
			}
			return m
		}
	}
	return Message{Text: string(line)}
}

// lines that take the hand-written reader and lines it leaves to
// encoding/json
var sameAsJSON = []string{
	`{"text": "收到请回复", "time": "2026-10-02T21:00:00+08:00", "sender": "王", "group": "村务群"}`,
	`{"text":"a\nb\t\"c\"\\d\/e\u4e2d\u00e9\b\f\r"}`,
	`{"text":"\ud83d\ude00"}`, `{"text":"\ud800"}`, `{"text":"\u12"}`, `{"text":"\x"}`,
	`{"Text":"a"}`, `{"TEXT":"a","text":"b"}`, `{"text":"a","Text":"b"}`, `{"sEnder":"x","text":"a"}`,
	`{"text":"a","text":"b"}`, `{"text":null}`, `{"text":"a","sender":null}`, `{"text":"a","n":5}`,
	`{"text":"a","x":{"y":1}}`, `{"text":"a"} x`, `{"text":"a"}  `, `{"text":"a",}`, `{}`, `{ }`, `{"a":"b"}`,
	"{\"text\":\"\xff\"}", "{\"text\":\"a\tb\"}", "\ufeff{\"text\":\"a\"}", " \t{\"text\":\"a\"}",
	`{"text":"a","time":"yesterday"}`, `{"text":"a","time":"2026-10-02T21:00:00.5Z"}`, `{"text" : "a" , "group" : "g" }`,
	`{"text":"a"`, `{"text":`, `{"text"`, `{"`, `{`, `{"text":"a\`, `{"tex\u0074":"a"}`, `{"ſender":"x","text":"a"}`,
	"{\"text\":\"a\u2028b\"}", `{"text":"\u0000"}`,
}

// checkSameAsJSON fails unless line reads as encoding/json reads it,
// copied and shared.
func checkSameAsJSON(t *testing.T, line []byte) {
	t.Helper()
	want := parseLineJSON(line)
	for _, got := range []Message{ParseLine(line), ParseLineShared(line)} {
		if got.Text != want.Text || got.Sender != want.Sender || got.Group != want.Group || !got.Time.Equal(want.Time) {
			t.Fatalf("%q: read as %+v, encoding/json reads %+v", line, got, want)
		}
	}
}

// The hand-written reader of JSON lines reads what encoding/json reads.
func TestParseLineSameAsJSON(t *testing.T) {
	for _, s := range sameAsJSON {
		checkSameAsJSON(t, []byte(s))
	}
}

// Reading a plain line or the usual JSON object with the shared reader
// allocates nothing.
func TestParseLineSharedAllocs(t *testing.T) {
	for _, s := range []string{"收到请回复", `{"text": "收到请回复", "sender": "王", "group": "村务群"}`} {
		line := []byte(s)
		if n := testing.AllocsPerRun(100, func() { ParseLineShared(line) }); n != 0 {
			t.Errorf("%s: %v allocations", s, n)
		}
	}
}
