package templates_test

import (
	"net/netip"
	"regexp"
	"strings"
	"testing"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/internal/yangcheck"
	"github.com/filtergen/filtergen/templates"
)

// TestAntiSpoofEOSSROS renders a customer whose IPv4 has permitted
// sources (strict uRPF and an ACL) and whose IPv6 has none (deny-all),
// and checks each platform's forms (vendors.md §3.5-3.7 (5), (6)): the
// permitted prefixes then a final drop for IPv4, no permit and no uRPF for
// IPv6, and both filters on the interface. The MD-CLI output also passes
// Nokia's YANG.
func TestAntiSpoofEOSSROS(t *testing.T) {
	for _, tt := range []struct {
		platform string
		want     []string // regexps, each must match
		not      []string
	}{
		{"eos", []string{
			`(?m)^ip access-list ACL_CUST_IN_V4\n   10 permit ip 192\.0\.2\.0/24 any\n   20 permit ip host 198\.18\.0\.1 any\n   30 deny ip any any$`,
			`(?m)^ipv6 access-list ACL_CUST_IN_V6\n   ! no permitted source addresses in this family: everything is spoofed\n   10 deny ipv6 any any$`,
			`(?m)^interface eth1\n   ip verify unicast source reachable-via rx\n   ip access-group ACL_CUST_IN_V4 in\n   no ipv6 verify unicast\n   ipv6 access-group ACL_CUST_IN_V6 in$`,
		}, []string{`permit ipv6`}},
		{"sros-classic", []string{
			`(?m)^    ip-filter (\d+) name "ACL_CUST_IN_V4_\d+" create\n        default-action drop\n        entry 10 create\n            match\n                src-ip 192\.0\.2\.0/24\n`,
			`(?m)^    ipv6-filter \d+ name "ACL_CUST_IN_V6_\d+" create\n        default-action drop\n        # no permitted source addresses in this family: everything is spoofed\n    exit$`,
			`(?m)^configure router interface "eth1"\n    urpf-check\n        mode strict\n    exit\n    ingress\n        filter ip \d+\n        filter ipv6 \d+\n    exit$`,
		}, []string{`ipv6\n        urpf-check`}},
		{"sros-mdcli", []string{
			`(?m)^ip-filter "ACL_CUST_IN_V4" \{\n    default-action drop\n    entry 10 \{`,
			`(?m)^    ip-prefix-list "SRC_CUST_V4" \{\n        prefix 192\.0\.2\.0/24 \{ \}\n        prefix 198\.18\.0\.1/32 \{ \}\n    \}`,
			`(?m)^ipv6-filter "ACL_CUST_IN_V6" \{\n    default-action drop\n    # no permitted source addresses in this family: everything is spoofed\n\}`,
			`(?m)^ingress \{\n    filter \{\n        ip "ACL_CUST_IN_V4"\n        ipv6 "ACL_CUST_IN_V6"\n    \}\n\}`,
		}, []string{`ipv6-prefix-list "SRC_CUST_V6" \{`, `ipv6 \{\n    urpf-check`}},
	} {
		res := fixture(tt.platform)
		cust := res.Peers[0]
		cust.Attachments[0].AntiSpoofing = []filtergen.AntiSpoof{
			{Family: filtergen.IPv4, URPF: "strict", IngressACL: true,
				ACL: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("198.18.0.1/32")}},
			{Family: filtergen.IPv6, URPF: "strict", IngressACL: true, DenyAll: true},
		}
		files, err := templates.Render(res, res.Routers[0], templates.Options{})
		if err != nil {
			t.Fatalf("%s: %v", tt.platform, err)
		}
		var text string
		for _, f := range files {
			if f.Peer == cust.Name {
				text = string(f.Data)
			}
		}
		for _, w := range tt.want {
			if !regexp.MustCompile(w).MatchString(text) {
				t.Errorf("%s: no match for %s in\n%s", tt.platform, w, text)
			}
		}
		for _, n := range tt.not {
			if regexp.MustCompile(n).MatchString(text) {
				t.Errorf("%s: unexpected %s", tt.platform, n)
			}
		}
		if tt.platform == "sros-mdcli" && !strings.Contains(text, "urpf-check") {
			t.Error("sros-mdcli: no uRPF")
		}
		if tt.platform == "sros-mdcli" {
			yangcheck.TestMDCLI(t, map[string][]byte{"CUST.conf": []byte(text)})
		}
	}
}
