package yangcheck_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/filtergen/filtergen/internal/bgpq4"
	"github.com/filtergen/filtergen/internal/yangcheck"
	"github.com/filtergen/filtergen/irr"
)

// These tests run against the vendors' own models in shared/yang (read in
// place) and skip when they are absent.

func junos(t testing.TB) *yangcheck.Schema {
	t.Helper()
	s, err := yangcheck.SharedJunos()
	skipOrFail(t, err)
	return s
}

func sros(t testing.TB) *yangcheck.Schema {
	t.Helper()
	s, err := yangcheck.SharedSROS()
	skipOrFail(t, err)
	return s
}

func skipOrFail(t testing.TB, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if _, derr := yangcheck.YANGDir(); derr != nil {
		t.Skip("vendor YANG models not available:", derr)
	}
	t.Fatal(err)
}

// goldenJunos returns the Junos files the bundled examples compile to, as
// internal/cli's golden test keeps them (byte for byte what "filtergen
// compile" writes): every ROUTER.conf whose header names Junos, and the
// ROUTER.d/*.conf peer files beside it.
func goldenJunos(t *testing.T, example string) map[string][]byte {
	t.Helper()
	dir := filepath.Join("..", "cli", "testdata", "golden", example)
	out := map[string][]byte{}
	confs, err := filepath.Glob(filepath.Join(dir, "*.conf"))
	if err != nil || len(confs) == 0 {
		t.Fatalf("no router files in %s: %v", dir, err)
	}
	for _, c := range confs {
		b, err := os.ReadFile(c)
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := bytes.Cut(b, []byte("\n"))
		if !bytes.Contains(first, []byte("(Junos")) { // "(Junos)" or "(Junos 24.4R1)"
			continue
		}
		out[c] = b
		peers, _ := filepath.Glob(filepath.Join(strings.TrimSuffix(c, ".conf")+".d", "*.conf"))
		for _, p := range peers {
			pb, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			out[p] = pb
		}
	}
	return out
}

func TestExamplesJunos(t *testing.T) {
	junos(t)
	for _, ex := range []string{"ixp-onboarding", "transit-customer"} {
		t.Run(ex, func(t *testing.T) {
			files := goldenJunos(t, ex)
			if len(files) < 2 {
				t.Fatalf("only %d Junos files in %s", len(files), ex)
			}
			yangcheck.TestJunos(t, files)

			// The same files, each broken once, must fail: the check
			// above is not vacuous.
			s := junos(t)
			for name, b := range files {
				for _, m := range [][2]string{
					{" upto /", " up-to /"},
					{"then reject;", "then rejekt;"},
					{"family inet ", "family ipv4 "},
				} {
					if !bytes.Contains(b, []byte(m[0])) {
						continue
					}
					bad := bytes.Replace(b, []byte(m[0]), []byte(m[1]), 1)
					if errs := s.CheckJunos(name, bad); len(errs) == 0 {
						t.Errorf("%s with %q replaced by %q: no error", name, m[0], m[1])
					}
				}
			}
		})
	}
}

type realCase struct {
	name string
	cfg  string
	want []string // substrings, one per expected error, in order
}

func runReal(t *testing.T, check func(string, []byte) []yangcheck.Error, cases []realCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			errs := check("t.conf", []byte(tc.cfg))
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d errors, want %d:\n%s", len(got), len(tc.want), strings.Join(got, "\n"))
			}
			for i := range got {
				if !strings.Contains(got[i], tc.want[i]) {
					t.Errorf("error %d = %q\nwant it to contain %q", i, got[i], tc.want[i])
				}
			}
		})
	}
}

// The first line of every negative case is a valid statement, so each
// proves the checker accepts what surrounds the mistake.
func TestJunosReal(t *testing.T) {
	s := junos(t)
	runReal(t, s.CheckJunos, []realCase{
		{"valid features", `
/* filtergen-style fragment with features the templates may grow into */
policy-options {
    replace:
    route-filter-list RFL {
        192.0.2.0/24 exact;
        198.51.100.0/24 upto /28;
        203.0.113.0/24 prefix-length-range /25-/26;
        2001:db8::/32 orlonger;
    }
    prefix-list PL { 192.0.2.0/24; 2001:db8::/32; }
    community C members [ 65000:1 large:65000:1:1 ];
    as-path-group AP { as-path a0 "^64500(64500)*$"; }
    policy-statement P {
        term t {
            from {
                protocol bgp;
                route-filter 10.0.0.0/8 orlonger reject;
                prefix-list-filter PL orlonger;
                validation-database invalid;
            }
            then {
                local-preference 200;
                community add C;
                validation-state invalid;
                next term;
            }
        }
        then reject;
    }
}
inactive: interfaces {
    xe-0/0/1 {
        description "to customer";
        unit 100 {
            vlan-id 100;
            family inet {
                rpf-check { mode loose; }
                filter { input F; }
                address 192.0.2.1/30;
            }
        }
    }
}
protocols {
    bgp {
        group G {
            type external;
            family inet { unicast { prefix-limit { maximum 10; teardown 90 idle-timeout forever; } } }
            neighbor 192.0.2.2 { peer-as 64500; import [ P ]; }
        }
    }
}
routing-options { autonomous-system 64496; }
`, nil},
		{"wrong keyword", "policy-options { prefix-list P { 192.0.2.0/24; } }\npolicy-options { prefix-lists P { 192.0.2.0/24; } }",
			[]string{`t.conf:2: /configuration/policy-options: unknown keyword "prefix-lists"`}},
		{"left-out top level", "policy-options { prefix-list P { 192.0.2.0/24; } }\nsystem { host-name r1; }",
			[]string{`t.conf:2: /configuration: unknown keyword "system" (the loaded schema covers: `}},
		{"wrong nesting", "protocols { bgp { group G { type external; } } }\nprotocols { group G { type external; } }",
			[]string{`t.conf:2: /configuration/protocols: unknown keyword "group"`}},
		{"invalid enum", "protocols { bgp { group G { type external; } } }\nprotocols { bgp { group G { type externa; } } }",
			[]string{`t.conf:2: /configuration/protocols/bgp/group/type: "externa": not one of internal, external`}},
		{"out of range", "protocols { bgp { group G { family inet { unicast { prefix-limit { maximum 10; } } } } } }\nprotocols { bgp { group G { family inet { unicast { prefix-limit { maximum 5000000000; } } } } } }",
			[]string{`t.conf:2: /configuration/protocols/bgp/group/family/inet/unicast/prefix-limit/maximum: "5000000000": matches no member of the union`}},
		{"route-filter-list bad match type", "policy-options { route-filter-list R {\n192.0.2.0/24 exact;\n192.0.2.0/24 exactly;\n} }",
			[]string{`t.conf:3: /configuration/policy-options/route-filter-list/rf_list/choice-ident: "exactly": not one of exact, longer, orlonger, upto, through, prefix-length-range, address-mask`}},
		{"route-filter-list bad length", "policy-options { route-filter-list R {\n192.0.2.0/24 upto /25;\n192.0.2.0/24 upto /23;\n} }",
			[]string{`t.conf:3: /configuration/policy-options/route-filter-list/rf_list/choice-value: "/23": prefix length /23 is shorter than the prefix's /24`}},
		{"prefix-list bad prefix", "policy-options { prefix-list P {\n192.0.2.0/24;\n192.0.2.0/33;\n} }",
			[]string{`t.conf:3: /configuration/policy-options/prefix-list/prefix-list-item/name: "192.0.2.0/33": not an IP prefix`}},
		{"missing value", "protocols { bgp { group G { peer-as 64500; } } }\nprotocols { bgp { group G { peer-as; } } }",
			[]string{`t.conf:2: /configuration/protocols/bgp/group/peer-as: missing value`}},
		{"posix pattern", "protocols { bgp { group G { peer-as 64500; } } }\nprotocols { bgp { group G { peer-as AS64500; } } }",
			[]string{`t.conf:2: /configuration/protocols/bgp/group/peer-as: "AS64500": `}},
		{"choice conflict", "policy-options { policy-statement P { then {\naccept;\nreject;\n} } }",
			[]string{`t.conf:3: /configuration/policy-options/policy-statement/then/reject: reject conflicts with accept (line 2)`}},
		{"interface with a unit in its name", "interfaces { xe-0/0/1 { unit 0 { family inet; } } }\ninterfaces { xe-0/0/1.100 { unit 0 { family inet; } } }",
			[]string{`t.conf:2: /configuration/interfaces/interface/name: "xe-0/0/1.100": a physical interface name has no unit: write xe-0/0/1 { unit 100 { ... } }`}},
		{"all errors", "policy-options {\n foo;\n prefix-list P { 1.2.3.4/40; }\n}\nfirewall { family inet { filter F { term t { then discardd; } } } }",
			[]string{
				`t.conf:2: /configuration/policy-options: unknown keyword "foo"`,
				`t.conf:3: /configuration/policy-options/prefix-list/prefix-list-item/name: "1.2.3.4/40"`,
				`t.conf:5: /configuration/firewall/family/inet/filter/term/then: unknown keyword "discardd"`,
			}},
	})
}

// bgpq4Outputs runs our bgpq4 clone (-n, SR OS MD-CLI) on the demo
// registry in shared/testdata, in process.
func bgpq4Outputs(t *testing.T) map[string][]byte {
	t.Helper()
	dump := filepath.Join("..", "..", "..", "shared", "testdata", "demo", "bgpq4-demo.rpsl")
	if d := os.Getenv(yangcheck.SharedEnv); d != "" {
		dump = filepath.Join(d, "testdata", "demo", "bgpq4-demo.rpsl")
	}
	f, err := os.Open(dump)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("shared demo registry not available:", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx := context.Background()
	b := irr.NewBuilder(irr.LoadOptions{})
	if err := b.ReadFrom(ctx, f, dump); err != nil {
		t.Fatal(err)
	}
	reg, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, args := range [][]string{
		{"-n"}, {"-n", "-6"}, {"-n", "-A"}, {"-n", "-R", "24"}, {"-n", "-r", "25", "-R", "26"},
		{"-n", "-E"}, {"-n", "-E", "-6"}, {"-n", "-f", "100"}, {"-n", "-G", "100"},
	} {
		full := append(slices.Clone(args), "-l", "PL_AS_DEMO", "AS-DEMO")
		o, err := bgpq4.Parse(full, func(string) string { return "" })
		if err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		if err := bgpq4.Generate(ctx, reg, o, &stdout, &stderr); err != nil {
			t.Fatalf("bgpq4 %v: %v\n%s", full, err, stderr.String())
		}
		if stdout.Len() == 0 {
			t.Fatalf("bgpq4 %v: no output", full)
		}
		out["bgpq4 "+strings.Join(full, " ")] = stdout.Bytes()
	}
	return out
}

func TestMDCLIBgpq4(t *testing.T) {
	s := sros(t)
	outs := bgpq4Outputs(t)
	yangcheck.TestMDCLI(t, outs)

	// Broken variants of real output must fail, each at the line changed.
	pl := string(outs["bgpq4 -n -R 24 -l PL_AS_DEMO AS-DEMO"])
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"bad match type", "type exact {", "type exactly {", `"exactly": not one of`},
		{"missing type", "type exact {", "{", "missing key type"},
		{"bad prefix", "44.0.0.0/8", "44.0.0.0/33", `"44.0.0.0/33": matches no member`},
		{"length out of range", "through-length 24", "through-length 129", `"129": out of range`},
		{"misspelled keyword", "through-length 24", "thru-length 24", `unknown keyword "thru-length"`},
		{"wrong context", "/configure policy-options", "/configure filter", `unknown keyword "prefix-list"`},
		{"unbalanced", "    }\n}", "    }\n", "not closed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(pl, tc.old) {
				t.Fatalf("output lacks %q:\n%s", tc.old, pl)
			}
			bad := strings.Replace(pl, tc.old, tc.new, 1)
			errs := s.CheckMDCLI("bad", []byte(bad))
			if len(errs) == 0 {
				t.Fatalf("no error for:\n%s", bad)
			}
			if !strings.Contains(errs[0].Error(), tc.want) {
				t.Errorf("first error %q, want it to contain %q (all: %v)", errs[0], tc.want, errs)
			}
		})
	}
}

func TestMDCLIReal(t *testing.T) {
	s := sros(t)
	files, err := filepath.Glob(filepath.Join("testdata", "mdcli", "*.cfg"))
	if err != nil || len(files) == 0 {
		t.Fatal("no testdata/mdcli/*.cfg", err)
	}
	in := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		in[f] = b
	}
	yangcheck.TestMDCLI(t, in)

	runReal(t, s.CheckMDCLI, []realCase{
		{"flat", `/configure policy-options prefix-list "PL" prefix 192.0.2.0/24 type exact
/configure policy-options prefix-list "PL" prefix 192.0.2.0/24 type through through-length 28
/configure router "Base" bgp neighbor "192.0.2.1" group "G"
/configure router "Base" bgp neighbor "192.0.2.1" import policy ["P1" "P2"]
/configure filter match-list ip-prefix-list "SRC" prefix 192.0.2.0/24`, nil},
		{"invalid enum", "/configure policy-options policy-statement \"P\" default-action action-type reject\n/configure policy-options policy-statement \"P\" default-action action-type drop",
			[]string{`t.conf:2: /configure/policy-options/policy-statement/default-action/action-type: "drop": not one of`}},
		{"out of range", "/configure router \"Base\" bgp neighbor \"192.0.2.1\" prefix-limit ipv4 maximum 10\n/configure router \"Base\" bgp neighbor \"192.0.2.1\" prefix-limit ipv4 threshold 101",
			[]string{`t.conf:2: /configure/router/bgp/neighbor/prefix-limit/threshold: "101": out of range 1..100`}},
		{"wrong nesting", "/configure router \"Base\" bgp group \"G\" type external\n/configure router \"Base\" group \"G\" type external",
			[]string{`t.conf:2: /configure/router: unknown keyword "group"`}},
		{"left-out top level", "/configure policy-options prefix-list \"PL\"\n/configure system name \"r1\"",
			[]string{`t.conf:2: /configure: unknown keyword "system" (the loaded schema covers: `}},
		{"long name", `/configure policy-options prefix-list "` + strings.Repeat("x", 65) + `"`,
			[]string{`/configure/policy-options/prefix-list/name: "` + strings.Repeat("x", 65) + `": length 65 out of range 1..64`}},
	})
}

func TestSharedDropped(t *testing.T) {
	s := sros(t)
	var groups, uses bool
	for _, d := range s.Dropped {
		groups = groups || strings.Contains(d, "include nokia-conf-groups ")
		uses = uses || strings.Contains(d, "configure: uses conf-system ")
	}
	if !groups || !uses {
		t.Errorf("Dropped lacks the groups include or the system uses: %d entries", len(s.Dropped))
	}
	if got, want := s.Top(), []string{"apply-groups", "filter", "policy-options", "port", "router", "service"}; !slices.Equal(got, want) {
		t.Errorf("SR OS Top() = %v, want %v", got, want)
	}
	for _, sc := range []*yangcheck.Schema{s, junos(t)} {
		t.Logf("%s: %d schema nodes, %d patterns Go cannot compile: %q", sc.Dialect(), sc.Nodes(), len(sc.SkippedPatterns), sc.SkippedPatterns)
		if len(sc.SkippedPatterns) > 10 {
			t.Errorf("%s: %d patterns skipped; expected a handful", sc.Dialect(), len(sc.SkippedPatterns))
		}
	}
	if got := junos(t).Top(); !slices.Contains(got, "policy-options") || !slices.Contains(got, "groups") || slices.Contains(got, "system") {
		t.Errorf("Junos Top() = %v", got)
	}
}

func BenchmarkLoadJunos(b *testing.B) {
	dir, err := yangcheck.YANGDir()
	if err != nil {
		b.Skip(err)
	}
	for b.Loop() {
		if _, err := yangcheck.LoadJunos(filepath.Join(dir, yangcheck.JunosFolder)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadSROS(b *testing.B) {
	dir, err := yangcheck.YANGDir()
	if err != nil {
		b.Skip(err)
	}
	for b.Loop() {
		if _, err := yangcheck.LoadSROS(filepath.Join(dir, yangcheck.SROSFolder)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckJunos(b *testing.B) {
	s := junos(b)
	var cfg bytes.Buffer
	cfg.WriteString("policy-options {\n route-filter-list R {\n")
	for i := range 100000 {
		fmt.Fprintf(&cfg, "  10.%d.%d.0/24 upto /28;\n", i>>8&255, i&255)
	}
	cfg.WriteString(" }\n}\n")
	b.SetBytes(int64(cfg.Len()))
	for b.Loop() {
		if errs := s.CheckJunos("bench", cfg.Bytes()); len(errs) > 0 {
			b.Fatal(errs[0])
		}
	}
}
