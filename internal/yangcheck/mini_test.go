package yangcheck

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// The mini schemas under testdata/ are small hand-written models shaped
// like the vendors' (same module names, extensions and idioms). They make
// the checker's logic testable and fuzzable without the vendor folders.

var mini struct {
	junosOnce, srosOnce sync.Once
	junos, sros         *Schema
	junosErr, srosErr   error
}

func miniJunos(tb testing.TB) *Schema {
	tb.Helper()
	mini.junosOnce.Do(func() { mini.junos, mini.junosErr = LoadJunos(filepath.Join("testdata", "junos-mini")) })
	if mini.junosErr != nil {
		tb.Fatal(mini.junosErr)
	}
	return mini.junos
}

func miniSROS(tb testing.TB) *Schema {
	tb.Helper()
	mini.srosOnce.Do(func() { mini.sros, mini.srosErr = LoadSROS(filepath.Join("testdata", "sros-mini")) })
	if mini.srosErr != nil {
		tb.Fatal(mini.srosErr)
	}
	return mini.sros
}

func TestMiniLoad(t *testing.T) {
	j := miniJunos(t)
	if got, want := j.Top(), []string{"apply-groups", "groups", "policy-options", "protocols"}; !slices.Equal(got, want) {
		t.Errorf("junos Top() = %v, want %v", got, want)
	}
	s := miniSROS(t)
	if got, want := s.Top(), []string{"policy-options", "router"}; !slices.Equal(got, want) {
		t.Errorf("sros Top() = %v, want %v", got, want)
	}
	want := []string{
		"nokia-conf-policy-options.yang: include nokia-conf-system",
		"nokia-conf.yang: configure: uses conf-system",
		"nokia-conf.yang: include nokia-conf-system",
	}
	var got []string
	for _, d := range s.Dropped {
		got = append(got, d[:strings.Index(d, " (")])
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("Dropped = %q, want %q", got, want)
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		load func(string) (*Schema, error)
		dir  string
		want string
	}{
		{"unresolved grouping", LoadSROS, "testdata/sros-broken", "unknown grouping conf-policy-options-missing"},
		{"missing dir", LoadJunos, "testdata/nope", "no such file"},
		{"YANG 1.0 escapes need the Junos loader", LoadSROS, "testdata/junos-mini", `invalid escape sequence: \'`},
		{"the Junos loader drops no include", LoadJunos, "testdata/sros-mini", "no such submodule: nokia-conf-system"},
		{"no root module", LoadJunos, onlyModule(t), "module junos-conf-root not found"},
		{"no yang", LoadSROS, "testdata", "no .yang files"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := tc.load(tc.dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q (schema %v)", err, tc.want, s)
			}
		})
	}
}

func onlyModule(t *testing.T) string {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "m.yang"), []byte("module m { namespace \"urn:m\"; prefix m; leaf x { type string; } }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestUnescapeQuote(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`description "it\'s";`, `description "it's";`},
		{`pattern "a\\'";`, `pattern "a\\'";`},           // escaped backslash, then a quote that ends nothing
		{`description 'it\'s';`, `description 'it\'s';`}, // single quotes: backslash is literal
		{"// it\\'s\nx \"\\'\";", "// it\\'s\nx \"'\";"},
		{`/* "\' */ x "\'\"";`, `/* "\' */ x "'\"";`},
		{`x "\n\t\"\\";`, `x "\n\t\"\\";`},
		{`no escapes`, `no escapes`},
	} {
		if got := unescapeQuote(tc.in); got != tc.want {
			t.Errorf("unescapeQuote(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLineStatement(t *testing.T) {
	for _, tc := range []struct {
		line, kw string
		open     bool
		want     string
		ok       bool
	}{
		{"    include nokia-conf-aaa;\n", "include", false, "nokia-conf-aaa", true},
		{"include x; // note", "include", false, "x", true},
		{"includes x;", "include", false, "", false},
		{"include x y;", "include", false, "", false},
		{"    grouping conf-port {\n", "grouping", true, "conf-port", true},
		{"    grouping conf-port;", "grouping", true, "", false},
		{`description "include x;";`, "include", false, "", false},
	} {
		got, ok := lineStatement(tc.line, tc.kw, tc.open)
		if got != tc.want || ok != tc.ok {
			t.Errorf("lineStatement(%q, %q) = %q, %v; want %q, %v", tc.line, tc.kw, got, ok, tc.want, tc.ok)
		}
	}
}

// errLine renders an error without the file, for compact expectations.
func errLine(e Error) string {
	e.File = ""
	return e.Error()
}

func checkCases(t *testing.T, check func(string, []byte) []Error, cases []checkCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			errs := check("t", []byte(tc.cfg))
			var got []string
			for _, e := range errs {
				got = append(got, errLine(e))
				if e.File != "t" {
					t.Errorf("error %v: File = %q, want t", e, e.File)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d errors, want %d:\n%s", len(got), len(tc.want), strings.Join(got, "\n"))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tc.want[i]) {
					t.Errorf("error %d = %q\nwant prefix     %q", i, got[i], tc.want[i])
				}
			}
		})
	}
}

type checkCase struct {
	name string
	cfg  string
	want []string // prefixes of the errors, in order
}

func TestCheckJunosMini(t *testing.T) {
	s := miniJunos(t)
	checkCases(t, s.CheckJunos, []checkCase{
		{"empty", "", nil},
		{"comments and annotations", `
## Last changed: 2026-12-03
/* header */
policy-options {
    replace:
    route-filter-list RFL { # trailing comment
        192.0.2.0/24 exact;
        198.51.100.0/24 upto /28;
        203.0.113.0/24 prefix-length-range /25-/26;
        10.0.0.0/8 through 10.1.0.0/16;
        2001:db8::/32 orlonger reject;
    }
    inactive: prefix-list PL { 192.0.2.0/24; 2001:db8::/32; }
    delete: community OLD;
    community C members [ 65000:1 65000:2 ];
}`, nil},
		{"policy with oneliners and choices", `
policy-options {
    policy-statement P {
        term a {
            from {
                protocol [ bgp static ];
                family inet;
                route-filter-list RFL;
                route-filter 192.0.2.0/24 orlonger accept;
            }
            then {
                local-preference 200;
                accept;
            }
        }
        term b { then local-preference add 10; }
        then reject;
    }
}`, nil},
		{"bgp group", `
protocols {
    bgp {
        group G {
            type external;
            description "AS64500 \"Example\" Corp";
            peer-as 64500.1;
            import [ A B ];
            family inet {
                unicast {
                    prefix-limit {
                        maximum 10;
                        teardown 90 idle-timeout 30;
                    }
                }
            }
            family inet6 { unicast { prefix-limit { teardown 80 idle-timeout forever; } } }
            neighbor 192.0.2.1;
            neighbor 2001:db8::1 { description x; passive; }
        }
    }
}`, nil},
		{"groups are homogeneous", `
groups {
    G1 { policy-options { prefix-list P { 192.0.2.0/24; } } }
}
apply-groups G1;`, nil},
		{"unknown keyword", `policy-options { prefix-lists P { 192.0.2.0/24; } }`,
			[]string{`1: /configuration/policy-options: unknown keyword "prefix-lists"`}},
		{"unknown top level", `system { host-name r1; }`,
			[]string{`1: /configuration: unknown keyword "system" (the loaded schema covers: apply-groups, groups, policy-options, protocols)`}},
		{"wrong nesting", `protocols { group G { type external; } }`,
			[]string{`1: /configuration/protocols: unknown keyword "group"`}},
		{"invalid enum", "protocols {\n bgp {\n  group G {\n   type externa;\n  }\n }\n}",
			[]string{`4: /configuration/protocols/bgp/group/type: "externa": not one of internal, external`}},
		{"out of range", `protocols { bgp { group G { family inet { unicast { prefix-limit { maximum 0; teardown 101; } } } } } }`,
			[]string{
				`1: /configuration/protocols/bgp/group/family/inet/unicast/prefix-limit/maximum: "0": out of range 1..4294967295`,
				`1: /configuration/protocols/bgp/group/family/inet/unicast/prefix-limit/teardown/limit-threshold: "101": out of range 1..100`,
			}},
		{"bad match type", `policy-options { route-filter-list R { 192.0.2.0/24 exactly; } }`,
			[]string{`1: /configuration/policy-options/route-filter-list/rf_list/choice-ident: "exactly": not one of exact, longer, orlonger, upto, through, prefix-length-range, address-mask`}},
		{"match type values", `policy-options { route-filter-list R {
192.0.2.0/24 upto /20;
192.0.2.0/24 upto;
192.0.2.0/24 prefix-length-range /26-/25;
192.0.2.0/24 through 198.51.100.0/25;
192.0.2.0/24 upto /33;
} }`,
			[]string{
				`2: /configuration/policy-options/route-filter-list/rf_list/choice-value: "/20": prefix length /20 is shorter than the prefix's /24`,
				`3: /configuration/policy-options/route-filter-list/rf_list/choice-value: upto needs a value`,
				`4: /configuration/policy-options/route-filter-list/rf_list/choice-value: "/26-/25": range /26-/25 is empty`,
				`5: /configuration/policy-options/route-filter-list/rf_list/choice-value: "198.51.100.0/25": not a more specific of 192.0.2.0/24`,
				`6: /configuration/policy-options/route-filter-list/rf_list/choice-value: "/33": prefix length out of range 0..32`,
			}},
		{"bad prefix", `policy-options { prefix-list P { 192.0.2.0/33; 2001:db8::/32; } }`,
			[]string{`1: /configuration/policy-options/prefix-list/prefix-list-item/name: "192.0.2.0/33": not an IP prefix`}},
		{"posix pattern", `policy-options { prefix-list __P { 192.0.2.0/24; } } protocols { bgp { group G { peer-as AS1; } } }`,
			[]string{
				`1: /configuration/policy-options/prefix-list/name: "__P": Must be a string of 64 characters or less (posix-pattern "!^((__.*)|(.{65,}))$")`,
				`1: /configuration/protocols/bgp/group/peer-as: "AS1": Use format 'x' or 'x.y' (posix-pattern`,
			}},
		{"missing value", `protocols { bgp { group G { type; description; } } }`,
			[]string{
				`1: /configuration/protocols/bgp/group/type: missing value`,
				`1: /configuration/protocols/bgp/group/description: missing value`,
			}},
		{"missing key", `policy-options { policy-statement { then accept; } }`,
			[]string{`1: /configuration/policy-options/policy-statement: missing name`}},
		{"empty leaf with value", `protocols { bgp { group G { neighbor 192.0.2.1 { passive yes; } } } }`,
			[]string{`1: /configuration/protocols/bgp/group/neighbor: unexpected yes after a value`}},
		{"choice conflict", "policy-options {\n policy-statement P {\n  then {\n   accept;\n   reject;\n  }\n }\n}",
			[]string{`5: /configuration/policy-options/policy-statement/then/reject: reject conflicts with accept (line 4): both set in choice accept_reject`}},
		{"block after value", `protocols { bgp { group G { type external { } } } }`,
			[]string{`1: /configuration/protocols/bgp/group: { } block after a value`}},
		{"list value for leaf", `protocols { bgp { group G { type [ external internal ]; } } }`,
			[]string{`1: /configuration/protocols/bgp/group/type: a [ ] list where one value is expected`}},
		{"bad address", `protocols { bgp { group G { neighbor 192.0.2.256; } } }`,
			[]string{`1: /configuration/protocols/bgp/group/neighbor/name: "192.0.2.256": not an IP address`}},
		{"all errors reported", "policy-options {\n foo;\n bar;\n}\nprotocols { baz; }",
			[]string{
				`2: /configuration/policy-options: unknown keyword "foo"`,
				`3: /configuration/policy-options: unknown keyword "bar"`,
				`5: /configuration/protocols: unknown keyword "baz"`,
			}},
		{"syntax: unclosed", "policy-options {\n prefix-list P {\n",
			[]string{`2: syntax: block of "prefix-list P" not closed`}},
		{"syntax: unterminated", "policy-options {\n community C members x\n}",
			[]string{`2: syntax: statement "community C members x" not terminated`}},
		{"syntax: stray brace", "}\n",
			[]string{`1: syntax: } without {`}},
		{"syntax: string", "policy-options { community \"C;\n",
			[]string{`1: syntax: unterminated quoted string`}},
		{"syntax: comment", "/* policy-options",
			[]string{`1: syntax: unterminated /* comment`}},
		{"syntax: list at the end", "policy-options { community C members [ a\n b",
			[]string{`2: syntax: unterminated [ list`}},
		{"syntax: list cut by a brace", "policy-options { community C members [ a }",
			[]string{`1: syntax: unterminated [ list (found "}")`}},
		{"syntax: ; is a word's end", "policy-options { community C;members x; }",
			[]string{`1: /configuration/policy-options: unknown keyword "members"`}},
		{"syntax: checks what came before", "policy-options { foo; }\n}",
			[]string{
				`1: /configuration/policy-options: unknown keyword "foo"`,
				`2: syntax: } without {`,
			}},
	})
}

func TestCheckMDCLIMini(t *testing.T) {
	s := miniSROS(t)
	checkCases(t, s.CheckMDCLI, []checkCase{
		{"empty", "", nil},
		{"bgpq4 -n", `/configure policy-options
delete prefix-list "PL"
prefix-list "PL" {
    prefix 192.0.2.0/24 type exact {
    }
    prefix 198.51.100.0/24 type through {
        through-length 25
    }
    prefix 2001:db8::/32 type range {
        start-length 40
        end-length 48
    }
}
delete as-path-group "AP"
as-path-group "AP" {
  entry 1 {
    expression "64500+"
  }
}
`, nil},
		{"flat with session commands", `edit-config private
# a comment
/configure policy-options prefix-list "PL" prefix 192.0.2.0/24 type exact
/configure policy-options prefix-list "PL" prefix ip-prefix 192.0.2.0/24 type through through-length 25
/configure router "Base" bgp neighbor "192.0.2.1" peer-as 64500 description "x y"
/configure router "Base" bgp neighbor "192.0.2.1" import policy ["A" "B"]
begin
commit
quit-config
`, nil},
		{"info from the root", `configure {
    policy-options {
        policy-statement "P" {
            entry 10 {
                from { prefix-list ["PL"] origin-validation-state invalid }
                action { action-type reject }
            }
        }
    }
    router "Base" {
        bgp {
            admin-state enable
            neighbor "192.0.2.1" { family { ipv4 true } passive }
        }
    }
}`, nil},
		{"navigation", `/configure router "Base" bgp
neighbor "192.0.2.1" {
    peer-as 1
}
exit
bgp admin-state disable
top
policy-options prefix-list "X"
prefix 10.0.0.0/8 type longer
`, nil},
		{"navigation: context", "/configure router \"Base\" bgp\nadmin-state enable\nexit\nadmin-state enable\n",
			[]string{`4: /configure/router: unknown keyword "admin-state"`}},
		{"bad match type", `/configure policy-options prefix-list "PL" prefix 192.0.2.0/24 type exactly`,
			[]string{`1: /configure/policy-options/prefix-list/prefix/type: "exactly": not one of exact, longer, through, range`}},
		{"missing second key", `/configure policy-options prefix-list "PL" prefix 192.0.2.0/24 { }`,
			[]string{`1: /configure/policy-options/prefix-list/prefix/type: missing key type (write: type VALUE)`}},
		{"bad prefix", "/configure policy-options\nprefix-list \"PL\" {\n    prefix 192.0.2.0/33 type exact { }\n}",
			[]string{`3: /configure/policy-options/prefix-list/prefix/ip-prefix: "192.0.2.0/33": matches no member of the union`}},
		{"out of range", `/configure policy-options prefix-list "PL" prefix 192.0.2.0/24 type through through-length 129`,
			[]string{`1: /configure/policy-options/prefix-list/prefix/through-length: "129": out of range 0..128`}},
		{"unknown keyword", "/configure policy-options\nprefix-lists \"PL\" {\n}",
			[]string{`2: /configure/policy-options: unknown keyword "prefix-lists" (expected one of: as-path-group, policy-statement, prefix-list)`}},
		{"left-out top level", `/configure system name "r1"`,
			[]string{`1: /configure: unknown keyword "system" (the loaded schema covers: policy-options, router)`}},
		{"wrong nesting", `/configure router "Base" neighbor "192.0.2.1"`,
			[]string{`1: /configure/router: unknown keyword "neighbor"`}},
		{"bad boolean", `/configure router "Base" bgp neighbor "192.0.2.1" family ipv4 yes`,
			[]string{`1: /configure/router/bgp/neighbor/family/ipv4: "yes": not a boolean (true or false)`}},
		{"too long", `/configure router "Base" bgp neighbor "192.0.2.1" description "` + strings.Repeat("x", 81) + `"`,
			[]string{`1: /configure/router/bgp/neighbor/description: "` + strings.Repeat("x", 81) + `": length 81 out of range 1..80`}},
		{"choice conflict", "/configure router \"Base\" bgp neighbor \"192.0.2.1\" {\n authentication-key \"k\"\n auth-keychain \"c\"\n}",
			[]string{`3: /configure/router/bgp/neighbor/auth-keychain: auth-keychain conflicts with authentication-key (line 2): both set in choice auth`}},
		{"missing value", `/configure router "Base" bgp admin-state`,
			[]string{`1: /configure/router/bgp/admin-state: missing value`}},
		{"quoted keyword", `/configure "policy-options"`,
			[]string{`1: /configure: unexpected value "policy-options" where a keyword is expected`}},
		{"unknown absolute path", `/state router "Base"`,
			[]string{`1: unknown absolute path "/state"`}},
		{"syntax: unclosed", "/configure policy-options\nprefix-list \"PL\" {\n",
			[]string{`2: syntax: block of "prefix-list \"PL\"" not closed`}},
		{"syntax: stray", "}",
			[]string{`1: syntax: } without {`}},
		{"syntax: quote", "/configure policy-options prefix-list \"PL\n",
			[]string{`1: syntax: unterminated quoted string`}},
		{"syntax: list at the end", "/configure policy-options prefix-list [ \"a\"\n",
			[]string{`2: syntax: unterminated [ list`}},
		{"syntax: list cut by a brace", "/configure policy-options prefix-list [ \"a\" {",
			[]string{`1: syntax: unterminated [ list (found "{")`}},
		{"delete takes partial paths", "/configure policy-options\ndelete prefix-list \"PL\"\ndelete as-path-group\n", nil},
	})
}

func TestDialectMismatch(t *testing.T) {
	if errs := miniSROS(t).CheckJunos("f", nil); len(errs) != 1 || !strings.Contains(errs[0].Msg, "not Junos") {
		t.Errorf("CheckJunos on an SR OS schema: %v", errs)
	}
	if errs := miniJunos(t).CheckMDCLI("f", nil); len(errs) != 1 || !strings.Contains(errs[0].Msg, "not SR OS") {
		t.Errorf("CheckMDCLI on a Junos schema: %v", errs)
	}
}

func TestLimits(t *testing.T) {
	s := miniJunos(t).WithLimits(Limits{MaxBytes: 10, MaxDepth: 2, MaxErrors: 2})
	if errs := s.CheckJunos("f", []byte(strings.Repeat(" ", 11))); len(errs) != 1 || !strings.Contains(errs[0].Msg, "over the limit") {
		t.Errorf("MaxBytes: %v", errs)
	}
	s = miniJunos(t).WithLimits(Limits{MaxDepth: 2})
	if errs := s.CheckJunos("f", []byte("a { b { c { d; } } }")); len(errs) != 1 || !strings.Contains(errs[0].Msg, "nesting deeper than 2") {
		t.Errorf("MaxDepth: %v", errs)
	}
	s = miniJunos(t).WithLimits(Limits{MaxErrors: 2})
	errs := s.CheckJunos("f", []byte("a; b; c; d;"))
	if len(errs) != 3 || !strings.Contains(errs[2].Msg, "too many errors") {
		t.Errorf("MaxErrors: %v", errs)
	}
}

// A Schema is immutable after loading: checks may run concurrently (run
// with -race).
func TestConcurrentChecks(t *testing.T) {
	j, s := miniJunos(t), miniSROS(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if errs := j.CheckJunos("f", []byte("policy-options { policy-statement P { then { accept; reject; } } }")); len(errs) != 1 {
				t.Errorf("junos: %v", errs)
			}
			if errs := s.CheckMDCLI("f", []byte("/configure policy-options prefix-list \"P\" prefix 192.0.2.0/24 type exact\n")); len(errs) != 0 {
				t.Errorf("md-cli: %v", errs)
			}
		})
	}
	wg.Wait()
}
