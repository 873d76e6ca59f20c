package outdir_test

import (
	"context"
	"fmt"
	"os"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/outdir"
)

// A pipeline in Go compiles a policy file and writes the router
// configuration with the CLI's guarantees: atomic writes staged beside
// their targets, the shrink guard, stale files removed.
func Example() {
	dir, _ := os.MkdirTemp("", "filtergen-example")
	defer os.RemoveAll(dir)
	sum, err := outdir.CompileFile(context.Background(), "testdata/policy.yaml", dir, outdir.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range sum.Files {
		fmt.Println(f.State, f.Name)
	}
	// Output:
	// created r1.conf
	// created r1.d/A.conf
	// created r2.conf
	// created r2.d/A.conf
	// created r2.d/B.conf
}

// The same in steps, for a caller that keeps the sources open, chooses
// routers or checks before writing.
func ExampleCompile() {
	ctx := context.Background()
	pol, err := filtergen.LoadPolicy("testdata/policy.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	src, err := filtergen.Open(ctx, pol, filtergen.OpenOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer src.Close()
	co := src.CompileOptions()
	co.Routers = []string{"r1"}
	// Check mode reads the directory (here, one that does not exist)
	// and writes nothing.
	sum, _, err := outdir.Compile(ctx, pol, co, "no-such-dir", outdir.Options{Mode: outdir.Check})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("would change:", sum.Changed())
	for _, f := range sum.Files {
		fmt.Println(f.State, f.Name)
	}
	// Output:
	// would change: true
	// created r1.conf
	// created r1.d/A.conf
}
