package templates_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
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

// FuzzParseAcceptedFamilies: the shrink-guard marker reader never panics,
// returns only ipv4 and ipv6 with counts that are non-negative and appear
// on the marker line, and reads back what the templates write.
func FuzzParseAcceptedFamilies(f *testing.F) {
	f.Add([]byte("# filtergen-accepted: peer=A ipv4=100 ipv6=7\n"))
	f.Add([]byte("# filtergen-accepted: peer=A ipv4=-1 ipv6=x ipv5=3\n"))
	f.Add([]byte("filtergen-accepted:"))
	f.Add([]byte("no marker"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := templates.ParseAcceptedFamilies(data)
		if ok != (len(m) > 0) {
			t.Fatalf("found %v with %v", ok, m)
		}
		for k, v := range m {
			if k != "ipv4" && k != "ipv6" || v < 0 {
				t.Errorf("%s=%d", k, v)
			}
			if !strings.Contains(string(data), k+"="+strconv.Itoa(v)) && !strings.Contains(string(data), k+"=") {
				t.Errorf("%s=%d is not in the input", k, v)
			}
		}
		// Round trip: a line as the templates write it.
		line := templates.AcceptedMarker + " peer=P ipv4=" + strconv.Itoa(len(data)) + " ipv6=3\n"
		if m, ok := templates.ParseAcceptedFamilies(append([]byte(line), data...)); !ok || m["ipv4"] != len(data) || m["ipv6"] != 3 {
			t.Errorf("round trip: %v %v", m, ok)
		}
	})
}
