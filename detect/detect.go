// Package detect finds the demands of "指尖上的形式主义" (fingertip
// formalism) in work-group messages and notices: forced check-ins, reply
// chains, instant-response demands, quotas pushed down, repeated requests
// for materials, forced promotion of government apps and accounts, like and
// share quotas, and screenshots or photos demanded as proof of work.
//
// It works in three steps. Normalise: the text becomes tokens through one
// precomputed table (traditional → simplified, full-width → half-width,
// separators dropped, every ideograph and pinyin syllable mapped to a
// phonetic symbol), keeping each token's range in the original runes.
// Match: one Aho–Corasick automaton over those symbols finds every trigger
// pattern and context word, then each match is checked against the
// characters actually written (exact, pinyin, or at most a homophone).
// Decide: small rules look at the sentence around each trigger — a modal or
// an addressee (请/必须/各村/每人), a deadline, negation or a policy that
// forbids the practice, a genuine emergency, assessment linkage — and score
// the message.
//
// The rules are data: YAML files embedded from rules/, each rule citing the
// policy clause it enforces. WithRulesDir adds or overrides rules by id.
// A Detector is immutable and safe for concurrent use; it does no I/O after
// New.
package detect

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"jianfu"
	"jianfu/calendar"
)

// Severity grades a message.
type Severity string

// Severities from none to high.
const (
	SeverityNone   Severity = "none"
	SeverityLow    Severity = "low"
	SeverityMedium Severity = "medium"
	SeverityHigh   Severity = "high"
)

// Label is the Chinese name of the severity.
func (s Severity) Label() string {
	switch s {
	case SeverityLow:
		return "低"
	case SeverityMedium:
		return "中"
	case SeverityHigh:
		return "高"
	}
	return "无"
}

// Message is one work-group message or notice.
type Message struct {
	Text   string
	Time   time.Time // zero when unknown
	Sender string
	Group  string
}

// Voice says whether a text makes a demand or reports one.
type Voice string

// Voices: a work-group message or notice makes the demand; a news report,
// a complaint or a hotline work order reports or complains about it
// ("被要求每天打卡", "每周都要交", "难道不回复就是不重视?").
const (
	VoiceDemand    Voice = "demand"
	VoiceNarrative Voice = "narrative"
)

// Span marks the words of one finding, in runes of the original text, and
// whether its sentence makes the demand or reports it.
type Span struct {
	Start    int             `json:"start"`
	End      int             `json:"end"`
	Category jianfu.Category `json:"category"`
	Rule     string          `json:"rule"`
	Voice    Voice           `json:"voice"`
}

// Result is what the detector found in a message. Categories is empty (not
// nil after AnalyzeInto) when nothing was found. When Exempt is set, an
// emergency context suppressed the findings: Categories and Spans still say
// what was asked, but Severity is none and Score 0. Voice is narrative when
// every span reports a demand rather than making it (or, with no span, when
// the text reads as a report or complaint), demand otherwise.
type Result struct {
	Categories []jianfu.Category `json:"categories"`
	Severity   Severity          `json:"severity"`
	Score      float64           `json:"score"`
	Assessed   bool              `json:"assessed"`
	Offhours   bool              `json:"offhours"`
	Exempt     bool              `json:"exempt"`
	Voice      Voice             `json:"voice"`
	Spans      []Span            `json:"spans"`

	s *scratch
}

// Found reports whether the message makes a formalism demand that is not
// exempted.
func (r *Result) Found() bool { return len(r.Categories) > 0 && !r.Exempt }

// Has reports whether c is among the categories.
func (r *Result) Has(c jianfu.Category) bool {
	for _, x := range r.Categories {
		if x == c {
			return true
		}
	}
	return false
}

// Option configures New.
type Option func(*config)

type config struct {
	dir   string
	cal   *calendar.Calendar
	model bool
}

// WithRulesDir loads the *.yaml files of dir after the embedded rules: rules
// with a new id are added, rules with an existing id replace it, and lexicons
// and substitutions of the same name replace the embedded ones.
func WithRulesDir(dir string) Option { return func(c *config) { c.dir = dir } }

// WithCalendar sets the working-time calendar used for the offhours modifier
// (default: calendar.Default()).
func WithCalendar(cal *calendar.Calendar) Option { return func(c *config) { c.cal = cal } }

// Detector finds formalism demands. It is immutable after New and safe for
// concurrent use.
type Detector struct {
	norm     *normalizer
	ac       *automaton
	pats     []pattern
	rules    []compiledRule
	byID     map[string]int
	lexNames map[string]int
	lexScope []bool // message scope per lexicon
	nlex     int
	words    int // bitset words per pattern
	// cal is the working-time calendar; nil: calendar.Default() at each
	// use, so a newly loaded holiday schedule counts.
	cal    *calendar.Calendar
	files  []string
	patLex []lexBits // the first lexicons of each pattern (hit.lex)
	// pm and ptoks are what match reads of a pattern, packed: pats[i].toks
	// is ptoks[pm[i].off:pm[i].off+pm[i].n]
	pm    []patMatch
	ptoks []ptok
	outPM []patMatch // pm of each of ac.outs
	// passRules are the rules of each pattern by pass of the decision step:
	// [0] those without the aggravation requirement, [1] the rest, each in
	// the order of pattern.rules
	passRules [][2][]int32
	single    []int32        // one-token patterns by normalised BMP rune, -1 if none
	singleHi  map[rune]int32 // the same beyond the BMP
	model     *model         // the statistical layer, nil when off (modelByDefault, WithModel, WithoutModel)
}

// built-in lexicons the decision step relies on
const (
	lexModal = iota
	lexStrong
	lexNegation
	lexNegationExcept
	lexNegationAfter
	lexMention
	lexEmergency
	lexAssessment
	lexAggravator
	lexHomophoneStop
	lexTopicAfter
	lexImperative
	lexNotImperative
	lexAssessmentExcept
	lexCompound
	lexDemandFrame
	lexConditional
	lexMentionBefore
	lexNarrative
	lexNarrativeSource
	lexReported
	lexQuestion
	lexRhetorical
	lexRetracted
	lexNarrativeHabit
	lexDirectAddress
	nBuiltinLex
)

var builtinLex = [nBuiltinLex]string{"modal", "strong", "negation", "negation_except", "negation_after", "mention", "emergency", "assessment", "aggravator", "homophone_stop", "topic_after", "imperative", "not_imperative", "assessment_except", "compound", "demand_frame", "conditional", "mention_before", "narrative", "narrative_source", "reported_demand", "question", "rhetorical", "retracted_after", "narrative_habit", "direct_address"}

type ptok struct {
	r   rune
	sym uint16
	fl  uint16
}

type pattern struct {
	text     string
	toks     []ptok
	nHan     int
	lex      []uint64 // lexicon membership bitset
	rules    []int32  // rules this pattern triggers
	homoOK   bool
	initials bool
}

// patMatch is the part of a pattern that match reads for every automaton
// output.
type patMatch struct {
	pid    int32 // the pattern
	off    int32 // first token in Detector.ptoks
	n      int32 // number of tokens
	nHan   int32
	homoOK bool
	latin0 bool  // the first token is Latin
	passes uint8 // bit p: the pattern has rules for pass p (passRules)
}

type ccond struct {
	lex    int
	side   int8 // 0 any, -1 before, 1 after
	within int32
	clause bool  // same clause only
	with   int32 // lexicon that must also occur in the sentence, -1 if none
}

type compiledRule struct {
	Rule
	near, unless []ccond
	overlap      int // lexicon of NotOverlapping, -1 if none
	homo         bool
	cat          int
	index        int32
	// NextNot and PrevNot as runes
	nextNot, prevNot []rune
	// needs holds the lexicons (of the first lexInline*64) that a near
	// condition asks for: a message without one of them cannot satisfy it
	needs lexBits
}

// New builds a detector from the embedded rules and the options.
func New(opts ...Option) (*Detector, error) {
	cfg := config{model: modelByDefault}
	for _, o := range opts {
		o(&cfg)
	}
	rs, err := loadRuleSet(cfg.dir)
	if err != nil {
		return nil, err
	}
	norm, err := newNormalizer(rs.subst)
	if err != nil {
		return nil, err
	}
	d := &Detector{norm: norm, cal: cfg.cal, byID: map[string]int{}, lexNames: map[string]int{}, files: rs.files}
	if err := d.compile(rs); err != nil {
		return nil, err
	}
	if cfg.model {
		if d.model, err = d.loadModel(modelBin); err != nil {
			return nil, err
		}
	}
	return d, nil
}

type compiler struct {
	d      *Detector
	keys   map[string]int
	lexWds [][]string
}

func (d *Detector) compile(rs *ruleSet) error {
	c := &compiler{d: d, keys: map[string]int{}}
	for i, n := range builtinLex {
		d.lexNames[n] = i
		c.lexWds = append(c.lexWds, nil)
		d.lexScope = append(d.lexScope, false)
	}
	names := make([]string, 0, len(rs.lexicons))
	for n := range rs.lexicons {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		id, ok := d.lexNames[n]
		if !ok {
			id = len(c.lexWds)
			d.lexNames[n] = id
			c.lexWds = append(c.lexWds, nil)
			d.lexScope = append(d.lexScope, false)
		}
		c.lexWds[id] = rs.lexicons[n].Words
		d.lexScope[id] = rs.lexicons[n].Scope == "message"
	}
	// resolve a word list (with @refs) to a lexicon id
	anon := func(words []string) (int, error) {
		var all []string
		for _, w := range words {
			if id, ok := d.lexNames[strings.TrimPrefix(w, "@")]; ok && strings.HasPrefix(w, "@") {
				if len(words) == 1 {
					return id, nil
				}
				all = append(all, c.lexWds[id]...)
				continue
			}
			all = append(all, w)
		}
		id := len(c.lexWds)
		c.lexWds = append(c.lexWds, all)
		d.lexScope = append(d.lexScope, false)
		return id, nil
	}
	for _, r := range rs.rules {
		cr := compiledRule{Rule: r, overlap: -1, homo: r.Homophones == nil || *r.Homophones, cat: r.Category.Index(),
			nextNot: []rune(r.NextNot), prevNot: []rune(r.PrevNot)}
		for _, list := range []struct {
			in  []Condition
			out *[]ccond
		}{{r.Near, &cr.near}, {r.Unless, &cr.unless}} {
			for _, cond := range list.in {
				id, err := anon(cond.Words)
				if err != nil {
					return fmt.Errorf("rule %s: %w", r.ID, err)
				}
				side := int8(0)
				switch cond.Side {
				case "before":
					side = -1
				case "after":
					side = 1
				}
				with := -1
				if len(cond.With) > 0 {
					if with, err = anon(cond.With); err != nil {
						return fmt.Errorf("rule %s: %w", r.ID, err)
					}
				}
				*list.out = append(*list.out, ccond{lex: id, side: side, within: int32(cond.Within), clause: cond.Scope == "clause", with: int32(with)})
			}
		}
		for _, c := range cr.near {
			for _, lex := range []int{c.lex, int(c.with)} {
				if lex >= 0 && lex < lexInline*64 {
					cr.needs[lex/64] |= 1 << (lex % 64)
				}
			}
		}
		if len(r.NotOverlapping) > 0 {
			id, err := anon(r.NotOverlapping)
			if err != nil {
				return fmt.Errorf("rule %s: %w", r.ID, err)
			}
			cr.overlap = id
		}
		d.byID[r.ID] = len(d.rules)
		cr.index = int32(len(d.rules))
		d.rules = append(d.rules, cr)
	}
	d.nlex = len(c.lexWds)
	d.words = (d.nlex + 63) / 64
	for id, words := range c.lexWds {
		for _, w := range words {
			pi, err := c.pattern(w)
			if err != nil {
				return fmt.Errorf("lexicon word %q: %w", w, err)
			}
			p := &d.pats[pi]
			p.lex[id/64] |= 1 << (id % 64)
		}
	}
	for ri := range d.rules {
		r := &d.rules[ri]
		for _, w := range r.Patterns {
			pi, err := c.pattern(w)
			if err != nil {
				return fmt.Errorf("rule %s: pattern %q: %w", r.ID, w, err)
			}
			p := &d.pats[pi]
			p.rules = append(p.rules, int32(ri))
			// homophones of three characters or more by default; two-character
			// patterns only where the rule asks for it (打咔, 接垄), since
			// short homophones collide with everyday words
			if r.homo && (p.nHan >= 3 || p.nHan == 2 && r.Homophones != nil) {
				p.homoOK = true
			}
			if p.nHan >= 2 && p.nHan == len(p.toks) && len(p.toks) <= 4 {
				p.initials = true
			}
		}
	}
	// Single characters are looked up directly by their exact rune: run
	// through the phonetic automaton they would fire on every homophone
	// (请 on 清, 情, 青 …) only to be rejected.
	// They are found through a table indexed by the normalised rune; every
	// spelling that normalises to it (報 for 报) is flagged in the rune table.
	d.single = make([]int32, 0x10000)
	for i := range d.single {
		d.single[i] = -1
	}
	d.singleHi = make(map[rune]int32)
	b := newACBuilder(d.norm.syms.n)
	for pi := range d.pats {
		p := &d.pats[pi]
		if len(p.toks) == 1 {
			if r := p.toks[0].r; r < 0x10000 {
				d.single[r] = int32(pi)
			} else {
				d.singleHi[r] = int32(pi)
			}
			continue
		}
		for _, seq := range d.variants(p) {
			b.add(seq, int32(pi))
		}
	}
	for r := range d.norm.runes {
		if n := d.norm.runes[r].norm; n < 0x10000 && d.single[n] >= 0 {
			d.norm.setSingle(rune(r))
		}
	}
	d.ac = b.build()
	d.patLex = make([]lexBits, len(d.pats))
	d.pm = make([]patMatch, len(d.pats))
	d.passRules = make([][2][]int32, len(d.pats))
	for pi := range d.pats {
		p := &d.pats[pi]
		copy(d.patLex[pi][:], p.lex)
		d.pm[pi] = patMatch{pid: int32(pi), off: int32(len(d.ptoks)), n: int32(len(p.toks)), nHan: int32(p.nHan), homoOK: p.homoOK,
			latin0: p.toks[0].fl&fLatin != 0}
		d.ptoks = append(d.ptoks, p.toks...)
		for _, ri := range p.rules {
			pass := 0
			if d.rules[ri].Aggravated {
				pass = 1
			}
			d.passRules[pi][pass] = append(d.passRules[pi][pass], ri)
			d.pm[pi].passes |= 1 << pass
		}
	}
	d.outPM = make([]patMatch, len(d.ac.outs))
	for o, pid := range d.ac.outs {
		d.outPM[o] = d.pm[pid]
	}
	return nil
}

// pattern returns the index of the pattern for word, adding it if new.
func (c *compiler) pattern(word string) (int, error) {
	d := c.d
	toks, _ := d.norm.tokenize(word, nil)
	if len(toks) == 0 {
		return 0, fmt.Errorf("empty after normalisation")
	}
	var key strings.Builder
	pt := make([]ptok, 0, len(toks))
	nHan := 0
	for _, t := range toks {
		if t.sym == 0 {
			return 0, fmt.Errorf("character %q cannot be matched (punctuation or a character without a reading)", string(t.r))
		}
		if t.fl&fHan != 0 {
			nHan++
		}
		pt = append(pt, ptok{r: t.r, sym: t.sym, fl: t.fl})
		fmt.Fprintf(&key, "%d:%d,", t.sym, t.r)
	}
	if i, ok := c.keys[key.String()]; ok {
		return i, nil
	}
	i := len(d.pats)
	c.keys[key.String()] = i
	d.pats = append(d.pats, pattern{text: word, toks: pt, nHan: nHan, lex: make([]uint64, (d.nlex+63)/64)})
	return i, nil
}

// variants lists the symbol sequences that spell pattern p: every
// combination of the first two readings of its characters (at most four),
// and, for triggers of two to four characters, the sequences with one or all
// characters written as their pinyin initial ("d卡", "dz").
func (d *Detector) variants(p *pattern) [][]uint16 {
	syms := d.norm.syms
	alts := make([][]uint16, len(p.toks))
	for i, t := range p.toks {
		if t.fl&fHan != 0 {
			rs := syms.readings[t.r]
			if len(rs) > 2 {
				rs = rs[:2]
			}
			if len(rs) == 0 {
				rs = []uint16{t.sym}
			}
			alts[i] = rs
		} else {
			alts[i] = []uint16{t.sym}
		}
	}
	var out [][]uint16
	idx := make([]int, len(alts))
	for len(out) < 4 {
		seq := make([]uint16, len(alts))
		for i := range alts {
			seq[i] = alts[i][idx[i]]
		}
		out = append(out, seq)
		k := len(idx) - 1
		for ; k >= 0; k-- {
			idx[k]++
			if idx[k] < len(alts[k]) {
				break
			}
			idx[k] = 0
		}
		if k < 0 {
			break
		}
	}
	if p.initials && len(p.rules) > 0 {
		base := out[0]
		initial := func(sym uint16) uint16 {
			name := syms.sylNames[sym]
			return syms.initial[name[0]-'a']
		}
		all := make([]uint16, len(base))
		for i := range base {
			v := append([]uint16(nil), base...)
			v[i] = initial(base[i])
			out = append(out, v)
			all[i] = initial(base[i])
		}
		out = append(out, all)
	}
	return out
}

// Rule returns the rule with the given id.
func (d *Detector) Rule(id string) (Rule, bool) {
	i, ok := d.byID[id]
	if !ok {
		return Rule{}, false
	}
	return d.rules[i].Rule, true
}

// Rules returns all rules in load order.
func (d *Detector) Rules() []Rule {
	out := make([]Rule, len(d.rules))
	for i := range d.rules {
		out[i] = d.rules[i].Rule
	}
	return out
}

// Files lists the rule files the detector was built from, in load order.
func (d *Detector) Files() []string { return append([]string(nil), d.files...) }

// Analyze returns the findings for m.
func (d *Detector) Analyze(m Message) Result {
	var r Result
	d.AnalyzeInto(m, &r)
	return r
}
