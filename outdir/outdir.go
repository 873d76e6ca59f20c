package outdir

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/diff"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/templates"
)

// Mode says what Compile does with the files it renders.
type Mode uint8

// The modes.
const (
	// Write replaces the files that changed and removes stale ones.
	Write Mode = iota
	// Check writes nothing and reports the files that would change.
	Check
	// Diff writes nothing and keeps a unified diff of each change in
	// FileStatus.Diff (in memory: a diff is for a person to read).
	Diff
)

// Options tune Compile.
type Options struct {
	// Mode is Write (the default), Check or Diff.
	Mode Mode
	// Force skips the shrink guard.
	Force bool
	// KeepGoing writes the peers that compiled even if others failed.
	// A failed peer's files stay as they were, and so does a router file
	// that includes one. The error still reports the failures.
	KeepGoing bool
	// Templates, if set, holds template overrides (templates.Options).
	Templates fs.FS
	// KeepEntries keeps every peer's filter entries and provenance in the
	// Result returned, for a caller that also prints it. By default they
	// are released as soon as the peer's files are staged, so that peak
	// memory is the largest peer, not the sum of all of them (but for
	// the customers whose files wait for the whole router: see the
	// package documentation).
	KeepEntries bool
	// Timeout bounds the whole compile; 0 means the policy's timeout, then
	// filtergen.DefaultCompileTimeout.
	Timeout time.Duration
	// Logger receives logs; default discards.
	Logger *slog.Logger
	// Open tunes how CompileFile opens the policy's sources (IRR
	// timeouts); Compile, given the sources, does not use it.
	Open filtergen.OpenOptions
	// Approve, if set, is called when every file is rendered and staged,
	// with the summary of what is about to happen and the Result, before
	// anything is renamed into place. An error stops the write: nothing
	// changes. The CLI prints --json output here, so that a failed stdout
	// leaves the directory as it was.
	Approve func(*Summary, *filtergen.Result) error
}

// State is what happened, or would happen, to one file.
type State string

// The file states.
const (
	Unchanged State = "unchanged"
	Created   State = "created"
	Changed   State = "changed"
	Removed   State = "removed" // a stale file: its peer or router left the policy
	Kept      State = "kept"    // left as it was because its peer failed (KeepGoing)
)

// FileStatus is one file of the output.
type FileStatus struct {
	Name  string // relative to the directory, with forward slashes
	Peer  string // the peer the file belongs to; empty for router files
	State State
	// Diff is the unified diff from the file on disk to the new one, in
	// Diff mode, for created, changed and removed files.
	Diff []byte
}

// Summary says what Compile did (Write) or would do (Check, Diff).
type Summary struct {
	Dir     string
	Mode    Mode
	Routers []string
	// Peers is the number of peers compiled successfully.
	Peers int
	// Files lists every file, sorted by name.
	Files []FileStatus
	// Failed names the peers that failed, in policy order.
	Failed []string
	// Warnings maps a peer to the warnings of its compile (missing
	// nested sets and the like).
	Warnings map[string][]string
	// TempRemoved counts temporary files of an interrupted earlier run
	// that this run removed.
	TempRemoved int
}

// Count returns how many files are in state s.
func (s *Summary) Count(st State) int {
	n := 0
	for _, f := range s.Files {
		if f.State == st {
			n++
		}
	}
	return n
}

// Changed reports whether any file was (or would be) created, changed or
// removed.
func (s *Summary) Changed() bool {
	return s.Count(Created)+s.Count(Changed)+s.Count(Removed) > 0
}

// ErrTimeout is the cause of a compile that ran past its timeout.
var ErrTimeout = errors.New("compile timed out")

// Compile compiles pol with co into dir. co carries the data sources
// (filtergen.Sources.CompileOptions) and the peer and router selection;
// Compile sets co.OnPeer (calling the caller's own first) and co.KeepGoing.
//
// It returns the summary, the Result (its peers' entries released unless
// opts.KeepEntries) and an error joining every failure. On error nothing
// is written, unless opts.KeepGoing. In Check and Diff modes the
// directory is only read and need not exist.
func Compile(ctx context.Context, pol *filtergen.Policy, co filtergen.CompileOptions, dir string, opts Options) (*Summary, *filtergen.Result, error) {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = time.Duration(pol.Timeout)
	}
	if timeout <= 0 {
		timeout = filtergen.DefaultCompileTimeout
	}
	ctx, cancel := context.WithTimeoutCause(ctx, timeout,
		fmt.Errorf("%w after %s (policy timeout, --timeout)", ErrTimeout, timeout))
	defer cancel()
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := pol.Validate(); err != nil {
		return nil, nil, err
	}
	routers, err := selectRouters(pol, co.Routers)
	if err != nil {
		return nil, nil, err
	}
	w := &run{
		dir: dir, opts: opts, log: log, pol: pol,
		sum:       &Summary{Dir: dir, Mode: opts.Mode, Warnings: map[string][]string{}},
		renderers: map[string]*templates.Renderer{},
		files:     map[string]*FileStatus{},
		counts:    map[string]map[filtergen.Family]int{},
		lines:     map[string]int{},
	}
	if err := w.open(); err != nil {
		return nil, nil, err
	}
	defer w.close()
	for _, r := range routers {
		w.sum.Routers = append(w.sum.Routers, r.Name)
		rd, err := templates.NewRenderer(r, templates.Options{Overrides: opts.Templates, Filters: w.old.filters(r.Name)})
		if err != nil {
			if w.old != nil && w.old.filters(r.Name) != nil {
				err = fmt.Errorf("%s: %w", path.Join(dir, StateFile), err)
			}
			return nil, nil, err
		}
		w.renderers[strings.ToLower(r.Name)] = rd
	}
	callerHook := co.OnPeer
	co.OnPeer = func(ctx context.Context, res *filtergen.Result, p *filtergen.PeerResult) error {
		if callerHook != nil {
			if err := callerHook(ctx, res, p); err != nil {
				return err
			}
		}
		return w.peer(ctx, res, p)
	}
	co.KeepGoing = opts.KeepGoing
	res, cerr := filtergen.Compile(ctx, pol, co)
	if cerr != nil && ctx.Err() != nil && context.Cause(ctx) != nil && errors.Is(context.Cause(ctx), ErrTimeout) {
		cerr = context.Cause(ctx)
	}
	if res == nil {
		return nil, nil, cerr
	}
	lerr, err := w.late(ctx, res, routers)
	if err != nil {
		return nil, nil, errors.Join(err, cerr)
	}
	if lerr != nil && !opts.KeepGoing {
		return nil, nil, lerr // without KeepGoing, cerr is nil when res is not
	}
	cerr = errors.Join(cerr, lerr)
	w.sum.Failed = filtergen.FailedPeers(cerr)
	if lerr != nil {
		if err := inPolicyOrder(pol, w.sum.Failed); err != nil {
			return nil, nil, err
		}
	}
	for _, p := range res.Peers {
		w.sum.Peers++
		if len(p.Warnings) > 0 {
			w.sum.Warnings[p.Name] = p.Warnings
		}
	}
	if err := w.finish(ctx, res, routers); err != nil {
		return nil, nil, errors.Join(err, cerr)
	}
	return w.sum, res, cerr
}

// inPolicyOrder sorts peer names in the order of the policy's peers.
func inPolicyOrder(pol *filtergen.Policy, names []string) error {
	rp, err := pol.Resolve() // Compile resolved it: cannot fail here
	if err != nil {
		return err
	}
	at := func(n string) int {
		return slices.IndexFunc(rp.Peers, func(p *filtergen.ResolvedPeer) bool { return strings.EqualFold(p.Name, n) })
	}
	slices.SortFunc(names, func(a, b string) int { return at(a) - at(b) })
	return nil
}

func selectRouters(pol *filtergen.Policy, sel []string) ([]filtergen.Router, error) {
	if len(sel) == 0 {
		return slices.Clone(pol.Routers), nil
	}
	var out []filtergen.Router
	for _, name := range sel {
		i := slices.IndexFunc(pol.Routers, func(r filtergen.Router) bool { return strings.EqualFold(r.Name, name) })
		if i < 0 {
			return nil, fmt.Errorf("no router %s in the policy", strconv.Quote(name))
		}
		if !slices.ContainsFunc(out, func(r filtergen.Router) bool { return r.Name == pol.Routers[i].Name }) {
			out = append(out, pol.Routers[i])
		}
	}
	return out, nil
}

// run is one Compile in progress.
type run struct {
	dir       string
	opts      Options
	log       *slog.Logger
	pol       *filtergen.Policy
	renderers map[string]*templates.Renderer // lower-case router name
	// wholes holds each router's renderer for the files that need all
	// its peers (templates.Renderer.Whole), once the compile is done.
	wholes map[string]*templates.Renderer
	dirfs  *dirFS
	old    *state // nil when the directory has no state file

	mu     sync.Mutex
	sum    *Summary
	files  map[string]*FileStatus
	staged []staged
	counts map[string]map[filtergen.Family]int // peer file -> accepted per family
	lines  map[string]int                      // router (lower case) -> lines of its files
}

type staged struct {
	tmp, name string
	router    bool
}

func (w *run) open() error {
	d, err := openDir(w.dir, w.opts.Mode == Write)
	if err != nil {
		return err
	}
	w.dirfs = d
	if w.opts.Mode == Write {
		n, err := d.removeTemps()
		if err != nil {
			return err
		}
		w.sum.TempRemoved = n
		if n > 0 {
			w.log.Info("removed temporary files of an interrupted run", "count", n, "dir", w.dir)
		}
	}
	w.old, err = d.readState()
	return err
}

func (w *run) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, s := range w.staged {
		w.dirfs.remove(s.tmp)
	}
	w.staged = nil
	w.dirfs.close()
}

// oldCounts returns the accepted counts recorded for a peer file: from
// the state file, or from the marker line of the file on disk when the
// directory has no state file yet (output of an older version).
func (w *run) oldCounts(name string, old []byte) (map[filtergen.Family]int, bool) {
	if w.old != nil {
		e, ok := w.old.Files[name]
		return e.Accepted, ok && e.Accepted != nil
	}
	if old == nil {
		return nil, false
	}
	return templates.ParseAcceptedFamilies(old)
}

// peer renders, guards and stages the files of one compiled peer. A
// file that waits for every peer of its router (templates.Renderer.Waits)
// is guarded now and rendered by late; the peer's entries stay until then.
func (w *run) peer(ctx context.Context, res *filtergen.Result, p *filtergen.PeerResult) error {
	rds, names := w.peerFiles(res, p)
	// The guard first, for every file of the peer, so that a failure
	// stages nothing.
	olds := make([][]byte, len(names))
	for i, name := range names {
		old, err := w.dirfs.read(name)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		olds[i] = old
		if w.opts.Force {
			continue
		}
		if oc, ok := w.oldCounts(name, old); ok {
			if err := filtergen.CheckShrink(p.Name, oc, p.Counts(), w.pol.ShrinkGuard); err != nil {
				return err
			}
		}
	}
	waits := false
	err := func() error {
		for i, rd := range rds {
			if err := ctx.Err(); err != nil {
				return context.Cause(ctx)
			}
			if rd.Waits(p) {
				waits = true
				continue
			}
			if err := w.render(rd, res, p, olds[i]); err != nil {
				return err
			}
		}
		return nil
	}()
	if err != nil {
		// A peer fails whole: the files staged for its other routers
		// must not be renamed into place by a KeepGoing commit.
		w.unstage(names)
		return err
	}
	if !waits {
		w.release(p)
	}
	return nil
}

// peerFiles returns the renderers of p's routers being compiled and the
// names of p's files there.
func (w *run) peerFiles(res *filtergen.Result, p *filtergen.PeerResult) ([]*templates.Renderer, []string) {
	var rds []*templates.Renderer
	var names []string
	for _, r := range p.Routers {
		if rd, ok := w.renderers[strings.ToLower(r)]; ok {
			rds = append(rds, rd)
			names = append(names, templates.PeerFile(rdName(res, r), p.Name))
		}
	}
	return rds, names
}

// render renders the file of p with rd and records it against old,
// staging it in Write mode.
func (w *run) render(rd *templates.Renderer, res *filtergen.Result, p *filtergen.PeerResult, old []byte) error {
	f, err := rd.Peer(res, p)
	if err != nil {
		return err
	}
	if err := w.add(f, old, false); err != nil {
		return err
	}
	w.mu.Lock()
	w.counts[f.Name] = p.Counts()
	w.mu.Unlock()
	return nil
}

// release lets go of p's filter once its files are staged, unless
// KeepEntries. Counts, max-prefix limits and ACLs stay for the router
// files.
func (w *run) release(p *filtergen.PeerResult) {
	if w.opts.KeepEntries {
		return
	}
	for _, f := range p.Families {
		f.Entries, f.Accepted, f.Dropped = nil, nil, nil
	}
}

// late renders, now that res holds every compiled peer, the peer files
// that waited for all the peers of their router: on the SR OS classic
// CLI, those of peers with anti-spoofing filters, whose IDs Whole numbers
// across the router as templates.Render does. Their peers' entries are
// released afterwards. It also sets each router's whole renderer, from
// which finish renders the router files.
//
// A peer whose late file fails fails whole, as if its compile had: lerr
// joins a *filtergen.PeerError for each, in policy order. With KeepGoing
// the peer's files on every router are unstaged and it leaves res, so
// that no router file includes a file that is not written; the filters
// of its router's other peers keep the IDs numbered with it. fatal is an
// error that fails the whole run.
func (w *run) late(ctx context.Context, res *filtergen.Result, routers []filtergen.Router) (lerr, fatal error) {
	w.wholes = map[string]*templates.Renderer{}
	failed := map[*filtergen.PeerResult]error{}
	held := map[*filtergen.PeerResult]bool{}
	for _, r := range routers {
		key := strings.ToLower(r.Name)
		whole, err := w.renderers[key].Whole(res)
		if err != nil {
			return nil, err
		}
		w.wholes[key] = whole
		for _, p := range res.Peers {
			if failed[p] != nil || !whole.Waits(p) ||
				!slices.ContainsFunc(p.Routers, func(x string) bool { return strings.EqualFold(x, r.Name) }) {
				continue
			}
			if err := ctx.Err(); err != nil {
				return nil, context.Cause(ctx)
			}
			held[p] = true
			old, err := w.dirfs.read(templates.PeerFile(r.Name, p.Name))
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
			if err := w.render(whole, res, p, old); err != nil {
				failed[p] = err
			}
		}
	}
	var errs []error
	for _, p := range res.Peers {
		if err := failed[p]; err != nil {
			errs = append(errs, &filtergen.PeerError{Peer: p.Name, Err: err})
			if w.opts.KeepGoing {
				_, names := w.peerFiles(res, p)
				w.unstage(names)
			}
		}
	}
	if w.opts.KeepGoing {
		res.Peers = slices.DeleteFunc(res.Peers, func(p *filtergen.PeerResult) bool { return failed[p] != nil })
	}
	for p := range held {
		w.release(p)
	}
	return errors.Join(errs...), nil
}

// unstage forgets and removes the staged files and statuses of names.
func (w *run) unstage(names []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	keep := w.staged[:0]
	for _, st := range w.staged {
		if slices.Contains(names, st.name) {
			w.dirfs.remove(st.tmp)
			continue
		}
		keep = append(keep, st)
	}
	w.staged = keep
	for _, n := range names {
		delete(w.files, n)
		delete(w.counts, n)
	}
}

// rdName returns the router's name as the policy spells it.
func rdName(res *filtergen.Result, r string) string {
	for _, x := range res.Routers {
		if strings.EqualFold(x.Name, r) {
			return x.Name
		}
	}
	return r
}

// add records file f against its old content and, in Write mode, stages
// it when it changed.
func (w *run) add(f templates.File, old []byte, router bool) error {
	fst := &FileStatus{Name: f.Name, Peer: f.Peer}
	switch {
	case old == nil:
		fst.State = Created
	case bytes.Equal(old, f.Data):
		fst.State = Unchanged
	default:
		fst.State = Changed
	}
	if fst.State != Unchanged {
		switch w.opts.Mode {
		case Diff:
			fst.Diff = diff.Diff("old/"+f.Name, old, "new/"+f.Name, f.Data)
		case Write:
			tmp, err := w.dirfs.stage(f.Name, f.Data)
			if err != nil {
				return err
			}
			w.mu.Lock()
			w.staged = append(w.staged, staged{tmp: tmp, name: f.Name, router: router})
			w.mu.Unlock()
		}
	}
	w.mu.Lock()
	w.files[f.Name] = fst
	w.lines[strings.ToLower(routerOf(f.Name))] += bytes.Count(f.Data, []byte{'\n'})
	w.mu.Unlock()
	return nil
}

// finish renders the router files, finds stale files and, in Write mode,
// puts everything in place.
func (w *run) finish(ctx context.Context, res *filtergen.Result, routers []filtergen.Router) error {
	failed := map[string]bool{}
	for _, p := range w.sum.Failed {
		failed[strings.ToUpper(p)] = true
	}
	keptRouter := map[string]bool{}
	rp, err := w.pol.Resolve() // Compile resolved it: cannot fail here
	if err != nil {
		return err
	}
	for _, r := range routers {
		if err := ctx.Err(); err != nil {
			return context.Cause(ctx)
		}
		// A router with a failed peer keeps its file: it includes the
		// failed peer's previous file, which stays too.
		hasFailed := false
		for _, p := range rp.Peers {
			if !failed[strings.ToUpper(p.Name)] {
				continue
			}
			if slices.ContainsFunc(p.Settings.Routers, func(x string) bool { return strings.EqualFold(x, r.Name) }) {
				hasFailed = true
				name := templates.PeerFile(r.Name, p.Name)
				if _, err := w.dirfs.read(name); err == nil {
					w.files[name] = &FileStatus{Name: name, Peer: p.Name, State: Kept}
				}
			}
		}
		rfiles, err := w.wholes[strings.ToLower(r.Name)].Router(res)
		if err != nil {
			return err
		}
		for _, f := range rfiles {
			old, err := w.dirfs.read(f.Name)
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			if hasFailed && old != nil {
				w.files[f.Name] = &FileStatus{Name: f.Name, State: Kept}
				keptRouter[strings.ToLower(r.Name)] = true
				continue
			}
			if err := w.add(f, old, true); err != nil {
				return err
			}
		}
		if !keptRouter[strings.ToLower(r.Name)] {
			if err := w.renderers[strings.ToLower(r.Name)].CheckLines(w.lines[strings.ToLower(r.Name)]); err != nil {
				return err
			}
		}
	}
	// Stale files: written by an earlier run (the state file lists them)
	// for a selected router, or a router no longer in the policy, and not
	// part of this output.
	if w.old != nil {
		selected := map[string]bool{}
		for _, r := range routers {
			selected[strings.ToLower(r.Name)] = true
		}
		all := len(routers) == len(w.pol.Routers)
		for name, e := range w.old.Files {
			r := strings.ToLower(e.Router)
			inPolicy := slices.ContainsFunc(w.pol.Routers, func(x filtergen.Router) bool { return strings.EqualFold(x.Name, e.Router) })
			if _, ok := w.files[name]; ok || keptRouter[r] || !(selected[r] || (all && !inPolicy)) {
				continue
			}
			old, err := w.dirfs.read(name)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return err
			}
			fst := &FileStatus{Name: name, Peer: e.Peer, State: Removed}
			if w.opts.Mode == Diff {
				fst.Diff = diff.Diff("old/"+name, old, "new/"+name, nil)
			}
			w.files[name] = fst
		}
	}
	for _, f := range w.files {
		w.sum.Files = append(w.sum.Files, *f)
	}
	slices.SortFunc(w.sum.Files, func(a, b FileStatus) int { return strings.Compare(a.Name, b.Name) })
	if w.opts.Approve != nil {
		if err := w.opts.Approve(w.sum, res); err != nil {
			return err
		}
	}
	if w.opts.Mode != Write {
		return nil
	}
	return w.commit(ctx, routers)
}

// commit renames the staged files into place: peer files first, then the
// router files that include them; then removes stale files and records
// the new state.
func (w *run) commit(ctx context.Context, routers []filtergen.Router) error {
	if err := ctx.Err(); err != nil {
		return context.Cause(ctx)
	}
	slices.SortFunc(w.staged, func(a, b staged) int {
		if a.router != b.router {
			if a.router {
				return 1
			}
			return -1
		}
		return strings.Compare(a.name, b.name)
	})
	dirs := map[string]bool{}
	routerPhase := false
	for len(w.staged) > 0 {
		s := w.staged[0]
		if s.router && !routerPhase {
			// Every peer file is in place and on disk before a router
			// file that includes it.
			if err := w.dirfs.syncDirs(dirs); err != nil {
				return err
			}
			routerPhase = true
		}
		if err := w.dirfs.rename(s.tmp, s.name); err != nil {
			return err
		}
		if testHookRenamed != nil {
			testHookRenamed(s.name)
		}
		dirs[path.Dir(s.name)] = true
		w.staged = w.staged[1:]
	}
	for _, f := range w.sum.Files {
		if f.State == Removed {
			if err := w.dirfs.remove(f.Name); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			dirs[path.Dir(f.Name)] = true
		}
	}
	if err := w.dirfs.syncDirs(dirs); err != nil {
		return err
	}
	st := &state{Version: stateVersion, Files: map[string]stateEntry{}}
	if w.old != nil {
		// Entries of routers not compiled this time stay as they were.
		sel := map[string]bool{}
		for _, r := range routers {
			sel[strings.ToLower(r.Name)] = true
		}
		for name, e := range w.old.Files {
			if !sel[strings.ToLower(e.Router)] {
				if _, err := w.dirfs.read(name); err == nil {
					st.Files[name] = e
				}
			}
		}
	}
	for _, f := range w.sum.Files {
		switch f.State {
		case Removed:
			continue
		case Kept:
			if w.old != nil {
				if e, ok := w.old.Files[f.Name]; ok {
					st.Files[f.Name] = e
				}
			}
			continue
		}
		e := stateEntry{Router: routerOf(f.Name), Peer: f.Peer}
		if f.Peer != "" {
			e.Accepted = w.counts[f.Name]
		}
		st.Files[f.Name] = e
	}
	// The SR OS classic-CLI filters of each router compiled, on its main
	// file's entry: those of the files just written, and for the peers
	// that failed, those of their files that stay. A kept router file
	// still gets them: its peers' files were written.
	for _, r := range routers {
		fs := w.wholes[strings.ToLower(r.Name)].Filters(w.sum.Failed...)
		if len(fs) == 0 {
			continue
		}
		name := r.Name + ".conf"
		e, ok := st.Files[name]
		if !ok {
			e = stateEntry{Router: r.Name}
		}
		e.Filters = toStateFilters(fs)
		st.Files[name] = e
	}
	return w.dirfs.writeState(st)
}

// testHookRenamed, if set by a test, is called after each file is
// renamed into place.
var testHookRenamed func(name string)

// routerOf returns the router a file belongs to: "R.conf", "R.nft" and
// "R.d/…" all belong to R.
func routerOf(name string) string {
	if i := strings.Index(name, ".d/"); i >= 0 {
		return name[:i]
	}
	return strings.TrimSuffix(name, path.Ext(name))
}

// CompileFile is the whole pipeline in one call: it loads the policy
// file, opens the data sources it names (with opts.Open), compiles every
// peer on every router and writes dir as Compile does, then closes the
// sources.
func CompileFile(ctx context.Context, policy, dir string, opts Options) (*Summary, error) {
	pol, err := filtergen.LoadPolicy(policy)
	if err != nil {
		return nil, err
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = time.Duration(pol.Timeout)
	}
	if timeout <= 0 {
		timeout = filtergen.DefaultCompileTimeout
	}
	// One deadline for opening the sources and compiling.
	ctx, cancel := context.WithTimeoutCause(ctx, timeout,
		fmt.Errorf("%w after %s (policy timeout, --timeout)", ErrTimeout, timeout))
	defer cancel()
	if opts.Open.Logger == nil {
		opts.Open.Logger = opts.Logger
	}
	src, err := filtergen.Open(ctx, pol, opts.Open)
	if err != nil {
		if c := context.Cause(ctx); ctx.Err() != nil && c != nil {
			return nil, fmt.Errorf("%w: %w", c, err)
		}
		return nil, err
	}
	defer src.Close()
	sum, _, err := Compile(ctx, pol, src.CompileOptions(), dir, opts)
	return sum, err
}
