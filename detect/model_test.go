package detect

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"jianfu"
)

var (
	trainModelFlag = flag.Bool("train-model", false, "train the statistical layer and rewrite data/model.bin")
	losoFlag       = flag.Bool("loso", false, "run the leave-one-set-out evaluation of the statistical layer")
	losoPartial    = flag.Bool("loso-partial", false, "with -loso: the layer reads only lines the rules flag")
	losoThreshold  = flag.Float64("loso-threshold", 0, "with -loso: one fixed probability threshold for every category instead of the calibrated ones")
)

// modelTrainSets are the sets the statistical layer learns from: every
// labelled set but heldout, which was set aside before any tuning and is
// never trained on.
var modelTrainSets = []string{"dev", "independent", "independent2", "independent3", "independent4",
	"independent5", "independent6", "independent7", "independent8", "narrative", "narrative2", "narrative3",
	"narrative4", "narrative5", "narrative6", "narrative7", "narrative8", "independent9", "narrative9",
	"narrative10", "independent10", "narrative11"}

type trainItem struct {
	set    int
	feats  []uint32 // buckets of the n-grams (with repeats) and context features
	labels [nCat]bool
	found  [nCat]bool // the rules found the category
	any    bool       // the rules found something
	gated  bool       // a cue lets the model read the line when the rules are silent
	normal bool       // no category, or an emergency
}

// modelInput reads text as AnalyzeInto does up to the model: the rules'
// findings, then the features the model would score.
func modelInput(d *Detector, cx *ctxFeatures, text string, r *Result) (feats []uint32, found [nCat]bool, gated bool) {
	d.AnalyzeInto(Message{Text: text}, r)
	toks, _ := d.norm.tokenize(text, nil)
	a := analysis{d: d, toks: toks, r: &Result{Voice: VoiceDemand}}
	var hits []hit
	a.match(&hits)
	a.hits = hits
	prev := int32(-1)
	for i := range toks {
		if toks[i].sent != prev {
			a.sents = append(a.sents, int32(i))
			prev = toks[i].sent
		}
	}
	a.sents = append(a.sents, int32(len(toks)))
	if a.narrativeIn(-1) {
		a.r.Voice = VoiceNarrative
	}
	for _, c := range r.Categories {
		a.weight[c.Index()] = 1
		found[c.Index()] = true
	}
	eachGram(toks, func(b uint32, _, _ int) { feats = append(feats, b) })
	ctx := a.readContext(cx)
	ctx.each(cx, func(b uint32) { feats = append(feats, b) })
	return feats, found, a.gated()
}

func trainItems(t testing.TB, d *Detector, sets []string) [][]trainItem {
	cx := d.ctxFeatures()
	var r Result
	out := make([][]trainItem, len(sets))
	for k, name := range sets {
		for _, it := range loadCorpus(t, name) {
			ti := trainItem{set: k}
			ti.feats, ti.found, ti.gated = modelInput(d, &cx, it.Text, &r)
			// an emergency's demands are labelled but must not be found:
			// the model learns them as ordinary
			for _, c := range it.Categories {
				ti.labels[c.Index()] = !it.Exempt
			}
			for _, f := range ti.found {
				ti.any = ti.any || f
			}
			ti.normal = len(it.Categories) == 0 || it.Exempt
			out[k] = append(out[k], ti)
		}
	}
	return out
}

// fitParams are the training settings of the statistical layer.
type fitParams struct {
	epochs int
	lr, l2 float64
	lambda float64 // cost of a wrong addition against a right one when picking thresholds
	budget float64 // share of ordinary silent training items one category may alarm on
	resid  bool    // learn each category only where the model would be asked about it
}

var defaultFit = fitParams{epochs: 15, lr: 0.2, l2: 1e-5, lambda: 1.5, budget: 0.002}

// fit trains one logistic output per category with AdaGrad and a little L2.
func fit(items []*trainItem, p fitParams, seed uint64) ([]float64, [nCat]float64) {
	w := make([]float64, modelBuckets*nCat)
	g2 := make([]float64, modelBuckets*nCat)
	var bias, gb [nCat]float64
	rng := rand.New(rand.NewPCG(seed, 17))
	order := make([]int, len(items))
	for i := range order {
		order[i] = i
	}
	for range p.epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, k := range order {
			it := items[k]
			z := bias
			for _, b := range it.feats {
				row := w[int(b)*nCat : int(b)*nCat+nCat]
				for c := range nCat {
					z[c] += row[c]
				}
			}
			var g [nCat]float64
			for c := range nCat {
				if p.resid && !it.consulted(c) {
					continue
				}
				y := 0.0
				if it.labels[c] {
					y = 1
				}
				g[c] = 1/(1+math.Exp(-z[c])) - y
				gb[c] += g[c] * g[c]
				bias[c] -= p.lr * g[c] / math.Sqrt(gb[c]+1e-8)
			}
			for _, b := range it.feats {
				i0 := int(b) * nCat
				for c := range nCat {
					i := i0 + c
					gi := g[c] + p.l2*w[i]
					g2[i] += gi * gi
					w[i] -= p.lr * gi / math.Sqrt(g2[i]+1e-8)
				}
			}
		}
	}
	return w, bias
}

func predict(w []float64, bias [nCat]float64, it *trainItem) (p [nCat]float64) {
	z := bias
	for _, b := range it.feats {
		row := w[int(b)*nCat : int(b)*nCat+nCat]
		for c := range nCat {
			z[c] += row[c]
		}
	}
	for c := range nCat {
		p[c] = 1 / (1 + math.Exp(-z[c]))
	}
	return
}

// consulted reports whether the model is asked about category c of it.
func (it *trainItem) consulted(c int) bool {
	return !it.found[c] && (it.any || modelOnSilent && it.gated)
}

// thresholds picks, per category, the probability the model needs, from
// predictions made without the item's own set (groups of training sets
// held out in turn): among the items the model is asked about, the
// threshold with the most right additions minus lambda times the wrong
// ones, alarming on at most budget of the ordinary items the rules are
// silent on; 1 (never) when no threshold adds more right than wrong.
func thresholds(groups [][]*trainItem, p fitParams, log *strings.Builder) (th [nCat]float64) {
	type pred struct {
		it *trainItem
		p  [nCat]float64
	}
	var preds []pred
	for g := range groups {
		var train []*trainItem
		for h := range groups {
			if h != g {
				train = append(train, groups[h]...)
			}
		}
		w, b := fit(train, p, uint64(g+1))
		for _, it := range groups[g] {
			preds = append(preds, pred{it, predict(w, b, it)})
		}
	}
	normal := 0
	for _, pr := range preds {
		if pr.it.normal && !pr.it.any {
			normal++
		}
	}
	for c := range nCat {
		th[c] = 1
		bestGain := 0.0
		for t := 0.30; t < 0.991; t += 0.025 {
			tp, fp, alarms := 0, 0, 0
			for _, pr := range preds {
				if !pr.it.consulted(c) || pr.p[c] < t {
					continue
				}
				if pr.it.labels[c] {
					tp++
				} else {
					fp++
				}
				if pr.it.normal && !pr.it.any {
					alarms++
				}
			}
			gain := float64(tp) - p.lambda*float64(fp)
			if float64(alarms) <= p.budget*float64(normal) && gain > bestGain {
				bestGain, th[c] = gain, t
			}
		}
		if log != nil {
			fmt.Fprintf(log, "%s %.3f (gain %.1f) ", jianfu.Categories[c], th[c], bestGain)
		}
	}
	return th
}

// trainModel fits the layer on sets (grouped into four for the thresholds)
// and returns the encoded model.
func trainModel(sets [][]trainItem, p fitParams, log *strings.Builder) []byte {
	groups := make([][]*trainItem, 4)
	var all []*trainItem
	for k := range sets {
		for i := range sets[k] {
			groups[k%4] = append(groups[k%4], &sets[k][i])
			all = append(all, &sets[k][i])
		}
	}
	var th [nCat]float64
	if *losoThreshold > 0 {
		for c := range th {
			th[c] = *losoThreshold
		}
	} else {
		th = thresholds(groups, p, log)
	}
	w, b := fit(all, p, 99)
	return encodeModel(w, b, th)
}

// withModelBytes is d with the statistical layer read from b.
func withModelBytes(t testing.TB, d *Detector, b []byte) *Detector {
	m, err := d.loadModel(b)
	if err != nil {
		t.Fatal(err)
	}
	dm := *d
	dm.model = m
	return &dm
}

// TestTrainModel (go generate ./detect, or go test ./detect -run
// TestTrainModel -args -train-model) trains the statistical layer on
// modelTrainSets, picks its thresholds by cross-validation over groups of
// those sets, and writes data/model.bin.
func TestTrainModel(t *testing.T) {
	if !*trainModelFlag {
		t.Skip("run with -args -train-model to retrain data/model.bin")
	}
	d := mustNew(t, WithoutModel())
	var log strings.Builder
	b := trainModel(trainItems(t, d, modelTrainSets), defaultFit, &log)
	t.Logf("thresholds: %s", log.String())
	if err := os.WriteFile("data/model.bin", b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestModelLeaveOneSetOut (go test ./detect -run TestModelLeaveOneSetOut -v
// -args -loso) measures the statistical layer as unseen text would: for each
// training set in turn, the layer is trained (thresholds included) on all
// the others and scored on it; heldout, never trained on, is scored with
// the layer trained on all of them. It prints, per set, the rules alone and
// the rules with the layer: micro P/R/F1, false alarms on ordinary items,
// recall per category and F1 per labelled voice, and the pooled totals.
func TestModelLeaveOneSetOut(t *testing.T) {
	if !*losoFlag {
		t.Skip("run with -args -loso (about a minute)")
	}
	if *losoPartial {
		modelOnSilent = false
		defer func() { modelOnSilent = true }()
	}
	d := mustNew(t, WithoutModel())
	sets := trainItems(t, d, modelTrainSets)
	names := append(append([]string(nil), modelTrainSets...), "heldout")
	var tables strings.Builder
	pool := map[string][2]*corpusScore{}
	addPool := func(key string, s [2]*corpusScore) {
		p, ok := pool[key]
		if !ok {
			p = [2]*corpusScore{newScore(), newScore()}
			pool[key] = p
		}
		for i := range 2 {
			p[i].merge(s[i])
		}
	}
	fmt.Fprintf(&tables, "| set | rules P / R / F1 | false alarms | rules + layer P / R / F1 | false alarms | material R | task R | narrative-voice F1 | demand-voice F1 |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
	for k, name := range names {
		var rest [][]trainItem
		for j := range sets {
			if j != k {
				rest = append(rest, sets[j])
			}
		}
		var log strings.Builder
		dm := withModelBytes(t, d, trainModel(rest, defaultFit, &log))
		t.Logf("%s held out: thresholds %s", name, log.String())
		items := loadCorpus(t, name)
		s := [2]*corpusScore{scoreCorpus(d, items), scoreCorpus(dm, items)}
		var byVoice [2][2]*corpusScore
		for vi, v := range []Voice{VoiceNarrative, VoiceDemand} {
			var sub []corpusItem
			for _, it := range items {
				if it.Voice == v {
					sub = append(sub, it)
				}
			}
			if len(sub) > 0 {
				byVoice[vi] = [2]*corpusScore{scoreCorpus(d, sub), scoreCorpus(dm, sub)}
				addPool("voice "+string(v), byVoice[vi])
			}
		}
		group := "message sets (dev, independent…)"
		if strings.HasPrefix(name, "narrative") {
			group = "narrative sets"
		}
		if name == "heldout" {
			group = "heldout"
		}
		addPool(group, s)
		if name != "heldout" {
			addPool("all but heldout", s)
		}
		fmt.Fprintf(&tables, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", name, prf(s[0]), fa(s[0]), prf(s[1]), fa(s[1]),
			arrow(s, jianfu.Material), arrow(s, jianfu.Task), voiceF1(byVoice[0]), voiceF1(byVoice[1]))
		for _, m := range s[1].misses {
			if os.Getenv("JIANFU_CORPUS_MISSES") == name {
				t.Log(m)
			}
		}
	}
	fmt.Fprintf(&tables, "\npooled | rules P / R / F1 | false alarms | rules + layer P / R / F1 | false alarms\n")
	keys := make([]string, 0, len(pool))
	for k := range pool {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s := pool[k]
		fmt.Fprintf(&tables, "| %s | %s | %s | %s | %s |\n", k, prf(s[0]), fa(s[0]), prf(s[1]), fa(s[1]))
	}
	fmt.Fprintf(&tables, "\nper category, pooled over all sets but heldout (P/R rules → rules + layer):\n")
	all := pool["all but heldout"]
	for _, c := range jianfu.Categories {
		fmt.Fprintf(&tables, "| %s | %s | %s |\n", c, catPR(all[0], c), catPR(all[1], c))
	}
	nar := pool["narrative sets"]
	fmt.Fprintf(&tables, "\nper category, pooled over the narrative sets:\n")
	for _, c := range jianfu.Categories {
		fmt.Fprintf(&tables, "| %s | %s | %s |\n", c, catPR(nar[0], c), catPR(nar[1], c))
	}
	t.Log("\n" + tables.String())
}

func newScore() *corpusScore {
	return &corpusScore{tp: map[jianfu.Category]int{}, fp: map[jianfu.Category]int{}, fn: map[jianfu.Category]int{}}
}

func (s *corpusScore) merge(o *corpusScore) {
	for _, c := range jianfu.Categories {
		s.tp[c] += o.tp[c]
		s.fp[c] += o.fp[c]
		s.fn[c] += o.fn[c]
	}
	s.normal += o.normal
	s.falseAlrm += o.falseAlrm
	s.items += o.items
}

func prf(s *corpusScore) string {
	p, r, f := s.micro()
	return fmt.Sprintf("%.3f / %.3f / %.3f", p, r, f)
}

func fa(s *corpusScore) string { return fmt.Sprintf("%d/%d", s.falseAlrm, s.normal) }

func recallOf(s *corpusScore, c jianfu.Category) string {
	n := s.tp[c] + s.fn[c]
	if n == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f", float64(s.tp[c])/float64(n))
}

func arrow(s [2]*corpusScore, c jianfu.Category) string {
	return recallOf(s[0], c) + " → " + recallOf(s[1], c)
}

func catPR(s *corpusScore, c jianfu.Category) string {
	tp, fp, fn := s.tp[c], s.fp[c], s.fn[c]
	return fmt.Sprintf("%.2f/%.2f", float64(tp)/float64(max(tp+fp, 1)), float64(tp)/float64(max(tp+fn, 1)))
}

func voiceF1(s [2]*corpusScore) string {
	if s[0] == nil {
		return "—"
	}
	_, _, f0 := s[0].micro()
	_, _, f1 := s[1].micro()
	return fmt.Sprintf("%.3f → %.3f", f0, f1)
}

// The model reads the embedded weights, keeps what the rules found, adds
// only categories they did not find, and explains each of its findings with
// spans marked model:<category>.
func TestModelExplainsFindings(t *testing.T) {
	plain := mustNew(t, WithoutModel())
	withModel := mustNew(t, WithModel())
	found := 0
	for _, name := range modelTrainSets {
		for _, it := range loadCorpus(t, name) {
			a, b := plain.Analyze(Message{Text: it.Text}), withModel.Analyze(Message{Text: it.Text})
			for _, sp := range a.Spans {
				if !slices.Contains(b.Spans, sp) {
					t.Fatalf("%s: the model dropped the rules' span %+v", it.Text, sp)
				}
			}
			added := false
			for _, c := range b.Categories {
				if a.Has(c) {
					continue
				}
				added = true
				if !hasSpan(b.Spans, c) {
					t.Fatalf("%s: %s found without a span", it.Text, c)
				}
			}
			for _, sp := range b.Spans {
				if slices.Contains(a.Spans, sp) {
					continue
				}
				if sp.Rule != "model:"+string(sp.Category) || a.Has(sp.Category) || sp.Voice != b.Voice && len(a.Spans) == 0 || sp.Start >= sp.End {
					t.Fatalf("%s: span %+v of a model finding (voice %s)", it.Text, sp, b.Voice)
				}
			}
			if added {
				found++
			}
		}
	}
	if found == 0 {
		t.Fatal("the model added nothing to what the rules found on the sets it was trained on")
	}
}

func hasSpan(spans []Span, c jianfu.Category) bool {
	for _, sp := range spans {
		if sp.Category == c {
			return true
		}
	}
	return false
}

// With the model on, a reused Result still means no allocation, also on a
// line only the model finds something in.
func TestModelDoesNotAllocate(t *testing.T) {
	d, err := New(WithModel())
	if err != nil {
		t.Fatal(err)
	}
	var modelLine string
	for _, name := range modelTrainSets {
		for _, it := range loadCorpus(t, name) {
			r := d.Analyze(Message{Text: it.Text})
			for _, sp := range r.Spans {
				if modelLine == "" && strings.HasPrefix(sp.Rule, "model:") {
					modelLine = it.Text
				}
			}
		}
	}
	if modelLine == "" {
		t.Fatal("no line of the training sets has a finding of the model")
	}
	var r Result
	for _, text := range []string{modelLine, "明天上午九点开会", "请各村今晚十点前接龙报送走访照片"} {
		d.AnalyzeInto(Message{Text: text}, &r)
		if n := testing.AllocsPerRun(50, func() { d.AnalyzeInto(Message{Text: text}, &r) }); n != 0 {
			t.Errorf("%s: %.0f allocations per message with the model on", text, n)
		}
	}
}

// BenchmarkPipelineModel is BenchmarkPipeline with the statistical layer on.
func BenchmarkPipelineModel(b *testing.B) { benchPipeline(b, WithModel()) }
