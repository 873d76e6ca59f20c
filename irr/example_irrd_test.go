package irr_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/filtergen/filtergen/irr"
)

// A Server makes a Registry available to IRR tools such as bgpq4, and a
// Client expands sets from any IRRd server with the same interface as the
// Registry.
func ExampleServer() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b := irr.NewBuilder(irr.LoadOptions{})
	if err := b.ReadFrom(ctx, strings.NewReader(exampleDump), "example.db"); err != nil {
		panic(err)
	}
	reg, err := b.Build()
	if err != nil {
		panic(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := irr.NewServer(reg)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()

	client := &irr.Client{Servers: []string{ln.Addr().String()}}
	defer client.Close()
	prs, _, err := client.ExpandPrefixes(ctx, "AS-EXAMPLE", irr.IPv4, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(prs)
	// IRRd answers D both for an empty set and for a missing one; the
	// client asks !m which it is.
	_, _, err = client.ExpandASNs(ctx, "AS-NOSUCH", nil)
	fmt.Println(errors.Is(err, irr.ErrNotFound))

	cancel()
	fmt.Println(<-done)
	// Output:
	// [192.0.2.0/25 192.0.2.128/25]
	// true
	// <nil>
}
