package detect

// automaton is an Aho–Corasick automaton over token symbols. Symbols are
// first mapped to columns; symbols that occur in no pattern share column 0,
// which always leads back to the root.
//
// States are numbered breadth first. The shallow ones — the root and the
// states one symbol deep, where almost every token of ordinary text lands —
// have a full row of transitions (one load per token); every deeper state
// keeps only its own children, sorted by column, and its failure link, which
// leads back towards the rows. A full table for every state would be tens of
// megabytes, so nearly every token would miss the processor's caches; this
// layout is about a megabyte, half of it the rows of the shallow states.
type automaton struct {
	col    []uint16 // symbol → column
	ncol   int32
	nDense int32     // states [0, nDense) have a full row in dense
	dense  []int32   // state*ncol + column → transition (state << 1 | has outputs)
	state  []acState // per state, plus a sentinel
	edge   []acEdge  // children of state s: edge[state[s].edges:state[s+1].edges]
	outs   []int32   // pattern ids of state s: outs[state[s].out:state[s+1].out]
	maxOut int32     // the most outputs of any state
}

type acState struct {
	edges int32
	out   int32
	fail  int32
}

type acEdge struct {
	col  uint16
	next int32 // transition (state << 1 | has outputs)
}

// denseDepth is the depth up to which states have a full row.
const denseDepth = 1

// linearEdges is the number of children up to which a state's children are
// searched one by one rather than by halving.
const linearEdges = 8

// step returns the state after s on column c, once built as a transition
// (state << 1 | whether it has outputs); while building, the state itself.
func (a *automaton) step(s int32, c uint16) int32 {
	for s >= a.nDense {
		lo, hi := a.state[s].edges, a.state[s+1].edges
		if hi-lo <= linearEdges {
			for e := lo; e < hi; e++ {
				if a.edge[e].col == c {
					return a.edge[e].next
				}
			}
		} else {
			for lo < hi {
				m := int32(uint32(lo+hi) >> 1)
				if a.edge[m].col < c {
					lo = m + 1
				} else {
					hi = m
				}
			}
			if lo < a.state[s+1].edges && a.edge[lo].col == c {
				return a.edge[lo].next
			}
		}
		s = a.state[s].fail
	}
	return a.dense[s*a.ncol+int32(c)]
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
	// number the states breadth first, children in column order
	order := make([]int32, 0, n) // new number → builder state
	num := make([]int32, n)      // builder state → new number
	order = append(order, 0)
	kids := func(s int32) []uint16 {
		cs := make([]uint16, 0, len(b.trie[s]))
		for c := range b.trie[s] {
			cs = append(cs, c)
		}
		sortUint16(cs)
		return cs
	}
	for i := 0; i < len(order); i++ {
		s := order[i]
		for _, c := range kids(s) {
			nx := b.trie[s][c]
			num[nx] = int32(len(order))
			order = append(order, nx)
		}
	}
	a := &automaton{col: b.col, ncol: int32(nc), state: make([]acState, n+1)}
	fail := make([]int32, n) // by new number
	outs := make([][]int32, n)
	for i, s := range order {
		outs[i] = b.out[s]
	}
	// the edges, in state order
	for i, s := range order {
		a.state[i].edges = int32(len(a.edge))
		if i == 0 {
			continue
		}
		for _, c := range kids(s) {
			a.edge = append(a.edge, acEdge{col: c, next: num[b.trie[s][c]]})
		}
	}
	a.state[n].edges = int32(len(a.edge))
	for a.nDense < int32(n) && b.depth[order[a.nDense]] <= denseDepth {
		a.nDense++
	}
	a.dense = make([]int32, int(a.nDense)*nc)
	// failure links breadth first: a state's failure state is shallower, so
	// it is done first, and so are its outputs
	for i := 0; i < n; i++ {
		s := order[i]
		if i < int(a.nDense) {
			// a row is its failure state's row with its own children
			// written over; column 0 (symbols in no pattern) stays 0
			row := i * nc
			if i > 0 {
				frow := int(fail[i]) * nc
				copy(a.dense[row+1:row+nc], a.dense[frow+1:frow+nc])
			}
			for c, nx := range b.trie[s] {
				a.dense[row+int(c)] = num[nx]
			}
		}
		for _, c := range kids(s) {
			child := num[b.trie[s][c]]
			f := int32(0)
			if i > 0 {
				f = a.step(fail[i], c)
			}
			fail[child] = f
			a.state[child].fail = f
		}
		// the root's children fail to the root (fail[...] = 0 already)
		outs[i] = append(outs[i][:len(outs[i]):len(outs[i])], outs[fail[i]]...)
	}
	for i := 0; i < n; i++ {
		a.state[i].out = int32(len(a.outs))
		a.outs = append(a.outs, outs[i]...)
	}
	a.state[n].out = int32(len(a.outs))
	for i := 0; i < n; i++ {
		a.maxOut = max(a.maxOut, a.state[i+1].out-a.state[i].out)
	}
	// from here on a transition says in its lowest bit whether the state
	// it leads to has outputs (the state is the value >> 1), so that the
	// scan reads the state only where something was found
	has := func(s int32) int32 {
		if a.state[s].out != a.state[s+1].out {
			return 1
		}
		return 0
	}
	for i, v := range a.dense {
		a.dense[i] = v<<1 | has(v)
	}
	for i := range a.edge {
		v := a.edge[i].next
		a.edge[i].next = v<<1 | has(v)
	}
	return a
}

func sortUint16(s []uint16) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
