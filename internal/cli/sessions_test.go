package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/filtergen/filtergen/internal/yangcheck"
)

// sessionsPolicy has every role and session option on a BIRD and a Junos
// router, so that each template branch is rendered and checked by the
// real parsers (bird -p, Juniper's YANG, nft -c).
const sessionsPolicy = `version: 2
local_as: 3000
originate: [AS3000, 2001:db8:3000::/36]
irr: {dumps: [db.rpsl]}
rpki:
  caches:
    - {address: 127.0.0.1, port: 3323, refresh: 1h, retry: 10m, expire: 2h}
    - {address: "::1", port: 3324, preference: 9}
defaults:
  import: {max_path_length: 40}
routers:
  - {name: b1, platform: bird2}
  - {name: j1, platform: junos, router_id: 192.0.2.1}
customers:
  - name: C
    asn: 1000
    announce: [AS-C]
    export: default
    urpf: loose
    session: {password: {env: FG_TEST_SESSION_PW}, bfd: true}
    max_prefix: {limit: 50, action: teardown}
    attach:
      - {router: b1, neighbors: [198.18.0.1, 2001:db8:ffff::1], local_addresses: [198.18.0.0], interface: eth1.100}
      - {router: j1, neighbors: [198.18.0.5], interface: ae0.100}
  - {name: CV4, asn: 1001, announce: [AS1001], families: [ipv4], export: own-and-customers,
     neighbors: [198.18.0.9], interface: xe-0/0/3, routers: [j1], import: {local_pref: 250, graceful_shutdown: false}}
peers:
  - {name: P, asn: 1000, announce: [AS-C], neighbors: [198.18.1.1], session: {ttl_security: 1},
     max_prefix: {action: warning}}
  - {name: UP, asn: 174, role: provider, neighbors: [198.18.2.1, 2001:db8:ffff:2::1], session: {multihop: 2}}
  - {name: RS, asn: 6777, role: route-server, announce: [AS-C], neighbors: [198.18.3.1]}
  - {name: M1, asn: 1000, role: rs-client, announce: [AS-C], neighbors: [198.18.4.1, 2001:db8:ffff:4::1]}
  - {name: M2, asn: 210000, role: rs-client, announce: [RS-M2], neighbors: [198.18.4.2]}
`

const sessionsRPSL = antispoofRPSL + `
route:   3.0.0.0/16
origin:  AS3000
source:  TEST

route-set: RS-M2
members:   14.0.0.0/16
source:    TEST
`

func TestSessionsEveryRole(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "db.rpsl", sessionsRPSL)
	write(t, dir, "policy.yaml", sessionsPolicy)
	t.Setenv("FG_TEST_SESSION_PW", "pw-9f8e7d")
	out := filepath.Join(dir, "out")
	// runCLI's factory has no environment but the process's, which
	// t.Setenv sets for the library's os.LookupEnv.
	if code, _, stderr := runCLI(t, "compile", filepath.Join(dir, "policy.yaml"), "-o", out); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	files := readTree(t, out)
	get := func(name string) string {
		s, ok := files[name]
		if !ok {
			t.Fatalf("%s not written", name)
		}
		return string(s)
	}
	for _, c := range []struct {
		file string
		want []string // regular expressions
		not  []string
	}{
		{"b1.conf", []string{`(?m)^# filtergen-operator: router-id `, `(?m)^# filtergen-operator: bfd `,
			`(?s)protocol rpki FG_RPKI_0 \{.*?remote 127\.0\.0\.1 port 3323;\s*refresh 3600;\s*retry 600;\s*expire 7200;`,
			`remote ::1 port 3324;`, `ipv4 table FG_RS_V4 sorted;`, `route 3\.0\.0\.0/16 blackhole;`,
			`protocol static FG_DEFAULT_V4`}, nil},
		{"b1.d/C.conf", []string{`local 198\.18\.0\.0 as 3000;\s*neighbor 198\.18\.0\.1 as 1000;\s*local role provider;`,
			`password "pw-9f8e7d";`, `bfd on;`, `import limit 50 action disable;`, `bgp_path\.len > 40`,
			`if net\.len = 0 then accept;\s*reject;`, `import table on;`},
			[]string{`FG_ORIGINATE`, `\(3000, 1000, 2\) ~`}},
		{"b1.d/P.conf", []string{`ttl security on;`, `import limit \d+ action warn;`, `local role peer;`,
			`if proto = "FG_ORIGINATE_V4" then accept;\s*if \(3000, 1000, 1\) ~ bgp_large_community then accept;\s*reject;`},
			[]string{`multihop`}},
		{"b1.d/UP.conf", []string{`multihop 2;`, `import limit 1500000 action restart;`, `import limit 500000 action restart;`,
			`local role customer;`, `bgp_large_community\.add\(\(3000, 1000, 3\)\);`, `roa_check`},
			[]string{`PL_UP`, `AS_UP_ORIGINS`}},
		{"b1.d/RS.conf", []string{`local role rs_client;`}, []string{`bgp_path\.first`, `rs client`}},
		{"b1.d/M1.conf", []string{`rs client;`, `table FG_RS_V4;\s*secondary;`, `bgp_next_hop != from`,
			`\(0, 1000\) ~ bgp_community`, `\(3000, 0, 1000\) ~ bgp_large_community`}, []string{`FG_ORIGINATE`}},
		// AS210000 has no 16-bit controls; its route-set gets an origin check on its own AS.
		{"b1.d/M2.conf", []string{`define AS_M2_ORIGINS = \[\s*210000\s*\];`, `bgp_path\.last ~ AS_M2_ORIGINS`},
			[]string{`\(0, 210000\)`}},
		{"b1.nft", []string{`iifname "eth1\.100" meta nfproto ipv4 fib saddr oif missing counter drop`, `198\.18\.0\.1/32`},
			[]string{`198\.18\.0\.5/32`}},
		{"j1.conf", []string{`router-id 192\.0\.2\.1;`, `session ::1 \{\s*preference 9;\s*port 3324;`,
			`refresh-time 1800;`, `route 0\.0\.0\.0/0 \{\s*discard;\s*no-install;`}, []string{`filtergen-operator: router-id`}},
		{"j1.d/C.conf", []string{`ae0 \{\s*unit 100 \{`, `authentication-key "pw-9f8e7d";`, `teardown idle-timeout forever;`,
			`bfd-liveness-detection`, `(?s)family inet6 \{.*?input ACL_C_IN_V6;`},
			[]string{`198\.18\.0\.1;`, `198\.18\.0\.1/32`}}, // b1's session address is not permitted on j1
		{"j1.d/CV4.conf", []string{`xe-0/0/3 \{\s*unit 0 \{`, `local-preference 250;`, `filter ACL_CV4_IN_V6 \{\s*/\*`},
			[]string{`graceful-shutdown`, `term peers`}},
		{"j1.d/P.conf", []string{`ttl 255;`, `accepted-prefix-limit \{\s*maximum \d+;\s*\}`}, nil},
		{"j1.d/M1.conf", []string{`route-server-client;`, `import \[ RP_M1_NH_V4_0 RP_M1_IN_V4 \];`, `from next-hop 198\.18\.4\.1;`}, nil},
	} {
		s := get(c.file)
		for _, w := range c.want {
			if !regexp.MustCompile(w).MatchString(s) {
				t.Errorf("%s does not match %s:\n%s", c.file, w, s)
			}
		}
		for _, w := range c.not {
			if regexp.MustCompile(w).MatchString(s) {
				t.Errorf("%s matches %s", c.file, w)
			}
		}
	}

	// The real parsers.
	junos := map[string][]byte{}
	for name, data := range files {
		if strings.HasPrefix(name, "j1") {
			junos[name] = data
		}
	}
	t.Run("yang", func(t *testing.T) { yangcheck.TestJunos(t, junos) })
	t.Run("nft", func(t *testing.T) { nftRun(t, filepath.Join(out, "b1.nft")) })
	t.Run("bird", func(t *testing.T) {
		bird, err := exec.LookPath("bird")
		if err != nil {
			t.Skip("bird not installed (make deps installs bird2)")
		}
		conf := filepath.Join(out, "bird.conf")
		main := "log stderr all;\nrouter id 192.0.2.9;\nprotocol device {}\nprotocol bfd {}\ninclude \"b1.conf\";\n"
		if err := os.WriteFile(conf, []byte(main), 0o644); err != nil {
			t.Fatal(err)
		}
		if b, err := exec.Command(bird, "-p", "-c", conf).CombinedOutput(); err != nil {
			t.Errorf("bird -p: %v\n%s", err, b)
		}
	})
}
