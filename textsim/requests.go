package textsim

import (
	"encoding/binary"
	"hash/fnv"
	"math/bits"
	"math/rand/v2"
)

// Material requests (多头报送). A material finding carries a topic: the
// redacted wording of what it asks for, normalised (no addressees,
// deadlines, verbs or punctuation). Two requests are near-identical when
// their topics' character bigrams overlap: a Jaccard similarity of at least
// 0.6, or at least 80% of the smaller one inside the larger. Candidates
// come from MinHash locality-sensitive hashing (20 bands of 3 hashes), so a
// new request is compared only with requests that share a band.

const (
	minHashes  = 60
	bandRows   = 3
	bandCount  = minHashes / bandRows
	mersenne61 = (1 << 61) - 1
	minBigrams = 3
)

// minHashParams are fixed: band keys stored in a database must be the same
// from one run and one version to the next.
var minHashParams = func() (p [minHashes][2]uint64) {
	r := rand.New(rand.NewPCG(20260101, 5))
	for i := range p {
		p[i] = [2]uint64{r.Uint64()%(mersenne61-1) + 1, r.Uint64() % mersenne61}
	}
	return p
}()

// Requests judges material requests; its zero value is ready to use.
type Requests struct{}

// gramSet is the set of character bigrams of a topic.
type gramSet map[uint64]struct{}

func gramsOf(topic string) gramSet {
	rs := []rune(topic)
	set := make(gramSet, len(rs))
	for i := 0; i+1 < len(rs); i++ {
		set[uint64(rs[i])<<21|uint64(rs[i+1])] = struct{}{}
	}
	return set
}

// Bands returns the locality-sensitive band keys of a topic, one per band
// of its MinHash signature; two topics that share a key are candidates.
// A topic too short to compare has none.
func (Requests) Bands(topic string) []int64 {
	set := gramsOf(topic)
	if len(set) < minBigrams {
		return nil
	}
	var sig [minHashes]uint64
	for i := range sig {
		sig[i] = mersenne61
	}
	for x := range set {
		x %= mersenne61
		for i, p := range minHashParams {
			h := mulmod61(p[0], x) + p[1]
			if h >= mersenne61 {
				h -= mersenne61
			}
			if h < sig[i] {
				sig[i] = h
			}
		}
	}
	keys := make([]int64, bandCount)
	var buf [8*bandRows + 1]byte
	for b := 0; b < bandCount; b++ {
		buf[0] = byte(b)
		for r := 0; r < bandRows; r++ {
			binary.LittleEndian.PutUint64(buf[1+8*r:], sig[b*bandRows+r])
		}
		h := fnv.New64a()
		h.Write(buf[:])
		keys[b] = int64(h.Sum64())
	}
	return keys
}

func mulmod61(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	// (hi·2^64 + lo) mod (2^61 − 1)
	x := (lo & mersenne61) + (lo >> 61) + (hi << 3)
	x = (x & mersenne61) + (x >> 61)
	if x >= mersenne61 {
		x -= mersenne61
	}
	return x
}

// Same reports whether two topics ask for the same data.
func (Requests) Same(a, b string) bool {
	x, y := gramsOf(a), gramsOf(b)
	if len(x) < minBigrams || len(y) < minBigrams {
		return false
	}
	if len(x) > len(y) {
		x, y = y, x
	}
	inter := 0
	for g := range x {
		if _, ok := y[g]; ok {
			inter++
		}
	}
	union := len(x) + len(y) - inter
	return float64(inter) >= 0.6*float64(union) || len(x) >= 6 && float64(inter) >= 0.8*float64(len(x))
}
