package templates_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/internal/validate"
	"github.com/filtergen/filtergen/templates"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// aspaFixture is fixture(platform) on a router that declares version and
// asks for router-side ASPA, with three ASPA records (one transit-free).
func aspaFixture(platform, version string) *filtergen.Result {
	res := fixture(platform)
	res.Routers[0].Version = version
	res.Routers[0].ASPA = true
	res.ASPA = []filtergen.ASPARecord{
		{Customer: 64500, Providers: []uint32{64496, 64520}},
		{Customer: 64510, Providers: []uint32{0}},
		{Customer: 4200000001, Providers: []uint32{64496, 64511, 4200000002}},
	}
	return res
}

// golden compares the rendered files with testdata/NAME/, or rewrites
// them with -update.
func golden(t *testing.T, name string, files []templates.File) {
	t.Helper()
	dir := filepath.Join("testdata", name)
	if *update {
		os.RemoveAll(dir)
		writeFiles(t, dir, files)
		return
	}
	for _, f := range files {
		want, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Name)))
		if err != nil {
			t.Fatalf("%v (run go test ./templates -run %s -update)", err, t.Name())
		}
		if !bytes.Equal(f.Data, want) {
			t.Errorf("%s/%s differs from the golden file (go test -run %s -update rewrites it):\n%s", name, f.Name, t.Name(), f.Data)
		}
	}
}

// TestASPAGolden renders router-side ASPA for the releases that have
// it: BIRD 2.16 (aspa table fed over RTR, aspa_check in every import)
// and OpenBGPD 8.0 (aspa-set, "avs invalid" per neighbor).
func TestASPAGolden(t *testing.T) {
	for _, tt := range []struct{ platform, version string }{{"bird2", "2.16"}, {"openbgpd", "8.0"}} {
		t.Run(tt.platform, func(t *testing.T) {
			files := render(t, aspaFixture(tt.platform, tt.version))
			golden(t, "aspa-"+tt.platform, files)
		})
	}
}

// TestASPADirections checks the check each role gets on BIRD, against
// draft-ietf-sidrops-aspa-verification: upstream (true) for routes from
// customers, peers, route servers and route-server clients, downstream
// (false) for routes from providers.
func TestASPADirections(t *testing.T) {
	files := render(t, aspaFixture("bird2", "2.16"))
	want := map[string]string{"CUST": "true", "PEER1": "true", "UPSTREAM": "false", "IXP_RS": "true", "MEMBER": "true",
		"NOROUTES": "true", "STUB": "true"}
	conf := ""
	for _, f := range files {
		if f.Name == "r1.conf" {
			conf = string(f.Data)
			continue
		}
		up, ok := want[f.Peer]
		if !ok {
			continue
		}
		n := strings.Count(string(f.Data), "if aspa_check(FG_ASPA, bgp_path, "+up+") = ASPA_INVALID then reject;")
		fams := strings.Count(string(f.Data), "\nfilter RP_"+f.Peer+"_IN_")
		if n != fams || n == 0 {
			t.Errorf("%s: %d aspa_check(..., %s) lines for %d import filters", f.Peer, n, up, fams)
		}
		if strings.Count(string(f.Data), "import table on;") != strings.Count(string(f.Data), "\nprotocol bgp ") {
			t.Errorf("%s: a channel checking ASPA keeps no import table", f.Peer)
		}
	}
	for _, s := range []string{"aspa table FG_ASPA;", "  aspa { table FG_ASPA; };"} {
		if !strings.Contains(conf, s) {
			t.Errorf("r1.conf has no %q", s)
		}
	}
}

// TestASPARefused: a router whose declared version (or the baseline, when
// it declares none) lacks ASPA fails with an error naming the router, the
// feature and the version; so does a platform without it, and a result
// without the data the platform needs.
func TestASPARefused(t *testing.T) {
	for _, tt := range []struct {
		name, platform, version string
		edit                    func(*filtergen.Result)
		msg                     []string
	}{
		{"bird 2.15", "bird2", "2.15", nil, []string{"router r1", "aspa_check needs BIRD 2 2.16 or later", "runs 2.15"}},
		{"bird baseline", "bird2", "", nil, []string{"router r1", "aspa_check", "2.0.12 is assumed"}},
		{"openbgpd 7.9", "openbgpd", "7.9", nil, []string{"router r1", "aspa-set needs OpenBGPD 8.0 or later", "runs 7.9"}},
		{"openbgpd baseline", "openbgpd", "", nil, []string{"router r1", "aspa-set", "7.7 is assumed"}},
		{"frr", "frr", "10.2", nil, []string{"router r1", "FRR has no router-side ASPA"}},
		{"junos", "junos", "24.4R1", nil, []string{"router r1", "Junos has no router-side ASPA"}},
		{"openbgpd without records", "openbgpd", "8.1", func(r *filtergen.Result) { r.ASPA = nil }, []string{"router r1", "no ASPA records"}},
		{"bird without RTR", "bird2", "2.17", func(r *filtergen.Result) { r.RTR = nil }, []string{"router r1", "no RTR cache"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := aspaFixture(tt.platform, tt.version)
			if tt.edit != nil {
				tt.edit(res)
			}
			files, err := templates.Render(res, res.Routers[0], templates.Options{})
			if err == nil {
				t.Fatalf("rendered %d files", len(files))
			}
			for _, m := range tt.msg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not say %q", err, m)
				}
			}
		})
	}
}

// TestASPAOffParses: without ASPA the output for the installed releases
// (BIRD 2.0.12, OpenBGPD 7.7) has no ASPA syntax and passes their own
// parsers, bird -p and bgpd -n. With ASPA on, 2.0.12 must refuse the
// rendered BIRD syntax (a control: the parser does check it).
func TestASPAOffParses(t *testing.T) {
	t.Run("bird2", func(t *testing.T) {
		files := render(t, fixture("bird2"))
		for _, f := range files {
			if strings.Contains(string(f.Data), "aspa") {
				t.Errorf("%s mentions ASPA though no router asks for it", f.Name)
			}
		}
		bird, err := exec.LookPath("bird")
		if err != nil {
			t.Skip("bird not installed (make deps installs bird2)")
		}
		check := func(files []templates.File) error {
			dir := t.TempDir()
			writeFiles(t, dir, files)
			conf := filepath.Join(dir, "bird.conf")
			main := "log stderr all;\nprotocol device {}\nprotocol bfd {}\ninclude \"r1.conf\";\n"
			if err := os.WriteFile(conf, []byte(main), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.CommandContext(t.Context(), bird, "-p", "-c", conf)
			cmd.Dir = dir
			if b, err := cmd.CombinedOutput(); err != nil {
				return errors.New(strings.TrimSpace(string(b)))
			}
			return nil
		}
		if err := check(files); err != nil {
			t.Fatalf("bird -p refuses the configuration without ASPA: %v", err)
		}
		// Control: a BIRD older than 2.16 refuses the ASPA syntax, so the
		// parser run above does read what it is given.
		out, _ := exec.CommandContext(t.Context(), bird, "--version").CombinedOutput()
		v := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(out)), "BIRD version"))
		if !templates.VersionAtLeast("bird2", v, "2.16") && check(render(t, aspaFixture("bird2", "2.16"))) == nil {
			t.Errorf("bird %s accepted aspa_check, which it does not have", v)
		}
	})
	t.Run("openbgpd", func(t *testing.T) {
		files := render(t, fixture("openbgpd"))
		for _, f := range files {
			if strings.Contains(string(f.Data), "aspa") || strings.Contains(string(f.Data), "avs") {
				t.Errorf("%s mentions ASPA though no router asks for it", f.Name)
			}
		}
		dir := t.TempDir()
		writeFiles(t, dir, files)
		msg, err := validate.OpenBGPD(t.Context(), dir, "r1.conf")
		skipMissing(t, err)
		if msg != "" {
			t.Fatalf("bgpd -n refuses the configuration without ASPA: %s", msg)
		}
		// Control: a bgpd older than 8.0 refuses the aspa-set and "avs".
		bgpd, err := validate.Tool("bgpd", "/usr/sbin/bgpd")
		if err != nil {
			t.Fatal(err)
		}
		out, _ := exec.CommandContext(t.Context(), bgpd, "-V").CombinedOutput()
		v := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(out)), "OpenBGPD"))
		if templates.VersionAtLeast("openbgpd", v, "8.0") {
			return
		}
		dir = t.TempDir()
		writeFiles(t, dir, render(t, aspaFixture("openbgpd", "8.0")))
		msg, err = validate.OpenBGPD(t.Context(), dir, "r1.conf")
		if err != nil || !strings.Contains(msg, "r1.conf:18: syntax error") || !strings.Contains(msg, "r1.d/CUST.conf:39: syntax error") {
			t.Errorf("bgpd %s: want the aspa-set (r1.conf:18) and avs (CUST.conf:39) refused, got %q, %v", v, msg, err)
		}
	})
}
