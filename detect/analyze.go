package detect

import (
	"math"

	"jianfu"
	"jianfu/calendar"
)

type hit struct {
	pat    int32
	ts, te int32 // token range, inclusive
	sent   int32 // sentence of the first token
	homo   uint8 // characters written as a different homophone
	latin  uint8 // characters written in Latin letters
	shadow bool  // a single character inside a word of the "compound" lexicon
	// passes has bit p set when the pattern has rules for pass p of the
	// decision step (Detector.passRules)
	passes uint8
	// lex holds the pattern's first lexicons (see lexBits) while matching;
	// after it, only those that count for inLex: none for a homophone or a
	// shadowed character. The decision step asks about lexicons of every
	// hit many times, and this keeps the answer in the hit itself.
	lex lexBits
}

// lexBits is a bitset of the first lexInline*64 lexicons; lexicons beyond
// (many rule files adding lexicons) are looked up in the pattern.
type lexBits [lexInline]uint64

const lexInline = 5

type scratch struct {
	toks      []token
	hits      []hit
	sentStart []int32
	fired     []int32 // rules accepted, in order (for rule examples)
	ev        []matchEvent
}

// matchEvent is a token where match has something to check: a one-character
// pattern (st < 0) or an automaton state with outputs.
type matchEvent struct {
	tok, st int32
}

// analysis holds the state of one AnalyzeInto call.
type analysis struct {
	d      *Detector
	toks   []token
	hits   []hit
	sents  []int32 // first token of each sentence, plus len(toks)
	header bool    // the first sentence is a short address line with a modal ("各村:")
	// present is the union of the hits' lexicon bits: a question about a
	// lexicon no word of the message belongs to is answered at once
	present lexBits
	passes  uint8 // the union of the hits' passes
	weight  [len(jianfu.Categories)]float64
	// weighted: some weight is above 0 (a span with a positive weight was
	// added); the statistical layer sets weights of its own
	weighted bool
	r        *Result
}

// AnalyzeInto is Analyze that reuses r's slices and internal buffers: with a
// Result reused across calls it does not allocate.
func (d *Detector) AnalyzeInto(m Message, r *Result) {
	if r.s == nil {
		r.s = &scratch{}
	}
	s := r.s
	r.Categories = r.Categories[:0]
	if r.Categories == nil {
		r.Categories = make([]jianfu.Category, 0, 8)
	}
	r.Spans = r.Spans[:0]
	if r.Spans == nil {
		r.Spans = make([]Span, 0, 8)
	}
	r.Severity = SeverityNone
	r.Score = 0
	r.Assessed, r.Offhours, r.Exempt = false, false, false
	r.Voice = VoiceDemand

	s.fired = s.fired[:0]
	s.toks, _ = d.norm.tokenize(m.Text, s.toks[:0])
	a := analysis{d: d, toks: s.toks, r: r}
	a.match(&s.hits)
	a.hits = s.hits
	// sentences are numbered from 0 without gaps (each token after a
	// sentence end starts the next), so the first token of each is found
	// going backwards
	nsent := 0
	if len(s.toks) > 0 {
		nsent = int(s.toks[len(s.toks)-1].sent) + 1
	}
	ss := s.sentStart
	if cap(ss) < nsent+1 {
		ss = make([]int32, nsent+1, 2*nsent+8)
	}
	ss = ss[:nsent+1]
	for i, toks := len(s.toks)-1, s.toks; i >= 0; i-- {
		ss[toks[i].sent] = int32(i)
	}
	ss[nsent] = int32(len(s.toks))
	s.sentStart = ss
	a.sents = ss

	if !m.Time.IsZero() && !d.calendar().IsWorkingTime(m.Time) {
		r.Offhours = true
	}
	if a.narrativeIn(-1) {
		r.Voice = VoiceNarrative
	}
	triggers := a.passes != 0
	if !triggers && d.model == nil {
		return
	}
	// assessment linkage (an assessment word that is not negated) is worked
	// out when first needed: most messages with a trigger word find nothing
	assessedMemo := -1
	isAssessed := func() bool {
		if assessedMemo < 0 {
			assessedMemo = 0
			for i := range a.hits {
				h := &a.hits[i]
				if a.inLex(h, lexAssessment) && !a.negated(h) && !a.overlappedBy(h, lexAssessmentExcept) {
					assessedMemo = 1
					break
				}
			}
		}
		return assessedMemo == 1
	}
	if triggers {
		if len(a.sents) > 2 && a.sents[1]-a.sents[0] <= 12 {
			for i := range a.hits {
				h := &a.hits[i]
				if a.toks[h.ts].sent == 0 && (a.inLex(h, lexModal) || a.inLex(h, lexStrong)) {
					a.header = true
				}
			}
		}
		// pass 1: rules without the aggravation requirement; pass 2: the rest,
		// which may lean on pass-1 findings in the same sentence.
		for pass := 0; pass < 2; pass++ {
			if a.passes&(1<<pass) == 0 {
				continue
			}
			for i := range a.hits {
				h := &a.hits[i]
				if h.passes&(1<<pass) == 0 {
					continue
				}
				for _, ri := range d.passRules[h.pat][pass] {
					cr := &d.rules[ri]
					if a.accept(h, cr) && (pass == 0 || a.aggravated(h, isAssessed())) {
						a.addSpan(h, cr)
					}
				}
			}
		}
	}
	found := a.weighted
	if d.model != nil {
		a.consult(d.model, found)
	}
	if !found && d.model == nil {
		return
	}
	for c, w := range a.weight {
		if w > 0 {
			r.Categories = append(r.Categories, jianfu.Categories[c])
			r.Score += w
			found = true
		}
	}
	if !found {
		return
	}
	a.sortSpans()
	r.Voice = VoiceNarrative
	for i := range r.Spans {
		if r.Spans[i].Voice == VoiceDemand {
			r.Voice = VoiceDemand
			break
		}
	}
	r.Assessed = isAssessed()
	for i := range a.hits {
		h := &a.hits[i]
		if a.inLex(h, lexEmergency) && !a.negated(h) {
			r.Exempt = true
			break
		}
	}
	if r.Assessed {
		r.Score *= 1.5
	}
	if r.Offhours {
		r.Score++
	}
	r.Score = math.Round(r.Score*100) / 100
	switch {
	case r.Exempt:
		r.Score = 0
		r.Severity = SeverityNone
	case r.Score >= 4:
		r.Severity = SeverityHigh
	case r.Score >= 2.5:
		r.Severity = SeverityMedium
	default:
		r.Severity = SeverityLow
	}
}

// match runs the automaton over the tokens and keeps the matches that the
// written characters support.
func (a *analysis) match(out *[]hit) {
	d := a.d
	toks := a.toks
	// First the automaton alone, noting the tokens that are a one-character
	// pattern and the states with outputs: a loop with few live values and
	// no call on the dense rows, so that they stay in registers.
	ev := a.r.s.ev
	if cap(ev) < 2*len(toks) {
		ev = make([]matchEvent, 2*len(toks))
	}
	ev = ev[:cap(ev)]
	n, nout := 0, 0
	{
		ac := d.ac
		st := int32(0)
		dense, ncol, nDense, col := ac.dense, ac.ncol, ac.nDense, ac.col
		for i := range toks {
			t := &toks[i]
			if t.fl&fSingle != 0 {
				ev[n] = matchEvent{tok: int32(i), st: -1}
				n++
			}
			// st is a transition: the state << 1 | whether it has outputs
			if c, s := col[t.sym], st>>1; s < nDense {
				st = dense[s*ncol+int32(c)]
			} else {
				st = ac.step(s, c)
			}
			if st&1 != 0 {
				ev[n] = matchEvent{tok: int32(i), st: st >> 1}
				n++
				nout++
			}
		}
	}
	a.r.s.ev = ev
	ev = ev[:n]
	// then the matches, checked against the characters written, into room
	// made beforehand: when the most outputs a state has at every event
	// might not fit, the outputs are counted
	hits := *out
	if need := nout*int(d.ac.maxOut) + n; cap(hits) < need {
		need = n - nout
		for _, e := range ev {
			if e.st >= 0 {
				need += int(d.ac.state[e.st+1].out - d.ac.state[e.st].out)
			}
		}
		if cap(hits) < need {
			hits = make([]hit, need, need+need/2)
		}
	}
	hits = hits[:d.verify(toks, ev, hits[:cap(hits)])]
	// shorter words inside compound words are shadowed ("回" in 回去,
	// "记录" in 记录仪)
	for i := range hits {
		x := &hits[i]
		if x.te > x.ts && x.lex.has(lexCompound) {
			for j := range hits {
				y := &hits[j]
				if y.ts >= x.ts && y.te <= x.te && y.te-y.ts < x.te-x.ts {
					y.shadow = true
				}
			}
		}
	}
	// homophone matches that are really another common word ("恢复" is not
	// "回复") are dropped
	homo := false
	for i := range hits {
		if hits[i].homo > 0 {
			homo = true
			break
		}
	}
	if !homo {
		*out = a.contextBits(hits)
		return
	}
	n = 0
	for i := range hits {
		h := &hits[i]
		if h.homo > 0 {
			stop := false
			for j := range hits {
				x := &hits[j]
				if x.homo == 0 && x.latin == 0 && x.ts <= h.te && x.te >= h.ts && x.lex.has(lexHomophoneStop) {
					stop = true
					break
				}
			}
			if stop {
				continue
			}
		}
		hits[n] = *h
		n++
	}
	*out = a.contextBits(hits[:n])
}

// verify writes to hits the matches of the events ev that the characters
// written support, in order, and returns how many; hits must have room for
// every output of every event. A function of its own, so that its loop keeps
// few values.
func (d *Detector) verify(toks []token, ev []matchEvent, hits []hit) int {
	n := 0
	single, patLex, outPM, ptoks, states := d.single, d.patLex, d.outPM, d.ptoks, d.ac.state
	for _, e := range ev {
		i := e.tok
		t := &toks[i]
		if e.st < 0 {
			pid := int32(-1)
			if r := t.r; r < 0x10000 {
				pid = single[r]
			} else if p, ok := d.singleHi[r]; ok {
				pid = p
			}
			if pid >= 0 {
				hits[n] = hit{pat: pid, ts: i, te: i, sent: t.sent, passes: d.pm[pid].passes, lex: patLex[pid]}
				n++
			}
			continue
		}
		for o, end := states[e.st].out, states[e.st+1].out; o < end; o++ {
			p := &outPM[o]
			ts := i - p.n + 1
			homo, latin, ok := compareToks(ptoks[p.off:p.off+p.n], toks[ts:i+1])
			if latin > 0 || p.latin0 {
				if toks[ts].fl&fLatin != 0 && toks[ts].fl&fRunStart == 0 {
					ok = false
				}
				if t.fl&fLatin != 0 && t.fl&fRunEnd == 0 {
					ok = false
				}
				// a single character only from a full syllable, never an initial
				if p.nHan == 1 && p.n == 1 && t.fl&fInitial != 0 {
					ok = false
				}
			}
			if homo > 0 {
				maxHomo := uint8(1)
				if p.nHan >= 4 {
					maxHomo = 2
				}
				if !p.homoOK || homo > maxHomo || int32(homo) >= p.nHan {
					ok = false
				}
			}
			if ok {
				hits[n] = hit{pat: p.pid, ts: ts, te: i, sent: toks[ts].sent, homo: homo, latin: latin, passes: p.passes, lex: patLex[p.pid]}
				n++
			}
		}
	}
	return n
}

// compareToks compares the characters of a pattern with the tokens the
// automaton matched it on: how many are written as a homophone or in Latin
// letters, and whether every homophone shares the pattern character's main
// reading ("的" is not "地" read as de).
func compareToks(pt []ptok, tt []token) (homo, latin uint8, ok bool) {
	ok = true
	tt = tt[:len(pt)]
	for k := range pt {
		if pt[k].fl&fHan == 0 {
			continue
		}
		switch {
		case tt[k].fl&fLatin != 0:
			latin++
		case tt[k].r != pt[k].r:
			if tt[k].sym != pt[k].sym {
				ok = false
			}
			homo++
		}
	}
	return homo, latin, ok
}

// contextBits clears the lexicons of the hits that are no context words
// (homophones and shadowed characters) and sets a.present and a.passes.
func (a *analysis) contextBits(hits []hit) []hit {
	for i := range hits {
		h := &hits[i]
		a.passes |= h.passes
		if h.homo > 0 || h.shadow {
			h.lex = lexBits{}
			continue
		}
		a.present.or(&h.lex)
	}
	return hits
}

func (p *pattern) has(lex int) bool { return p.lex[lex/64]&(1<<(lex%64)) != 0 }

func (b *lexBits) has(lex int) bool { return b[lex/64]&(1<<(lex%64)) != 0 }

// or adds the lexicons of x (written out for the five words of lexInline).
func (b *lexBits) or(x *lexBits) {
	b[0] |= x[0]
	b[1] |= x[1]
	b[2] |= x[2]
	b[3] |= x[3]
	b[4] |= x[4]
}

var _ = [1]struct{}{}[lexInline-5] // or and covers are written for five words

// covers reports whether b has every lexicon of x.
func (b *lexBits) covers(x *lexBits) bool {
	return b[0]&x[0] == x[0] && b[1]&x[1] == x[1] && b[2]&x[2] == x[2] && b[3]&x[3] == x[3] && b[4]&x[4] == x[4]
}

// The built-in lexicons are in the first word of lexBits, so a question
// about several of them is one mask.
var _ = [1]struct{}{}[nBuiltinLex/64]

// negMask holds the lexicons that negated looks for around a trigger, and
// narrMask those that narrativeIn looks for: a hit in none of them changes
// nothing there.
const (
	negMask  = 1<<lexRetracted | 1<<lexMention | 1<<lexQuestion | 1<<lexMentionBefore | 1<<lexNegationAfter | 1<<lexTopicAfter | 1<<lexNegation
	narrMask = 1<<lexNarrativeSource | 1<<lexNarrative | 1<<lexReported | 1<<lexNarrativeHabit
)

// inLex reports whether hit h is a word of lexicon lex. Context words must be
// written exactly (or in pinyin), never as homophones, and a single
// character inside a longer everyday word ("回" in "回去", "内" in "内容")
// does not count.
// absent reports whether no hit of the message is a word of lexicon lex
// (known for the first lexInline*64 lexicons; false for the rest).
func (a *analysis) absent(lex int) bool {
	return uint(lex) < lexInline*64 && a.present[uint(lex)/64]&(1<<(uint(lex)%64)) == 0
}

func (a *analysis) inLex(h *hit, lex int) bool {
	if uint(lex) < lexInline*64 {
		return h.lex[uint(lex)/64]&(1<<(uint(lex)%64)) != 0
	}
	return h.homo == 0 && !h.shadow && a.d.pats[h.pat].has(lex)
}

// findLexIn reports whether a word of lexicon lex occurs in the sentence of h
// (anywhere in the message for message-scope lexicons), on the given side and
// within the given distance in tokens (0: anywhere in the sentence), and
// within the clause of h when clause is set.
func (a *analysis) findLexIn(h *hit, lex int, side int8, within int32, clause bool) bool {
	if a.absent(lex) {
		return false
	}
	sent := h.sent
	msg := a.d.lexScope[lex]
	for i := range a.hits {
		x := &a.hits[i]
		if !a.inLex(x, lex) {
			continue
		}
		if !msg && x.sent != sent {
			continue
		}
		if clause && a.toks[x.ts].clause != a.toks[h.ts].clause && a.toks[x.te].clause != a.toks[h.te].clause {
			continue
		}
		switch side {
		case -1:
			if x.te >= h.ts || (within > 0 && h.ts-x.te > within) {
				continue
			}
		case 1:
			if x.ts <= h.te || (within > 0 && x.ts-h.te > within) {
				continue
			}
		default:
			if within > 0 && (x.ts-h.te > within || h.ts-x.te > within) {
				continue
			}
		}
		return true
	}
	return false
}

// findOther is findLexIn over the sentence for words other than h itself: a
// trigger is no modal for itself ("马上" in "看到了,马上处理" asks nobody),
// while a modal inside a longer trigger counts ("必须" in "必须秒回").
func (a *analysis) findOther(h *hit, lex int) bool {
	if a.absent(lex) {
		return false
	}
	sent := h.sent
	msg := a.d.lexScope[lex]
	for i := range a.hits {
		x := &a.hits[i]
		if x.ts <= h.ts && x.te >= h.te || !a.inLex(x, lex) {
			continue
		}
		if msg || x.sent == sent {
			return true
		}
	}
	return false
}

// overlappedBy reports whether a longer word of lexicon lex covers h
// ("考核表" is a form, not assessment).
func (a *analysis) overlappedBy(h *hit, lex int) bool {
	if a.absent(lex) {
		return false
	}
	for i := range a.hits {
		x := &a.hits[i]
		if x.ts <= h.ts && x.te >= h.te && x.te-x.ts > h.te-h.ts && a.inLex(x, lex) {
			return true
		}
	}
	return false
}

// accept decides whether trigger hit h of rule cr is a demand.
func (a *analysis) accept(h *hit, cr *compiledRule) bool {
	// a near condition whose words the message lacks fails at once
	if !a.present.covers(&cr.needs) {
		return false
	}
	if h.homo > 0 && !cr.homo {
		return false
	}
	if h.shadow {
		return false // a single character inside an everyday word (报 in 通报)
	}
	if h.latin > 0 && cr.Initials != nil && !*cr.Initials {
		for t := h.ts; t <= h.te; t++ {
			if a.toks[t].fl&fInitial != 0 {
				return false
			}
		}
	}
	toks := a.toks
	if cr.overlap >= 0 {
		for i := range a.hits {
			x := &a.hits[i]
			if x.ts <= h.te && x.te >= h.ts && a.inLex(x, cr.overlap) {
				return false
			}
		}
	}
	if len(cr.nextNot) > 0 && int(h.te)+1 < len(toks) && containsRune(cr.nextNot, toks[h.te+1].r) {
		return false
	}
	if len(cr.prevNot) > 0 && h.ts > 0 && containsRune(cr.prevNot, toks[h.ts-1].r) {
		return false
	}
	if cr.AfterNumber {
		v, ok := a.numberBefore(h.ts)
		if !ok || (cr.MaxNumber > 0 && v > cr.MaxNumber) || v < cr.MinNumber {
			return false
		}
	}
	if cr.Quantity && !a.quantityAfter(h.te) {
		return false
	}
	if cr.QuantityAnywhere && !a.quantityIn(a.sents[h.sent], a.sents[h.sent+1]) {
		return false
	}
	if cr.MaxClock > 0 {
		if v, ok := a.clockAfter(h.te); !ok || v > cr.MaxClock {
			return false
		}
	}
	for _, c := range cr.near {
		if !a.findLexIn(h, c.lex, c.side, c.within, c.clause) || c.with >= 0 && !a.findLexIn(h, int(c.with), 0, 0, false) {
			return false
		}
	}
	for _, c := range cr.unless {
		if a.findLexIn(h, c.lex, c.side, c.within, c.clause) && (c.with < 0 || a.findLexIn(h, int(c.with), 0, 0, false)) {
			return false
		}
	}
	switch cr.Demand {
	case "modal":
		if !a.header && !a.findOther(h, lexModal) && !a.findOther(h, lexStrong) && !a.findOther(h, lexAssessment) &&
			!a.findOther(h, lexReported) &&
			!(a.findOther(h, lexImperative) && !a.findLexIn(h, lexNotImperative, 0, 0, true)) && !a.headModal(h) {
			return false
		}
	case "strong":
		// a demand reported as one ("被要求", "逼着", "让我们") is as
		// binding as one made with 必须
		if !a.findOther(h, lexStrong) && !a.findOther(h, lexAssessment) && !a.findOther(h, lexReported) {
			return false
		}
	}
	return !a.negated(h)
}

func containsRune(s []rune, r rune) bool {
	for _, x := range s {
		if x == r {
			return true
		}
	}
	return false
}

// negated reports whether h sits in the scope of a prohibition or a mention:
// a negation word before it in the sentence ("不得要求…", "无需回复收到")
// whose scope was not reset by a new demand in a later clause ("无需回复,
// 请今晚报送" still demands), a negating word right after it ("…一律取消",
// "打卡问题"), or a mention marker anywhere in the sentence ("欢迎反映").
func (a *analysis) negated(h *hit) bool {
	if a.present[0]&negMask == 0 {
		return false
	}
	sent := h.sent
	clause := a.toks[h.ts].clause
	framed := -1 // whether a demand frame (要求, 规定 …) precedes h; -1 not yet known
	for i := range a.hits {
		n := &a.hits[i]
		if n.lex[0]&negMask == 0 || n.sent != sent || n.ts >= h.ts && n.te <= h.te && n.te-n.ts < h.te-h.ts {
			continue // other sentences, and words inside the trigger ("是否" in "回复是否及时")
		}
		// a demand reported as abolished or untrue after it ("…的做法,
		// 今年已经全部叫停", "…问题不属实")
		if a.inLex(n, lexRetracted) && n.ts > h.te {
			return true
		}
		if a.mentions(n) {
			// a marker after the words, when an explicit demand frame
			// comes before them, describes the demand rather than naming
			// a practice: "要求每日报送工作进展,造成基层负担",
			// "存在要求干部每天刷在线时长的现象"
			if n.ts > h.te && a.framedBefore(h, &framed) {
				continue
			}
			// a mention in an earlier clause, then a demand frame in the
			// clause of the words, reports a demand: "巡察发现,该局存在
			// “指尖上的形式主义”问题,多个工作群要求基层每日“接龙”报送"
			if n.te < h.ts && a.inLex(n, lexMention) && a.toks[n.te].clause < clause && a.framedInClause(h) {
				continue
			}
			return true
		}
		// a question marker before the words ("自查有无强制打卡") names a
		// practice; after them it is what is to be reported ("报告本村有无
		// 房屋倒塌")
		if a.inLex(n, lexMentionBefore) && n.te < h.ts {
			return true
		}
		if a.inLex(n, lexNegationAfter) && n.ts > h.te && n.ts-h.te <= 10 && a.toks[n.ts].clause == clause {
			return true
		}
		if a.inLex(n, lexTopicAfter) && n.ts > h.te && n.ts-h.te <= 4 && a.toks[n.ts].clause == clause && !a.framedBefore(h, &framed) {
			return true
		}
		if !a.inLex(n, lexNegation) || n.te >= h.ts {
			continue
		}
		excepted := false
		for j := range a.hits {
			x := &a.hits[j]
			if x.ts <= n.te && x.te >= n.ts && (x.te-x.ts) > (n.te-n.ts) && a.inLex(x, lexNegationExcept) {
				excepted = true
				break
			}
		}
		if excepted {
			continue
		}
		nclause := a.toks[n.ts].clause
		if nclause != clause {
			// a demand word after the negation's clause resets the scope
			reset := false
			for j := range a.hits {
				m := &a.hits[j]
				c := a.toks[m.ts].clause
				if c > nclause && m.ts < h.ts && c <= clause && (a.inLex(m, lexModal) || a.inLex(m, lexStrong)) {
					reset = true
					break
				}
			}
			// … unless the same prohibition comes again after the words:
			// a list of prohibitions ("不得脱离工作实际,在工作群内强制要求
			// 打卡接龙、即时响应,不得以截图…代替工作实绩") keeps its scope
			if reset && !a.repeatedAfter(n, h) {
				continue
			}
		}
		return true
	}
	return false
}

// repeatedAfter reports whether the negation word n occurs again after h in
// its sentence, outside a longer word that is no negation ("不得少于").
func (a *analysis) repeatedAfter(n, h *hit) bool {
	sent := h.sent
	for i := range a.hits {
		m := &a.hits[i]
		if m.pat != n.pat || m.ts <= h.te || m.sent != sent || !a.inLex(m, lexNegation) {
			continue
		}
		if !a.overlappedBy(m, lexNegationExcept) {
			return true
		}
	}
	return false
}

// mentions reports whether hit n marks its sentence as naming a practice
// rather than demanding it: a mention word ("欢迎反映", "形式主义") that is
// no part of a longer word introducing a report ("村民向12345反映"), or a
// question ("要不要…吗") that is not rhetorical ("难道不回复就是不重视吗?"
// complains about a demand).
func (a *analysis) mentions(n *hit) bool {
	if a.inLex(n, lexMention) {
		return !a.overlappedBy(n, lexNarrative) && !a.overlappedBy(n, lexNarrativeSource)
	}
	if !a.inLex(n, lexQuestion) {
		return false
	}
	sent := n.sent
	for i := range a.hits {
		x := &a.hits[i]
		if x.sent == sent && x.te < n.ts && a.inLex(x, lexRhetorical) {
			return false
		}
	}
	return true
}

// narrativeIn reports whether sentence s (any sentence when negative) reads
// as a report or complaint: a narrative word or a reported demand in it
// ("记者了解到", "被要求"), a habit ("天天要", "每周都要") in a sentence that
// addresses nobody (not "请各位…每天都要投"), or a word anywhere in the
// message that makes all of it one ("来电人反映", "据报道").
func (a *analysis) narrativeIn(s int32) bool {
	if a.present[0]&narrMask == 0 {
		return false
	}
	habit := int32(-2) // sentence of the first habit word seen
	for i := range a.hits {
		x := &a.hits[i]
		if a.inLex(x, lexNarrativeSource) {
			return true
		}
		if s >= 0 && x.sent != s {
			continue
		}
		if a.inLex(x, lexNarrative) || a.inLex(x, lexReported) {
			return true
		}
		if habit == -2 && a.inLex(x, lexNarrativeHabit) {
			habit = x.sent
		}
	}
	if habit == -2 {
		return false
	}
	for i := range a.hits {
		x := &a.hits[i]
		if x.sent == habit && a.inLex(x, lexDirectAddress) {
			return false
		}
	}
	return true
}

// framedBefore reports whether an explicit demand frame (要求, 规定, 让 …)
// that is itself no part of a prohibition, mention or condition ("不得要求",
// "是否存在要求", "如有单位强制要求" are not) comes before h in its sentence.
// The answer is cached in *memo.
func (a *analysis) framedBefore(h *hit, memo *int) bool {
	if *memo >= 0 {
		return *memo == 1
	}
	*memo = 0
	sent := h.sent
	for i := range a.hits {
		x := &a.hits[i]
		if x.te >= h.ts || x.sent != sent || !a.inLex(x, lexDemandFrame) {
			continue
		}
		if a.overlappedBy(x, lexNegation) || a.overlappedBy(x, lexMention) {
			continue
		}
		blocked := false
		for j := range a.hits {
			n := &a.hits[j]
			if n.te < x.ts && n.sent == sent && (a.inLex(n, lexNegation) && !a.overlappedBy(n, lexNegationExcept) || a.mentions(n) || a.inLex(n, lexMentionBefore) || a.inLex(n, lexConditional)) {
				blocked = true
				break
			}
		}
		if !blocked {
			*memo = 1
			return true
		}
	}
	return false
}

// framedInClause reports whether a demand frame (要求, 规定 …) that is no
// part of a prohibition or mention comes before h in its own clause, with no
// negation, condition or question marker before h in the sentence.
func (a *analysis) framedInClause(h *hit) bool {
	clause := a.toks[h.ts].clause
	for i := range a.hits {
		x := &a.hits[i]
		if x.te >= h.ts || a.toks[x.ts].clause != clause || !a.inLex(x, lexDemandFrame) {
			continue
		}
		if a.overlappedBy(x, lexNegation) || a.overlappedBy(x, lexMention) {
			continue
		}
		for j := range a.hits {
			n := &a.hits[j]
			if n.ts < h.ts && n.sent == h.sent && (a.inLex(n, lexNegation) && !a.overlappedBy(n, lexNegationExcept) || a.inLex(n, lexMentionBefore) || a.inLex(n, lexConditional)) {
				return false
			}
		}
		return true
	}
	return false
}

// aggravated reports whether a demand for materials around h comes with an
// aggravating circumstance.
func (a *analysis) aggravated(h *hit, assessed bool) bool {
	if a.r.Offhours {
		return true
	}
	sent := h.sent
	// in a short message assessment anywhere ties the request to it; in a
	// long notice, and in an item of a numbered list, only assessment in the
	// same sentence (or the line that introduces its list) does: "各单位注册率
	// 纳入考评" in one item does not aggravate "请于6月5日前报送活动总结" in
	// another
	if assessed && (int32(len(a.sents)-1) <= longMessage && !a.listItem(sent) || a.assessedIn(sent) || a.assessedIn(a.listHead(sent))) {
		return true
	}
	// the sentence itself and, for an item of a numbered list, the line
	// that introduces the list ("请于今天17:00前完成以下工作:")
	for _, s := range [2]int32{sent, a.listHead(sent)} {
		if s < 0 {
			continue
		}
		for i := range a.hits {
			x := &a.hits[i]
			if x.sent == s && a.inLex(x, lexAggravator) && !a.negated(x) {
				return true
			}
		}
		// a chain, instant, check-in or trace demand in the same sentence; a
		// photo or screenshot right next to the verb is what is submitted
		// ("每周上报轨迹截图"), no second demand
		from, to := int(a.toks[a.sents[s]].os), int(a.toks[a.sents[s+1]-1].oe)
		hs, he := int(a.toks[h.ts].os), int(a.toks[h.te].oe)
		for _, sp := range a.r.Spans {
			switch sp.Category {
			case jianfu.Trace:
				if s == sent && sp.Start < he+objectGap && sp.End > hs-objectGap {
					continue
				}
				fallthrough
			case jianfu.Chain, jianfu.Instant, jianfu.Checkin:
				if sp.Start >= from && sp.Start < to {
					return true
				}
			}
		}
	}
	return false
}

// objectGap is how many runes from a material verb a trace span may start or
// end and still be read as the thing submitted rather than another demand.
const objectGap = 5

// longMessage is the number of sentences above which a message is a notice
// whose parts are read apart for assessment linkage.
const longMessage = 4

// assessedIn reports whether sentence s (none when negative) has an
// assessment word that is not negated nor part of a form name.
func (a *analysis) assessedIn(s int32) bool {
	if s < 0 {
		return false
	}
	for i := range a.hits {
		x := &a.hits[i]
		if x.sent == s && a.inLex(x, lexAssessment) && !a.negated(x) && !a.overlappedBy(x, lexAssessmentExcept) {
			return true
		}
	}
	return false
}

// listHead returns the sentence that introduces the numbered list whose item
// is sentence s ("请于今天17:00前完成以下工作:\n1.报送名单;\n2.…"), or -1 when
// s is no list item.
func (a *analysis) listHead(s int32) int32 {
	if !a.listItem(s) {
		return -1
	}
	for p := s - 1; p >= 0 && s-p <= 20; p-- {
		if a.listColon(p) {
			return p
		}
		if !a.listItem(p) {
			return -1
		}
	}
	return -1
}

// listItem reports whether sentence s opens with a number ("1.", "①", "三、").
func (a *analysis) listItem(s int32) bool {
	i := a.sents[s]
	return i < a.sents[s+1] && a.toks[i].fl&fNumeral != 0
}

// listColon reports whether sentence s has a colon that is no clock time
// ("以下工作:" but not "17:00").
func (a *analysis) listColon(s int32) bool {
	for k := a.sents[s]; k < a.sents[s+1]; k++ {
		if a.toks[k].r != ':' {
			continue
		}
		if k > a.sents[s] && k+1 < a.sents[s+1] && a.toks[k-1].fl&fDigit != 0 && a.toks[k+1].fl&fDigit != 0 {
			continue
		}
		return true
	}
	return false
}

// headModal reports whether the line introducing h's list item has a modal
// or addressee ("请各村完成以下工作:").
func (a *analysis) headModal(h *hit) bool {
	head := a.listHead(h.sent)
	if head < 0 {
		return false
	}
	for i := range a.hits {
		x := &a.hits[i]
		if x.sent == head && (a.inLex(x, lexModal) || a.inLex(x, lexStrong)) {
			return true
		}
	}
	return false
}

// numberBefore parses the number written right before token i ("5", "十",
// "半", "二十").
func (a *analysis) numberBefore(i int32) (float64, bool) {
	end := i
	// an approximate number ("两百多张", "30余份")
	if end > 1 && approx(a.toks[end-1].r) && a.toks[end-2].fl&fNumeral != 0 {
		end--
	}
	j := end - 1
	for j >= 0 && a.toks[j].fl&fNumeral != 0 {
		j--
	}
	if j == end-1 {
		return 0, false
	}
	return parseNumber(a.toks[j+1 : end]), true
}

// approx reports whether r makes the number before it approximate ("多",
// "余", "来": 两百多张, 30余份, 十来个).
func approx(r rune) bool { return r == '多' || r == '余' || r == '来' }

func parseNumber(toks []token) float64 {
	var total, section, cur float64
	digits := false
	for _, t := range toks {
		r := t.r
		switch {
		case r >= '0' && r <= '9':
			cur = cur*10 + float64(r-'0')
			digits = true
		case r == '半':
			cur += 0.5
		case r == '几':
			cur = 3
		default:
			if v, ok := cnDigit(r); ok {
				cur = v
				continue
			}
			unit := float64(0)
			switch r {
			case '十':
				unit = 10
			case '百':
				unit = 100
			case '千':
				unit = 1000
			case '万':
				unit = 10000
			}
			if unit == 0 {
				continue
			}
			if cur == 0 {
				cur = 1
			}
			if unit == 10000 {
				total += (section + cur) * unit
				section, cur = 0, 0
			} else {
				section += cur * unit
				cur = 0
			}
		}
	}
	_ = digits
	return total + section + cur
}

func cnDigit(r rune) (float64, bool) {
	switch r {
	case '零', '〇':
		return 0, true
	case '一':
		return 1, true
	case '二', '两':
		return 2, true
	case '三':
		return 3, true
	case '四':
		return 4, true
	case '五':
		return 5, true
	case '六':
		return 6, true
	case '七':
		return 7, true
	case '八':
		return 8, true
	case '九':
		return 9, true
	}
	return 0, false
}

// quantityIn reports whether a number of at least two with a measure word
// occurs among tokens [from, to) ("2篇", "不少于8条"; not "一次").
func (a *analysis) quantityIn(from, to int32) bool {
	for j := from; j < to; j++ {
		if a.toks[j].fl&fNumeral == 0 {
			continue
		}
		k := j
		for k < to && a.toks[k].fl&fNumeral != 0 {
			k++
		}
		m := k
		if m+1 < to && approx(a.toks[m].r) {
			m++
		}
		if m < to && a.toks[m].fl&fMeasure != 0 && a.toks[m].fl&fNumeral == 0 && parseNumber(a.toks[j:k]) >= 2 && !a.ordinal(j) {
			return true
		}
		j = k
	}
	return false
}

// clockAfter parses a clock time written right after token i ("8点",
// "八点半", "7:30"), allowing one word in between ("的"), and returns it in
// hours.
func (a *analysis) clockAfter(i int32) (float64, bool) {
	n := int32(len(a.toks))
	j := i + 1
	if j < n && a.toks[j].fl&fNumeral == 0 {
		j++
	}
	k := j
	for k < n && a.toks[k].fl&fNumeral != 0 && a.toks[k].r != '半' {
		k++
	}
	if k == j || k >= n {
		return 0, false
	}
	v := parseNumber(a.toks[j:k])
	switch a.toks[k].r {
	case '点', '时':
		if k+1 < n && a.toks[k+1].r == '半' {
			v += 0.5
		}
	case ':':
		m := k + 1
		for m < n && a.toks[m].fl&fDigit != 0 {
			m++
		}
		if m > k+1 {
			v += parseNumber(a.toks[k+1:m]) / 60
		}
	default:
		return 0, false
	}
	return v, true
}

// quantityAfter reports whether a number with a measure word follows token i
// in the same clause, within a few tokens ("不少于100人", "每人5条").
func (a *analysis) quantityAfter(i int32) bool {
	clause := a.toks[i].clause
	for j := i + 1; j < int32(len(a.toks)) && j-i <= 20 && a.toks[j].clause == clause; j++ {
		if a.toks[j].fl&fNumeral == 0 {
			continue
		}
		k := j
		for k < int32(len(a.toks)) && a.toks[k].fl&fNumeral != 0 {
			k++
		}
		m := k
		if m+1 < int32(len(a.toks)) && approx(a.toks[m].r) {
			m++
		}
		// "一次" is how often, not how many ("每月至少组织一次业务学习")
		if m < int32(len(a.toks)) && a.toks[m].fl&fMeasure != 0 && a.toks[m].fl&fNumeral == 0 && !a.ordinal(j) &&
			(a.toks[m].r != '次' || parseNumber(a.toks[j:k]) >= 2) {
			return true
		}
		j = k
	}
	return false
}

// ordinal reports whether the number starting at token j is an ordinal
// ("第三次全国土壤普查" counts nothing).
func (a *analysis) ordinal(j int32) bool {
	return j > 0 && a.toks[j-1].r == '第'
}

func (a *analysis) addSpan(h *hit, cr *compiledRule) {
	a.r.s.fired = append(a.r.s.fired, cr.index)
	sp := Span{Start: int(a.toks[h.ts].os), End: int(a.toks[h.te].oe), Category: cr.Category, Rule: cr.ID, Voice: VoiceDemand}
	for i := range a.r.Spans {
		x := &a.r.Spans[i]
		if x.Category == sp.Category && x.Start <= sp.Start && x.End >= sp.End {
			if cr.Weight > a.weight[cr.cat] {
				a.weight[cr.cat] = cr.Weight
				a.weighted = true
			}
			return // already covered by an equal or longer span
		}
	}
	// drop shorter spans of the category that this one covers
	n := 0
	for _, x := range a.r.Spans {
		if x.Category == sp.Category && sp.Start <= x.Start && sp.End >= x.End {
			continue
		}
		a.r.Spans[n] = x
		n++
	}
	if a.narrativeIn(h.sent) {
		sp.Voice = VoiceNarrative
	}
	a.r.Spans = append(a.r.Spans[:n], sp)
	if cr.Weight > a.weight[cr.cat] {
		a.weight[cr.cat] = cr.Weight
		a.weighted = true
	}
}

// sortSpans orders spans by position (insertion sort: a handful of spans).
func (a *analysis) sortSpans() {
	s := a.r.Spans
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && (s[j].Start < s[j-1].Start || s[j].Start == s[j-1].Start && s[j].End < s[j-1].End); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// calendar is the working-time calendar: the one given, else the default
// with the newest holiday schedule.
func (d *Detector) calendar() *calendar.Calendar {
	if d.cal != nil {
		return d.cal
	}
	return calendar.Default()
}
