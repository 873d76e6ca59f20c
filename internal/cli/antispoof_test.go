package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/templates"
)

const antispoofRPSL = `
as-set:  AS-C
members: AS1000, AS1001
source:  TEST

route:   11.0.0.0/16
origin:  AS1000
source:  TEST

route:   11.1.0.0/16
origin:  AS1000
source:  TEST

route:   12.0.0.0/16
origin:  AS1001
source:  TEST

route:   13.0.0.0/25
origin:  AS1001
source:  TEST

route6:  2a00:1000::/36
origin:  AS1000
source:  TEST
`

const antispoofPolicy = `version: 2
local_as: 3000
irr: {dumps: [db.rpsl]}
routers:
  - {name: j1, platform: junos}
  - {name: b1, platform: bird2}
  - {name: b2, platform: bird2}
customers:
  - {name: C, asn: 1000, announce: [AS-C, 45.0.0.0/22^24], neighbors: [198.18.0.1, 2001:db8:ffff::1],
     attach: [{router: j1, interface: eth1}, {router: b1, interface: eth1}]}
  - {name: L, asn: 1001, announce: [AS1001], neighbors: [198.18.0.3], urpf: loose,
     families: [ipv4], attach: [{router: j1, interface: eth2}, {router: b1, interface: eth2}]}
  - {name: N, asn: 1001, announce: [AS1001], neighbors: [198.18.0.5], routers: [b1], ingress_acl: false, urpf: none}
peers:
  - {name: P, asn: 1000, announce: [AS-C], neighbors: [198.18.0.7]}
`

// TestCompileAntiSpoofing checks what the customers' ingress ACLs and uRPF
// become on each platform: the Junos prefix-lists carry exactly the
// Result's ACL entries and are applied with rpf-check on the interface;
// the BIRD files say that BIRD cannot filter packets and point to the
// nftables file, whose sets carry the same entries and which nft accepts.
func TestCompileAntiSpoofing(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "db.rpsl", antispoofRPSL)
	write(t, dir, "policy.yaml", antispoofPolicy)
	out := filepath.Join(dir, "out")
	code, stdout, stderr := runCLI(t, "compile", filepath.Join(dir, "policy.yaml"), "-o", out, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res filtergen.Result
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	acl := map[string][]string{} // "C ipv4" -> entries
	for _, p := range res.Peers {
		for _, f := range p.Families {
			for _, e := range f.ACL {
				acl[p.Name+" "+f.Family.String()] = append(acl[p.Name+" "+f.Family.String()], e.String())
			}
		}
	}
	wantACL := map[string][]string{
		"C ipv4": {"11.0.0.0/15", "12.0.0.0/16", "45.0.0.0/22", "198.18.0.1/32"},
		"C ipv6": {"2001:db8:ffff::1/128", "2a00:1000::/36", "fe80::/10"},
		"L ipv4": {"12.0.0.0/16", "198.18.0.3/32"},
	}
	if diff := cmp.Diff(wantACL, acl); diff != "" {
		t.Fatalf("ACLs in the Result (-want +got):\n%s", diff)
	}
	files := readTree(t, out)

	// Junos: one prefix-list per customer and family with the ACL entries.
	for _, key := range []string{"C ipv4", "C ipv6", "L ipv4"} {
		name, fam, _ := strings.Cut(key, " ")
		sfx := map[string]string{"ipv4": "V4", "ipv6": "V6"}[fam]
		conf := string(files["j1.d/"+name+".conf"])
		list := regexp.MustCompile(`(?s)prefix-list SRC_` + name + `_` + sfx + ` \{\n(.*?)\n\s*\}`).FindStringSubmatch(conf)
		if list == nil {
			t.Errorf("j1.d/%s.conf: no prefix-list SRC_%s_%s:\n%s", name, name, sfx, conf)
			continue
		}
		var got []string
		for _, l := range strings.Split(list[1], "\n") {
			got = append(got, strings.TrimSuffix(strings.TrimSpace(l), ";"))
		}
		if diff := cmp.Diff(wantACL[key], got); diff != "" {
			t.Errorf("j1 prefix-list SRC_%s_%s (-want +got):\n%s", name, sfx, diff)
		}
		for _, s := range []string{
			`filter ACL_` + name + `_IN_` + sfx + ` \{`,
			`source-prefix-list \{\n\s*SRC_` + name + `_` + sfx + `;`,
			`input ACL_` + name + `_IN_` + sfx + `;`,
		} {
			if !regexp.MustCompile(s).MatchString(conf) {
				t.Errorf("j1.d/%s.conf lacks %q", name, s)
			}
		}
	}
	if c := string(files["j1.d/C.conf"]); !strings.Contains(c, "eth1 {") || !strings.Contains(c, " rpf-check;\n") {
		t.Errorf("j1.d/C.conf: no strict rpf-check on eth1:\n%s", c)
	}
	if l := string(files["j1.d/L.conf"]); !regexp.MustCompile(`rpf-check \{\n\s*mode loose;`).MatchString(l) {
		t.Errorf("j1.d/L.conf: no loose rpf-check:\n%s", l)
	}
	if p := string(files["j1.d/P.conf"]); strings.Contains(p, "firewall") || strings.Contains(p, "rpf-check") {
		t.Errorf("j1.d/P.conf: a peer that is not a customer got anti-spoofing:\n%s", p)
	}

	// BIRD: the files say where anti-spoofing went.
	for name, want := range map[string]string{
		"b1.conf": "BIRD cannot filter packets. Load b1.nft into the host's nftables.",
		"b1.d/C.conf": "# anti-spoofing: uRPF strict, ingress ACL on, interface eth1.\n" +
			"# BIRD cannot filter packets: the rules are in b1.nft (nftables), not here.",
		"b1.d/L.conf": "# anti-spoofing: uRPF loose, ingress ACL on, interface eth2.",
		"b1.d/N.conf": "# anti-spoofing: uRPF none, ingress ACL off, no interface in the policy.",
	} {
		if !strings.Contains(string(files[name]), want) {
			t.Errorf("%s lacks %q:\n%s", name, want, files[name])
		}
	}
	if strings.Contains(string(files["b1.d/P.conf"]), "anti-spoofing") {
		t.Errorf("b1.d/P.conf mentions anti-spoofing for a peer that is not a customer")
	}
	if _, ok := files["b2.nft"]; ok || strings.Contains(string(files["b2.conf"]), ".nft") {
		t.Errorf("b2 has no customers but got an nftables file or a pointer to one")
	}
	if _, ok := files["j1.nft"]; ok {
		t.Errorf("junos router got an nftables file")
	}

	// nftables: the sets carry the ACL entries, the rules use them.
	nft := string(files["b1.nft"])
	for _, key := range []string{"C ipv4", "C ipv6", "L ipv4"} {
		name, fam, _ := strings.Cut(key, " ")
		sfx := map[string]string{"ipv4": "V4", "ipv6": "V6"}[fam]
		m := regexp.MustCompile(`(?s)set SRC_` + name + `_` + sfx + ` \{.*?elements = \{\n(.*?)\n        \}`).FindStringSubmatch(nft)
		if m == nil {
			t.Errorf("b1.nft: no set SRC_%s_%s:\n%s", name, sfx, nft)
			continue
		}
		var got []string
		for _, l := range strings.Split(m[1], "\n") {
			got = append(got, strings.TrimSuffix(strings.TrimSpace(l), ","))
		}
		if diff := cmp.Diff(wantACL[key], got); diff != "" {
			t.Errorf("b1.nft set SRC_%s_%s (-want +got):\n%s", name, sfx, diff)
		}
	}
	for _, rule := range []string{
		`iifname "eth1" meta nfproto ipv4 fib saddr . iif oif missing counter drop`,
		`iifname "eth1" meta nfproto ipv4 ip saddr != @SRC_C_V4 counter drop`,
		`iifname "eth1" meta nfproto ipv6 fib saddr . iif oif missing counter drop`,
		`iifname "eth1" meta nfproto ipv6 ip6 saddr != @SRC_C_V6 counter drop`,
		`iifname "eth2" meta nfproto ipv4 fib saddr oif missing counter drop`,
		`iifname "eth2" meta nfproto ipv4 ip saddr != @SRC_L_V4 counter drop`,
		"# customer N AS1001\n        # no interface in the policy: no uRPF or ACL rule is rendered",
		// L has families: [ipv4]: its IPv6 is denied, not left open.
		`iifname "eth2" meta nfproto ipv6 counter drop`,
	} {
		if !strings.Contains(nft, rule+"\n") {
			t.Errorf("b1.nft lacks %q", rule)
		}
	}
	if strings.Contains(nft, "eth2\" meta nfproto ipv6 fib") || strings.Contains(nft, "customer P") {
		t.Errorf("b1.nft has rules for a family or peer it should not:\n%s", nft)
	}
	nftCheck(t, filepath.Join(out, "b1.nft"))
}

// TestExamplesNftParses runs 'nft -c -f' on the nftables files in the
// examples' golden output.
func TestExamplesNftParses(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "golden", "*", "*.nft"))
	if len(files) == 0 {
		t.Fatal("no .nft file in the golden output; the transit-customer example has a bird2 router with customers")
	}
	for _, f := range files {
		t.Run(filepath.Base(filepath.Dir(f)), func(t *testing.T) { nftRun(t, f) })
	}
}

// nftRun runs 'nft -c -f' on file. nft needs CAP_NET_ADMIN even to check
// (it reads the kernel's ruleset cache), so the check is skipped when nft
// is not installed or not permitted.
func nftRun(t *testing.T, file string) string {
	t.Helper()
	nft := lookTool(t, "nft", "/usr/sbin/nft")
	b, err := exec.Command(nft, "-c", "-f", file).CombinedOutput()
	if err != nil && strings.Contains(string(b), "Operation not permitted") {
		t.Skipf("nft -c needs CAP_NET_ADMIN here: %s", b)
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("nft: %v", err)
	}
	if err != nil {
		t.Errorf("nft -c -f %s: %v\n%s", file, err, b)
	}
	return nft
}

// nftCheck runs 'nft -c -f' on file, and on a copy with an error to show
// that the check can fail.
func nftCheck(t *testing.T, file string) {
	t.Helper()
	nft := nftRun(t, file)
	data, _ := os.ReadFile(file)
	bad := filepath.Join(filepath.Dir(file), "bad.nft")
	// Overlapping interval elements are an error: the sets must be a
	// CIDR union.
	write(t, filepath.Dir(file), "bad.nft", strings.Replace(string(data), "12.0.0.0/16", "12.0.0.0/16,\n            12.0.1.0/24", 1))
	if err := exec.Command(nft, "-c", "-f", bad).Run(); err == nil {
		t.Errorf("nft -c accepted overlapping set elements")
	}
}

// TestCompileKeepGoingKeepsNft: with --keep-going, a router's nftables
// file, like its main file, stays as it was when one of its customers
// failed, so the failed customer's anti-spoofing rules stay in force.
func TestCompileKeepGoingKeepsNft(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "db.rpsl", antispoofRPSL)
	write(t, dir, "policy.yaml", antispoofPolicy)
	out := filepath.Join(dir, "out")
	if code, _, stderr := runCLI(t, "compile", filepath.Join(dir, "policy.yaml"), "-o", out); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	before := readTree(t, out)
	// C changes (a new route), N fails (its set is gone).
	write(t, dir, "db.rpsl", antispoofRPSL+"\nroute: 14.0.0.0/16\norigin: AS1000\nsource: TEST\n")
	write(t, dir, "policy.yaml", strings.Replace(antispoofPolicy, "{name: N, asn: 1001, announce: [AS1001]", "{name: N, asn: 1001, announce: [AS-GONE]", 1))
	code, _, stderr := runCLI(t, "compile", filepath.Join(dir, "policy.yaml"), "-o", out, "--keep-going")
	if code != 1 || !strings.Contains(stderr, `peer "N"`) {
		t.Fatalf("exit %d, want 1 naming N: %s", code, stderr)
	}
	after := readTree(t, out)
	for _, name := range []string{"b1.nft", "b1.conf", "b1.d/N.conf"} {
		if string(before[name]) != string(after[name]) {
			t.Errorf("%s changed although N failed", name)
		}
	}
	if string(before["j1.d/C.conf"]) == string(after["j1.d/C.conf"]) {
		t.Errorf("j1.d/C.conf not rewritten although C succeeded")
	}
}

// TestCompileEmptyACLDeniesAll checks that a customer family with no
// permitted source address (here IPv4: only IPv6 prefixes and an IPv6
// neighbor) gets a filter that drops everything, on both platforms, rather
// than no filter at all.
func TestCompileEmptyACLDeniesAll(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "db.rpsl", antispoofRPSL)
	write(t, dir, "policy.yaml", `version: 2
local_as: 3000
irr: {dumps: [db.rpsl]}
routers:
  - {name: j1, platform: junos}
  - {name: b1, platform: bird2}
customers:
  - {name: E, asn: 1000, announce: [2a00:1000::/36], neighbors: [2001:db8:ffff::9],
     attach: [{router: j1, interface: eth9}, {router: b1, interface: eth9}]}
`)
	out := filepath.Join(dir, "out")
	if code, _, stderr := runCLI(t, "compile", filepath.Join(dir, "policy.yaml"), "-o", out); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	files := readTree(t, out)
	junos := string(files["j1.d/E.conf"])
	v4 := regexp.MustCompile(`(?s)filter ACL_E_IN_V4 \{(.*?)\n                \}`).FindStringSubmatch(junos)
	if v4 == nil || strings.Contains(v4[1], "allow-customer") || !strings.Contains(v4[1], "discard;") {
		t.Errorf("j1.d/E.conf: IPv4 filter should discard everything:\n%s", junos)
	}
	if !regexp.MustCompile(`(?s)family inet \{.*?input ACL_E_IN_V4;`).MatchString(junos) {
		t.Errorf("j1.d/E.conf: IPv4 filter not applied to eth9:\n%s", junos)
	}
	nft := string(files["b1.nft"])
	if !strings.Contains(nft, `iifname "eth9" meta nfproto ipv4 counter drop`+"\n") {
		t.Errorf("b1.nft: no drop-all rule for IPv4:\n%s", nft)
	}
	if !strings.Contains(nft, `iifname "eth9" meta nfproto ipv6 ip6 saddr != @SRC_E_V6 counter drop`+"\n") {
		t.Errorf("b1.nft: IPv6 ACL rule missing:\n%s", nft)
	}
}

// TestCompileSROSClassicFilterCollision runs compile -o on an SR OS
// classic router whose customers C154 and C213 (both without IPv6) have
// deny-all IPv6 filters preferring the same ID, C213 first in the policy.
// The files written are those templates.Render gives for the policy
// compiled in one piece: C213's filter is moved to the next ID.
func TestCompileSROSClassicFilterCollision(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "db.rpsl", antispoofRPSL)
	write(t, dir, "policy.yaml", `version: 2
local_as: 3000
irr: {dumps: [db.rpsl]}
routers:
  - {name: s1, platform: sros-classic}
customers:
  - {name: C213, asn: 1001, announce: [AS1001], neighbors: [198.18.0.3], families: [ipv4],
     attach: [{router: s1, interface: to-c213}]}
  - {name: C154, asn: 1000, announce: [AS1000], neighbors: [198.18.0.1], families: [ipv4],
     attach: [{router: s1, interface: to-c154}]}
`)
	out := filepath.Join(dir, "out")
	if code, _, stderr := runCLI(t, "compile", filepath.Join(dir, "policy.yaml"), "-o", out); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// The same policy compiled in one piece and rendered by Render.
	ctx := context.Background()
	pol, err := filtergen.LoadPolicy(filepath.Join(dir, "policy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := filtergen.Open(ctx, pol, filtergen.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	res, err := filtergen.Compile(ctx, pol, src.CompileOptions())
	if err != nil {
		t.Fatal(err)
	}
	want, err := templates.Render(res, res.Routers[0], templates.Options{})
	if err != nil {
		t.Fatal(err)
	}
	files := readTree(t, out)
	for _, f := range want {
		if !bytes.Equal(files[f.Name], f.Data) {
			t.Errorf("%s differs from templates.Render's:\n%s\nRender:\n%s", f.Name, files[f.Name], f.Data)
		}
	}
	v6 := regexp.MustCompile(`(?m)^ +ipv6-filter (\d+) `)
	id := func(peer string) int {
		m := v6.FindSubmatch(files["s1.d/"+peer+".conf"])
		if m == nil {
			t.Fatalf("s1.d/%s.conf has no ipv6-filter:\n%s", peer, files["s1.d/"+peer+".conf"])
		}
		n, _ := strconv.Atoi(string(m[1]))
		return n
	}
	if a, b := id("C154"), id("C213"); b != a+1 {
		t.Errorf("IPv6 filters: C154 %d, C213 %d; want C213 on the ID after C154's (they prefer the same)", a, b)
	}
}
