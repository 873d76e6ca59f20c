package filtergen_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/irr"
)

// loadRouteSources reads testdata/route-sources.rpsl: AS-CUST and RS-CUST
// exist in SETA and SETB with different members, route objects are spread
// over RTA, RTB, RTC and the set sources.
func loadRouteSources(t *testing.T) *irr.Registry {
	t.Helper()
	reg, err := irr.LoadFiles(context.Background(), irr.LoadOptions{}, "testdata/route-sources.rpsl")
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// TestCompileRouteSources proves that sets come from the first listed set
// source that has them and route objects only from the route sources, with
// the registry in memory and through an IRRd client, for AS-SETs, ASNs and
// route-sets.
func TestCompileRouteSources(t *testing.T) {
	reg := loadRouteSources(t)
	addr := serveRegistry(t, reg)
	type acc struct{ Range, Source, Origin string }
	tests := []struct {
		name         string
		sources      string
		routeSources string
		announce     string
		want         map[string][]acc // family -> accepted
		wantASNs     []uint32
	}{
		{
			name: "SETA first, routes from RTA and RTB", sources: "[SETA, SETB]", routeSources: "[RTA, RTB]",
			announce: "[AS-CUST]", wantASNs: []uint32{1000, 1001, 1002},
			want: map[string][]acc{
				"ipv4": {
					{"11.0.0.0/16", "RTA", "AS1000"},
					{"11.1.0.0/16", "RTA", "AS1000"},
					{"11.1.0.0/16", "RTB", "AS1000"},
					{"12.0.0.0/16", "RTB", "AS1001"},
					{"13.0.0.0/16", "RTA", "AS1002"}, // AS-NESTED exists only in SETB
				},
				"ipv6": {{"2a00:1000::/36", "RTB", "AS1000"}},
			},
		},
		{
			name: "SETB first takes SETB's copy of the set", sources: "[SETB, SETA]", routeSources: "[RTA, RTB]",
			announce: "[AS-CUST]", wantASNs: []uint32{1000, 9999},
			want: map[string][]acc{
				"ipv4": {
					{"11.0.0.0/16", "RTA", "AS1000"},
					{"11.1.0.0/16", "RTA", "AS1000"},
					{"11.1.0.0/16", "RTB", "AS1000"},
					{"99.0.0.0/16", "RTA", "AS9999"},
				},
				"ipv6": {{"2a00:1000::/36", "RTB", "AS1000"}},
			},
		},
		{
			name: "one route source", sources: "[SETA, SETB]", routeSources: "[RTB]",
			announce: "[AS-CUST]", wantASNs: []uint32{1000, 1001, 1002},
			want: map[string][]acc{
				"ipv4": {
					{"11.1.0.0/16", "RTB", "AS1000"},
					{"12.0.0.0/16", "RTB", "AS1001"},
				},
				"ipv6": {{"2a00:1000::/36", "RTB", "AS1000"}},
			},
		},
		{
			name: "an ASN looks in the route sources only", sources: "[SETA]", routeSources: "[RTC]",
			announce: "[AS1000, AS1001]", wantASNs: []uint32{1000, 1001},
			want: map[string][]acc{
				"ipv4": {{"19.0.0.0/16", "RTC", "AS1001"}},
				"ipv6": {{"2a00:9000::/36", "RTC", "AS1000"}},
			},
		},
		{
			name: "no route_sources means the set sources", sources: "[SETA, SETB]", routeSources: "[]",
			announce: "[AS1000]", wantASNs: []uint32{1000},
			want: map[string][]acc{
				"ipv4": {{"18.0.0.0/16", "SETA", "AS1000"}},
			},
		},
		{
			name: "route-set from the first set source", sources: "[SETA, SETB]", routeSources: "[RTA]",
			announce: "[RS-CUST]", wantASNs: []uint32{1000}, // the peer originates route-set members
			want: map[string][]acc{
				"ipv4": {{"31.0.0.0/16", "SETA", ""}, {"31.1.0.0/16^17", "SETA", ""}},
			},
		},
		{
			name: "route-set from SETB when listed first", sources: "[SETB, SETA]", routeSources: "[RTA]",
			announce: "[RS-CUST]", wantASNs: []uint32{1000}, // the peer originates route-set members
			want: map[string][]acc{
				"ipv4": {{"39.0.0.0/16", "SETB", ""}},
			},
		},
	}
	// IRRd's !g, !6 and !i replies do not say which source an object
	// came from, so through a client the Source field is empty and a
	// prefix in two route sources is one candidate.
	backends := []struct {
		name     string
		irr      func() irr.Expander
		noSource bool
	}{
		{"registry", func() irr.Expander { return reg }, false},
		{"irrd client", func() irr.Expander {
			return &irr.Client{Servers: []string{addr}}
		}, true},
		{"irrd client, server-side expansion", func() irr.Expander {
			return &irr.Client{Servers: []string{addr}}
		}, true},
	}
	for _, b := range backends {
		for _, tt := range tests {
			t.Run(b.name+"/"+tt.name, func(t *testing.T) {
				pol := mustPolicy(t, fmt.Sprintf(`version: 2
local_as: 3000
irr: {dumps: [x.rpsl], sources: %s, route_sources: %s}
routers: [{name: r1, platform: bird2}]
defaults: {drop_bogon_asns: false}
peers:
  - {name: P, asn: 1000, announce: %s}
`, tt.sources, tt.routeSources, tt.announce))
				ex := b.irr()
				if c, ok := ex.(*irr.Client); ok {
					defer c.Close()
				}
				res, err := filtergen.Compile(context.Background(), pol, filtergen.CompileOptions{IRR: ex})
				if err != nil {
					t.Fatal(err)
				}
				p := res.Peers[0]
				got := map[string][]acc{}
				for _, f := range p.Families {
					for _, a := range f.Accepted {
						o := ""
						if a.Origin != 0 {
							o = fmt.Sprintf("AS%d", a.Origin)
						}
						got[f.Family.String()] = append(got[f.Family.String()], acc{a.Range.String(), a.Source, o})
					}
				}
				want := tt.want
				if b.noSource {
					want = map[string][]acc{}
					for fam, as := range tt.want {
						for _, a := range as {
							a.Source = ""
							if n := len(want[fam]); n == 0 || want[fam][n-1] != a {
								want[fam] = append(want[fam], a)
							}
						}
					}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("accepted (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(tt.wantASNs, p.ASNs); diff != "" {
					t.Errorf("ASNs (-want +got):\n%s", diff)
				}
			})
		}
	}
}
