package jianfu

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Personal data patterns: ID-card numbers (18 digits, the last may be X,
// or the old 15), mobile numbers (11 digits from 13–19), landlines with an
// area code, e-mail addresses. Digits that run on are not cut out of a
// longer number.
var (
	reIDCard   = regexp.MustCompile(`(^|[^0-9])([1-9][0-9]{5}(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]|[1-9][0-9]{14})([^0-9Xx]|$)`)
	reMobile   = regexp.MustCompile(`(^|[^0-9])(?:\+?86[- ]?)?(1[3-9][0-9][- ]?[0-9]{4}[- ]?[0-9]{4})([^0-9]|$)`)
	reLandline = regexp.MustCompile(`(^|[^0-9])(0[1-9][0-9]{1,2}[- ]?[2-9][0-9]{6,7})([^0-9]|$)`)
	reEmail    = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
)

// Redact hides personal data in text for anything shown beyond the people
// who handle a case: ID-card numbers, phone numbers and e-mail addresses
// become placeholders, and each of the given names (of the reporter, of a
// group owner, of a responsible person) becomes its surname and 某.
func Redact(text string, names ...string) string {
	text = replaceKeepingEdges(reIDCard, text, "[身份证号]")
	text = replaceKeepingEdges(reMobile, text, "[电话]")
	text = replaceKeepingEdges(reLandline, text, "[电话]")
	text = reEmail.ReplaceAllString(text, "[邮箱]")
	for _, n := range names {
		n = strings.TrimSpace(n)
		if utf8.RuneCountInString(n) < 2 {
			continue
		}
		r, _ := utf8.DecodeRuneInString(n)
		text = strings.ReplaceAll(text, n, string(r)+strings.Repeat("某", min(2, utf8.RuneCountInString(n)-1)))
	}
	return text
}

// replaceKeepingEdges replaces group 2 of each match, keeping the
// boundary characters of groups 1 and 3. Matches that share a boundary are
// caught by running until nothing changes.
func replaceKeepingEdges(re *regexp.Regexp, text, with string) string {
	for i := 0; i < 4; i++ {
		next := re.ReplaceAllString(text, "${1}"+with+"${3}")
		if next == text {
			break
		}
		text = next
	}
	return text
}

// PersonalDataIn lists, in Chinese, the kinds of personal data still in
// text (and which of the given names occur), so a typical case is not
// published with any.
func PersonalDataIn(text string, names ...string) []string {
	var found []string
	if reIDCard.MatchString(text) {
		found = append(found, "身份证号")
	}
	if reMobile.MatchString(text) || reLandline.MatchString(text) {
		found = append(found, "电话号码")
	}
	if reEmail.MatchString(text) {
		found = append(found, "电子邮箱")
	}
	for _, n := range names {
		if n = strings.TrimSpace(n); utf8.RuneCountInString(n) >= 2 && strings.Contains(text, n) {
			found = append(found, "姓名“"+n+"”")
		}
	}
	return found
}
