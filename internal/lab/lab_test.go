package lab

import (
	"context"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/templates"
)

var (
	legacy = flag.Bool("lab.legacy", false,
		"judge imports by the version-1 Settings only, as the Result did before the session model (the issue's 'before' reading)")
	perNeighbor = flag.Int("lab.routes", 200, "route objects per neighbor and family in the generated scenario")
)

func TestMain(m *testing.M) {
	Main()
	os.Exit(m.Run())
}

// examples are the bundled examples the lab runs.
var examples = []string{"ixp-onboarding", "transit-customer"}

// scenarios compiles each bundled example and the generated scenario
// and returns one scenario per router the lab has an adapter for.
func scenarios(t *testing.T) []Scenario {
	t.Helper()
	var out []Scenario
	for _, ex := range examples {
		res, vrps, err := CompilePolicy(context.Background(), filepath.Join("..", "..", "examples", ex, "filtergen.yaml"))
		if err != nil {
			t.Fatalf("%s: %v", ex, err)
		}
		for _, r := range res.Routers {
			if routerFor(r) != nil {
				out = append(out, Scenario{Name: ex + "/" + r.Name, Result: res, VRPs: vrps, Router: r})
			}
		}
	}
	// The generated scenarios once per platform the lab has an adapter
	// for.
	for _, platform := range Platforms() {
		out = append(out, generatedScenario(t, "transit", platform, *perNeighbor), generatedScenario(t, "ixp", platform, *perNeighbor))
	}
	return out
}

// generatedScenario writes and compiles a generated scenario for one
// router of the platform.
func generatedScenario(t *testing.T, kind, platform string, perNeighbor int) Scenario {
	t.Helper()
	policy, err := WriteScenario(t.TempDir(), kind, platform, perNeighbor)
	if err != nil {
		t.Fatal(err)
	}
	res, vrps, err := CompilePolicy(context.Background(), policy)
	if err != nil {
		t.Fatal(err)
	}
	return Scenario{Name: "generated-" + kind + "/" + platform + "/" + res.Routers[0].Name, Result: res, VRPs: vrps, Router: res.Routers[0]}
}

// routerFor returns the lab adapter for a router's platform, nil when
// the lab has none (Junos and the other platforms have no daemon here).
func routerFor(r filtergen.Router) Router { return NewRouter(r.Platform) }

// runChecks builds the scenario's lab and runs every check in an order
// that keeps the state each needs: import (which leaves the accepted
// routes installed), export, RPKI re-validation, anti-spoofing, and
// max-prefix last (it trips sessions).
func runChecks(t *testing.T, sc Scenario) []*Report {
	t.Helper()
	r := routerFor(sc.Router)
	Require(t, append(r.Commands(), "nft")...)
	start := time.Now()
	tp, err := Build(t, sc, r)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("lab built in %.1fs", time.Since(start).Seconds())
	tp.Model.Legacy = *legacy
	start = time.Now()
	obs, notes, err := tp.RunImport()
	if err != nil {
		t.Fatal(err)
	}
	reps := []*Report{tp.Model.CompareImport(obs, notes)}
	reps[0].Took = time.Since(start)
	for _, check := range []func() (*Report, error){
		tp.CheckExport,
		func() (*Report, error) { return tp.CheckRevalidation(obs) },
		tp.CheckAntiSpoofing,
		tp.CheckMaxPrefix,
	} {
		start := time.Now()
		rep, err := check()
		if err != nil {
			t.Fatal(err)
		}
		rep.Took = time.Since(start)
		reps = append(reps, rep)
	}
	return reps
}

// TestInterop runs every check on every bundled example and the
// generated scenario, and fails with a table of mismatches.
func TestInterop(t *testing.T) {
	Require(t)
	for _, sc := range scenarios(t) {
		t.Run(sc.Name, func(t *testing.T) {
			for _, rep := range runChecks(t, sc) {
				t.Log(rep.Summary())
				for _, n := range rep.Notes {
					t.Log("  note: ", n)
				}
				if len(rep.Mismatches) > 0 {
					t.Error(rep.Table())
				}
			}
		})
	}
}

// TestInteropCatchesBrokenTemplate renders the generated scenario with a
// BIRD template whose prefix-set match is inverted: the lab must report
// accepted routes as missing and unregistered ones as accepted.
func TestInteropCatchesBrokenTemplate(t *testing.T) {
	Require(t, "bird", "birdc")
	orig, err := fs.ReadFile(templates.Builtin(), "bird2/peer.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	match := regexp.MustCompile(`if !\s*\((net ~ [^)]+)\) then reject;`)
	if !match.Match(orig) {
		t.Fatalf("bird2/peer.tmpl has no %q to invert: update this test", match)
	}
	broken := match.ReplaceAll(orig, []byte("if $1 then reject;"))
	sc := generatedScenario(t, "transit", "bird2", 20)
	sc.Overrides = fstest.MapFS{"bird2/peer.tmpl": {Data: broken}}
	tp, err := Build(t, sc, &BIRD{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := tp.CheckImport()
	if err != nil {
		t.Fatal(err)
	}
	t.Log(rep.Table())
	missing, leaked := 0, 0
	for _, m := range rep.Mismatches {
		switch {
		case m.Case == ClassAccepted && m.Got == "missing":
			missing++
		case m.Case == ClassUnregistered && m.Got == "accepted":
			leaked++
		}
	}
	if missing == 0 || leaked == 0 {
		t.Errorf("inverted prefix match: %d accepted routes reported missing, %d unregistered reported accepted; want both > 0", missing, leaked)
	}
}

// TestPathRoundTrip checks that ParsePath reads what String writes.
func TestPathRoundTrip(t *testing.T) {
	for _, s := range []string{"(empty)", "3333", "3333 64500 {1 2} 65001", "1 {2 3}", "{1}"} {
		p, err := ParsePath(s)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if got := p.String(); got != s {
			t.Errorf("ParsePath(%q).String() = %q", s, got)
		}
	}
	for _, s := range []string{"{1 {2}}", "1 }", "{1", "x"} {
		if _, err := ParsePath(s); err == nil {
			t.Errorf("ParsePath(%q): no error", s)
		}
	}
	p, _ := ParsePath("10 20 {30 40}")
	if _, ok := p.Origin(); ok {
		t.Error("a path ending in an AS_SET has an origin")
	}
	p, _ = ParsePath("10 {30 40} 20")
	if o, ok := p.Origin(); !ok || o != 20 {
		t.Errorf("origin of %s = %d, %v", p, o, ok)
	}
}

// TestInteropCatchesExportLeak renders the generated transit scenario
// with every BIRD export replaced by "export all" and without the RFC
// 9234 "local role" (whose OTC attribute alone stops a leak to a peer):
// the lab must report routes of peers and route servers leaking to
// other peers, providers and route servers.
func TestInteropCatchesExportLeak(t *testing.T) {
	Require(t, "bird", "birdc")
	orig, err := fs.ReadFile(templates.Builtin(), "bird2/peer.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	export := regexp.MustCompile(`(?m)^(\s*)export (none|filter [^;]+|where [^;]+);`)
	if !export.Match(orig) {
		t.Fatalf("bird2/peer.tmpl has no %q to replace: update this test", export)
	}
	sc := generatedScenario(t, "transit", "bird2", 20)
	broken := export.ReplaceAll(orig, []byte("${1}export all;"))
	broken = regexp.MustCompile(`(?m)^\s*local role [^;]+;\n`).ReplaceAll(broken, nil)
	sc.Overrides = fstest.MapFS{"bird2/peer.tmpl": {Data: broken}}
	tp, err := Build(t, sc, &BIRD{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := tp.RunImport(); err != nil {
		t.Fatal(err)
	}
	rep, err := tp.CheckExport()
	if err != nil {
		t.Fatal(err)
	}
	t.Log(rep.Table())
	leaks, ownLeaks := 0, 0
	for _, m := range rep.Mismatches {
		if strings.HasPrefix(m.Case, "leak from ") {
			leaks++
		}
		if m.Case == "own space" && m.Got == "received" {
			ownLeaks++
		}
	}
	if leaks == 0 {
		t.Error("export all: no leak reported")
	}
	// The default-only customer gets our own space too.
	if ownLeaks == 0 {
		t.Error("export all: our own space sent to a default-only customer, not reported")
	}
}

// TestInteropCatchesBrokenFRRTemplate renders the generated transit
// scenario for FRR with the prefix-list match of every import route-map
// inverted (a deny entry for the neighbor's prefix-list ahead of the
// permit, which no longer matches it): the lab must report accepted
// routes as missing and unregistered ones as accepted.
func TestInteropCatchesBrokenFRRTemplate(t *testing.T) {
	r := NewRouter("frr")
	Require(t, r.Commands()...)
	orig, err := fs.ReadFile(templates.Builtin(), "frr/peer.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	permitMatch := "\n{{- if $im.PrefixFilter }}\n match {{ $ip }} address prefix-list {{ ident \"PL\" $n $sfx }}\n{{- end }}"
	permits := "{{- if or (not $im.OriginCheck) $p.ASNs }}\n"
	if !strings.Contains(string(orig), permitMatch) || strings.Count(string(orig), permits) != 1 {
		t.Fatal("frr/peer.tmpl: the import permit's prefix-list match has changed: update this test")
	}
	broken := strings.Replace(string(orig), permitMatch, "", 1)
	broken = strings.Replace(broken, permits, "{{- if $im.PrefixFilter }}{{ $seq = add $seq 10 }}\n"+
		"route-map {{ $rm }} deny {{ $seq }}\n match {{ $ip }} address prefix-list {{ ident \"PL\" $n $sfx }}\nexit\n{{- end }}\n"+permits, 1)
	sc := generatedScenario(t, "transit", "frr", 20)
	sc.Overrides = fstest.MapFS{"frr/peer.tmpl": {Data: []byte(broken)}}
	tp, err := Build(t, sc, r)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := tp.CheckImport()
	if err != nil {
		t.Fatal(err)
	}
	t.Log(rep.Table())
	missing, leaked := 0, 0
	for _, m := range rep.Mismatches {
		switch {
		case m.Case == ClassAccepted && m.Got == "missing":
			missing++
		case m.Case == ClassUnregistered && m.Got == "accepted":
			leaked++
		}
	}
	if missing == 0 || leaked == 0 {
		t.Errorf("inverted prefix-list: %d accepted routes reported missing, %d unregistered reported accepted; want both > 0", missing, leaked)
	}
}
