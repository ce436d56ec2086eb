package redact

import (
	"slices"
	"strings"
	"unicode"
)

// The detector reads a folded copy of the text, one rune for one, and finds
// e-mails first (their local part may be a phone number), then numbers in
// the gaps between them, then mentions, then known names; each later kind
// only where no earlier one is.

// fold maps the full-width and typographic forms people type onto ASCII
// (１３９ → 139, ＠ → @, －/—/‐ → -, 　 → space), rune for rune.
func fold(c rune) rune {
	switch {
	case c < 0x80:
		return c
	case c >= 0xFF01 && c <= 0xFF5E:
		return c - 0xFEE0
	case c == 0x3000, c == 0xA0, c >= 0x2000 && c <= 0x200A, c == 0x202F, c == 0x205F:
		return ' '
	case c >= 0x2010 && c <= 0x2015, c == 0x2212, c == 0xFE58, c == 0xFE63:
		return '-'
	}
	return c
}

func isDigit(c rune) bool  { return c >= '0' && c <= '9' }
func isLetter(c rune) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isWord(c rune) bool   { return isDigit(c) || isLetter(c) || c == '_' }
func isSpace(c rune) bool  { return c == ' ' }

type finder struct {
	f      []rune
	spans  []Span
	emails int // spans[:emails] are the e-mails
	clause clause
	groups []group // of the current run of numbers
	plus   bool    // the run starts with +
	paren  bool    // the run starts with its first group in parentheses
}

// group is a run of digits [start, end), the last one maybe ending in X.
type group struct{ start, end int }

func (r *Redactor) find(rs []rune) []Span {
	d := finder{f: make([]rune, len(rs))}
	for i, c := range rs {
		d.f[i] = fold(c)
	}
	d.findEmails()
	d.emails = len(d.spans)
	lo := 0
	for k := 0; k <= d.emails; k++ {
		hi := len(d.f)
		if k < d.emails {
			hi = d.spans[k].Start
		}
		d.numbers(lo, hi)
		if k < d.emails {
			lo = d.spans[k].End
		}
	}
	d.sort()
	d.mentions(r)
	d.sort()
	if r != nil && r.count > 0 {
		d.names(r)
		d.sort()
	}
	return d.spans
}

func (d *finder) sort() {
	slices.SortFunc(d.spans, func(a, b Span) int { return a.Start - b.Start })
}

// next returns the first span ending after i (from index *si on), and
// whether i is inside it; limit is where it starts (len(f) when none).
func (d *finder) next(i int, si *int) (inside bool, limit int) {
	for *si < len(d.spans) && d.spans[*si].End <= i {
		*si++
	}
	if *si == len(d.spans) {
		return false, len(d.f)
	}
	sp := d.spans[*si]
	return sp.Start <= i, sp.Start
}

// E-mails: a local part, @, a domain of at least two labels whose last one
// starts with two letters (zs@qq.com, 13912345678@139.com, ＺＳ＠ｑｑ．ｃｏｍ).

func isLocal(c rune) bool { return isWord(c) || strings.ContainsRune(".%+-", c) }

func (d *finder) findEmails() {
	f := d.f
	last := 0
	for i := 0; i < len(f); i++ {
		if f[i] != '@' {
			continue
		}
		a := i
		for a > last && isLocal(f[a-1]) {
			a--
		}
		for a < i && f[a] == '.' {
			a++
		}
		if a == i || f[i-1] == '.' {
			continue
		}
		end := domainEnd(f, i+1)
		if end < 0 {
			continue
		}
		d.spans = append(d.spans, Span{Start: a, End: end, Kind: Email, lead: min(1, i-a-1), at: i - a})
		last, i = end, end-1
	}
}

// domainEnd returns where the domain from j ends, or -1. The last label
// ends with its letters, so "qq.com13912345678" leaves the number out.
func domainEnd(f []rune, j int) int {
	end, labels := -1, 0
	for {
		s := j
		for j < len(f) && (isLetter(f[j]) || isDigit(f[j]) || f[j] == '-') {
			j++
		}
		if j == s {
			return end
		}
		labels++
		letters := 0
		for s+letters < j && isLetter(f[s+letters]) {
			letters++
		}
		if j+1 < len(f) && f[j] == '.' && (isLetter(f[j+1]) || isDigit(f[j+1])) {
			if labels >= 2 && letters == j-s && letters >= 2 {
				end = j
			}
			j++
			continue
		}
		if labels >= 2 && letters >= 2 {
			end = s + letters
		}
		return end
	}
}

// Numbers: a run is digit groups joined by a space, a hyphen or a dot (or
// two of them, as in "0571 - 8765"), maybe opened by + or a parenthesised
// area code. A run may hold several numbers ("2026-03-01 13912345678"), so
// each stretch of groups is tried, longest first.

// maxGroups is the most groups one number is written in (a 19-digit card
// in fives: 6222 0212 3456 7890 128; +86 571 8765 4321).
const maxGroups = 6

func (d *finder) numbers(lo, hi int) {
	for i := lo; i < hi; {
		if !d.startsNumber(i, lo, hi) {
			i++
			continue
		}
		end := d.run(i, hi)
		d.segment(i, end, hi)
		i = max(end, i+1)
	}
}

// startsNumber reports whether a number may start at i: a digit (or +, or
// an opening parenthesis before one) not glued to a word on its left, as
// in case numbers (JF2026-000123), filing numbers (390102B202600017),
// tracking codes (K7QM-4XPR) and identifiers in links. "Tel13912345678" is
// a phone all the same.
func (d *finder) startsNumber(i, lo, hi int) bool {
	f := d.f
	j := i
	if f[j] == '(' && j+1 < hi {
		j++
	}
	if f[j] == '+' && j+1 < hi {
		j++
	}
	if !isDigit(f[j]) {
		return false
	}
	if j > i {
		return true // ( and + open a number whatever precedes them
	}
	// before lo, or in the number found last, is a boundary too: a
	// placeholder will stand there
	if n := len(d.spans); n > d.emails {
		lo = max(lo, d.spans[n-1].End)
	}
	p := i - 1
	if p < lo {
		return true
	}
	if isWord(f[p]) {
		return d.telWord(p, lo)
	}
	return !((f[p] == '-' || f[p] == '.') && p-1 >= lo && isWord(f[p-1]))
}

var telWords = []string{"tel", "phone", "mobile", "mob", "cell", "call"}

func (d *finder) telWord(p, lo int) bool {
	k := p
	for k >= lo && isLetter(d.f[k]) && p-k < 6 {
		k--
	}
	if k >= lo && isWord(d.f[k]) {
		return false
	}
	return slices.Contains(telWords, strings.ToLower(string(d.f[k+1:p+1])))
}

func sepEnd(f []rune, j, hi int) int {
	k := j
	if k < hi && f[k] == ' ' {
		k++
	}
	if k < hi && (f[k] == '-' || f[k] == '.') {
		k++
		if k < hi && f[k] == ' ' {
			k++
		}
	}
	return k
}

// run reads the groups of the run starting at i and returns its end.
func (d *finder) run(i, hi int) int {
	f := d.f
	d.groups, d.plus, d.paren = d.groups[:0], false, false
	j := i
	open := f[j] == '('
	if open {
		j++
	}
	if f[j] == '+' {
		d.plus = true
		j++
	}
	for j < hi && isDigit(f[j]) {
		s := j
		for j < hi && isDigit(f[j]) {
			j++
		}
		if j < hi && (f[j] == 'X' || f[j] == 'x') && (j+1 >= hi || !isWord(f[j+1])) {
			j++ // the check character of an ID number ends the run
			d.groups = append(d.groups, group{s, j})
			return j
		}
		d.groups = append(d.groups, group{s, j})
		if open && len(d.groups) == 1 && j < hi && f[j] == ')' {
			d.paren = true
			j++
			k := j
			if k < hi && (f[k] == ' ' || f[k] == '-') {
				k++
			}
			if k < hi && isDigit(f[k]) {
				j = k
				continue
			}
			return j
		}
		if k := sepEnd(f, j, hi); k > j && k < hi && isDigit(f[k]) {
			j = k
			continue
		}
		break
	}
	return j
}

// segment finds the numbers in the run [start, end).
func (d *finder) segment(start, end, hi int) {
	gs := d.groups
	if n := len(gs); n > 0 && gs[n-1].end == end && end < hi && isLetter(d.f[end]) {
		gs = gs[:n-1] // glued to a word on the right: 20260301A, 390102B…
	}
	for a := 0; a < len(gs); {
		b := min(len(gs), a+maxGroups)
		for ; b > a; b-- {
			if sp, ok := d.number(gs, a, b, start); ok {
				d.spans = append(d.spans, sp)
				break
			}
		}
		if b > a {
			a = b
		} else {
			a++
		}
	}
}

// number classifies the groups [a, b) of a run as one number.
func (d *finder) number(gs []group, a, b, runStart int) (Span, bool) {
	var buf [21]rune
	var lay [maxGroups]int
	n := 0
	for k, g := range gs[a:b] {
		l := g.end - g.start
		if n+l > len(buf) {
			return Span{}, false
		}
		copy(buf[n:], d.f[g.start:g.end])
		n += l
		lay[k] = l
	}
	digits, layout := buf[:n], lay[:b-a]
	if n < 7 {
		return Span{}, false
	}
	sp := Span{Start: gs[a].start, End: gs[b-1].end}
	if a == 0 && (d.paren || d.plus) {
		sp.Start = runStart
	}
	prefix := 0 // digits of a country code
	if a == 0 && d.plus {
		if digits[0] != '8' || digits[1] != '6' {
			return Span{}, false
		}
		prefix = 2
	} else if n == 13 && len(layout) == 1 && string(digits[:3]) == "861" {
		prefix = 2 // 8613912345678
	}
	var restLay [maxGroups]int
	rest, restLayout := digits[prefix:], restLay[:copy(restLay[:], layout)]
	if restLayout[0] -= prefix; restLayout[0] == 0 {
		restLayout = restLayout[1:]
	}
	if len(rest) == 0 {
		return Span{}, false
	}
	if c := rest[len(rest)-1]; c == 'X' || c == 'x' {
		if prefix == 0 && d.isID(rest, sp.Start) {
			sp.Kind, sp.lead = IDNumber, 6
			return sp, true
		}
		return Span{}, false
	}
	switch {
	case prefix == 0 && d.isID(rest, sp.Start):
		sp.Kind, sp.lead = IDNumber, 6
	case isMobile(rest) && slices.ContainsFunc(mobileLayouts, func(l []int) bool { return slices.Equal(l, restLayout) }):
		sp.Kind, sp.lead, sp.tail = Mobile, prefix+3, 4
	case prefix == 0 && len(rest) >= 16 && len(rest) <= 19 && cardLayout(restLayout) && cardIssuer(rest) && Luhn(string(rest)):
		sp.Kind, sp.lead, sp.tail = BankCard, 4, 4
	default:
		area, ok := landline(rest, restLayout, prefix > 0)
		switch {
		case ok:
			sp.Kind, sp.lead, sp.tail = Landline, prefix+area, 4
		case prefix == 0 && localLayout(rest, restLayout) && !(len(rest) == 8 && plausibleDate(rest)) && d.labelled(sp.Start, phoneLabel):
			sp.Kind, sp.lead, sp.tail = Landline, 2, 2
		default:
			return Span{}, false
		}
	}
	return sp, true
}

var mobileLayouts = [][]int{{11}, {3, 4, 4}, {3, 8}, {7, 4}}

func isMobile(d []rune) bool {
	return len(d) == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9'
}

// cardLayout: one group, or groups of four with a shorter last one.
func cardLayout(l []int) bool {
	for k, n := range l {
		if k < len(l)-1 && n != 4 || k == len(l)-1 && len(l) > 1 && (n < 1 || n > 4) {
			return false
		}
	}
	return true
}

// cardIssuer accepts the issuer ranges of cards in use in China (UnionPay
// 62, 9…; Visa 4; Mastercard 51–55 and 2221–2720; JCB and Amex 3), and so
// turns away order numbers that start with a year.
func cardIssuer(d []rune) bool {
	switch d[0] {
	case '3', '4', '5', '6', '9':
		return true
	case '2':
		p := string(d[:4])
		return p >= "2221" && p <= "2720"
	}
	return false
}

// landline recognises a number with its area code (010, 02x, 0xxx) and a
// local number of 7 or 8 digits not starting with 0 or 1: 0571-87654321,
// (0571)8765-4321, 0571 8765 4321, +86 571 8765 4321 (where the 0 is left
// out). area is how many digits of the area code are written.
func landline(d []rune, layout []int, international bool) (area int, ok bool) {
	code := string(d[:min(len(d), 4)])
	if international && d[0] != '0' {
		code = "0" + code // +86 571…: the trunk 0 is not written
	}
	switch {
	case strings.HasPrefix(code, "010") || strings.HasPrefix(code, "02"):
		area = 3
	case len(code) >= 2 && code[0] == '0' && code[1] >= '3' && code[1] <= '9':
		area = 4
	default:
		return 0, false
	}
	if international && d[0] != '0' {
		area--
	}
	local := d[area:]
	if len(local) < 7 || len(local) > 8 || local[0] < '2' {
		return 0, false
	}
	switch {
	case len(layout) == 1:
	case layout[0] == area && localLayout(local, layout[1:]):
	default:
		return 0, false
	}
	return area, true
}

// localLayout accepts a local number written whole or split once.
func localLayout(d []rune, layout []int) bool {
	if len(d) < 7 || len(d) > 8 || d[0] < '2' {
		return false
	}
	switch len(layout) {
	case 1:
		return true
	case 2:
		return layout[1] == 4 || layout[0] == 4
	}
	return false
}

// isID recognises a resident ID number: 18 characters with a birth date and
// a right check character, or a mistyped check character (or the old 15
// digits) when a word like 身份证 introduces it.
func (d *finder) isID(s []rune, start int) bool {
	if len(s) != 18 && len(s) != 15 || s[0] < '1' || s[0] > '8' {
		return false
	}
	if len(s) == 15 {
		return birthDate(append([]rune("19"), s[6:12]...)) && d.labelled(start, idLabel)
	}
	if !birthDate(s[6:14]) {
		return false
	}
	return ValidID(string(s)) || d.labelled(start, idLabel)
}

// Words that announce a number which alone would be too ambiguous.
const (
	idLabel uint8 = 1 << iota
	phoneLabel
)

var labelWords = []struct {
	word []rune
	flag uint8
}{
	{[]rune("电话"), phoneLabel}, {[]rune("手机"), phoneLabel}, {[]rune("座机"), phoneLabel}, {[]rune("联系"), phoneLabel},
	{[]rune("致电"), phoneLabel}, {[]rune("拨打"), phoneLabel}, {[]rune("来电"), phoneLabel}, {[]rune("热线"), phoneLabel},
	{[]rune("tel"), phoneLabel}, {[]rune("phone"), phoneLabel},
	{[]rune("身份证"), idLabel}, {[]rune("证件号"), idLabel}, {[]rune("身份号码"), idLabel}, {[]rune("公民身份"), idLabel},
}

// clause is what the detector has read of the current clause, for
// labelled; it only moves forward, so reading a text stays linear.
type clause struct {
	cur    int     // runes before cur are read
	ei, ni int     // the next e-mail and number spans to pass over
	buf    []rune  // the clause so far, lower-cased
	flags  []uint8 // flags[i]: the labels in buf[:i+1]
}

// labelled reports whether a word announces the number at start within its
// clause (电话 87654321, 身份证 + a mistyped ID number). The clause ends at
// punctuation; the personal data found before the number and anything in
// brackets are passed over, so that replacing them with placeholders
// ([电话]) neither hides a word nor adds one.
func (d *finder) labelled(start int, want uint8) bool {
	c := &d.clause
	for k := c.cur; k < start; k++ {
		if end := d.skip(k); end > k {
			k = end - 1
			continue
		}
		r := d.f[k]
		switch {
		case strings.ContainsRune(",;!?、。\n\r", r):
			c.buf, c.flags = c.buf[:0], c.flags[:0]
			continue
		case r == ']': // drop back to its [, or the whole clause
			o := len(c.buf) - 1
			for o >= 0 && c.buf[o] != '[' {
				o--
			}
			o = max(o, 0)
			c.buf, c.flags = c.buf[:o], c.flags[:o]
			continue
		}
		if isLetter(r) {
			r |= 0x20
		}
		c.buf = append(c.buf, r)
		var fl uint8
		if n := len(c.flags); n > 0 {
			fl = c.flags[n-1]
		}
		for _, w := range labelWords {
			if len(c.buf) >= len(w.word) && slices.Equal(c.buf[len(c.buf)-len(w.word):], w.word) {
				fl |= w.flag
			}
		}
		c.flags = append(c.flags, fl)
	}
	c.cur = max(c.cur, start)
	n := len(c.flags)
	return n > 0 && c.flags[n-1]&want != 0
}

// skip returns the end of the span found so far that holds k, or k.
func (d *finder) skip(k int) int {
	c := &d.clause
	c.ni = max(c.ni, d.emails)
	for c.ei < d.emails && d.spans[c.ei].End <= k {
		c.ei++
	}
	if c.ei < d.emails && d.spans[c.ei].Start <= k {
		return d.spans[c.ei].End
	}
	for c.ni < len(d.spans) && d.spans[c.ni].End <= k {
		c.ni++
	}
	if c.ni < len(d.spans) && d.spans[c.ni].Start <= k {
		return d.spans[c.ni].End
	}
	return k
}

// Known names, also with spaces between their characters (李  娜, as
// two-character names are padded to line up with three).

func (d *finder) names(r *Redactor) {
	f := d.f
	found := d.spans
	si := 0
	for i := 0; i < len(f); i++ {
		inside, limit := d.next(i, &si)
		if inside {
			i = d.spans[si].End - 1
			continue
		}
		if end, ok := r.nameAt(f, i, limit); ok {
			found = append(found, Span{Start: i, End: end, Kind: Name, lead: 1})
			i = end - 1
		}
	}
	d.spans = found
}

// nameAt returns the end of the known name at i, if one starts there.
func (r *Redactor) nameAt(f []rune, i, limit int) (int, bool) {
	if r == nil {
		return 0, false
	}
	c := f[i]
	if c < 1<<16 && r.first[c>>6]&(1<<(c&63)) == 0 {
		return 0, false
	}
	for _, name := range r.names[c] {
		if end, ok := matchName(f, i, limit, name); ok {
			return end, true
		}
	}
	return 0, false
}

func matchName(f []rune, i, limit int, name []rune) (int, bool) {
	k := i + 1
	for _, c := range name[1:] {
		for sp := 0; sp < 2 && k < limit && f[k] == ' '; sp++ {
			k++
		}
		if k >= limit || f[k] != c {
			return 0, false
		}
		k++
	}
	return k, true
}

// Mentions: the name after @ in a group message. A Chinese name is a known
// name, or runs to the next space or punctuation, or is taken as two
// characters when nothing ends it (@张三请回复) or Latin letters or digits
// follow (@张三13912345678); a Latin one runs over letters and digits. @所有人 and the like name nobody; a name starting
// with 某 is already anonymous.

func (d *finder) mentions(r *Redactor) {
	f := d.f
	found := d.spans
	si := 0
	for i := 0; i < len(f); i++ {
		inside, limit := d.next(i, &si)
		if inside {
			i = d.spans[si].End - 1
			continue
		}
		if f[i] != '@' || i+1 >= limit {
			continue
		}
		if i > 0 && (isWord(f[i-1]) || strings.ContainsRune(".%+-*/]某", f[i-1])) {
			continue // an address, a link, or what follows redacted data
		}
		c := f[i+1]
		j := i + 1
		end := 0
		switch {
		case isLetter(c):
			for j < len(f) && (isWord(f[j]) || f[j] == '.' || f[j] == '-') {
				j++
			}
			for f[j-1] == '.' || f[j-1] == '-' {
				j--
			}
			if j-i-1 > 32 {
				i = j - 1 // too long for a name
				continue
			}
			end = j
		case unicode.IsLetter(c) && c != '某':
			for j < len(f) && j-i <= 7 && !stopsMention(f[j]) && !isWord(f[j]) {
				j++
			}
			end = j
			if j < len(f) && !stopsMention(f[j]) || j == len(f) && j-i-1 > 4 {
				end = min(i+3, j) // nothing ends it: a name is mostly two characters
			}
			if k, ok := r.nameAt(f, i+1, limit); ok {
				end = k
			}
		default:
			continue
		}
		if everyone(f[i+1 : j]) {
			continue
		}
		end = min(end, limit)
		if end-i-1 < 2 {
			continue
		}
		found = append(found, Span{Start: i, End: end, Kind: Mention, lead: 1})
		i = end - 1
	}
	d.spans = found
}

func stopsMention(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
}

func everyone(name []rune) bool {
	l := strings.ToLower(string(name))
	for _, p := range []string{"所有人", "全体成员", "全体", "all", "everyone"} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}
