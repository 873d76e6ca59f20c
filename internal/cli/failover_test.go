package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/filtergen/filtergen/internal/irrtest"
	"github.com/filtergen/filtergen/irr"
)

// TestCompileIRRServersFailover: with irr.servers [dead, live], compile
// fails over to the live server and writes the same files as from the
// dump; with only dead servers it fails naming each, writing nothing.
func TestCompileIRRServersFailover(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "db.rpsl", testRPSL)
	write(t, dir, "vrps.json", testVRPs)
	write(t, dir, "policy.yaml", testPolicy)
	if code, _, stderr := runCLI(t, "compile", filepath.Join(dir, "policy.yaml"), "-o", filepath.Join(dir, "want")); code != 0 {
		t.Fatalf("compile from the dump: exit %d: %s", code, stderr)
	}
	want := readTree(t, filepath.Join(dir, "want"))

	b := irr.NewBuilder(irr.LoadOptions{})
	if err := b.ReadFrom(t.Context(), strings.NewReader(testRPSL), "db.rpsl"); err != nil {
		t.Fatal(err)
	}
	reg, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	live := startIRRd(t, reg, false)
	dead1, dead2 := irrtest.Refusing(t), irrtest.Refusing(t)

	for _, tt := range []struct {
		name    string
		irr     string
		code    int
		stderr  []string
		written bool
	}{
		{name: "dead then live", irr: "servers: [" + dead1 + ", " + live + "]", written: true},
		{name: "live then dead", irr: "servers: [" + live + ", " + dead1 + "]", written: true},
		{name: "single server still works", irr: "server: " + live, written: true},
		{name: "all dead", irr: "servers: [" + dead1 + ", " + dead2 + "]", code: 1, stderr: []string{"no server reachable", dead1 + ": dial", dead2 + ": dial"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sub := t.TempDir()
			write(t, sub, "vrps.json", testVRPs)
			write(t, sub, "policy.yaml", strings.Replace(testPolicy, "dumps: [db.rpsl]", tt.irr, 1))
			out := filepath.Join(sub, "out")
			code, _, stderr := runCLI(t, "compile", filepath.Join(sub, "policy.yaml"), "-o", out)
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, stderr)
			}
			for _, s := range tt.stderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
			if tt.code != 0 {
				// Both peers give up on the dead servers at about the
				// same time: each is listed or counted as canceled.
				failedOrCanceled(t, stderr, "expand AS-", "A", "B")
			}
			got := readTree(t, out)
			if !tt.written {
				if len(got) > 0 {
					t.Errorf("files written although compile failed: %d", len(got))
				}
				return
			}
			if len(got) != len(want) {
				t.Errorf("%d files, want %d", len(got), len(want))
			}
			for name, w := range want {
				if string(got[name]) != string(w) {
					t.Errorf("%s differs from the compile from the dump:\n%s\nwant:\n%s", name, got[name], w)
				}
			}
		})
	}
}
