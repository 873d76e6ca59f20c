package rpki_test

import (
	"context"
	"fmt"
	"log"
	"net/netip"
	"time"

	"github.com/filtergen/filtergen/rpki"
)

// A Client keeps VRPs fresh from an RTR cache. Every reader gets a
// complete Set; once the cache has been silent for its expire interval,
// Set fails with ErrStale instead of serving old data.
func ExampleClient() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := &rpki.Client{Addr: "127.0.0.1:8282"}
	go c.Run(ctx) // returns when ctx is cancelled

	set, err := c.Wait(ctx)
	if err != nil {
		log.Fatal(err)
	}
	state, vrps := set.Validate(netip.MustParsePrefix("192.0.2.0/24"), 64500)
	fmt.Println(state, vrps)

	// Later, before each use:
	if _, err := c.Set(); err != nil {
		log.Fatal(err) // errors.Is(err, rpki.ErrStale): refuse, do not guess
	}
}

// ASPA: is a member of a customer's AS-SET downstream of that customer?
// It is when the member attests the customer as one of its providers.
func ExampleSet_Authorized() {
	set, err := rpki.NewSet(
		[]rpki.VRP{{Prefix: netip.MustParsePrefix("192.0.2.0/24"), MaxLen: 24, ASN: 64500}},
		[]rpki.ASPA{
			{Customer: 64501, Providers: []uint32{64500, 64510}},
			{Customer: 64502, Providers: []uint32{64520}},
		},
		time.Now())
	if err != nil {
		log.Fatal(err)
	}
	const customer = 64500
	for _, member := range []uint32{64501, 64502, 64503} {
		fmt.Printf("AS%d: %s\n", member, set.Authorized(member, customer))
	}
	// Output:
	// AS64501: provider+
	// AS64502: not-provider+
	// AS64503: no-attestation
}
