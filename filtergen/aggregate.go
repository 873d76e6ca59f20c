package filtergen

import (
	"cmp"
	"encoding/binary"
	"math/bits"
	"net/netip"
	"slices"

	"github.com/filtergen/filtergen/irr"
)

// PrefixRange is a filter entry: the prefixes inside Prefix whose length
// is between Min and Max (the "ge" and "le" of Cisco syntax).
type PrefixRange = irr.PrefixRange

// Aggregate returns the shortest list of prefix ranges it can find that
// matches exactly the same routes (prefix and length) as rs: no route
// more and no route less. All ranges must be of one family and valid;
// invalid ranges are ignored. The result is sorted by address, then
// length.
//
// It merges what bgpq4 -A merges (siblings into their parent with a
// raised lower bound, a prefix with its covered more-specifics into a
// range) and also the cases bgpq4 misses (bgpq4 issues 82, 118 and 119):
// for every route length it finds the largest prefixes all of whose
// sub-prefixes of that length are present, then covers each prefix's
// lengths with as few contiguous ranges as possible.
//
// The list is usually shorter than bgpq4 -A's and never matches a
// different route, but it is not always minimal: covering each length
// with the largest prefixes first can cost an entry where bgpq4's
// bottom-up merge does better (nine routes under 85.0.0.0/21 give three
// entries here and two from bgpq4; see TestAggregateAgainstBGPQ4).
func Aggregate(rs []PrefixRange) []PrefixRange {
	if len(rs) == 0 {
		return nil
	}
	t := newTrie(len(rs))
	for _, r := range rs {
		if !r.IsValid() {
			continue
		}
		t.family = r.Family()
		t.addOwn(t.insert(r.Prefix), interval(int(r.Min), int(r.Max)))
	}
	if len(t.owns) == 0 {
		return nil
	}
	var out []PrefixRange
	full := t.walk(0, [16]byte{}, 0, lenset{}, &out)
	t.emit([16]byte{}, 0, full, lenset{}, &out)
	sortRanges(out)
	return out
}

// sortRanges sorts rs of one family as compareRange does. A full table's
// filter has a million entries, which a comparison sort took about a
// second of CPU to order, so large lists are radix sorted on packed keys:
// the address in two words, then length, Min and Max in a third.
func sortRanges(rs []PrefixRange) {
	if len(rs) < 1024 {
		slices.SortFunc(rs, compareRange)
		return
	}
	type key struct{ hi, lo, small uint64 }
	ks := make([]key, len(rs))
	for i, r := range rs {
		a := r.Prefix.Addr().As16()
		ks[i] = key{binary.BigEndian.Uint64(a[:8]), binary.BigEndian.Uint64(a[8:]),
			uint64(r.Prefix.Bits())<<16 | uint64(r.Min)<<8 | uint64(r.Max)}
	}
	is4 := rs[0].Prefix.Addr().Is4()
	tmp := make([]key, len(ks))
	src, dst := ks, tmp
	var count [1 << 11]int
	for _, word := range []func(*key) uint64{
		func(k *key) uint64 { return k.small },
		func(k *key) uint64 { return k.lo },
		func(k *key) uint64 { return k.hi },
	} {
		// A stable LSD pass per 11-bit digit, skipped when every key has
		// the same digit (the high words of IPv4 addresses).
		for shift := uint(0); shift < 64; shift += 11 {
			clear(count[:])
			for i := range src {
				count[(word(&src[i])>>shift)&0x7ff]++
			}
			if count[(word(&src[0])>>shift)&0x7ff] == len(src) {
				continue
			}
			sum := 0
			for i, c := range count {
				count[i] = sum
				sum += c
			}
			for i := range src {
				d := (word(&src[i]) >> shift) & 0x7ff
				dst[count[d]] = src[i]
				count[d]++
			}
			src, dst = dst, src
		}
	}
	for i, k := range src {
		var a netip.Addr
		if is4 {
			a = netip.AddrFrom4([4]byte{byte(k.lo >> 24), byte(k.lo >> 16), byte(k.lo >> 8), byte(k.lo)})
		} else {
			var b [16]byte
			binary.BigEndian.PutUint64(b[:8], k.hi)
			binary.BigEndian.PutUint64(b[8:], k.lo)
			a = netip.AddrFrom16(b)
		}
		rs[i] = PrefixRange{Prefix: netip.PrefixFrom(a, int(k.small>>16)), Min: uint8(k.small >> 8), Max: uint8(k.small)}
	}
}

func compareRange(a, b PrefixRange) int {
	if c := a.Prefix.Addr().Compare(b.Prefix.Addr()); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Prefix.Bits(), b.Prefix.Bits()); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Min, b.Min); c != 0 {
		return c
	}
	return cmp.Compare(a.Max, b.Max)
}

// CIDRUnion returns the smallest list of prefixes that covers exactly the
// addresses the given prefixes cover: for packet filters, where a prefix
// stands for all its addresses and lengths do not matter. Prefixes of both
// families may be mixed; the result is sorted, IPv4 first.
func CIDRUnion(ps []netip.Prefix) []netip.Prefix {
	var out []netip.Prefix
	for _, fam := range []irr.Family{irr.IPv4, irr.IPv6} {
		t := newTrie(len(ps))
		t.family = fam
		any := false
		for _, p := range ps {
			if !p.IsValid() || irr.FamilyOf(p) != fam {
				continue
			}
			p = p.Masked()
			any = true
			t.addOwn(t.insert(p), lenset{1}) // marks "all addresses covered"
		}
		if !any {
			continue
		}
		t.covered = make([]bool, len(t.nodes))
		t.union(0)
		t.emitUnion(0, [16]byte{}, 0, &out)
	}
	slices.SortFunc(out, func(a, b netip.Prefix) int {
		if c := a.Addr().Compare(b.Addr()); c != 0 {
			return c
		}
		return cmp.Compare(a.Bits(), b.Bits())
	})
	return out
}

// lenset is a set of prefix lengths 0..128.
type lenset [3]uint64

func interval(lo, hi int) lenset {
	var s lenset
	for w := range 3 {
		a, b := max(lo, w*64), min(hi, w*64+63)
		if a > b {
			continue
		}
		n := b - a + 1
		var m uint64
		if n == 64 {
			m = ^uint64(0)
		} else {
			m = (uint64(1)<<n - 1) << (a - w*64)
		}
		s[w] = m
	}
	return s
}

func (s lenset) or(t lenset) lenset     { return lenset{s[0] | t[0], s[1] | t[1], s[2] | t[2]} }
func (s lenset) and(t lenset) lenset    { return lenset{s[0] & t[0], s[1] & t[1], s[2] & t[2]} }
func (s lenset) andNot(t lenset) lenset { return lenset{s[0] &^ t[0], s[1] &^ t[1], s[2] &^ t[2]} }
func (s lenset) empty() bool            { return s[0]|s[1]|s[2] == 0 }
func (s lenset) has(l int) bool         { return s[l/64]&(1<<(l%64)) != 0 }

// next returns the smallest member ≥ from, or -1.
func (s lenset) next(from int) int {
	for w := from / 64; w < 3; w++ {
		m := s[w]
		if w == from/64 {
			m &^= (uint64(1) << (from % 64)) - 1
		}
		if m != 0 {
			return w*64 + bits.TrailingZeros64(m)
		}
	}
	return -1
}

// nextGap returns the smallest non-member ≥ from (at most 129).
func (s lenset) nextGap(from int) int {
	for l := from; l <= 128; l++ {
		if !s.has(l) {
			return l
		}
	}
	return 129
}

// trieNode is one node of a binary trie over prefixes. It is kept small
// (12 bytes) because a full table makes millions of them: lengths of input
// ranges live in trie.owns, only for the nodes that have some.
type trieNode struct {
	child [2]int32 // 0 means none (the root is never a child)
	own   int32    // 1-based index into trie.owns; 0: no input range here
}

type trie struct {
	family  irr.Family
	nodes   []trieNode
	owns    []lenset
	covered []bool // CIDRUnion: every address of the node is covered
}

func newTrie(hint int) *trie {
	return &trie{nodes: make([]trieNode, 1, min(hint*4+1, 1<<24))}
}

// addOwn adds lengths s to the input ranges at node n.
func (t *trie) addOwn(n int32, s lenset) {
	if i := t.nodes[n].own; i != 0 {
		t.owns[i-1] = t.owns[i-1].or(s)
		return
	}
	t.owns = append(t.owns, s)
	t.nodes[n].own = int32(len(t.owns))
}

func (t *trie) ownOf(n int32) lenset {
	if i := t.nodes[n].own; i != 0 {
		return t.owns[i-1]
	}
	return lenset{}
}

// bitAt returns bit i (0 = most significant) of a.
func bitAt(a *[16]byte, i int) int { return int(a[i/8]>>(7-i%8)) & 1 }

func (t *trie) insert(p netip.Prefix) int32 {
	a := p.Addr().As16()
	off := 0
	if p.Addr().Is4() {
		off = 96
	}
	n := int32(0)
	for i := 0; i < p.Bits(); i++ {
		b := bitAt(&a, off+i)
		c := t.nodes[n].child[b]
		if c == 0 {
			t.nodes = append(t.nodes, trieNode{})
			c = int32(len(t.nodes) - 1)
			t.nodes[n].child[b] = c
		}
		n = c
	}
	return n
}

// walk computes, post-order, the lengths l at which every sub-prefix of
// length l of node n is matched ("full"), given the lengths inherited
// from ancestors' ranges, and emits the entries n's children need once
// n's own full set is known. It returns n's full set.
func (t *trie) walk(n int32, a [16]byte, depth int, inherited lenset, out *[]PrefixRange) lenset {
	nd := t.nodes[n]
	inh := inherited.or(t.ownOf(n)).and(interval(depth, t.family.MaxBits()))
	full := inh
	var f [2]lenset
	var addr [2][16]byte
	for b, c := range nd.child {
		if c != 0 {
			addr[b] = t.withBit(a, depth, b)
			f[b] = t.walk(c, addr[b], depth+1, inh, out)
		}
	}
	if nd.child[0] != 0 && nd.child[1] != 0 {
		full = full.or(f[0].and(f[1]))
	}
	for b, c := range nd.child {
		if c != 0 {
			t.emit(addr[b], depth+1, f[b], full, out)
		}
	}
	return full
}

// emit appends the entries a node needs: for each length at which it is
// the largest full prefix (full but not in its parent's full set), one
// range per run of full lengths.
func (t *trie) emit(a [16]byte, depth int, full, parentFull lenset, out *[]PrefixRange) {
	need := full.andNot(parentFull)
	if need.empty() {
		return
	}
	p := t.pfx(a, depth)
	for l := need.next(0); l >= 0; {
		end := full.nextGap(l) - 1
		last := l
		for m := need.next(l); m >= 0 && m <= end; m = need.next(m + 1) {
			last = m
		}
		*out = append(*out, PrefixRange{Prefix: p, Min: uint8(l), Max: uint8(last)})
		if end+1 > 128 {
			break
		}
		l = need.next(end + 1)
	}
}

// union marks the nodes whose addresses are all covered.
func (t *trie) union(n int32) bool {
	nd := t.nodes[n]
	if nd.own != 0 {
		t.covered[n] = true
		return true
	}
	c0, c1 := nd.child[0], nd.child[1]
	a := c0 != 0 && t.union(c0)
	b := c1 != 0 && t.union(c1)
	if a && b {
		t.covered[n] = true
		return true
	}
	return false
}

func (t *trie) emitUnion(n int32, a [16]byte, depth int, out *[]netip.Prefix) {
	if t.covered[n] {
		*out = append(*out, t.pfx(a, depth))
		return
	}
	for b, c := range t.nodes[n].child {
		if c != 0 {
			t.emitUnion(c, t.withBit(a, depth, b), depth+1, out)
		}
	}
}

// pfx builds the prefix of length depth from the path bits in a.
func (t *trie) pfx(a [16]byte, depth int) netip.Prefix {
	if t.family == irr.IPv4 {
		return netip.PrefixFrom(netip.AddrFrom4([4]byte(a[12:16])), depth)
	}
	return netip.PrefixFrom(netip.AddrFrom16(a), depth)
}

// withBit returns a with bit depth (counted in the family's address) set to b.
func (t *trie) withBit(a [16]byte, depth, b int) [16]byte {
	i := depth
	if t.family == irr.IPv4 {
		i += 96
	}
	if b == 1 {
		a[i/8] |= 1 << (7 - i%8)
	}
	return a
}

// LongestMatchSafe rewrites a filter for platforms that match a route
// only against the entries with the longest prefix covering it (Junos
// route-filters, vendors.md §1.2): a more specific entry there hides a
// broader one whose range would have matched. Each entry's prefix gets
// the lengths that its covering entries allow below it, so the result
// matches under longest-match exactly the routes rs matches under
// any-match. Input and output are sorted as Aggregate sorts; no new
// prefixes are introduced.
func LongestMatchSafe(rs []PrefixRange) []PrefixRange {
	if len(rs) == 0 {
		return nil
	}
	if !slices.IsSortedFunc(rs, compareRange) { // Aggregate's output is
		rs = slices.Clone(rs)
		slices.SortFunc(rs, compareRange)
	}
	type frame struct {
		p    netip.Prefix
		lens lenset
	}
	var stack []frame
	out := make([]PrefixRange, 0, len(rs))
	for i := 0; i < len(rs); {
		p := rs[i].Prefix
		maxBits := p.Addr().BitLen()
		var own lenset
		j := i
		for ; j < len(rs) && rs[j].Prefix == p; j++ {
			if rs[j].IsValid() {
				own = own.or(interval(int(rs[j].Min), int(rs[j].Max)))
			}
		}
		i = j
		for len(stack) > 0 && !(stack[len(stack)-1].p.Bits() < p.Bits() && stack[len(stack)-1].p.Contains(p.Addr()) &&
			stack[len(stack)-1].p.Addr().Is4() == p.Addr().Is4()) {
			stack = stack[:len(stack)-1]
		}
		eff := own
		if len(stack) > 0 {
			eff = eff.or(stack[len(stack)-1].lens.and(interval(p.Bits(), maxBits)))
		}
		stack = append(stack, frame{p, eff})
		for l := eff.next(0); l >= 0; {
			end := eff.nextGap(l) - 1
			out = append(out, PrefixRange{Prefix: p, Min: uint8(l), Max: uint8(end)})
			if end >= 128 {
				break
			}
			l = eff.next(end + 1)
		}
	}
	return out
}
