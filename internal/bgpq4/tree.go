package bgpq4

import (
	"fmt"
	"math/bits"
	"net/netip"
)

// A pfx is a prefix as a 128-bit big-endian number and a length. IPv4
// addresses sit in the top 32 bits of hi. It is masked: bits past length
// are zero.
type pfx struct {
	hi, lo uint64
	len    uint8
}

func pfxFrom(p netip.Prefix) pfx {
	p = p.Masked()
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
	return x
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
type node struct {
	p         pfx
	parent    *node
	l, r, son *node
	glue      bool
	aggregate bool
	low, hi   uint8
}

// A tree holds the prefixes of one family. Its shape, and so the order
// and the aggregation of its entries, is the one bgpq4 1.9 builds.
type tree struct {
	v6    bool
	head  *node
	count int // nodes allocated, glue included
}

func (t *tree) newNode(p pfx) *node {
	t.count++
	return &node{p: p}
}

// insert adds p (masked) to the tree.
func (t *tree) insert(p pfx) {
	if t.head == nil {
		t.head = t.newNode(p)
		return
	}
	slot := &t.head
	ch := t.head
	for {
		eb := common(p, ch.p)
		switch {
		case eb < p.len && eb < ch.p.len:
			ret := t.newNode(p)
			rn := t.newNode(p.masked(eb))
			if p.bit(eb) {
				rn.l, rn.r = ch, ret
			} else {
				rn.l, rn.r = ret, ch
			}
			rn.parent = ch.parent
			ch.parent = rn
			ret.parent = rn
			rn.glue = true
			*slot = rn
			return
		case eb == p.len && eb < ch.p.len:
			ret := t.newNode(p)
			if ch.p.bit(eb) {
				ret.r = ch
			} else {
				ret.l = ch
			}
			ret.parent = ch.parent
			ch.parent = ret
			*slot = ret
			return
		case eb == ch.p.len && eb < p.len:
			next := &ch.l
			if p.bit(eb) {
				next = &ch.r
			}
			if *next == nil {
				n := t.newNode(p)
				n.parent = ch
				*next = n
				return
			}
			slot = next
			ch = *next
		default: // equal
			ch.glue = false
			return
		}
	}
}

// rangeSize returns how many prefixes insertRange(p, lo, hi) would insert,
// or a number above limit when it is larger.
func rangeSize(plen, lo, hi uint8, limit int) int {
	total := 0
	for l := max(plen, lo); l <= hi; l++ {
		d := int(l - plen)
		if d >= 40 {
			return limit + 1
		}
		total += 1 << d
		if total > limit {
			return total
		}
	}
	return total
}

// insertRange inserts every prefix inside p with a length in [lo, hi], as
// bgpq4 does for a prefix range (it materialises them all; aggregation
// folds them back).
func (t *tree) insertRange(p pfx, lo, hi uint8) {
	if p.len >= lo {
		t.insert(p)
	}
	if p.len+1 > hi {
		return
	}
	c := p
	c.len++
	t.insertRange(c, lo, hi)
	t.insertRange(c.withBit(c.len-1), lo, hi)
}

// walk calls f for every node in pre-order (node, left, right), the order
// bgpq4 prints in.
func walk(n *node, f func(*node)) {
	for n != nil {
		f(n)
		if n.l != nil && n.r != nil {
			walk(n.l, f)
			n = n.r
		} else if n.l != nil {
			n = n.l
		} else {
			n = n.r
		}
	}
}

// entries calls f for every printed entry in output order: each non-glue
// node, then its chain of sons (a glue node's son is printed too).
func (t *tree) entries(f func(n *node)) {
	walk(t.head, func(n *node) {
		for ; n != nil; n = n.son {
			if !n.glue {
				f(n)
			}
		}
	})
}

func (t *tree) empty() bool { return t.head == nil }

// refine implements -R: every visible prefix shorter than r becomes the
// range [len, r] and hides the prefixes of length <= r below it.
func refine(n *node, r uint8) {
	switch {
	case !n.glue && n.p.len < r:
		n.aggregate = true
		n.low, n.hi = n.p.len, r
		for _, c := range []*node{n.l, n.r} {
			if c != nil {
				walk(c, func(m *node) {
					if m.p.len <= r {
						m.glue = true
					}
				})
				refine(c, r)
			}
		}
	case !n.glue && n.p.len == r:
		if n.l != nil {
			refine(n.l, r)
		}
		if n.r != nil {
			refine(n.r, r)
		}
	case n.glue:
		if n.r != nil {
			refine(n.r, r)
		}
		if n.l != nil {
			refine(n.l, r)
		}
	}
}

// refineLow implements -r: every visible prefix of length <= r becomes a
// range starting at r (ending at the family's maximum unless -R made it a
// range already) and hides the prefixes of length <= r below it.
func refineLow(n *node, r, maxBits uint8) {
	switch {
	case !n.glue && n.p.len <= r:
		if !n.aggregate {
			n.aggregate = true
			n.low, n.hi = r, maxBits
		} else {
			n.low = r
		}
		for _, c := range []*node{n.l, n.r} {
			if c != nil {
				walk(c, func(m *node) {
					if m.p.len <= r {
						m.glue = true
					}
				})
				refineLow(c, r, maxBits)
			}
		}
	case n.glue:
		if n.r != nil {
			refineLow(n.r, r, maxBits)
		}
		if n.l != nil {
			refineLow(n.l, r, maxBits)
		}
	}
}

func (t *tree) aggregated(p pfx, low, hi uint8) *node {
	n := t.newNode(p)
	n.aggregate = true
	n.low, n.hi = low, hi
	return n
}

// aggregate implements -A, bottom-up: two sibling entries with the same
// length range become one range on their parent. The parent's own route
// joins the range only when the range starts one bit below it; otherwise
// the range becomes a second entry (son) for the parent's prefix. The
// cases, and where they stop merging, are bgpq4 1.9's
// (sx_radix_node_aggregate).
func (t *tree) aggregate(n *node) {
	if n.l != nil {
		t.aggregate(n.l)
	}
	if n.r != nil {
		t.aggregate(n.r)
	}
	l, r := n.l, n.r
	if l == nil || r == nil {
		return
	}
	child := n.p.len + 1
	switch {
	case !r.aggregate && !l.aggregate && !r.glue && !l.glue && r.p.len == l.p.len:
		if r.p.len == child {
			n.aggregate = true
			r.glue, l.glue = true, true
			n.hi = r.p.len
			if n.glue {
				n.glue = false
				n.low = r.p.len
			} else {
				n.low = n.p.len
			}
		}
		if r.son != nil && l.son != nil && r.son.aggregate && l.son.aggregate &&
			r.son.hi == l.son.hi && r.son.low == l.son.low &&
			r.p.len == child && l.p.len == child {
			n.son = t.aggregated(n.p, r.son.low, r.son.hi)
			r.son.glue, l.son.glue = true, true
		}
	case r.aggregate && l.aggregate && r.hi == l.hi && r.low == l.low:
		if r.p.len != child || l.p.len != child {
			return
		}
		switch {
		case n.glue:
			r.glue, l.glue = true, true
			n.aggregate, n.glue = true, false
			n.low, n.hi = r.low, r.hi
		case r.p.len == r.low:
			r.glue, l.glue = true, true
			n.aggregate = true
			n.low, n.hi = n.p.len, r.hi
		default:
			n.son = t.aggregated(n.p, r.low, r.hi)
			r.glue, l.glue = true, true
			if r.son != nil && l.son != nil && r.son.hi == l.son.hi && r.son.low == l.son.low {
				n.son.son = t.aggregated(n.p, r.son.low, r.son.hi)
				r.son.glue, l.son.glue = true, true
			}
		}
	case l.son != nil && r.aggregate && l.son.aggregate && r.hi == l.son.hi && r.low == l.son.low:
		if r.p.len != child || l.p.len != child {
			return
		}
		if n.glue {
			r.glue, l.son.glue = true, true
			n.aggregate, n.glue = true, false
			n.low, n.hi = r.low, r.hi
		} else {
			n.son = t.aggregated(n.p, r.low, r.hi)
			r.glue, l.son.glue = true, true
		}
	case r.son != nil && l.aggregate && r.son.aggregate && l.hi == r.son.hi && l.low == r.son.low:
		if r.p.len != child || l.p.len != child {
			return
		}
		if n.glue {
			l.glue, r.son.glue = true, true
			n.aggregate, n.glue = true, false
			n.low, n.hi = l.low, l.hi
		} else {
			n.son = t.aggregated(n.p, l.low, l.hi)
			l.glue, r.son.glue = true, true
		}
	}
}

// errRangeTooLarge is wrapped by the error for a prefix range that would
// materialise more prefixes than the limit.
type rangeLimitError struct {
	Range string
	Size  int
	Limit int
}

func (e *rangeLimitError) Error() string {
	if e.Size > e.Limit {
		return fmt.Sprintf("prefix range %s expands to more than %d prefixes (bgpq4 would try to allocate them all)", e.Range, e.Limit)
	}
	return fmt.Sprintf("prefix range %s: %d prefixes", e.Range, e.Size)
}
