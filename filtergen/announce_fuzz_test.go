package filtergen_test

import (
	"bufio"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/filtergen/filtergen/filtergen"
)

// realMembers returns up to n member tokens of the real RIPE as-set dump
// (read in place), or none when the shared data is absent.
func realMembers(n int) []string {
	for _, up := range []string{filepath.Join("..", ".."), filepath.Join("..", "..", "..")} {
		f, err := os.Open(filepath.Join(up, "shared", "testdata", "real", "rpsl", "ripe-split-dump-2023-11", "ripe.db.as-set.gz"))
		if err != nil {
			continue
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil
		}
		var out []string
		sc := bufio.NewScanner(zr)
		for sc.Scan() && len(out) < n {
			if v, ok := strings.CutPrefix(sc.Text(), "members:"); ok {
				v, _, _ = strings.Cut(v, "#")
				out = append(out, strings.Fields(strings.ReplaceAll(v, ",", " "))...)
			}
		}
		return out
	}
	return nil
}

// FuzzParseAnnounce feeds arbitrary announce entries to the policy's
// parser. It must not panic, and what it accepts must be canonical: its
// Name parses back to the same item.
func FuzzParseAnnounce(f *testing.F) {
	for _, s := range []string{"AS-FOO", "AS64500:AS-CUSTOMERS", "RIPE::AS-FOO", "RS-BAR", "AS64500", "as4200000000",
		"192.0.2.0/24", "192.0.2.0/24^+", "2001:db8::/32^48-64", "10.0.0.0/8^-", "AS1.5", "::/0", "AS-", "x"} {
		f.Add(s)
	}
	for _, s := range realMembers(300) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		item, err := filtergen.ParseAnnounce(s)
		if err != nil {
			return
		}
		if item.Name == "" {
			t.Fatalf("%q: accepted with no name: %+v", s, item)
		}
		again, err := filtergen.ParseAnnounce(item.Name)
		if err != nil || again != item {
			t.Fatalf("%q -> %+v; its name %q -> %+v, %v", s, item, item.Name, again, err)
		}
		switch item.Kind {
		case filtergen.KindASSet, filtergen.KindRouteSet:
			if item.Name != strings.ToUpper(item.Name) {
				t.Fatalf("%q: set name %q not upper case", s, item.Name)
			}
		case filtergen.KindPrefix:
			if item.Prefix.Prefix != item.Prefix.Prefix.Masked() {
				t.Fatalf("%q: prefix %v not masked", s, item.Prefix)
			}
		case filtergen.KindASN:
		default:
			t.Fatalf("%q: kind %d", s, item.Kind)
		}
	})
}
