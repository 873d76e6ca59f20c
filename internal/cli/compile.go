package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/renameio/v2"
	"github.com/rogpeppe/go-internal/diff"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/irr"
	"github.com/filtergen/filtergen/rpki"
	"github.com/filtergen/filtergen/templates"
)

type compileOptions struct {
	policy     string
	outDir     string
	routers    []string
	check      bool
	diff       bool
	json       bool
	keepGoing  bool
	force      bool
	templates  string
	parallel   int
	progressOK bool
}

func newCmdCompile(f *factory) *cobra.Command {
	opts := &compileOptions{}
	cmd := &cobra.Command{
		Use:   "compile POLICY [-o DIR] [--router NAME] [--check] [--diff] [--json] [--keep-going] [--force]",
		Short: "Compile a policy into router configuration files",
		Long: `Compile expands every peer of the policy from IRR and RPKI data and writes one
configuration file per router (DIR/ROUTER.conf) and one per peer on it
(DIR/ROUTER.d/PEER.conf). Every file is rendered in memory first and written
atomically (temporary file, then rename). If any peer fails, nothing is
written (exit 1); with --keep-going the peers that succeeded are written, the
failed peers' files stay as they were, and the exit code is still 1.

A peer whose accepted prefix count falls by more than the policy's
shrink_guard (default 50%) compared with its file on disk fails, unless
--force is given.

--check writes nothing and lists the files that would change (exit 3 if
any); --diff prints a unified diff of the changes (exit 3 if any); --json
prints the compiled result on stdout.`,
		Args: argsRange(1, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.policy = args[0]
			opts.progressOK = f.showProgress(opts.json)
			return runCompile(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.outDir, "output", "o", ".", "output directory")
	fl.StringArrayVar(&opts.routers, "router", nil, "only write files for this router (repeatable)")
	fl.BoolVar(&opts.check, "check", false, "write nothing; list files that would change and exit 3 if any")
	fl.BoolVar(&opts.diff, "diff", false, "write nothing; print a unified diff and exit 3 if anything would change")
	fl.BoolVar(&opts.json, "json", false, "print the compiled result as JSON on stdout")
	fl.BoolVar(&opts.keepGoing, "keep-going", false, "write the peers that succeeded even if others failed (still exit 1)")
	fl.BoolVar(&opts.force, "force", false, "accept a peer whose prefix count shrank more than the shrink guard allows")
	fl.StringVar(&opts.templates, "templates", "", "directory with template overrides (see 'filtergen templates')")
	fl.IntVar(&opts.parallel, "parallel", 8, "peers compiled at once")
	return cmd
}

// loadInputs reads the policy, resolves its onboarding sources
// (PeeringDB, IX-F member lists) and loads the IRR and RPKI data it names.
func loadInputs(ctx context.Context, f *factory, policy string) (*filtergen.Policy, filtergen.CompileOptions, error) {
	pol, err := filtergen.LoadPolicy(policy)
	if err != nil {
		return nil, filtergen.CompileOptions{}, err
	}
	if err := filtergen.Populate(ctx, pol, filtergen.PopulateOptions{Getenv: f.Getenv, Logger: f.Logger}); err != nil {
		return nil, filtergen.CompileOptions{}, err
	}
	for _, w := range pol.Warnings() {
		f.Logger.Warn(w)
	}
	co, err := loadData(ctx, f, pol)
	return pol, co, err
}

// loadData loads the IRR and RPKI data pol names.
func loadData(ctx context.Context, f *factory, pol *filtergen.Policy) (filtergen.CompileOptions, error) {
	var co filtergen.CompileOptions
	rel := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(pol.Dir, p)
	}
	switch {
	case len(pol.IRR.Dumps) > 0:
		b := irr.NewBuilder(irr.LoadOptions{Logger: f.Logger})
		for _, d := range pol.IRR.Dumps {
			if err := b.ReadFile(ctx, rel(d)); err != nil {
				return co, fmt.Errorf("irr: %w", err)
			}
		}
		reg, err := b.Build()
		if err != nil {
			return co, err
		}
		if _, n := b.Problems(); n > 0 {
			f.Logger.Warn("skipped malformed RPSL objects", "count", n)
		}
		co.IRR = reg
	case len(pol.IRR.ServerList()) > 0:
		ex, err := dialIRR(ctx, f, pol)
		if err != nil {
			return co, err
		}
		co.IRR = ex
	}
	switch {
	case pol.RPKI.VRPs != "":
		// The age is checked by Compile against the policy's max_age, so
		// that a stale snapshot fails each peer that uses it by name.
		set, err := rpki.LoadFile(rel(pol.RPKI.VRPs), rpki.LoadOptions{MaxAge: rpki.NoMaxAge})
		if err != nil {
			return co, err
		}
		co.RPKI = filtergen.RPKIFromSet(set)
	case pol.RPKI.RTR != "":
		// One full synchronisation; the set's time is the End of Data, so
		// max_age then bounds how old the cache's data may be only
		// through the cache's own expiry.
		sctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		set, err := (&rpki.Client{Addr: pol.RPKI.RTR, Logger: f.Logger}).Sync(sctx)
		if err != nil {
			return co, fmt.Errorf("rpki.rtr %s: %w", strconv.Quote(pol.RPKI.RTR), err)
		}
		co.RPKI = filtergen.RPKIFromSet(set)
	}
	co.Logger = f.Logger
	return co, nil
}

// dialIRR returns an IRRd client for the policy's servers, tried in
// order. The client connects lazily; when every server is down the first
// expansion fails, and so the peers that need it, by name.
func dialIRR(ctx context.Context, f *factory, pol *filtergen.Policy) (irr.Expander, error) {
	// Walk resolves set trees client-side so that the report lists
	// missing nested sets and provenance chains, as with dump files.
	return &irr.Client{Servers: pol.IRR.ServerList(), Walk: true, Logger: f.Logger}, nil
}

// closeInputs releases what loadInputs opened (the IRRd connections).
func closeInputs(co filtergen.CompileOptions) {
	if c, ok := co.IRR.(interface{ Close() error }); ok {
		c.Close()
	}
}

func runCompile(ctx context.Context, f *factory, opts *compileOptions) error {
	if opts.check && opts.diff {
		return usagef("compile: --check and --diff are exclusive")
	}
	pol, co, err := loadInputs(ctx, f, opts.policy)
	if err != nil {
		return err
	}
	defer closeInputs(co)
	for _, r := range opts.routers {
		if !slices.ContainsFunc(pol.Routers, func(x filtergen.Router) bool { return strings.EqualFold(x.Name, r) }) {
			return usagef("compile: no router %s in the policy", strconv.Quote(r))
		}
	}
	co.Parallel = opts.parallel
	co.KeepGoing = opts.keepGoing
	// Only --json and templates of the user's own read the provenance
	// of accepted prefixes; the built-in templates use the filter
	// entries and counts.
	co.NoAcceptedProvenance = !opts.json && opts.templates == ""
	if opts.progressOK {
		start := time.Now()
		// Compile calls Progress from its worker goroutines, and their
		// counts may arrive out of order: draw under a lock, never
		// going backwards, so the final "n/n" line is the last one.
		var mu sync.Mutex
		shown := 0
		co.Progress = func(done, total int, peer string) {
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
	res, compileErr := filtergen.Compile(ctx, pol, co)
	if res == nil {
		return compileErr
	}
	for _, p := range res.Peers {
		for _, w := range p.Warnings {
			f.Logger.Warn(w, "peer", p.Name)
		}
	}
	failed := map[string]bool{}
	for _, p := range filtergen.FailedPeers(compileErr) {
		failed[strings.ToUpper(p)] = true
	}
	var overrides fs.FS
	if opts.templates != "" {
		root, err := os.OpenRoot(opts.templates)
		if err != nil {
			return fmt.Errorf("--templates: %w", err)
		}
		defer root.Close()
		overrides = root.FS()
	}
	var files []templates.File
	for _, r := range pol.Routers {
		if len(opts.routers) > 0 && !slices.ContainsFunc(opts.routers, func(x string) bool { return strings.EqualFold(x, r.Name) }) {
			continue
		}
		fs, err := templates.Render(res, r, templates.Options{Overrides: overrides})
		if err != nil {
			return err
		}
		files = append(files, fs...)
	}
	out, err := openOut(opts.outDir, opts.check || opts.diff)
	if err != nil {
		return err
	}
	// Shrink guard: compare each peer file with the one on disk.
	var errs []error
	if compileErr != nil {
		errs = append(errs, compileErr)
	}
	if !opts.force {
		for _, fl := range files {
			if fl.Peer == "" {
				continue
			}
			old, err := out.read(fl.Name)
			if err != nil {
				continue
			}
			oldN, ok := templates.ParseAccepted(old)
			newN, _ := templates.ParseAccepted(fl.Data)
			if !ok {
				continue
			}
			if err := filtergen.CheckShrink(fl.Peer, oldN, newN, pol.ShrinkGuard); err != nil && !failed[strings.ToUpper(fl.Peer)] {
				failed[strings.ToUpper(fl.Peer)] = true
				errs = append(errs, &filtergen.PeerError{Peer: fl.Peer, Err: err})
			}
		}
	}
	if len(errs) > 0 && !opts.keepGoing {
		return errors.Join(errs...)
	}
	// With --keep-going, drop the failed peers' files and leave alone a
	// router file that lists a failed peer: it still includes the failed
	// peer's previous file.
	if len(failed) > 0 {
		var keep []templates.File
		for _, fl := range files {
			if fl.Peer != "" && failed[strings.ToUpper(fl.Peer)] {
				continue
			}
			if fl.Peer == "" && routerHasFailed(res, pol, fl.Name, failed) {
				if _, err := out.read(fl.Name); err == nil {
					continue
				}
			}
			keep = append(keep, fl)
		}
		files = keep
	}
	if opts.json {
		if err := writeResultJSON(f.Out, res); err != nil {
			return fmt.Errorf("write --json output: %w", err)
		}
	}
	changed := 0
	var writes []templates.File
	for _, fl := range files {
		old, err := out.read(fl.Name)
		if err == nil && bytes.Equal(old, fl.Data) {
			// Already on disk, synced by the run that wrote it: rewriting
			// it would only cost a sync per unchanged peer.
			continue
		}
		changed++
		writes = append(writes, fl)
		switch {
		case opts.check:
			fmt.Fprintln(f.Out, filepath.Join(opts.outDir, fl.Name))
		case opts.diff:
			name := filepath.ToSlash(filepath.Join(opts.outDir, fl.Name))
			f.Out.Write(diff.Diff("old/"+name, old, "new/"+name, fl.Data))
		}
	}
	if !opts.check && !opts.diff {
		if err := out.writeAll(writes); err != nil {
			return err
		}
		f.Logger.Info("compiled", "files", len(files), "changed", changed)
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if (opts.check || opts.diff) && changed > 0 {
		return errChanged
	}
	return nil
}

func routerHasFailed(res *filtergen.Result, pol *filtergen.Policy, file string, failed map[string]bool) bool {
	// ROUTER.conf, or another router-level file such as ROUTER.nft.
	router := strings.TrimSuffix(file, filepath.Ext(file))
	rp, err := pol.Resolve() // validated before the compile: cannot fail here
	if err != nil {
		return true
	}
	for _, p := range rp.Peers {
		if !failed[strings.ToUpper(p.Name)] {
			continue
		}
		if slices.ContainsFunc(p.Settings.Routers, func(r string) bool { return strings.EqualFold(r, router) }) {
			return true
		}
	}
	return false
}

// outDir reads and writes files under the output directory. File names
// come from validated router and peer names, and every access goes
// through os.Root so that none can leave the directory.
type outDir struct {
	dir string
}

func openOut(dir string, readOnly bool) (*outDir, error) {
	if !readOnly {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
	}
	return &outDir{dir: dir}, nil
}

func (o *outDir) read(name string) ([]byte, error) {
	root, err := os.OpenRoot(o.dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	return root.ReadFile(name)
}

func (o *outDir) write(name string, data []byte) error {
	if !filepath.IsLocal(name) {
		return fmt.Errorf("refusing to write %s outside the output directory", strconv.Quote(name))
	}
	root, err := os.OpenRoot(o.dir)
	if err != nil {
		return err
	}
	defer root.Close()
	if d := filepath.Dir(name); d != "." {
		if err := root.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	// renameio writes a temporary file in the same directory and renames
	// it over the target, so a reader never sees half a file.
	return renameio.WriteFile(filepath.Join(o.dir, name), data, 0o644)
}

// writeAll replaces files atomically, in three steps: every file is
// written to a temporary file beside its target and synced, side by side
// so that a thousand peers do not wait on one disk flush after another;
// only when all of them are on disk are they renamed over their targets;
// then each directory is synced so that the renames survive a crash. A
// failure in the first step (a full disk) leaves every old file in place.
func (o *outDir) writeAll(files []templates.File) error {
	root, err := os.OpenRoot(o.dir)
	if err != nil {
		return err
	}
	defer root.Close()
	dirs := map[string]bool{".": true}
	for _, fl := range files {
		if !filepath.IsLocal(fl.Name) {
			return fmt.Errorf("refusing to write %s outside the output directory", strconv.Quote(fl.Name))
		}
		if d := filepath.Dir(fl.Name); !dirs[d] {
			if err := root.MkdirAll(d, 0o755); err != nil {
				return err
			}
			dirs[d] = true
		}
	}
	pending := make([]*renameio.PendingFile, len(files))
	defer func() {
		for _, pf := range pending {
			if pf != nil {
				pf.Cleanup() // a no-op once renamed
			}
		}
	}()
	var g errgroup.Group
	g.SetLimit(16)
	for i, fl := range files {
		g.Go(func() error {
			pf, err := renameio.NewPendingFile(filepath.Join(o.dir, fl.Name),
				renameio.WithPermissions(0o644), renameio.WithExistingPermissions())
			if err != nil {
				return err
			}
			pending[i] = pf
			if _, err := pf.Write(fl.Data); err != nil {
				return err
			}
			return pf.Sync()
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for _, pf := range pending {
		// Syncs again, which costs nothing now, then renames.
		if err := pf.CloseAtomicallyReplace(); err != nil {
			return err
		}
	}
	for d := range dirs {
		if err := syncDir(filepath.Join(o.dir, d)); err != nil {
			return err
		}
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

type explainOptions struct {
	json bool
}

func newCmdExplain(f *factory) *cobra.Command {
	opts := &explainOptions{}
	cmd := &cobra.Command{
		Use:   "explain POLICY PEER PREFIX",
		Short: "Say why a prefix is accepted or dropped for a peer",
		Long: `Explain compiles one peer of the policy and says whether PREFIX passes its
filter, through which filter entry, and for every route object or other
source that lists it: origin, registry, the chain of sets that led to it,
its RPKI state, and why it was dropped if it was.`,
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
			pol, co, err := loadInputs(cmd.Context(), f, args[0])
			if err != nil {
				return err
			}
			defer closeInputs(co)
			co.Peers = []string{args[1]}
			res, err := filtergen.Compile(cmd.Context(), pol, co)
			if err != nil {
				return err
			}
			e, err := res.Explain(args[1], p)
			if err != nil {
				return err
			}
			if opts.json {
				enc := json.NewEncoder(f.Out)
				enc.SetIndent("", "  ")
				return enc.Encode(e)
			}
			fmt.Fprint(f.Out, e.String())
			return nil
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the explanation as JSON")
	return cmd
}

type templatesOptions struct {
	write string
	force bool
}

func newCmdTemplates(f *factory) *cobra.Command {
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
		Args: argsRange(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
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
			if !opts.force {
				for _, n := range names {
					if _, err := os.Stat(filepath.Join(opts.write, n)); err == nil {
						return fmt.Errorf("templates: %s exists (use --force to overwrite)", filepath.Join(opts.write, n))
					}
				}
			}
			out, err := openOut(opts.write, false)
			if err != nil {
				return err
			}
			for _, n := range names {
				data, err := fs.ReadFile(templates.Builtin(), n)
				if err != nil {
					return err
				}
				if err := out.write(n, data); err != nil {
					return err
				}
				fmt.Fprintln(f.Out, filepath.Join(opts.write, n))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&opts.write, "write", "", "write the templates into this directory")
	cmd.Flags().BoolVar(&opts.force, "force", false, "overwrite existing files")
	return cmd
}
