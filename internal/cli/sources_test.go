package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/irr"
)

// TestCompileRouteSources runs 'filtergen compile' on the route-sources
// fixture of package filtergen (AS-CUST in SETA and SETB with different
// members, routes in RTA, RTB, RTC and the set sources): the set comes
// from the first listed set source and routes only from route_sources,
// with dump files and with an IRRd.
func TestCompileRouteSources(t *testing.T) {
	fixture, err := filepath.Abs(filepath.Join("..", "..", "filtergen", "testdata", "route-sources.rpsl"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(fixture); err != nil {
		t.Skipf("fixture missing: %v", err)
	}
	reg, err := irr.LoadFiles(t.Context(), irr.LoadOptions{}, fixture)
	if err != nil {
		t.Fatal(err)
	}
	addr := startIRRd(t, reg, false)
	for _, src := range []struct{ name, irr string }{
		{"dumps", "dumps: [" + fixture + "]"},
		{"server", "server: " + addr},
	} {
		t.Run(src.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, "policy.yaml", `version: 2
local_as: 3000
irr:
  `+src.irr+`
  sources: [SETA, SETB]
  route_sources: [RTA, RTB]
routers: [{name: r1, platform: bird2}]
peers:
  - {name: P, asn: 1000, announce: [AS-CUST], families: [ipv4], aggregate: false}
`)
			out := filepath.Join(dir, "out")
			code, stdout, stderr := runCLI(t, "compile", filepath.Join(dir, "policy.yaml"), "-o", out, "--json")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var res filtergen.Result
			if err := json.Unmarshal([]byte(stdout), &res); err != nil {
				t.Fatalf("--json output: %v\n%s", err, stdout)
			}
			var got []string
			for _, a := range res.Peers[0].Family(filtergen.IPv4).Accepted {
				s := a.Range.String()
				if a.Source != "" {
					s += " " + a.Source
				}
				got = append(got, s)
			}
			want := []string{"11.0.0.0/16 RTA", "11.1.0.0/16 RTA", "11.1.0.0/16 RTB", "12.0.0.0/16 RTB", "13.0.0.0/16 RTA"}
			if src.name == "server" { // IRRd replies carry no source
				want = []string{"11.0.0.0/16", "11.1.0.0/16", "12.0.0.0/16", "13.0.0.0/16"}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("accepted (-want +got):\n%s", diff)
			}
			conf, err := os.ReadFile(filepath.Join(out, "r1.d", "P.conf"))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{"11.0.0.0/16", "11.1.0.0/16", "12.0.0.0/16", "13.0.0.0/16"} {
				if !strings.Contains(string(conf), p) {
					t.Errorf("P.conf lacks %s", p)
				}
			}
			// 18/16 is in a set source, 19/16 in RTC, 99/16 belongs to
			// AS9999 of SETB's copy of AS-CUST.
			for _, p := range []string{"18.0.0.0", "19.0.0.0", "99.0.0.0"} {
				if strings.Contains(string(conf), p) {
					t.Errorf("P.conf has %s:\n%s", p, conf)
				}
			}
		})
	}
}
