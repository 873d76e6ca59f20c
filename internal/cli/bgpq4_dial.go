package cli

import (
	"context"
	"errors"
	"io"

	"github.com/filtergen/filtergen/internal/bgpq4"
	"github.com/filtergen/filtergen/irr"
)

// dialBgpq4 connects to the IRRd server of -h. It needs irr.Client.
func dialBgpq4(ctx context.Context, o *bgpq4.Options) (interface {
	irr.Expander
	io.Closer
}, error) {
	return nil, errors.New("bgpq4: querying a server needs irr.Client, which this build does not have yet; use --registry FILE")
}
