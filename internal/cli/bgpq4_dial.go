package cli

import (
	"context"

	"github.com/filtergen/filtergen/internal/bgpq4"
	"github.com/filtergen/filtergen/irr"
)

// dialBgpq4 returns a client for the IRRd server of -h. Connections are
// made on first use; the caller closes the client.
func dialBgpq4(_ context.Context, o *bgpq4.Options) (*irr.Client, error) {
	return &irr.Client{Servers: []string{o.Addr()}, Agent: "filtergen-bgpq4",
		// bgpq4 lets the server recurse (!a, !i,1); so does its clone.
		ServerRecursion: true}, nil
}
