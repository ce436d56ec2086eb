// Package redact masks personal data in the excerpts burden monitoring keeps
// of work-group messages: mobile and landline phone numbers, 18-digit
// resident ID numbers whose check digit is valid (GB 11643), bank card
// numbers that pass the Luhn check, the names of people known to the
// registry, and the name after an @ mention.
//
// Masking keeps the length in characters (runes), so offsets into the text
// stay valid: 13812345678 becomes 138****5678, 张三丰 becomes 张**.
package redact

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Mask is the character that replaces masked characters.
const Mask = '*'

// Redactor masks personal data; it is immutable and safe for concurrent use.
type Redactor struct {
	names map[rune][]string // known names by their first rune, longest first
}

// New returns a redactor that also masks the given names (people the
// registry knows: users, group owners and administrators, responsible
// persons). Names shorter than two characters are ignored: a single
// character is not a name one can find in running text.
func New(names []string) *Redactor {
	r := &Redactor{names: map[rune][]string{}}
	seen := map[string]bool{}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if utf8.RuneCountInString(n) < 2 || utf8.RuneCountInString(n) > 8 || seen[n] {
			continue
		}
		seen[n] = true
		first, _ := utf8.DecodeRuneInString(n)
		r.names[first] = append(r.names[first], n)
	}
	for k := range r.names {
		l := r.names[k]
		sort.Slice(l, func(i, j int) bool { return len(l[i]) > len(l[j]) })
	}
	return r
}

// Names reports how many names the redactor masks.
func (r *Redactor) Names() int {
	n := 0
	for _, l := range r.names {
		n += len(l)
	}
	return n
}

// Text returns s with personal data masked, rune for rune.
func (r *Redactor) Text(s string) string {
	if s == "" {
		return s
	}
	rs := []rune(s)
	changed := maskNumbers(rs)
	if r != nil && len(r.names) > 0 && r.maskNames(rs) {
		changed = true
	}
	if maskMentions(rs) {
		changed = true
	}
	if !changed {
		return s
	}
	return string(rs)
}

// Text masks with no known names.
func Text(s string) string { return (*Redactor)(nil).Text(s) }

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// digitRun is a maximal run of digits (with an optional trailing X for ID
// numbers), possibly split by single spaces or hyphens as people write card
// and phone numbers ("6222 0212 3456 7890", "0731-8888 1234").
type digitRun struct {
	start, end int   // runes [start, end)
	pos        []int // positions of the digits (and X) in the run
}

func maskNumbers(rs []rune) bool {
	changed := false
	for i := 0; i < len(rs); {
		if !isDigit(rs[i]) || i > 0 && (isDigit(rs[i-1]) || isLatin(rs[i-1])) {
			i++
			continue
		}
		run := scanRun(rs, i)
		if run.end <= i {
			i++
			continue
		}
		if maskRun(rs, run) {
			changed = true
		}
		i = run.end
	}
	return changed
}

func isLatin(r rune) bool { return r < 128 && unicode.IsLetter(r) }

// scanRun reads digits from i, allowing one space or hyphen between digit
// groups, and a final X or x (the ID check character).
func scanRun(rs []rune, i int) digitRun {
	run := digitRun{start: i}
	j := i
	for j < len(rs) {
		switch {
		case isDigit(rs[j]):
			run.pos = append(run.pos, j)
			j++
		case (rs[j] == ' ' || rs[j] == '-') && j+1 < len(rs) && isDigit(rs[j+1]) && len(run.pos) > 0:
			j++
		case (rs[j] == 'X' || rs[j] == 'x') && len(run.pos) == 17:
			run.pos = append(run.pos, j)
			j++
			run.end = j
			return run
		default:
			run.end = j
			return run
		}
	}
	run.end = j
	return run
}

// maskRun masks the numbers within a run. A run may hold one number, or
// several separated by spaces that are not one number (a date and a phone).
func maskRun(rs []rune, run digitRun) bool {
	digits := make([]rune, len(run.pos))
	for k, p := range run.pos {
		digits[k] = rs[p]
	}
	mask := func(from, to int) { // digit indexes [from, to)
		for k := from; k < to; k++ {
			rs[run.pos[k]] = Mask
		}
	}
	n := len(digits)
	switch {
	case n == 18 && ValidID(string(digits)):
		mask(6, 18) // keep the region code of issue
		return true
	case n == 11 && isMobile(digits):
		mask(3, 7)
		return true
	case n >= 16 && n <= 19 && Luhn(string(digits)):
		mask(4, n-4)
		return true
	case n >= 10 && n <= 12 && digits[0] == '0' && digits[1] != '0':
		// a landline with its area code: 0731-88881234, 010 12345678
		mask(n-8, n-4)
		return true
	case n == 8 && run.end-run.start == 8 && digits[0] >= '2':
		// a local landline number written alone (8 digits, no separators):
		// too many false hits on dates (20260301) unless it cannot be a date
		if !plausibleDate(digits) {
			mask(2, 6)
			return true
		}
	}
	// a run of groups: try each group separated by a space or hyphen
	return maskGroups(rs, run)
}

// maskGroups masks mobile numbers inside a longer run ("电话 138 1234 5678"
// stays one run; "2026-03-01 13812345678" holds a date and a mobile).
func maskGroups(rs []rune, run digitRun) bool {
	changed := false
	// walk digit groups split by separators
	var groups [][]int
	cur := []int{}
	for k, p := range run.pos {
		if k > 0 && p != run.pos[k-1]+1 {
			groups = append(groups, cur)
			cur = []int{}
		}
		cur = append(cur, p)
	}
	groups = append(groups, cur)
	if len(groups) < 2 {
		return false
	}
	for _, g := range groups {
		d := make([]rune, len(g))
		for k, p := range g {
			d[k] = rs[p]
		}
		switch {
		case len(d) == 11 && isMobile(d):
			for _, p := range g[3:7] {
				rs[p] = Mask
			}
			changed = true
		case len(d) == 18 && ValidID(string(d)):
			for _, p := range g[6:] {
				rs[p] = Mask
			}
			changed = true
		}
	}
	return changed
}

func isMobile(d []rune) bool {
	return len(d) == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9'
}

func plausibleDate(d []rune) bool {
	y := int(d[0]-'0')*1000 + int(d[1]-'0')*100 + int(d[2]-'0')*10 + int(d[3]-'0')
	m := int(d[4]-'0')*10 + int(d[5]-'0')
	day := int(d[6]-'0')*10 + int(d[7]-'0')
	return y >= 1900 && y <= 2100 && m >= 1 && m <= 12 && day >= 1 && day <= 31
}

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// ValidID reports whether s is an 18-character resident ID number whose
// check character is right (ISO 7064 MOD 11-2, GB 11643-1999).
func ValidID(s string) bool {
	if len(s) != 18 {
		return false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		sum += int(c-'0') * idWeights[i]
	}
	check := "10X98765432"[sum%11]
	last := s[17]
	if last == 'x' {
		last = 'X'
	}
	return last == check
}

// Luhn reports whether a digit string passes the Luhn check, as bank card
// numbers do.
func Luhn(s string) bool {
	if len(s) < 2 {
		return false
	}
	sum := 0
	double := false
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// maskNames masks every known name: the surname stays, the rest is masked.
func (r *Redactor) maskNames(rs []rune) bool {
	changed := false
	for i := 0; i < len(rs); i++ {
		cands := r.names[rs[i]]
		for _, name := range cands {
			n := utf8.RuneCountInString(name)
			if i+n > len(rs) || string(rs[i:i+n]) != name {
				continue
			}
			for k := i + 1; k < i+n; k++ {
				rs[k] = Mask
			}
			changed = true
			i += n - 1
			break
		}
	}
	return changed
}

// maskMentions masks the name after an @ ("@张三 请回复" → "@张* 请回复"),
// except the everyone mentions (@所有人, @全体成员, @all).
func maskMentions(rs []rune) bool {
	changed := false
	for i := 0; i < len(rs); i++ {
		if rs[i] != '@' && rs[i] != '＠' {
			continue
		}
		j := i + 1
		for j < len(rs) && j-i <= 7 && !stopsMention(rs[j]) {
			j++
		}
		if everyone(string(rs[i+1 : j])) {
			continue
		}
		end := j
		if j < len(rs) && !stopsMention(rs[j]) || j == len(rs) && j-i-1 > 4 {
			// no end in sight ("@张三请回复"): a name is mostly two characters
			end = i + 3
		}
		if end-i-1 < 2 {
			continue
		}
		for k := i + 2; k < end && k < len(rs); k++ {
			rs[k] = Mask
		}
		changed = true
		i = end - 1
	}
	return changed
}

func stopsMention(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsPunct(r) || r == '@' || r == '＠' || r == '\u2005' || unicode.IsSymbol(r)
}

func everyone(name string) bool {
	l := strings.ToLower(name)
	for _, p := range []string{"所有人", "全体成员", "全体", "all"} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}
