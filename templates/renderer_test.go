package templates_test

import (
	"bytes"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"testing"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/templates"
)

// stream renders router r of res as a write path (package outdir) does
// with a Renderer: each peer's file as the peer comes, its filter entries
// then released, except the peers that wait (Renderer.Waits), whose files
// render from Renderer.Whole once every peer is known; then the router's
// own files, from a Result whose released entries are gone. It puts the
// entries back before returning the files by name.
func stream(t *testing.T, res *filtergen.Result, r filtergen.Router) map[string][]byte {
	t.Helper()
	rd, err := templates.NewRenderer(r, templates.Options{})
	if err != nil {
		t.Fatal(err)
	}
	saved := map[*filtergen.FamilyResult][]filtergen.PrefixRange{}
	defer func() {
		for f, es := range saved {
			f.Entries = es
		}
	}()
	got := map[string][]byte{}
	var waiting []*filtergen.PeerResult
	for _, p := range res.Peers {
		if rd.Waits(p) {
			if _, err := rd.Peer(res, p); err == nil {
				t.Errorf("%s: the Renderer rendered %s, whose file waits for the router's other peers", r.Platform, p.Name)
			}
			waiting = append(waiting, p)
			continue
		}
		f, err := rd.Peer(res, p)
		if err != nil {
			t.Fatal(err)
		}
		got[f.Name] = f.Data
		for _, fr := range p.Families {
			saved[fr], fr.Entries = fr.Entries, nil
		}
	}
	whole, err := rd.Whole(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range waiting {
		f, err := whole.Peer(res, p)
		if err != nil {
			t.Fatal(err)
		}
		got[f.Name] = f.Data
		for _, fr := range p.Families {
			saved[fr], fr.Entries = fr.Entries, nil
		}
	}
	rfs, err := whole.Router(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rfs {
		got[f.Name] = f.Data
	}
	return got
}

// sameFiles fails t unless got holds exactly the files of want.
func sameFiles(t *testing.T, platform string, got map[string][]byte, want []templates.File) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d files, Render gives %d", platform, len(got), len(want))
	}
	for _, f := range want {
		if !bytes.Equal(got[f.Name], f.Data) {
			t.Errorf("%s: %s differs from Render's:\n%s\nRender:\n%s", platform, f.Name, got[f.Name], f.Data)
		}
	}
}

// customer is a customer on r1 with an ingress ACL in IPv4 and no IPv6:
// on the SR OS classic CLI it has an IPv4 filter and a deny-all IPv6
// filter, whose preferred ID depends on its name alone.
func customer(name string, asn uint32, i int) *filtergen.PeerResult {
	pfx := netip.PrefixFrom(netip.AddrFrom4([4]byte{198, 51, byte(i), 0}), 24)
	nb := netip.AddrFrom4([4]byte{192, 0, 2, byte(i)})
	acl := []netip.Prefix{netip.PrefixFrom(nb, 32), pfx}
	return &filtergen.PeerResult{Name: name, ASN: asn, Customer: true, Role: filtergen.RoleCustomer,
		Routers: []string{"r1"}, ASNs: []uint32{asn}, Neighbors: []netip.Addr{nb},
		Settings: filtergen.Settings{Interface: "eth" + strconv.Itoa(i), URPF: "strict", IngressACL: true, Families: []filtergen.Family{filtergen.IPv4}},
		Families: []*filtergen.FamilyResult{{Family: filtergen.IPv4, Count: 1, MaxPrefix: 10, URPF: "strict",
			Entries: []filtergen.PrefixRange{{Prefix: pfx, Min: 24, Max: 24}}, ACL: acl}},
		AntiSpoofing: []filtergen.AntiSpoof{
			{Family: filtergen.IPv4, URPF: "strict", IngressACL: true, ACL: acl},
			{Family: filtergen.IPv6, URPF: "strict", IngressACL: true, DenyAll: true},
		},
	}
}

// A Renderer gives Render's files byte for byte, a piece at a time, and
// its router files do not read the peers' entries (which a write path
// releases once the peer files are staged).
func TestRendererMatchesRender(t *testing.T) {
	res := benchResult(300)
	res.Peers = append(res.Peers, customer("CUST", 64502, 9))
	for _, platform := range templates.Platforms() {
		r := filtergen.Router{Name: "r1", Platform: platform}
		res.Routers = []filtergen.Router{r}
		want, err := templates.Render(res, r, templates.Options{})
		if err != nil {
			t.Fatal(err)
		}
		sameFiles(t, platform, stream(t, res, r), want)
	}
}

// TestRendererSROSFilterCollision puts on one SR OS classic router two
// customers whose deny-all IPv6 filters prefer the same ID, the second
// of them first in the policy. Streamed, the router's files are Render's
// byte for byte: the first customer by name keeps the ID, the second is
// moved to the next one, and the two filters stay apart.
func TestRendererSROSFilterCollision(t *testing.T) {
	seen := map[int]string{}
	var a, b string
	for i := 0; a == ""; i++ {
		name := fmt.Sprintf("C%d", i)
		h := templates.SROSFilterHash(name, filtergen.IPv6, nil, true)
		if other, ok := seen[h]; ok {
			a, b = other, name
		}
		seen[h] = name
	}
	if a > b {
		a, b = b, a
	}
	t.Logf("the IPv6 filters of %s and %s prefer the same ID", a, b)
	res := benchResult(10)
	res.Peers = append(res.Peers, customer(b, 64502, 2), customer("OTHER", 64503, 3), customer(a, 64504, 4))
	r := filtergen.Router{Name: "r1", Platform: "sros-classic"}
	res.Routers = []filtergen.Router{r}
	want, err := templates.Render(res, r, templates.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := stream(t, res, r)
	sameFiles(t, r.Platform, got, want)
	v6 := regexp.MustCompile(`(?m)^ +ipv6-filter (\d+) `)
	id := func(peer string) int {
		m := v6.FindSubmatch(got[templates.PeerFile("r1", peer)])
		if m == nil {
			t.Fatalf("no ipv6-filter in the file of %s:\n%s", peer, got[templates.PeerFile("r1", peer)])
		}
		n, _ := strconv.Atoi(string(m[1]))
		return n
	}
	preferred := 10000 + templates.SROSFilterHash(a, filtergen.IPv6, nil, true)
	if id(a) != preferred || id(b) != preferred+1 {
		t.Errorf("IPv6 filters of %s and %s are %d and %d; want %d (preferred) and %d (the next free ID)",
			a, b, id(a), id(b), preferred, preferred+1)
	}
}
