// Package layering holds the test that keeps the import graph a tree:
// lower layers never import higher ones (see the README).
package layering

import (
	"go/build"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/filtergen/filtergen"

// forbidden maps a package (relative to the module) to the project
// packages it must never import, directly or through another package.
var forbidden = map[string][]string{
	"irr":                {"filtergen", "templates", "outdir", "internal/cli", "rpki"},
	"rpki":               {"filtergen", "templates", "outdir", "internal/cli", "irr"},
	"peeringdb":          {"filtergen", "templates", "internal/cli", "irr", "rpki", "ixf"},
	"ixf":                {"filtergen", "templates", "internal/cli", "irr", "rpki", "peeringdb"},
	"filtergen":          {"templates", "outdir", "internal/cli"},
	"templates":          {"irr", "rpki", "outdir", "internal/cli"},
	"report":             {"irr", "rpki", "templates", "internal/cli"},
	"internal/asn":       {"irr", "rpki", "filtergen", "templates", "internal/cli"},
	"internal/inputfile": {"irr", "rpki", "filtergen", "templates", "internal/cli", "internal/asn", "internal/platform"},
	"internal/platform":  {"irr", "rpki", "filtergen", "templates", "internal/cli", "internal/asn"},
	// outdir is the write path: it sees the Result (filtergen) and the
	// rendered files (templates), never the sources behind them.
	"outdir": {"irr", "rpki", "internal/cli"},
	// yangcheck checks rendered text against vendor models; it knows
	// nothing of how the text was made (its tests may use anything).
	"internal/yangcheck": {"irr", "rpki", "filtergen", "templates", "internal/cli", "internal/asn", "internal/platform", "internal/bgpq4"},
	"internal/validate":  {"irr", "rpki", "filtergen", "templates", "internal/cli", "internal/platform"},
}

// opaque maps a package to the project packages it may import as a
// whole, whose own imports do not count against it: templates sees
// filtergen.Result, and filtergen importing irr and rpki is allowed, but
// templates' own code must still never import irr or rpki. The report
// package is held to the same rule: it sees only the Result.
var opaque = map[string][]string{
	"templates": {"filtergen"},
	"outdir":    {"filtergen", "templates"},
	"report":    {"filtergen"},
}

func TestImportRules(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	ctx := build.Default
	ctx.Dir = root
	checked := 0
	for pkg, bad := range forbidden {
		dir := filepath.Join(root, pkg)
		if _, err := os.Stat(dir); err != nil {
			t.Errorf("package %s: %v", pkg, err)
			continue
		}
		deps := map[string][]string{} // import path -> chain that reached it
		var walk func(path string, chain []string)
		walk = func(path string, chain []string) {
			if _, seen := deps[path]; seen || !strings.HasPrefix(path, module) {
				return
			}
			deps[path] = chain
			for _, o := range opaque[pkg] {
				if path == module+"/"+o {
					return
				}
			}
			rel := strings.TrimPrefix(strings.TrimPrefix(path, module), "/")
			p, err := ctx.ImportDir(filepath.Join(root, rel), 0)
			if err != nil {
				if _, ok := err.(*build.NoGoError); ok {
					return
				}
				t.Fatalf("import %s: %v", path, err)
			}
			for _, imp := range p.Imports {
				walk(imp, append(append([]string(nil), chain...), imp))
			}
		}
		walk(module+"/"+pkg, nil)
		checked++
		for _, b := range bad {
			if chain, ok := deps[module+"/"+b]; ok {
				t.Errorf("%s must not import %s; it does through %s", pkg, b, strings.Join(chain, " -> "))
			}
		}
	}
	if checked == 0 {
		t.Fatal("no package was checked")
	}
}
