package templates_test

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/templates"
)

// benchResult is one peer with n IPv4 /24 filter entries, the size of a
// full-table transit customer.
func benchResult(n int) *filtergen.Result {
	entries := make([]filtergen.PrefixRange, n)
	for i := range entries {
		a := netip.AddrFrom4([4]byte{byte(1 + i>>16), byte(i >> 8), byte(i), 0})
		entries[i] = filtergen.PrefixRange{Prefix: netip.PrefixFrom(a, 24), Min: 24, Max: 24}
	}
	return &filtergen.Result{
		LocalAS: 64500,
		Peers: []*filtergen.PeerResult{{
			Name: "TRANSIT", ASN: 64501, Routers: []string{"r1"}, ASNs: []uint32{64501},
			Neighbors: []netip.Addr{netip.MustParseAddr("192.0.2.1")},
			Families: []*filtergen.FamilyResult{{
				Family: "ipv4", Count: n, MaxPrefix: n + n/10, Entries: entries,
			}},
		}},
	}
}

// BenchmarkRender renders a peer with 1M prefix entries per platform (the
// issue's "about a second" for ~1M entries).
func BenchmarkRender(b *testing.B) {
	const n = 1_000_000
	res := benchResult(n)
	for _, platform := range []string{"bird2", "junos"} {
		b.Run(fmt.Sprintf("%s/%d", platform, n), func(b *testing.B) {
			b.ReportAllocs()
			size := 0
			for b.Loop() {
				files, err := templates.Render(res, filtergen.Router{Name: "r1", Platform: platform}, templates.Options{})
				if err != nil {
					b.Fatal(err)
				}
				size = 0
				for _, f := range files {
					size += len(f.Data)
				}
			}
			b.SetBytes(int64(size))
		})
	}
}
