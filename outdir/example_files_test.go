package outdir_test

import (
	"context"
	"fmt"
	"os"

	"github.com/filtergen/filtergen/outdir"
)

// A set of named files that is not a compiled policy (here a report and
// its page) is written with the same guarantees: compared with the files
// on disk, staged beside their targets, renamed into place only when all
// are staged, under the directory's lock. Remove retires older files once
// the new ones are in place.
func ExampleWriteFiles() {
	dir, _ := os.MkdirTemp("", "filtergen-example")
	defer os.RemoveAll(dir)
	os.WriteFile(dir+"/report-1.json", []byte("{}\n"), 0o644)
	os.WriteFile(dir+"/report.html", []byte("<p>old</p>\n"), 0o644)
	files := []outdir.File{
		{Name: "report-2.json", Data: []byte("{}\n")},
		{Name: "report.html", Data: []byte("<p>new</p>\n")},
	}
	ctx := context.Background()
	// Check first: what would change, nothing written.
	sum, err := outdir.WriteFiles(ctx, dir, files, outdir.FilesOptions{Mode: outdir.Check, Remove: []string{"report-1.json"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("would change:", sum.Changed())
	// Then write, the JSON durable before the page that shows it.
	sum, err = outdir.WriteFiles(ctx, dir, files, outdir.FilesOptions{Ordered: true, Remove: []string{"report-1.json"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range sum.Files {
		fmt.Println(f.State, f.Name)
	}
	// Output:
	// would change: true
	// removed report-1.json
	// created report-2.json
	// changed report.html
}
