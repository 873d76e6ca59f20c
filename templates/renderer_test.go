package templates_test

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/templates"
)

// A Renderer gives Render's files byte for byte, a piece at a time, and
// its router files do not read the peers' entries (which a write path
// releases once the peer files are staged).
func TestRendererMatchesRender(t *testing.T) {
	res := benchResult(300)
	cust := &filtergen.PeerResult{Name: "CUST", ASN: 64502, Customer: true, Routers: []string{"r1"}, ASNs: []uint32{64502},
		Neighbors: []netip.Addr{netip.MustParseAddr("192.0.2.9")},
		Settings:  filtergen.Settings{Interface: "eth1", URPF: "strict", IngressACL: true, Families: []string{"ipv4"}},
		Families: []*filtergen.FamilyResult{{Family: "ipv4", Count: 1, MaxPrefix: 10, URPF: "strict",
			Entries: []filtergen.PrefixRange{{Prefix: netip.MustParsePrefix("198.51.100.0/24"), Min: 24, Max: 24}},
			ACL:     []netip.Prefix{netip.MustParsePrefix("198.51.100.0/24"), netip.MustParsePrefix("192.0.2.9/32")}}}}
	res.Peers = append(res.Peers, cust)
	for _, platform := range templates.Platforms() {
		r := filtergen.Router{Name: "r1", Platform: platform}
		res.Routers = []filtergen.Router{r}
		want, err := templates.Render(res, r, templates.Options{})
		if err != nil {
			t.Fatal(err)
		}
		rd, err := templates.NewRenderer(r, templates.Options{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]byte{}
		for _, p := range res.Peers {
			f, err := rd.Peer(res, p)
			if err != nil {
				t.Fatal(err)
			}
			got[f.Name] = f.Data
		}
		// The router files from a Result whose entries are gone.
		saved := make([][]filtergen.PrefixRange, len(res.Peers))
		for i, p := range res.Peers {
			saved[i] = p.Families[0].Entries
			p.Families[0].Entries = nil
		}
		rfs, err := rd.Router(res)
		for i, p := range res.Peers {
			p.Families[0].Entries = saved[i]
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range rfs {
			got[f.Name] = f.Data
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d files, Render gives %d", platform, len(got), len(want))
		}
		for _, f := range want {
			if !bytes.Equal(got[f.Name], f.Data) {
				t.Errorf("%s: %s differs from Render's", platform, f.Name)
			}
		}
	}
}
