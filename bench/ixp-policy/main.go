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
	flag.Parse()
	if *dump == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	abs, err := filepath.Abs(*dump)
	if err != nil {
		log.Fatal(err)
	}
	y, err := policy(abs, *members)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, []byte(y), 0o644); err != nil {
		log.Fatal(err)
	}
}

func policy(dump string, members int) (string, error) {
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
	var y strings.Builder
	fmt.Fprintf(&y, "version: 2\nlocal_as: 59900\nirr:\n  dumps: [%q]\nrouters:\n  - {name: rs1, platform: bird2}\n  - {name: rs2, platform: junos}\npeers:\n", dump)
	for i, name := range append(small, huge...) {
		fmt.Fprintf(&y, "  - name: M%d\n    asn: %d\n    announce: [%s]\n    enforce_first_as: false\n    neighbors: [10.%d.%d.1, 2001:7f8::%x]\n",
			i, 3000+i, name, i/250, i%250, i)
	}
	return y.String(), nil
}
