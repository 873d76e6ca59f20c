package filtergen_test

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/irr"
)

func ExampleAggregate() {
	var rs []filtergen.PrefixRange
	for _, s := range []string{"192.0.2.0/24", "192.0.2.0/25", "192.0.2.128/25", "198.51.100.0/24^+"} {
		r, _ := irr.ParsePrefixRange(s)
		rs = append(rs, r)
	}
	for _, r := range filtergen.Aggregate(rs) {
		fmt.Println(r)
	}
	// Output:
	// 192.0.2.0/24^24-25
	// 198.51.100.0/24^+
}

func ExampleCIDRUnion() {
	ps := []netip.Prefix{
		netip.MustParsePrefix("203.0.113.0/25"),
		netip.MustParsePrefix("203.0.113.128/25"),
		netip.MustParsePrefix("203.0.113.7/32"),
		netip.MustParsePrefix("2001:db8::/48"),
	}
	fmt.Println(filtergen.CIDRUnion(ps))
	// Output: [203.0.113.0/24 2001:db8::/48]
}

func ExampleCompile() {
	const rpsl = `
as-set:  AS-EXAMPLE
members: AS3333, AS2121
source:  RIPE

route:   193.0.0.0/21
origin:  AS3333
source:  RIPE

route:   193.0.8.0/22
origin:  AS3333
source:  RIPE

route:   193.0.12.0/22
origin:  AS2121
source:  RIPE

route:   10.0.0.0/8
origin:  AS2121
source:  RIPE
`
	b := irr.NewBuilder(irr.LoadOptions{})
	if err := b.ReadFrom(context.Background(), strings.NewReader(rpsl), "example.rpsl"); err != nil {
		fmt.Println(err)
		return
	}
	reg, _ := b.Build()
	pol := &filtergen.Policy{
		Version: 2, LocalAS: 64500,
		IRR:     filtergen.IRRSource{Dumps: []string{"example.rpsl"}},
		Routers: []filtergen.Router{{Name: "rs1", Platform: "bird2"}},
		Peers: []filtergen.Peer{{Name: "EXAMPLE", ASN: 3333, Announce: []string{"AS-EXAMPLE"},
			PeerOptions: filtergen.PeerOptions{Families: []filtergen.Family{filtergen.IPv4}}}},
	}
	res, err := filtergen.Compile(context.Background(), pol, filtergen.CompileOptions{IRR: reg})
	if err != nil {
		fmt.Println(err)
		return
	}
	v4 := res.Peers[0].Family(filtergen.IPv4)
	for _, e := range v4.Entries {
		fmt.Println("entry  ", e)
	}
	for _, d := range v4.Dropped {
		fmt.Println("dropped", d.Range, d.Reason, "origin", d.Origin)
	}
	fmt.Println("max-prefix", v4.MaxPrefix)
	// Output:
	// entry   193.0.0.0/21
	// entry   193.0.8.0/21^22
	// dropped 10.0.0.0/8 bogon origin 2121
	// max-prefix 10
}

func ExampleParsePolicy() {
	_, err := filtergen.ParsePolicy("policy.yaml", []byte(`version: 2
irr: {dumps: [db.rpsl]}
routers: [{name: r1, platform: bird2}]
peers:
  - name: ACME
    asn: 64500
    announce: [AS-ACME]
    description: "ok\"; protocol bgp evil {"
local_as: 64500
`))
	fmt.Println(err)
	// Output: policy.yaml:8:18: peer "ACME": peers[0].description: invalid policy: character '"' at offset 2 not allowed (allowed: letters, digits, space and . , : / ( ) @ + = _ -)
}

func ExamplePolicy_Resolve() {
	pol, err := filtergen.ParsePolicy("policy.yaml", []byte(`version: 2
local_as: 64496
irr: {dumps: [db.rpsl]}
routers: [{name: edge1, platform: junos}, {name: edge2, platform: bird2}]
peers:
  - {name: UPSTREAM, asn: 1299, role: provider, attach: [{router: edge1, neighbors: [198.18.2.1]}]}
customers:
  - name: ACME
    asn: 64500
    announce: [AS-ACME]
    export: own-and-customers
    attach:
      - {router: edge1, neighbors: [198.18.0.1], interface: xe-0/0/1.100}
      - {router: edge2, neighbors: [198.18.0.9], interface: eth1}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	rp, err := pol.Resolve()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range rp.Peers {
		fmt.Printf("%s: role %s, prefix filter %v, local-pref %d, tag %s\n", p.Name, p.Role, p.Import.PrefixFilter, p.Import.LocalPref, p.Import.Tag)
		for _, a := range p.Attachments {
			fmt.Println(strings.TrimRight(fmt.Sprintf("  %s: %v %s", a.Router, a.Neighbors, a.Interface), " "))
		}
	}
	// Output:
	// UPSTREAM: role provider, prefix filter false, local-pref 100, tag 64496:1000:3
	//   edge1: [198.18.2.1]
	// ACME: role customer, prefix filter true, local-pref 200, tag 64496:1000:1
	//   edge1: [198.18.0.1] xe-0/0/1.100
	//   edge2: [198.18.0.9] eth1
}
