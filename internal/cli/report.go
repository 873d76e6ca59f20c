package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/outdir"
	"github.com/filtergen/filtergen/report"
)

type reportOptions struct {
	policy   string
	outDir   string
	json     bool
	peers    []string
	parallel int
	keep     int
}

// newCmdReport builds "report"; runF, when set, is given the parsed
// options instead of running them (tests).
func newCmdReport(f *factory, runF func(context.Context, *reportOptions) error) *cobra.Command {
	opts := &reportOptions{}
	cmd := &cobra.Command{
		Use:   "report POLICY [-o DIR] [--json] [--peer NAME]",
		Short: "Report every neighbor's MANRS readiness",
		Example: `  # The readiness of every neighbor, as Markdown on stdout
  filtergen report examples/ixp-onboarding/filtergen.yaml

  # HTML, Markdown and JSON into a directory
  filtergen report examples/ixp-onboarding/filtergen.yaml -o report/

  # One neighbor, as JSON
  filtergen report examples/ixp-onboarding/filtergen.yaml --peer COLOCLUE --json`,
		Long: `Report compiles the policy and says, for every neighbor, what its registry
data is worth: prefixes registered, accepted and dropped (and why), RPKI
coverage by count and by address space, route objects per source and the
share from non-authoritative ones, the AS-SET tree (missing sets, loops,
ASNs without route objects), ASPA consistency, max-prefix against the
accepted count, and a grade per MANRS action with its reasons. For every
router it checks the customers' filtering, anti-spoofing and ROV, and the
headroom under the platform's limits.

The Markdown summary goes to stdout (--peer limits it to one neighbor, for
an e-mail); with --json the JSON report does instead. With -o DIR the
report is also written to DIR: report.html (one self-contained page),
report.md, and report-TIME.json, which the next report in DIR is compared
with (accepted space that grew or shrank, new RPKI invalids, and a chart
over the last 30 reports). The files are written as compile writes its
own: staged beside their targets, the JSON in place first, under a lock
on DIR. DIR keeps the newest --keep-reports JSON reports (default 30,
this one included) and removes older ones once the new report is in
place; the chart does not need them, as each report carries its history.
--keep-reports 0 keeps them all.

A neighbor that cannot be compiled is listed as failed; the report is
still written, and the exit code is 1.

Examples:
  filtergen report examples/ixp-onboarding/filtergen.yaml -o reports/
  filtergen report POLICY --peer COLOCLUE     # a summary to send the peer
  filtergen report POLICY --json | jq '.neighbors[].grades'`,
		Args: argsRange(1, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.policy = args[0]
			if opts.keep < 0 {
				return usagef("report: --keep-reports must not be negative (0 keeps every report)")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runReport(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.outDir, "output", "o", "", "write report.html, report.md and report-TIME.json into this directory")
	fl.BoolVar(&opts.json, "json", false, "print the JSON report on stdout instead of the Markdown summary")
	fl.StringArrayVar(&opts.peers, "peer", nil, "only this neighbor in the Markdown summary (repeatable)")
	fl.IntVar(&opts.parallel, "parallel", 8, "peers compiled at once")
	fl.IntVar(&opts.keep, "keep-reports", report.DefaultKeep, "with -o: JSON reports kept in DIR, this one included (0: all)")
	return cmd
}

func runReport(ctx context.Context, f *factory, opts *reportOptions) error {
	pol, co, err := loadInputs(ctx, f, opts.policy)
	if err != nil {
		return err
	}
	defer closeInputs(co)
	// The report reads the provenance of every accepted prefix, and
	// lists the peers that fail instead of stopping at the first.
	co.NoAcceptedProvenance = false
	co.KeepGoing = true
	co.Parallel = opts.parallel
	var prev *report.Report
	var dirFS fs.FS // the report directory, when it exists
	if opts.outDir != "" {
		if _, err := os.Stat(opts.outDir); err == nil {
			root, err := os.OpenRoot(opts.outDir)
			if err != nil {
				return err
			}
			defer root.Close()
			dirFS = root.FS()
			prev, err = report.LoadLatest(dirFS)
			switch {
			case errors.Is(err, report.ErrSchemaVersion):
				f.Logger.Warn("the previous report is of another schema version: no comparison this time", "dir", opts.outDir, "err", err)
			case err != nil:
				return fmt.Errorf("previous report in %s: %w", opts.outDir, err)
			}
		}
	}
	// The collector reads each peer's provenance as soon as the peer is
	// compiled and drops it, so that the report needs little more memory
	// than the compile.
	var col report.Collector
	co.PeerDone = col.Peer
	res, compileErr := filtergen.Compile(ctx, pol, co)
	if res == nil {
		return compileErr
	}
	now := time.Now
	if f.Now != nil {
		now = f.Now
	}
	rep, err := col.Build(res, report.Options{Now: now, Previous: prev, CompileErr: compileErr})
	if err != nil {
		return err
	}
	if prev != nil && !rep.GeneratedAt.After(prev.GeneratedAt) {
		return fmt.Errorf("the latest report in %s is from %s, not before this one", opts.outDir,
			prev.GeneratedAt.Format(time.RFC3339))
	}
	var md, js bytes.Buffer
	if err := rep.WriteMarkdown(&md, opts.peers...); err != nil {
		return usagef("report: %v", err)
	}
	if err := rep.WriteJSON(&js); err != nil {
		return err
	}
	if opts.outDir != "" {
		if err := writeReportDir(ctx, f, opts, rep, js.Bytes(), dirFS); err != nil {
			return err
		}
	}
	if opts.json {
		_, err = f.Out.Write(js.Bytes())
	} else {
		_, err = f.Out.Write(md.Bytes())
	}
	if err != nil {
		return err
	}
	if compileErr != nil {
		return fmt.Errorf("report written, but %d neighbor(s) failed: %w", len(rep.Failed), compileErr)
	}
	return nil
}

// writeReportDir writes the report into opts.outDir through the library's
// write path, and removes the JSON reports beyond opts.keep once the new
// one is in place. dirFS is the directory as it was, nil if it did not
// exist.
func writeReportDir(ctx context.Context, f *factory, opts *reportOptions, rep *report.Report, js []byte, dirFS fs.FS) error {
	var page, all bytes.Buffer
	if err := rep.WriteHTML(&page); err != nil {
		return err
	}
	if err := rep.WriteMarkdown(&all); err != nil {
		return err
	}
	var expired []string
	if dirFS != nil {
		var err error
		if expired, err = report.Expired(dirFS, opts.keep, rep.FileName()); err != nil {
			return err
		}
	}
	// The JSON first, and durable before the others: the page and the
	// summary of a run are never on disk without the JSON the next run
	// compares with.
	sum, err := outdir.WriteFiles(ctx, opts.outDir, []outdir.File{
		{Name: rep.FileName(), Data: js},
		{Name: "report.html", Data: page.Bytes()},
		{Name: "report.md", Data: all.Bytes()},
	}, outdir.FilesOptions{Ordered: true, Remove: expired, Logger: f.Logger})
	if err != nil {
		return err
	}
	f.Logger.Info("report written", "dir", filepath.Clean(opts.outDir), "json", rep.FileName(),
		"removed", sum.Count(outdir.Removed))
	return nil
}
