package outdir

import (
	"context"
	"encoding/json"
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
	// The state records the filters written: not those numbered for
	// C213, whose file was not.
	fs := readFilters(t, out, "s1")
	if len(fs) != 4 || slices.ContainsFunc(fs, func(f templates.FilterID) bool { return f.Peer == "C213" }) {
		t.Errorf("state records %+v; want the 4 filters of C154 and OTHER", fs)
	}
}

// readFilters returns the SR OS classic filters the state file of out
// records for router.
func readFilters(t *testing.T, out, router string) []templates.FilterID {
	t.Helper()
	d, err := openDir(out, false)
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	st, err := d.readState()
	if err != nil {
		t.Fatal(err)
	}
	return st.filters(router)
}

// filterOf returns the recorded filter of a peer's family.
func filterOf(t *testing.T, fs []templates.FilterID, peer string, fam filtergen.Family) templates.FilterID {
	t.Helper()
	for _, f := range fs {
		if f.Peer == peer && f.Family == fam {
			return f
		}
	}
	t.Fatalf("no %s filter of %s recorded in %v", fam, peer, fs)
	return templates.FilterID{}
}

// sameAsRender checks that out holds, for every router of res, exactly
// templates.Render's files given the router's previous filters prev.
func sameAsRender(t *testing.T, out string, res *filtergen.Result, prev map[string][]templates.FilterID) map[string]string {
	t.Helper()
	got := tree(t, out)
	for _, r := range res.Routers {
		want, err := templates.Render(res, r, templates.Options{Filters: prev[r.Name]})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range want {
			if got[f.Name] != string(f.Data) {
				t.Errorf("%s differs from templates.Render's:\n%s\nRender:\n%s", f.Name, got[f.Name], f.Data)
			}
		}
	}
	return got
}

var srosV4Filter = regexp.MustCompile(`(?m)^ +ip-filter (\d+) `)

// TestSROSClassicFilterReplaced changes one customer's ACL between runs
// into a directory that records the router's filter IDs. The customer's
// new filter takes a new ID, never one that may still be on the router:
// here its preferred ID is forced onto the recorded filter of a customer
// that left the policy, and it moves off it. The peer file swaps the
// interface to the new filter, then deletes the old one; the departed
// customer's filter is listed in the header, not deleted. Compile's files
// are templates.Render's given the same previous filters, and a run with
// nothing changed changes nothing.
func TestSROSClassicFilterReplaced(t *testing.T) {
	dir := srosDir(t)
	out := filepath.Join(dir, "out")
	if _, _, err := compileSROS(t, dir, Options{}); err != nil {
		t.Fatal(err)
	}
	first := readFilters(t, out, "s1")
	// C213, OTHER, C154: one IPv4 and one IPv6 (deny-all) filter each.
	if len(first) != 6 {
		t.Fatalf("state records %d filters for s1, want 6: %v", len(first), first)
	}
	old154 := filterOf(t, first, "C154", filtergen.IPv4)
	if old154.Interface != "to-c154" || len(old154.Old) != 0 {
		t.Errorf("C154's IPv4 filter recorded as %+v", old154)
	}
	if fs := readFilters(t, out, "b1"); fs != nil {
		t.Errorf("filters recorded for the BIRD router: %v", fs)
	}

	// C154 announces one more prefix: its IPv4 ACL changes. Find the ID
	// it would prefer, then record it as the filter of a customer that
	// left, whose filter may still be on the router.
	if err := os.WriteFile(filepath.Join(dir, "db.rpsl"), []byte(srosRPSL+"\nroute:   11.1.0.0/16\norigin:  AS1000\nsource:  TEST\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, res, err := compileSROS(t, dir, Options{Mode: Check, KeepEntries: true})
	if err != nil {
		t.Fatal(err)
	}
	s1 := res.Routers[slices.IndexFunc(res.Routers, func(r filtergen.Router) bool { return r.Name == "s1" })]
	files, err := templates.Render(res, s1, templates.Options{Filters: first})
	if err != nil {
		t.Fatal(err)
	}
	var preferred int
	for _, f := range files {
		if f.Name == templates.PeerFile("s1", "C154") {
			m := srosV4Filter.FindStringSubmatch(string(f.Data))
			preferred, _ = strconv.Atoi(m[1])
		}
	}
	if preferred == old154.ID || preferred == 0 {
		t.Fatalf("C154's changed ACL prefers ID %d, its old one is %d", preferred, old154.ID)
	}
	gone := templates.FilterID{Peer: "GONE", Family: filtergen.IPv4, Interface: "to-gone", ID: preferred, Digest: strings.Repeat("0", 32)}
	forged := append(slices.Clone(first), gone)
	st := readStateFile(t, out)
	e := st.Files["s1.conf"]
	e.Filters = toStateFilters(forged)
	st.Files["s1.conf"] = e
	writeStateFile(t, out, st)

	sum, res, err := compileSROS(t, dir, Options{KeepEntries: true})
	if err != nil {
		t.Fatal(err)
	}
	got := sameAsRender(t, out, res, map[string][]templates.FilterID{"s1": forged})
	if s := states(sum); s[templates.PeerFile("s1", "C154")] != Changed || s["s1.conf"] != Changed || s[templates.PeerFile("s1", "OTHER")] != Unchanged {
		t.Errorf("states %v; want C154's file and s1.conf changed, OTHER's unchanged", s)
	}
	c154 := got[templates.PeerFile("s1", "C154")]
	m := srosV4Filter.FindStringSubmatch(c154)
	newID, _ := strconv.Atoi(m[1])
	for _, f := range forged {
		if newID == f.ID {
			t.Errorf("C154's new IPv4 filter took ID %d, held by %s %s before", newID, f.Peer, f.Family)
		}
	}
	want := preferred
	for slices.ContainsFunc(forged, func(f templates.FilterID) bool { return f.ID == want }) {
		want = 10000 + (want-10000+1)%50000
	}
	if newID != want {
		t.Errorf("C154's new IPv4 filter is %d; want %d, the first free ID after its preferred %d", newID, want, preferred)
	}
	swap := strings.Index(c154, "        filter ip "+strconv.Itoa(newID)+"\n")
	del := strings.Index(c154, "\nconfigure filter\n    no ip-filter "+strconv.Itoa(old154.ID)+"\nexit all\n")
	if swap < 0 || del < swap {
		t.Errorf("C154's file does not swap to %d, then delete %d:\n%s", newID, old154.ID, c154)
	}
	for _, peer := range []string{"OTHER", "C213"} {
		if strings.Contains(got[templates.PeerFile("s1", peer)], "no ip") {
			t.Errorf("%s's unchanged file deletes a filter:\n%s", peer, got[templates.PeerFile("s1", peer)])
		}
	}
	if !strings.Contains(got["s1.conf"], "no ip-filter "+strconv.Itoa(preferred)+" (peer GONE ipv4 interface to-gone)") ||
		strings.Contains(got["s1.conf"], "\nconfigure filter\n") {
		t.Errorf("s1.conf does not list GONE's filter for the operator, or deletes it:\n%s", got["s1.conf"])
	}
	second := readFilters(t, out, "s1")
	n154 := filterOf(t, second, "C154", filtergen.IPv4)
	if n154.ID != newID || !slices.Equal(n154.Old, []int{old154.ID}) {
		t.Errorf("C154's IPv4 filter recorded as %+v; want ID %d, old %d", n154, newID, old154.ID)
	}
	if g := filterOf(t, second, "GONE", filtergen.IPv4); g.ID != preferred {
		t.Errorf("GONE's filter recorded as %+v; want it kept", g)
	}
	if o, was := filterOf(t, second, "OTHER", filtergen.IPv4), filterOf(t, first, "OTHER", filtergen.IPv4); o.ID != was.ID || o.Digest != was.Digest || len(o.Old) > 0 {
		t.Errorf("OTHER's unchanged filter recorded as %+v, was %+v", o, was)
	}

	// Nothing changed: nothing is written, and the record stays.
	sum, _, err = compileSROS(t, dir, Options{})
	if err != nil || sum.Changed() {
		t.Fatalf("unchanged run: %v, %v", states(sum), err)
	}
	if again := readFilters(t, out, "s1"); !slices.EqualFunc(again, second, func(a, b templates.FilterID) bool {
		return a.Peer == b.Peer && a.Family == b.Family && a.ID == b.ID && a.Digest == b.Digest && slices.Equal(a.Old, b.Old)
	}) {
		t.Errorf("an unchanged run recorded %v, was %v", again, second)
	}
}

func readStateFile(t *testing.T, out string) *state {
	t.Helper()
	d, err := openDir(out, false)
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	st, err := d.readState()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func writeStateFile(t *testing.T, out string, st *state) {
	t.Helper()
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, StateFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSROSClassicBadFilterState: recorded filters that filtergen cannot
// have written (an ID out of range, a name that would inject a command)
// fail the compile, naming the state file, before anything is written.
func TestSROSClassicBadFilterState(t *testing.T) {
	for _, tt := range []struct {
		name string
		edit func(*stateFilter)
		want string
	}{
		{"ID out of range", func(f *stateFilter) { f.ID = 5 }, "outside 10000 to 59999"},
		{"unsafe interface", func(f *stateFilter) { f.Interface = "x\nconfigure filter" }, "interface name"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := srosDir(t)
			out := filepath.Join(dir, "out")
			if _, _, err := compileSROS(t, dir, Options{}); err != nil {
				t.Fatal(err)
			}
			before := tree(t, out)
			st := readStateFile(t, out)
			e := st.Files["s1.conf"]
			tt.edit(&e.Filters[0])
			st.Files["s1.conf"] = e
			writeStateFile(t, out, st)
			b, _ := os.ReadFile(filepath.Join(out, StateFile))
			before[StateFile] = string(b)
			_, _, err := compileSROS(t, dir, Options{Force: true})
			if err == nil || !strings.Contains(err.Error(), StateFile) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v; want one naming %s and %q", err, StateFile, tt.want)
			}
			after := tree(t, out)
			if len(after) != len(before) {
				t.Errorf("%d files after the failed run, %d before", len(after), len(before))
			}
			for name, data := range before {
				if after[name] != data {
					t.Errorf("%s changed by the failed run", name)
				}
			}
		})
	}
}

// TestSROSClassicLateFailureKeepsFilters: with KeepGoing, a customer whose
// file fails to render keeps its previous file, so the state keeps its
// previous filters, whatever IDs this run numbered for it.
func TestSROSClassicLateFailureKeepsFilters(t *testing.T) {
	dir := srosDir(t)
	out := filepath.Join(dir, "out")
	if _, _, err := compileSROS(t, dir, Options{}); err != nil {
		t.Fatal(err)
	}
	first := readFilters(t, out, "s1")
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
	// C213 announces more: the run numbers it a new IPv4 filter.
	if err := os.WriteFile(filepath.Join(dir, "db.rpsl"), []byte(srosRPSL+"\nroute:   12.1.0.0/16\norigin:  AS1001\nsource:  TEST\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := compileSROS(t, dir, Options{Templates: root.FS(), KeepGoing: true}); !slices.Equal(filtergen.FailedPeers(err), []string{"C213"}) {
		t.Fatalf("err = %v; want C213 failed", err)
	}
	now := readFilters(t, out, "s1")
	for _, fam := range []filtergen.Family{filtergen.IPv4, filtergen.IPv6} {
		if a, b := filterOf(t, now, "C213", fam), filterOf(t, first, "C213", fam); a.ID != b.ID || a.Digest != b.Digest {
			t.Errorf("C213 %s recorded as %+v after its file failed; its file on disk has %+v", fam, a, b)
		}
	}
}
