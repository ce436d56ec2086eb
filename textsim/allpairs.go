package textsim

import (
	"math"
	"sort"
)

// Item is one name to compare. Only items of the same Block are compared
// (a kind and a county, say); items of the same non-zero Group (a unit)
// are never reported as a pair.
type Item struct {
	Key   string // the normalised name (see Normalize)
	Block string
	Group int64
}

// Pair is two similar items, by index into the slice given to AllPairs,
// with A < B.
type Pair struct {
	A, B int
	Sim  float64 // Dice coefficient of the bigram sets
}

// AllPairs returns every pair of items in the same block whose similarity
// is at least threshold (0 < threshold ≤ 1).
//
// It is the prefix-filtering all-pairs join: bigrams are numbered from the
// rarest to the most common; two sets with Dice ≥ d have Jaccard ≥
// t = d/(2−d) and so must share one of the first |x| − ⌈t·|x|⌉ + 1 rarest
// bigrams of each. Items are visited from the smallest set up; each probes
// an inverted index of the earlier items' prefixes, skips those too small
// to reach the threshold, and verifies the few candidates exactly. Common
// bigrams (the county's name, 教育) never enter a prefix unless a name has
// nothing rarer, which keeps the candidate lists short.
func AllPairs(items []Item, threshold float64) []Pair {
	if threshold <= 0 || threshold > 1 || len(items) < 2 {
		return nil
	}
	blocks := map[string][]int{}
	var order []string
	for i, it := range items {
		if _, ok := blocks[it.Block]; !ok {
			order = append(order, it.Block)
		}
		blocks[it.Block] = append(blocks[it.Block], i)
	}
	sort.Strings(order)
	j := &joiner{threshold: threshold, jaccard: threshold / (2 - threshold), gramID: map[string]int32{}}
	var out []Pair
	for _, b := range order {
		if idx := blocks[b]; len(idx) > 1 {
			out = j.block(items, idx, out)
		}
	}
	sort.Slice(out, func(i, k int) bool {
		if out[i].A != out[k].A {
			return out[i].A < out[k].A
		}
		return out[i].B < out[k].B
	})
	return out
}

// joiner holds the buffers reused across blocks.
type joiner struct {
	threshold, jaccard float64
	gramID             map[string]int32
	freq               []int32
}

type rec struct {
	item   int     // index into items
	grams  []int32 // ranks, ascending (rarest first)
	prefix int
}

func (j *joiner) block(items []Item, idx []int, out []Pair) []Pair {
	// Number this block's bigrams and count them.
	clear(j.gramID)
	j.freq = j.freq[:0]
	raw := make([][]int32, len(idx))
	for n, i := range idx {
		gs := Bigrams(items[i].Key)
		ids := make([]int32, len(gs))
		for k, g := range gs {
			id, ok := j.gramID[g]
			if !ok {
				id = int32(len(j.freq))
				j.gramID[g] = id
				j.freq = append(j.freq, 0)
			}
			j.freq[id]++
			ids[k] = id
		}
		raw[n] = ids
	}
	// Rank the grams from rarest to most common.
	byFreq := make([]int32, len(j.freq))
	for i := range byFreq {
		byFreq[i] = int32(i)
	}
	sort.Slice(byFreq, func(a, b int) bool {
		fa, fb := j.freq[byFreq[a]], j.freq[byFreq[b]]
		if fa != fb {
			return fa < fb
		}
		return byFreq[a] < byFreq[b]
	})
	rank := make([]int32, len(j.freq))
	for r, id := range byFreq {
		rank[id] = int32(r)
	}
	recs := make([]rec, 0, len(idx))
	for n, ids := range raw {
		if len(ids) == 0 {
			continue
		}
		for k, id := range ids {
			ids[k] = rank[id]
		}
		sort.Slice(ids, func(a, b int) bool { return ids[a] < ids[b] })
		l := len(ids)
		p := l - int(math.Ceil(j.jaccard*float64(l)-1e-9)) + 1
		recs = append(recs, rec{item: idx[n], grams: ids, prefix: min(max(p, 1), l)})
	}
	sort.SliceStable(recs, func(a, b int) bool { return len(recs[a].grams) < len(recs[b].grams) })

	// Probe and index, from the smallest set up.
	postings := make([][]int32, len(j.freq))
	count := make([]int32, len(recs))
	var touched []int32
	for x := range recs {
		rx := &recs[x]
		lx := len(rx.grams)
		minSize := int(math.Ceil(j.jaccard*float64(lx) - 1e-9))
		touched = touched[:0]
		for _, g := range rx.grams[:rx.prefix] {
			list := postings[g]
			// Drop entries too small to ever match from here on (sizes only grow).
			drop := 0
			for drop < len(list) && len(recs[list[drop]].grams) < minSize {
				drop++
			}
			if drop > 0 {
				list = list[drop:]
				postings[g] = list
			}
			for _, y := range list {
				if count[y] == 0 {
					touched = append(touched, y)
				}
				count[y]++
			}
		}
		for _, y := range touched {
			count[y] = 0
			ry := &recs[y]
			a, b := items[rx.item], items[ry.item]
			if a.Group != 0 && a.Group == b.Group {
				continue
			}
			common := overlap(rx.grams, ry.grams)
			sim := 2 * float64(common) / float64(lx+len(ry.grams))
			if sim >= j.threshold-1e-9 {
				p := Pair{A: rx.item, B: ry.item, Sim: sim}
				if p.A > p.B {
					p.A, p.B = p.B, p.A
				}
				out = append(out, p)
			}
		}
		for _, g := range rx.grams[:rx.prefix] {
			postings[g] = append(postings[g], int32(x))
		}
	}
	return out
}

// overlap counts the common elements of two ascending lists.
func overlap(a, b []int32) int {
	n, i, k := 0, 0, 0
	for i < len(a) && k < len(b) {
		switch {
		case a[i] == b[k]:
			n++
			i++
			k++
		case a[i] < b[k]:
			i++
		default:
			k++
		}
	}
	return n
}

// NaivePairs compares every pair of items in the same block: the baseline
// AllPairs is measured against, and its oracle in tests.
func NaivePairs(items []Item, threshold float64) []Pair {
	grams := make([]map[string]struct{}, len(items))
	for i, it := range items {
		grams[i] = map[string]struct{}{}
		for _, g := range Bigrams(it.Key) {
			grams[i][g] = struct{}{}
		}
	}
	var out []Pair
	for a := range items {
		for b := a + 1; b < len(items); b++ {
			if items[a].Block != items[b].Block || items[a].Group != 0 && items[a].Group == items[b].Group {
				continue
			}
			ga, gb := grams[a], grams[b]
			if len(ga) == 0 || len(gb) == 0 {
				continue
			}
			common := 0
			for g := range ga {
				if _, ok := gb[g]; ok {
					common++
				}
			}
			if sim := 2 * float64(common) / float64(len(ga)+len(gb)); sim >= threshold-1e-9 {
				out = append(out, Pair{A: a, B: b, Sim: sim})
			}
		}
	}
	return out
}

// Clusters groups items linked by pairs (single linkage) and returns the
// groups of two or more, each sorted, largest first.
func Clusters(n int, pairs []Pair) [][]int {
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for _, p := range pairs {
		a, b := find(p.A), find(p.B)
		if a != b {
			if a < b {
				parent[b] = a
			} else {
				parent[a] = b
			}
		}
	}
	groups := map[int][]int{}
	for _, p := range pairs {
		for _, x := range []int{p.A, p.B} {
			r := find(x)
			groups[r] = append(groups[r], x)
		}
	}
	var out [][]int
	for _, g := range groups {
		sort.Ints(g)
		u := g[:1]
		for _, x := range g[1:] {
			if x != u[len(u)-1] {
				u = append(u, x)
			}
		}
		out = append(out, u)
	}
	sort.Slice(out, func(i, k int) bool {
		if len(out[i]) != len(out[k]) {
			return len(out[i]) > len(out[k])
		}
		return out[i][0] < out[k][0]
	})
	return out
}
