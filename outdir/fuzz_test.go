package outdir

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/templates"
)

var safeRouter = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,31}$`)

// FuzzReadState: any state file is read without panicking; what is
// accepted names only files inside the directory.
func FuzzReadState(f *testing.F) {
	f.Add([]byte(`{"version":1,"files":{"r1.conf":{"router":"r1"},"r1.d/A.conf":{"router":"r1","peer":"A","accepted":{"ipv4":4,"ipv6":1}}}}`))
	f.Add([]byte(`{"version":1,"files":{"../etc/passwd":{"router":"x"}}}`))
	f.Add([]byte(`{"version":1,"files":{"s1.conf":{"router":"s1","sros_filters":[{"peer":"A","family":"ipv4","interface":"to-a","id":12345,"digest":"00112233445566778899aabbccddeeff","old":[12346]}]}}}`))
	f.Add([]byte(`{"version":2}`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, StateFile), data, 0o644); err != nil {
			t.Fatal(err)
		}
		d, err := openDir(dir, false)
		if err != nil {
			t.Fatal(err)
		}
		defer d.close()
		st, err := d.readState()
		if err != nil {
			return
		}
		for name, e := range st.Files {
			if !fs.ValidPath(name) || name == "." {
				t.Errorf("accepted file name %q outside the directory", name)
			}
			// Recorded SR OS filters are checked when the router's
			// renderer takes them: refused, or every ID in range.
			prev := st.filters(e.Router)
			if prev == nil || !safeRouter.MatchString(e.Router) {
				continue
			}
			if _, err := templates.NewRenderer(filtergen.Router{Name: e.Router, Platform: "sros-classic"}, templates.Options{Filters: prev}); err != nil {
				continue
			}
			for _, f := range prev {
				for _, id := range append([]int{f.ID}, f.Old...) {
					if id < 10000 || id > 59999 {
						t.Errorf("accepted filter ID %d of %s", id, f.Peer)
					}
				}
			}
		}
	})
}
