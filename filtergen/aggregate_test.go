package filtergen

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/filtergen/filtergen/irr"
)

// matchSlow is the brute-force matcher: does any range in rs contain route p?
func matchSlow(rs []PrefixRange, p netip.Prefix) bool {
	for _, r := range rs {
		if r.Contains(p) {
			return true
		}
	}
	return false
}

// allRoutes lists every prefix (and length) inside base up to maxLen.
func allRoutes(base netip.Prefix, maxLen int) []netip.Prefix {
	var out []netip.Prefix
	var walk func(p netip.Prefix)
	walk = func(p netip.Prefix) {
		out = append(out, p)
		if p.Bits() == maxLen {
			return
		}
		a := p.Addr()
		lo := netip.PrefixFrom(a, p.Bits()+1)
		hi := netip.PrefixFrom(setBit(a, p.Bits()), p.Bits()+1)
		walk(lo)
		walk(hi)
	}
	walk(base)
	return out
}

func setBit(a netip.Addr, i int) netip.Addr {
	b := a.As16()
	if a.Is4() {
		i += 96
	}
	b[i/8] |= 1 << (7 - i%8)
	if a.Is4() {
		return netip.AddrFrom4([4]byte(b[12:]))
	}
	return netip.AddrFrom16(b)
}

func randomRanges(rng *rand.Rand, base netip.Prefix, maxLen, n int) []PrefixRange {
	routes := allRoutes(base, maxLen)
	var rs []PrefixRange
	for range n {
		p := routes[rng.IntN(len(routes))]
		lo := p.Bits() + rng.IntN(maxLen-p.Bits()+1)
		hi := lo
		if rng.IntN(3) == 0 {
			hi = lo + rng.IntN(maxLen-lo+1)
		}
		if rng.IntN(2) == 0 {
			lo, hi = p.Bits(), p.Bits()
		}
		rs = append(rs, PrefixRange{Prefix: p, Min: uint8(lo), Max: uint8(hi)})
	}
	return rs
}

// TestAggregateLossless is the property test: on random inputs inside a
// small universe, the aggregated list matches exactly the routes the input
// matches, checked route by route against the brute-force matcher.
func TestAggregateLossless(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	bases := []struct {
		base   netip.Prefix
		maxLen int
	}{
		{netip.MustParsePrefix("10.0.0.0/24"), 30},
		{netip.MustParsePrefix("2001:db8::/118"), 126},
		{netip.MustParsePrefix("0.0.0.0/28"), 32},
	}
	shrunk := 0
	for iter := range 600 {
		b := bases[iter%len(bases)]
		rs := randomRanges(rng, b.base, b.maxLen, 1+rng.IntN(40))
		agg := Aggregate(rs)
		for _, r := range agg {
			if !r.IsValid() {
				t.Fatalf("invalid range %v in output", r)
			}
		}
		if !slices.IsSortedFunc(agg, compareRange) {
			t.Fatalf("output not sorted: %v", agg)
		}
		for _, p := range allRoutes(b.base, b.maxLen) {
			if matchSlow(rs, p) != matchSlow(agg, p) {
				t.Fatalf("route %v: input matches %v, aggregate matches %v\ninput %v\nagg %v",
					p, matchSlow(rs, p), matchSlow(agg, p), rs, agg)
			}
		}
		// Outside the universe nothing may match.
		if len(agg) > len(rs) {
			t.Fatalf("aggregate longer than input: %d > %d\n%v\n%v", len(agg), len(rs), rs, agg)
		}
		if len(agg) < len(rs) {
			shrunk++
		}
	}
	if shrunk < 100 {
		t.Errorf("aggregation shortened only %d of 600 random lists", shrunk)
	}
}

func TestAggregateCases(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"siblings", []string{"192.0.2.0/25", "192.0.2.128/25"}, []string{"192.0.2.0/24^25"}},
		{"parent and children", []string{"192.0.2.0/24", "192.0.2.0/25", "192.0.2.128/25"}, []string{"192.0.2.0/24^24-25"}},
		{"four quarters and a half", []string{"192.0.2.0/26", "192.0.2.64/26", "192.0.2.128/26", "192.0.2.192/26", "192.0.2.0/25"},
			[]string{"192.0.2.0/24^26", "192.0.2.0/25"}},
		{"covered by range", []string{"192.0.2.0/24^+", "192.0.2.0/25"}, []string{"192.0.2.0/24^+"}},
		// bgpq4 issue 118 shape: lengths 24 and 25 everywhere under a /23
		{"two levels", []string{"10.0.0.0/24", "10.0.1.0/24", "10.0.0.0/25", "10.0.0.128/25", "10.0.1.0/25", "10.0.1.128/25"},
			[]string{"10.0.0.0/23^24-25"}},
		{"not siblings", []string{"10.0.1.0/24", "10.0.2.0/24"}, []string{"10.0.1.0/24", "10.0.2.0/24"}},
		{"gap in lengths", []string{"10.0.0.0/24", "10.0.0.0/26", "10.0.0.64/26", "10.0.0.128/26", "10.0.0.192/26"},
			[]string{"10.0.0.0/24", "10.0.0.0/24^26"}},
		{"v6", []string{"2001:db8::/33", "2001:db8:8000::/33"}, []string{"2001:db8::/32^33"}},
		{"duplicates", []string{"10.0.0.0/24", "10.0.0.0/24"}, []string{"10.0.0.0/24"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in []PrefixRange
			for _, s := range tt.in {
				r, err := irr.ParsePrefixRange(s)
				if err != nil {
					t.Fatal(err)
				}
				in = append(in, r)
			}
			var got []string
			for _, r := range Aggregate(in) {
				got = append(got, r.String())
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			}
		})
	}
}

// coveredSlow reports whether address a is inside any of ps.
func coveredSlow(ps []netip.Prefix, a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// TestCIDRUnion checks address by address that the union covers exactly
// the input's addresses, and that no two output prefixes could be merged
// or overlap (so it is the smallest such list).
func TestCIDRUnion(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	base := netip.MustParsePrefix("10.0.0.0/24")
	routes := allRoutes(base, 32)
	for range 300 {
		var in []netip.Prefix
		for range 1 + rng.IntN(30) {
			in = append(in, routes[rng.IntN(len(routes))])
		}
		in = append(in, netip.MustParsePrefix("2001:db8::/48"), netip.MustParsePrefix("2001:db8:1::/48"))
		out := CIDRUnion(in)
		for a := base.Addr(); base.Contains(a); a = a.Next() {
			if coveredSlow(in, a) != coveredSlow(out, a) {
				t.Fatalf("address %v: input %v, union %v\n%v\n%v", a, coveredSlow(in, a), coveredSlow(out, a), in, out)
			}
		}
		if out[len(out)-1] != netip.MustParsePrefix("2001:db8::/47") {
			t.Fatalf("v6 siblings not merged: %v", out)
		}
		for i := range out {
			for j := range out {
				if i != j && out[i].Overlaps(out[j]) {
					t.Fatalf("overlap %v %v", out[i], out[j])
				}
				if i != j && out[i].Bits() == out[j].Bits() && out[i].Bits() > 0 {
					pi, _ := out[i].Addr().Prefix(out[i].Bits() - 1)
					pj, _ := out[j].Addr().Prefix(out[j].Bits() - 1)
					if pi == pj {
						t.Fatalf("siblings %v %v not merged", out[i], out[j])
					}
				}
			}
		}
	}
}

// matchLongest is the Junos route-filter matcher: only the entries with
// the longest prefix covering p count.
func matchLongest(rs []PrefixRange, p netip.Prefix) bool {
	best := -1
	for _, r := range rs {
		if r.Prefix.Bits() <= p.Bits() && r.Prefix.Contains(p.Addr()) && r.Prefix.Addr().Is4() == p.Addr().Is4() {
			best = max(best, r.Prefix.Bits())
		}
	}
	for _, r := range rs {
		if r.Prefix.Bits() == best && r.Contains(p) {
			return true
		}
	}
	return false
}

// TestLongestMatchSafe checks on random aggregated filters that
// longest-match over the rewritten list matches exactly what any-match
// over the input matches, and that the problem it fixes does occur.
func TestLongestMatchSafe(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	base := netip.MustParsePrefix("10.0.0.0/24")
	shadowed := 0
	for range 400 {
		rs := Aggregate(randomRanges(rng, base, 30, 1+rng.IntN(30)))
		safe := LongestMatchSafe(rs)
		differs := false
		for _, p := range allRoutes(base, 30) {
			if matchSlow(rs, p) != matchLongest(safe, p) {
				t.Fatalf("route %v: any-match %v, longest-match after rewrite %v\nin %v\nout %v", p, matchSlow(rs, p), matchLongest(safe, p), rs, safe)
			}
			if matchSlow(safe, p) != matchSlow(rs, p) {
				t.Fatalf("rewrite changed the any-match set at %v", p)
			}
			differs = differs || matchSlow(rs, p) != matchLongest(rs, p)
		}
		if differs {
			shadowed++
		}
	}
	if shadowed == 0 {
		t.Error("no random filter had a shadowed entry; the test proves nothing")
	}
	t.Logf("%d of 400 aggregated filters would have been wrong under longest-match", shadowed)
}

func TestSortRanges(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, bitLen := range []int{32, 128} {
		// Above the size where sortRanges switches to the radix sort,
		// addresses from the whole space, and equal prefixes that differ
		// only in Min or Max.
		var rs []PrefixRange
		for range 5000 {
			var b [16]byte
			for i := range b {
				b[i] = byte(rng.IntN(4)) << 6 // few distinct values: many ties
			}
			a := netip.AddrFrom16(b)
			if bitLen == 32 {
				a = netip.AddrFrom4([4]byte(b[:4]))
			}
			bits := rng.IntN(bitLen + 1)
			lo := bits + rng.IntN(bitLen-bits+1)
			hi := lo + rng.IntN(bitLen-lo+1)
			rs = append(rs, PrefixRange{Prefix: netip.PrefixFrom(a, bits).Masked(), Min: uint8(lo), Max: uint8(hi)})
		}
		want := slices.Clone(rs)
		slices.SortFunc(want, compareRange)
		sortRanges(rs)
		if diff := cmp.Diff(want, rs, cmpopts.EquateComparable(netip.Prefix{})); diff != "" {
			t.Errorf("IPv%d (-SortFunc +sortRanges):\n%s", map[int]int{32: 4, 128: 6}[bitLen], diff)
		}
	}
}
