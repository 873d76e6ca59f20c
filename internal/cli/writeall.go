package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/google/renameio/v2"
	"golang.org/x/sync/errgroup"

	"github.com/filtergen/filtergen/templates"
)

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
