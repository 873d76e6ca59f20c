package templates_test

import (
	"bytes"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
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
	return streamWith(t, res, r, templates.Options{})
}

// streamWith is stream with options (the previous filters of the router).
func streamWith(t *testing.T, res *filtergen.Result, r filtergen.Router, opts templates.Options) map[string][]byte {
	t.Helper()
	rd, err := templates.NewRenderer(r, opts)
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

// filtersAfter returns the router's classic-CLI filters after a render
// of res given prev, as a write path records them.
func filtersAfter(t *testing.T, res *filtergen.Result, r filtergen.Router, prev []templates.FilterID) []templates.FilterID {
	t.Helper()
	rd, err := templates.NewRenderer(r, templates.Options{Filters: prev})
	if err != nil {
		t.Fatal(err)
	}
	w, err := rd.Whole(res)
	if err != nil {
		t.Fatal(err)
	}
	return w.Filters()
}

// TestRendererSROSPreviousFilters renders an SR OS classic router run
// after run with the filters each run leaves (Options.Filters), streamed
// and whole, which agree byte for byte. Unchanged, nothing changes. When
// one customer's ACL changes and another leaves, the changed filter takes
// an ID that none of the previous filters held, the customer's file
// deletes its old filter after the interface swap, the departed
// customer's filters are listed in the router's header and stay taken,
// and the next run, still unchanged, renders the same files again.
func TestRendererSROSPreviousFilters(t *testing.T) {
	r := filtergen.Router{Name: "r1", Platform: "sros-classic"}
	res := benchResult(5)
	res.Peers = append(res.Peers, customer("A", 64502, 2), customer("B", 64503, 3), customer("C", 64504, 4))
	res.Routers = []filtergen.Router{r}
	render := func(prev []templates.FilterID) map[string][]byte {
		t.Helper()
		want, err := templates.Render(res, r, templates.Options{Filters: prev})
		if err != nil {
			t.Fatal(err)
		}
		got := streamWith(t, res, r, templates.Options{Filters: prev})
		sameFiles(t, r.Platform, got, want)
		return got
	}
	first := render(nil)
	prev := filtersAfter(t, res, r, nil)
	if len(prev) != 6 {
		t.Fatalf("%d filters after the first render, want 6: %+v", len(prev), prev)
	}
	for name, data := range render(prev) {
		if !bytes.Equal(data, first[name]) {
			t.Errorf("%s changed with nothing changed:\n%s\nwas:\n%s", name, data, first[name])
		}
	}

	// A announces one more prefix; C leaves the router.
	a := res.Peers[len(res.Peers)-3]
	a.AntiSpoofing[0].ACL = append(a.AntiSpoofing[0].ACL, netip.MustParsePrefix("203.0.113.0/24"))
	res.Peers = res.Peers[:len(res.Peers)-1]
	got := render(prev)
	held := map[int]string{}
	var oldA int
	for _, f := range prev {
		held[f.ID] = f.Peer + " " + f.Family.String()
		if f.Peer == "A" && f.Family == filtergen.IPv4 {
			oldA = f.ID
		}
	}
	fa := string(got[templates.PeerFile("r1", "A")])
	m := regexp.MustCompile(`(?m)^ +ip-filter (\d+) `).FindStringSubmatch(fa)
	if m == nil {
		t.Fatalf("no ip-filter in A's file:\n%s", fa)
	}
	newA, _ := strconv.Atoi(m[1])
	if who, ok := held[newA]; ok {
		t.Errorf("A's changed filter took ID %d, held by %s before", newA, who)
	}
	swap := strings.Index(fa, "        filter ip "+strconv.Itoa(newA)+"\n")
	del := strings.Index(fa, "configure filter\n    no ip-filter "+strconv.Itoa(oldA)+"\nexit all\n")
	if swap < 0 || del < swap || strings.Contains(fa, "no ipv6-filter") {
		t.Errorf("A's file does not swap to %d then delete %d (and only that):\n%s", newA, oldA, fa)
	}
	if fb := string(got[templates.PeerFile("r1", "B")]); !bytes.Equal(got[templates.PeerFile("r1", "B")], first[templates.PeerFile("r1", "B")]) {
		t.Errorf("B's unchanged file changed:\n%s", fb)
	}
	head := string(got["r1.conf"])
	for _, f := range prev {
		if f.Peer != "C" {
			continue
		}
		kw := map[filtergen.Family]string{filtergen.IPv4: "ip", filtergen.IPv6: "ipv6"}[f.Family]
		if want := fmt.Sprintf("no %s-filter %d (peer C %s interface eth4);", kw, f.ID, f.Family); !strings.Contains(head, want) {
			t.Errorf("r1.conf does not list %q:\n%s", want, head)
		}
	}
	next := filtersAfter(t, res, r, prev)
	if len(next) != 6 {
		t.Errorf("%d filters after the change, want A's and B's, and C's kept: %+v", len(next), next)
	}
	again := render(next)
	for name, data := range again {
		if !bytes.Equal(data, got[name]) {
			t.Errorf("%s changed in a run with nothing changed:\n%s\nwas:\n%s", name, data, got[name])
		}
	}
}
