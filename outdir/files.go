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

	"github.com/rogpeppe/go-internal/diff"
	"golang.org/x/sync/errgroup"
)

// A File is one file of the set WriteFiles writes.
type File struct {
	// Name is relative to the directory, with forward slashes
	// (fs.ValidPath); it may name a subdirectory, which is created.
	Name string
	Data []byte
}

// FilesOptions tune WriteFiles.
type FilesOptions struct {
	// Mode is Write (the default), Check or Diff, as for Compile.
	Mode Mode
	// Remove names files to remove once the new files are in place: older
	// files a caller retires (a report's history beyond its retention).
	// A name that does not exist is skipped; one that is also in the set
	// written, or given twice, is an error.
	Remove []string
	// Ordered makes each file durable (its directory synced) before the
	// next one is renamed into place, so that after a crash the files
	// that are new form a prefix of the list: a caller lists first what
	// the others refer to. Files are renamed in the order given either
	// way; without Ordered the directories are synced once, at the end.
	Ordered bool
	// Logger receives logs; default discards.
	Logger *slog.Logger
}

// stageParallel bounds the files WriteFiles writes and syncs at once, so
// that many files do not wait on one disk flush after another.
const stageParallel = 16

// WriteFiles writes a set of named files into dir with Compile's
// guarantees, for output that is not a compiled policy (a report, an
// export). It plans first: each file is compared with the one on disk,
// and in Write mode staged, when it changed, in a synced temporary file
// beside its target (never in $TMPDIR), with the permissions of the file
// it replaces (0644 for a new one). Only when every changed file is
// staged are they renamed over their targets, in the order given; then
// the files in opts.Remove are removed and the directories synced. A
// failure before the first rename (a bad name, a full disk, a cancelled
// ctx) changes nothing, and the temporary files are removed.
//
// In Write mode dir is created if need be and locked against another
// writer (WriteFiles or Compile) for the whole call, and temporary files
// that an interrupted earlier run left in dir, or in the directories of
// the files, are removed. Check and Diff only read, as for Compile; dir
// need not exist.
//
// The Summary lists every file written or removed with its State, sorted
// by name; its Routers, Peers, Failed and Warnings are empty. Names that
// would leave dir, temporary files' names and StateFile, which belongs to
// Compile, are refused.
func WriteFiles(ctx context.Context, dir string, files []File, opts FilesOptions) (*Summary, error) {
	if err := checkFileSet(files, opts.Remove); err != nil {
		return nil, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := ctx.Err(); err != nil {
		return nil, context.Cause(ctx)
	}
	d, err := openDir(dir, opts.Mode == Write)
	if err != nil {
		return nil, err
	}
	defer d.close()
	sum := &Summary{Dir: dir, Mode: opts.Mode}
	if opts.Mode == Write {
		dirs := []string{"."}
		for _, f := range files {
			dirs = append(dirs, path.Dir(f.Name))
		}
		n, err := d.removeTempsIn(dirs)
		if err != nil {
			return nil, err
		}
		sum.TempRemoved = n
		if n > 0 {
			log.Info("removed temporary files of an interrupted run", "count", n, "dir", dir)
		}
	}

	// Plan and stage. tmps[i] is the staged file of files[i], "" when
	// it is unchanged (or not in Write mode).
	statuses := make([]FileStatus, len(files))
	tmps := make([]string, len(files))
	var mu sync.Mutex // guards tmps for the cleanup below
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, tmp := range tmps {
			if tmp != "" {
				d.remove(tmp)
			}
		}
	}()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(stageParallel)
	for i, f := range files {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return context.Cause(gctx)
			}
			old, err := d.read(f.Name)
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			st := FileStatus{Name: f.Name}
			switch {
			case old == nil:
				st.State = Created
			case bytes.Equal(old, f.Data):
				st.State = Unchanged
			default:
				st.State = Changed
			}
			statuses[i] = st
			if st.State == Unchanged {
				return nil
			}
			switch opts.Mode {
			case Diff:
				statuses[i].Diff = diff.Diff("old/"+f.Name, old, "new/"+f.Name, f.Data)
			case Write:
				tmp, err := d.stage(f.Name, f.Data)
				if err != nil {
					return err
				}
				mu.Lock()
				tmps[i] = tmp
				mu.Unlock()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		return nil, err
	}
	sum.Files = statuses
	var removed []string
	for _, name := range opts.Remove {
		old, err := d.read(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		st := FileStatus{Name: name, State: Removed}
		if opts.Mode == Diff {
			st.Diff = diff.Diff("old/"+name, old, "new/"+name, nil)
		}
		sum.Files = append(sum.Files, st)
		removed = append(removed, name)
	}
	slices.SortFunc(sum.Files, func(a, b FileStatus) int { return strings.Compare(a.Name, b.Name) })
	if opts.Mode != Write {
		return sum, nil
	}

	// Commit: nothing has changed on disk before this point.
	if err := ctx.Err(); err != nil {
		return nil, context.Cause(ctx)
	}
	dirs := map[string]bool{}
	for i, f := range files {
		if tmps[i] == "" {
			continue
		}
		if err := d.rename(tmps[i], f.Name); err != nil {
			return nil, err
		}
		mu.Lock()
		tmps[i] = ""
		mu.Unlock()
		if testHookRenamed != nil {
			testHookRenamed(f.Name)
		}
		if opts.Ordered {
			if err := d.syncDirs(map[string]bool{path.Dir(f.Name): true}); err != nil {
				return nil, err
			}
			continue
		}
		dirs[path.Dir(f.Name)] = true
	}
	for _, name := range removed {
		if err := d.remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("remove %s: %w", path.Join(dir, name), err)
		}
		dirs[path.Dir(name)] = true
	}
	if err := d.syncDirs(dirs); err != nil {
		return nil, err
	}
	return sum, nil
}

// checkFileSet refuses a name that would leave the directory, a reserved
// name, a name given twice, and a name both written and removed.
func checkFileSet(files []File, remove []string) error {
	check := func(name string) error {
		if err := checkName(name); err != nil {
			return err
		}
		if strings.HasPrefix(path.Base(name), TempPrefix) || name == StateFile {
			return fmt.Errorf("refusing file name %s: reserved for outdir's own files", strconv.Quote(name))
		}
		return nil
	}
	written := make(map[string]bool, len(files))
	for _, f := range files {
		if err := check(f.Name); err != nil {
			return err
		}
		if written[f.Name] {
			return fmt.Errorf("file name %s given twice", strconv.Quote(f.Name))
		}
		written[f.Name] = true
	}
	removed := make(map[string]bool, len(remove))
	for _, name := range remove {
		if err := check(name); err != nil {
			return fmt.Errorf("remove: %w", err)
		}
		if written[name] {
			return fmt.Errorf("file %s both written and removed", strconv.Quote(name))
		}
		if removed[name] {
			return fmt.Errorf("remove: file name %s given twice", strconv.Quote(name))
		}
		removed[name] = true
	}
	return nil
}
