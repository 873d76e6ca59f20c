package bgpq4

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
)

// matched is the slow reference: the set of prefixes a list of entries
// permits, enumerated one by one.
func matched(t *tree) map[netip.Prefix]bool {
	m := map[netip.Prefix]bool{}
	t.entries(func(n *node) {
		e := t.entry(n)
		var walkLen func(p netip.Prefix)
		walkLen = func(p netip.Prefix) {
			if uint8(p.Bits()) >= e.Low() {
				m[p] = true
			}
			if uint8(p.Bits()) >= e.High() {
				return
			}
			lo := netip.PrefixFrom(p.Addr(), p.Bits()+1)
			walkLen(lo)
			hi := pfxFrom(lo)
			walkLen(hi.withBit(hi.len - 1).prefix(t.v6))
		}
		walkLen(e.Prefix)
	})
	return m
}

// Aggregation never changes what the list permits: the entries after -A
// match exactly the prefixes inserted. (bgpq4's -A only ever folds
// siblings with equal ranges, so this must hold for every input.)
func TestAggregatePreservesMatches(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	base := netip.MustParsePrefix("10.0.0.0/22")
	for iter := 0; iter < 2000; iter++ {
		want := map[netip.Prefix]bool{}
		tr := &tree{}
		n := 1 + rng.IntN(40)
		for i := 0; i < n; i++ {
			l := 22 + rng.IntN(6)
			a := base.Addr().As4()
			off := rng.Uint32() & (1<<10 - 1)
			v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | off
			p := netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), l).Masked()
			want[p] = true
			tr.add(pfxFrom(p))
		}
		tr.finish(true)
		before := matched(tr)
		tr.aggregate(tr.head)
		got := matched(tr)
		if !mapsEqual(before, want) || !mapsEqual(got, want) {
			keys := slices.Collect(func(yield func(netip.Prefix) bool) {
				for p := range want {
					if !yield(p) {
						return
					}
				}
			})
			t.Fatalf("iteration %d: inserted %v: %d matched before -A, %d after, want %d", iter, keys, len(before), len(got), len(want))
		}
	}
}

func mapsEqual(a, b map[netip.Prefix]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// The tree prints in ascending (address, length) order with duplicates
// removed, whatever the insertion order.
func TestTreeOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for iter := 0; iter < 200; iter++ {
		var ps []netip.Prefix
		for i := 0; i < 50; i++ {
			b := make([]byte, 16)
			for j := range b[:4] {
				b[j] = byte(rng.IntN(4))
			}
			b[0] = 0x20
			a := netip.AddrFrom16([16]byte(b))
			ps = append(ps, netip.PrefixFrom(a, 8+rng.IntN(40)).Masked())
		}
		tr := &tree{v6: true}
		for _, p := range ps {
			tr.add(pfxFrom(p))
		}
		tr.finish(true)
		var got []netip.Prefix
		tr.entries(func(n *node) { got = append(got, tr.prefixOf(n)) })
		want := slices.Clone(ps)
		slices.SortFunc(want, func(a, b netip.Prefix) int {
			if c := a.Addr().Compare(b.Addr()); c != 0 {
				return c
			}
			return a.Bits() - b.Bits()
		})
		want = slices.Compact(want)
		if !slices.Equal(got, want) {
			t.Fatalf("iteration %d:\ngot  %v\nwant %v", iter, got, want)
		}
		// Without -A/-R/-r no tree is built; the flat path must print
		// the same entries.
		fl := &tree{v6: true}
		for _, p := range ps {
			fl.add(pfxFrom(p))
		}
		fl.finish(false)
		var flat []netip.Prefix
		fl.entries(func(n *node) { flat = append(flat, fl.prefixOf(n)) })
		if !slices.Equal(flat, want) {
			t.Fatalf("iteration %d: flat path\ngot  %v\nwant %v", iter, flat, want)
		}
	}
}

func TestPfxRoundTrip(t *testing.T) {
	for _, s := range []string{"0.0.0.0/0", "10.0.0.0/8", "255.255.255.255/32", "::/0", "2001:db8::/32", "2001:db8:0:1:8000::/65", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"} {
		p := netip.MustParsePrefix(s)
		if got := pfxFrom(p).prefix(p.Addr().Is6()); got != p {
			t.Errorf("%s: round trip gives %s", s, got)
		}
	}
	a, b := pfxFrom(netip.MustParsePrefix("2001:db8::/64")), pfxFrom(netip.MustParsePrefix("2001:db8:0:0:8000::/65"))
	if c := common(a, b); c != 64 {
		t.Errorf("common = %d, want 64", c)
	}
}
