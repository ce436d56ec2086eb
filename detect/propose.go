package detect

import (
	"jianfu"
	"strings"
)

// Propose returns the demand categories found in any of the texts (a
// complaint's description, the channel it names), in the order first
// found, for a new case's proposed categories. A nil detector proposes
// nothing.
func (d *Detector) Propose(texts ...string) []string {
	out := []string{}
	if d == nil {
		return out
	}
	seen := map[jianfu.Category]bool{}
	for _, t := range texts {
		if strings.TrimSpace(t) == "" {
			continue
		}
		for _, c := range d.Analyze(Message{Text: t}).Categories {
			if !seen[c] {
				seen[c] = true
				out = append(out, string(c))
			}
		}
	}
	return out
}
