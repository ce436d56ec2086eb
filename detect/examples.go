package detect

// ExampleFailure is a rule example that did not behave as written.
type ExampleFailure struct {
	Rule    string
	Text    string
	Want    bool // true: the rule should have matched
	Got     []Span
	Message string
}

// TestExamples runs every rule's examples: each Match example must produce a
// span of that rule (so its category is found, not exempted by accident),
// and no NoMatch example may produce one. It returns the failures.
func (d *Detector) TestExamples() []ExampleFailure {
	var out []ExampleFailure
	for _, r := range d.rules {
		for _, want := range []bool{true, false} {
			list := r.Examples.Match
			if !want {
				list = r.Examples.NoMatch
			}
			for _, text := range list {
				res := d.Analyze(Message{Text: text})
				got := false
				for _, ri := range res.s.fired {
					if d.rules[ri].ID == r.ID {
						got = true
					}
				}
				if got != want {
					msg := "应命中但未命中"
					if !want {
						msg = "不应命中但命中了"
					}
					out = append(out, ExampleFailure{Rule: r.ID, Text: text, Want: want, Got: res.Spans, Message: msg})
				}
			}
		}
	}
	return out
}
