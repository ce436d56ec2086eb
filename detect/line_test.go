package detect

import (
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
	f.Fuzz(func(t *testing.T, line []byte) {
		m := ParseLine(line)
		if len(line) > 0 && line[0] != '{' && line[0] != ' ' && line[0] != '\t' && line[0] != 0xef && m.Text != string(line) {
			t.Fatalf("plain line %q became %q", line, m.Text)
		}
		if utf8.ValidString(string(line)) && m.Text == "" && len(line) > 0 && line[0] != '{' && line[0] != ' ' && line[0] != '\t' && line[0] != 0xef {
			t.Fatalf("line %q lost its text", line)
		}
	})
}
