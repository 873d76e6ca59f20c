package irr

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/filtergen/filtergen/internal/inputfile"
)

// TestReaderTruncated: a dump cut short is refused whole, in lenient
// mode too, where the format can tell: a plain dump whose last line has
// no line end, a gzip dump without its trailer.
func TestReaderTruncated(t *testing.T) {
	var dump strings.Builder
	for i := range 100 {
		dump.WriteString("route: 192.0." + itoa(uint32(i)) + ".0/24\norigin: AS64500\nsource: TEST\n\n")
	}
	full := dump.String()
	gz := func(s string) []byte {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write([]byte(s))
		w.Close()
		return b.Bytes()
	}
	zfull := gz(full)
	tests := []struct {
		name  string
		in    []byte
		trunc bool
	}{
		{"plain complete", []byte(full), false},
		{"plain cut mid-attribute", []byte(full[:len(full)*69/100]), true},
		{"plain cut mid-file at a line end", []byte(full[:strings.LastIndex(full[:len(full)/2], "\n")+1]), false},
		{"gzip complete", zfull, false},
		{"gzip without trailer", zfull[:len(zfull)-8], true},
		{"gzip cut mid-stream", zfull[:len(zfull)/2], true},
		{"gzip complete, no final newline", gz(strings.TrimSuffix(full, "\n\n")), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewBuilder(LoadOptions{})
			err := b.ReadFrom(context.Background(), bytes.NewReader(tt.in), "dump.db")
			if !tt.trunc {
				if err != nil {
					t.Fatalf("ReadFrom: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrTruncated) || !strings.HasPrefix(err.Error(), "dump.db:") {
				t.Fatalf("ReadFrom = %v, want ErrTruncated naming the file", err)
			}
		})
	}
}

// TestRegistryBOM: a byte order mark does not hide the first object.
func TestRegistryBOM(t *testing.T) {
	b := NewBuilder(LoadOptions{})
	in := "\ufeffas-set: AS-FIRST\nmembers: AS64500\nsource: TEST\n\nas-set: AS-SECOND\nmembers: AS64501\nsource: TEST\n"
	if err := b.ReadFrom(context.Background(), strings.NewReader(in), "bom.db"); err != nil {
		t.Fatal(err)
	}
	reg, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	if _, n := b.Problems(); n != 0 {
		t.Errorf("%d problems", n)
	}
	for _, name := range []string{"AS-FIRST", "AS-SECOND"} {
		if _, ok := reg.LookupSet(name, nil); !ok {
			t.Errorf("%s not loaded", name)
		}
	}
}

// TestReadFileNotRegular: a FIFO with no writer, a directory or a device
// is refused at once, not read (or waited on) for ever.
func TestReadFileNotRegular(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "dump.db")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	for _, name := range []string{fifo, t.TempDir(), "/dev/zero"} {
		err := NewBuilder(LoadOptions{}).ReadFile(context.Background(), name)
		var nr *inputfile.NotRegularError
		if !errors.As(err, &nr) {
			t.Errorf("ReadFile(%s) = %v, want a not-a-regular-file error", name, err)
		}
	}
	if _, err := os.Stat(fifo); err != nil {
		t.Fatal(err)
	}
}
