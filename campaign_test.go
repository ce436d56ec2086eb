package jianfu

import (
	"fmt"
	"testing"
)

func TestAllocateLargestRemainder(t *testing.T) {
	tests := []struct {
		sizes map[string]int
		n     int
		want  map[string]int
	}{
		// Quotas 4.2, 3.5, 2.3 → floors 4, 3, 2 and the one left to the largest remainder (0.5).
		{map[string]int{"a": 42, "b": 35, "c": 23}, 10, map[string]int{"a": 4, "b": 4, "c": 2}},
		{map[string]int{"a": 1, "b": 1, "c": 1}, 2, map[string]int{"a": 1, "b": 1, "c": 0}},
		{map[string]int{"a": 5}, 9, map[string]int{"a": 5}},
		{map[string]int{"a": 50, "b": 50}, 0, map[string]int{}},
	}
	for _, tt := range tests {
		got := Allocate(tt.sizes, tt.n)
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("Allocate(%v, %d) = %v, want %v", tt.sizes, tt.n, got, tt.want)
		}
	}
}

func TestDrawSampleIsReproducibleAndProportional(t *testing.T) {
	var cands []Candidate
	for i := 0; i < 1000; i++ {
		cands = append(cands, Candidate{ID: int64(i*7 + 3), Stratum: fmt.Sprintf("s%d", i%7)})
	}
	a := DrawSample(cands, 100, 42)
	// Order of the input does not matter: candidates are sorted by id.
	rev := append([]Candidate(nil), cands...)
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	b := DrawSample(rev, 100, 42)
	if fmt.Sprint(a) != fmt.Sprint(b) || len(a) != 100 {
		t.Fatalf("same seed, different samples or size %d", len(a))
	}
	if fmt.Sprint(DrawSample(cands, 100, 43)) == fmt.Sprint(a) {
		t.Error("another seed gives the same sample")
	}
	per := map[string]int{}
	seen := map[int64]bool{}
	for _, c := range a {
		per[c.Stratum]++
		if seen[c.ID] {
			t.Errorf("candidate %d drawn twice", c.ID)
		}
		seen[c.ID] = true
	}
	for s, n := range per {
		if n < 14 || n > 15 {
			t.Errorf("stratum %s got %d of 100 (population share 1/7)", s, n)
		}
	}
}

func TestChecklistScore(t *testing.T) {
	c := DefaultChecklists()[0]
	tests := []struct {
		name    string
		answers map[string]Answer
		score   float64
		passed  bool
		vetoed  bool
		err     bool
	}{
		{"clean", nil, 100, true, false, false},
		{"veto fails whatever the points", map[string]Answer{"V1": {Hit: true}}, 100, false, true, false},
		{"deductions", map[string]Answer{"D1": {Points: 20}, "D2": {Points: 15}}, 65, true, false, false},
		{"below 60 fails", map[string]Answer{"D1": {Points: 20}, "D2": {Points: 15}, "D3": {Points: 10}}, 55, false, false, false},
		{"exactly 60 passes", map[string]Answer{"D1": {Points: 20}, "D2": {Points: 15}, "D3": {Points: 5}}, 60, true, false, false},
		{"bonus capped at 100", map[string]Answer{"B1": {Points: 5}}, 100, true, false, false},
		{"too many points", map[string]Answer{"D1": {Points: 21}}, 0, false, false, true},
		{"unknown item", map[string]Answer{"X9": {Hit: true}}, 0, false, false, true},
	}
	for _, tt := range tests {
		r, err := c.Score(tt.answers)
		if (err != nil) != tt.err {
			t.Errorf("%s: err %v", tt.name, err)
			continue
		}
		if !tt.err && (r.Score != tt.score || r.Passed != tt.passed || r.Vetoed != tt.vetoed) {
			t.Errorf("%s: %+v", tt.name, r)
		}
	}
	for _, l := range DefaultChecklists() {
		if err := l.Validate(); err != nil {
			t.Errorf("default checklist %s: %v", l.Key, err)
		}
	}
}
