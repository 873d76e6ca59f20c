package outdir

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/templates"
)

// TempPrefix starts the name of every temporary file Compile stages
// beside its target. A run removes the ones an interrupted run left.
const TempPrefix = ".filtergen-tmp-"

// StateFile is the file in the output directory that records, for each
// file Compile wrote, its router, its peer and the peer's accepted count
// per family: the old side of the shrink guard, and the list of files a
// later run may remove as stale. Files it does not list are never removed.
// A router's main file's entry also lists the router's SR OS classic-CLI
// filters ("sros_filters"), from which the next run numbers new ones.
const StateFile = ".filtergen-state.json"

// MaxStateSize caps the state file, checked before it is read.
const MaxStateSize = 64 << 20

const stateVersion = 1

type state struct {
	Version int                   `json:"version"`
	Files   map[string]stateEntry `json:"files"`
}

type stateEntry struct {
	Router   string                   `json:"router"`
	Peer     string                   `json:"peer,omitempty"`
	Accepted map[filtergen.Family]int `json:"accepted,omitempty"`
	// Filters, on a router's main file, are its SR OS classic-CLI
	// filters as the last run wrote them (templates.FilterID), for the
	// next run's numbering.
	Filters []stateFilter `json:"sros_filters,omitempty"`
}

// stateFilter is a templates.FilterID in the state file.
type stateFilter struct {
	Peer      string           `json:"peer"`
	Family    filtergen.Family `json:"family"`
	Interface string           `json:"interface,omitempty"`
	ID        int              `json:"id"`
	Digest    string           `json:"digest"`
	Old       []int            `json:"old,omitempty"`
}

func toStateFilters(fs []templates.FilterID) []stateFilter {
	out := make([]stateFilter, len(fs))
	for i, f := range fs {
		out[i] = stateFilter{Peer: f.Peer, Family: f.Family, Interface: f.Interface, ID: f.ID, Digest: f.Digest, Old: f.Old}
	}
	return out
}

// filters returns the SR OS classic-CLI filters recorded for router, nil
// when the state (or the router's entry) has none: the router's previous
// numbering is then unknown.
func (st *state) filters(router string) []templates.FilterID {
	if st == nil {
		return nil
	}
	e, ok := st.Files[router+".conf"]
	if !ok || len(e.Filters) == 0 || !strings.EqualFold(e.Router, router) {
		return nil
	}
	out := make([]templates.FilterID, len(e.Filters))
	for i, f := range e.Filters {
		out[i] = templates.FilterID{Peer: f.Peer, Family: f.Family, Interface: f.Interface, ID: f.ID, Digest: f.Digest, Old: f.Old}
	}
	return out
}

// dirFS reads and writes under the output directory through os.Root, so
// that no name can leave it. root is nil when the directory does not
// exist in Check and Diff modes.
type dirFS struct {
	dir  string
	root *os.Root
	lock *os.File
}

func openDir(dir string, write bool) (*dirFS, error) {
	if write {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		if !write && errors.Is(err, fs.ErrNotExist) {
			return &dirFS{dir: dir}, nil
		}
		return nil, err
	}
	d := &dirFS{dir: dir, root: root}
	if write {
		// The lock is on the directory itself: a lock file would be one
		// more file in the output.
		f, err := root.Open(".")
		if err != nil {
			root.Close()
			return nil, err
		}
		if err := lockExclusive(f); err != nil {
			f.Close()
			root.Close()
			return nil, fmt.Errorf("%s: another filtergen is writing this directory: %w", dir, err)
		}
		d.lock = f
	}
	return d, nil
}

func (d *dirFS) close() {
	if d.lock != nil {
		d.lock.Close() // releases the lock
	}
	if d.root != nil {
		d.root.Close()
	}
}

func checkName(name string) error {
	if !fs.ValidPath(name) || name == "." {
		return fmt.Errorf("refusing file name %s outside the output directory", strconv.Quote(name))
	}
	return nil
}

// read returns the file's content, or nil and an error (fs.ErrNotExist
// when it does not exist).
func (d *dirFS) read(name string) ([]byte, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	if d.root == nil {
		return nil, fs.ErrNotExist
	}
	f, err := d.root.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path.Join(d.dir, name))
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	if b == nil {
		b = []byte{}
	}
	return b, nil
}

// stage writes data to a new temporary file beside name, synced, and
// returns the temporary file's name. The file takes the permissions of
// the file it will replace, 0644 for a new one.
func (d *dirFS) stage(name string, data []byte) (string, error) {
	if err := checkName(name); err != nil {
		return "", err
	}
	dir, base := path.Split(name)
	if dir != "" {
		if err := d.root.MkdirAll(strings.TrimSuffix(dir, "/"), 0o755); err != nil {
			return "", err
		}
	}
	perm := fs.FileMode(0o644)
	if st, err := d.root.Stat(name); err == nil {
		perm = st.Mode().Perm()
	}
	var rnd [8]byte
	rand.Read(rnd[:])
	tmp := dir + TempPrefix + base + "-" + hex.EncodeToString(rnd[:])
	f, err := d.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm) // the umask may have narrowed it
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		d.root.Remove(tmp)
		return "", fmt.Errorf("write %s: %w", path.Join(d.dir, name), err)
	}
	return tmp, nil
}

func (d *dirFS) rename(tmp, name string) error {
	if err := d.root.Rename(tmp, name); err != nil {
		return fmt.Errorf("replace %s: %w", path.Join(d.dir, name), err)
	}
	return nil
}

func (d *dirFS) remove(name string) error {
	if d.root == nil {
		return nil
	}
	return d.root.Remove(name)
}

func (d *dirFS) syncDirs(dirs map[string]bool) error {
	for dir := range dirs {
		f, err := d.root.Open(dir)
		if err != nil {
			return err
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return fmt.Errorf("sync %s: %w", path.Join(d.dir, dir), err)
		}
	}
	return nil
}

// removeTemps removes the temporary files an interrupted run left in the
// directory and its ROUTER.d subdirectories.
func (d *dirFS) removeTemps() (int, error) {
	f, err := d.root.Open(".")
	if err != nil {
		return 0, err
	}
	ents, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		return 0, err
	}
	dirs := []string{"."}
	for _, e := range ents {
		if e.IsDir() && strings.HasSuffix(e.Name(), ".d") {
			dirs = append(dirs, e.Name())
		}
	}
	return d.removeTempsIn(dirs)
}

// removeTempsIn removes the temporary files an interrupted run left in
// the given directories (relative, with forward slashes); a directory
// that does not exist has none.
func (d *dirFS) removeTempsIn(dirs []string) (int, error) {
	n := 0
	done := map[string]bool{}
	for _, dir := range dirs {
		if done[dir] {
			continue
		}
		done[dir] = true
		if st, err := d.root.Stat(dir); err != nil || !st.IsDir() {
			// None there; a name that is not a directory fails when
			// its file is read.
			continue
		}
		f, err := d.root.Open(dir)
		if err != nil {
			return n, err
		}
		ents, err := f.ReadDir(-1)
		f.Close()
		if err != nil {
			return n, err
		}
		for _, e := range ents {
			if e.Type().IsRegular() && strings.HasPrefix(e.Name(), TempPrefix) {
				if err := d.root.Remove(path.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return n, err
				}
				n++
			}
		}
	}
	return n, nil
}

func (d *dirFS) readState() (*state, error) {
	b, err := d.read(StateFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if len(b) > MaxStateSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", path.Join(d.dir, StateFile), MaxStateSize)
	}
	var st state
	if err := json.Unmarshal(b, &st); err != nil || st.Version != stateVersion {
		if err == nil {
			err = fmt.Errorf("version %d, want %d", st.Version, stateVersion)
		}
		return nil, fmt.Errorf("%s: %v (remove it to start afresh: the shrink guard then reads the files' marker lines)",
			path.Join(d.dir, StateFile), err)
	}
	for name := range st.Files {
		if err := checkName(name); err != nil {
			return nil, fmt.Errorf("%s: %w", path.Join(d.dir, StateFile), err)
		}
	}
	return &st, nil
}

func (d *dirFS) writeState(st *state) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := d.stage(StateFile, append(b, '\n'))
	if err != nil {
		return err
	}
	if err := d.rename(tmp, StateFile); err != nil {
		d.root.Remove(tmp)
		return err
	}
	return d.syncDirs(map[string]bool{".": true})
}
