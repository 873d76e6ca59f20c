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
			Neighbors:   []netip.Addr{netip.MustParseAddr("192.0.2.1")},
			Role:        filtergen.RolePeer,
			Attachments: []filtergen.Attachment{{Router: "r1", Neighbors: []netip.Addr{netip.MustParseAddr("192.0.2.1")}}},
			Import: filtergen.ImportPolicy{PrefixFilter: true, OriginCheck: true, EnforceFirstAS: true,
				MaxLength: [2]int{24, 48}, Tag: filtergen.LargeCommunity{Global: 64500, Data1: filtergen.CommunityLearnedFrom, Data2: 2}},
			Export: filtergen.ExportPolicy{Own: true, Customers: true},
			Families: []*filtergen.FamilyResult{{
				Family: filtergen.IPv4, Count: n, MaxPrefix: n + n/10, Entries: entries,
			}},
		}},
	}
}

// BenchmarkRender renders 1M prefix entries per platform (the issue's
// "about a second" for ~1M entries): twelve peers of 83,334 entries, so
// that every list stays under the smallest per-list limit (Junos 85,325).
// IOS-XR takes at most 131,072 policy lines (templates refuse more), so
// it renders 120,000 entries: compare its ns/entry.
func BenchmarkRender(b *testing.B) {
	for _, platform := range templates.Platforms() {
		n := 1_000_000
		if platform == "iosxr" {
			n = 120_000
		}
		res := splitBench(n, 12)
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

// splitBench is benchResult(n) spread over peers peers.
func splitBench(n, peers int) *filtergen.Result {
	res := benchResult(n)
	all := res.Peers[0]
	res.Peers = nil
	for i := range peers {
		p := *all
		p.Name = fmt.Sprintf("TRANSIT%d", i)
		f := *all.Families[0]
		lo, hi := i*n/peers, (i+1)*n/peers
		f.Entries, f.Count = f.Entries[lo:hi], hi-lo
		p.Families = []*filtergen.FamilyResult{&f}
		res.Peers = append(res.Peers, &p)
	}
	return res
}
