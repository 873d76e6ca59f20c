package yangcheck

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
)

// Folder names of the vendor models inside the shared YANG directory.
const (
	JunosFolder = "junos-24.4R1"
	SROSFolder  = "sros-26.3"
)

// SharedEnv names an environment variable that, when set, is the shared
// reference directory (the one holding yang/); it overrides the default,
// ../shared beside the module root. Tests use it when the repository is
// checked out somewhere else, such as a git worktree.
const SharedEnv = "FILTERGEN_SHARED"

// YANGDir returns the directory holding the vendor model folders: the
// yang/ folder of $FILTERGEN_SHARED if set, else of ../shared beside the
// module root (found by walking up from the working directory to go.mod).
func YANGDir() (string, error) {
	if d := os.Getenv(SharedEnv); d != "" {
		p := filepath.Join(d, "yang")
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("$%s: %w", SharedEnv, err)
		}
		return p, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			p := filepath.Join(filepath.Dir(d), "shared", "yang")
			if _, err := os.Stat(p); err != nil {
				return "", fmt.Errorf("shared YANG models not beside the module root (set $%s): %w", SharedEnv, err)
			}
			return p, nil
		}
		if filepath.Dir(d) == d {
			return "", errNoModule
		}
	}
}

var shared struct {
	junosOnce, srosOnce sync.Once
	junos, sros         *Schema
	junosErr, srosErr   error
}

// SharedJunos loads the Junos models from YANGDir once per process.
func SharedJunos() (*Schema, error) {
	shared.junosOnce.Do(func() {
		dir, err := YANGDir()
		if err != nil {
			shared.junosErr = err
			return
		}
		shared.junos, shared.junosErr = LoadJunos(filepath.Join(dir, JunosFolder))
	})
	return shared.junos, shared.junosErr
}

// SharedSROS loads the SR OS models from YANGDir once per process.
func SharedSROS() (*Schema, error) {
	shared.srosOnce.Do(func() {
		dir, err := YANGDir()
		if err != nil {
			shared.srosErr = err
			return
		}
		shared.sros, shared.srosErr = LoadSROS(filepath.Join(dir, SROSFolder))
	})
	return shared.sros, shared.srosErr
}

// missing reports a missing shared folder, which skips rather than fails.
func missing(err error) bool {
	return errors.Is(err, os.ErrNotExist) || errors.Is(err, errNoModule)
}

var errNoModule = errors.New("no go.mod above the working directory")

// TestJunos checks each Junos file (name to contents) against the shared
// Junos models and fails t with every error found. It skips t, saying
// why, when the shared models are absent. The models load once per test
// binary. Use it from any package's tests:
//
//	files, err := templates.Render(res, router, templates.Options{})
//	...
//	yangcheck.TestJunos(t, junosFiles)
func TestJunos(t testing.TB, files map[string][]byte) {
	t.Helper()
	s, err := SharedJunos()
	check(t, s, err, files, (*Schema).CheckJunos)
}

// TestMDCLI is TestJunos for Nokia SR OS MD-CLI files, checked against
// the shared SR OS models.
func TestMDCLI(t testing.TB, files map[string][]byte) {
	t.Helper()
	s, err := SharedSROS()
	check(t, s, err, files, (*Schema).CheckMDCLI)
}

func check(t testing.TB, s *Schema, err error, files map[string][]byte, f func(*Schema, string, []byte) []Error) {
	t.Helper()
	if err != nil {
		if missing(err) {
			t.Skip("yangcheck: vendor YANG models not available:", err)
		}
		t.Fatal(err)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for _, e := range f(s, n, files[n]) {
			t.Error(e)
		}
	}
}
