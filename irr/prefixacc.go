package irr

import (
	"net/netip"
	"slices"
)

// prefixAcc accumulates prefix ranges of one family and returns them
// sorted and de-duplicated. IPv4 ranges are packed into uint64 so that
// sorting a million of them is cheap.
type prefixAcc struct {
	fam   Family
	max   int
	root  string
	v4    []uint64 // addr<<24 | bits<<16 | min<<8 | max
	v6    []v6range
	limit int // compact when the raw count passes this
	err   error
}

type v6range struct {
	hi, lo         uint64
	bits, min, max uint8
}

func cmpV6Range(a, b v6range) int {
	if c := cmpV6(v6key{a.hi, a.lo, a.bits}, v6key{b.hi, b.lo, b.bits}); c != 0 {
		return c
	}
	if a.min != b.min {
		return int(a.min) - int(b.min)
	}
	return int(a.max) - int(b.max)
}

func newPrefixAcc(fam Family, max int, root string) *prefixAcc {
	return &prefixAcc{fam: fam, max: max, root: root, limit: 2*max + 1024}
}

func (a *prefixAcc) n() int { return len(a.v4) + len(a.v6) }

// check compacts the accumulator when it grows and fails it past the
// prefix limit.
func (a *prefixAcc) check() {
	if a.n() <= a.limit || a.err != nil {
		return
	}
	a.compact()
	if a.n() > a.max {
		a.err = &LimitError{Root: a.root, Set: a.root, Limit: "prefixes", Max: a.max}
		a.v4, a.v6 = nil, nil
		return
	}
	a.limit = 2*a.n() + 1024
}

func (a *prefixAcc) compact() {
	sortUint64(a.v4)
	a.v4 = slices.Compact(a.v4)
	sortV6Ranges(a.v6)
	a.v6 = slices.Compact(a.v6)
}

// addASN adds the routes of origin v from srcs; it reports whether there
// were any.
func (a *prefixAcc) addASN(srcs []*sourceData, v uint32) bool {
	found := false
	for _, s := range srcs {
		if a.fam == IPv4 {
			keys := s.v4[v]
			found = found || len(keys) > 0
			for _, k := range keys {
				bits := k & 0xff
				a.v4 = append(a.v4, (k>>8)<<24|bits<<16|bits<<8|bits)
			}
		} else {
			keys := s.v6[v]
			found = found || len(keys) > 0
			for _, k := range keys {
				a.v6 = append(a.v6, v6range{k.hi, k.lo, k.bits, k.bits, k.bits})
			}
		}
	}
	a.check()
	return found
}

// addASNs adds the routes of every origin in asns (sorted) and returns
// those that have none. It looks each origin up once, sizes the
// accumulator once, then copies.
func (a *prefixAcc) addASNs(srcs []*sourceData, asns []uint32) (noRoutes []uint32) {
	if a.fam == IPv6 {
		for _, v := range asns {
			if !a.addASN(srcs, v) {
				noRoutes = append(noRoutes, v)
			}
			if a.err != nil {
				return nil
			}
		}
		return noRoutes
	}
	lists := make([][]uint64, 0, len(asns)*len(srcs))
	total := 0
	for _, v := range asns {
		found := false
		for _, s := range srcs {
			if keys := s.v4[v]; len(keys) > 0 {
				lists = append(lists, keys)
				total += len(keys)
				found = true
			}
		}
		if !found {
			noRoutes = append(noRoutes, v)
		}
	}
	a.v4 = slices.Grow(a.v4, total)
	for _, keys := range lists {
		for _, k := range keys {
			bits := k & 0xff
			a.v4 = append(a.v4, (k>>8)<<24|bits<<16|bits<<8|bits)
		}
	}
	a.check()
	return noRoutes
}

// addASNOps adds the routes of origin v with range operators applied
// (ops outermost first); it reports whether v has routes.
func (a *prefixAcc) addASNOps(srcs []*sourceData, v uint32, ops []RangeOp) bool {
	if len(ops) == 0 {
		return a.addASN(srcs, v)
	}
	found := false
	for _, s := range srcs {
		if a.fam == IPv4 {
			for _, k := range s.v4[v] {
				found = true
				a.addRange(ExactRange(unpackV4(k)), ops)
			}
		} else {
			for _, k := range s.v6[v] {
				found = true
				a.addRange(ExactRange(unpackV6(k)), ops)
			}
		}
	}
	return found
}

// addRange adds r with ops (outermost first) applied from the inside out.
func (a *prefixAcc) addRange(r PrefixRange, ops []RangeOp) {
	for i := len(ops) - 1; i >= 0; i-- {
		var ok bool
		if r, ok = r.Apply(ops[i]); !ok {
			return // the operators leave nothing of this member
		}
	}
	if r.Family() != a.fam {
		return
	}
	if a.fam == IPv4 {
		k := packV4(r.Prefix)
		a.v4 = append(a.v4, (k>>8)<<24|(k&0xff)<<16|uint64(r.Min)<<8|uint64(r.Max))
	} else {
		k := packV6(r.Prefix)
		a.v6 = append(a.v6, v6range{k.hi, k.lo, k.bits, r.Min, r.Max})
	}
	a.check()
}

// result returns the sorted, de-duplicated ranges, or the limit error.
func (a *prefixAcc) result() ([]PrefixRange, error) {
	if a.err != nil {
		return nil, a.err
	}
	a.compact()
	if a.n() > a.max {
		return nil, &LimitError{Root: a.root, Set: a.root, Limit: "prefixes", Max: a.max}
	}
	if a.fam == IPv4 {
		out := make([]PrefixRange, len(a.v4))
		for i, k := range a.v4 {
			addr := netip.AddrFrom4([4]byte{byte(k >> 48), byte(k >> 40), byte(k >> 32), byte(k >> 24)})
			out[i] = PrefixRange{Prefix: netip.PrefixFrom(addr, int(k>>16&0xff)), Min: uint8(k >> 8), Max: uint8(k)}
		}
		return out, nil
	}
	out := make([]PrefixRange, len(a.v6))
	for i, k := range a.v6 {
		out[i] = PrefixRange{Prefix: unpackV6(v6key{k.hi, k.lo, k.bits}), Min: k.min, Max: k.max}
	}
	return out, nil
}
