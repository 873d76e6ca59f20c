package inputfile

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	regular := filepath.Join(dir, "regular")
	if err := os.WriteFile(regular, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(regular, link); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		want       string // "" for success
	}{
		{"regular", regular, ""},
		{"symlink to regular", link, ""},
		{"fifo without writer", fifo, "a named pipe"},
		{"directory", dir, "a directory"},
		{"char device", "/dev/null", "a character device"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Open(tt.path)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				f.Close()
				if err := Check(tt.path); err != nil {
					t.Fatalf("Check: %v", err)
				}
				return
			}
			var nr *NotRegularError
			if !errors.As(err, &nr) {
				t.Fatalf("Open(%s) = %v, want a NotRegularError", tt.path, err)
			}
			if got := err.Error(); got != tt.path+": not a regular file ("+tt.want+")" {
				t.Errorf("error %q", got)
			}
			if err := Check(tt.path); !errors.As(err, &nr) {
				t.Errorf("Check(%s) = %v", tt.path, err)
			}
		})
	}
}
