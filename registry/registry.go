// Package registry holds the registry's judgements (统筹管理、审核备案) that
// need more than one record: the rule checks run on a submission, the
// consolidation view (集约) and the similar names public verification
// offers. It is pure — the store reads what a judgement needs, hands it
// over and keeps the result — judges text likeness with textsim and reads
// what a channel does with the detector.
package registry

import (
	"math"
	"sort"
	"sync"

	"jianfu"
	"jianfu/detect"
	"jianfu/textsim"
)

// Rules implements jianfu.RegistryRules; its zero value is ready to use.
type Rules struct {
	// Demands reads a channel's name, functions and purpose for formalism
	// (rule function.formalism); nil means the detector's built-in rules.
	Demands *detect.Detector
}

// builtin is the detector with the built-in rules, built once on first use.
var builtin = sync.OnceValue(func() *detect.Detector {
	d, err := detect.New()
	if err != nil {
		return nil // the embedded rules are tested; the rule then finds nothing
	}
	return d
})

func (r Rules) demands() *detect.Detector {
	if r.Demands != nil {
		return r.Demands
	}
	return builtin()
}

var _ jianfu.RegistryRules = Rules{}

// SearchKey is the folded form names are searched in.
func (Rules) SearchKey(name string) string { return textsim.Fold(name) }

// SearchGrams are the index grams of a search key.
func (Rules) SearchGrams(key string) []string { return textsim.Bigrams(key) }

// Similar ranks the filed channels whose names resemble name (a Dice
// similarity of at least one half), best first, at most n.
func (Rules) Similar(name string, cands []jianfu.VerifiedChannel, n int) []jianfu.VerifiedChannel {
	key := textsim.Fold(name)
	type scored struct {
		vc  jianfu.VerifiedChannel
		sim float64
	}
	var found []scored
	for _, vc := range cands {
		if sim := textsim.Similarity(key, textsim.Fold(vc.Name)); sim >= 0.5 {
			found = append(found, scored{vc, sim})
		}
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].sim > found[j].sim })
	var out []jianfu.VerifiedChannel
	for i, f := range found {
		if i == n {
			break
		}
		out = append(out, f.vc)
	}
	return out
}

// regionChain returns the names of a region and its ancestors, top down.
func regionChain(names map[string]string, path string) []string {
	var chain []string
	for p := path; p != ""; p = jianfu.ParentPath(p) {
		if n, ok := names[p]; ok {
			chain = append([]string{n}, chain...)
		}
	}
	return chain
}

func pct(f float64) int { return int(math.Round(f * 100)) }

func sortBySimilarity(ks []*jianfu.ChannelFacts) {
	sort.SliceStable(ks, func(i, j int) bool { return ks[i].Similarity > ks[j].Similarity })
}

// relatedOf lists at most 10 channels as related channels.
func relatedOf(ks []*jianfu.ChannelFacts) []jianfu.RelatedChannel {
	var out []jianfu.RelatedChannel
	for i, k := range ks {
		if i == 10 {
			break
		}
		out = append(out, k.RelatedChannel)
	}
	return out
}
