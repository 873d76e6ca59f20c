package irr

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// realSeeds returns up to max bytes of each file under the shared real
// test data directory dir (read in place, gunzipped), or nothing when the
// shared data is absent.
func realSeeds(dir string, max int) [][]byte {
	var out [][]byte
	for _, up := range []string{filepath.Join("..", ".."), filepath.Join("..", "..", "..")} {
		root := filepath.Join(up, "shared", "testdata", "real", dir)
		entries, err := os.ReadDir(root)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if !e.Type().IsRegular() {
				continue
			}
			f, err := os.Open(filepath.Join(root, e.Name()))
			if err != nil {
				continue
			}
			var r io.Reader = f
			if filepath.Ext(e.Name()) == ".gz" {
				if zr, err := gzip.NewReader(f); err == nil {
					r = zr
				}
			}
			b, _ := io.ReadAll(io.LimitReader(r, int64(max)))
			f.Close()
			out = append(out, b)
		}
		break
	}
	return out
}

// FuzzBuilder feeds arbitrary dumps to the registry builder, leniently
// and strictly, then queries what it built. It must never panic, every
// error must be a ParseError, a truncation or an over-limit input, and
// whatever a lenient load accepts must answer lookups and expansions
// with sorted, de-duplicated results or an expansion error.
func FuzzBuilder(f *testing.F) {
	f.Add([]byte("as-set: AS-A\nmembers: AS1, AS-B, AS-A\nsource: TEST\n\nas-set: AS-B\nmembers: AS2\nmbrs-by-ref: ANY\nsource: TEST\n\n" +
		"route: 192.0.2.0/24\norigin: AS2\nmember-of: RS-X\nmnt-by: M\nsource: TEST\n\nroute-set: RS-X\nmembers: 198.51.100.0/24^+, AS-A\nmbrs-by-ref: ANY\nsource: TEST\n"))
	f.Add([]byte("\ufeffaut-num: AS1\nmember-of: AS-A\nsource: TEST\n\nroute6: 2001:db8::/32\norigin: AS1\nsource: TEST\n"))
	for _, dir := range []string{"rpsl/ripe-whois-grs-fixtures", "rpsl/arouteserver-rpsl-via", "rpsl/objects"} {
		for _, b := range realSeeds(dir, 16<<10) {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx := context.Background()
		for _, strict := range []bool{false, true} {
			b := NewBuilder(LoadOptions{Strict: strict, DefaultSource: "FUZZ", Limits: ReaderLimits{MaxLineBytes: 1024, MaxObjectBytes: 8 << 10}})
			err := b.ReadFrom(ctx, bytes.NewReader(data), "fuzz.db")
			if err != nil {
				var pe *ParseError
				if !errors.As(err, &pe) && !errors.Is(err, ErrTruncated) {
					t.Fatalf("strict=%v: unexpected error %v", strict, err)
				}
				continue
			}
			reg, err := b.Build()
			if err != nil {
				t.Fatalf("Build after a clean read: %v", err)
			}
			lim := &ExpandOptions{Limits: Limits{MaxSets: 200, MaxASNs: 1000, MaxPrefixes: 5000, MaxDepth: 20}}
			for _, src := range reg.order {
				s := reg.sources[src]
				for name := range s.asSets {
					asns, _, err := reg.ExpandASNs(ctx, name, lim)
					if err == nil && (!slices.IsSorted(asns) || len(slices.Compact(slices.Clone(asns))) != len(asns)) {
						t.Fatalf("%s: ASNs not sorted and unique: %v", name, asns)
					}
					for _, fam := range []Family{IPv4, IPv6} {
						prs, _, err := reg.ExpandPrefixes(ctx, name, fam, lim)
						if err == nil {
							for _, p := range prs {
								if FamilyOf(p.Prefix) != fam {
									t.Fatalf("%s: %v in family %v", name, p, fam)
								}
							}
						}
					}
					if _, ok := reg.LookupSet(name, nil); !ok {
						t.Fatalf("set %s indexed but not found", name)
					}
				}
				for name := range s.routeSets {
					reg.ExpandPrefixes(ctx, name, IPv4, lim)
					reg.ExpandPrefixes(ctx, name, IPv6, lim)
				}
			}
			_ = reg.Stats()
		}
	})
}
