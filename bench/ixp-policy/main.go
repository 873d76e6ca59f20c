// Command ixp-policy writes the policy of BenchmarkCompileIXP
// (internal/cli/bench_test.go) for a generated RPSL dump, so that the
// same compile can be run and profiled as a command:
//
//	go run ./bench/ixp-policy -dump /tmp/gen/big.rpsl -out /tmp/ixp.yaml
//	/usr/bin/time -v filtergen compile /tmp/ixp.yaml -o /tmp/ixp-out
//
// The members announce the first members-2 AS-SETs of the dump whose cone
// has at most 4,096 ASNs, plus the first 2 larger ones, like an IXP with
// two transit members. Keep it in step with writeIXPPolicy.
//
// With -peeringdb DIR it writes the same members as a PeeringDB snapshot
// (net.json, ix.json, ixlan.json, ixpfx.json, netixlan.json in DIR) and a
// policy that onboards them with members_from, so that bench/ixp-onboarding.sh
// measures onboarding from a snapshot, IRR expansion and rendering.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/filtergen/filtergen/irr"
)

func main() {
	dump := flag.String("dump", "", "generated RPSL dump (gen-rpsl.py)")
	out := flag.String("out", "", "policy file to write")
	members := flag.Int("members", 1000, "IXP members")
	pdb := flag.String("peeringdb", "", "write the members as a PeeringDB snapshot in this directory")
	flag.Parse()
	if *dump == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	abs, err := filepath.Abs(*dump)
	if err != nil {
		log.Fatal(err)
	}
	y, err := policy(abs, *members, *pdb)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, []byte(y), 0o644); err != nil {
		log.Fatal(err)
	}
}

func policy(dump string, members int, pdb string) (string, error) {
	ctx := context.Background()
	reg, err := irr.LoadFiles(ctx, irr.LoadOptions{}, dump)
	if err != nil {
		return "", err
	}
	f, err := os.Open(dump)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var small, huge []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() && (len(small) < members-2 || len(huge) < 2) {
		name, ok := strings.CutPrefix(sc.Text(), "as-set:")
		name = strings.TrimSpace(name)
		if !ok || name == "AS-TOP" {
			continue
		}
		asns, _, err := reg.ExpandASNs(ctx, name, nil)
		if err != nil {
			continue
		}
		if len(asns) <= 4096 && len(small) < members-2 {
			small = append(small, name)
		} else if len(asns) > 4096 && len(huge) < 2 {
			huge = append(huge, name)
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	if pdb != "" {
		return snapshot(dump, pdb, append(small, huge...))
	}
	var y strings.Builder
	fmt.Fprintf(&y, "version: 2\nlocal_as: 59900\nirr:\n  dumps: [%q]\nrouters:\n  - {name: rs1, platform: bird2}\n  - {name: rs2, platform: frr}\npeers:\n", dump)
	for i, name := range append(small, huge...) {
		fmt.Fprintf(&y, "  - name: M%d\n    asn: %d\n    announce: [%s]\n    enforce_first_as: false\n    neighbors: [10.%d.%d.1, 2001:7f8::%x]\n",
			i, 3000+i, name, i/250, i%250, i)
	}
	return y.String(), nil
}

// snapshot writes the members as PeeringDB objects in dir and returns a
// policy that takes them from there.
func snapshot(dump, dir string, sets []string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return "", err
	}
	const ts = `"created": "2026-01-01T00:00:00Z", "updated": "2026-01-01T00:00:00Z", "status": "ok"`
	sources, err := setSources(dump)
	if err != nil {
		return "", err
	}
	var nets, rows strings.Builder
	for i, set := range sets {
		sep := ",\n"
		if i == 0 {
			sep = ""
		}
		// A few members leave out their prefix counts or their AS-SET,
		// as in the real PeeringDB, to exercise the fallbacks.
		p4, p6, irrSet := fmt.Sprint(50+i%400), fmt.Sprint(10+i%40), sources[set]+"::"+set
		if i%50 == 7 {
			p4, p6 = "0", "null"
		}
		fmt.Fprintf(&nets, `%s{"id": %d, "org_id": %d, "name": "Member %d & Co", "asn": %d, "irr_as_set": %q, "info_prefixes4": %s, "info_prefixes6": %s, "info_never_via_route_servers": false, %s}`,
			sep, 10000+i, 20000+i, i, 3000+i, irrSet, p4, p6, ts)
		fmt.Fprintf(&rows, `%s{"id": %d, "net_id": %d, "ix_id": 1, "ixlan_id": 1, "speed": 10000, "asn": %d, "ipaddr4": "10.%d.%d.1", "ipaddr6": "2001:7f8::%x", "is_rs_peer": true, "operational": true, %s}`,
			sep, 30000+i, 10000+i, 3000+i, i/250, i%250, i, ts)
	}
	files := map[string]string{
		"net.json":      "{\"data\": [\n" + nets.String() + "\n]}\n",
		"netixlan.json": "{\"data\": [\n" + rows.String() + "\n]}\n",
		"ix.json":       `{"data": [{"id": 1, "name": "Bench-IX", "country": "NL", ` + ts + `}]}` + "\n",
		"ixlan.json":    `{"data": [{"id": 1, "ix_id": 1, "rs_asn": 59900, ` + ts + `}]}` + "\n",
		"ixpfx.json": `{"data": [{"id": 1, "ixlan_id": 1, "protocol": "IPv4", "prefix": "10.0.0.0/8", ` + ts + `},` +
			` {"id": 2, "ixlan_id": 1, "protocol": "IPv6", "prefix": "2001:7f8::/64", ` + ts + `}]}` + "\n",
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(abs, name), []byte(data), 0o644); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf(`version: 2
local_as: 59900
irr:
  dumps: [%q]
  sources: [RIPE, RADB, ARIN]
peeringdb:
  snapshot: %q
  max_prefix: {headroom: 0.2, minimum: 10}
members_from:
  peeringdb: {ix_id: 1}
defaults:
  enforce_first_as: false
routers:
  - {name: rs1, platform: bird2}
  - {name: rs2, platform: frr}
`, dump, abs), nil
}

// setSources maps each as-set of the dump to its source, so that the
// snapshot's irr_as_set values are SOURCE::-pinned as PeeringDB's often are.
func setSources(dump string) (map[string]string, error) {
	f, err := os.Open(dump)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	set := ""
	for sc.Scan() {
		l := sc.Text()
		if name, ok := strings.CutPrefix(l, "as-set:"); ok {
			set = strings.TrimSpace(name)
		} else if src, ok := strings.CutPrefix(l, "source:"); ok && set != "" {
			if _, seen := out[set]; !seen {
				out[set] = strings.TrimSpace(src)
			}
			set = ""
		} else if l == "" {
			set = ""
		}
	}
	return out, sc.Err()
}
