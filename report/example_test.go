package report_test

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/irr"
	"github.com/filtergen/filtergen/report"
	"github.com/filtergen/filtergen/rpki"
)

// Compile the bundled IXP example with a Collector and print one
// member's grades.
func ExampleCollector() {
	ctx := context.Background()
	dir := filepath.Join("..", "examples", "ixp-onboarding")
	pol, err := filtergen.LoadPolicy(filepath.Join(dir, "filtergen.yaml"))
	if err != nil {
		fmt.Println(err)
		return
	}
	reg, err := irr.LoadFiles(ctx, irr.LoadOptions{}, filepath.Join(dir, "data", "registry.rpsl"))
	if err != nil {
		fmt.Println(err)
		return
	}
	vrps, err := rpki.LoadFile(filepath.Join(dir, "data", "vrps.json"), rpki.LoadOptions{MaxAge: rpki.NoMaxAge})
	if err != nil {
		fmt.Println(err)
		return
	}
	var col report.Collector
	res, err := filtergen.Compile(ctx, pol, filtergen.CompileOptions{IRR: reg, RPKI: filtergen.RPKIFromSet(vrps), PeerDone: col.Peer})
	if err != nil {
		fmt.Println(err)
		return
	}
	rep, err := col.Build(res, report.Options{Now: func() time.Time { return time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC) }})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, n := range rep.Neighbors {
		if n.Name != "COLOCLUE" {
			continue
		}
		for _, g := range n.Grades {
			fmt.Println(g.Action, g.Grade)
			for _, r := range g.Reasons {
				fmt.Println("  -", r)
			}
		}
	}
	// Output:
	// filtering partial
	//   - set AS-DOES-NOT-EXIST referenced from AS8283:AS-COLOCLUE > AS-COLOCLUE-DOWNSTREAM does not exist: the filter may miss its routes
	// anti_spoofing not_applicable
	//   - not a customer: anti-spoofing applies to customer interfaces
	// global_validation not_ready
	//   - 1 route(s) RPKI invalid: route objects and ROAs disagree
	//   - 83.3% of 6 announced routes are RPKI valid
}
