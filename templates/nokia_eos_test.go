package templates

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/filtergen/filtergen/filtergen"
)

// vendorsEntries are the example entries of vendors.md §0.
var vendorsEntries = []filtergen.PrefixRange{
	pr("192.0.2.0/24", 24, 24), pr("198.51.100.0/24", 24, 25), pr("203.0.113.0/24", 25, 27),
}

// TestEOSPrefixList checks the EOS renderings of vendors.md §3.7 (1),
// including the deny-everything form of an empty list (§1.3) and the
// refusal of an entry of the wrong family.
func TestEOSPrefixList(t *testing.T) {
	for _, tt := range []struct {
		name string
		fam  filtergen.Family
		rs   []filtergen.PrefixRange
		want string
	}{
		{"vendors.md", filtergen.IPv4, vendorsEntries, "no ip prefix-list PL_X_V4\nip prefix-list PL_X_V4\n" +
			"   seq 10 permit 192.0.2.0/24\n   seq 20 permit 198.51.100.0/24 le 25\n   seq 30 permit 203.0.113.0/24 ge 25 le 27"},
		{"ipv6", filtergen.IPv6, []filtergen.PrefixRange{pr("2001:db8:1000::/36", 36, 48), pr("2001:db8:2000::/48", 48, 48), pr("2001:db8:3000::/36", 40, 44)},
			"no ipv6 prefix-list PL_X_V4\nipv6 prefix-list PL_X_V4\n   seq 10 permit 2001:db8:1000::/36 le 48\n" +
				"   seq 20 permit 2001:db8:2000::/48\n   seq 30 permit 2001:db8:3000::/36 ge 40 le 44"},
		{"empty v4", filtergen.IPv4, nil, "no ip prefix-list PL_X_V4\nip prefix-list PL_X_V4\n   seq 10 deny 0.0.0.0/0 le 32"},
		{"empty v6", filtergen.IPv6, nil, "no ipv6 prefix-list PL_X_V4\nipv6 prefix-list PL_X_V4\n   seq 10 deny ::/0 le 128"},
		{"host route up to itself", filtergen.IPv4, []filtergen.PrefixRange{pr("192.0.2.1/32", 32, 32)},
			"no ip prefix-list PL_X_V4\nip prefix-list PL_X_V4\n   seq 10 permit 192.0.2.1/32"},
	} {
		got, err := eosPrefixList("PL_X_V4", tt.fam, tt.rs)
		if err != nil || got != tt.want {
			t.Errorf("%s: got %q, %v\nwant %q", tt.name, got, err, tt.want)
		}
	}
	if _, err := eosPrefixList("PL_X_V4", filtergen.IPv4, []filtergen.PrefixRange{pr("2001:db8::/32", 32, 32)}); err == nil {
		t.Error("an IPv6 entry in an IPv4 list was accepted")
	}
	if _, err := eosPrefixList("PL_X_V4", filtergen.IPv4, []filtergen.PrefixRange{pr("192.0.2.0/24", 20, 22)}); err == nil {
		t.Error("an entry shorter than its prefix was accepted")
	}
}

func call[T any](t *testing.T, name string, args ...any) T {
	t.Helper()
	f := eosSROSFuncs[name]
	var out any
	switch f := f.(type) {
	case func(string, []filtergen.PrefixRange) (string, error):
		s, err := f(args[0].(string), args[1].([]filtergen.PrefixRange))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = s
	case func(string, []netip.Prefix) string:
		out = f(args[0].(string), args[1].([]netip.Prefix))
	case func(filtergen.Family, []netip.Prefix) string:
		out = f(args[0].(filtergen.Family), args[1].([]netip.Prefix))
	case func(*filtergen.PeerResult) []string:
		out = f(args[0].(*filtergen.PeerResult))
	case func(string, string, []netip.Prefix, bool) int:
		out = f(args[0].(string), args[1].(string), args[2].([]netip.Prefix), args[3].(bool))
	default:
		t.Fatalf("%s: unexpected type %T", name, f)
	}
	return out.(T)
}

// TestSROSPrefixLists checks the classic (bgpq4 -N) and MD-CLI (bgpq4 -n)
// lists of vendors.md §3.5 (1) and §3.6 (1), and that an empty list is
// only removed, never defined empty (§1.3).
func TestSROSPrefixLists(t *testing.T) {
	classic := call[string](t, "srosPrefixList", "PL_X_V4", vendorsEntries)
	if want := "no prefix-list \"PL_X_V4\"\nprefix-list \"PL_X_V4\"\n    prefix 192.0.2.0/24 exact\n" +
		"    prefix 198.51.100.0/24 prefix-length-range 24-25\n    prefix 203.0.113.0/24 prefix-length-range 25-27\nexit"; classic != want {
		t.Errorf("classic: got\n%s\nwant\n%s", classic, want)
	}
	md := call[string](t, "mdcliPrefixList", "PL_X_V4", vendorsEntries)
	if want := "delete prefix-list \"PL_X_V4\"\nprefix-list \"PL_X_V4\" {\n    prefix 192.0.2.0/24 type exact {\n    }\n" +
		"    prefix 198.51.100.0/24 type through {\n        through-length 25\n    }\n" +
		"    prefix 203.0.113.0/24 type range {\n        start-length 25\n        end-length 27\n    }\n}"; md != want {
		t.Errorf("MD-CLI: got\n%s\nwant\n%s", md, want)
	}
	if got := call[string](t, "srosPrefixList", "PL_X_V4", []filtergen.PrefixRange(nil)); got != `no prefix-list "PL_X_V4"` {
		t.Errorf("classic empty: %q", got)
	}
	if got := call[string](t, "mdcliPrefixList", "PL_X_V4", []filtergen.PrefixRange(nil)); got != `delete prefix-list "PL_X_V4"` {
		t.Errorf("MD-CLI empty: %q", got)
	}
}

// TestOriginPaths checks the origin regexes in the Cisco (EOS) and SR OS
// flavours, with and without first-AS enforcement, in groups of eight.
func TestOriginPaths(t *testing.T) {
	asns := []uint32{64500, 64501, 64502, 64503, 64504, 64505, 64506, 64507, 64508, 64509}
	for _, tt := range []struct {
		first     bool
		eos, sros []string
	}{
		{true,
			[]string{"^64500(_64500)*$", "^64500(_[0-9]+)*_(64501|64502|64503|64504|64505|64506|64507|64508)$", "^64500(_[0-9]+)*_(64509)$"},
			[]string{"64500+", "64500.*[64501 64502 64503 64504 64505 64506 64507 64508]", "64500.*[64509]"}},
		{false,
			[]string{"^(_[0-9]+)*_(64500|64501|64502|64503|64504|64505|64506|64507)$", "^(_[0-9]+)*_(64508|64509)$"},
			[]string{".*[64500 64501 64502 64503 64504 64505 64506 64507]", ".*[64508 64509]"}},
	} {
		p := &filtergen.PeerResult{ASN: 64500, ASNs: asns, Import: filtergen.ImportPolicy{EnforceFirstAS: tt.first}}
		if got := call[[]string](t, "eosPaths", p); strings.Join(got, "\n") != strings.Join(tt.eos, "\n") {
			t.Errorf("EOS first=%v: got %q", tt.first, got)
		}
		if got := call[[]string](t, "srosPaths", p); strings.Join(got, "\n") != strings.Join(tt.sros, "\n") {
			t.Errorf("SR OS first=%v: got %q", tt.first, got)
		}
		for _, e := range call[[]string](t, "srosPaths", p) {
			if len(e) > 255 {
				t.Errorf("SR OS expression over 255 characters: %s", e)
			}
		}
	}
	// A cone without the neighbor's own AS has no "only" line.
	p := &filtergen.PeerResult{ASN: 64500, ASNs: []uint32{64501}, Import: filtergen.ImportPolicy{EnforceFirstAS: true}}
	if got := call[[]string](t, "srosPaths", p); len(got) != 1 || got[0] != "64500.*[64501]" {
		t.Errorf("cone without the neighbor AS: %q", got)
	}
}

// TestEOSACL checks the BCP 38 ACL of vendors.md §3.7 (6): hosts as
// "host A", then deny everything, also when nothing is permitted.
func TestEOSACL(t *testing.T) {
	ps := []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("198.18.0.1/32")}
	if got, want := call[string](t, "eosACL", filtergen.IPv4, ps),
		"   10 permit ip 192.0.2.0/24 any\n   20 permit ip host 198.18.0.1 any\n   30 deny ip any any"; got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got, want := call[string](t, "eosACL", filtergen.IPv6, []netip.Prefix(nil)), "   10 deny ipv6 any any"; got != want {
		t.Errorf("empty v6: got %q, want %q", got, want)
	}
}

// TestSROSFilterID checks that a classic filter's preferred ID depends
// on its content (a changed ACL is built under a new ID) and stays in
// range.
func TestSROSFilterID(t *testing.T) {
	a := []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}
	b := []netip.Prefix{netip.MustParsePrefix("192.0.2.0/25")}
	id := srosFilterHash("X", filtergen.IPv4, a, false)
	if id != srosFilterHash("X", filtergen.IPv4, a, false) {
		t.Error("same content, different ID")
	}
	for _, other := range []int{
		srosFilterHash("X", filtergen.IPv4, b, false),
		srosFilterHash("Y", filtergen.IPv4, a, false),
		srosFilterHash("X", filtergen.IPv4, a, true),
	} {
		if other == id {
			t.Errorf("different content, same ID %d", id)
		}
	}
	if id < 0 || id >= srosFilterSpan {
		t.Errorf("ID %d out of range", id)
	}
}

// TestSROSFilterIDsNeverCollide puts 3,000 customers on one router, far
// more than the birthday bound of 50,000 IDs allows without a clash (a
// clash would merge two customers' ACLs on the router): every filter
// gets its own ID, in range, and the same input numbers the same way.
func TestSROSFilterIDsNeverCollide(t *testing.T) {
	var peers []*filtergen.PeerResult
	for i := range 3000 {
		p := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 0}), 24)
		peers = append(peers, &filtergen.PeerResult{
			Name: fmt.Sprintf("C%04d", i),
			AntiSpoofing: []filtergen.AntiSpoof{
				{Family: filtergen.IPv4, IngressACL: true, ACL: []netip.Prefix{p}},
				{Family: filtergen.IPv6, DenyAll: true},
			},
		})
	}
	num, err := srosFilterIDs(peers, "r1", nil)
	if err != nil {
		t.Fatal(err)
	}
	num2, _ := srosFilterIDs(peers, "r1", nil)
	ids := func(peer string, fam filtergen.Family, _ []netip.Prefix, _ bool) (int, error) {
		return num.id(peer, fam)
	}
	again := func(peer string, fam filtergen.Family, _ []netip.Prefix, _ bool) (int, error) {
		return num2.id(peer, fam)
	}
	seen := map[int]string{}
	clashes := 0
	for _, p := range peers {
		for _, as := range p.AntiSpoofing {
			id, err := ids(p.Name, as.Family, as.ACL, as.DenyAll)
			if err != nil {
				t.Fatal(err)
			}
			if id2, _ := again(p.Name, as.Family, as.ACL, as.DenyAll); id2 != id {
				t.Errorf("%s %s: ID %d, then %d", p.Name, as.Family, id, id2)
			}
			if id < srosFilterBase || id >= srosFilterBase+srosFilterSpan {
				t.Errorf("%s %s: ID %d out of range", p.Name, as.Family, id)
			}
			if other, ok := seen[id]; ok {
				t.Errorf("%s %s and %s share ID %d", p.Name, as.Family, other, id)
			}
			seen[id] = p.Name + " " + as.Family.String()
			if id-srosFilterBase != srosFilterHash(p.Name, as.Family, as.ACL, as.DenyAll) {
				clashes++
			}
		}
	}
	if clashes == 0 {
		t.Error("no preferred ID was taken: the test does not exercise a collision")
	}
	t.Logf("%d of %d filters moved off a taken ID", clashes, len(seen))
}

// TestSROSFilterIDsPrevious numbers filters around a previous render's:
// an unchanged filter keeps its ID; a changed one never takes an ID a
// previous filter or old version held, its own included, and carries its
// previous ID and old IDs (at most MaxOldFilterIDs) to delete; a filter
// on another interface, or of a peer gone, is an orphan that keeps its
// IDs taken.
func TestSROSFilterIDsPrevious(t *testing.T) {
	acl := []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}
	changed := []netip.Prefix{netip.MustParsePrefix("198.51.100.0/24")}
	peer := func(name, iface string, ps []netip.Prefix) *filtergen.PeerResult {
		return &filtergen.PeerResult{Name: name, Settings: filtergen.Settings{Interface: iface},
			AntiSpoofing: []filtergen.AntiSpoof{{Family: filtergen.IPv4, IngressACL: true, ACL: ps}}}
	}
	digest := func(name string, ps []netip.Prefix) string { return srosFilterDigest(name, filtergen.IPv4, ps, false) }
	pref := func(name string, ps []netip.Prefix) int {
		return srosFilterBase + srosFilterHash(name, filtergen.IPv4, ps, false)
	}
	v4 := func(name, iface string, id int, ps []netip.Prefix, old ...int) FilterID {
		return FilterID{Peer: name, Family: filtergen.IPv4, Interface: iface, ID: id, Digest: digest(name, ps), Old: old}
	}
	next := func(id int) int { return srosFilterBase + (id-srosFilterBase+1)%srosFilterSpan }
	for _, tt := range []struct {
		name    string
		peers   []*filtergen.PeerResult
		prev    []FilterID
		id      int   // X's ID
		old     []int // X's IDs to delete
		orphans int
	}{
		{"first run", []*filtergen.PeerResult{peer("X", "e1", acl)}, nil, pref("X", acl), nil, 0},
		{"unchanged keeps a moved ID", []*filtergen.PeerResult{peer("X", "e1", acl)},
			[]FilterID{v4("X", "e1", 12345, acl, 23456)}, 12345, []int{23456}, 0},
		{"changed avoids another's previous ID", []*filtergen.PeerResult{peer("X", "e1", changed), peer("Y", "e2", acl)},
			[]FilterID{v4("X", "e1", 11111, acl), v4("Y", "e2", pref("X", changed), acl)}, next(pref("X", changed)), []int{11111}, 0},
		{"changed avoids its own old IDs", []*filtergen.PeerResult{peer("X", "e1", changed)},
			[]FilterID{v4("X", "e1", 11111, acl, pref("X", changed), next(pref("X", changed)))},
			next(next(pref("X", changed))), []int{11111, pref("X", changed), next(pref("X", changed))}, 0},
		{"old IDs capped", []*filtergen.PeerResult{peer("X", "e1", changed)},
			[]FilterID{v4("X", "e1", 11111, acl, 11112, 11113, 11114)}, pref("X", changed), []int{11111, 11112, 11113}, 0},
		{"another interface: orphan, nothing deleted", []*filtergen.PeerResult{peer("X", "e9", acl)},
			[]FilterID{v4("X", "e1", pref("X", acl), acl)}, next(pref("X", acl)), nil, 1},
		{"peer gone: orphan keeps its IDs", []*filtergen.PeerResult{peer("X", "e1", acl)},
			[]FilterID{v4("GONE", "e5", pref("X", acl), changed, next(pref("X", acl)))}, next(next(pref("X", acl))), nil, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n, err := srosFilterIDs(tt.peers, "r1", tt.prev)
			if err != nil {
				t.Fatal(err)
			}
			id, err := n.id("X", filtergen.IPv4)
			if err != nil || id != tt.id {
				t.Errorf("X's ID %d, %v; want %d", id, err, tt.id)
			}
			var old []int
			for _, r := range n.replaced("X") {
				old = append(old, r.ID)
			}
			if !slices.Equal(old, tt.old) {
				t.Errorf("X deletes %v, want %v", old, tt.old)
			}
			if len(n.orphans) != tt.orphans {
				t.Errorf("orphans %+v, want %d", n.orphans, tt.orphans)
			}
			// Every previous ID not kept by its own filter stays out of
			// this render's IDs, and stays recorded.
			ids := map[int]bool{}
			for _, f := range n.filters {
				ids[f.ID] = true
				for _, o := range f.Old {
					ids[o] = true
				}
			}
			for _, f := range tt.prev {
				for _, p := range tt.peers {
					if got, err := n.id(p.Name, filtergen.IPv4); err == nil && got == f.ID && !(p.Name == f.Peer && srosIface(p, "r1") == f.Interface) {
						t.Errorf("%s took ID %d of previous %+v", p.Name, got, f)
					}
				}
				if !ids[f.ID] {
					t.Errorf("previous ID %d (%s) no longer recorded: %+v", f.ID, f.Peer, n.filters)
				}
			}
		})
	}
}

// TestCheckFilterIDs refuses previous filters filtergen cannot have
// written, naming the router and the peer: they come from a state file
// and end up in commands and comments.
func TestCheckFilterIDs(t *testing.T) {
	ok := FilterID{Peer: "X", Family: filtergen.IPv4, Interface: "e1", ID: 12000, Digest: strings.Repeat("ab", 16)}
	with := func(f func(*FilterID)) []FilterID { c := ok; f(&c); return []FilterID{c} }
	if err := checkFilterIDs("r1", []FilterID{ok}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		prev []FilterID
		want string
	}{
		{"ID below range", with(func(f *FilterID) { f.ID = 9999 }), "outside 10000 to 59999"},
		{"ID above range", with(func(f *FilterID) { f.ID = 60000 }), "outside"},
		{"old ID out of range", with(func(f *FilterID) { f.Old = []int{1} }), "old ID 1 outside"},
		{"ID twice", []FilterID{ok, with(func(f *FilterID) { f.Peer = "Y" })[0]}, "also held by peer X"},
		{"old ID is another's", []FilterID{ok, with(func(f *FilterID) { f.Peer, f.ID, f.Old = "Y", 12001, []int{12000} })[0]}, "old ID 12000 is also held"},
		{"too many old IDs", with(func(f *FilterID) { f.Old = []int{12001, 12002, 12003, 12004} }), "at most 3"},
		{"unsafe peer", with(func(f *FilterID) { f.Peer = "X\nconfigure" }), "peer name"},
		{"unsafe interface", with(func(f *FilterID) { f.Interface = "e1\" create" }), "interface name"},
		{"bad digest", with(func(f *FilterID) { f.Digest = "x" }), "digest"},
		{"bad family", with(func(f *FilterID) { f.Family = 0 }), "family"},
	} {
		err := checkFilterIDs("r1", tt.prev)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "router r1") {
			t.Errorf("%s: %v, want an error naming router r1 and %q", tt.name, err, tt.want)
		}
	}
}
