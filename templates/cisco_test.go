package templates

import (
	"net/netip"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/internal/platform"
)

func pr(s string, lo, hi uint8) filtergen.PrefixRange {
	return filtergen.PrefixRange{Prefix: netip.MustParsePrefix(s), Min: lo, Max: hi}
}

func TestCiscoRenderings(t *testing.T) {
	pl, _ := platform.Lookup("iosxe")
	v1, _ := vname(pl, "PL_X_V4", []filtergen.PrefixRange{pr("192.0.2.0/24", 24, 24)})
	v2, _ := vname(pl, "PL_X_V4", []filtergen.PrefixRange{pr("192.0.2.0/24", 24, 25)})
	tests := []struct {
		name string
		got  func() (string, error)
		want string
	}{
		{"exact, up to, ge..le; never ge = len", func() (string, error) {
			return iosPrefixList("PL", filtergen.IPv4, []filtergen.PrefixRange{pr("192.0.2.0/24", 24, 24), pr("198.51.100.0/24", 24, 25), pr("203.0.113.0/24", 25, 27)})
		}, "ip prefix-list PL seq 5 permit 192.0.2.0/24\nip prefix-list PL seq 10 permit 198.51.100.0/24 le 25\nip prefix-list PL seq 15 permit 203.0.113.0/24 ge 25 le 27"},
		{"empty v4 denies all", func() (string, error) { return iosPrefixList("PL", filtergen.IPv4, nil) }, "ip prefix-list PL seq 5 deny 0.0.0.0/0 le 32"},
		{"empty v6 denies all", func() (string, error) { return iosPrefixList("PL", filtergen.IPv6, nil) }, "ipv6 prefix-list PL seq 5 deny ::/0 le 128"},
		{"xr prefix-set: no trailing comma", func() (string, error) {
			return xrPrefixSet("PL", []filtergen.PrefixRange{pr("2001:db8:1000::/36", 36, 48), pr("2001:db8:2000::/48", 48, 48)})
		}, "prefix-set PL\n  2001:db8:1000::/36 le 48,\n  2001:db8:2000::/48\nend-set"},
		{"iosxe v4 ACL: wildcard masks, host", func() (string, error) {
			return ciscoACL("iosxe", filtergen.IPv4, []netip.Prefix{netip.MustParsePrefix("198.51.100.0/22"), netip.MustParsePrefix("198.18.0.1/32")}, " ")
		}, " 10 permit ip 198.51.100.0 0.0.3.255 any\n 20 permit ip host 198.18.0.1 any"},
		{"iosxe v6 ACL: no sequence numbers", func() (string, error) {
			return ciscoACL("iosxe", filtergen.IPv6, []netip.Prefix{netip.MustParsePrefix("2001:db8::/32")}, " ")
		}, " permit ipv6 2001:db8::/32 any"},
		{"iosxr v4 ACL", func() (string, error) {
			return ciscoACL("iosxr", filtergen.IPv4, []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("198.18.0.1/32")}, " ")
		}, " 10 permit ipv4 192.0.2.0/24 any\n 20 permit ipv4 host 198.18.0.1 any"},
		{"nxos v6 ACL: host as /128", func() (string, error) {
			return ciscoACL("nxos", filtergen.IPv6, []netip.Prefix{netip.MustParsePrefix("2001:db8::1/128")}, "  ")
		}, "  10 permit ipv6 2001:db8::1/128 any"},
		{"origins with first AS", func() (string, error) {
			return strings.Join(originRegexes(&filtergen.PeerResult{ASN: 64500, ASNs: []uint32{64500, 64501, 64502},
				Import: filtergen.ImportPolicy{EnforceFirstAS: true}}), "\n"), nil
		}, "^64500(_64500)*$\n^64500(_[0-9]+)*_(64501|64502)$"},
		{"origins without first AS", func() (string, error) {
			return strings.Join(originRegexes(&filtergen.PeerResult{ASN: 64500, ASNs: []uint32{64500, 64501}}), "\n"), nil
		}, "^(_[0-9]+)*_(64500|64501)$"},
		{"version changes with content", func() (string, error) {
			if v1 == v2 || !strings.HasPrefix(v1, "PL_X_V4_") || len(v1) != len("PL_X_V4_")+6 {
				return v1 + " " + v2, nil
			}
			return "ok", nil
		}, "ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.got()
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
	if _, err := xrPrefixSet("PL", nil); err == nil {
		t.Error("xrPrefixSet rendered an empty set")
	}
	if _, err := vname(pl, "PL_A_VERY_LONG_PEER_NAME_XX_V4", nil); err == nil {
		t.Error("vname accepted a name over IOS-XE's 32 characters")
	}
}

// TestCiscoRefuses: IOS-XR and NX-OS cannot be route servers, and IOS-XR's
// ttl-security has no hop count; rendering must fail, naming the peer.
func TestCiscoRefuses(t *testing.T) {
	peer := func(role filtergen.Role) *filtergen.Result {
		return &filtergen.Result{LocalAS: 64500, Peers: []*filtergen.PeerResult{{
			Name: "M", ASN: 64501, Role: role, Routers: []string{"r1"}, ASNs: []uint32{64501},
			Export:      filtergen.ExportPolicy{RSClients: role == filtergen.RoleRSClient},
			Attachments: []filtergen.Attachment{{Router: "r1", Neighbors: []netip.Addr{netip.MustParseAddr("192.0.2.1")}}},
			Families:    []*filtergen.FamilyResult{{Family: filtergen.IPv4, Entries: []filtergen.PrefixRange{pr("198.51.100.0/24", 24, 24)}}},
		}}}
	}
	for _, pl := range []string{"iosxr", "nxos"} {
		_, err := Render(peer(filtergen.RoleRSClient), filtergen.Router{Name: "r1", Platform: pl}, Options{})
		if err == nil || !strings.Contains(err.Error(), "peer M") || !strings.Contains(err.Error(), "route server") {
			t.Errorf("%s rs-client: err = %v", pl, err)
		}
		if _, err := Render(peer(filtergen.RolePeer), filtergen.Router{Name: "r1", Platform: pl}, Options{}); err != nil {
			t.Errorf("%s peer: %v", pl, err)
		}
	}
	res := peer(filtergen.RolePeer)
	res.Peers[0].Session.TTLSecurity = 2
	if _, err := Render(res, filtergen.Router{Name: "r1", Platform: "iosxr"}, Options{}); err == nil || !strings.Contains(err.Error(), "ttl-security") {
		t.Errorf("iosxr ttl-security 2: err = %v", err)
	}
}

// TestOperatorKeysDocumented renders every platform and checks that each
// "filtergen-operator: KEY" header line uses a key the package
// documentation lists.
func TestOperatorKeysDocumented(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	keyRE := regexp.MustCompile(`(?m)^.*` + OperatorMarker + ` (\S+) `)
	seen := 0
	for _, name := range Platforms() {
		res := &filtergen.Result{LocalAS: 64500, RTR: []filtergen.RTRCache{{Address: netip.MustParseAddr("192.0.2.9"), Port: 3323}},
			Peers: []*filtergen.PeerResult{{Name: "C", ASN: 64501, Role: filtergen.RoleCustomer, Routers: []string{"r1"}, ASNs: []uint32{64501},
				Session:     filtergen.SessionSettings{BFD: name != "openbgpd", TTLSecurity: 1},
				Attachments: []filtergen.Attachment{{Router: "r1", Neighbors: []netip.Addr{netip.MustParseAddr("192.0.2.1")}, LocalAddresses: []netip.Addr{netip.MustParseAddr("192.0.2.0")}}},
				Families:    []*filtergen.FamilyResult{{Family: filtergen.IPv4, Entries: []filtergen.PrefixRange{pr("198.51.100.0/24", 24, 24)}}},
			}}}
		files, err := Render(res, filtergen.Router{Name: "r1", Platform: name}, Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, m := range keyRE.FindAllStringSubmatch(string(files[0].Data), -1) {
			seen++
			if !regexp.MustCompile(`(?m)^//\t` + regexp.QuoteMeta(m[1]) + ` `).Match(doc) {
				t.Errorf("%s: operator key %q is not documented in doc.go", name, m[1])
			}
		}
	}
	if seen < len(Platforms()) {
		t.Errorf("only %d operator lines over %d platforms", seen, len(Platforms()))
	}
}
