package jianfu

import (
	"strings"
	"unicode/utf8"
)

// CleanText removes from a text a user typed the characters that hide or
// reorder what a reader sees: NUL and the other control characters (tab
// and line breaks kept), bidirectional embeddings, overrides, isolates and
// marks (U+202E turns "gpj.exe" around), and zero-width characters (which
// also split words past the detector: 接\u200b龙). Invalid UTF-8 becomes
// U+FFFD. Every text input passes through it before anything checks or
// stores it: the web's form and JSON readers, Open311 and the cells of
// imported files (tabular).
func CleanText(s string) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, hiddenRune) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if hiddenRune(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

func hiddenRune(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return false
	case r < 0x20 || r >= 0x7f && r < 0xa0: // C0 (NUL included), DEL, C1
		return true
	case r >= 0x200b && r <= 0x200f: // zero-width space, non-joiner, joiner; LRM, RLM
		return true
	case r >= 0x202a && r <= 0x202e: // embeddings and overrides
		return true
	case r >= 0x2060 && r <= 0x2064: // word joiner, invisible operators
		return true
	case r >= 0x2066 && r <= 0x2069: // isolates
		return true
	}
	return r == 0xfeff || r == 0x061c || r == 0x180e // BOM / zero-width no-break space, Arabic letter mark, Mongolian vowel separator
}
