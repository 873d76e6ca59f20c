// Package rpki loads Validated ROA Payloads (VRPs) and ASPA records and
// validates route origins (RFC 6811).
//
// Data comes from a validator's output file (rpki-client JSON, Routinator
// json, jsonext and csv, the JSON stayrtr serves) or from an RTR cache
// (RFC 6810, RFC 8210, and ASPA from draft-ietf-sidrops-8210bis). Either
// way the result is a *Set: immutable, safe for concurrent readers, and
// stamped with the time its data was produced. Data older than the
// caller's maximum age is refused with an error wrapping ErrStale; it is
// never used quietly.
//
//	set, err := rpki.LoadFile("vrps.json", rpki.LoadOptions{MaxAge: 24 * time.Hour})
//	if err != nil {
//		return err // a *ParseError naming the entry, or ErrStale
//	}
//	state, vrps := set.Validate(netip.MustParsePrefix("192.0.2.0/24"), 64500)
//
// Over RTR a Client keeps the data fresh and publishes a complete new Set
// at each End of Data:
//
//	c := &rpki.Client{Addr: "127.0.0.1:8282"}
//	go c.Run(ctx)
//	set, err := c.Wait(ctx) // later calls: c.Set()
//
// ASPA answers the hop check of draft-ietf-sidrops-aspa-verification:
// set.Authorized(customer, provider).
package rpki
