package filtergen_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/irr"
)

func ptr[T any](v T) *T { return &v }

// goPolicy is a valid version-2 policy in Go; basePolicyYAML the same
// as a file. Each case of TestValidateParity breaks both the same way.
func goPolicy() *filtergen.Policy {
	return &filtergen.Policy{
		Version: 2, LocalAS: 64500,
		IRR:     filtergen.IRRSource{Dumps: []string{"db.rpsl"}},
		Routers: []filtergen.Router{{Name: "r1", Platform: "bird2"}, {Name: "j1", Platform: "junos"}},
		Peers:   []filtergen.Peer{{Name: "P1", ASN: 3333, Announce: []string{"AS-FOO"}}},
	}
}

const basePolicyYAML = `version: 2
local_as: 64500
irr: {dumps: [db.rpsl]}
routers: [{name: r1, platform: bird2}, {name: j1, platform: junos}]
peers:
  - {name: P1, asn: 3333, announce: [AS-FOO]%s}
%s`

// TestValidateParity checks that Validate on a policy built in Go
// reports every problem ParsePolicy reports for the same policy in YAML:
// one code path.
func TestValidateParity(t *testing.T) {
	tests := []struct {
		name      string
		peerYAML  string // appended inside the peer's flow mapping
		extraYAML string // appended at top level
		mutate    func(p *filtergen.Policy)
		want      string
		replace   [2]string // applied to the YAML
	}{
		{"ok", "", "", func(*filtergen.Policy) {}, "", [2]string{}},
		{"local_as missing", "", "", func(p *filtergen.Policy) { p.LocalAS = 0 }, "local_as", [2]string{"local_as: 64500\n", ""}},
		{"version 1", "", "", func(p *filtergen.Policy) { p.Version = 1 }, "version 1 is no longer read", [2]string{"version: 2", "version: 1"}},
		{"unknown role", ", role: transit", "", func(p *filtergen.Policy) { p.Peers[0].Role = "transit" }, "role", [2]string{}},
		{"customer role in peers", ", role: customer", "", func(p *filtergen.Policy) { p.Peers[0].Role = filtergen.RoleCustomer }, "list customers under customers", [2]string{}},
		{"provider needs no announce", ", role: provider", "", func(p *filtergen.Policy) {
			p.Peers[0].Role, p.Peers[0].Announce = filtergen.RoleProvider, nil
		}, "", [2]string{"announce: [AS-FOO]", "announce: []"}},
		{"peer needs announce", "", "", func(p *filtergen.Policy) { p.Peers[0].Announce = nil }, "nothing to announce", [2]string{"announce: [AS-FOO]", "announce: []"}},
		{"max_prefix too large", ", max_prefix: {limit: 4294967296}", "", func(p *filtergen.Policy) {
			p.Peers[0].MaxPrefix = &filtergen.MaxPrefix{Limit: 1 << 32}
		}, "max_prefix.limit", [2]string{}},
		{"headroom NaN", ", max_prefix: {headroom: .nan}", "", func(p *filtergen.Policy) {
			p.Peers[0].MaxPrefix = &filtergen.MaxPrefix{Headroom: math.NaN()}
		}, "max_prefix.headroom", [2]string{}},
		{"headroom Inf", ", max_prefix: {headroom: .inf}", "", func(p *filtergen.Policy) {
			p.Peers[0].MaxPrefix = &filtergen.MaxPrefix{Headroom: math.Inf(1)}
		}, "max_prefix.headroom", [2]string{}},
		{"shrink_guard NaN", "", "shrink_guard: .nan\n", func(p *filtergen.Policy) { p.ShrinkGuard = math.NaN() }, "shrink_guard", [2]string{}},
		{"bad action", ", max_prefix: {action: explode}", "", func(p *filtergen.Policy) {
			p.Peers[0].MaxPrefix = &filtergen.MaxPrefix{Action: "explode"}
		}, "max_prefix.action", [2]string{}},
		{"restart_after seconds", ", max_prefix: {restart_after: 90s}", "", func(p *filtergen.Policy) {
			p.Peers[0].MaxPrefix = &filtergen.MaxPrefix{RestartAfter: filtergen.Duration(90e9)}
		}, "restart_after", [2]string{}},
		{"path length 0", ", import: {max_path_length: 0}", "", func(p *filtergen.Policy) {
			p.Peers[0].Import = &filtergen.ImportOptions{MaxPathLength: ptr(0)}
		}, "max_path_length", [2]string{}},
		{"path length 256", ", import: {max_path_length: 256}", "", func(p *filtergen.Policy) {
			p.Peers[0].Import = &filtergen.ImportOptions{MaxPathLength: ptr(256)}
		}, "max_path_length", [2]string{}},
		{"ttl 0", ", session: {ttl_security: 0}", "", func(p *filtergen.Policy) {
			p.Peers[0].Session = &filtergen.SessionOptions{TTLSecurity: ptr(0)}
		}, "ttl_security", [2]string{}},
		{"ttl and multihop", ", session: {ttl_security: 1, multihop: 2}", "", func(p *filtergen.Policy) {
			p.Peers[0].Session = &filtergen.SessionOptions{TTLSecurity: ptr(1), Multihop: ptr(2)}
		}, "exclude each other", [2]string{}},
		{"password file and env", ", session: {password: {file: a, env: B}}", "", func(p *filtergen.Policy) {
			p.Peers[0].Session = &filtergen.SessionOptions{Password: &filtergen.PasswordSource{File: "a", Env: "B"}}
		}, "session.password", [2]string{}},
		{"export on a peer", ", export: full", "", func(p *filtergen.Policy) { p.Peers[0].Export = filtergen.ExportFull }, "export applies to customers", [2]string{}},
		{"interface on a peer of two routers", "", "customers: [{name: C1, asn: 1, announce: [AS1], interface: eth1}]\n", func(p *filtergen.Policy) {
			p.Customers = []filtergen.Peer{{Name: "C1", ASN: 1, Announce: []string{"AS1"}, PeerOptions: filtergen.PeerOptions{Interface: "eth1"}}}
		}, "list the interface per router under attach", [2]string{}},
		{"customer without interface", "", "customers: [{name: C1, asn: 1, announce: [AS1], routers: [r1]}]\n", func(p *filtergen.Policy) {
			p.Customers = []filtergen.Peer{{Name: "C1", ASN: 1, Announce: []string{"AS1"}, PeerOptions: filtergen.PeerOptions{Routers: []string{"r1"}}}}
		}, "needs an interface", [2]string{}},
		{"Linux interface too long", "", "customers: [{name: C1, asn: 1, announce: [AS1], attach: [{router: r1, interface: abcdefghijklmnop}]}]\n", func(p *filtergen.Policy) {
			p.Customers = []filtergen.Peer{{Name: "C1", ASN: 1, Announce: []string{"AS1"}, Attach: []filtergen.AttachConfig{{Router: "r1", Interface: "abcdefghijklmnop"}}}}
		}, "Linux interface", [2]string{}},
		{"Junos interface", "", "customers: [{name: C1, asn: 1, announce: [AS1], attach: [{router: j1, interface: eth1/2}]}]\n", func(p *filtergen.Policy) {
			p.Customers = []filtergen.Peer{{Name: "C1", ASN: 1, Announce: []string{"AS1"}, Attach: []filtergen.AttachConfig{{Router: "j1", Interface: "eth1/2"}}}}
		}, "Junos interface", [2]string{}},
		{"unknown family", ", families: [ipv4, ipv5]", "", func(p *filtergen.Policy) {
			p.Peers[0].Families = []filtergen.Family{filtergen.IPv4, 5}
		}, "families[1]: invalid policy: unknown family", [2]string{}},
		{"duplicate family", ", families: [ipv6, ipv6]", "", func(p *filtergen.Policy) {
			p.Peers[0].Families = []filtergen.Family{filtergen.IPv6, filtergen.IPv6}
		}, "families[1]: invalid policy: duplicate family ipv6", [2]string{}},
		{"attach unknown router", ", attach: [{router: r9}]", "", func(p *filtergen.Policy) {
			p.Peers[0].Attach = []filtergen.AttachConfig{{Router: "r9"}}
		}, "unknown router", [2]string{}},
		{"two local addresses of a family", ", attach: [{router: r1, local_addresses: [192.0.2.1, 192.0.2.2]}]", "", func(p *filtergen.Policy) {
			p.Peers[0].Attach = []filtergen.AttachConfig{{Router: "r1", LocalAddresses: []netip.Addr{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")}}}
		}, "one local address per family", [2]string{}},
		{"cache preference", "", "rpki: {caches: [{address: 192.0.2.9, port: 3323, preference: 300}]}\n", func(p *filtergen.Policy) {
			p.RPKI.Caches = []filtergen.RTRCacheConfig{{Address: netip.MustParseAddr("192.0.2.9"), Port: 3323, Preference: 300}}
		}, "preference", [2]string{}},
		{"cache expire", "", "rpki: {caches: [{address: 192.0.2.9, expire: 1m}]}\n", func(p *filtergen.Policy) {
			p.RPKI.Caches = []filtergen.RTRCacheConfig{{Address: netip.MustParseAddr("192.0.2.9"), Expire: filtergen.Duration(60e9)}}
		}, "expire", [2]string{}},
		{"router id v6", "", "", func(p *filtergen.Policy) { p.Routers[0].RouterID = netip.MustParseAddr("2001:db8::1") }, "router_id", [2]string{}},
		{"bad originate", "", "originate: [FOO]\n", func(p *filtergen.Policy) { p.Originate = []string{"FOO"} }, "originate[0]", [2]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			y := fmt.Sprintf(basePolicyYAML, tt.peerYAML, tt.extraYAML)
			if tt.replace[0] != "" {
				y = strings.Replace(y, tt.replace[0], tt.replace[1], 1)
			}
			if tt.name == "router id v6" {
				y = strings.Replace(y, "{name: r1, platform: bird2}", "{name: r1, platform: bird2, router_id: \"2001:db8::1\"}", 1)
			}
			_, yerr := filtergen.ParsePolicy("p.yaml", []byte(y))
			pol := goPolicy()
			tt.mutate(pol)
			gerr := pol.Validate()
			for what, err := range map[string]error{"YAML": yerr, "Go": gerr} {
				switch {
				case tt.want == "" && err != nil:
					t.Errorf("%s: unexpected error %v", what, err)
				case tt.want != "" && err == nil:
					t.Errorf("%s: no error, want %q", what, tt.want)
				case tt.want != "" && !strings.Contains(err.Error(), tt.want):
					t.Errorf("%s: error %v does not contain %q", what, err, tt.want)
				case err != nil && !errors.Is(err, filtergen.ErrPolicy):
					t.Errorf("%s: error does not wrap ErrPolicy: %v", what, err)
				}
			}
		})
	}
}

// TestMaxAgeDefault checks that a zero max_age means the default in a
// file and in Go alike, and "any" turns the age check off.
func TestMaxAgeDefault(t *testing.T) {
	for _, tt := range []struct {
		yaml string
		age  filtergen.Duration
		want string
	}{{"", 0, "24h0m0s"}, {"rpki: {max_age: 0s}\n", 0, "24h0m0s"}, {"rpki: {max_age: any}\n", filtergen.AnyAge, "any"}} {
		pol, err := filtergen.ParsePolicy("p.yaml", []byte(fmt.Sprintf(basePolicyYAML, "", tt.yaml)))
		if err != nil {
			t.Fatal(err)
		}
		g := goPolicy()
		g.RPKI.MaxAge = tt.age
		for _, p := range []*filtergen.Policy{pol, g} {
			r, err := p.Resolve()
			if err != nil {
				t.Fatal(err)
			}
			got := r.MaxAge.String()
			if r.MaxAge < 0 {
				got = "any"
			}
			if got != tt.want {
				t.Errorf("%q: MaxAge %s, want %s", tt.yaml, got, tt.want)
			}
		}
	}
}

const sessionRPSL = `as-set: AS-FOO
members: AS3333
source: TEST

route: 193.0.0.0/21
origin: AS3333
source: TEST

route6: 2001:67c:2e8::/48
origin: AS3333
source: TEST

route: 185.1.0.0/22
origin: AS64500
source: TEST
`

func compileSessions(t *testing.T, y string, dir string) (*filtergen.Result, error) {
	t.Helper()
	pol, err := filtergen.ParsePolicy(filepath.Join(dir, "p.yaml"), []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	pol.Dir = dir
	b := irr.NewBuilder(irr.LoadOptions{})
	if err := b.ReadFrom(context.Background(), strings.NewReader(sessionRPSL), "db.rpsl"); err != nil {
		t.Fatal(err)
	}
	reg, _ := b.Build()
	return filtergen.Compile(context.Background(), pol, filtergen.CompileOptions{IRR: reg})
}

// TestCompileRoles checks the role-dependent parts of the result.
func TestCompileRoles(t *testing.T) {
	y := `version: 2
local_as: 64500
originate: [AS64500, 2001:db8:500::/40]
irr: {dumps: [db.rpsl]}
rpki:
  caches: [{address: 192.0.2.9, port: 3323, refresh: 5m, preference: 2}, {address: 192.0.2.8, preference: 1}]
routers: [{name: r1, platform: bird2}, {name: j1, platform: junos}]
peers:
  - {name: UP, asn: 174, role: provider, neighbors: [192.0.2.1]}
  - {name: RS, asn: 3333, role: route-server, announce: [AS-FOO], neighbors: [192.0.2.2]}
  - {name: M, asn: 3333, role: rs-client, announce: [AS-FOO], neighbors: [192.0.2.3], max_prefix: {ipv6: 7, action: teardown}}
customers:
  - name: C
    asn: 3333
    announce: [AS-FOO]
    families: [ipv4]
    export: default
    import: {local_pref: 300}
    attach:
      - {router: r1, neighbors: [192.0.2.4], interface: eth1}
      - {router: j1, neighbors: [192.0.2.5], local_addresses: [192.0.2.6], interface: xe-0/0/1.100}
`
	res, err := compileSessions(t, y, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.RTR) != 2 || res.RTR[0].Address.String() != "192.0.2.8" || res.RTR[0].Port != 323 || res.RTR[1].Refresh != 300 {
		t.Errorf("RTR = %+v", res.RTR)
	}
	if len(res.Own) != 2 || len(res.Own[0].Entries) != 1 || res.Own[0].Entries[0].String() != "185.1.0.0/22" || res.Own[1].Entries[0].Prefix.String() != "2001:db8:500::/40" {
		t.Errorf("Own = %+v", res.Own)
	}
	by := map[string]*filtergen.PeerResult{}
	for _, p := range res.Peers {
		by[p.Name] = p
	}
	up := by["UP"]
	if up.Role != filtergen.RoleProvider || up.Import.PrefixFilter || up.Import.OriginCheck || !up.Import.RejectRPKIInvalid ||
		up.Family(filtergen.IPv4).MaxPrefix != filtergen.DefaultFullTableV4 || up.Family(filtergen.IPv6).MaxPrefix != filtergen.DefaultFullTableV6 ||
		!up.Export.Own || !up.Export.Customers || up.Export.Peers || up.Import.Tag.String() != "64500:1000:3" {
		t.Errorf("provider: %+v %+v %+v", up.Import, up.Export, up.Families)
	}
	if rs := by["RS"]; rs.Import.EnforceFirstAS || !rs.Import.OriginCheck {
		t.Errorf("route server: %+v", rs.Import)
	}
	m := by["M"]
	if !m.Import.EnforceNextHop || !m.Export.RSClients || m.Export.Own || m.Session.MaxPrefixAction != filtergen.MaxPrefixTeardown ||
		m.Session.RestartAfter != 0 || m.Family(filtergen.IPv6).MaxPrefix != 7 || m.Family(filtergen.IPv4).MaxPrefix != 10 {
		t.Errorf("rs-client: %+v %+v", m.Import, m.Session)
	}
	c := by["C"]
	if !c.Export.DefaultOnly || c.Import.LocalPref != 300 || len(c.Attachments) != 2 ||
		c.Attachment("j1").Interface != "xe-0/0/1.100" || c.Attachment("j1").Neighbors[0].String() != "192.0.2.5" {
		t.Errorf("customer: %+v %+v", c.Export, c.Attachments)
	}
	if len(c.AntiSpoofing) != 2 || c.AntiSpoofing[0].DenyAll || !c.AntiSpoofing[1].DenyAll || c.AntiSpoofing[1].Family != filtergen.IPv6 {
		t.Errorf("anti-spoofing: %+v", c.AntiSpoofing)
	}
}

// TestPasswordNeverShown checks that a session password read from a file
// or the environment appears in no error, JSON or formatted value.
func TestPasswordNeverShown(t *testing.T) {
	const secret = "s3cr3t-Pa55w0rd"
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pw"), []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FG_TEST_PW", secret)
	for _, src := range []string{"{file: pw}", "{env: FG_TEST_PW}"} {
		y := fmt.Sprintf(basePolicyYAML, ", neighbors: [192.0.2.1], session: {password: "+src+"}", "")
		res, err := compileSessions(t, y, dir)
		if err != nil {
			t.Fatal(err)
		}
		p := res.Peers[0]
		if p.Session.Password.Reveal() != secret {
			t.Fatalf("%s: password not read", src)
		}
		j, _ := json.Marshal(res)
		for what, s := range map[string]string{"json": string(j), "%v": fmt.Sprintf("%v", p), "%+v": fmt.Sprintf("%+v", *p),
			"%#v": fmt.Sprintf("%#v", p.Session)} {
			if strings.Contains(s, secret) {
				t.Errorf("%s: password shown in %s", src, what)
			}
		}
	}
	// A password that cannot be used is refused without showing it.
	bad := "bad pass\"word"
	if err := os.WriteFile(filepath.Join(dir, "pw"), []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	y := fmt.Sprintf(basePolicyYAML, ", session: {password: {file: pw}}", "")
	_, err := compileSessions(t, y, dir)
	if err == nil || strings.Contains(err.Error(), "pass") && strings.Contains(err.Error(), bad) {
		t.Errorf("bad password: err %v", err)
	}
	if err := os.Remove(filepath.Join(dir, "pw")); err != nil {
		t.Fatal(err)
	}
	if _, err := compileSessions(t, y, dir); err == nil {
		t.Error("missing password file: no error")
	}
}
