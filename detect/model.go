package detect

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"math"

	"jianfu"
)

// The statistical layer: one logistic output per category over hashed
// character n-grams (one to four normalised tokens) and a few context
// features the rules' automaton already finds — which categories the rules
// found, which categories' trigger words occur and whether they are
// negated, and cue words of the shared lexicons (negation, mention,
// retraction, reported demand, habit, assessment, voluntary, leisure …).
// It is trained offline on the labelled sets (`go generate ./detect` runs
// TestTrainModel, model_test.go) and embedded as data/model.bin.
//
// It is consulted only for categories the rules did not find, and on a line
// where the rules found nothing only when a cheap cue fires (a trigger word,
// a reported demand, a habit, an assessment word or a narrative word).
// Each of its findings is explained by the n-grams that weigh most for it,
// as spans with rule "model:<category>" and the line's voice. It is off by
// default (modelByDefault): judged leave-one-set-out it does not raise
// micro-F1 and adds false alarms (docs/detector.md has the numbers both
// ways); WithModel switches it on.

const (
	modelBits    = 16
	modelBuckets = 1 << modelBits
	modelMaxN    = 4
	nCat         = len(jianfu.Categories)
	modelMagic   = "JFM2"
)

//go:embed data/model.bin
var modelBin []byte

// model holds the quantised weights: w[bucket*nCat+c] * scale.
type model struct {
	w     []int16
	scale float32
	bias  [nCat]float32
	logit [nCat]float32 // the score a category needs (its threshold as a logit)
	cx    ctxFeatures
}

// cueLexicons are the lexicons whose presence in a message is a feature.
var cueLexicons = []string{"negation", "negation_after", "mention", "mention_before", "retracted_after",
	"reported_demand", "narrative", "narrative_habit", "narrative_source", "assessment", "aggravator",
	"voluntary", "leisure", "service_promise", "citizen_service", "self_commit", "conditional",
	"question", "rhetorical", "emergency", "modal", "strong", "demand_frame", "direct_address",
	"topic_after", "photo_use"}

// gateLexicons are the cues that let the model read a line on which the
// rules found nothing and no trigger word occurs.
var gateLexicons = []int{lexReported, lexNarrativeHabit, lexAssessment, lexNarrative, lexNarrativeSource, lexDemandFrame, lexStrong}

const maxCue = 32

// modelOnSilent says whether the model may read a line the rules found
// nothing in (when a cue fires); otherwise it only adds categories to a line
// the rules already flag, and cannot raise an alarm on an ordinary line.
var modelOnSilent = true

// ctxFeatures are the buckets of the context features of one detector.
type ctxFeatures struct {
	lex                  []int    // lexicon ids of cueLexicons present in this detector
	lexB                 []uint32 // their buckets
	found, trig, trigNeg [nCat]uint32
	none, narr           uint32
}

func featBucket(name string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(name); i++ {
		h = (h ^ uint32(name[i])) * 16777619
	}
	h = (h ^ 0x9e37) * 16777619
	return (h ^ h>>15) * 2246822519 >> (32 - modelBits)
}

func (d *Detector) ctxFeatures() ctxFeatures {
	var cx ctxFeatures
	for _, n := range cueLexicons {
		if id, ok := d.lexNames[n]; ok {
			cx.lex = append(cx.lex, id)
			cx.lexB = append(cx.lexB, featBucket("lex:"+n))
		}
	}
	for i, c := range jianfu.Categories {
		cx.found[i] = featBucket("found:" + string(c))
		cx.trig[i] = featBucket("trig:" + string(c))
		cx.trigNeg[i] = featBucket("trigneg:" + string(c))
	}
	cx.none = featBucket("found:none")
	cx.narr = featBucket("voice:narrative")
	return cx
}

// modelByDefault says whether New consults the statistical layer without
// an option.
const modelByDefault = false

// WithModel consults the statistical layer for what the rules do not find.
func WithModel() Option { return func(c *config) { c.model = true } }

// WithoutModel switches the statistical layer off: only the rules decide.
func WithoutModel() Option { return func(c *config) { c.model = false } }

func (d *Detector) loadModel(b []byte) (*model, error) {
	const head = 4 + 4 + 8*nCat
	if len(b) != head+2*modelBuckets*nCat || string(b[:4]) != modelMagic {
		return nil, errors.New("detect: data/model.bin is not a model of this version")
	}
	m := &model{w: make([]int16, modelBuckets*nCat), cx: d.ctxFeatures()}
	m.scale = math.Float32frombits(binary.LittleEndian.Uint32(b[4:]))
	for c := range nCat {
		m.bias[c] = math.Float32frombits(binary.LittleEndian.Uint32(b[8+4*c:]))
		m.logit[c] = math.Float32frombits(binary.LittleEndian.Uint32(b[8+4*nCat+4*c:]))
	}
	for i := range m.w {
		m.w[i] = int16(binary.LittleEndian.Uint16(b[head+2*i:]))
	}
	return m, nil
}

// encodeModel writes float weights and per-category thresholds
// (probabilities; 1 or more: never) as loadModel reads them.
func encodeModel(w []float64, bias, threshold [nCat]float64) []byte {
	maxAbs := 0.0
	for _, x := range w {
		maxAbs = max(maxAbs, math.Abs(x))
	}
	scale := maxAbs / 32767
	if scale == 0 {
		scale = 1
	}
	b := []byte(modelMagic)
	b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(scale)))
	for _, x := range bias {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(x)))
	}
	for _, t := range threshold {
		l := float32(math.Inf(1))
		if t < 1 {
			l = float32(math.Log(t / (1 - t)))
		}
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(l))
	}
	for _, x := range w {
		b = binary.LittleEndian.AppendUint16(b, uint16(int16(math.Round(x/scale))))
	}
	return b
}

// tokKey is what a token contributes to an n-gram: its normalised rune,
// every digit as '0', a Latin syllable by its symbol.
func tokKey(t *token) uint32 {
	switch {
	case t.r == 0:
		return 0x110000 + uint32(t.sym)
	case t.fl&fDigit != 0:
		return '0'
	}
	return uint32(t.r)
}

// gramBucket is the bucket of the n-gram that extends hash h (of the
// n-gram before it, or the start value) by token t as its n-th token.
func gramStep(h uint32, t *token, n int) uint32 {
	h = (h ^ tokKey(t)) * 16777619
	return (h ^ uint32(n)) * 16777619
}

func gramBucket(h uint32) uint32 { return (h ^ h>>15) * 2246822519 >> (32 - modelBits) }

// eachGram calls f with the bucket and token range of every n-gram of toks.
func eachGram(toks []token, f func(bucket uint32, from, to int)) {
	for i := range toks {
		h := uint32(2166136261)
		for n := 0; n < modelMaxN && i+n < len(toks); n++ {
			h = gramStep(h, &toks[i+n], n+1)
			f(gramBucket(h), i, i+n)
		}
	}
}

// context is what the context features of an analysed message are.
type context struct {
	found, trig, trigNeg [nCat]bool
	lex                  [maxCue]bool
	narr                 bool
}

// readContext reads the context features of an analysed message.
func (a *analysis) readContext(cx *ctxFeatures) (c context) {
	for i, w := range a.weight {
		c.found[i] = w > 0
	}
	for i := range a.hits {
		h := &a.hits[i]
		p := &a.d.pats[h.pat]
		if len(p.rules) > 0 {
			neg := -1
			for _, ri := range p.rules {
				k := a.d.rules[ri].cat
				c.trig[k] = true
				if !c.trigNeg[k] {
					if neg < 0 {
						neg = 0
						if a.negated(h) {
							neg = 1
						}
					}
					c.trigNeg[k] = neg == 1
				}
			}
		}
		for k, id := range cx.lex {
			if k < maxCue && !c.lex[k] && a.inLex(h, id) {
				c.lex[k] = true
			}
		}
	}
	c.narr = a.r.Voice == VoiceNarrative
	return c
}

// eachContext calls f with the bucket of every context feature that holds.
func (c *context) each(cx *ctxFeatures, f func(b uint32)) {
	any := false
	for i := range nCat {
		if c.found[i] {
			any = true
			f(cx.found[i])
		}
		if c.trig[i] {
			f(cx.trig[i])
		}
		if c.trigNeg[i] {
			f(cx.trigNeg[i])
		}
	}
	if !any {
		f(cx.none)
	}
	for k := range cx.lexB {
		if k < maxCue && c.lex[k] {
			f(cx.lexB[k])
		}
	}
	if c.narr {
		f(cx.narr)
	}
}

// gated reports whether the model may read a line on which the rules found
// nothing: a trigger word or a cue word occurs.
func (a *analysis) gated() bool {
	for i := range a.hits {
		h := &a.hits[i]
		if len(a.d.pats[h.pat].rules) > 0 {
			return true
		}
		for _, lex := range gateLexicons {
			if a.inLex(h, lex) {
				return true
			}
		}
	}
	return false
}

func (m *model) add(z *[nCat]int64, b uint32) {
	i := int(b) * nCat
	row := m.w[i : i+nCat : i+nCat]
	for c := range nCat {
		z[c] += int64(row[c])
	}
}

// scores sums the weights of the n-grams and context features for each
// category (in quantised units, scaled once at the end).
func (m *model) scores(toks []token, ctx *context) (out [nCat]float32) {
	var z [nCat]int64
	for i := range toks {
		h := uint32(2166136261)
		for n := 0; n < modelMaxN && i+n < len(toks); n++ {
			h = gramStep(h, &toks[i+n], n+1)
			m.add(&z, gramBucket(h))
		}
	}
	cx := &m.cx
	any := false
	for i := range nCat {
		if ctx.found[i] {
			any = true
			m.add(&z, cx.found[i])
		}
		if ctx.trig[i] {
			m.add(&z, cx.trig[i])
		}
		if ctx.trigNeg[i] {
			m.add(&z, cx.trigNeg[i])
		}
	}
	if !any {
		m.add(&z, cx.none)
	}
	for k := range cx.lexB {
		if k < maxCue && ctx.lex[k] {
			m.add(&z, cx.lexB[k])
		}
	}
	if ctx.narr {
		m.add(&z, cx.narr)
	}
	for c := range nCat {
		out[c] = m.bias[c] + float32(z[c])*m.scale
	}
	return out
}

// consult adds the model's findings for the categories the rules did not
// find; on a line where they found nothing, only when a cue fires.
func (a *analysis) consult(m *model, found bool) {
	open := false // a category the rules did not find and the model may add
	for c := range nCat {
		open = open || a.weight[c] == 0 && !math.IsInf(float64(m.logit[c]), 1)
	}
	if !open || !found && (!modelOnSilent || !a.gated()) {
		return
	}
	ctx := a.readContext(&m.cx)
	z := m.scores(a.toks, &ctx)
	for c := range nCat {
		if a.weight[c] > 0 || z[c] < m.logit[c] {
			continue
		}
		a.weight[c] = 1
		a.explain(m, c, jianfu.Categories[c])
	}
}

// explain marks the (at most three, non-overlapping) n-grams that weigh
// most for category c as spans.
func (a *analysis) explain(m *model, c int, cat jianfu.Category) {
	type best struct {
		w        float32
		from, to int
	}
	var top [3]best
	for i := range a.toks {
		h := uint32(2166136261)
		for n := 0; n < modelMaxN && i+n < len(a.toks); n++ {
			h = gramStep(h, &a.toks[i+n], n+1)
			w := float32(m.w[int(gramBucket(h))*nCat+c]) * m.scale
			if w <= 0 {
				continue
			}
			from, to := i, i+n
			placed := false
			for k := range top {
				t := &top[k]
				if t.w > 0 && from <= t.to && to >= t.from { // overlaps: keep the heavier
					if w > t.w {
						*t = best{w, from, to}
					}
					placed = true
					break
				}
			}
			if placed {
				continue
			}
			k := len(top) - 1
			for j := range top {
				if top[j].w < top[k].w {
					k = j
				}
			}
			if w > top[k].w {
				top[k] = best{w, from, to}
			}
		}
	}
	rule := modelRule[c]
	for _, t := range top {
		if t.w <= 0 {
			continue
		}
		a.r.Spans = append(a.r.Spans, Span{Start: int(a.toks[t.from].os), End: int(a.toks[t.to].oe), Category: cat, Rule: rule, Voice: a.r.Voice})
	}
}

var modelRule = func() (r [nCat]string) {
	for i, c := range jianfu.Categories {
		r[i] = "model:" + string(c)
	}
	return
}()
