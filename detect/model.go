package detect

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"math"

	"jianfu"
)

// The statistical layer: a linear model over hashed character n-grams (one
// to three normalised tokens) with one logistic output per category,
// trained offline on the labelled sets that are not held out for evaluation
// (`go generate ./detect` runs TestTrainModel, model_test.go) and embedded
// as data/model.bin. It is consulted only where the rules find nothing in a
// message, and each of its findings is explained by the n-grams that weigh
// most for it, as spans with rule "model:<category>" and the line's voice.
// It is off unless New is given WithModel (docs/detector.md says why).

const (
	modelBits    = 16
	modelBuckets = 1 << modelBits
	nCat         = len(jianfu.Categories)
	modelMagic   = "JFM1"
)

//go:embed data/model.bin
var modelBin []byte

// model holds the quantised weights: w[bucket*nCat+c] * scale.
type model struct {
	w         []int16
	scale     float32
	bias      [nCat]float32
	threshold float32 // probability a category needs
}

// WithModel consults the statistical layer where the rules are silent.
func WithModel() Option { return func(c *config) { c.model = true } }

func loadModel(b []byte) (*model, error) {
	const head = 4 + 4 + 4 + 4*nCat
	if len(b) != head+2*modelBuckets*nCat || string(b[:4]) != modelMagic {
		return nil, errors.New("detect: data/model.bin is not a model of this version")
	}
	m := &model{w: make([]int16, modelBuckets*nCat)}
	m.scale = math.Float32frombits(binary.LittleEndian.Uint32(b[4:]))
	m.threshold = math.Float32frombits(binary.LittleEndian.Uint32(b[8:]))
	for c := range nCat {
		m.bias[c] = math.Float32frombits(binary.LittleEndian.Uint32(b[12+4*c:]))
	}
	for i := range m.w {
		m.w[i] = int16(binary.LittleEndian.Uint16(b[head+2*i:]))
	}
	return m, nil
}

// encodeModel writes float weights as loadModel reads them.
func encodeModel(w []float64, bias [nCat]float64, threshold float64) []byte {
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
	b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(threshold)))
	for _, x := range bias {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(x)))
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

// eachGram calls f with the bucket and token range of every n-gram of toks.
func eachGram(toks []token, f func(bucket uint32, from, to int)) {
	for i := range toks {
		h := uint32(2166136261)
		for n := 0; n < 3 && i+n < len(toks); n++ {
			h = (h ^ tokKey(&toks[i+n])) * 16777619
			h = (h ^ uint32(n+1)) * 16777619
			f((h^h>>15)*2246822519>>(32-modelBits), i, i+n)
		}
	}
}

// modelScores sums the weights of the n-grams for each category.
func (m *model) scores(toks []token) (z [nCat]float32) {
	z = m.bias
	w := m.w
	for i := range toks {
		h := uint32(2166136261)
		for n := 0; n < 3 && i+n < len(toks); n++ {
			h = (h ^ tokKey(&toks[i+n])) * 16777619
			h = (h ^ uint32(n+1)) * 16777619
			b := int((h^h>>15)*2246822519>>(32-modelBits)) * nCat
			row := w[b : b+nCat : b+nCat]
			for c := range nCat {
				z[c] += float32(row[c]) * m.scale
			}
		}
	}
	return z
}

// consult adds the model's findings to a result the rules left empty.
func (a *analysis) consult(m *model) {
	z := m.scores(a.toks)
	logit := float32(math.Log(float64(m.threshold) / (1 - float64(m.threshold))))
	for c := range nCat {
		if z[c] < logit {
			continue
		}
		cat := jianfu.Categories[c]
		a.weight[c] = 1
		a.explain(m, c, cat)
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
	eachGram(a.toks, func(bucket uint32, from, to int) {
		w := float32(m.w[int(bucket)*nCat+c]) * m.scale
		if w <= 0 {
			return
		}
		for k := range top {
			t := &top[k]
			if t.w > 0 && from <= t.to && to >= t.from { // overlaps: keep the heavier
				if w > t.w {
					*t = best{w, from, to}
				}
				return
			}
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
	})
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
