package lab

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/rpki"
	"github.com/filtergen/filtergen/templates"
)

var netipCmp = []cmp.Option{cmp.Comparer(func(x, y netip.Addr) bool { return x == y }),
	cmp.Comparer(func(x, y netip.Prefix) bool { return x == y })}

// The testdata files are BIRD 2.0.12 output captured from a lab run,
// trimmed, with a non-best route, a truncated path and an empty path
// added to bird-routes.txt.

func TestParseBIRDProtocols(t *testing.T) {
	out, err := os.ReadFile(filepath.Join("testdata", "bird-protocols.txt"))
	if err != nil {
		t.Fatal(err)
	}
	got := parseBIRDProtocols(out)
	want := map[netip.Addr]SessionState{
		netip.MustParseAddr("192.0.2.10"): {Name: "BGP_MEMA_V4_0", Neighbor: netip.MustParseAddr("192.0.2.10"),
			Established: true, Received: 35, Imported: 3, Exported: 6, Info: "Established"},
		netip.MustParseAddr("2001:db8:1::10"): {Name: "BGP_MEMA_V6_0", Neighbor: netip.MustParseAddr("2001:db8:1::10"),
			Established: true, Received: 35, Imported: 3, Exported: 6, Info: "Established"},
	}
	if d := cmp.Diff(want, got, netipCmp...); d != "" {
		t.Errorf("parseBIRDProtocols (-want +got):\n%s", d)
	}
}

func TestParseBIRDRoutes(t *testing.T) {
	out, err := os.ReadFile(filepath.Join("testdata", "bird-routes.txt"))
	if err != nil {
		t.Fatal(err)
	}
	a, c, a6 := netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("192.0.2.30"), netip.MustParseAddr("2001:db8:1::10")
	got, err := parseBIRDRoutes(out, map[string]netip.Addr{"BGP_MEMA_V4_0": a, "BGP_MEMC_V4_0": c, "BGP_MEMA_V6_0": a6})
	if err != nil {
		t.Fatal(err)
	}
	tag := []filtergen.LargeCommunity{{Global: 59999, Data1: 1000, Data2: 5}}
	pfx := netip.MustParsePrefix
	nh := netip.MustParseAddr
	want := map[netip.Addr][]Route{
		c: {
			{Prefix: pfx("45.18.0.0/24"), Path: Seq(212003), NextHop: nh("192.0.2.30"), Best: true, LargeCommunities: tag},
			{Prefix: pfx("45.18.1.0/24"), Path: Seq(212003, 212013), NextHop: nh("192.0.2.30"), Best: true, LargeCommunities: tag},
			{Prefix: pfx("45.18.2.0/24"), Path: Seq(212003), NextHop: nh("192.0.2.30"), Best: true},
		},
		a: {{Prefix: pfx("45.18.2.0/24"), NextHop: nh("192.0.2.10"), PathTruncated: true,
			Path: Path{{ASNs: []uint32{212001}}, {Set: true, ASNs: []uint32{64500, 64501}},
				{ASNs: []uint32{212011, 212011, 212011, 212011, 212011, 212011, 212011, 212011, 212011, 212011}}}}},
		a6: {{Prefix: pfx("2a0a:0:1::/48"), Path: Path{}, NextHop: nh("2001:db8:1::10"), Best: true}},
	}
	if d := cmp.Diff(want, got, netipCmp...); d != "" {
		t.Errorf("parseBIRDRoutes (-want +got):\n%s", d)
	}
}

func TestBIRDNeeds(t *testing.T) {
	tests := []struct {
		name, header string
		want         Needs
		wantErr      bool
	}{
		{"operator lines", "# x\n# filtergen-operator: router-id add \"router id\"\n# filtergen-operator: kernel export\n# filtergen-operator: bfd x\nroa4 table FG_ROA4;\n",
			Needs{RouterID: true, Kernel: true, BFD: true}, false},
		{"unknown key", "# filtergen-operator: gizmo configure it\n", Needs{}, true},
		{"empty key", "# filtergen-operator:\n", Needs{}, true},
		{"prose before the marker", "# Include this file from bird.conf after \"router id\" and the RPKI protocol, if any.\nroa4 table FG_ROA4;\nroa6 table FG_ROA6;\n",
			Needs{RouterID: true, RTR: true, ROATables: []string{"FG_ROA4", "FG_ROA6"}}, false},
		{"prose without ROA tables", "# add the RPKI protocol\n", Needs{}, true},
		{"nothing", "# filtergen configuration\nrouter id 192.0.2.1;\n", Needs{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := (&BIRD{}).Needs(templates.File{Name: "r.conf", Data: []byte(tt.header)})
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			got.Lines = nil
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("Needs (-want +got):\n%s", d)
			}
		})
	}
}

func TestModelExpect(t *testing.T) {
	peer := &filtergen.PeerResult{Name: "P", ASN: 211100, ASNs: []uint32{211100, 211101},
		Families: []*filtergen.FamilyResult{{Family: filtergen.IPv4, Entries: []filtergen.PrefixRange{
			{Prefix: netip.MustParsePrefix("45.0.0.0/22"), Min: 22, Max: 24}}}},
		Import: filtergen.ImportPolicy{PrefixFilter: true, OriginCheck: true, RejectEmptyPath: true, MaxPathLength: 64,
			RejectASSet: true, EnforceFirstAS: true, EnforceNextHop: true, RejectBogons: true, RejectBogonASNs: true,
			RejectRPKIInvalid: true, RejectDefault: true, RejectOwnPrefixes: true},
	}
	res := &filtergen.Result{LocalAS: 59999, RPKI: &filtergen.RPKIInfo{},
		Own: []filtergen.OwnFamily{{Family: filtergen.IPv4, Entries: []filtergen.PrefixRange{{Prefix: netip.MustParsePrefix("45.0.3.0/24"), Min: 24, Max: 24}}}}}
	nb := netip.MustParseAddr("192.0.2.10")
	p := netip.MustParsePrefix
	long := make([]uint32, 65)
	for i := range long {
		long[i] = 211100
	}
	tests := []struct {
		name  string
		route Route
		want  bool
	}{
		{"accepted", Route{Prefix: p("45.0.0.0/23"), Path: Seq(211100, 211101)}, true},
		{"too long", Route{Prefix: p("45.0.0.0/25"), Path: Seq(211100)}, false},
		{"too short", Route{Prefix: p("45.0.0.0/21"), Path: Seq(211100)}, false},
		{"bogon", Route{Prefix: p("10.0.0.0/24"), Path: Seq(211100)}, false},
		{"default", Route{Prefix: p("0.0.0.0/0"), Path: Seq(211100)}, false},
		{"own space", Route{Prefix: p("45.0.3.0/24"), Path: Seq(211100)}, false},
		{"wrong origin", Route{Prefix: p("45.0.0.0/24"), Path: Seq(211100, 3356)}, false},
		{"wrong first AS", Route{Prefix: p("45.0.0.0/24"), Path: Seq(3356, 211100)}, false},
		{"bogon ASN", Route{Prefix: p("45.0.0.0/24"), Path: Seq(211100, 64512, 211101)}, false},
		{"empty", Route{Prefix: p("45.0.0.0/24"), Path: Path{}}, false},
		{"overlong", Route{Prefix: p("45.0.0.0/24"), Path: Seq(long...)}, false},
		{"AS_SET at the end", Route{Prefix: p("45.0.0.0/24"), Path: Path{{ASNs: []uint32{211100}}, {Set: true, ASNs: []uint32{211101}}}}, false},
		{"foreign next hop", Route{Prefix: p("45.0.0.0/24"), Path: Seq(211100), NextHop: netip.MustParseAddr("192.0.2.11")}, false},
		{"own next hop", Route{Prefix: p("45.0.0.0/24"), Path: Seq(211100), NextHop: nb}, true},
		{"RPKI invalid", Route{Prefix: p("45.0.1.0/24"), Path: Seq(211100)}, false},
		{"RPKI valid", Route{Prefix: p("45.0.1.0/24"), Path: Seq(211100, 211101)}, true},
	}
	m := &Model{Result: res}
	m.Extra = append(m.Extra, rpkiVRP("45.0.1.0/24", 24, 211101))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := m.Expect(peer, nb, tt.route)
			if got != tt.want {
				t.Errorf("Expect(%s %s) = %v (%s), want %v", tt.route.Prefix, tt.route.Path, got, why, tt.want)
			}
		})
	}
	// The legacy reading has no path hygiene: an AS_SET in the middle
	// passes when the origin does.
	m.Legacy = true
	mid := Route{Prefix: p("45.0.0.0/24"), Path: Path{{ASNs: []uint32{211100}}, {Set: true, ASNs: []uint32{3356}}, {ASNs: []uint32{211101}}}}
	if ok, why := m.Expect(peer, nb, mid); !ok {
		t.Errorf("legacy: AS_SET in the middle rejected: %s", why)
	}
}

func FuzzParsePath(f *testing.F) {
	for _, s := range []string{"", "(empty)", "1 2 3", "1 {2 3} 4", "{1}", "1 2..."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePath(s)
		if err != nil {
			return
		}
		q, err := ParsePath(p.String())
		if err != nil {
			t.Fatalf("ParsePath(%q) = %v, whose String %q does not parse: %v", s, p, p.String(), err)
		}
		if q.String() != p.String() {
			t.Fatalf("round trip of %q: %q then %q", s, p, q)
		}
	})
}

func rpkiVRP(prefix string, maxLen uint8, asn uint32) rpki.VRP {
	return rpki.VRP{Prefix: netip.MustParsePrefix(prefix), MaxLen: maxLen, ASN: asn}
}

// The frr-*.json and frr-rpki.txt files are FRR 8.4.4 output captured
// from a lab run (vtysh -N NAME -c ...), trimmed; frr-routes4.json has a
// second, non-best path with an AS_SET added by hand.

func TestParseFRRNeighbors(t *testing.T) {
	out, err := os.ReadFile(filepath.Join("testdata", "frr-neighbors.json"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := parseFRRNeighbors(out)
	if err != nil {
		t.Fatal(err)
	}
	want := map[netip.Addr]SessionState{
		netip.MustParseAddr("192.0.2.10"): {Name: "192.0.2.10", Neighbor: netip.MustParseAddr("192.0.2.10"),
			Established: true, Received: 19, ReceivedMessages: true, Imported: 4, Exported: 14, Info: "Established"},
		netip.MustParseAddr("192.0.2.20"): {Name: "192.0.2.20", Neighbor: netip.MustParseAddr("192.0.2.20"),
			Established: true, Received: 20, ReceivedMessages: true, Imported: 101, Exported: 14, Info: "Established"},
	}
	if d := cmp.Diff(want, got, netipCmp...); d != "" {
		t.Errorf("parseFRRNeighbors (-want +got):\n%s", d)
	}
	if _, err := parseFRRNeighbors([]byte("% Unknown command")); err == nil {
		t.Error("parseFRRNeighbors accepted vtysh's error text")
	}
}

func TestParseFRRRoutes(t *testing.T) {
	out, err := os.ReadFile(filepath.Join("testdata", "frr-routes4.json"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[netip.Addr][]Route{}
	if err := parseFRRRoutes(out, got); err != nil {
		t.Fatal(err)
	}
	p := netip.MustParsePrefix("45.16.0.0/24")
	want := map[netip.Addr][]Route{
		// The router's own 45.60.0.0/22 (sourced) is no neighbor's.
		netip.MustParseAddr("203.0.113.1"): {{Prefix: p, Path: Seq(211001), NextHop: netip.MustParseAddr("203.0.113.1"), Best: true,
			LargeCommunities: []filtergen.LargeCommunity{{Global: 59999, Data1: 1000, Data2: 1}}}},
		netip.MustParseAddr("192.0.2.10"): {{Prefix: p, Path: Path{{ASNs: []uint32{211003}}, {Set: true, ASNs: []uint32{211013, 211023}}},
			NextHop:          netip.MustParseAddr("192.0.2.10"),
			LargeCommunities: []filtergen.LargeCommunity{{Global: 59999, Data1: 1000, Data2: 2}, {Global: 65000, Data1: 1, Data2: 2}}}},
	}
	if d := cmp.Diff(want, got, netipCmp...); d != "" {
		t.Errorf("parseFRRRoutes (-want +got):\n%s", d)
	}
}

func TestFRRROACount(t *testing.T) {
	out, err := os.ReadFile(filepath.Join("testdata", "frr-rpki.txt"))
	if err != nil {
		t.Fatal(err)
	}
	m := frrPrefixCount.FindAllSubmatch(out, -1)
	if len(m) != 2 || string(m[0][1]) != "6" || string(m[1][1]) != "5" {
		t.Errorf("prefix counts in frr-rpki.txt: %q", m)
	}
}

func TestFRRNeeds(t *testing.T) {
	main := templates.File{Name: "r1.conf", Data: []byte("! filtergen configuration\n" +
		"! filtergen-operator: router-id add \"bgp router-id A.B.C.D\"\n" +
		"! filtergen-operator: bfd run bfdd\n" +
		"! filtergen-operator: rpki-module start bgpd with \"-M rpki\"\n" +
		"frr defaults traditional\n! filtergen-operator: not-header\n")}
	n, err := (&FRR{}).needs(main)
	if err != nil {
		t.Fatal(err)
	}
	if !n.RouterID || !n.BFD || !n.rpkiModule || len(n.Lines) != 3 {
		t.Errorf("needs = %+v", n)
	}
	main.Data = []byte("! filtergen-operator: gtsm add a filter\nfrr defaults traditional\n")
	if _, err := (&FRR{}).needs(main); err == nil {
		t.Error("an unknown header key was accepted")
	}
	conf, m, err := frrConfig([]templates.File{
		{Name: "r1.d/B.conf", Peer: "B", Data: []byte("! B\n")},
		{Name: "r1.conf", Data: []byte("! main\n")},
		{Name: "r1.nft", Data: []byte("table inet x {}\n")},
		{Name: "r1.d/A.conf", Peer: "A", Data: []byte("! A\n")},
	})
	if err != nil || m.Name != "r1.conf" || conf != "! main\n! A\n! B\n" {
		t.Errorf("frrConfig = %q, %q, %v", conf, m.Name, err)
	}
}
