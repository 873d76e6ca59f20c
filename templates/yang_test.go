package templates_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/internal/yangcheck"
	"github.com/filtergen/filtergen/templates"
)

// exampleFiles returns every file of the given platform that both bundled
// examples produce: the golden output of internal/cli, which
// TestExamplesGolden keeps equal to a fresh compile.
func exampleFiles(t *testing.T, platform string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	for _, ex := range []string{"ixp-onboarding", "transit-customer"} {
		pol, err := filtergen.LoadPolicy(filepath.Join("..", "examples", ex, "filtergen.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("..", "internal", "cli", "testdata", "golden", ex)
		for _, r := range pol.Routers {
			if r.Platform != platform {
				continue
			}
			names, _ := filepath.Glob(filepath.Join(golden, r.Name+".d", "*.conf"))
			names = append(names, filepath.Join(golden, r.Name+".conf"))
			for _, n := range names {
				b, err := os.ReadFile(n)
				if err != nil {
					t.Fatal(err)
				}
				files[filepath.ToSlash(n)] = b
			}
		}
	}
	if len(files) < 4 {
		t.Fatalf("only %d %s files in the examples' golden output", len(files), platform)
	}
	return files
}

// TestExamplesJunosYANG checks every Junos file both bundled examples
// produce against Juniper's own YANG models: a wrong keyword, nesting or
// value fails. It skips when the shared models are absent (set
// FILTERGEN_SHARED in a worktree).
func TestExamplesJunosYANG(t *testing.T) {
	yangcheck.TestJunos(t, exampleFiles(t, "junos"))
}

// TestExamplesMDCLIYANG checks every SR OS MD-CLI file both bundled
// examples produce against Nokia's own YANG models (sros-26.3).
func TestExamplesMDCLIYANG(t *testing.T) {
	yangcheck.TestMDCLI(t, exampleFiles(t, "sros-mdcli"))
}

// TestMDCLIYANGCatchesMistakes shows that the MD-CLI check can fail: the
// examples' files with one keyword misspelt, one value out of range or
// one element in the wrong container are refused.
func TestMDCLIYANGCatchesMistakes(t *testing.T) {
	s, err := yangcheck.SharedSROS()
	if err != nil {
		t.Skip("yangcheck: SR OS models not available:", err)
	}
	files := exampleFiles(t, "sros-mdcli")
	for _, tt := range []struct{ what, old, new string }{
		{"misspelt keyword", "origin-validation-state invalid", "origin-validation-state bogus"},
		{"unknown leaf", "enforce-first-as", "enforce-first-asn"},
		{"out of range", "threshold 90", "threshold 190"},
		{"wrong container", "action-type reject", "reject-action reject"},
	} {
		n := 0
		for name, b := range files {
			if !bytes.Contains(b, []byte(tt.old)) {
				continue
			}
			n++
			bad := bytes.Replace(b, []byte(tt.old), []byte(tt.new), 1)
			if errs := s.CheckMDCLI(name, bad); len(errs) == 0 {
				t.Errorf("%s: %s with %q in place of %q passed the check", tt.what, name, tt.new, tt.old)
			}
		}
		if n == 0 {
			t.Errorf("%s: no file holds %q", tt.what, tt.old)
		}
	}
}

// TestFixtureMDCLIYANG checks the MD-CLI rendering of the template
// fixture, which has every role, an empty family, a peer without origins,
// a default-only customer, multihop, teardown and warning-only limits.
func TestFixtureMDCLIYANG(t *testing.T) {
	res := fixture("sros-mdcli")
	files, err := templates.Render(res, res.Routers[0], templates.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string][]byte{}
	for _, f := range files {
		m[f.Name] = f.Data
	}
	yangcheck.TestMDCLI(t, m)
}
