package report_test

import (
	"io"
	"net/netip"
	"testing"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/report"
)

// bigResult is one transit-like peer with n accepted IPv4 /24s (every
// eighth with a covering /21) and n/16 dropped ones.
func bigResult(n int) *filtergen.Result {
	fr := &filtergen.FamilyResult{Family: filtergen.IPv4, Count: n, MaxPrefix: 2 * n}
	for i := range n {
		a := netip.AddrFrom4([4]byte{byte(20 + i>>16), byte(i >> 8), byte(i), 0})
		if i%8 == 0 {
			fr.Accepted = append(fr.Accepted, acc(netip.PrefixFrom(a, 21).Masked().String(), uint32(100+i%50), "RIPE", valid))
		}
		st := notFound
		if i%3 == 0 {
			st = valid
		}
		fr.Accepted = append(fr.Accepted, acc(netip.PrefixFrom(a, 24).String(), uint32(100+i%50), "RADB", st))
		if i%16 == 0 {
			fr.Dropped = append(fr.Dropped, drop(netip.PrefixFrom(a, 25).String(), 100, "RADB", notFound, filtergen.DropTooLong))
		}
	}
	for _, a := range fr.Accepted {
		fr.Entries = append(fr.Entries, a.Range)
	}
	return &filtergen.Result{LocalAS: 65000, Routers: []filtergen.Router{{Name: "r1", Platform: "junos"}},
		Peers: []*filtergen.PeerResult{{Name: "T", ASN: 100, Role: filtergen.RolePeer, Routers: []string{"r1"},
			Import: filtergen.ImportPolicy{PrefixFilter: true, OriginCheck: true}, Families: []*filtergen.FamilyResult{fr}}}}
}

func BenchmarkBuild(b *testing.B) {
	res := bigResult(1 << 20)
	b.ReportAllocs()
	for b.Loop() {
		r, err := report.Build(res, report.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := r.WriteJSON(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
