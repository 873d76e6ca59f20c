package irr

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// routesSlow is the reference for Registry.Routes: every route object of
// the given origins and family from the given sources, de-duplicated and
// sorted with sortRoutes.
func routesSlow(all []Route, asns []uint32, fam Family, sources []string) []Route {
	var out []Route
	for _, r := range all {
		if FamilyOf(r.Prefix) == fam && slices.Contains(asns, r.Origin) &&
			(len(sources) == 0 || slices.Contains(sources, r.Source)) {
			out = append(out, r)
		}
	}
	sortRoutes(out)
	return slices.Compact(out)
}

func TestRoutesMatchesSlow(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sources := []string{"RIPE", "ARIN", "RADB"} // not in name order
	var all []Route
	var b strings.Builder
	for range 3000 {
		var p netip.Prefix
		if rng.IntN(3) == 0 {
			a := [16]byte{0x20, 0x01, 0x0d, 0xb8, byte(rng.IntN(4)), byte(rng.IntN(256))}
			p = netip.PrefixFrom(netip.AddrFrom16(a), 32+rng.IntN(17)).Masked()
			fmt.Fprintf(&b, "route6: %s\n", p)
		} else {
			a := [4]byte{byte(1 + rng.IntN(3)), byte(rng.IntN(4)), byte(rng.IntN(256)), 0}
			p = netip.PrefixFrom(netip.AddrFrom4(a), 8+rng.IntN(17)).Masked()
			fmt.Fprintf(&b, "route: %s\n", p)
		}
		// Few origins and sources, so that the same prefix recurs with
		// other origins and sources, and as exact duplicates.
		origin := uint32(1 + rng.IntN(40))
		if rng.IntN(10) == 0 {
			origin += 70000 << 8 // a 4-byte ASN
		}
		src := sources[rng.IntN(len(sources))]
		fmt.Fprintf(&b, "origin: AS%d\nsource: %s\n\n", origin, src)
		all = append(all, Route{Prefix: p, Origin: origin, Source: src})
	}
	reg := loadString(t, LoadOptions{}, b.String())
	var asns []uint32
	for n := uint32(1); n <= 40; n += 2 {
		asns = append(asns, n, n+70000<<8)
	}
	for _, srcs := range [][]string{nil, {"RIPE"}, {"RADB", "ARIN"}} {
		for _, fam := range []Family{IPv4, IPv6} {
			got, err := reg.Routes(context.Background(), asns, fam, &ExpandOptions{Sources: srcs})
			if err != nil {
				t.Fatal(err)
			}
			want := routesSlow(all, asns, fam, srcs)
			if len(want) < 100 {
				t.Fatalf("sources %v %s: only %d routes; the test data is too thin", srcs, fam, len(want))
			}
			if diff := cmp.Diff(want, got, cmpopts.EquateComparable(netip.Prefix{})); diff != "" {
				t.Errorf("sources %v %s (-slow +Routes):\n%s", srcs, fam, diff)
			}
		}
	}
	if got, err := reg.Routes(context.Background(), []uint32{99}, IPv4, nil); err != nil || got != nil {
		t.Errorf("no routes: got %v, %v; want nil, nil", got, err)
	}
}
