package outdir

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/filtergen/filtergen/filtergen"
)

// TestStateFamilies: the state file keeps its accepted counts under
// "ipv4" and "ipv6", reads them back as families, and refuses any other
// key, naming it, rather than guarding a family that does not exist.
func TestStateFamilies(t *testing.T) {
	dir := fixture(t)
	out := filepath.Join(dir, "out")
	if _, err := compile(t, dir, out, Options{}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(out, StateFile))
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Files map[string]struct {
			Accepted map[string]int `json:"accepted"`
		} `json:"files"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	peers := 0
	for name, e := range raw.Files {
		for k := range e.Accepted {
			if k != "ipv4" && k != "ipv6" {
				t.Errorf("%s: accepted key %q, want ipv4 or ipv6", name, k)
			}
		}
		if len(e.Accepted) > 0 {
			peers++
		}
	}
	if peers == 0 {
		t.Fatalf("no peer file with accepted counts in %s", b)
	}

	for _, tt := range []struct {
		data string
		want map[filtergen.Family]int
		err  string
	}{
		{`{"version":1,"files":{"r1.d/A.conf":{"router":"r1","peer":"A","accepted":{"ipv4":4,"ipv6":1}}}}`,
			map[filtergen.Family]int{filtergen.IPv4: 4, filtergen.IPv6: 1}, ""},
		{`{"version":1,"files":{"r1.d/A.conf":{"router":"r1","peer":"A","accepted":{"ipv5":4}}}}`,
			nil, `unknown family "ipv5"`},
	} {
		sd := t.TempDir()
		if err := os.WriteFile(filepath.Join(sd, StateFile), []byte(tt.data), 0o644); err != nil {
			t.Fatal(err)
		}
		d, err := openDir(sd, false)
		if err != nil {
			t.Fatal(err)
		}
		st, err := d.readState()
		d.close()
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), StateFile) {
				t.Errorf("readState(%s) = %v, want an error naming the file and %s", tt.data, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		got := st.Files["r1.d/A.conf"].Accepted
		if len(got) != len(tt.want) || got[filtergen.IPv4] != tt.want[filtergen.IPv4] || got[filtergen.IPv6] != tt.want[filtergen.IPv6] {
			t.Errorf("readState(%s): accepted %v, want %v", tt.data, got, tt.want)
		}
	}
}
