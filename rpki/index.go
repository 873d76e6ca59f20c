package rpki

import (
	"net/netip"
	"slices"
)

// index finds the VRPs covering a route. VRP prefixes form a laminar
// family (two prefixes are nested or disjoint), so with the prefixes
// sorted by (first address, length) and each linked to its nearest
// enclosing prefix, the covering prefixes of a route are the enclosing
// chain of the last prefix sorted at or before it. A 16-bit first-level
// table narrows the binary search to a few entries.
//
// It replaces a bart.Table walked with Supernets (or repeated
// LookupPrefixLPM): on 800,000 VRPs the sorted arrays are smaller and
// touch fewer cache lines, which is what validation of a million routes
// is bound by (see BenchmarkValidate).
type index struct {
	v4, v6 family
	vrps   []VRP
}

type u128 struct{ hi, lo uint64 }

func (a u128) less(b u128) bool { return a.hi < b.hi || a.hi == b.hi && a.lo < b.lo }

func addrKey(a netip.Addr) u128 {
	if a.Is4() {
		b := a.As4()
		return u128{0, uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])}
	}
	b := a.As16()
	var k u128
	for i := range 8 {
		k.hi = k.hi<<8 | uint64(b[i])
		k.lo = k.lo<<8 | uint64(b[8+i])
	}
	return k
}

// A family indexes the prefixes of one address family. IPv4 search keys
// pack address and length into one uint64 so a binary search step is one
// comparison on a dense array; IPv6 keys are the address with the length
// beside it. Everything else about a prefix sits in one entry, so a
// lookup touches few cache lines.
type family struct {
	width   int
	keys4   []uint64 // IPv4: address<<8 | length, sorted
	keys6   []u128   // IPv6: first address, sorted with len6
	len6    []uint8
	entries []entry
	top     []uint32 // top[h]: first entry whose 16 high bits are >= h; len 65537
}

// An entry is one prefix. The first VRP's max length and ASN are copied
// in, so the usual single-VRP prefix is decided without touching the VRP.
type entry struct {
	parent int32 // nearest enclosing prefix, or -1
	first  int32 // index of the first VRP in Set.vrps
	n      int32 // number of VRPs with this prefix
	asn    uint32
	maxLen uint8
}

// contains reports whether prefix i contains address k.
func (f *family) contains(i int, k u128) bool {
	if f.width == 32 {
		key := f.keys4[i]
		host := 32 - uint(key&0xff)
		return (key>>8)>>host == k.lo>>host
	}
	s, host := f.keys6[i], 128-uint(f.len6[i])
	switch {
	case host == 128:
		return true
	case host >= 64:
		return s.hi>>(host-64) == k.hi>>(host-64)
	case host == 0:
		return s == k
	}
	return s.hi == k.hi && s.lo>>host == k.lo>>host
}

func (f *family) len() int { return len(f.entries) }

func (f *family) high16(i int) uint32 {
	if f.width == 32 {
		return uint32(f.keys4[i] >> 24)
	}
	return uint32(f.keys6[i].hi >> 48)
}

func (f *family) start(i int) u128 {
	if f.width == 32 {
		return u128{0, f.keys4[i] >> 8}
	}
	return f.keys6[i]
}

// add appends a prefix; calls must come in (start, length) order.
func (f *family) add(p netip.Prefix, first int, group []VRP) {
	k := addrKey(p.Addr())
	if f.width == 32 {
		f.keys4 = append(f.keys4, k.lo<<8|uint64(p.Bits()))
	} else {
		f.keys6 = append(f.keys6, k)
		f.len6 = append(f.len6, uint8(p.Bits()))
	}
	f.entries = append(f.entries, entry{first: int32(first), n: int32(len(group)), asn: group[0].ASN, maxLen: group[0].MaxLen})
}

func (f *family) finish() {
	n := f.len()
	stack := make([]int32, 0, 129)
	for i := range n {
		// Pop the prefixes that end before this one starts.
		for len(stack) > 0 && !f.contains(int(stack[len(stack)-1]), f.start(i)) {
			stack = stack[:len(stack)-1]
		}
		f.entries[i].parent = -1
		if len(stack) > 0 {
			f.entries[i].parent = stack[len(stack)-1]
		}
		stack = append(stack, int32(i))
	}
	f.top = make([]uint32, 1<<16+1)
	j := 0
	for h := range 1 << 16 {
		for j < n && f.high16(j) < uint32(h) {
			j++
		}
		f.top[h] = uint32(j)
	}
	f.top[1<<16] = uint32(n)
	f.keys4, f.keys6, f.len6 = slices.Clip(f.keys4), slices.Clip(f.keys6), slices.Clip(f.len6)
	f.entries = slices.Clip(f.entries)
}

// last returns the last entry sorted at or before (k, plen), or -1.
func (f *family) last(k u128, plen uint8) int {
	var lo, hi int
	if f.width == 32 {
		key := k.lo<<8 | uint64(plen)
		h := uint32(k.lo >> 16)
		lo, hi = int(f.top[h]), int(f.top[h+1])
		keys := f.keys4
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if keys[m] <= key {
				lo = m + 1
			} else {
				hi = m
			}
		}
	} else {
		h := uint32(k.hi >> 48)
		lo, hi = int(f.top[h]), int(f.top[h+1])
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			s := f.keys6[m]
			if s.less(k) || s == k && f.len6[m] <= plen {
				lo = m + 1
			} else {
				hi = m
			}
		}
	}
	return lo - 1
}

func newIndex(vrps []VRP) index {
	ix := index{v4: family{width: 32}, v6: family{width: 128}, vrps: vrps}
	for i := 0; i < len(vrps); {
		j := i + 1
		for j < len(vrps) && vrps[j].Prefix == vrps[i].Prefix {
			j++
		}
		f := &ix.v6
		if vrps[i].Prefix.Addr().Is4() {
			f = &ix.v4
		}
		f.add(vrps[i].Prefix, i, vrps[i:j:j])
		i = j
	}
	ix.v4.finish()
	ix.v6.finish()
	return ix
}

// covering calls fn with each prefix that covers route (a masked,
// unmapped, valid prefix), longest first, until fn returns false.
func (ix *index) covering(route netip.Prefix, fn func(*entry) bool) {
	f := &ix.v6
	if route.Addr().Is4() {
		f = &ix.v4
	}
	if f.len() == 0 {
		return
	}
	k := addrKey(route.Addr())
	g := f.last(k, uint8(route.Bits()))
	for g >= 0 && !f.contains(g, k) {
		g = int(f.entries[g].parent)
	}
	for g >= 0 {
		e := &f.entries[g]
		if !fn(e) {
			return
		}
		g = int(e.parent)
	}
}

// group returns the VRPs of e.
func (ix *index) group(e *entry) []VRP {
	return ix.vrps[e.first : e.first+e.n : e.first+e.n]
}
