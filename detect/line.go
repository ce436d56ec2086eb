package detect

import (
	"bytes"
	"encoding/json"
	"time"
	"unicode/utf8"
	"unsafe"
)

// lineJSON is the JSON form of an input line of `jianfu scan`.
type lineJSON struct {
	Text   *string `json:"text"`
	Time   string  `json:"time"`
	Sender string  `json:"sender"`
	Group  string  `json:"group"`
}

// ParseLine turns one input line (without its line ending) into a message: a
// JSON object with a string "text" field (optional "time" in RFC 3339,
// "sender", "group"), or else the line itself as plain text — including a
// line that starts with "{" but is not such an object, so no line is ever
// dropped. A "time" that is not RFC 3339 leaves the time unknown.
func ParseLine(line []byte) Message { return parseLine(line, false) }

// ParseLineShared is ParseLine whose message may share memory with line
// instead of copying it: the caller must not change line while the message
// is in use. Plain lines and the usual JSON objects are parsed without
// allocating.
func ParseLineShared(line []byte) Message { return parseLine(line, true) }

func parseLine(line []byte, shared bool) Message {
	trimmed := trimLineStart(line)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		m, text, ok := parseObject(trimmed, shared)
		if !ok {
			// what the fast path leaves (unusual escapes, other value
			// types, keys in other cases) is read by encoding/json
			var v lineJSON
			if err := json.Unmarshal(trimmed, &v); err == nil && v.Text != nil {
				m, text = Message{Text: *v.Text, Sender: v.Sender, Group: v.Group}, true
				if v.Time != "" {
					if t, err := time.Parse(time.RFC3339Nano, v.Time); err == nil {
						m.Time = t
					}
				}
			}
		}
		if text {
			return m
		}
	}
	if shared {
		return Message{Text: sharedString(line)}
	}
	return Message{Text: string(line)}
}

// trimLineStart is bytes.TrimLeft(line, " \t\ufeff") without its set.
func trimLineStart(line []byte) []byte {
	for len(line) > 0 {
		switch {
		case line[0] == ' ' || line[0] == '\t':
			line = line[1:]
		case bytes.HasPrefix(line, []byte("\ufeff")):
			line = line[3:]
		default:
			return line
		}
	}
	return line
}

func sharedString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// parseObject reads the common shape of a JSON input line by hand: an
// object whose values are strings with at most the usual escapes. It
// reports ok=false for anything else (numbers, null, nested values, keys
// that differ from the field names only in case, invalid UTF-8, surrogate
// escapes, text after the object), which encoding/json then reads; text
// says whether a "text" field was found. The strings share memory with b
// when shared is set and they have no escapes.
func parseObject(b []byte, shared bool) (m Message, text, ok bool) {
	i := skipSpace(b, 1)
	if i < len(b) && b[i] == '}' {
		return m, false, skipSpace(b, i+1) == len(b)
	}
	var tm string
	for {
		if i >= len(b) || b[i] != '"' {
			return m, false, false
		}
		// the key: plain ASCII without escapes
		k := i + 1
		for k < len(b) && b[k] != '"' {
			if b[k] == '\\' || b[k] < 0x20 || b[k] >= utf8.RuneSelf {
				return m, false, false
			}
			k++
		}
		if k >= len(b) {
			return m, false, false
		}
		key := b[i+1 : k]
		i = skipSpace(b, k+1)
		if i >= len(b) || b[i] != ':' {
			return m, false, false
		}
		i = skipSpace(b, i+1)
		if i >= len(b) || b[i] != '"' {
			return m, false, false
		}
		v, next, good := parseString(b, i, shared)
		if !good {
			return m, false, false
		}
		switch string(key) {
		case "text":
			m.Text, text = v, true
		case "time":
			tm = v
		case "sender":
			m.Sender = v
		case "group":
			m.Group = v
		default:
			// encoding/json matches field names in any case
			for _, f := range [...]string{"text", "time", "sender", "group"} {
				if bytes.EqualFold(key, []byte(f)) {
					return m, false, false
				}
			}
		}
		i = skipSpace(b, next)
		if i >= len(b) {
			return m, false, false
		}
		if b[i] == '}' {
			if skipSpace(b, i+1) != len(b) {
				return m, false, false
			}
			break
		}
		if b[i] != ',' {
			return m, false, false
		}
		i = skipSpace(b, i+1)
	}
	if tm != "" {
		if t, err := time.Parse(time.RFC3339Nano, tm); err == nil {
			m.Time = t
		}
	}
	return m, text, true
}

// stringStop marks the bytes that end the plain run of a JSON string: the
// closing quote, a backslash, and control characters (invalid there).
var stringStop = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// parseString reads the JSON string starting at b[i] (a quote) and returns
// it with the index after its closing quote; good is false for what
// parseObject leaves to encoding/json.
func parseString(b []byte, i int, shared bool) (s string, next int, good bool) {
	start := i + 1
	j := start
	var seen byte // all bytes or'ed: ≥ 0x80 when any is not ASCII
	for j < len(b) && !stringStop[b[j]] {
		seen |= b[j]
		j++
	}
	if j >= len(b) || b[j] < 0x20 {
		return "", 0, false
	}
	if b[j] == '"' {
		raw := b[start:j]
		if seen >= utf8.RuneSelf && !utf8.Valid(raw) {
			return "", 0, false
		}
		if shared {
			return sharedString(raw), j + 1, true
		}
		return string(raw), j + 1, true
	}
	// escapes: decode into a new string
	out := make([]byte, 0, j-start+16)
	out = append(out, b[start:j]...)
	for j < len(b) {
		c := b[j]
		switch {
		case c == '"':
			if !utf8.Valid(out) {
				return "", 0, false
			}
			return string(out), j + 1, true
		case c < 0x20:
			return "", 0, false
		case c != '\\':
			out = append(out, c)
			j++
			continue
		}
		if j+1 >= len(b) {
			return "", 0, false
		}
		switch b[j+1] {
		case '"', '\\', '/':
			out = append(out, b[j+1])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			if j+6 > len(b) {
				return "", 0, false
			}
			var r rune
			for _, h := range b[j+2 : j+6] {
				switch {
				case h >= '0' && h <= '9':
					r = r<<4 | rune(h-'0')
				case h >= 'a' && h <= 'f':
					r = r<<4 | rune(h-'a'+10)
				case h >= 'A' && h <= 'F':
					r = r<<4 | rune(h-'A'+10)
				default:
					return "", 0, false
				}
			}
			if r >= 0xD800 && r < 0xE000 {
				return "", 0, false // surrogates: encoding/json pairs or replaces them
			}
			out = utf8.AppendRune(out, r)
			j += 6
			continue
		default:
			return "", 0, false
		}
		j += 2
	}
	return "", 0, false
}
