package redact

import "strings"

var englishLabels = [...]string{Mobile: "mobile number", Landline: "landline number", IDNumber: "ID number", BankCard: "bank card number", Email: "e-mail address", Name: "name", Mention: "@-mentioned name"}

// English is the English name of the kind.
func (k Kind) English() string {
	if int(k) < len(englishLabels) && englishLabels[k] != "" {
		return englishLabels[k]
	}
	return "personal data"
}

// Leak is a piece of personal data found in a text, told so a reviewer
// can find it without the telling repeating it.
type Leak struct {
	Kind  Kind
	Start int // the rune it starts at, from 0
	// Excerpt is up to radius runes either side of it, every piece of
	// personal data in them masked, on one line, … where cut.
	Excerpt string
}

// Leaks lists the personal data in s with its surroundings (radius runes
// either side), in order.
func (r *Redactor) Leaks(s string, radius int) []Leak {
	rs := []rune(s)
	if !r.mayHold(s) {
		return nil
	}
	spans := r.find(rs)
	if len(spans) == 0 {
		return nil
	}
	masked := []rune(r.Mask(s))
	out := make([]Leak, len(spans))
	for i, sp := range spans {
		a, b := max(0, sp.Start-radius), min(len(rs), sp.End+radius)
		var x strings.Builder
		if a > 0 {
			x.WriteRune('…')
		}
		x.WriteString(strings.Join(strings.Fields(string(masked[a:b])), " "))
		if b < len(rs) {
			x.WriteRune('…')
		}
		out[i] = Leak{Kind: sp.Kind, Start: sp.Start, Excerpt: x.String()}
	}
	return out
}
