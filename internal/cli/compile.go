package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/outdir"
	"github.com/filtergen/filtergen/templates"
)

type compileOptions struct {
	policy          string
	outDir          string
	outDirSet       bool
	routers         []string
	check           bool
	diff            bool
	json            bool
	keepGoing       bool
	force           bool
	templates       string
	parallel        int
	timeout         time.Duration
	irrTimeout      time.Duration
	irrQueryTimeout time.Duration
	progressOK      bool
}

func newCmdCompile(f *factory, runF func(context.Context, *compileOptions) error) *cobra.Command {
	opts := &compileOptions{}
	cmd := &cobra.Command{
		Use:   "compile POLICY [-o DIR] [--router NAME] [--check] [--diff] [--json] [--keep-going] [--force]",
		Short: "Compile a policy into router configuration files",
		Long: `Compile expands every peer of the policy from IRR and RPKI data and writes one
configuration file per router (DIR/ROUTER.conf) and one per peer on it
(DIR/ROUTER.d/PEER.conf). Each peer file is rendered as soon as the peer is
compiled and staged in a temporary file beside its target; when every peer
has succeeded, the peer files are renamed into place, then the router files
that include them, then the files of peers no longer in the policy are
removed. An interrupted run leaves the old files; the next run removes its
temporary files. If any peer fails, the others are stopped and nothing is
written (exit 1); with --keep-going every peer is compiled, the peers that
succeeded are written, the failed peers' files (and a router file that
includes one) stay as they were, and the exit code is still 1.

A peer whose accepted prefix count falls in either family by more than the
policy's shrink_guard (default 50%) since its file was last written fails,
unless --force is given.

The compile ends with one summary line on stderr. --check writes nothing and
lists the files that would change (exit 3 if any); --diff prints a unified
diff of the changes (exit 3 if any). --json prints one JSON document on
stdout (docs/json.md): the compiled result and, with -o, --check or --diff,
the files; it writes no files unless -o is given.

Time limits: --irr-query-timeout bounds one answer of an IRRd server
(policy irr.query_timeout, default 1m), --irr-timeout one expansion with
failover and retries (irr.timeout, default 5m), --timeout the whole compile
(timeout, default 30m).`,
		Example: `  # Write the configuration of every router into out/
  filtergen compile filtergen.yaml -o out

  # In CI: fail (exit 3) when the files on disk are not current
  filtergen compile filtergen.yaml -o out --check

  # Review the change for one router before writing it
  filtergen compile filtergen.yaml -o out --router rs1 --diff

  # The compiled filters as JSON, for jq; no files written
  filtergen compile filtergen.yaml --json | jq '.peers[] | {name, asn}'`,
		Args: argsRange(1, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.policy = args[0]
			opts.outDirSet = cmd.Flags().Changed("output")
			opts.progressOK = f.showProgress(opts.json)
			if err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runCompile(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.outDir, "output", "o", ".", "output directory")
	fl.StringArrayVar(&opts.routers, "router", nil, "only compile and write the peers of this router (repeatable)")
	fl.BoolVar(&opts.check, "check", false, "write nothing; list files that would change and exit 3 if any")
	fl.BoolVar(&opts.diff, "diff", false, "write nothing; print a unified diff and exit 3 if anything would change")
	fl.BoolVar(&opts.json, "json", false, "print one JSON document on stdout (no files written unless -o)")
	fl.BoolVar(&opts.keepGoing, "keep-going", false, "compile every peer and write those that succeeded even if others failed (still exit 1)")
	fl.BoolVar(&opts.force, "force", false, "accept a peer whose prefix count shrank more than the shrink guard allows")
	fl.StringVar(&opts.templates, "templates", "", "directory with template overrides (see 'filtergen templates')")
	fl.IntVar(&opts.parallel, "parallel", 8, "peers compiled at once")
	fl.DurationVar(&opts.timeout, "timeout", 0, "bound the whole compile (default: the policy's timeout, else 30m)")
	fl.DurationVar(&opts.irrTimeout, "irr-timeout", 0, "bound one IRR expansion, failover and retries included (default: policy irr.timeout, else 5m)")
	fl.DurationVar(&opts.irrQueryTimeout, "irr-query-timeout", 0, "bound the wait for one IRRd answer (default: policy irr.query_timeout, else 1m)")
	return cmd
}

// openPolicy loads the policy file and opens the data sources it names,
// under ctx (which carries the compile's deadline).
func openPolicy(ctx context.Context, f *factory, policy string, oo filtergen.OpenOptions) (*filtergen.Policy, *filtergen.Sources, error) {
	pol, err := loadPolicy(ctx, f, policy)
	if err != nil {
		return nil, nil, err
	}
	oo.Logger = f.Logger
	src, err := filtergen.Open(ctx, pol, oo)
	if err != nil {
		if c := context.Cause(ctx); c != nil && errors.Is(c, outdir.ErrTimeout) {
			return nil, nil, fmt.Errorf("%w: %w", c, err)
		}
		return nil, nil, err
	}
	return pol, src, nil
}

// loadPolicy reads the policy and resolves its onboarding sources
// (PeeringDB, IX-F member lists).
func loadPolicy(ctx context.Context, f *factory, policy string) (*filtergen.Policy, error) {
	pol, err := filtergen.LoadPolicy(policy)
	if err != nil {
		return nil, err
	}
	if err := filtergen.Populate(ctx, pol, filtergen.PopulateOptions{Getenv: f.Getenv, Logger: f.Logger}); err != nil {
		return nil, err
	}
	for _, w := range pol.Warnings() {
		f.Logger.Warn(w)
	}
	return pol, nil
}

// loadData opens the IRR and RPKI data pol names.
func loadData(ctx context.Context, f *factory, pol *filtergen.Policy) (filtergen.CompileOptions, error) {
	src, err := filtergen.Open(ctx, pol, filtergen.OpenOptions{Logger: f.Logger})
	if err != nil {
		return filtergen.CompileOptions{}, err
	}
	return src.CompileOptions(), nil
}

// loadInputs is openPolicy for callers that want CompileOptions.
func loadInputs(ctx context.Context, f *factory, policy string) (*filtergen.Policy, filtergen.CompileOptions, error) {
	pol, src, err := openPolicy(ctx, f, policy, filtergen.OpenOptions{})
	if err != nil {
		return nil, filtergen.CompileOptions{}, err
	}
	return pol, src.CompileOptions(), nil
}

// closeInputs releases what loadInputs opened (the IRRd connections).
func closeInputs(co filtergen.CompileOptions) {
	if c, ok := co.IRR.(interface{ Close() error }); ok {
		c.Close()
	}
}

// compileTimeout is the deadline of the whole compile: --timeout, else the
// policy's, else the default. The policy is read first, to know it.
func compileTimeout(opts *compileOptions, pol *filtergen.Policy) time.Duration {
	switch {
	case opts.timeout > 0:
		return opts.timeout
	case pol != nil && pol.Timeout > 0:
		return time.Duration(pol.Timeout)
	}
	return filtergen.DefaultCompileTimeout
}

// validate refuses flag combinations and values that parse but make no
// sense; it runs before the runF seam, so that flag tests see it.
func (opts *compileOptions) validate() error {
	if opts.check && opts.diff {
		return usagef("compile: --check and --diff are exclusive")
	}
	for _, d := range []time.Duration{opts.timeout, opts.irrTimeout, opts.irrQueryTimeout} {
		if d < 0 {
			return usagef("compile: timeouts must not be negative")
		}
	}
	return nil
}

func runCompile(ctx context.Context, f *factory, opts *compileOptions) error {
	// The policy first, for its timeout; then everything else, sources
	// included, under one deadline.
	pol, err := filtergen.LoadPolicy(opts.policy)
	if err != nil {
		return err
	}
	for _, r := range opts.routers {
		if !slices.ContainsFunc(pol.Routers, func(x filtergen.Router) bool { return strings.EqualFold(x.Name, r) }) {
			return usagef("compile: --router %s: no such router in %s", strconv.Quote(r), opts.policy)
		}
	}
	timeout := compileTimeout(opts, pol)
	ctx, cancel := context.WithTimeoutCause(ctx, timeout,
		fmt.Errorf("%w after %s (policy timeout, --timeout)", outdir.ErrTimeout, timeout))
	defer cancel()
	// Onboarding sources (PeeringDB, IX-F) are read under the deadline.
	if err := filtergen.Populate(ctx, pol, filtergen.PopulateOptions{Getenv: f.Getenv, Logger: f.Logger}); err != nil {
		return timeoutCause(ctx, err)
	}
	for _, w := range pol.Warnings() {
		f.Logger.Warn(w)
	}
	src, err := filtergen.Open(ctx, pol, filtergen.OpenOptions{
		IRRQueryTimeout: opts.irrQueryTimeout, IRRTimeout: opts.irrTimeout, Logger: f.Logger})
	if err != nil {
		return timeoutCause(ctx, err)
	}
	defer src.Close()
	co := src.CompileOptions()
	co.Routers = opts.routers
	co.Parallel = opts.parallel
	co.KeepGoing = opts.keepGoing
	// Only --json and templates of the user's own read the provenance
	// of accepted prefixes; the built-in templates use the filter
	// entries and counts.
	co.NoAcceptedProvenance = !opts.json && opts.templates == ""
	if opts.progressOK {
		co.Progress = progressLine(f)
	}
	if opts.json && !opts.outDirSet && !opts.check && !opts.diff {
		// The result alone: no files are read or written.
		res, cerr := filtergen.Compile(ctx, pol, co)
		if res == nil {
			return timeoutCause(ctx, cerr)
		}
		if err := writeResultJSON(f.Out, res); err != nil {
			return fmt.Errorf("write --json output: %w", err)
		}
		return cerr
	}
	oo := outdir.Options{Force: opts.force, KeepGoing: opts.keepGoing, KeepEntries: opts.json, Timeout: timeout, Logger: f.Logger}
	switch {
	case opts.check:
		oo.Mode = outdir.Check
	case opts.diff:
		oo.Mode = outdir.Diff
	}
	if opts.templates != "" {
		root, err := os.OpenRoot(opts.templates)
		if err != nil {
			return fmt.Errorf("--templates: %w", err)
		}
		defer root.Close()
		oo.Templates = root.FS()
	}
	if opts.json {
		// The document goes out before any file is renamed into place:
		// if stdout fails, the directory stays as it was.
		oo.Approve = func(sum *outdir.Summary, res *filtergen.Result) error {
			err := writeResultJSONWith(f.Out, res, func(o *jsonObject) {
				o.field("output", outputJSON(sum))
			})
			if err != nil {
				return fmt.Errorf("write --json output: %w", err)
			}
			return nil
		}
	}
	sum, _, cerr := outdir.Compile(ctx, pol, co, opts.outDir, oo)
	if sum == nil {
		return shrinkHint(timeoutCause(ctx, cerr))
	}
	switch {
	case opts.json:
	case opts.check:
		for _, fl := range sum.Files {
			if fl.State == outdir.Created || fl.State == outdir.Changed || fl.State == outdir.Removed {
				fmt.Fprintln(f.Out, filepath.Join(opts.outDir, filepath.FromSlash(fl.Name)))
			}
		}
	case opts.diff:
		for _, fl := range sum.Files {
			f.Out.Write(fl.Diff)
		}
	}
	for _, p := range slices.Sorted(maps.Keys(sum.Warnings)) {
		for _, w := range sum.Warnings[p] {
			f.Logger.Warn(w, "peer", p)
		}
	}
	if !opts.json && !f.Quiet {
		fmt.Fprintln(f.ErrOut, summaryLine(sum))
	}
	if cerr != nil {
		return shrinkHint(cerr)
	}
	if (opts.check || opts.diff) && sum.Changed() {
		return errChanged
	}
	return nil
}

// shrinkHint tells how to accept a shrink the guard refused.
func shrinkHint(err error) error {
	var se *filtergen.ShrinkError
	if errors.As(err, &se) {
		return fmt.Errorf("%w\n(if the shrink is expected, compile again with --force)", err)
	}
	return err
}

// timeoutCause replaces a bare "context deadline exceeded" by the
// compile's own timeout error, which says which limit it was.
func timeoutCause(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if c := context.Cause(ctx); c != nil && errors.Is(c, outdir.ErrTimeout) && !errors.Is(err, outdir.ErrTimeout) {
		return fmt.Errorf("%w: %w", c, err)
	}
	return err
}

// progressLine draws "compiling: n/m peers" on stderr. Compile calls it
// from its worker goroutines, and their counts may arrive out of order:
// draw under a lock, never going backwards, so that the final "n/n" line
// is the last one.
func progressLine(f *factory) func(done, total int, peer string) {
	start := time.Now()
	var mu sync.Mutex
	shown := 0
	return func(done, total int, peer string) {
		mu.Lock()
		defer mu.Unlock()
		if done <= shown {
			return
		}
		shown = done
		fmt.Fprintf(f.ErrOut, "\rcompiling: %d/%d peers (%s)\x1b[K", done, total, time.Since(start).Truncate(time.Millisecond))
		if done == total {
			fmt.Fprintln(f.ErrOut)
		}
	}
}

// summaryLine is the one line compile ends with on stderr: what was
// written where, and which peers had warnings.
func summaryLine(s *outdir.Summary) string {
	var b strings.Builder
	dir := s.Dir
	if dir == "" {
		dir = "."
	}
	created, changed, removed, unchanged, kept :=
		s.Count(outdir.Created), s.Count(outdir.Changed), s.Count(outdir.Removed), s.Count(outdir.Unchanged), s.Count(outdir.Kept)
	plural := func(n int, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return strconv.Itoa(n) + " " + many
	}
	fmt.Fprintf(&b, "filtergen: compiled %s for %s; ", plural(s.Peers, "peer", "peers"), plural(len(s.Routers), "router", "routers"))
	switch s.Mode {
	case outdir.Write:
		fmt.Fprintf(&b, "%s: %d written (%d new, %d changed), %d removed, %d unchanged", dir, created+changed, created, changed, removed, unchanged)
	default:
		fmt.Fprintf(&b, "%s: %d would change (%d new, %d changed, %d removed), %d unchanged", dir, created+changed+removed, created, changed, removed, unchanged)
	}
	if kept > 0 {
		fmt.Fprintf(&b, ", %d kept", kept)
	}
	if len(s.Failed) > 0 {
		fmt.Fprintf(&b, "; failed: %s", namedFew(s.Failed, nil))
	}
	if len(s.Warnings) > 0 {
		// The first warning in full, so that a missing nested set is
		// said even to a reader of this line alone; -v logs them all.
		peers := slices.Sorted(maps.Keys(s.Warnings))
		fmt.Fprintf(&b, "; %s with warnings: %s; first: %s",
			plural(len(peers), "peer", "peers"),
			namedFew(peers, func(p string) string { return fmt.Sprintf("%s (%d)", p, len(s.Warnings[p])) }),
			printable(s.Warnings[peers[0]][0]))
	}
	if s.TempRemoved > 0 {
		fmt.Fprintf(&b, "; removed %d temporary files of an interrupted run", s.TempRemoved)
	}
	return b.String()
}

// printable escapes control characters (and invalid UTF-8) in text that
// may come from a registry, so that a name cannot forge a line on a
// terminal.
func printable(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == utf8.RuneError, unicode.IsControl(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// namedFew names the first three items and counts the rest.
func namedFew(items []string, label func(string) string) string {
	const few = 3
	var parts []string
	for i, it := range items {
		if i == few {
			parts = append(parts, fmt.Sprintf("and %d more", len(items)-few))
			break
		}
		if label != nil {
			it = label(it)
		}
		parts = append(parts, it)
	}
	return strings.Join(parts, ", ")
}

// outputJSON is the "output" member of 'compile --json' with -o, --check
// or --diff.
type outputFileJSON struct {
	Name  string `json:"name"`
	Peer  string `json:"peer,omitempty"`
	State string `json:"state"`
	Diff  string `json:"diff,omitempty"`
}

type outputSummaryJSON struct {
	Dir         string              `json:"dir"`
	Mode        string              `json:"mode"`
	Routers     []string            `json:"routers"`
	Changed     bool                `json:"changed"`
	Files       []outputFileJSON    `json:"files"`
	Failed      []string            `json:"failed,omitempty"`
	Warnings    map[string][]string `json:"warnings,omitempty"`
	TempRemoved int                 `json:"temp_removed,omitempty"`
}

func outputJSON(s *outdir.Summary) outputSummaryJSON {
	o := outputSummaryJSON{Dir: s.Dir, Mode: [...]string{"write", "check", "diff"}[s.Mode], Routers: s.Routers,
		Changed: s.Changed(), Files: []outputFileJSON{}, Failed: s.Failed, TempRemoved: s.TempRemoved}
	if len(s.Warnings) > 0 {
		o.Warnings = s.Warnings
	}
	for _, fl := range s.Files {
		o.Files = append(o.Files, outputFileJSON{Name: fl.Name, Peer: fl.Peer, State: string(fl.State), Diff: string(fl.Diff)})
	}
	return o
}

type explainOptions struct {
	policy, peer string
	prefix       netip.Prefix
	json         bool
}

func newCmdExplain(f *factory, runF func(context.Context, *explainOptions) error) *cobra.Command {
	opts := &explainOptions{}
	cmd := &cobra.Command{
		Use:   "explain POLICY PEER PREFIX",
		Short: "Say why a prefix is accepted or dropped for a peer",
		Long: `Explain compiles one peer of the policy and says whether PREFIX passes its
filter, through which filter entry, and for every route object or other
source that lists it: origin, registry, the chain of sets that led to it,
its RPKI state, and why it was dropped if it was. A more-specific of an
accepted range is refused with the reason (the range's lengths, or the
peer's max_length).

Exit status: 0 when the prefix is accepted, 1 when it is not (or on error).`,
		Example: `  # Is 193.0.0.0/21 accepted from peer ACME, and why?
  filtergen explain filtergen.yaml ACME 193.0.0.0/21

  # A single address is read as a host route (/32, /128)
  filtergen explain filtergen.yaml ACME 193.0.0.1

  # As JSON: the verdict, the matching entry and the provenance
  filtergen explain filtergen.yaml ACME 193.0.0.0/21 --json | jq .verdict`,
		Args: argsRange(3, 3),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := netip.ParsePrefix(args[2])
			if err != nil {
				a, err2 := netip.ParseAddr(args[2])
				if err2 != nil {
					return usagef("explain: %s is not a prefix", strconv.Quote(args[2]))
				}
				p = netip.PrefixFrom(a, a.BitLen())
			}
			opts.policy, opts.peer, opts.prefix = args[0], args[1], p
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runExplain(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the explanation as JSON")
	return cmd
}

// explainJSON is 'explain --json': the verdict and reason beside the
// library's Explanation.
type explainJSON struct {
	Verdict string `json:"verdict"` // "accepted" or "not-accepted"
	Reason  string `json:"reason,omitempty"`
	*filtergen.Explanation
}

func runExplain(ctx context.Context, f *factory, opts *explainOptions) error {
	pol, src, err := openPolicy(ctx, f, opts.policy, filtergen.OpenOptions{})
	if err != nil {
		return err
	}
	defer src.Close()
	co := src.CompileOptions()
	co.Peers = []string{opts.peer}
	res, err := filtergen.Compile(ctx, pol, co)
	if err != nil {
		return err
	}
	e, err := res.Explain(opts.peer, opts.prefix)
	if err != nil {
		return err
	}
	reason := ""
	if e.Entry == nil {
		reason = res.Refusal(opts.peer, opts.prefix)
	}
	if opts.json {
		v := explainJSON{Verdict: "accepted", Explanation: e}
		if e.Entry == nil {
			v.Verdict, v.Reason = "not-accepted", reason
		}
		if err := writeJSON(f.Out, v); err != nil {
			return err
		}
	} else {
		fmt.Fprint(f.Out, termSafeLines(e.String())) // set names and sources come from the registry
		if reason != "" {
			fmt.Fprintf(f.Out, "  refused: %s\n", reason)
		}
	}
	if e.Entry == nil {
		return &exitError{code: ExitFailure} // the verdict is the message
	}
	return nil
}

type templatesOptions struct {
	write string
	force bool
}

func newCmdTemplates(f *factory, runF func(*templatesOptions) error) *cobra.Command {
	opts := &templatesOptions{}
	cmd := &cobra.Command{
		Use:   "templates [--write DIR [--force]]",
		Short: "List the embedded templates, or write them out to override them",
		Long: `Templates lists the embedded router templates. With --write DIR it copies
them into DIR (PLATFORM/router.tmpl, PLATFORM/peer.tmpl, and host/nft.tmpl,
the nftables anti-spoofing shared by BIRD, FRR and OpenBGPD hosts), refusing
to overwrite existing files unless --force; edit them and pass
'compile --templates DIR' to use them. Overrides go file by file: a
template missing from DIR falls back to the embedded one, and
PLATFORM/nft.tmpl in DIR overrides host/nft.tmpl for one platform.`,
		Example: `  # List the embedded templates
  filtergen templates

  # Copy them out, edit one, and compile with it
  filtergen templates --write mytemplates
  filtergen compile filtergen.yaml -o out --templates mytemplates`,
		Args: argsRange(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			var names []string
			err := fs.WalkDir(templates.Builtin(), ".", func(p string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					names = append(names, p)
				}
				return err
			})
			if err != nil {
				return err
			}
			if opts.write == "" {
				for _, n := range names {
					fmt.Fprintln(f.Out, n)
				}
				return nil
			}
			files := make([]outdir.File, 0, len(names))
			for _, n := range names {
				data, err := fs.ReadFile(templates.Builtin(), n)
				if err != nil {
					return err
				}
				files = append(files, outdir.File{Name: n, Data: data})
			}
			if !opts.force {
				plan, err := outdir.WriteFiles(cmd.Context(), opts.write, files, outdir.FilesOptions{Mode: outdir.Check})
				if err != nil {
					return err
				}
				for _, fl := range plan.Files {
					if fl.State != outdir.Created {
						return fmt.Errorf("templates: %s exists (use --force to overwrite)", filepath.Join(opts.write, filepath.FromSlash(fl.Name)))
					}
				}
			}
			// All of them or none, through the library's write path.
			if _, err := outdir.WriteFiles(cmd.Context(), opts.write, files, outdir.FilesOptions{Logger: f.Logger}); err != nil {
				return err
			}
			for _, n := range names {
				fmt.Fprintln(f.Out, filepath.Join(opts.write, filepath.FromSlash(n)))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&opts.write, "write", "", "write the templates into this directory")
	cmd.Flags().BoolVar(&opts.force, "force", false, "overwrite existing files")
	return cmd
}
