package filtergen_test

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/filtergen/filtergen/filtergen"
)

// A policy path that is a FIFO with no writer must fail at once with a
// clear error, not block the process (issue 13).
func TestLoadPolicyFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.yaml")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := filtergen.LoadPolicy(path)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "regular file") {
			t.Fatalf("LoadPolicy(FIFO) = %v, want an error saying it is not a regular file", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("LoadPolicy on a FIFO blocked (bound: 30 s)")
	}
}

// A directory is refused the same way.
func TestLoadPolicyDirectory(t *testing.T) {
	_, err := filtergen.LoadPolicy(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "regular file") {
		t.Fatalf("LoadPolicy(dir) = %v, want an error saying it is not a regular file", err)
	}
}
