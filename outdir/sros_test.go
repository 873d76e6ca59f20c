package outdir

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/templates"
)

// C154 and C213 are customers without IPv6 whose deny-all IPv6 filters
// prefer the same SR OS classic filter ID (the preferred ID hashes the
// peer, the family and the ACL; templates' TestRendererSROSFilterCollision
// finds the pair). C213 comes first in the policy; IDs are numbered in
// name order.
const srosRPSL = `
route:   11.0.0.0/16
origin:  AS1000
source:  TEST

route:   12.0.0.0/16
origin:  AS1001
source:  TEST

route:   13.0.0.0/16
origin:  AS1002
source:  TEST
`

const srosPolicy = `version: 2
local_as: 3000
irr: {dumps: [db.rpsl]}
routers:
  - {name: s1, platform: sros-classic}
  - {name: b1, platform: bird2}
customers:
  - {name: C213, asn: 1001, announce: [AS1001], neighbors: [198.18.0.3], families: [ipv4],
     attach: [{router: s1, interface: to-c213}, {router: b1, interface: eth2}]}
  - {name: OTHER, asn: 1002, announce: [AS1002], neighbors: [198.18.0.5], families: [ipv4],
     attach: [{router: s1, interface: to-other}]}
  - {name: C154, asn: 1000, announce: [AS1000], neighbors: [198.18.0.1], families: [ipv4],
     attach: [{router: s1, interface: to-c154}]}
peers:
  - {name: P, asn: 1002, announce: [AS1002], neighbors: [198.18.0.7]}
`

// compileSROS compiles the SR OS policy of dir into dir/out.
func compileSROS(t *testing.T, dir string, opts Options) (*Summary, *filtergen.Result, error) {
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
	return Compile(ctx, pol, src.CompileOptions(), filepath.Join(dir, "out"), opts)
}

func srosDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range map[string]string{"db.rpsl": srosRPSL, "policy.yaml": srosPolicy} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var srosV6Filter = regexp.MustCompile(`(?m)^ +ipv6-filter (\d+) `)

// v6FilterID returns the ID of the IPv6 filter in a classic-CLI peer file.
func v6FilterID(t *testing.T, name, data string) int {
	t.Helper()
	m := srosV6Filter.FindStringSubmatch(data)
	if m == nil {
		t.Fatalf("%s has no ipv6-filter:\n%s", name, data)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestSROSClassicFilterCollision writes an SR OS classic router whose
// customers' filters prefer the same ID: the directory holds exactly
// templates.Render's files, byte for byte, so C213's filter sits on the
// ID after C154's. An unchanged second run changes nothing, and lets go
// of every peer's entries, the waiting ones' included.
func TestSROSClassicFilterCollision(t *testing.T) {
	dir := srosDir(t)
	sum, res, err := compileSROS(t, dir, Options{KeepEntries: true})
	if err != nil {
		t.Fatal(err)
	}
	got := tree(t, filepath.Join(dir, "out"))
	delete(got, StateFile)
	n := 0
	for _, r := range res.Routers {
		want, err := templates.Render(res, r, templates.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range want {
			n++
			if got[f.Name] != string(f.Data) {
				t.Errorf("%s differs from templates.Render's:\n%s\nRender:\n%s", f.Name, got[f.Name], f.Data)
			}
		}
	}
	if len(got) != n || sum.Count(Created) != n {
		t.Errorf("%d files written, %d created; templates.Render gives %d", len(got), sum.Count(Created), n)
	}
	a := v6FilterID(t, "C154", got[templates.PeerFile("s1", "C154")])
	b := v6FilterID(t, "C213", got[templates.PeerFile("s1", "C213")])
	if b != a+1 {
		t.Errorf("IPv6 filters: C154 %d, C213 %d; want C213 on the ID after C154's (they prefer the same)", a, b)
	}
	sum, res, err = compileSROS(t, dir, Options{})
	if err != nil || sum.Changed() {
		t.Fatalf("second run: %v, %v", states(sum), err)
	}
	for _, p := range res.Peers {
		for _, f := range p.Families {
			if f.Entries != nil {
				t.Errorf("%s %s: entries kept after the files were staged", p.Name, f.Family)
			}
		}
	}
}

// TestSROSClassicLateFailure fails the file of C213 on the SR OS router,
// which renders only once every peer is compiled. Without KeepGoing
// nothing is written. With it, C213 fails whole: its file on the BIRD
// router is not written either, no router file includes it, and the
// others are written (b1.nft goes: C213 was b1's only customer).
func TestSROSClassicLateFailure(t *testing.T) {
	dir := srosDir(t)
	builtin, err := os.ReadFile(filepath.Join("..", "templates", "sros-classic", "peer.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	tdir := filepath.Join(dir, "tmpl", "sros-classic")
	os.MkdirAll(tdir, 0o755)
	failing := `{{ if eq .Peer.Name "C213" }}{{ fail "the test template refuses C213" }}{{ end }}` + string(builtin)
	if err := os.WriteFile(filepath.Join(tdir, "peer.tmpl"), []byte(failing), 0o644); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(filepath.Join(dir, "tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	out := filepath.Join(dir, "out")

	_, _, err = compileSROS(t, dir, Options{Templates: root.FS()})
	if !slices.Equal(filtergen.FailedPeers(err), []string{"C213"}) || err == nil || !strings.Contains(err.Error(), "refuses C213") {
		t.Fatalf("err = %v; want C213's template failure", err)
	}
	if files := tree(t, out); len(files) != 0 {
		t.Fatalf("a failed compile wrote %d files", len(files))
	}

	sum, res, err := compileSROS(t, dir, Options{Templates: root.FS(), KeepGoing: true})
	var pe *filtergen.PeerError
	if !errors.As(err, &pe) || pe.Peer != "C213" || !slices.Equal(sum.Failed, []string{"C213"}) {
		t.Fatalf("KeepGoing: err = %v, failed %v; want C213", err, sum.Failed)
	}
	if slices.ContainsFunc(res.Peers, func(p *filtergen.PeerResult) bool { return p.Name == "C213" }) {
		t.Error("the failed peer is still in the Result")
	}
	got := tree(t, out)
	for _, name := range []string{"s1.conf", "b1.conf", templates.PeerFile("s1", "C154"), templates.PeerFile("s1", "OTHER"), templates.PeerFile("s1", "P")} {
		if _, ok := got[name]; !ok {
			t.Errorf("%s not written", name)
		}
	}
	for name, data := range got {
		if strings.Contains(name, "C213") || (strings.HasSuffix(name, ".conf") && !strings.Contains(name, ".d/") && strings.Contains(data, "C213")) {
			t.Errorf("%s written for the failed peer, or names it", name)
		}
	}
	if sum.Peers != len(res.Peers) {
		t.Errorf("summary counts %d peers, the Result has %d", sum.Peers, len(res.Peers))
	}
}
