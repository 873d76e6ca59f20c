package cli

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/filtergen/filtergen/internal/asn"
	"github.com/filtergen/filtergen/irr"
)

type expandOptions struct {
	registries []string
	sources    string
	ipv4, ipv6 bool
	json       bool
	depth      int
	strict     bool
	objects    []string
}

func newCmdExpand(f *factory, runF func(*cobra.Command, *expandOptions) error) *cobra.Command {
	opts := &expandOptions{}
	cmd := &cobra.Command{
		Use:   "expand --registry FILE [--registry FILE ...] [--sources S1,S2] [-4|-6] [--json] OBJECT...",
		Short: "Expand AS-SETs, route-sets and ASNs from registry dumps",
		Long: `Expand prints the ASNs of an AS-SET (one per line, "AS64500"), or with -4 or
-6 the prefixes of an AS-SET, ASN or route-set (canonical text, one per
line, ascending by address then length). The expansion report (missing
sets, loops, ASNs without routes) goes to stderr. A root object that does
not exist is an error: exit 1, nothing on stdout.`,
		Example: `  # The ASNs of an AS-SET from a RIPE dump
  filtergen expand --registry ripe.db.gz AS-EXAMPLE

  # Its IPv6 prefixes, RIPE objects preferred over RADB's
  filtergen expand --registry ripe.db.gz --registry radb.db.gz --sources RIPE,RADB -6 AS-EXAMPLE

  # Report and results as JSON
  filtergen expand --registry ripe.db.gz --json AS-EXAMPLE | jq '.[0].report.missing'`,
		Args: argsRange(1, -1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.objects = args
			if err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd, opts)
			}
			return runExpand(cmd, f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&opts.registries, "registry", nil, "RPSL dump file, plain or gzip (repeatable)")
	fl.StringVar(&opts.sources, "sources", "", "sources in priority order, comma-separated (default: all, in load order)")
	fl.BoolVarP(&opts.ipv4, "ipv4", "4", false, "print IPv4 prefixes")
	fl.BoolVarP(&opts.ipv6, "ipv6", "6", false, "print IPv6 prefixes")
	fl.BoolVar(&opts.json, "json", false, "print one JSON document with results and reports")
	fl.IntVarP(&opts.depth, "depth", "L", 0, "limit recursion depth (0: unlimited)")
	fl.BoolVar(&opts.strict, "strict", false, "fail on the first malformed object instead of skipping it")
	return cmd
}

// expandJSON is one object of 'expand --json' (docs/json.md): ASNs are
// numbers, as everywhere in the JSON contract.
type expandJSON struct {
	Object   string   `json:"object"`
	ASNs     []uint32 `json:"asns,omitempty"`
	Prefixes []string `json:"prefixes,omitempty"`
	Report   struct {
		Missing  []irr.MissingRef  `json:"missing,omitempty"`
		Loops    [][]string        `json:"loops,omitempty"`
		NoRoutes []uint32          `json:"no_routes,omitempty"`
		Depth    int               `json:"depth"`
		Sets     map[string]string `json:"sets,omitempty"`
		Warnings []string          `json:"warnings,omitempty"`
	} `json:"report"`
}

// validate refuses what parses but cannot run; it runs before the runF
// seam, so that flag tests see it.
func (opts *expandOptions) validate() error {
	if len(opts.registries) == 0 {
		return usagef("expand: --registry is required")
	}
	if opts.ipv4 && opts.ipv6 {
		return usagef("expand: -4 and -6 are exclusive")
	}
	return nil
}

func runExpand(cmd *cobra.Command, f *factory, opts *expandOptions) error {
	ctx := cmd.Context()
	b := irr.NewBuilder(irr.LoadOptions{Strict: opts.strict, Logger: f.Logger})
	for _, p := range opts.registries {
		if err := b.ReadFile(ctx, p); err != nil {
			return err
		}
	}
	reg, err := b.Build()
	if err != nil {
		return err
	}
	if probs, n := b.Problems(); n > 0 {
		for _, p := range probs {
			f.Logger.Debug("skipped malformed object", "err", p)
		}
		f.Logger.Warn("skipped malformed objects", "count", n)
	}
	eo := &irr.ExpandOptions{MaxDepth: opts.depth}
	if opts.sources != "" {
		eo.Sources = strings.Split(opts.sources, ",")
	}
	// Expand everything first: nothing is printed unless every object
	// expanded.
	var docs []expandJSON
	for _, obj := range opts.objects {
		var doc expandJSON
		doc.Object = obj
		var rep *irr.Report
		switch {
		case opts.ipv4 || opts.ipv6:
			fam := irr.IPv4
			if opts.ipv6 {
				fam = irr.IPv6
			}
			prs, r, err := reg.ExpandPrefixes(ctx, obj, fam, eo)
			if err != nil {
				return fmt.Errorf("expand %s: %w", strconv.Quote(obj), err)
			}
			rep = r
			doc.Prefixes = make([]string, len(prs))
			for i, p := range prs {
				doc.Prefixes[i] = p.String()
			}
		default:
			asns, r, err := reg.ExpandASNs(ctx, obj, eo)
			if err != nil {
				return fmt.Errorf("expand %s: %w", strconv.Quote(obj), err)
			}
			rep = r
			doc.ASNs = asns
			if doc.ASNs == nil {
				doc.ASNs = []uint32{}
			}
		}
		doc.Report.Missing = rep.Missing
		doc.Report.Loops = rep.Loops
		doc.Report.Depth = rep.Depth
		doc.Report.Sets = rep.Sets
		doc.Report.Warnings = rep.Warnings
		doc.Report.NoRoutes = rep.NoRoutes
		docs = append(docs, doc)
	}
	if opts.json {
		return writeJSON(f.Out, docs)
	}
	w := bufio.NewWriterSize(f.Out, 64<<10)
	for _, d := range docs {
		for _, n := range d.ASNs {
			w.Write(asn.Append(nil, n))
			w.WriteByte('\n')
		}
		for _, s := range d.Prefixes {
			w.WriteString(s)
			w.WriteByte('\n')
		}
		writeReport(f, d)
	}
	return w.Flush()
}

// writeReport prints an expansion report on stderr, quoting names that
// came from the registry.
func writeReport(f *factory, d expandJSON) {
	obj := termSafe(d.Object)
	for _, m := range d.Report.Missing {
		fmt.Fprintf(f.ErrOut, "warning: %s: set %s not found (via %s)\n", obj, strconv.Quote(m.Name), strings.Join(termSafeAll(m.Path), " > "))
	}
	for _, l := range d.Report.Loops {
		fmt.Fprintf(f.ErrOut, "note: %s: loop %s\n", obj, strings.Join(termSafeAll(l), " > "))
	}
	if n := len(d.Report.NoRoutes); n > 0 {
		names := make([]string, n)
		for i, a := range d.Report.NoRoutes {
			names[i] = asn.Format(a)
		}
		fmt.Fprintf(f.ErrOut, "note: %s: %d ASN(s) without route objects: %s\n", obj, n, strings.Join(names, " "))
	}
	for _, w := range d.Report.Warnings {
		fmt.Fprintf(f.ErrOut, "warning: %s: %s\n", obj, termSafe(w))
	}
}
