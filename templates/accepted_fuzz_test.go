package templates_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/filtergen/filtergen/templates"
)

// sharedConfigs returns up to 16 KB of each real router configuration in
// the shared test data (read in place), or none when it is absent.
func sharedConfigs() [][]byte {
	var out [][]byte
	for _, up := range []string{filepath.Join("..", ".."), filepath.Join("..", "..", "..")} {
		root := filepath.Join(up, "shared", "testdata", "real", "configs")
		if _, err := os.Stat(root); err != nil {
			continue
		}
		filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() || len(out) >= 40 {
				return nil
			}
			if b, err := os.ReadFile(path); err == nil {
				out = append(out, b[:min(len(b), 16<<10)])
			}
			return nil
		})
		break
	}
	return out
}

// FuzzParseAccepted feeds arbitrary peer files to the shrink guard's
// marker reader. It must not panic; without a marker it reports none and
// a zero count; and a marker line as the templates write it, anywhere in
// a real configuration, reads back as the sum of its counts.
func FuzzParseAccepted(f *testing.F) {
	f.Add([]byte("# "+templates.AcceptedMarker+" peer=A ipv4=12 ipv6=3\n"), uint32(12), uint32(3))
	f.Add([]byte("! "+templates.AcceptedMarker+" ipv4=x ipv6=\n"), uint32(0), uint32(0))
	f.Add([]byte(templates.AcceptedMarker), uint32(1), uint32(0))
	for _, b := range sharedConfigs() {
		f.Add(b, uint32(100), uint32(7))
	}
	f.Fuzz(func(t *testing.T, data []byte, v4, v6 uint32) {
		n, found := templates.ParseAccepted(data)
		if !found && n != 0 {
			t.Fatalf("no marker found, but count %d", n)
		}
		if strings.Contains(string(data), templates.AcceptedMarker) {
			return // the first marker decides; the round trip below needs none before it
		}
		line := fmt.Sprintf("# %s peer=P ipv4=%d ipv6=%d\n", templates.AcceptedMarker, v4, v6)
		doc := append(append([]byte(line), '\n'), data...)
		n, found = templates.ParseAccepted(doc)
		if !found || n != int(v4)+int(v6) {
			t.Fatalf("marker %q read as %d, %v", line, n, found)
		}
	})
}
