package textsim

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	chain := []string{"临江省", "江州市", "江南区", "望江街道"}
	tests := []struct{ in, want string }{
		{"江南教育发布", "江南教育"},
		{"江州市江南区教育局", "江南教育局"},
		{"江南区教育局", "江南教育局"},
		{"中共江州市江南区委宣传部", "江南委宣传部"},
		{"江南区教育局官方微信公众号", "江南教育局"},
		{"临江省江州市江南区望江街道办事处", "望江办事处"},
		{"ＪＩＡＮＧＮＡＮ 发布", "jiangnan"},
		{"江南发布", "江南"},
		{"发布", "发布"},
		{"望江中学家长群", "望江中学家长"},
		{"江南·教育 在线", "江南教育"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in, chain...); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := RegionStem("城区"); got != "城区" {
		t.Errorf("a one-character stem: %q", got)
	}
}

func TestSimilarity(t *testing.T) {
	chain := []string{"临江省", "江州市", "江南区"}
	n := func(s string) string { return Normalize(s, chain...) }
	if s := Similarity(n("江南教育发布"), n("江南区教育")); s != 1 {
		t.Errorf("江南教育发布 ~ 江南区教育: %v, want 1", s)
	}
	if s := Similarity(n("江南教育"), n("江南教育局")); s < 0.8 {
		t.Errorf("江南教育 ~ 江南教育局: %v, want ≥ 0.8", s)
	}
	if s := Similarity(n("江南教育"), n("江南公安")); s >= 0.5 {
		t.Errorf("江南教育 ~ 江南公安: %v, want < 0.5", s)
	}
	if Similarity("", "") != 0 || Similarity("a", "") != 0 {
		t.Error("empty names are not similar to anything")
	}
	if o := Overlap("江南教育", "江州市江南区教育局"); o < 0.6 {
		t.Errorf("overlap of 江南教育 with its unit: %v", o)
	}
}

// randomItems makes names from a small alphabet so that many pairs are similar.
func randomItems(r *rand.Rand, n, blocks int) []Item {
	alpha := []rune("江南北教育局发布公安交通卫健文旅")
	items := make([]Item, n)
	for i := range items {
		l := 1 + r.IntN(7)
		b := make([]rune, l)
		for k := range b {
			b[k] = alpha[r.IntN(len(alpha))]
		}
		items[i] = Item{Key: string(b), Block: fmt.Sprint(r.IntN(blocks)), Group: int64(r.IntN(n/3 + 1))}
	}
	return items
}

func TestAllPairsMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 40; round++ {
		items := randomItems(r, 50+r.IntN(300), 1+r.IntN(4))
		for _, th := range []float64{0.5, 0.67, 0.8, 0.9, 1} {
			got, want := AllPairs(items, th), NaivePairs(items, th)
			sort.Slice(want, func(i, k int) bool { return want[i].A < want[k].A || want[i].A == want[k].A && want[i].B < want[k].B })
			if len(got) == 0 && len(want) == 0 {
				continue
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("round %d threshold %v: AllPairs found %d pairs, the naive join %d", round, th, len(got), len(want))
			}
		}
	}
}

func TestClusters(t *testing.T) {
	got := Clusters(7, []Pair{{A: 0, B: 3}, {A: 3, B: 5}, {A: 1, B: 2}})
	want := [][]int{{0, 3, 5}, {1, 2}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("clusters %v, want %v", got, want)
	}
}

// FuzzNormalize feeds arbitrary names (typed by users, read from files) to
// the normaliser and the join: no panics, valid text out, a name always
// similar to itself, and AllPairs agreeing with the naive join.
func FuzzNormalize(f *testing.F) {
	f.Fuzz(func(t *testing.T, name, other string) {
		key := Normalize(name, "临江省", "江州市", "江南区")
		if !utf8.ValidString(key) {
			t.Fatalf("%q normalises to invalid text", name)
		}
		if key != "" && Similarity(key, key) != 1 {
			t.Fatalf("%q is not similar to itself", key)
		}
		if s := Similarity(key, Normalize(other)); s < 0 || s > 1 {
			t.Fatalf("similarity %v", s)
		}
		items := []Item{{Key: key}, {Key: Normalize(other)}, {Key: key + "发布"}}
		if got, want := len(AllPairs(items, 0.6)), len(NaivePairs(items, 0.6)); got != want {
			t.Fatalf("AllPairs found %d pairs, the naive join %d", got, want)
		}
	})
}
