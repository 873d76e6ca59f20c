package templates_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/templates"
)

// originLines are, per platform, the lines that originate the fixture's
// own space (198.18.128.0/20, 2001:db8:8000::/33): network statements and
// static discard routes.
var originLines = map[string][]string{
	"bird2":        {"protocol static FG_ORIGINATE_V4 {", "route 198.18.128.0/20 blackhole;", "route 2001:db8:8000::/33 blackhole;"},
	"junos":        {"route 198.18.128.0/20 discard;", "route 2001:db8:8000::/33 discard;"},
	"iosxe":        {"network 198.18.128.0 mask 255.255.240.0", "network 2001:db8:8000::/33", "ip route 198.18.128.0 255.255.240.0 Null0 254", "ipv6 route 2001:db8:8000::/33 Null0 254"},
	"iosxr":        {"network 198.18.128.0/20", "network 2001:db8:8000::/33", "198.18.128.0/20 Null0 254", "2001:db8:8000::/33 Null0 254"},
	"nxos":         {"network 198.18.128.0/20", "network 2001:db8:8000::/33", "ip route 198.18.128.0/20 Null0 254", "ipv6 route 2001:db8:8000::/33 Null0 254"},
	"eos":          {"network 198.18.128.0/20", "network 2001:db8:8000::/33", "ip route 198.18.128.0/20 Null0", "ipv6 route 2001:db8:8000::/33 Null0"},
	"sros-classic": {"static-route-entry 198.18.128.0/20", "static-route-entry 2001:db8:8000::/33"},
	"sros-mdcli":   {"route 198.18.128.0/20 route-type unicast {", "route 2001:db8:8000::/33 route-type unicast {"},
	"frr":          {"network 198.18.128.0/20", "network 2001:db8:8000::/33"},
	"openbgpd":     {"network 198.18.128.0/20", "network 2001:db8:8000::/33"},
}

// TestOriginateOnlyWhereAnnounced checks that a router originates our
// own space only when a session on it announces that space: a route
// server whose neighbors are all route-server clients, or a router whose
// customers get a default route only, rejects the space from its
// neighbors but has neither network statements nor discard routes for it.
func TestOriginateOnlyWhereAnnounced(t *testing.T) {
	for _, name := range templates.Platforms() {
		want, ok := originLines[name]
		if !ok {
			t.Errorf("platform %s: no origination lines in this test", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			lines := func(res *filtergen.Result) []string {
				var out []string
				for _, f := range render(t, res) {
					for l := range strings.SplitSeq(string(f.Data), "\n") {
						out = append(out, strings.TrimSpace(l))
					}
				}
				return out
			}
			// The fixture has peers and customers that receive our space.
			got := lines(fixture(name))
			for _, w := range want {
				if !slices.Contains(got, w) {
					t.Errorf("with sessions announcing our space: no line %q", w)
				}
			}
			// Only route-server clients and default-only customers.
			res := fixture(name)
			res.Peers = slices.DeleteFunc(res.Peers, func(p *filtergen.PeerResult) bool {
				return p.Role != filtergen.RoleRSClient && !p.Export.DefaultOnly
			})
			if len(res.Peers) == 0 {
				t.Fatal("fixture has no peer that leaves our space unannounced")
			}
			got = lines(res)
			for _, w := range want {
				if slices.Contains(got, w) {
					t.Errorf("no session announces our space, yet the router originates it: %q", w)
				}
			}
			rejected := false
			for _, l := range got {
				rejected = rejected || strings.Contains(l, "198.18.128.0")
			}
			if !rejected {
				t.Error("no session announces our space: it is no longer rejected from the neighbors either")
			}
		})
	}
}
