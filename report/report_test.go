package report_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/irr"
	"github.com/filtergen/filtergen/report"
	"github.com/filtergen/filtergen/rpki"
)

var update = flag.Bool("update", false, "update golden files")

// reportTime is the injected time of every report made in the tests.
var reportTime = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

var examples = []string{"ixp-onboarding", "transit-customer"}

// compileExample compiles a bundled example offline, with the
// provenance of accepted prefixes the report needs.
func compileExample(t testing.TB, name string) *filtergen.Result {
	t.Helper()
	return compileExampleWith(t, name, nil)
}

func compileExampleWith(t testing.TB, name string, mod func(*filtergen.CompileOptions)) *filtergen.Result {
	t.Helper()
	pol, err := filtergen.LoadPolicy(filepath.Join("..", "examples", name, "filtergen.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var dumps []string
	for _, d := range pol.IRR.Dumps {
		dumps = append(dumps, filepath.Join(pol.Dir, d))
	}
	reg, err := irr.LoadFiles(ctx, irr.LoadOptions{}, dumps...)
	if err != nil {
		t.Fatal(err)
	}
	opts := filtergen.CompileOptions{IRR: reg, Now: func() time.Time { return reportTime }}
	if pol.RPKI.VRPs != "" {
		set, err := rpki.LoadFile(filepath.Join(pol.Dir, pol.RPKI.VRPs), rpki.LoadOptions{MaxAge: rpki.NoMaxAge})
		if err != nil {
			t.Fatal(err)
		}
		opts.RPKI = filtergen.RPKIFromSet(set)
	}
	if mod != nil {
		mod(&opts)
	}
	res, err := filtergen.Compile(ctx, pol, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func buildExample(t testing.TB, name string) *report.Report {
	t.Helper()
	r, err := report.Build(compileExample(t, name), report.Options{Now: func() time.Time { return reportTime }})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// golden compares got with testdata/golden/name, or writes it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

func TestGolden(t *testing.T) {
	for _, ex := range examples {
		t.Run(ex, func(t *testing.T) {
			// Determinism: a second report of a second compile is byte
			// for byte the same.
			r1, r2 := buildExample(t, ex), buildExample(t, ex)
			for _, ext := range []string{".html", ".md", ".json"} {
				var b1, b2 bytes.Buffer
				if err := write(r1, ext, &b1); err != nil {
					t.Fatal(err)
				}
				if err := write(r2, ext, &b2); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(b1.Bytes(), b2.Bytes()) {
					t.Errorf("%s: two reports of the same policy differ", ext)
				}
				golden(t, ex+ext, b1.Bytes())
			}
		})
	}
}

func write(r *report.Report, ext string, b *bytes.Buffer) error {
	switch ext {
	case ".html":
		return r.WriteHTML(b)
	case ".md":
		return r.WriteMarkdown(b)
	}
	return r.WriteJSON(b)
}

// A report collected while compiling equals the one built after, and
// the collector leaves no accepted provenance behind.
func TestCollectorMatchesBuild(t *testing.T) {
	for _, ex := range examples {
		t.Run(ex, func(t *testing.T) {
			want := buildExample(t, ex)
			var col report.Collector
			res := compileExampleWith(t, ex, func(o *filtergen.CompileOptions) { o.PeerDone = col.Peer })
			for _, p := range res.Peers {
				for _, f := range p.Families {
					if f.Accepted != nil {
						t.Errorf("%s %s: accepted provenance kept", p.Name, f.Family)
					}
				}
			}
			got, err := col.Build(res, report.Options{Now: func() time.Time { return reportTime }})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("collected report differs (-built +collected):\n%s", diff)
			}
			// Built from the Result now, the report has nothing to read.
			if _, err := report.Build(res, report.Options{}); !errors.Is(err, report.ErrNoProvenance) {
				t.Errorf("Build after the collector: %v", err)
			}
		})
	}
}
