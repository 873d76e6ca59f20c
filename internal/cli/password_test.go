package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPasswordOnlyInConfig checks that a session password appears in the
// rendered router configuration and in no other output: not in --json,
// explain, --diff's absence of change, debug logs or errors.
func TestPasswordOnlyInConfig(t *testing.T) {
	const secret = "example-md5-not-a-secret" // examples/transit-customer/data/examplenet.password
	policy := filepath.Join("..", "..", "examples", "transit-customer", "filtergen.yaml")
	out := t.TempDir()
	code, stdout, stderr := runCLI(t, "-vv", "compile", policy, "-o", out)
	if code != 0 {
		t.Fatalf("compile: exit %d: %s", code, stderr)
	}
	if strings.Contains(stdout+stderr, secret) {
		t.Error("compile -vv printed the password")
	}
	inConfig := 0
	for name, data := range readTree(t, out) {
		if !strings.Contains(string(data), secret) {
			continue
		}
		inConfig++
		if !strings.HasSuffix(name, "/EXAMPLENET.conf") {
			t.Errorf("%s holds the password", name)
		}
	}
	if inConfig != 6 {
		t.Errorf("password in %d files, want the 6 EXAMPLENET router files (edge1, edge2, edge3, edge5, edge6, edge10)", inConfig)
	}
	for _, args := range [][]string{
		{"-vv", "compile", policy, "--json", "-o", t.TempDir()},
		{"-vv", "explain", policy, "EXAMPLENET", "185.1.96.0/22"},
		{"-vv", "compile", policy, "-o", out, "--diff"},
	} {
		code, stdout, stderr := runCLI(t, args...)
		if code != 0 {
			t.Errorf("%v: exit %d: %s", args, code, stderr)
		}
		if strings.Contains(stdout+stderr, secret) {
			t.Errorf("%v printed the password", args)
		}
	}
	// A bad password file is refused without showing its content.
	dir := t.TempDir()
	y, err := os.ReadFile(policy)
	if err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(filepath.Join(filepath.Dir(policy), "data"))
	if err != nil {
		t.Fatal(err)
	}
	y = []byte(strings.Replace(string(y), "data/examplenet.password", filepath.Join(dir, "bad.password"), 1))
	y = []byte(strings.ReplaceAll(string(y), "data/", abs+"/"))
	bad := "has space " + secret
	if err := os.WriteFile(filepath.Join(dir, "bad.password"), []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "p.yaml"), y, 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runCLI(t, "compile", filepath.Join(dir, "p.yaml"), "--json", "-o", filepath.Join(dir, "out"))
	if code == 0 || !strings.Contains(stderr, "session password") || strings.Contains(stdout+stderr, secret) {
		t.Errorf("bad password file: exit %d, stderr %s", code, stderr)
	}
}
