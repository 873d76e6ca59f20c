package rpki_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/filtergen/filtergen/internal/inputfile"
	"github.com/filtergen/filtergen/rpki"
)

// TestLoadBOM: a UTF-8 byte order mark before the data is accepted.
func TestLoadBOM(t *testing.T) {
	for _, file := range []string{"rpki-client.json", "routinator.json", "rpki-client.csv"} {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", file))
			if err != nil {
				t.Fatal(err)
			}
			plain, err := rpki.Load(strings.NewReader(string(data)), file, rpki.LoadOptions{MaxAge: rpki.NoMaxAge, Now: at(fixtureTime)})
			if err != nil {
				t.Fatal(err)
			}
			bom, err := rpki.Load(strings.NewReader("\ufeff"+string(data)), file, rpki.LoadOptions{MaxAge: rpki.NoMaxAge, Now: at(fixtureTime)})
			if err != nil {
				t.Fatalf("with a BOM: %v", err)
			}
			if bom.Len() != plain.Len() || bom.Len() == 0 {
				t.Errorf("with a BOM %d VRPs, without %d", bom.Len(), plain.Len())
			}
		})
	}
}

// TestLoadFutureBuildTime: data built beyond the clock skew in the future
// is refused, whatever the maximum age.
func TestLoadFutureBuildTime(t *testing.T) {
	doc := func(buildtime string) string {
		return `{"metadata":{"buildtime":"` + buildtime + `"},"roas":[{"asn":64500,"prefix":"192.0.2.0/24","maxLength":24,"ta":"ripe"}]}`
	}
	now := fixtureTime
	tests := []struct {
		name, buildtime string
		opts            rpki.LoadOptions
		future          bool
	}{
		{"year 2099", "2099-01-01T00:00:00Z", rpki.LoadOptions{}, true},
		{"2099 with NoMaxAge", "2099-01-01T00:00:00Z", rpki.LoadOptions{MaxAge: rpki.NoMaxAge}, true},
		{"11 minutes ahead", now.Add(11 * time.Minute).Format(time.RFC3339), rpki.LoadOptions{}, true},
		{"9 minutes ahead", now.Add(9 * time.Minute).Format(time.RFC3339), rpki.LoadOptions{}, false},
		{"1 hour ahead, skew 2h", now.Add(time.Hour).Format(time.RFC3339), rpki.LoadOptions{ClockSkew: 2 * time.Hour}, false},
		{"an hour old", now.Add(-time.Hour).Format(time.RFC3339), rpki.LoadOptions{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Now = at(now)
			s, err := rpki.Load(strings.NewReader(doc(tt.buildtime)), "vrps.json", tt.opts)
			if tt.future {
				if s != nil || !errors.Is(err, rpki.ErrFuture) || !strings.Contains(err.Error(), "vrps.json") {
					t.Fatalf("Load = %v, %v; want ErrFuture naming the file", s, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
		})
	}
	t.Run("CSV modification time", func(t *testing.T) {
		name := filepath.Join(t.TempDir(), "vrps.csv")
		if err := os.WriteFile(name, []byte("AS64500,192.0.2.0/24,24\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		future := time.Now().Add(24 * time.Hour)
		if err := os.Chtimes(name, future, future); err != nil {
			t.Fatal(err)
		}
		if _, err := rpki.LoadFile(name, rpki.LoadOptions{}); !errors.Is(err, rpki.ErrFuture) {
			t.Fatalf("LoadFile = %v, want ErrFuture", err)
		}
	})
}

// TestLoadFileNotRegular: a FIFO (with no writer, which would block an
// open for ever), a directory or a device is refused at once.
func TestLoadFileNotRegular(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "vrps.json")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	for _, name := range []string{fifo, t.TempDir(), "/dev/zero"} {
		_, err := rpki.LoadFile(name, rpki.LoadOptions{})
		var nr *inputfile.NotRegularError
		if !errors.As(err, &nr) || !strings.Contains(err.Error(), name) {
			t.Errorf("LoadFile(%s) = %v, want a not-a-regular-file error", name, err)
		}
	}
}
