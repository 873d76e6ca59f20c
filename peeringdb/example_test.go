package peeringdb_test

import (
	"context"
	"fmt"

	"github.com/filtergen/filtergen/peeringdb"
)

func ExampleLoadSnapshot() {
	snap, err := peeringdb.LoadSnapshot("testdata/snapshot", peeringdb.SnapshotOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	members, _ := snap.NetIXLans(ctx, 4242)
	for _, m := range members {
		n, err := peeringdb.NetOf(ctx, snap, m.ASN)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("AS%d %s rs=%v %q\n", m.ASN, m.IPAddr4, m.IsRSPeer, n.IRRASSet)
	}
	// Output:
	// AS64496 203.0.113.10 rs=true "RIPE::AS-EXAMPLE"
	// AS64496 203.0.113.13 rs=false "RIPE::AS-EXAMPLE"
	// AS64497 203.0.113.11 rs=true "AS64497:AS-CUSTOMERS, AS-OTHER"
	// AS64498 203.0.113.12 rs=true ""
}
