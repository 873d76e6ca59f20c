package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/filtergen/filtergen/internal/bgpq4"
	"github.com/filtergen/filtergen/irr"
)

const bgpq4Help = `Usage: filtergen bgpq4 [-h host[:port]] [-S sources] [-E|G|H <num>|f <num>|t] [-46ABbdJjKNnpwXz] [-R len] <OBJECTS> ... [EXCEPT <OBJECTS> ...]

filtergen bgpq4 takes bgpq4 1.9's command line and prints what bgpq4 1.9
prints, byte for byte, in every output format. Options are bgpq4's
(getopt-style: -h is the server, -K7 is -K -7, options may follow the
objects); see bgpq4(8).

Own option:
  --registry FILE   expand offline from an RPSL dump instead of asking a
                    server (repeatable; plain or gzip)

Differences from bgpq4 1.9: a root object that does not exist, or a query
the server fails, is an error (exit 1, nothing on stdout); private and
reserved origin ASNs are rejected whether or not the server expands sets
itself (-p accepts them); "x/y^n" means lengths n to n; a prefix range that
would expand to more than 2097152 prefixes is an error; -h accepts IPv6
literals ("[::1]:43"); -w drops ASNs without routes.

Exit codes are bgpq4's: 0 success, 1 input or data error, 255 for the
option combinations bgpq4 refuses with "FATAL ERROR".
`

// newCmdBgpq4 builds "bgpq4". Its flags are bgpq4's, parsed by
// bgpq4.Parse (getopt-style), not by cobra; runF, when set, is given the
// parsed options instead of running them (tests).
func newCmdBgpq4(f *factory, runF func(context.Context, *bgpq4.Options) error) *cobra.Command {
	return &cobra.Command{
		Use:                "bgpq4 [FLAGS] OBJECT... [EXCEPT OBJECT...]",
		Short:              "Generate filters exactly as bgpq4 1.9 does (same flags, same output)",
		DisableFlagParsing: true,
		Example: `  # A Juniper prefix list of AS-EXAMPLE's IPv4 routes from an IRRd server
  filtergen bgpq4 -h 127.0.0.1:4343 -J -l EXAMPLE AS-EXAMPLE

  # Aggregated IPv6 prefixes as JSON
  filtergen bgpq4 -h 127.0.0.1:4343 -6 -A -j AS-EXAMPLE

  # bgpq4's own help (this command parses flags as bgpq4 does)
  filtergen bgpq4 -h`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o, err := bgpq4.Parse(args, f.Getenv)
			if err != nil {
				return bgpq4Exit(err)
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runBgpq4(cmd.Context(), f, o)
		},
	}
}

func runBgpq4(ctx context.Context, f *factory, o *bgpq4.Options) error {
	switch {
	case o.Help:
		_, err := io.WriteString(f.Out, bgpq4Help)
		return err
	case o.Version:
		_, err := io.WriteString(f.Out, "filtergen bgpq4: compatible with bgpq4 1.9\n")
		return err
	}
	var exp irr.Expander
	if len(o.Registry) > 0 {
		b := irr.NewBuilder(irr.LoadOptions{Logger: f.Logger})
		for _, p := range o.Registry {
			if err := b.ReadFile(ctx, p); err != nil {
				return err
			}
		}
		reg, err := b.Build()
		if err != nil {
			return err
		}
		if _, n := b.Problems(); n > 0 {
			f.Logger.Warn("skipped malformed objects", "count", n)
		}
		exp = reg
	} else {
		c, err := dialBgpq4(ctx, o)
		if err != nil {
			return &exitError{code: 1, err: err}
		}
		defer c.Close()
		exp = c
	}
	// Generate collects everything before it prints, so a failure leaves
	// stdout empty; it buffers its output itself, in large writes.
	if err := bgpq4.Generate(ctx, exp, o, f.Out, f.ErrOut); err != nil {
		return bgpq4Exit(err)
	}
	return nil
}

// bgpq4Exit gives an error bgpq4's exit code.
func bgpq4Exit(err error) error {
	var be *bgpq4.Error
	var ue *bgpq4.UsageError
	switch {
	case errors.As(err, &be):
		return &exitError{code: be.Code, err: fmt.Errorf("bgpq4: %w", err)}
	case errors.As(err, &ue):
		return &exitError{code: 1, err: fmt.Errorf("bgpq4: %w (see 'filtergen bgpq4 --help')", err)}
	}
	return err
}
