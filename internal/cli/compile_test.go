package cli

import (
	"bytes"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/filtergen/filtergen/templates"
)

const testRPSL = `
as-set:  AS-A
members: AS1000, AS1001
source:  TEST

as-set:  AS-B
members: AS2000
source:  TEST

route:   11.0.0.0/16
origin:  AS1000
source:  TEST

route:   11.1.0.0/16
origin:  AS1000
source:  TEST

route:   11.2.0.0/16
origin:  AS1001
source:  TEST

route:   11.3.0.0/16
origin:  AS1001
source:  TEST

route:   12.0.0.0/16
origin:  AS2000
source:  TEST
`

const testVRPs = `{"metadata": {"buildtime": "2026-11-23T12:00:00Z"},
 "roas": [{"asn": "AS1000", "prefix": "11.0.0.0/15", "maxLength": 16, "ta": "test"}]}`

const testPolicy = `version: 2
local_as: 3000
irr:
  dumps: [db.rpsl]
rpki:
  vrps: vrps.json
  max_age: 87600h
routers:
  - {name: r1, platform: bird2}
  - {name: r2, platform: junos}
peers:
  - name: A
    asn: 1000
    description: peer A
    announce: [AS-A]
    neighbors: [192.0.2.1]
  - name: B
    asn: 2000
    announce: [AS-B]
    neighbors: [192.0.2.2]
`

// setup writes the policy and data into a new directory and compiles once
// into dir/out, returning dir.
func setup(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write(t, dir, "db.rpsl", testRPSL)
	write(t, dir, "vrps.json", testVRPs)
	write(t, dir, "policy.yaml", testPolicy)
	if code, _, stderr := runCLI(t, "compile", filepath.Join(dir, "policy.yaml"), "-o", filepath.Join(dir, "out")); code != 0 {
		t.Fatalf("first compile: exit %d: %s", code, stderr)
	}
	return dir
}

func write(t *testing.T, dir, name, data string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCompileBadInputLeavesOutputAlone(t *testing.T) {
	tests := []struct {
		name   string
		file   string // file to rewrite
		from   string // replace this ...
		to     string // ... with this
		args   []string
		code   int
		stderr []string
	}{
		{name: "unknown key", file: "policy.yaml", from: "    description: peer A\n", to: "    description: peer A\n    colour: blue\n",
			code: 1, stderr: []string{`policy.yaml:15:5: peer "A": peers[0].colour: invalid policy: unknown key "colour"`}},
		{name: "wrong type", file: "policy.yaml", from: "asn: 2000", to: "asn: [2000]",
			code: 1, stderr: []string{`policy.yaml:18:10: peer "B": peers[1].asn: invalid policy: want a single value`}},
		{name: "hostile description", file: "policy.yaml", from: "description: peer A", to: `description: "x\"; } protocols { bgp"`,
			code: 1, stderr: []string{`peer "A": peers[0].description: invalid policy: character '"' at offset 1 not allowed`}},
		{name: "newline in description", file: "policy.yaml", from: "description: peer A", to: `description: "a\nprotocol bgp X {"`,
			code: 1, stderr: []string{`peer "A": peers[0].description`, `'\n'`}},
		{name: "over-long description", file: "policy.yaml", from: "description: peer A", to: "description: " + strings.Repeat("x", 65),
			code: 1, stderr: []string{"65 characters, more than 64"}},
		{name: "missing AS-SET", file: "policy.yaml", from: "announce: [AS-B]", to: "announce: [AS-NOPE]",
			code: 1, stderr: []string{`peer "B": expand AS-NOPE`, "not found"}},
		{name: "IRR server down", file: "policy.yaml", from: "  dumps: [db.rpsl]", to: "  server: 127.0.0.1:1",
			code: 1, stderr: []string{"127.0.0.1:1"}},
		{name: "stale VRPs", file: "policy.yaml", from: "max_age: 87600h", to: "max_age: 1h",
			code: 1, stderr: []string{`RPKI data built `, `rpki: data is stale`}},
		{name: "shrink", file: "db.rpsl", from: "members: AS1000, AS1001", to: "members: AS2000",
			code: 1, stderr: []string{`peer "A": ipv4: accepted prefixes fell from 4 to 1, more than the shrink guard's 50%`, "--force"}},
		{name: "check finds changes", file: "db.rpsl", from: "route:   11.3.0.0/16", to: "route:   11.4.0.0/16",
			args: []string{"--check"}, code: 3},
		{name: "diff finds changes", file: "db.rpsl", from: "route:   11.3.0.0/16", to: "route:   11.4.0.0/16",
			args: []string{"--diff"}, code: 3},
		{name: "check and diff", file: "db.rpsl", from: "", to: "", args: []string{"--check", "--diff"}, code: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := setup(t)
			before := readTree(t, filepath.Join(dir, "out"))
			b, _ := os.ReadFile(filepath.Join(dir, tt.file))
			if !strings.Contains(string(b), tt.from) {
				t.Fatalf("%s has no %q", tt.file, tt.from)
			}
			write(t, dir, tt.file, strings.Replace(string(b), tt.from, tt.to, 1))
			args := append([]string{"compile", filepath.Join(dir, "policy.yaml"), "-o", filepath.Join(dir, "out")}, tt.args...)
			code, stdout, stderr := runCLI(t, args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, stdout, stderr)
			}
			for _, s := range tt.stderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr does not contain %q:\n%s", s, stderr)
				}
			}
			after := readTree(t, filepath.Join(dir, "out"))
			if !maps.EqualFunc(before, after, func(a, b []byte) bool { return string(a) == string(b) }) {
				t.Errorf("output directory changed")
			}
			switch tt.name {
			case "stale VRPs":
				// Both peers fail on the stale data, concurrently.
				failedOrCanceled(t, stderr, "RPKI data built ", "A", "B")
			case "check finds changes":
				if !strings.Contains(stdout, filepath.Join("out", "r1.d", "A.conf")) || strings.Contains(stdout, "B.conf") {
					t.Errorf("--check listed:\n%s", stdout)
				}
			case "diff finds changes":
				if !strings.Contains(stdout, "+  11.2.0.0/15{16,16}") && !strings.Contains(stdout, "+  11.4.0.0/16") {
					t.Errorf("--diff printed:\n%s", stdout)
				}
			}
		})
	}
}

// failedOrCanceled checks that stderr reports each of peers exactly once:
// by its own error, `peer "X": ` followed by what, or in the count of
// "N other peer(s) canceled". Peers failing on the same cause at the same
// time race: the first to fail cancels the others, unless they have
// already failed on their own. Whichever happened, at least one peer
// reports its own error, and no peer is both listed and counted or left
// out.
func failedOrCanceled(t *testing.T, stderr, what string, peers ...string) {
	t.Helper()
	own := 0
	for _, p := range peers {
		own += strings.Count(stderr, `peer "`+p+`": `+what)
	}
	canceled := 0
	if m := regexp.MustCompile(`(\d+) other peer\(s\) canceled`).FindStringSubmatch(stderr); m != nil {
		canceled, _ = strconv.Atoi(m[1])
	}
	if own == 0 || own+canceled != len(peers) {
		t.Errorf("%d peer(s) report %q and %d are counted as canceled, want %d in all, at least one failed:\n%s",
			own, what, canceled, len(peers), stderr)
	}
}

func TestCompileForceAcceptsShrink(t *testing.T) {
	dir := setup(t)
	b, _ := os.ReadFile(filepath.Join(dir, "db.rpsl"))
	write(t, dir, "db.rpsl", strings.Replace(string(b), "members: AS1000, AS1001", "members: AS2000", 1))
	code, _, stderr := runCLI(t, "compile", filepath.Join(dir, "policy.yaml"), "-o", filepath.Join(dir, "out"), "--force")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	a, _ := os.ReadFile(filepath.Join(dir, "out", "r1.d", "A.conf"))
	if !strings.Contains(string(a), "ipv4=1") {
		t.Errorf("A.conf not rewritten:\n%s", a)
	}
}

func TestCompileKeepGoing(t *testing.T) {
	dir := setup(t)
	out := filepath.Join(dir, "out")
	before := readTree(t, out)
	b, _ := os.ReadFile(filepath.Join(dir, "db.rpsl"))
	s := strings.Replace(string(b), "members: AS2000", "members: AS-GONE", 1) // B fails
	s = strings.Replace(s, "route:   11.3.0.0/16", "route:   11.4.0.0/16", 1) // A changes
	write(t, dir, "db.rpsl", s)
	s2 := strings.Replace(testPolicy, "announce: [AS-B]", "announce: [AS-B2]", 1)
	write(t, dir, "policy.yaml", s2)
	code, _, stderr := runCLI(t, "compile", filepath.Join(dir, "policy.yaml"), "-o", out, "--keep-going")
	if code != 1 || !strings.Contains(stderr, `peer "B"`) {
		t.Fatalf("exit %d, want 1: %s", code, stderr)
	}
	after := readTree(t, out)
	for _, name := range []string{"r1.d/B.conf", "r2.d/B.conf", "r1.conf", "r2.conf"} {
		if string(before[name]) != string(after[name]) {
			t.Errorf("%s changed although B failed", name)
		}
	}
	for _, name := range []string{"r1.d/A.conf", "r2.d/A.conf"} {
		if string(before[name]) == string(after[name]) {
			t.Errorf("%s not rewritten although A succeeded", name)
		}
	}
}

func TestExplainCommand(t *testing.T) {
	dir := setup(t)
	code, stdout, stderr := runCLI(t, "explain", filepath.Join(dir, "policy.yaml"), "A", "11.2.0.0/16")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "11.2.0.0/16 is ACCEPTED for peer A") || !strings.Contains(stdout, "origin AS1001 source TEST via AS-A rpki not-found") {
		t.Errorf("explain printed:\n%s", stdout)
	}
	if code, _, _ := runCLI(t, "explain", filepath.Join(dir, "policy.yaml"), "A", "not-a-prefix"); code != 2 {
		t.Errorf("bad prefix: exit %d, want 2", code)
	}
}

func TestTemplatesCommand(t *testing.T) {
	code, stdout, _ := runCLI(t, "templates")
	if code != 0 || !strings.Contains(stdout, "bird2/peer.tmpl") || !strings.Contains(stdout, "junos/router.tmpl") {
		t.Fatalf("exit %d: %s", code, stdout)
	}
	dir := setup(t)
	tdir := filepath.Join(dir, "tmpl")
	if code, _, stderr := runCLI(t, "templates", "--write", tdir); code != 0 {
		t.Fatalf("templates --write: %d %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "templates", "--write", tdir); code != 1 || !strings.Contains(stderr, "exists (use --force") {
		t.Errorf("overwrite without --force: exit %d (%s), want 1", code, stderr)
	}
	// An override changes the output; the others fall back to built-ins.
	p := filepath.Join(tdir, "bird2", "router.tmpl")
	b, _ := os.ReadFile(p)
	os.WriteFile(p, append([]byte("# site override\n"), b...), 0o644)
	os.Remove(filepath.Join(tdir, "junos", "peer.tmpl"))
	out := filepath.Join(dir, "out2")
	if code, _, stderr := runCLI(t, "compile", filepath.Join(dir, "policy.yaml"), "-o", out, "--templates", tdir); code != 0 {
		t.Fatalf("compile --templates: %d %s", code, stderr)
	}
	r1, _ := os.ReadFile(filepath.Join(out, "r1.conf"))
	a2, _ := os.ReadFile(filepath.Join(out, "r2.d", "A.conf"))
	if !strings.HasPrefix(string(r1), "# site override\n") || !strings.Contains(string(a2), "route-filter-list RFL_A_V4") {
		t.Errorf("override not applied or fallback missing:\n%s\n%s", r1, a2)
	}
	// A template that uses a function outside the allow-list fails.
	os.WriteFile(p, []byte(`{{ env "HOME" }}`), 0o644)
	if code, _, stderr := runCLI(t, "compile", filepath.Join(dir, "policy.yaml"), "-o", out, "--templates", tdir); code != 1 || !strings.Contains(stderr, `function "env" not defined`) {
		t.Errorf("env in template: exit %d: %s", code, stderr)
	}
	// --force puts the embedded templates back, the missing one too.
	if code, _, stderr := runCLI(t, "templates", "--write", tdir, "--force"); code != 0 {
		t.Fatalf("templates --write --force: %d %s", code, stderr)
	}
	for _, name := range []string{"bird2/router.tmpl", "junos/peer.tmpl"} {
		want, _ := fs.ReadFile(templates.Builtin(), name)
		if got, err := os.ReadFile(filepath.Join(tdir, name)); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s after --force: %v, not the embedded template", name, err)
		}
	}
}

func TestCompileOneRouter(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "db.rpsl", testRPSL)
	write(t, dir, "vrps.json", testVRPs)
	write(t, dir, "policy.yaml", testPolicy)
	out := filepath.Join(dir, "out")
	code, _, stderr := runCLI(t, "compile", filepath.Join(dir, "policy.yaml"), "-o", out, "--router", "r2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got := readTree(t, out)
	if _, ok := got["r2.d/A.conf"]; !ok || len(got) != 3 {
		t.Errorf("files written: %v", slices.Sorted(maps.Keys(got)))
	}
	if code, _, _ := runCLI(t, "compile", filepath.Join(dir, "policy.yaml"), "-o", out, "--router", "r9"); code != 2 {
		t.Errorf("unknown router: exit %d, want 2", code)
	}
}

func TestCompileLeavesUnchangedFilesAlone(t *testing.T) {
	dir := setup(t)
	out := filepath.Join(dir, "out")
	stat := func(name string) os.FileInfo {
		t.Helper()
		fi, err := os.Stat(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		return fi
	}
	a, b := stat("r1.d/A.conf"), stat("r1.d/B.conf")
	// A new route of AS2000 changes peer B's files only.
	write(t, dir, "db.rpsl", testRPSL+"\nroute: 12.1.0.0/16\norigin: AS2000\nsource: TEST\n")
	if code, _, stderr := runCLI(t, "compile", filepath.Join(dir, "policy.yaml"), "-o", out); code != 0 {
		t.Fatalf("second compile: exit %d: %s", code, stderr)
	}
	if !os.SameFile(a, stat("r1.d/A.conf")) {
		t.Error("r1.d/A.conf was replaced though its content did not change")
	}
	if os.SameFile(b, stat("r1.d/B.conf")) {
		t.Error("r1.d/B.conf was not replaced though peer B changed")
	}
	data, err := os.ReadFile(filepath.Join(out, "r1.d/B.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "peer=B ipv4=2 ") {
		t.Errorf("r1.d/B.conf does not count the new route:\n%s", data)
	}
}
