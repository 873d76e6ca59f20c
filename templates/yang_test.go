package templates_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/internal/yangcheck"
)

// TestExamplesJunosYANG checks every Junos file both bundled examples
// produce (the golden output of internal/cli, which TestExamplesGolden
// keeps equal to a fresh compile) against Juniper's own YANG models: a
// wrong keyword, nesting or value fails. It skips when the shared models
// are absent (set FILTERGEN_SHARED in a worktree).
func TestExamplesJunosYANG(t *testing.T) {
	files := map[string][]byte{}
	for _, ex := range []string{"ixp-onboarding", "transit-customer"} {
		pol, err := filtergen.LoadPolicy(filepath.Join("..", "examples", ex, "filtergen.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("..", "internal", "cli", "testdata", "golden", ex)
		for _, r := range pol.Routers {
			if r.Platform != "junos" {
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
		t.Fatalf("only %d Junos files in the examples' golden output", len(files))
	}
	yangcheck.TestJunos(t, files)
}
