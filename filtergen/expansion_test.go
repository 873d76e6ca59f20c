package filtergen_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/irr"
)

func TestCompileExpansion(t *testing.T) {
	f, r := testData()
	// AS600 is in the cone and has no route object; AS-ACME-CUST loops
	// back to AS-ACME.
	f.sets["AS-ACME-CUST"] = append(f.sets["AS-ACME-CUST"], "AS600")
	res, err := compileTest(t, mustPolicy(t, basePolicy), f, r, nil)
	if err != nil {
		t.Fatal(err)
	}
	acme := res.Peers[0]
	want := &filtergen.Expansion{
		Sets: []*filtergen.SetTree{{
			Root: "AS-ACME",
			Sets: []filtergen.SetNode{
				{Name: "AS-ACME", Source: "TEST", ASNs: 2},
				{Name: "AS-ACME-CUST", Source: "TEST", Parent: "AS-ACME", Depth: 1, ASNs: 4},
			},
			Missing: []filtergen.MissingSet{{Name: "AS-MISSING", Path: []string{"AS-ACME"}}},
		}},
		NoRoutes: []filtergen.ConeASN{{ASN: 600, Chain: []string{"AS-ACME", "AS-ACME-CUST"}}},
		// AS400's only provider, AS999, is not in ACME's cone.
		ASPA: &filtergen.ASPACheck{Origins: 1, NotInCone: []filtergen.ASPAOrigin{
			{ASN: 400, Providers: []uint32{999}, Chain: []string{"AS-ACME", "AS-ACME-CUST"}}}},
	}
	if diff := cmp.Diff(want, acme.Expansion); diff != "" {
		t.Errorf("expansion (-want +got):\n%s", diff)
	}
	// An ASN item: no tree; its ASN has routes in one family only,
	// which is enough.
	cust := res.Peers[2]
	if cust.Name != "CUST" || len(cust.Expansion.Sets) != 0 || len(cust.Expansion.NoRoutes) != 0 {
		t.Errorf("CUST expansion %+v", cust.Expansion)
	}
	// Without RPKI data there is no ASPA check.
	pol := mustPolicy(t, basePolicy)
	pol.RPKI = filtergen.RPKISource{}
	res, err = compileTest(t, pol, f, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Peers[0].Expansion.ASPA != nil {
		t.Errorf("ASPA without RPKI data: %+v", res.Peers[0].Expansion.ASPA)
	}
}

// The tree of a set reached twice, at depths 2 and 1, lists it once at
// the smaller depth, as the breadth-first expansion reached it.
func TestSetTreeFromRegistry(t *testing.T) {
	const rpsl = `
as-set: AS-ROOT
members: AS-A, AS-B, AS1
source: RIPE

as-set: AS-A
members: AS-B, AS2, AS-ROOT
source: RIPE

as-set: AS-B
members: AS3
source: RADB
`
	b := irr.NewBuilder(irr.LoadOptions{})
	if err := b.ReadFrom(t.Context(), strings.NewReader(rpsl), "test.rpsl"); err != nil {
		t.Fatal(err)
	}
	reg, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	pol := mustPolicy(t, `
version: 2
local_as: 65000
irr: {dumps: [x]}
routers: [{name: r1, platform: bird2}]
peers:
  - {name: P, asn: 1, announce: [AS-ROOT, 193.0.2.0/24]}
`)
	res, err := filtergen.Compile(t.Context(), pol, filtergen.CompileOptions{IRR: reg})
	if err != nil {
		t.Fatal(err)
	}
	tree := res.Peers[0].Expansion.Sets[0]
	want := &filtergen.SetTree{
		Root:  "AS-ROOT",
		Depth: 2,
		Sets: []filtergen.SetNode{
			{Name: "AS-ROOT", Source: "RIPE", ASNs: 1},
			{Name: "AS-A", Source: "RIPE", Parent: "AS-ROOT", Depth: 1, ASNs: 1},
			{Name: "AS-B", Source: "RADB", Parent: "AS-ROOT", Depth: 1, ASNs: 1},
		},
		Loops: [][]string{{"AS-ROOT", "AS-A", "AS-ROOT"}},
	}
	if diff := cmp.Diff(want, tree); diff != "" {
		t.Errorf("tree (-want +got):\n%s", diff)
	}
	if got := res.Peers[0].Expansion.NoRoutes; len(got) != 3 {
		t.Errorf("no-route ASNs %+v, want AS1, AS2, AS3", got)
	}
}

// PeerDone sees every peer that compiled, once, before Compile returns,
// and what it changes stays in the Result.
func TestCompilePeerDone(t *testing.T) {
	f, r := testData()
	var mu sync.Mutex
	seen := map[string]int{}
	res, err := compileTest(t, mustPolicy(t, basePolicy), f, r, func(o *filtergen.CompileOptions) {
		o.PeerDone = func(p *filtergen.PeerResult) {
			mu.Lock()
			defer mu.Unlock()
			seen[p.Name]++
			p.Families[0].Accepted = nil
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int{"ACME": 1, "ACME2": 1, "CUST": 1}, seen); diff != "" {
		t.Errorf("PeerDone calls (-want +got):\n%s", diff)
	}
	for _, p := range res.Peers {
		if p.Families[0].Accepted != nil {
			t.Errorf("%s: the change PeerDone made is lost", p.Name)
		}
	}
}
