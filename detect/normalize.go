package detect

import (
	"bufio"
	"bytes"
	_ "embed"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// Normalisation turns the original text into a sequence of tokens, each
// carrying a phonetic symbol that the automaton matches on and the range of
// original runes it came from. It is table-driven: one precomputed entry per
// BMP rune folds traditional and variant characters to simplified ones
// (OpenCC's single-character table, data/t2s.txt), full-width forms to
// half-width, upper to lower case, marks separators that disguise a word
// ("打 卡", "打.卡", zero-width spaces) to be dropped, and gives every
// ideograph the symbol of its toneless pinyin syllable (data/pinyin.txt), so
// that homophones ("回覆", "接垄") and pinyin written in Latin letters
// ("jie龙", "dz") land on the same symbols as the word they stand for.

//go:embed data/t2s.txt
var t2sTxt []byte

//go:embed data/pinyin.txt
var pinyinTxt []byte

// token flags
const (
	fHan      uint16 = 1 << iota // an ideograph; r is its simplified form
	fLatin                       // from a run of Latin letters (a syllable or an initial)
	fInitial                     // a lone letter standing for a syllable's initial
	fRunStart                    // first token of a Latin run
	fRunEnd                      // last token of a Latin run
	fDigit                       // ASCII digit
	fNumeral                     // digit or Chinese numeral
	fSentEnd                     // sentence boundary (。！？；and line breaks)
	fClause                      // clause boundary (，)
	fMeasure                     // a measure word or unit that follows a number (人, 份, %)
	fSingle                      // the rune is a one-character pattern
)

// kinds of a rune in the hot table (runeTok.fl, above the token flags): how
// tokenize treats it; a rune with none of them becomes one token.
const (
	kDrop   uint16 = 1 << 13
	kLetter uint16 = 1 << 14
	kExpand uint16 = 1 << 15
	tokMask        = kDrop - 1
)

// rune classes in the base table
const (
	cOther uint8 = iota
	cHan
	cLetter
	cDigit
	cDrop   // separator or mark: dropped so it cannot split a word
	cSent   // ends a sentence
	cClause // ends a clause
	cSymbol // non-letter symbol kept as its own token
	cExpand // replaced by a string (emoji → words); per-detector
)

type runeInfo struct {
	norm   rune
	sym    uint16
	class  uint8
	num    bool // Chinese numeral or digit
	meas   bool // measure word
	single bool // a one-character pattern (set per detector)
}

type token struct {
	r      rune // normalised rune; 0 for a Latin syllable
	sym    uint16
	fl     uint16
	os, oe int32 // original rune range [os, oe)
	sent   int32 // sentence index
	clause int32 // clause index (increments at sentence ends too)
}

// symbol space: 0 = other; 1..nSyl syllables; then 26 initials; then
// ASCII digits and punctuation get their own symbols.
type symbols struct {
	syl      map[string]uint16 // toneless syllable → symbol
	sylNames []string
	initial  [26]uint16
	ascii    [128]uint16
	primary  map[rune]uint16   // ideograph → primary syllable symbol
	readings map[rune][]uint16 // ideograph → all syllable symbols (primary first)
	maxSyl   int               // longest syllable in letters
	n        int               // number of symbols
}

type baseTables struct {
	syms  symbols
	runes []runeInfo // indexed by BMP rune
}

var loadBase = sync.OnceValue(buildBase)

func buildBase() *baseTables {
	b := &baseTables{}
	s := &b.syms
	s.syl = map[string]uint16{}
	s.sylNames = []string{""}
	s.primary = map[rune]uint16{}
	s.readings = map[rune][]uint16{}
	sc := bufio.NewScanner(bytes.NewReader(pinyinTxt))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		extra := line[0] == '+'
		if extra {
			line = line[1:]
		}
		syl, chars, ok := strings.Cut(line, "\t")
		if !ok {
			continue
		}
		id, ok := s.syl[syl]
		if !ok {
			id = uint16(len(s.sylNames))
			s.syl[syl] = id
			s.sylNames = append(s.sylNames, syl)
			if len(syl) > s.maxSyl {
				s.maxSyl = len(syl)
			}
		}
		for _, r := range chars {
			if !extra {
				s.primary[r] = id
			}
			s.readings[r] = append(s.readings[r], id)
		}
	}
	// primary reading first
	for r, rs := range s.readings {
		p := s.primary[r]
		for i, x := range rs {
			if x == p && i != 0 {
				rs[0], rs[i] = rs[i], rs[0]
			}
		}
	}
	n := len(s.sylNames)
	for i := range s.initial {
		s.initial[i] = uint16(n)
		n++
	}
	for c := 0x21; c < 0x7f; c++ {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			continue
		}
		s.ascii[c] = uint16(n)
		n++
	}
	s.n = n

	t2s := map[rune]rune{}
	for _, line := range strings.Split(string(t2sTxt), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		rs := []rune(line)
		if len(rs) == 2 {
			t2s[rs[0]] = rs[1]
		}
	}

	b.runes = make([]runeInfo, 0x10000)
	for r := rune(0); r < 0x10000; r++ {
		b.runes[r] = classify(r, t2s, s)
	}
	return b
}

const dropRunes = " \t\r\v\f\u00a0\u3000\u200b\u200c\u200d\u2060\ufeff\ufe0f\ufe0e\u20e3\u00ad" +
	"·•‧∙・.．_*~^|`'\"“”‘’「」『』《》〈〉【】〔〕()（）[]{}<>＜＞-—–―…⋯﹏#＃/\\、+=$"

// runBreakRunes are dropped separators that still end a run of Latin letters.
const runBreakRunes = "\"'“”‘’「」『』《》〈〉【】〔〕()（）[]{}<>＜＞"

// toneless maps pinyin vowels with tone marks (lower and upper case) to
// plain letters; ü is written v, as in the syllable table.
var toneless = func() map[rune]rune {
	m := map[rune]rune{}
	for base, vs := range map[rune]string{
		'a': "āáǎàĀÁǍÀ", 'e': "ēéěèĒÉĚÈ", 'i': "īíǐìĪÍǏÌ", 'o': "ōóǒòŌÓǑÒ",
		'u': "ūúǔùŪÚǓÙ", 'v': "ǖǘǚǜüǕǗǙǛÜ", 'n': "ńňǹ", 'm': "ḿ",
	} {
		for _, v := range vs {
			m[v] = base
		}
	}
	return m
}()

const sentRunes = "。！？；!?;\n\u2028\u2029｡"
const clauseRunes = "，,﹐"
const numeralRunes = "0123456789零〇一二两三四五六七八九十百千万半几"
const measureRunes = "人户名份个条次篇张单家位元件项%组本册套台箱斤瓶袋盒桶票"

func classify(r rune, t2s map[rune]rune, s *symbols) runeInfo {
	orig := r
	// full-width ASCII → ASCII
	if r >= 0xFF01 && r <= 0xFF5E {
		r = r - 0xFF01 + 0x21
	}
	if r >= 'A' && r <= 'Z' {
		r += 'a' - 'A'
	}
	// pinyin written with tone marks ("jiē lóng", "miǎo回") reads toneless
	if t, ok := toneless[r]; ok {
		r = t
	}
	// circled digits ①–⑨ and parenthesised/full stop digits read as digits
	switch {
	case r >= 0x2460 && r <= 0x2468:
		r = '1' + (r - 0x2460)
	case r >= 0x2474 && r <= 0x247C:
		r = '1' + (r - 0x2474)
	case r >= 0x2488 && r <= 0x2490:
		r = '1' + (r - 0x2488)
	case r >= 0x2776 && r <= 0x277E:
		r = '1' + (r - 0x2776)
	}
	if m, ok := t2s[r]; ok {
		r = m
	}
	info := runeInfo{norm: r}
	if strings.ContainsRune(numeralRunes, r) {
		info.num = true
	}
	if strings.ContainsRune(measureRunes, r) {
		info.meas = true
	}
	switch {
	case strings.ContainsRune(sentRunes, r) || strings.ContainsRune(sentRunes, orig):
		info.class = cSent
		if r < 0x80 && r > 0x20 {
			info.sym = s.ascii[r] // so a pattern may end in "!"
		}
	case strings.ContainsRune(clauseRunes, r) || strings.ContainsRune(clauseRunes, orig):
		info.class = cClause
	case strings.ContainsRune(dropRunes, r) || strings.ContainsRune(dropRunes, orig):
		info.class = cDrop
	case r >= 'a' && r <= 'z':
		info.class = cLetter
	case r >= '0' && r <= '9':
		info.class = cDigit
		info.sym = s.ascii[r]
	case r < 0x80 && r > 0x20:
		info.class = cSymbol
		info.sym = s.ascii[r]
	case s.primary[r] != 0:
		info.class = cHan
		info.sym = s.primary[r]
	case r >= 0x2E80 && r <= 0x9FFF || r >= 0xF900 && r <= 0xFAFF:
		info.class = cHan // ideograph without a reading: matches only itself via sym 0 (never)
	case r >= 0x0300 && r <= 0x036F: // combining marks
		info.class = cDrop
	default:
		info.class = cOther
	}
	return info
}

// normalizer is the per-detector view of the tables: the base table plus the
// substitutions of the rule files (emoji and any supervisor-added variants).
type normalizer struct {
	syms  *symbols
	runes []runeInfo
	// hot is what tokenize reads of runes, 8 bytes a BMP rune: the
	// normalised rune, its symbol, and its token flags with its kind
	hot    []runeTok
	expand map[rune][]runeInfo // rune → replacement
	// latin syllable lookup: letters packed 5 bits each (≤ 6 letters)
	latin map[uint32]uint16
}

type runeTok struct {
	norm rune
	sym  uint16
	fl   uint16
}

// tokFlags are the token flags of a rune of class c.
func (ri runeInfo) tokFlags() uint16 {
	var fl uint16
	switch ri.class {
	case cHan:
		fl |= fHan
	case cDigit:
		fl |= fDigit
	case cSent:
		fl |= fSentEnd
	case cClause:
		fl |= fClause
	}
	if ri.num {
		fl |= fNumeral
	}
	if ri.meas {
		fl |= fMeasure
	}
	if ri.single {
		fl |= fSingle
	}
	return fl
}

func (ri runeInfo) hot() runeTok {
	fl := ri.tokFlags()
	switch ri.class {
	case cDrop:
		fl |= kDrop
	case cLetter:
		fl |= kLetter
	case cExpand:
		fl |= kExpand
	}
	return runeTok{norm: ri.norm, sym: ri.sym, fl: fl}
}

// setSingle marks the runes that normalise to a one-character pattern.
func (n *normalizer) setSingle(r rune) {
	n.runes[r].single = true
	n.hot[r] = n.runes[r].hot()
}

func packLetters(b []byte) (uint32, bool) {
	if len(b) > 6 {
		return 0, false
	}
	var k uint32
	for _, c := range b {
		k = k<<5 | uint32(c-'a'+1)
	}
	return k, true
}

func newNormalizer(subst map[string]string) (*normalizer, error) {
	base := loadBase()
	n := &normalizer{syms: &base.syms, expand: map[rune][]runeInfo{}}
	n.runes = make([]runeInfo, len(base.runes))
	copy(n.runes, base.runes)
	n.latin = make(map[uint32]uint16, len(base.syms.syl))
	for syl, id := range base.syms.syl {
		if k, ok := packLetters([]byte(syl)); ok {
			n.latin[k] = id
		}
	}
	for from, to := range subst {
		fr := []rune(from)
		if len(fr) == 0 {
			continue
		}
		// keys may be an emoji with a variation selector: use the first rune
		key := fr[0]
		if to == "" {
			// a decoration: dropped
			if key < 0x10000 {
				n.runes[key] = runeInfo{norm: key, class: cDrop}
			} else {
				n.expand[key] = []runeInfo{{norm: key, class: cDrop}}
			}
			continue
		}
		var rep []runeInfo
		for _, r := range to {
			if r < 0x10000 {
				rep = append(rep, n.runes[r])
			} else {
				rep = append(rep, runeInfo{norm: r, class: cOther})
			}
		}
		if len(rep) == 1 && key < 0x10000 && rep[0].class != cLetter {
			n.runes[key] = rep[0]
			continue
		}
		n.expand[key] = rep
		if key < 0x10000 {
			n.runes[key] = runeInfo{norm: key, class: cExpand}
		}
	}
	n.hot = make([]runeTok, len(n.runes))
	for r := range n.runes {
		n.hot[r] = n.runes[r].hot()
	}
	return n, nil
}

func (n *normalizer) info(r rune) (runeInfo, []runeInfo) {
	if r < 0x10000 {
		ri := n.runes[r]
		if ri.class == cExpand {
			return ri, n.expand[r]
		}
		return ri, nil
	}
	if rep, ok := n.expand[r]; ok {
		return runeInfo{norm: r, class: cExpand}, rep
	}
	switch {
	case r >= 0x1F3FB && r <= 0x1F3FF, r >= 0xE0000 && r <= 0xE007F: // skin tones, tags
		return runeInfo{norm: r, class: cDrop}, nil
	case r >= 0x20000 && r <= 0x3FFFF:
		return runeInfo{norm: r, class: cHan}, nil
	}
	return runeInfo{norm: r, class: cOther}, nil
}

// tokenize appends the tokens of text to toks and returns them with the
// number of original runes. It never allocates when toks has capacity.
func (n *normalizer) tokenize(text string, toks []token) ([]token, int) {
	var (
		pos       int32 // original rune index
		sent      int32
		clause    int32
		letters   [64]byte
		letterPos [64]int32
		nl        int
	)
	hot := n.hot
	hot16 := (*[0x10000]runeTok)(hot)
	for i := 0; i < len(text); {
		if nl == 0 {
			// the common case, in a loop without calls: ASCII and
			// three-byte runes that become one token or are dropped, written
			// into room made beforehand: for the rest of the text (a rune is
			// at least a byte), or for 4,096 tokens at a time in a long one,
			// whose buffer then grows as append grows it
			if want := min(len(text)-i, 4096); cap(toks)-len(toks) < want {
				toks = slices.Grow(toks, want)
			}
			var k int
			i, k, pos, sent, clause = plainRun(text, i, toks[len(toks):cap(toks)], hot16, pos, sent, clause)
			toks = toks[:len(toks)+k]
			if i >= len(text) {
				break
			}
		}
		// decode one rune: ASCII and three-byte characters (all of CJK)
		// inline, the rest as the standard library does
		var r rune
		if c := text[i]; c < utf8.RuneSelf {
			r = rune(c)
			i++
		} else if c&0xF0 == 0xE0 && i+2 < len(text) && text[i+1]&0xC0 == 0x80 && text[i+2]&0xC0 == 0x80 &&
			(c != 0xE0 || text[i+1] >= 0xA0) && (c != 0xED || text[i+1] < 0xA0) {
			r = rune(c&0x0F)<<12 | rune(text[i+1]&0x3F)<<6 | rune(text[i+2]&0x3F)
			i += 3
		} else {
			var size int
			r, size = utf8.DecodeRuneInString(text[i:])
			i += size
		}
		var rt runeTok
		if r < 0x10000 {
			rt = hot[r]
		} else {
			ri, _ := n.info(r)
			rt = ri.hot()
		}
		switch {
		case rt.fl&(kDrop|kLetter|kExpand) == 0:
			if nl > 0 {
				toks = n.segmentLatin(letters[:nl], letterPos[:nl], toks, sent, clause)
				nl = 0
			}
			toks = append(toks, token{r: rt.norm, sym: rt.sym, fl: rt.fl, os: pos, oe: pos + 1, sent: sent, clause: clause})
			if rt.fl&fSentEnd != 0 {
				sent++
				clause++
			} else if rt.fl&fClause != 0 {
				clause++
			}
		case rt.fl&kDrop != 0:
			// a separator inside a Latin run does not end it ("d z" = "dz"),
			// but quotes and brackets do: in "下zai“XX”APP" the name is
			// no part of the syllable before it
			if nl > 0 && strings.ContainsRune(runBreakRunes, r) {
				toks = n.segmentLatin(letters[:nl], letterPos[:nl], toks, sent, clause)
				nl = 0
			}
		case rt.fl&kLetter != 0:
			if nl == len(letters) {
				toks = n.segmentLatin(letters[:nl], letterPos[:nl], toks, sent, clause)
				nl = 0
			}
			letters[nl] = byte(rt.norm)
			letterPos[nl] = pos
			nl++
		default: // kExpand
			if nl > 0 {
				toks = n.segmentLatin(letters[:nl], letterPos[:nl], toks, sent, clause)
				nl = 0
			}
			_, rep := n.info(r)
			for _, x := range rep {
				if x.class == cDrop {
					continue
				}
				if x.class == cLetter {
					// expansions into letters become initials
					x.sym = n.syms.initial[x.norm-'a']
					t := token{r: x.norm, sym: x.sym, fl: fLatin | fInitial | fRunStart | fRunEnd, os: pos, oe: pos + 1, sent: sent, clause: clause}
					toks = append(toks, t)
					continue
				}
				toks = append(toks, token{r: x.norm, sym: x.sym, fl: x.tokFlags(), os: pos, oe: pos + 1, sent: sent, clause: clause})
				switch x.class {
				case cSent:
					sent++
					clause++
				case cClause:
					clause++
				}
			}
		}
		pos++
	}
	if nl > 0 {
		toks = n.segmentLatin(letters[:nl], letterPos[:nl], toks, sent, clause)
	}
	return toks, int(pos)
}

// plainRun is tokenize's common case, a function of its own so that its
// few values stay in registers: from byte i of text it writes into buf the
// tokens of ASCII and three-byte runes that become one token or are dropped,
// and stops before any other rune, at the end of text or when buf is full.
// It returns the next byte, the number of tokens written and the counters
// after them.
//
//go:noinline
func plainRun(text string, i int, buf []token, hot *[0x10000]runeTok, pos, sent, clause int32) (int, int, int32, int32, int32) {
	k := 0
	for i < len(text) && k < len(buf) {
		var r rune
		size := 1
		if c := text[i]; c < utf8.RuneSelf {
			r = rune(c)
		} else if c&0xF0 == 0xE0 && i+2 < len(text) {
			b1, b2 := text[i+1], text[i+2]
			r = rune(c&0x0F)<<12 | rune(b1&0x3F)<<6 | rune(b2&0x3F)
			// continuation bytes, no overlong form, no surrogate
			if b1&0xC0 != 0x80 || b2&0xC0 != 0x80 || r < 0x800 || r >= 0xD800 && r <= 0xDFFF {
				break
			}
			size = 3
		} else {
			break
		}
		rt := hot[uint16(r)]
		if rt.fl&(kLetter|kExpand) != 0 {
			break
		}
		i += size
		if rt.fl&kDrop == 0 {
			buf[k] = token{r: rt.norm, sym: rt.sym, fl: rt.fl, os: pos, oe: pos + 1, sent: sent, clause: clause}
			k++
			if rt.fl&fSentEnd != 0 {
				sent++
				clause++
			} else if rt.fl&fClause != 0 {
				clause++
			}
		}
		pos++
	}
	return i, k, pos, sent, clause
}

// segmentLatin splits a run of letters into pinyin syllables, longest first;
// a letter that starts no syllable stands for an initial ("dk" = d + k), and
// so do a lone "m" and "n".
func (n *normalizer) segmentLatin(b []byte, at []int32, toks []token, sent, clause int32) []token {
	start := len(toks)
	for i := 0; i < len(b); {
		best, bestID := 0, uint16(0)
		for l := min(n.syms.maxSyl, len(b)-i); l >= 1; l-- {
			k, _ := packLetters(b[i : i+l])
			if id, ok := n.latin[k]; ok {
				best, bestID = l, id
				break
			}
		}
		// "m" and "n" alone are interjections (呣, 嗯) as syllables, but in
		// a disguise they are initials ("mshang回" = 马上回)
		if best == 1 && (b[i] == 'm' || b[i] == 'n') {
			best = 0
		}
		if best == 0 {
			toks = append(toks, token{r: rune(b[i]), sym: n.syms.initial[b[i]-'a'], fl: fLatin | fInitial, os: at[i], oe: at[i] + 1, sent: sent, clause: clause})
			i++
			continue
		}
		toks = append(toks, token{sym: bestID, fl: fLatin, os: at[i], oe: at[i+best-1] + 1, sent: sent, clause: clause})
		i += best
	}
	if len(toks) > start {
		toks[start].fl |= fRunStart
		toks[len(toks)-1].fl |= fRunEnd
	}
	return toks
}
