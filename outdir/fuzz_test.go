package outdir

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadState: any state file is read without panicking; what is
// accepted names only files inside the directory.
func FuzzReadState(f *testing.F) {
	f.Add([]byte(`{"version":1,"files":{"r1.conf":{"router":"r1"},"r1.d/A.conf":{"router":"r1","peer":"A","accepted":{"ipv4":4,"ipv6":1}}}}`))
	f.Add([]byte(`{"version":1,"files":{"../etc/passwd":{"router":"x"}}}`))
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
		for name := range st.Files {
			if !fs.ValidPath(name) || name == "." {
				t.Errorf("accepted file name %q outside the directory", name)
			}
		}
	})
}
