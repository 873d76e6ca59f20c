package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/itchyny/gojq"
)

// jsonFixture is a policy whose output has every optional key: a
// customer (ACL, uRPF), dropped prefixes and ASNs, a missing nested set
// (warnings), RPKI data.
func jsonFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write(t, dir, "db.rpsl", testRPSL+`
as-set:  AS-C
members: AS3000, AS64512, AS-GONE
source:  TEST

route:   13.0.0.0/16
origin:  AS3000
source:  TEST

route:   10.0.0.0/8
origin:  AS3000
source:  TEST

route:   11.0.0.0/24
origin:  AS1000
source:  TEST

as-set:  AS-LOOP
members: AS-LOOP2
source:  TEST

as-set:  AS-LOOP2
members: AS-LOOP, AS1000
source:  TEST
`)
	write(t, dir, "vrps.json", testVRPs)
	write(t, dir, "policy.yaml", testPolicy+`customers:
  - name: C
    asn: 3000
    announce: [AS-C]
    neighbors: [192.0.2.3]
    interface: eth1
    routers: [r1]
`)
	return dir
}

type jsonMode struct {
	name    string
	args    []string // after the fixture directory is substituted for DIR
	section string   // heading of docs/json.md
	code    int
	stderr  bool   // the document checked is stderr's (an error)
	jq      string // a jq query over the document ...
	want    string // ... and its results, JSON-encoded, one per line
}

var jsonModes = []jsonMode{
	{name: "compile", args: []string{"compile", "DIR/policy.yaml", "--json"}, section: "filtergen compile --json",
		jq:   `[.peers[].name], (.peers[] | select(.name=="C") | .families[0].acl), has("output")`,
		want: `["A","B","C"]` + "\n" + `["13.0.0.0/16","192.0.2.3/32"]` + "\nfalse"},
	{name: "compile -o", args: []string{"compile", "DIR/policy.yaml", "--json", "-o", "DIR/out"}, section: "filtergen compile --json",
		jq:   `.output.mode, ([.output.files[].state] | unique), (.output.warnings | keys)`,
		want: `"write"` + "\n" + `["created"]` + "\n" + `["C"]`},
	{name: "compile --check", args: []string{"compile", "DIR/policy.yaml", "--json", "--check", "-o", "DIR/out"}, section: "filtergen compile --json",
		code: ExitChanged, jq: `.output.changed, [.output.files[] | select(.state != "unchanged") | .name]`,
		want: "true\n" + `["r1.d/A.conf","r2.d/A.conf"]`},
	{name: "compile --diff", args: []string{"compile", "DIR/policy.yaml", "--json", "--diff", "-o", "DIR/out"}, section: "filtergen compile --json",
		code: ExitChanged, jq: `[.output.files[] | select(.diff != null) | .diff | contains("+++ new/")] | unique`,
		want: `[true]`},
	{name: "compile --router", args: []string{"compile", "DIR/policy.yaml", "--json", "--router", "r2"}, section: "filtergen compile --json",
		jq: `[.routers[].name]`, want: `["r2"]`},
	{name: "compile error", args: []string{"compile", "DIR/policy.yaml", "--json", "--keep-going", "--router", "r1", "--check", "-o", "DIR/bad"},
		section: "Errors", code: ExitFailure, stderr: true, jq: `.exit, .failed_peers`, want: "1\n" + `["C"]`},
	{name: "compile keep-going", args: []string{"compile", "DIR/policy.yaml", "--json", "--keep-going", "--router", "r1", "--check", "-o", "DIR/out"},
		section: "filtergen compile --json", code: ExitFailure, jq: `.output.failed, .output.temp_removed`, want: `["C"]` + "\nnull"},
	{name: "compile temp cleanup", args: []string{"compile", "DIR/policy.yaml", "--json", "-o", "DIR/out"},
		section: "filtergen compile --json", jq: `.output.temp_removed`, want: "1"},
	{name: "explain accepted", args: []string{"explain", "DIR/policy.yaml", "A", "11.0.0.0/16", "--json"}, section: "filtergen explain --json",
		jq: `.verdict, .entry`, want: `"accepted"` + "\n" + `"11.0.0.0/14^16"`},
	{name: "explain refused", args: []string{"explain", "DIR/policy.yaml", "C", "10.0.0.0/8", "--json"}, section: "filtergen explain --json",
		code: ExitFailure, jq: `.verdict, .dropped[0].reason, .dropped[0].origin`, want: `"not-accepted"` + "\n" + `"bogon"` + "\n3000"},
	{name: "explain more-specific", args: []string{"explain", "DIR/policy.yaml", "B", "12.0.0.0/17", "--json"}, section: "filtergen explain --json",
		code: ExitFailure, jq: `.verdict, (.reason | test("more-specific of accepted 12.0.0.0/16"))`, want: `"not-accepted"` + "\ntrue"},
	{name: "expand", args: []string{"expand", "--registry", "DIR/db.rpsl", "AS-C", "--json"}, section: "filtergen expand --json",
		jq:   `.[0].asns, .[0].report.missing[0].name, .[0].report.sets`,
		want: "[3000,64512]\n" + `"AS-GONE"` + "\n" + `{"AS-C":"TEST"}`},
	{name: "expand -4", args: []string{"expand", "--registry", "DIR/db.rpsl", "-4", "AS-C", "AS-LOOP", "--json"}, section: "filtergen expand --json",
		jq:   `.[0].prefixes, .[0].report.no_routes, .[1].report.loops[0]`,
		want: `["10.0.0.0/8","13.0.0.0/16"]` + "\n[64512]\n" + `["AS-LOOP","AS-LOOP2","AS-LOOP"]`},
	{name: "rpki check", args: []string{"rpki", "check", "--vrps", "DIR/vrps.json", "--max-age", "any", "11.0.0.0/16", "AS1000", "AS2000", "--json"},
		section: "filtergen rpki check --json", jq: `[.results[] | [.asn, .state]], .results[0].vrps[0].max_length`,
		want: `[[1000,"valid"],[2000,"invalid"]]` + "\n16"},
}

// runJSONModes runs every mode in order on one fixture (later modes see
// what earlier ones wrote) and calls check with the document of each.
func runJSONModes(t *testing.T, check func(t *testing.T, m jsonMode, doc any)) {
	dir := jsonFixture(t)
	for _, m := range jsonModes {
		if m.name == "compile --check" {
			// Something to report: A gains a route.
			b, _ := os.ReadFile(filepath.Join(dir, "db.rpsl"))
			write(t, dir, "db.rpsl", string(b)+"\nroute:   11.4.0.0/16\norigin:  AS1000\nsource:  TEST\n")
		}
		if m.name == "compile error" {
			b, _ := os.ReadFile(filepath.Join(dir, "policy.yaml"))
			write(t, dir, "policy.yaml", strings.Replace(string(b), "announce: [AS-C]", "announce: [AS-NOPE]", 1))
		}
		if m.name == "compile temp cleanup" {
			// A killed run's leftover, and the policy fixed again.
			write(t, filepath.Join(dir, "out"), ".filtergen-tmp-r1.conf-1", "half")
			b, _ := os.ReadFile(filepath.Join(dir, "policy.yaml"))
			write(t, dir, "policy.yaml", strings.Replace(string(b), "announce: [AS-NOPE]", "announce: [AS-C]", 1))
		}
		t.Run(m.name, func(t *testing.T) {
			args := slices.Clone(m.args)
			for i := range args {
				args[i] = strings.ReplaceAll(args[i], "DIR", dir)
			}
			code, stdout, stderr := runCLI(t, args...)
			if code != m.code {
				t.Fatalf("exit %d, want %d\nstderr: %s", code, m.code, stderr)
			}
			text := stdout
			if m.stderr {
				text = stderr
			}
			// One document, nothing before or after it.
			dec := json.NewDecoder(strings.NewReader(text))
			dec.UseNumber()
			var doc any
			if err := dec.Decode(&doc); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, text)
			}
			if _, err := dec.Token(); err != io.EOF {
				t.Fatalf("more than one JSON document:\n%s", text)
			}
			check(t, m, doc)
		})
	}
}

// TestJSONWithJQ reads every --json mode with jq (gojq, in process).
func TestJSONWithJQ(t *testing.T) {
	runJSONModes(t, func(t *testing.T, m jsonMode, doc any) {
		q, err := gojq.Parse(m.jq)
		if err != nil {
			t.Fatal(err)
		}
		// gojq wants plain float64 numbers.
		b, _ := json.Marshal(doc)
		var plain any
		json.Unmarshal(b, &plain)
		var got []string
		iter := q.Run(plain)
		for {
			v, ok := iter.Next()
			if !ok {
				break
			}
			if err, ok := v.(error); ok {
				t.Fatalf("jq %s: %v", m.jq, err)
			}
			out, _ := gojq.Marshal(v)
			got = append(got, string(out))
		}
		if g := strings.Join(got, "\n"); g != m.want {
			t.Errorf("jq %s:\n got %s\nwant %s", m.jq, g, m.want)
		}
	})
}

// TestJSONDocumented fails when a --json output has a key docs/json.md
// does not list in the command's section.
func TestJSONDocumented(t *testing.T) {
	sections := docSections(t)
	seen := map[string]map[string]bool{}
	runJSONModes(t, func(t *testing.T, m jsonMode, doc any) {
		documented, ok := sections[m.section]
		if !ok {
			t.Fatalf("docs/json.md has no section %q", m.section)
		}
		if seen[m.section] == nil {
			seen[m.section] = map[string]bool{}
		}
		walkJSON(doc, "", func(path string) {
			seen[m.section][path] = true
			if !documented[path] {
				t.Errorf("%s: key %s is not in docs/json.md", m.section, path)
			}
		}, documented)
	})
	// And the other way: a documented key no mode produced is either
	// stale or untested.
	for sec, paths := range sections {
		for p := range paths {
			// An RTR session and expansion warnings need a cache and a
			// malformed registry; the rpki and expand tests have them.
			if !seen[sec][p] && !strings.HasPrefix(p, ".rtr_session") && p != "[].report.warnings" {
				t.Errorf("%s: docs/json.md lists %s, which no test output has", sec, p)
			}
		}
	}
}

// walkJSON calls key with the path of every object member in v: ".a.b",
// "[]" for list elements, "{}" for the values of a documented map.
func walkJSON(v any, path string, key func(string), documented map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		if documented[path+"{}"] {
			key(path + "{}")
			for _, e := range v {
				walkJSON(e, path+"{}", key, documented)
			}
			return
		}
		for k, e := range v {
			key(path + "." + k)
			walkJSON(e, path+"."+k, key, documented)
		}
	case []any:
		for _, e := range v {
			walkJSON(e, path+"[]", key, documented)
		}
	}
}

// docSections reads docs/json.md: for each "## `…`" or "## …" heading,
// the key paths in the first column of its tables.
func docSections(t *testing.T) map[string]map[string]bool {
	t.Helper()
	b, err := os.ReadFile("../../docs/json.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("^\\| `([.\\[][^`]*)` \\|")
	out := map[string]map[string]bool{}
	var cur map[string]bool
	for line := range bytes.Lines(b) {
		s := strings.TrimSpace(string(line))
		if h, ok := strings.CutPrefix(s, "## "); ok {
			cur = map[string]bool{}
			out[strings.Trim(h, "`")] = cur
			continue
		}
		if m := row.FindStringSubmatch(s); m != nil && cur != nil {
			cur[m[1]] = true
		}
	}
	if len(out) < 5 {
		t.Fatalf("docs/json.md: %d sections, want one per --json command and Errors: %v", len(out), fmt.Sprint(out))
	}
	return out
}
