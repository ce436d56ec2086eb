package detect

import (
	"bytes"
	"encoding/json"
	"time"
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
func ParseLine(line []byte) Message {
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
