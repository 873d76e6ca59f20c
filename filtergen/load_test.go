package filtergen_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/filtergen/filtergen/filtergen"
)

const minimalPolicy = `version: 2
irr:
  dumps: [db.rpsl]
local_as: 64500
routers:
  - name: r1
    platform: bird2
peers:
  - name: P1
    asn: AS3333
    announce: [AS-FOO]
`

func TestLoadPolicyErrors(t *testing.T) {
	tests := []struct {
		name string
		from string
		to   string
		want []string // each must appear in the error
	}{
		{"unknown top-level key", "version: 2\n", "version: 2\nverison: 2\n", []string{"test.yaml:2:1: verison: invalid policy: unknown key"}},
		{"unknown peer key", "    asn: AS3333\n", "    asn: AS3333\n    as_set: AS-FOO\n", []string{`test.yaml:11:5: peer "P1": peers[0].as_set: invalid policy: unknown key "as_set"`}},
		{"duplicate key", "    asn: AS3333\n", "    asn: AS3333\n    asn: AS1\n", []string{`peers[0].asn: invalid policy: duplicate key`}},
		{"bad asn", "asn: AS3333", "asn: ASX", []string{`test.yaml:10:10: peer "P1": peers[0].asn: invalid policy: invalid AS number "ASX"`}},
		{"wrong type", "asn: AS3333", "asn: {a: 1}", []string{"want a single value, got a mapping"}},
		{"bad version", "version: 2", "version: 3", []string{"test.yaml:1:10: version: invalid policy: want version: 2, got 3"}},
		{"version 1", "version: 2", "version: 1", []string{"test.yaml:1:10: version: invalid policy: policy version 1 is no longer read: set version: 2", "attach"}},
		{"bad platform", "platform: bird2", "platform: cisco", []string{`unknown platform "cisco"`}},
		{"bad router version", "    platform: bird2\n", "    platform: bird2\n    version: two\n", []string{`routers[0].version: invalid policy: router "r1": BIRD 2: version "two"`}},
		{"aspa on BIRD baseline", "    platform: bird2\n", "    platform: bird2\n    aspa: true\n",
			[]string{`routers[0].aspa: invalid policy: router "r1": aspa_check needs BIRD 2 2.16 or later; the router declares no version, so 2.0.12 is assumed`}},
		{"aspa on BIRD without caches", "    platform: bird2\n", "    platform: bird2\n    version: \"2.16.1\"\n    aspa: true\n",
			[]string{`routers[0].aspa: invalid policy: router "r1": BIRD reads ASPA records over RTR (version 2): list the caches under rpki.caches`}},
		{"aspa on OpenBGPD 7.7", "    platform: bird2\n", "    platform: openbgpd\n    version: \"7.7\"\n    aspa: true\n",
			[]string{`routers[0].aspa: invalid policy: router "r1": aspa-set needs OpenBGPD 8.0 or later; the router runs 7.7`}},
		{"aspa on OpenBGPD without RPKI data", "    platform: bird2\n", "    platform: openbgpd\n    version: \"8.1\"\n    aspa: true\n",
			[]string{`routers[0].aspa: invalid policy: router "r1": the OpenBGPD aspa-set is written from the RPKI data filtergen loads: set rpki.vrps`}},
		{"aspa on FRR", "    platform: bird2\n", "    platform: frr\n    aspa: true\n",
			[]string{`routers[0].aspa: invalid policy: router "r1": filtergen renders no router-side ASPA verification for FRR`}},
		{"bad family", "    announce: [AS-FOO]\n", "    announce: [AS-FOO]\n    families: [ipv5]\n",
			[]string{`test.yaml:12:16: peer "P1": peers[0].families[0]: invalid policy: unknown family "ipv5" (want ipv4 or ipv6)`}},
		{"family upper case", "    announce: [AS-FOO]\n", "    announce: [AS-FOO]\n    families: [IPv4]\n", []string{`peers[0].families[0]: invalid policy: unknown family "IPv4"`}},
		{"family not a string", "    announce: [AS-FOO]\n", "    announce: [AS-FOO]\n    families: [{ipv4: 1}]\n", []string{`peers[0].families[0]: invalid policy: want a single value, got a mapping`}},
		{"duplicate family", "    announce: [AS-FOO]\n", "    announce: [AS-FOO]\n    families: [ipv6, ipv6]\n", []string{`test.yaml:12:22: peer "P1": peers[0].families[1]: invalid policy: duplicate family ipv6`}},
		{"no family", "    announce: [AS-FOO]\n", "    announce: [AS-FOO]\n    families: []\n", []string{`peers[0].families: invalid policy: empty list of families`}},
		{"unknown router", "    announce: [AS-FOO]\n", "    announce: [AS-FOO]\n    routers: [r9]\n", []string{`unknown router "r9"`}},
		{"bad announce", "[AS-FOO]", "[FOO]", []string{`"FOO" is not an AS-SET`}},
		{"host bits", "[AS-FOO]", "[192.0.2.1/24]", []string{"host bits set"}},
		{"hostile name", "name: P1", `name: "P1; rm"`, []string{`peer name "P1; rm"`}},
		{"brace in description", "    asn: AS3333\n", "    asn: AS3333\n    description: \"a } b\"\n", []string{`character '}'`}},
		{"control char", "    asn: AS3333\n", "    asn: AS3333\n    description: \"a\\x01b\"\n", []string{`character '\x01'`}},
		{"hash", "    asn: AS3333\n", "    asn: AS3333\n    description: \"a # b\"\n", []string{`character '#'`}},
		{"urpf on a peer", "    asn: AS3333\n", "    asn: AS3333\n    urpf: strict\n", []string{"apply to customers only"}},
		{"bad urpf", "peers:", "customers:\n  - {name: C1, asn: 1, announce: [AS1], urpf: sloppy}\npeers:", []string{`peer "C1": customers[0].urpf: invalid policy: want strict, loose or none`}},
		{"customer without interface", "peers:", "customers:\n  - {name: C1, asn: 1, announce: [AS1]}\npeers:", []string{`peer "C1": customers[0].interface: invalid policy: a customer with ingress_acl or urpf needs an interface`}},
		{"lengths", "    asn: AS3333\n", "    asn: AS3333\n    ipv4: {min_length: 25, max_length: 24}\n", []string{"min_length 25 is longer than max_length 24"}},
		{"max_prefix", "    asn: AS3333\n", "    asn: AS3333\n    max_prefix: lots\n", []string{"want a positive number"}},
		{"both sources", "  dumps: [db.rpsl]\n", "  dumps: [db.rpsl]\n  server: whois.example:43\n", []string{"set dumps or server, not both"}},
		{"dumps and servers", "  dumps: [db.rpsl]\n", "  dumps: [db.rpsl]\n  servers: [a.example:43, b.example:43]\n", []string{"test.yaml:3:3: irr: invalid policy: set dumps or servers, not both"}},
		{"server and servers", "  dumps: [db.rpsl]\n", "  server: a.example:43\n  servers: [b.example:43]\n", []string{"irr: invalid policy: set server or servers, not both"}},
		{"empty servers", "  dumps: [db.rpsl]\n", "  servers: []\n", []string{"irr.servers: invalid policy: empty list of servers"}},
		{"bad server in list", "  dumps: [db.rpsl]\n", "  servers: [a.example:43, \"b example\"]\n", []string{`test.yaml:3:27: irr.servers[1]: invalid policy: want host:port, got "b example"`}},
		{"duplicate server", "  dumps: [db.rpsl]\n", "  servers: [a.example:43, A.example:43]\n", []string{`irr.servers[1]: invalid policy: duplicate server "A.example:43"`}},
		{"duplicate peer", "    announce: [AS-FOO]\n", "    announce: [AS-FOO]\n  - {name: p1, asn: 2, announce: [AS2]}\n", []string{"duplicate peer name"}},
		{"alias", "    announce: [AS-FOO]\n", "    announce: &x [AS-FOO]\n  - {name: P2, asn: 2, announce: *x}\n", []string{"aliases are not allowed"}},
		{"syntax", "version: 2", "version: [2", []string{"test.yaml: invalid policy:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(minimalPolicy, tt.from) {
				t.Fatalf("policy has no %q", tt.from)
			}
			y := strings.Replace(minimalPolicy, tt.from, tt.to, 1)
			_, err := filtergen.ParsePolicy("test.yaml", []byte(y))
			if err == nil {
				t.Fatalf("no error for\n%s", y)
			}
			if !errors.Is(err, filtergen.ErrPolicy) {
				t.Errorf("error does not wrap ErrPolicy: %v", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func TestLoadPolicyAllErrorsAtOnce(t *testing.T) {
	y := strings.Replace(minimalPolicy, "    announce: [AS-FOO]\n", "    announce: [AS-FOO]\n    colour: red\n    families: [ipv9]\n    routers: [r9]\n    description: \"a\\nb\"\n", 1)
	_, err := filtergen.ParsePolicy("test.yaml", []byte(y))
	// The unknown key and the unknown family are reported together at
	// decode time (a family is read as a Family)...
	if err == nil || !strings.Contains(err.Error(), "colour") || !strings.Contains(err.Error(), "ipv9") {
		t.Fatalf("want both decode problems, got %v", err)
	}
	// ...and once they are fixed the semantic problems are reported
	// together.
	y = strings.Replace(y, "    colour: red\n", "", 1)
	y = strings.Replace(y, "[ipv9]", "[ipv4]", 1)
	_, err = filtergen.ParsePolicy("test.yaml", []byte(y))
	if err == nil || !strings.Contains(err.Error(), `"r9"`) || !strings.Contains(err.Error(), `'\n'`) {
		t.Errorf("want both problems, got %v", err)
	}
}

func TestPolicyDefaultsAndOverrides(t *testing.T) {
	y := minimalPolicy + `    max_prefix: 500
    drop_rpki_invalid: false
    ipv6: {max_length: 64}
customers:
  - name: C1
    asn: 3
    announce: [AS3]
    interface: eth1
defaults:
  aggregate: false
  max_prefix: {headroom: 0.1, minimum: 5}
  families: [ipv4]
`
	pol, err := filtergen.ParsePolicy("test.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	peers := pol.AllPeers()
	p := peers[0].Settings(pol.Defaults, pol.Routers)
	if p.Aggregate || p.DropRPKIInvalid || !p.DropBogons || p.MaxPrefix.Limit != 500 || p.MaxLength != [2]int{24, 64} ||
		len(p.Families) != 1 || p.URPF != "none" || p.IngressACL || len(p.Routers) != 1 {
		t.Errorf("peer settings %+v", p)
	}
	c := peers[1].Settings(pol.Defaults, pol.Routers)
	if !c.IngressACL || c.URPF != "strict" || c.Interface != "eth1" || c.MaxPrefix.Headroom != 0.1 {
		t.Errorf("customer settings %+v", c)
	}
}

// FuzzParsePolicy checks that no input panics, that every error wraps
// ErrPolicy or is a size error, and that an accepted policy has only
// safe peer names and descriptions.
func FuzzParsePolicy(f *testing.F) {
	f.Add([]byte(minimalPolicy))
	f.Add([]byte(basePolicy))
	f.Add([]byte("version: 2\npeers: [{name: \"x\\n\", description: \"}\"}]\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("version: 2\npeers:\n  - name: A\n    max_prefix: {headroom: 1e308}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pol, err := filtergen.ParsePolicy("fuzz.yaml", data)
		if err != nil {
			if !errors.Is(err, filtergen.ErrPolicy) && !strings.Contains(err.Error(), "larger than") {
				t.Fatalf("error does not wrap ErrPolicy: %v", err)
			}
			return
		}
		for _, p := range pol.AllPeers() {
			if filtergen.CheckText(p.Description, filtergen.MaxDescription) != nil {
				t.Fatalf("accepted hostile description %q", p.Description)
			}
			if strings.ContainsAny(p.Name, "\n\"{};# ") {
				t.Fatalf("accepted hostile name %q", p.Name)
			}
		}
	})
}

func TestIRRServerList(t *testing.T) {
	tests := []struct {
		name string
		irr  string
		want []string
	}{
		{"dumps", "  dumps: [db.rpsl]\n", nil},
		{"server", "  server: a.example:43\n", []string{"a.example:43"}},
		{"servers", "  servers: [a.example:43, \"[2001:db8::1]:43\", b.example:4343]\n", []string{"a.example:43", "[2001:db8::1]:43", "b.example:4343"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			y := strings.Replace(minimalPolicy, "  dumps: [db.rpsl]\n", tt.irr, 1)
			pol, err := filtergen.ParsePolicy("test.yaml", []byte(y))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, pol.IRR.ServerList()); diff != "" {
				t.Errorf("ServerList (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLoadPolicyASPA: router-side ASPA loads where the platform, the
// declared version and the RPKI sources allow it.
func TestLoadPolicyASPA(t *testing.T) {
	for _, tt := range []struct{ name, router, rpki string }{
		{"bird 2.16 with caches", "{name: r1, platform: bird2, version: \"2.16\", aspa: true}", "rpki: {caches: [{address: 192.0.2.9}]}\n"},
		{"openbgpd 8.0 with vrps", "{name: r1, platform: openbgpd, version: \"8.0\", aspa: true}", "rpki: {vrps: vrps.json}\n"},
		{"openbgpd 8.2 over rtr", "{name: r1, platform: openbgpd, version: \"8.2\", aspa: true}", "rpki: {rtr: \"rtr.example:323\"}\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(minimalPolicy, "  - name: r1\n    platform: bird2\n", "  - "+tt.router+"\n", 1) + tt.rpki
			pol, err := filtergen.ParsePolicy("test.yaml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			if !pol.Routers[0].ASPA {
				t.Errorf("aspa not read: %+v", pol.Routers[0])
			}
		})
	}
}
