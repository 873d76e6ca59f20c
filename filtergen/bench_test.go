package filtergen

import (
	"math/rand/v2"
	"net/netip"
	"testing"
)

// benchRanges returns n random exact IPv4 routes of lengths 16-24, about
// half of them in adjacent pairs so that aggregation has work to do.
func benchRanges(n int) []PrefixRange {
	rng := rand.New(rand.NewPCG(11, 13))
	out := make([]PrefixRange, 0, n)
	for len(out) < n {
		bits := 16 + rng.IntN(9)
		a := netip.AddrFrom4([4]byte{byte(1 + rng.IntN(222)), byte(rng.IntN(256)), byte(rng.IntN(256)), 0})
		p, _ := a.Prefix(bits)
		out = append(out, PrefixRange{Prefix: p, Min: uint8(bits), Max: uint8(bits)})
		if rng.IntN(2) == 0 && len(out) < n {
			// its sibling, which merges with it into the parent
			s := p.Addr().As4()
			bit := 32 - bits
			v := uint32(s[0])<<24 | uint32(s[1])<<16 | uint32(s[2])<<8 | uint32(s[3])
			v ^= 1 << bit
			q := netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), bits)
			out = append(out, PrefixRange{Prefix: q, Min: uint8(bits), Max: uint8(bits)})
		}
	}
	return out
}

func BenchmarkAggregate(b *testing.B) {
	in := benchRanges(1_000_000)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n = len(Aggregate(in))
	}
	b.ReportMetric(float64(n), "entries")
}

func BenchmarkCIDRUnion(b *testing.B) {
	rs := benchRanges(1_000_000)
	in := make([]netip.Prefix, len(rs))
	for i, r := range rs {
		in[i] = r.Prefix
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n = len(CIDRUnion(in))
	}
	b.ReportMetric(float64(n), "prefixes")
}

func BenchmarkLongestMatchSafe(b *testing.B) {
	agg := Aggregate(benchRanges(1_000_000))
	b.ReportAllocs()
	for b.Loop() {
		LongestMatchSafe(agg)
	}
}
