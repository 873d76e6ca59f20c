package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/google/renameio/v2"
	"github.com/spf13/cobra"

	"github.com/filtergen/filtergen/filtergen"
)

type ixfExportOptions struct {
	policy string
	output string
}

// newCmdIXFExport builds "ixf-export"; runF, when set, is given the
// parsed options instead of running them (tests).
func newCmdIXFExport(f *factory, runF func(context.Context, *ixfExportOptions) error) *cobra.Command {
	opts := &ixfExportOptions{}
	cmd := &cobra.Command{
		Use:   "ixf-export POLICY [-o FILE]",
		Short: "Write the IX-F member export (schema 1.0) of the route server's peers",
		Example: `  # The route server's members as an IX-F member export
  filtergen ixf-export examples/ixp-onboarding/route-server.yaml -o members.json`,
		Long: `ixf-export resolves the policy (PeeringDB, members_from) and writes the
IX-F member export JSON (euro-ix schema 1.0) of its peers as route-server
clients: addresses on the peering LAN named in ixf_export, max-prefix and
AS-SET. The export is validated before it is written; -o writes it
atomically, otherwise it goes to stdout.`,
		Args: argsRange(1, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.policy = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runIXFExport(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().StringVarP(&opts.output, "output", "o", "", "write to FILE instead of stdout")
	return cmd
}

func runIXFExport(ctx context.Context, f *factory, opts *ixfExportOptions) error {
	pol, err := filtergen.LoadPolicy(opts.policy)
	if err != nil {
		return err
	}
	if err := filtergen.Populate(ctx, pol, filtergen.PopulateOptions{Getenv: f.Getenv, Logger: f.Logger}); err != nil {
		return err
	}
	for _, w := range pol.Warnings() {
		f.Logger.Warn(w)
	}
	exp, err := filtergen.ExportIXF(pol, time.Now())
	if err != nil {
		return err
	}
	data, err := exp.Marshal()
	if err != nil {
		return err
	}
	if opts.output == "" {
		_, err := f.Out.Write(data)
		return err
	}
	if err := renameio.WriteFile(opts.output, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(f.ErrOut, "wrote %s: %d members\n", opts.output, len(exp.MemberList))
	return nil
}
