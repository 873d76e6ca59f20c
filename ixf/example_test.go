package ixf_test

import (
	"context"
	"fmt"

	"github.com/filtergen/filtergen/ixf"
)

func ExampleExport_Peerings() {
	exp, err := ixf.Load(context.Background(), "testdata/export.json", ixf.LoadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range exp.Peerings(exp.IXPList[0].IXPID) {
		if p.RouteServer != nil && *p.RouteServer {
			fmt.Printf("AS%d %s max-prefix %d %s\n", p.ASN, p.Addr, p.MaxPrefix, p.ASMacro)
		}
	}
	// Output:
	// AS64496 203.0.113.10 max-prefix 50 RIPE::AS-EXAMPLE
	// AS64496 2001:db8:4242::10 max-prefix 20 AS-EXAMPLE-V6
	// AS64498 2001:db8:4242::12 max-prefix 0
}
