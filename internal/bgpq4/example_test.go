package bgpq4_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/filtergen/filtergen/internal/bgpq4"
	"github.com/filtergen/filtergen/irr"
)

// Generate runs a bgpq4 command line against any irr.Expander; here an
// in-memory registry loaded from RPSL text.
func ExampleGenerate() {
	const rpsl = `
as-set: AS-EXAMPLE
members: AS200, AS300
source: TEST

route: 192.0.2.0/25
origin: AS200
source: TEST

route: 192.0.2.128/25
origin: AS300
source: TEST
`
	ctx := context.Background()
	b := irr.NewBuilder(irr.LoadOptions{})
	if err := b.ReadFrom(ctx, strings.NewReader(rpsl), "example.db"); err != nil {
		fmt.Println(err)
		return
	}
	reg, err := b.Build()
	if err != nil {
		fmt.Println(err)
		return
	}
	o, err := bgpq4.Parse([]string{"-b", "-A", "-l", "AS_EXAMPLE", "AS-EXAMPLE"}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := bgpq4.Generate(ctx, reg, o, os.Stdout, os.Stderr); err != nil {
		fmt.Println(err)
	}
	// Output:
	// AS_EXAMPLE = [
	//     192.0.2.0/24{25,25}
	// ];
}
