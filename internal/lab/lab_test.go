package lab

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/filtergen/filtergen/filtergen"
)

func TestMain(m *testing.M) {
	Main()
	os.Exit(m.Run())
}

// examples are the bundled examples the lab runs.
var examples = []string{"ixp-onboarding", "transit-customer"}

// exampleScenarios compiles each bundled example and returns one
// scenario per router the lab has an adapter for.
func exampleScenarios(t *testing.T) []Scenario {
	t.Helper()
	var out []Scenario
	for _, ex := range examples {
		res, vrps, err := CompilePolicy(context.Background(), filepath.Join("..", "..", "examples", ex, "filtergen.yaml"))
		if err != nil {
			t.Fatalf("%s: %v", ex, err)
		}
		for _, r := range res.Routers {
			if r.Platform == "bird2" {
				out = append(out, Scenario{Name: ex + "/" + r.Name, Result: res, VRPs: vrps, Router: r})
			}
		}
	}
	return out
}

func routerFor(r filtergen.Router) Router {
	switch r.Platform {
	case "bird2":
		return &BIRD{}
	}
	return nil
}

func TestImportExamples(t *testing.T) {
	Require(t, "bird", "birdc")
	for _, sc := range exampleScenarios(t) {
		t.Run(sc.Name, func(t *testing.T) {
			tp, err := Build(t, sc, routerFor(sc.Router))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := tp.CheckImport()
			if err != nil {
				t.Fatal(err)
			}
			t.Log(rep.Summary())
			for _, n := range rep.Notes {
				t.Log("note: ", n)
			}
			if len(rep.Mismatches) > 0 {
				t.Error(rep.Table())
			}
		})
	}
}

// generatedScenario writes and compiles the generated scenario.
func generatedScenario(t *testing.T, perNeighbor int) Scenario {
	t.Helper()
	policy, err := WriteScenario(t.TempDir(), perNeighbor)
	if err != nil {
		t.Fatal(err)
	}
	res, vrps, err := CompilePolicy(context.Background(), policy)
	if err != nil {
		t.Fatal(err)
	}
	return Scenario{Name: "generated", Result: res, VRPs: vrps, Router: res.Routers[0]}
}

func TestGeneratedAll(t *testing.T) {
	Require(t, "bird", "birdc", "nft")
	sc := generatedScenario(t, 200)
	tp, err := Build(t, sc, routerFor(sc.Router))
	if err != nil {
		t.Fatal(err)
	}
	obs, notes, err := tp.RunImport()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []*Model{tp.Model, {Result: tp.Model.Result, VRPs: tp.Model.VRPs, Legacy: true}} {
		rep := m.CompareImport(obs, notes)
		t.Logf("legacy=%v %s", m.Legacy, rep.Summary())
	}
	rep := tp.Model.CompareImport(obs, notes)
	for _, n := range rep.Notes {
		t.Log("note: ", n)
	}
	t.Log(rep.Table())
	for _, check := range []func() (*Report, error){
		func() (*Report, error) { return tp.CheckRevalidation(obs) },
		tp.CheckAntiSpoofing,
		tp.CheckMaxPrefix,
	} {
		rep, err := check()
		if err != nil {
			t.Fatal(err)
		}
		t.Log(rep.Summary())
		for _, n := range rep.Notes {
			t.Log("note: ", n)
		}
		t.Log(rep.Table())
	}
}
