package outdir

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/templates"
)

// fixture copies testdata into a new directory, applying replacements to
// the named files, and returns the directory.
type edit struct{ file, from, to string }

func fixture(t *testing.T, edits ...edit) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"policy.yaml", "db.rpsl"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, name), b, 0o644)
	}
	reedit(t, dir, edits...)
	return dir
}

func reedit(t *testing.T, dir string, edits ...edit) {
	t.Helper()
	for _, e := range edits {
		p := filepath.Join(dir, e.file)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), e.from) {
			t.Fatalf("%s has no %q", e.file, e.from)
		}
		if err := os.WriteFile(p, []byte(strings.Replace(string(b), e.from, e.to, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func compile(t *testing.T, dir, out string, opts Options, routers ...string) (*Summary, error) {
	t.Helper()
	ctx := context.Background()
	pol, err := filtergen.LoadPolicy(filepath.Join(dir, "policy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := filtergen.Open(ctx, pol, filtergen.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	co := src.CompileOptions()
	co.Routers = routers
	co.Parallel = 1
	sum, _, err := Compile(ctx, pol, co, out, opts)
	return sum, err
}

// tree returns the files under dir, relative, with their contents.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			out[filepath.ToSlash(rel)] = string(b)
		}
		return nil
	})
	return out
}

func states(s *Summary) map[string]State {
	m := map[string]State{}
	for _, f := range s.Files {
		m[f.Name] = f.State
	}
	return m
}

func TestWriteThenUnchanged(t *testing.T) {
	dir := fixture(t)
	out := filepath.Join(dir, "out")
	if _, err := compile(t, dir, out, Options{}); err != nil {
		t.Fatal(err)
	}
	first := tree(t, out)
	if _, ok := first[StateFile]; !ok {
		t.Error("no state file written")
	}
	sum, err := compile(t, dir, out, Options{Mode: Check})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Changed() || sum.Count(Unchanged) != 5 {
		t.Errorf("second run: %v", states(sum))
	}
	sum, err = compile(t, dir, out, Options{})
	if err != nil || sum.Changed() {
		t.Fatalf("rewrite: %v, %v", states(sum), err)
	}
	if got := tree(t, out); !mapsEqual(got, first) {
		t.Error("an unchanged compile changed the directory")
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// The guard's new side comes from the Result: a peer template without the
// marker line cannot turn the guard off.
func TestShrinkGuardWithoutMarker(t *testing.T) {
	dir := fixture(t)
	tdir := filepath.Join(dir, "tmpl")
	os.MkdirAll(filepath.Join(tdir, "bird2"), 0o755)
	os.MkdirAll(filepath.Join(tdir, "junos"), 0o755)
	for _, pl := range []string{"bird2", "junos"} {
		os.WriteFile(filepath.Join(tdir, pl, "peer.tmpl"),
			[]byte("# peer {{ .Peer.Name }}, no marker\n{{ range .Peer.Families }}{{ range .Entries }}{{ . }}\n{{ end }}{{ end }}"), 0o644)
	}
	root, err := os.OpenRoot(tdir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	opts := Options{Templates: root.FS()}
	out := filepath.Join(dir, "out")
	if _, err := compile(t, dir, out, opts); err != nil {
		t.Fatal(err)
	}
	for name, data := range tree(t, out) {
		if strings.Contains(data, templates.AcceptedMarker) {
			t.Fatalf("%s has the marker; the test needs a template without it", name)
		}
	}
	before := tree(t, out)
	// AS-A loses three of its four IPv4 routes.
	reedit(t, dir, edit{"db.rpsl", "members: AS1000, AS1001", "members: AS1000"},
		edit{"db.rpsl", "route:   11.1.0.0/16\norigin:  AS1000", "route:   11.1.0.0/16\norigin:  AS1001"})
	_, err = compile(t, dir, out, opts)
	var se *filtergen.ShrinkError
	if !errors.As(err, &se) || se.Peer != "A" || se.Family != filtergen.IPv4 || se.Old != 4 || se.New != 1 {
		t.Fatalf("got %v, want a shrink error for A ipv4 4 -> 1", err)
	}
	if !mapsEqual(tree(t, out), before) {
		t.Error("a refused compile changed the directory")
	}
	// Force accepts it.
	if _, err := compile(t, dir, out, Options{Templates: root.FS(), Force: true}); err != nil {
		t.Fatalf("--force: %v", err)
	}
}

// Each family is guarded on its own: IPv4 falling to nothing while IPv6
// grows fails.
func TestShrinkGuardPerFamily(t *testing.T) {
	dir := fixture(t)
	out := filepath.Join(dir, "out")
	if _, err := compile(t, dir, out, Options{}); err != nil {
		t.Fatal(err)
	}
	// A: IPv4 4 -> 0, IPv6 1 -> 5; the sum grows.
	var b strings.Builder
	for _, n := range []string{"2", "3", "4", "5"} {
		b.WriteString("\nroute6:  2a00:1:" + n + "::/48\norigin:  AS1000\nsource:  TEST\n")
	}
	reedit(t, dir, edit{"db.rpsl", "origin:  AS1000\nsource:  TEST\n\nroute:   11.1.0.0/16\norigin:  AS1000", "origin:  AS9\nsource:  TEST\n\nroute:   11.1.0.0/16\norigin:  AS9"},
		edit{"db.rpsl", "route:   11.2.0.0/16\norigin:  AS1001", "route:   11.2.0.0/16\norigin:  AS9"},
		edit{"db.rpsl", "route:   11.3.0.0/16\norigin:  AS1001", "route:   11.3.0.0/16\norigin:  AS9"},
		edit{"db.rpsl", "route:   12.0.0.0/16", b.String() + "\nroute:   12.0.0.0/16"})
	_, err := compile(t, dir, out, Options{})
	var se *filtergen.ShrinkError
	if !errors.As(err, &se) || se.Family != filtergen.IPv4 || se.New != 0 {
		t.Fatalf("got %v, want the IPv4 shrink refused", err)
	}
}

// The shrink guard reads the marker of files written before the state
// file existed.
func TestShrinkGuardMarkerFallback(t *testing.T) {
	dir := fixture(t)
	out := filepath.Join(dir, "out")
	if _, err := compile(t, dir, out, Options{}); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(out, StateFile))
	reedit(t, dir, edit{"db.rpsl", "members: AS1000, AS1001", "members: AS1000"},
		edit{"db.rpsl", "route:   11.1.0.0/16\norigin:  AS1000", "route:   11.1.0.0/16\norigin:  AS1001"})
	var se *filtergen.ShrinkError
	if _, err := compile(t, dir, out, Options{}); !errors.As(err, &se) {
		t.Fatalf("got %v, want a shrink error from the marker lines", err)
	}
}

// A peer that leaves the policy (or a router) loses its files, which
// --check and --diff report first.
func TestStaleFilesRemoved(t *testing.T) {
	dir := fixture(t)
	out := filepath.Join(dir, "out")
	if _, err := compile(t, dir, out, Options{}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(out, "r2.d", "mine.conf"), []byte("not filtergen's\n"), 0o644)
	reedit(t, dir, edit{"policy.yaml", "    routers: [r2]\n", "    routers: [r1]\n"})
	sum, err := compile(t, dir, out, Options{Mode: Diff})
	if err != nil {
		t.Fatal(err)
	}
	st := states(sum)
	if st["r2.d/B.conf"] != Removed || st["r1.d/B.conf"] != Created {
		t.Fatalf("diff: %v", st)
	}
	for _, f := range sum.Files {
		if f.Name == "r2.d/B.conf" && !strings.Contains(string(f.Diff), "+++ new/r2.d/B.conf") {
			t.Errorf("no diff for the removed file: %q", f.Diff)
		}
	}
	if _, err := compile(t, dir, out, Options{}); err != nil {
		t.Fatal(err)
	}
	got := tree(t, out)
	if _, ok := got["r2.d/B.conf"]; ok {
		t.Error("stale r2.d/B.conf left in place")
	}
	if _, ok := got["r2.d/mine.conf"]; !ok {
		t.Error("a file filtergen did not write was removed")
	}
	if strings.Contains(got["r2.conf"], "B.conf") {
		t.Error("r2.conf still includes B")
	}
}

// Peer files are renamed into place before the router files that include
// them, and a killed run's temporary files are removed by the next one.
func TestWriteOrderAndTempCleanup(t *testing.T) {
	dir := fixture(t)
	out := filepath.Join(dir, "out")
	var order []string
	testHookRenamed = func(name string) { order = append(order, name) }
	defer func() { testHookRenamed = nil }()
	if _, err := compile(t, dir, out, Options{}); err != nil {
		t.Fatal(err)
	}
	lastPeer := slices.IndexFunc(order, func(n string) bool { return !strings.Contains(n, ".d/") }) - 1
	for i, n := range order {
		if strings.Contains(n, ".d/") != (i <= lastPeer) {
			t.Fatalf("rename order %v: a router file before a peer file", order)
		}
	}
	// Leftovers of a killed run.
	for _, p := range []string{TempPrefix + "r1.conf-1234", "r1.d/" + TempPrefix + "A.conf-99"} {
		os.WriteFile(filepath.Join(out, p), []byte("half"), 0o644)
	}
	sum, err := compile(t, dir, out, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.TempRemoved != 2 {
		t.Errorf("removed %d temporary files, want 2", sum.TempRemoved)
	}
	for name := range tree(t, out) {
		if strings.Contains(name, TempPrefix) {
			t.Errorf("%s left behind", name)
		}
	}
}

// A failed peer writes nothing, and leaves no temporary file; with
// KeepGoing the others are written and the failed peer's files kept.
func TestFailureWritesNothing(t *testing.T) {
	dir := fixture(t)
	out := filepath.Join(dir, "out")
	if _, err := compile(t, dir, out, Options{}); err != nil {
		t.Fatal(err)
	}
	before := tree(t, out)
	reedit(t, dir, edit{"policy.yaml", "announce: [AS-B]", "announce: [AS-NOPE]"},
		edit{"db.rpsl", "route:   11.3.0.0/16", "route:   11.3.0.0/16\n\nroute:   11.9.0.0/16\norigin:  AS1001\nsource:  TEST\n\nroute:   11.8.0.0/16"})
	if _, err := compile(t, dir, out, Options{}); err == nil {
		t.Fatal("no error for a missing AS-SET")
	}
	if !mapsEqual(tree(t, out), before) {
		t.Error("a failed compile changed the directory")
	}
	sum, err := compile(t, dir, out, Options{KeepGoing: true})
	if err == nil {
		t.Fatal("keep-going: no error")
	}
	st := states(sum)
	if st["r2.d/B.conf"] != Kept || st["r2.conf"] != Kept || st["r1.d/A.conf"] != Changed || st["r1.conf"] != Unchanged {
		t.Errorf("keep-going: %v", st)
	}
	got := tree(t, out)
	if got["r2.d/B.conf"] != before["r2.d/B.conf"] || got["r1.d/A.conf"] == before["r1.d/A.conf"] {
		t.Error("keep-going: wrong files replaced")
	}
}

// --router r1 neither compiles nor fails on a peer only on r2, and leaves
// r2's files alone.
func TestRouterSelection(t *testing.T) {
	dir := fixture(t)
	out := filepath.Join(dir, "out")
	if _, err := compile(t, dir, out, Options{}); err != nil {
		t.Fatal(err)
	}
	reedit(t, dir, edit{"policy.yaml", "announce: [AS-B]", "announce: [AS-NOPE]"})
	sum, err := compile(t, dir, out, Options{}, "r1")
	if err != nil {
		t.Fatalf("--router r1 failed on a peer only on r2: %v", err)
	}
	if sum.Peers != 1 || len(sum.Files) != 2 {
		t.Errorf("r1 only: %d peers, files %v", sum.Peers, states(sum))
	}
	if _, err := compile(t, dir, out, Options{}, "r9"); err == nil {
		t.Error("unknown router: no error")
	}
}

// Two runs never write one directory at once.
func TestConcurrentRunRefused(t *testing.T) {
	dir := fixture(t)
	out := filepath.Join(dir, "out")
	d, err := openDir(out, true)
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	if _, err := compile(t, dir, out, Options{}); err == nil || !strings.Contains(err.Error(), "another filtergen is writing") {
		t.Fatalf("got %v, want the directory refused while locked", err)
	}
	d.close()
	if _, err := compile(t, dir, out, Options{}); err != nil {
		t.Fatalf("after the lock is released: %v", err)
	}
}
