package cli

import (
	"github.com/filtergen/filtergen/outdir"

	"bytes"
	"flag"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/internal/platform"
	"github.com/filtergen/filtergen/templates"
)

var update = flag.Bool("update", false, "update golden files")

// examples are the bundled examples: policy file and golden directory.
var examples = []string{"ixp-onboarding", "transit-customer"}

// readTree returns every file under dir by slash path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if d.Name() == outdir.StateFile {
			return nil // the shrink guard's record, not output
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return out
}

// TestExamplesGolden compiles each bundled example offline and compares
// every file with testdata/golden/EXAMPLE (go test -update rewrites
// them). A second compile with --check must find nothing to change, which
// is the determinism check.
func TestExamplesGolden(t *testing.T) {
	for _, ex := range examples {
		t.Run(ex, func(t *testing.T) {
			policy := filepath.Join("..", "..", "examples", ex, "filtergen.yaml")
			out := t.TempDir()
			code, stdout, stderr := runCLI(t, "compile", policy, "-o", out)
			if code != 0 {
				t.Fatalf("compile: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
			}
			got := readTree(t, out)
			golden := filepath.Join("testdata", "golden", ex)
			if *update {
				os.RemoveAll(golden)
				for name, data := range got {
					p := filepath.Join(golden, filepath.FromSlash(name))
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			want := readTree(t, golden)
			if len(want) == 0 {
				t.Fatalf("no golden files in %s; run go test -update", golden)
			}
			for name, w := range want {
				if g, ok := got[name]; !ok {
					t.Errorf("%s: not written", name)
				} else if !bytes.Equal(g, w) {
					t.Errorf("%s differs from golden file; run go test -update and review the diff", name)
				}
			}
			for name := range got {
				if _, ok := want[name]; !ok {
					t.Errorf("%s: written but has no golden file", name)
				}
			}
			code, stdout, _ = runCLI(t, "compile", policy, "-o", out, "--check")
			if code != 0 || stdout != "" {
				t.Errorf("second compile --check: exit %d, %q; output is not deterministic", code, stdout)
			}
		})
	}
}

// TestExamplesNameEveryPlatform keeps each bundled example a tour of
// every platform: a platform that gains templates in internal/platform's
// table must get a router in both examples (and so golden files, the YANG
// checks and the lab where they apply).
func TestExamplesNameEveryPlatform(t *testing.T) {
	var rendering []string
	for _, pl := range platform.Table {
		if pl.Templates {
			rendering = append(rendering, pl.Name)
		}
	}
	if len(rendering) == 0 {
		t.Fatal("platform.Table lists no platform with templates")
	}
	for _, ex := range examples {
		t.Run(ex, func(t *testing.T) {
			pol, err := filtergen.LoadPolicy(filepath.Join("..", "..", "examples", ex, "filtergen.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			named := map[string]bool{}
			for _, r := range pol.Routers {
				named[r.Platform] = true
			}
			for _, name := range rendering {
				if !named[name] {
					t.Errorf("examples/%s/filtergen.yaml has no router of platform %s: add one in a role it can have", ex, name)
				}
			}
		})
	}
}

// TestExamplesBIRDParses runs bird -p -c on a minimal bird.conf that
// includes each generated BIRD router file.
func TestExamplesBIRDParses(t *testing.T) {
	bird, err := exec.LookPath("bird")
	if err != nil {
		t.Skip("bird not installed (make deps installs bird2)")
	}
	for _, ex := range examples {
		t.Run(ex, func(t *testing.T) {
			policy := filepath.Join("..", "..", "examples", ex, "filtergen.yaml")
			pol, err := filtergen.LoadPolicy(policy)
			if err != nil {
				t.Fatal(err)
			}
			out := t.TempDir()
			if code, _, stderr := runCLI(t, "compile", policy, "-o", out); code != 0 {
				t.Fatalf("compile: exit %d: %s", code, stderr)
			}
			n := 0
			for _, r := range pol.Routers {
				if r.Platform != "bird2" {
					continue
				}
				n++
				conf := filepath.Join(out, "bird-"+r.Name+".conf")
				// Add only what the file's header leaves to the operator.
				rc, err := os.ReadFile(filepath.Join(out, r.Name+".conf"))
				if err != nil {
					t.Fatal(err)
				}
				main := "log stderr all;\nprotocol device {}\n"
				for _, l := range strings.Split(string(rc), "\n") {
					key, ok := strings.CutPrefix(l, "# "+templates.OperatorMarker+" ")
					if !ok {
						continue
					}
					switch strings.Fields(key)[0] {
					case "router-id":
						main += "router id 192.0.2.1;\n"
					case "bfd":
						main += "protocol bfd {}\n"
					}
				}
				main += "include \"" + r.Name + ".conf\";\n"
				if err := os.WriteFile(conf, []byte(main), 0o644); err != nil {
					t.Fatal(err)
				}
				cmd := exec.Command(bird, "-p", "-c", conf)
				if b, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("bird -p -c for router %s: %v\n%s", r.Name, err, b)
				}
				// The check can fail: a broken include must be reported.
				broken := strings.Replace(main, r.Name+".conf", r.Name+".d/missing.conf", 1)
				os.WriteFile(conf, []byte(broken), 0o644)
				if err := exec.Command(bird, "-p", "-c", conf).Run(); err == nil {
					t.Errorf("bird -p accepted a config with a missing include")
				}
			}
			if n == 0 {
				t.Fatal("example has no bird2 router")
			}
		})
	}
}
