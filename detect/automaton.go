package detect

// automaton is an Aho–Corasick automaton over token symbols, compiled to a
// full transition table (a DFA) so matching costs one table load per token.
// Symbols are first mapped to columns; symbols that occur in no pattern share
// column 0, which always leads back towards the root, so the table stays
// small (states × columns used by patterns).
type automaton struct {
	col      []uint16 // symbol → column
	ncol     int32
	next     []int32 // state*ncol + column → state
	outStart []int32 // outputs of state s are outs[outStart[s]:outStart[s+1]]
	outs     []int32 // pattern ids
}

type acBuilder struct {
	nsym  int
	col   []uint16
	ncol  int
	trie  []map[uint16]int32 // per state: column → child
	out   [][]int32
	depth []int
}

func newACBuilder(nsym int) *acBuilder {
	b := &acBuilder{nsym: nsym, col: make([]uint16, nsym), ncol: 1}
	b.trie = append(b.trie, map[uint16]int32{})
	b.out = append(b.out, nil)
	b.depth = append(b.depth, 0)
	return b
}

// add inserts a symbol sequence that reports pattern id.
func (b *acBuilder) add(seq []uint16, id int32) {
	s := int32(0)
	for _, sym := range seq {
		c := b.col[sym]
		if c == 0 {
			c = uint16(b.ncol)
			b.col[sym] = c
			b.ncol++
		}
		nx, ok := b.trie[s][c]
		if !ok {
			nx = int32(len(b.trie))
			b.trie = append(b.trie, map[uint16]int32{})
			b.out = append(b.out, nil)
			b.depth = append(b.depth, b.depth[s]+1)
			b.trie[s][c] = nx
		}
		s = nx
	}
	for _, x := range b.out[s] {
		if x == id {
			return
		}
	}
	b.out[s] = append(b.out[s], id)
}

func (b *acBuilder) build() *automaton {
	n := len(b.trie)
	nc := b.ncol
	a := &automaton{col: b.col, ncol: int32(nc), next: make([]int32, n*nc)}
	fail := make([]int32, n)
	outs := make([][]int32, n)
	copy(outs, b.out)
	queue := make([]int32, 0, n)
	// root row
	for c, nx := range b.trie[0] {
		a.next[c] = nx
		fail[nx] = 0
		queue = append(queue, nx)
	}
	// breadth first, so a state's failure state (shallower) is done first;
	// a row is its failure state's row with its own children written over
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		f := fail[s]
		outs[s] = append(outs[s], outs[f]...)
		row := int(s) * nc
		frow := int(f) * nc
		copy(a.next[row+1:row+nc], a.next[frow+1:frow+nc])
		for c, nx := range b.trie[s] {
			a.next[row+int(c)] = nx
			fail[nx] = a.next[frow+int(c)]
			queue = append(queue, nx)
		}
		// column 0 (symbols in no pattern) always returns to the root
	}
	a.outStart = make([]int32, n+1)
	for s := 0; s < n; s++ {
		a.outStart[s+1] = a.outStart[s] + int32(len(outs[s]))
		a.outs = append(a.outs, outs[s]...)
	}
	return a
}
