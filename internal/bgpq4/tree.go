package bgpq4

import (
	"cmp"
	"fmt"
	"math/bits"
	"net/netip"
	"slices"
)

// A pfx is a prefix as a 128-bit big-endian number and a length. IPv4
// addresses sit in the top 32 bits of hi. It is masked: bits past length
// are zero.
type pfx struct {
	hi, lo uint64
	len    uint8
}

func pfxFrom(p netip.Prefix) pfx {
	var x pfx
	a := p.Addr()
	if a.Is4() {
		b := a.As4()
		x.hi = uint64(b[0])<<56 | uint64(b[1])<<48 | uint64(b[2])<<40 | uint64(b[3])<<32
	} else {
		b := a.As16()
		for i := 0; i < 8; i++ {
			x.hi = x.hi<<8 | uint64(b[i])
			x.lo = x.lo<<8 | uint64(b[8+i])
		}
	}
	x.len = uint8(p.Bits())
	return x.masked(x.len)
}

// prefix converts x back for the family v6 (false: IPv4).
func (x pfx) prefix(v6 bool) netip.Prefix {
	if !v6 {
		v := x.hi >> 32
		return netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), int(x.len))
	}
	var b [16]byte
	for i := 0; i < 8; i++ {
		b[i] = byte(x.hi >> (56 - 8*i))
		b[8+i] = byte(x.lo >> (56 - 8*i))
	}
	return netip.PrefixFrom(netip.AddrFrom16(b), int(x.len))
}

// bit reports bit n (0 = most significant) of x.
func (x pfx) bit(n uint8) bool {
	if n < 64 {
		return x.hi>>(63-n)&1 == 1
	}
	if n < 128 {
		return x.lo>>(127-n)&1 == 1
	}
	return false
}

// withBit returns x with bit n set.
func (x pfx) withBit(n uint8) pfx {
	if n < 64 {
		x.hi |= 1 << (63 - n)
	} else {
		x.lo |= 1 << (127 - n)
	}
	return x
}

// masked returns x cut to length l <= x.len.
func (x pfx) masked(l uint8) pfx {
	switch {
	case l == 0:
		x.hi, x.lo = 0, 0
	case l < 64:
		x.hi &= ^uint64(0) << (64 - l)
		x.lo = 0
	case l == 64:
		x.lo = 0
	case l < 128:
		x.lo &= ^uint64(0) << (128 - l)
	}
	x.len = l
	return x
}

// common returns the number of leading bits a and b share, at most the
// shorter length.
func common(a, b pfx) uint8 {
	n := uint8(bits.LeadingZeros64(a.hi ^ b.hi))
	if n == 64 {
		n += uint8(bits.LeadingZeros64(a.lo ^ b.lo))
	}
	return min(n, a.len, b.len)
}

// A node of the radix tree, as in bgpq4's sx_radix_node. A glue node only
// joins two subtrees and is not printed (its son still is). An aggregate
// node is printed as a range [low, hi]. A son is a second entry for the
// same prefix, printed right after its node.
//
// Nodes live in one slice and refer to each other by index (0 is "none"),
// so that a tree of millions of prefixes is a single pointer-free
// allocation of 24 bytes per node that the garbage collector never scans.
// A node's prefix is the first len bits of the collected prefix flat[idx]
// (a glue node shares the prefix whose insertion created it).
type node struct {
	idx       int32 // into tree.flat
	l, r, son int32
	len       uint8
	glue      bool
	aggregate bool
	low, hi   uint8
}

// A tree holds the prefixes of one family. Its shape, and so the order
// and the aggregation of its entries, is the one bgpq4 1.9 builds.
//
// Prefixes are first collected in a flat list (add, addRange); finish
// sorts and de-duplicates it and, when -A, -R or -r need the tree's shape,
// builds the tree from it. Without them the entries are just the distinct
// prefixes in ascending (address, length) order, which is the tree's
// pre-order, so no tree is built.
type tree struct {
	v6    bool
	head  int32
	nodes []node // nodes[0] is unused: index 0 means "no node"
	flat  []pfx  // collected prefixes; after finish, sorted and distinct
}

// reserve makes room for n more prefixes. It allocates with make rather
// than slices.Grow, which clears the whole new capacity: a fresh
// allocation comes zeroed, and pages not yet used are not touched.
func (t *tree) reserve(n int) {
	if cap(t.flat)-len(t.flat) >= n {
		return
	}
	flat := make([]pfx, len(t.flat), len(t.flat)+n)
	copy(flat, t.flat)
	t.flat = flat
}

// add collects p.
func (t *tree) add(p pfx) { t.flat = append(t.flat, p) }

// addRange collects every prefix inside p with a length in [lo, hi], as
// bgpq4 does for a prefix range (it materialises them all; aggregation
// folds them back).
func (t *tree) addRange(p pfx, lo, hi uint8) {
	if p.len >= lo {
		t.add(p)
	}
	if p.len+1 > hi {
		return
	}
	c := p
	c.len++
	t.addRange(c, lo, hi)
	t.addRange(c.withBit(c.len-1), lo, hi)
}

func comparePfx(a, b pfx) int {
	switch {
	case a.hi != b.hi:
		return cmp.Compare(a.hi, b.hi)
	case a.lo != b.lo:
		return cmp.Compare(a.lo, b.lo)
	}
	return cmp.Compare(a.len, b.len)
}

// finish sorts and de-duplicates the collected prefixes and, if shaped,
// builds the radix tree from them.
func (t *tree) finish(shaped bool) {
	if !slices.IsSortedFunc(t.flat, comparePfx) {
		slices.SortFunc(t.flat, comparePfx)
	}
	t.flat = slices.Compact(t.flat)
	if !shaped {
		return
	}
	t.grow(len(t.flat))
	var path []int32
	for i := range t.flat {
		path = t.insertSorted(int32(i), path)
	}
}

// key returns the prefix bits of node n for comparisons: flat[n.idx] with
// length n.len. Bits past n.len may be set; common and bit below n.len
// do not look at them.
func (t *tree) key(n *node) pfx {
	k := t.flat[n.idx]
	k.len = n.len
	return k
}

// prefixOf returns the (masked) prefix of node n.
func (t *tree) prefixOf(n *node) netip.Prefix {
	return t.flat[n.idx].masked(n.len).prefix(t.v6)
}

// grow makes room for n more prefixes (each insert adds at most two
// nodes).
func (t *tree) grow(n int) {
	if t.nodes == nil {
		t.nodes = make([]node, 1, 1+2*n)
		return
	}
	t.nodes = slices.Grow(t.nodes, 2*n)
}

func (t *tree) newNode(idx int32, l uint8) int32 {
	if t.nodes == nil {
		t.nodes = make([]node, 1, 64)
	}
	t.nodes = append(t.nodes, node{idx: idx, len: l})
	return int32(len(t.nodes) - 1)
}

// insertSorted adds the collected prefix flat[idx] to the tree, as
// bgpq4's sx_radix_tree_insert would from the root, for prefixes given in
// ascending order: path holds the nodes from the head to the previous
// insertion, and the new path is returned.
//
// In ascending order the new prefix sorts after every node in the tree,
// so each node of its path from the head that covers it is on the
// previous path too (any other node covering it would hold a larger
// prefix in its subtree), and the tree's pre-order is the insertion
// order. Insertion therefore starts at the deepest node of the previous
// path that covers the prefix instead of at the head: building the tree
// costs O(n), not O(n · depth). insertSlow in tree_test.go is the twin
// that starts at the head; TestInsertSortedShape compares them.
func (t *tree) insertSorted(idx int32, path []int32) []int32 {
	p := t.flat[idx]
	if t.head == 0 {
		t.head = t.newNode(idx, p.len)
		return append(path[:0], t.head)
	}
	for len(path) > 0 {
		c := t.key(&t.nodes[path[len(path)-1]])
		if common(p, c) >= c.len {
			break
		}
		path = path[:len(path)-1]
	}
	// The link to ch: parent's left or right, or the head when parent
	// is 0. Kept as indexes because newNode may move t.nodes.
	var parent int32
	right := false
	ch := t.head
	if k := len(path); k > 0 {
		ch = path[k-1]
		path = path[:k-1]
		if k > 1 {
			parent = path[k-2]
			right = t.nodes[parent].r == ch
		}
	}
	link := func(v int32) {
		switch {
		case parent == 0:
			t.head = v
		case right:
			t.nodes[parent].r = v
		default:
			t.nodes[parent].l = v
		}
	}
	for {
		c := t.key(&t.nodes[ch])
		eb := common(p, c)
		switch {
		case eb < p.len && eb < c.len:
			ret := t.newNode(idx, p.len)
			rn := t.newNode(idx, eb)
			n := &t.nodes[rn]
			if p.bit(eb) {
				n.l, n.r = ch, ret
			} else {
				n.l, n.r = ret, ch
			}
			n.glue = true
			link(rn)
			return append(path, rn, ret)
		case eb == p.len && eb < c.len:
			ret := t.newNode(idx, p.len)
			if c.bit(eb) {
				t.nodes[ret].r = ch
			} else {
				t.nodes[ret].l = ch
			}
			link(ret)
			return append(path, ret)
		case eb == c.len && eb < p.len:
			path = append(path, ch)
			right = p.bit(eb)
			next := t.nodes[ch].l
			if right {
				next = t.nodes[ch].r
			}
			parent = ch
			if next == 0 {
				v := t.newNode(idx, p.len)
				link(v)
				return append(path, v)
			}
			ch = next
		default: // equal
			t.nodes[ch].glue = false
			return append(path, ch)
		}
	}
}

// rangeSize returns how many prefixes insertRange(p, lo, hi) would insert,
// or a number above limit when it is larger.
func rangeSize(plen, lo, hi uint8, limit int) int {
	total := 0
	for l := max(plen, lo); l <= hi && l >= plen; l++ {
		d := int(l - plen)
		if d >= 40 {
			return limit + 1
		}
		total += 1 << d
		if total > limit {
			return total
		}
		if l == 255 {
			break
		}
	}
	return total
}

// walk calls f for every node of the subtree at i in pre-order (node,
// left, right), the order bgpq4 prints in.
func (t *tree) walk(i int32, f func(*node)) {
	for i != 0 {
		n := &t.nodes[i]
		f(n)
		switch {
		case n.l != 0 && n.r != 0:
			t.walk(n.l, f)
			i = n.r
		case n.l != 0:
			i = n.l
		default:
			i = n.r
		}
	}
}

// entries calls f for every printed entry in output order: each non-glue
// node, then its chain of sons (a glue node's son is printed too).
func (t *tree) entries(f func(n *node)) {
	if t.head == 0 {
		// One node reused: a fresh one per prefix escaped to the heap
		// (f is called indirectly), one allocation per printed line.
		n := new(node)
		for i, p := range t.flat {
			*n = node{idx: int32(i), len: p.len}
			f(n)
		}
		return
	}
	t.walk(t.head, func(n *node) {
		for {
			if !n.glue {
				f(n)
			}
			if n.son == 0 {
				return
			}
			n = &t.nodes[n.son]
		}
	})
}

func (t *tree) empty() bool { return t.head == 0 && len(t.flat) == 0 }

// glueUpTo hides every node of the subtree at i whose length is <= r.
func (t *tree) glueUpTo(i int32, r uint8) {
	t.walk(i, func(m *node) {
		if m.len <= r {
			m.glue = true
		}
	})
}

// refine implements -R: every visible prefix shorter than r becomes the
// range [len, r] and hides the prefixes of length <= r below it.
func (t *tree) refine(i int32, r uint8) {
	n := &t.nodes[i]
	switch {
	case !n.glue && n.len < r:
		n.aggregate = true
		n.low, n.hi = n.len, r
		for _, c := range [2]int32{n.l, n.r} {
			if c != 0 {
				t.glueUpTo(c, r)
				t.refine(c, r)
			}
		}
	case !n.glue && n.len == r:
		for _, c := range [2]int32{n.l, n.r} {
			if c != 0 {
				t.refine(c, r)
			}
		}
	case n.glue:
		for _, c := range [2]int32{n.r, n.l} {
			if c != 0 {
				t.refine(c, r)
			}
		}
	}
}

// refineLow implements -r: every visible prefix of length <= r becomes a
// range starting at r (ending at the family's maximum unless -R made it a
// range already) and hides the prefixes of length <= r below it.
func (t *tree) refineLow(i int32, r, maxBits uint8) {
	n := &t.nodes[i]
	switch {
	case !n.glue && n.len <= r:
		if !n.aggregate {
			n.aggregate = true
			n.low, n.hi = r, maxBits
		} else {
			n.low = r
		}
		for _, c := range [2]int32{n.l, n.r} {
			if c != 0 {
				t.glueUpTo(c, r)
				t.refineLow(c, r, maxBits)
			}
		}
	case n.glue:
		for _, c := range [2]int32{n.r, n.l} {
			if c != 0 {
				t.refineLow(c, r, maxBits)
			}
		}
	}
}

// addSon adds a range entry for the prefix of node i as its son and
// returns it. It may move t.nodes.
func (t *tree) addSon(i int32, low, hi uint8) int32 {
	s := t.newNode(t.nodes[i].idx, t.nodes[i].len)
	t.nodes[s].aggregate = true
	t.nodes[s].low, t.nodes[s].hi = low, hi
	t.nodes[i].son = s
	return s
}

// aggregate implements -A, bottom-up: two sibling entries with the same
// length range become one range on their parent. The parent's own route
// joins the range only when the range starts one bit below it; otherwise
// the range becomes a second entry (son) for the parent's prefix. The
// cases, and where they stop merging, are bgpq4 1.9's
// (sx_radix_node_aggregate).
func (t *tree) aggregate(i int32) {
	if l := t.nodes[i].l; l != 0 {
		t.aggregate(l)
	}
	if r := t.nodes[i].r; r != 0 {
		t.aggregate(r)
	}
	// addSon may move t.nodes: every change through these pointers is
	// made before it is called.
	n := &t.nodes[i]
	if n.l == 0 || n.r == 0 {
		return
	}
	l, r := &t.nodes[n.l], &t.nodes[n.r]
	var ls, rs *node
	if l.son != 0 {
		ls = &t.nodes[l.son]
	}
	if r.son != 0 {
		rs = &t.nodes[r.son]
	}
	child := n.len + 1
	switch {
	case !r.aggregate && !l.aggregate && !r.glue && !l.glue && r.len == l.len:
		if r.len == child {
			n.aggregate = true
			r.glue, l.glue = true, true
			n.hi = r.len
			if n.glue {
				n.glue = false
				n.low = r.len
			} else {
				n.low = n.len
			}
		}
		if rs != nil && ls != nil && rs.aggregate && ls.aggregate &&
			rs.hi == ls.hi && rs.low == ls.low && r.len == child && l.len == child {
			low, hi := rs.low, rs.hi
			rs.glue, ls.glue = true, true
			t.addSon(i, low, hi)
		}
	case r.aggregate && l.aggregate && r.hi == l.hi && r.low == l.low:
		if r.len != child || l.len != child {
			return
		}
		switch {
		case n.glue:
			r.glue, l.glue = true, true
			n.aggregate, n.glue = true, false
			n.low, n.hi = r.low, r.hi
		case r.len == r.low:
			r.glue, l.glue = true, true
			n.aggregate = true
			n.low, n.hi = n.len, r.hi
		default:
			low, hi := r.low, r.hi
			r.glue, l.glue = true, true
			sonSon := rs != nil && ls != nil && rs.hi == ls.hi && rs.low == ls.low
			var slow, shi uint8
			if sonSon {
				slow, shi = rs.low, rs.hi
				rs.glue, ls.glue = true, true
			}
			s := t.addSon(i, low, hi)
			if sonSon {
				t.addSon(s, slow, shi)
			}
		}
	case ls != nil && r.aggregate && ls.aggregate && r.hi == ls.hi && r.low == ls.low:
		if r.len == child && l.len == child {
			t.absorb(i, r, ls)
		}
	case rs != nil && l.aggregate && rs.aggregate && l.hi == rs.hi && l.low == rs.low:
		if r.len == child && l.len == child {
			t.absorb(i, l, rs)
		}
	}
}

// absorb merges two equal aggregates, a child a of node i and the son b
// of its other child, into node i (when i is glue) or into a new son of
// i. It is the same for either side, as in bgpq4.
func (t *tree) absorb(i int32, a, b *node) {
	n := &t.nodes[i]
	low, hi := a.low, a.hi
	a.glue, b.glue = true, true
	if n.glue {
		n.aggregate, n.glue = true, false
		n.low, n.hi = low, hi
		return
	}
	t.addSon(i, low, hi)
}

// A rangeLimitError reports a prefix range that would expand to more than
// MaxRangePrefixes prefixes.
type rangeLimitError struct {
	Range  string
	Limit  int
	Before int // prefixes the ranges before this one expanded to
}

func (e *rangeLimitError) Error() string {
	if e.Before > 0 {
		return fmt.Sprintf("prefix range %s takes the prefix ranges of this run past %d prefixes in all (%d before it; bgpq4 would try to allocate them all)", e.Range, e.Limit, e.Before)
	}
	return fmt.Sprintf("prefix range %s expands to more than %d prefixes (bgpq4 would try to allocate them all)", e.Range, e.Limit)
}
