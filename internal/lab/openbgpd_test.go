package lab

import (
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/templates"
)

// The openbgpd-*.json files are "bgpctl -j show rib detail" and
// "bgpctl -j show neighbor" of OpenBGPD 7.7, captured from the lab on
// transit-customer/edge4 after the import check.

func TestParseOpenBGPDRib(t *testing.T) {
	out, err := os.ReadFile(filepath.Join("testdata", "openbgpd-rib.json"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := parseOpenBGPDRib(out)
	if err != nil {
		t.Fatal(err)
	}
	wiki := netip.MustParseAddr("198.18.0.13")
	// bgpd's own networks (no neighbor address) are not a neighbor's.
	if n := len(got); n != 3 {
		t.Errorf("%d neighbors, want 3: %v", n, got)
	}
	if n := len(got[wiki]); n != 4 {
		t.Fatalf("%d routes from %s, want 4", n, wiki)
	}
	want := Route{Prefix: netip.MustParsePrefix("91.198.174.0/24"), Path: Seq(14907), NextHop: wiki, Best: true,
		LargeCommunities: []filtergen.LargeCommunity{{Global: 64496, Data1: 1000, Data2: 1}}}
	if d := cmp.Diff(want, got[wiki][0], netipCmp...); d != "" {
		t.Errorf("first route (-want +got):\n%s", d)
	}
	if _, err := parseOpenBGPDRib([]byte(`{"rib": [{"prefix": "x", "neighbor": {"remote_addr": "192.0.2.1"}}]}`)); err == nil {
		t.Error("a bad prefix: no error")
	}
	if _, err := parseOpenBGPDRib([]byte(`{"rib": [{"prefix": "192.0.2.0/24", "aspath": "1", "neighbor": {"remote_addr": "192.0.2.1"}, "large_communities": ["1:2"]}]}`)); err == nil {
		t.Error("a bad large community: no error")
	}
}

func TestParseOpenBGPDNeighbors(t *testing.T) {
	out, err := os.ReadFile(filepath.Join("testdata", "openbgpd-neighbors.json"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := parseOpenBGPDNeighbors(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 6 {
		t.Fatalf("%d sessions, want 6", len(got))
	}
	a := netip.MustParseAddr("198.18.0.13")
	want := SessionState{Name: "AS14907 Wikimedia Foundation", Neighbor: a, Established: true,
		Received: 24 + 13, Imported: 4, Exported: 1, Info: "Established"}
	if d := cmp.Diff(want, got[a], netipCmp...); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if _, err := parseOpenBGPDNeighbors([]byte(`{"neighbors": [{"remote_addr": "nope"}]}`)); err == nil {
		t.Error("a bad address: no error")
	}
}

// TestNeedsOpenBGPD reads the header keys of the rendered main file.
func TestNeedsOpenBGPD(t *testing.T) {
	for _, tc := range []struct {
		head     string
		routerID bool
		err      bool
	}{
		{"# filtergen-operator: workdir run bgpd here\n# filtergen-operator: router-id add it\nAS 1\ninclude \"r.d/x.conf\"\n", true, false},
		{"# filtergen-operator: workdir run bgpd here\nAS 1\n", false, false},
		{"# filtergen-operator: bfd add bfd\nAS 1\n", false, true},
		{"# no marker\nAS 1\ninclude \"r.d/x.conf\"\n", false, true},
	} {
		n, err := (&OpenBGPD{}).Needs(templates.File{Name: "r.conf", Data: []byte(tc.head)})
		if (err != nil) != tc.err || err == nil && n.RouterID != tc.routerID {
			t.Errorf("%q: needs %+v, err %v; want router id %v, error %v", tc.head, n, err, tc.routerID, tc.err)
		}
	}
}

// TestInteropCatchesBrokenOpenBGPDTemplate renders the generated
// transit scenario for OpenBGPD with the import rule's prefix-set match
// dropped (every prefix of a registered origin passes): the lab must
// report unregistered prefixes as accepted.
func TestInteropCatchesBrokenOpenBGPDTemplate(t *testing.T) {
	Require(t, "bgpd", "bgpctl")
	orig, err := fs.ReadFile(templates.Builtin(), "openbgpd/peer.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	match := regexp.MustCompile(`\{\{- if \$im\.PrefixFilter \}\} prefix-set \{\{ ident "PL" \$n \$sfx \}\}\{\{ else \}\} \{\{ \$af \}\}\{\{ end \}\}`)
	if !match.Match(orig) {
		t.Fatalf("openbgpd/peer.tmpl has no %q to break: update this test", match)
	}
	broken := match.ReplaceAllLiteral(orig, []byte(`{{- "" }} {{ $af }}`))
	sc := generatedScenario(t, "transit", "openbgpd", 20)
	sc.Overrides = fstest.MapFS{"openbgpd/peer.tmpl": {Data: broken}}
	tp, err := Build(t, sc, &OpenBGPD{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := tp.CheckImport()
	if err != nil {
		t.Fatal(err)
	}
	t.Log(rep.Table())
	leaked := 0
	for _, m := range rep.Mismatches {
		if m.Case == ClassUnregistered && m.Got == "accepted" {
			leaked++
		}
	}
	if leaked == 0 {
		t.Errorf("prefix-set match dropped: no unregistered route reported accepted (%d mismatches)", len(rep.Mismatches))
	}
}
