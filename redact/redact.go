// Package redact finds personal data in free text — phone numbers, resident
// ID numbers, bank cards, e-mail addresses, the names of known people and
// @mentions — and hides it in one of two ways: masked rune for rune in the
// excerpts burden monitoring keeps (so offsets into them stay valid), or
// replaced by placeholders in case documents, exports and published typical
// cases. One detector serves both, so what an excerpt hides and what a
// publication hides cannot drift apart.
package redact

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// MaskRune replaces each hidden character of a masked text.
const MaskRune = '*'

// Kind is a kind of personal data.
type Kind uint8

const (
	Mobile   Kind = iota + 1 // 手机号码, with or without +86
	Landline                 // 固定电话, with an area code, or alone after a word like 电话
	IDNumber                 // 身份证号码, 18 characters (15 when labelled as one)
	BankCard                 // 银行卡号, 16–19 digits passing the Luhn check
	Email                    // 电子邮箱
	Name                     // 姓名 of a person the caller knows
	Mention                  // the name after an @ in a group message
)

var labels = [...]string{Mobile: "手机号码", Landline: "固定电话", IDNumber: "身份证号码", BankCard: "银行卡号", Email: "电子邮箱", Name: "姓名", Mention: "@的人名"}

// String is the Chinese name of the kind, as shown to reviewers.
func (k Kind) String() string {
	if int(k) < len(labels) && labels[k] != "" {
		return labels[k]
	}
	return "个人信息"
}

// Kinds is a list of kinds; it prints as a Chinese list (手机号码、姓名).
type Kinds []Kind

func (ks Kinds) String() string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = k.String()
	}
	return strings.Join(s, "、")
}

// Span is one piece of personal data: the runes [Start, End) of the text.
type Span struct {
	Start, End int
	Kind       Kind
	// lead and tail count the maskable runes (digits, name characters, the
	// local part of an e-mail) that masking leaves visible at each end.
	lead, tail int
	at         int // of an e-mail: where its @ is, from Start
}

// Redactor finds and hides personal data, including the names it was
// given. It is immutable and safe for concurrent use; the nil *Redactor
// knows no names.
type Redactor struct {
	names map[rune][][]rune // by first rune, longest first
	first [1024]uint64      // bit set of the first runes below U+10000, to skip the map
	count int
}

// New returns a redactor that also finds the given names (a reporter, a
// group owner, the people the registry knows). A name must have 2 to 8
// characters and no Latin letters or digits: anything shorter or looser
// would hide ordinary words.
func New(names ...string) *Redactor {
	r := &Redactor{names: map[rune][][]rune{}}
	seen := map[string]bool{}
	for _, n := range names {
		n = strings.Map(func(c rune) rune {
			if isSpace(fold(c)) {
				return -1
			}
			return c
		}, n)
		if c := utf8.RuneCountInString(n); c < 2 || c > 8 || seen[n] || !nameLike(n) {
			continue
		}
		seen[n] = true
		rs := []rune(n)
		r.names[rs[0]] = append(r.names[rs[0]], rs)
		if rs[0] < 1<<16 {
			r.first[rs[0]>>6] |= 1 << (rs[0] & 63)
		}
		r.count++
	}
	for _, l := range r.names {
		slices.SortStableFunc(l, func(a, b []rune) int { return len(b) - len(a) })
	}
	return r
}

// nameLike refuses what is not a Chinese name: anything with ASCII (also
// full-width) letters, digits or punctuation, or with 某 (anonymised already).
func nameLike(n string) bool {
	for _, c := range n {
		f := fold(c)
		if f < 128 || c == '某' {
			return false
		}
	}
	return true
}

// Names reports how many names the redactor finds.
func (r *Redactor) Names() int {
	if r == nil {
		return 0
	}
	return r.count
}

// Spans returns the personal data in s, in order and without overlaps.
// Offsets are in runes.
func (r *Redactor) Spans(s string) []Span {
	if !r.mayHold(s) {
		return nil
	}
	return r.find([]rune(s))
}

// Mask hides the personal data in s rune for rune with MaskRune, keeping
// enough to recognise the shape: 138****5678, 110105************,
// 6222 **** **** 0128, z*******@163.com, 张**, @张*. The result has as many
// runes as s, in the same places.
func (r *Redactor) Mask(s string) string {
	if !r.mayHold(s) {
		return s
	}
	rs := []rune(s)
	spans := r.find(rs)
	if len(spans) == 0 {
		return s
	}
	for _, sp := range spans {
		m := 0
		for k := sp.Start; k < sp.End; k++ {
			if maskable(rs, sp, k) {
				m++
			}
		}
		i := 0
		for k := sp.Start; k < sp.End; k++ {
			if maskable(rs, sp, k) {
				if i >= sp.lead && i < m-sp.tail {
					rs[k] = MaskRune
				}
				i++
			}
		}
	}
	return string(rs)
}

// maskable reports whether the rune at k belongs to what a span hides, and
// not to its separators, the plus of its country code, its @ or its domain.
func maskable(rs []rune, sp Span, k int) bool {
	c := fold(rs[k])
	switch sp.Kind {
	case Name:
		return !isSpace(c)
	case Mention:
		return k > sp.Start
	case Email:
		return k < sp.Start+sp.at
	default:
		return isDigit(c) || c == 'X' || c == 'x'
	}
}

// Placeholders replaces the personal data in s for documents and
// publications: [电话], [身份证号], [银行卡号], [邮箱]; a known name keeps its
// surname (张某, 张某某, 欧阳某某), a mention becomes @某.
func (r *Redactor) Placeholders(s string) string {
	if !r.mayHold(s) {
		return s
	}
	rs := []rune(s)
	spans := r.find(rs)
	if len(spans) == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for _, sp := range spans {
		b.WriteString(string(rs[last:sp.Start]))
		switch sp.Kind {
		case Mobile, Landline:
			b.WriteString("[电话]")
		case IDNumber:
			b.WriteString("[身份证号]")
		case BankCard:
			b.WriteString("[银行卡号]")
		case Email:
			b.WriteString("[邮箱]")
		case Mention:
			b.WriteString("@某")
		case Name:
			b.WriteString(surnamed(rs[sp.Start:sp.End]))
		}
		last = sp.End
	}
	b.WriteString(string(rs[last:]))
	return b.String()
}

// compoundSurnames are the two-character surnames a placeholder keeps whole.
var compoundSurnames = []string{"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯", "轩辕", "令狐",
	"端木", "西门", "南宫", "独孤", "呼延", "闻人", "澹台", "申屠", "太史", "百里", "钟离", "万俟", "司空", "赫连", "濮阳", "公羊", "淳于", "单于", "拓跋", "完颜"}

// surnamed writes a name as its surname and 某 (one character of given
// name) or 某某 (more), the way published cases name people.
func surnamed(name []rune) string {
	var rs []rune
	for _, c := range name {
		if !isSpace(fold(c)) {
			rs = append(rs, c)
		}
	}
	n := 1
	if len(rs) >= 3 && slices.Contains(compoundSurnames, string(rs[:2])) {
		n = 2
	}
	if len(rs)-n >= 2 {
		return string(rs[:n]) + "某某"
	}
	return string(rs[:n]) + "某"
}

// Found lists the kinds of personal data in s, each once, in the order of
// the Kind constants: what a reviewer must remove before publishing.
func (r *Redactor) Found(s string) Kinds {
	var ks Kinds
	for _, sp := range r.Spans(s) {
		if !slices.Contains(ks, sp.Kind) {
			ks = append(ks, sp.Kind)
		}
	}
	slices.Sort(ks)
	return ks
}

// Mask masks s with no known names; see Redactor.Mask.
func Mask(s string) string { return (*Redactor)(nil).Mask(s) }

// Placeholders replaces personal data in s with no known names; see
// Redactor.Placeholders.
func Placeholders(s string) string { return (*Redactor)(nil).Placeholders(s) }

// Found lists the kinds of personal data in s with no known names; see
// Redactor.Found.
func Found(s string) Kinds { return (*Redactor)(nil).Found(s) }

// mayHold is a cheap first look: no digit, no @ and no known name means
// nothing to find. Full-width forms all start with the byte 0xEF in UTF-8.
func (r *Redactor) mayHold(s string) bool {
	if r != nil && r.count > 0 {
		return s != ""
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= '0' && c <= '9' || c == '@' || c == 0xEF {
			return true
		}
	}
	return false
}
