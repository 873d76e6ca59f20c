package irr_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/filtergen/filtergen/irr"
)

const exampleDump = `as-set:     AS-EXAMPLE
members:    AS64500, AS-CUSTOMERS
source:     EXAMPLE

as-set:     AS-CUSTOMERS
members:    AS64501, AS-EXAMPLE   # a loop, reported and harmless
source:     EXAMPLE

route:      192.0.2.0/25
origin:     AS64500
source:     EXAMPLE

route:      192.0.2.128/25
origin:     AS64501
source:     EXAMPLE

route6:     2001:db8::/32
origin:     AS64501
source:     EXAMPLE
`

func ExampleRegistry_ExpandPrefixes() {
	ctx := context.Background()
	b := irr.NewBuilder(irr.LoadOptions{})
	if err := b.ReadFrom(ctx, strings.NewReader(exampleDump), "example.db"); err != nil {
		panic(err)
	}
	reg, err := b.Build()
	if err != nil {
		panic(err)
	}
	prefixes, report, err := reg.ExpandPrefixes(ctx, "AS-EXAMPLE", irr.IPv4, nil)
	if err != nil {
		panic(err)
	}
	for _, p := range prefixes {
		fmt.Println(p)
	}
	fmt.Println("loops:", report.Loops)
	fmt.Println("chain to AS64501:", report.Chain(64501))
	// Output:
	// 192.0.2.0/25
	// 192.0.2.128/25
	// loops: [[AS-EXAMPLE AS-CUSTOMERS AS-EXAMPLE]]
	// chain to AS64501: [AS-EXAMPLE AS-CUSTOMERS]
}

func ExampleReader() {
	r := irr.NewReader(strings.NewReader(exampleDump), "example.db")
	r.SetClasses("route6")
	for r.Next() {
		obj := r.Object()
		fmt.Println(obj.Class, obj.Key, obj.Get("origin"), "line", obj.Line)
	}
	if err := r.Err(); err != nil {
		panic(err)
	}
	// Output:
	// route6 2001:db8::/32 AS64501 line 17
}

func ExampleParsePrefixRange() {
	r, err := irr.ParsePrefixRange("10.0.0.0/8^16-24")
	if err != nil {
		panic(err)
	}
	op, _ := irr.ParseRangeOp("+")
	wider, ok := r.Apply(op)
	fmt.Println(r, r.Min, r.Max, wider, ok)
	// Output:
	// 10.0.0.0/8^16-24 16 24 10.0.0.0/8^16-32 true
}

// A Family is the text "ipv4" or "ipv6" in JSON and YAML, and nothing
// else reads as one.
func ExampleFamily_UnmarshalText() {
	var fams []irr.Family
	if err := json.Unmarshal([]byte(`["ipv6", "ipv4"]`), &fams); err != nil {
		fmt.Println(err)
	}
	fmt.Println(fams, fams[0] == irr.IPv6, fams[0].MaxBits())
	b, _ := json.Marshal(map[irr.Family]int{irr.IPv4: 10, irr.IPv6: 2})
	fmt.Println(string(b))
	var f irr.Family
	fmt.Println(f.UnmarshalText([]byte("inet6")))
	// Output:
	// [ipv6 ipv4] true 128
	// {"ipv4":10,"ipv6":2}
	// unknown family "inet6" (want ipv4 or ipv6)
}
