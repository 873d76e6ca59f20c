package templates_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/filtergen/filtergen/templates"
)

// ciscoGrammar is what TestCiscoReferences knows of each Cisco syntax:
// the statements that define an object and those that refer to one.
var ciscoGrammar = map[string]struct{ defs, refs []*regexp.Regexp }{
	"iosxe": {iosDefs, iosRefs},
	"nxos":  {iosDefs, iosRefs},
	"iosxr": {
		[]*regexp.Regexp{
			regexp.MustCompile(`(?m)^(?:prefix-set|as-path-set|community-set|large-community-set|route-policy) (\S+)$`),
			regexp.MustCompile(`(?m)^ipv[46] access-list (\S+)$`),
		},
		[]*regexp.Regexp{
			regexp.MustCompile(`(?m)(?:destination|as-path|next-hop) in ([A-Z]\S*)`),
			regexp.MustCompile(`(?m)matches-any ([A-Z]\S*)`),
			regexp.MustCompile(`(?m)delete large-community in (\S+)`),
			regexp.MustCompile(`(?m)^\s+route-policy (\S+) (?:in|out)$`),
			regexp.MustCompile(`(?m)access-group (\S+) ingress$`),
		},
	},
}

var (
	iosDefs = []*regexp.Regexp{
		regexp.MustCompile(`(?m)^ipv?6? ?prefix-list (\S+) seq`),
		regexp.MustCompile(`(?m)^ip as-path access-list (\S+) `),
		regexp.MustCompile(`(?m)^ip (?:large-)?community-list (?:standard|expanded) (\S+) `),
		regexp.MustCompile(`(?m)^route-map (\S+) (?:permit|deny) \d+$`),
		regexp.MustCompile(`(?m)^ipv?6? ?access-list (?:extended )?(\S+)$`),
	}
	iosRefs = []*regexp.Regexp{
		regexp.MustCompile(`(?m)^\s+match ipv?6? ?(?:address|next-hop) prefix-list (\S+)$`),
		regexp.MustCompile(`(?m)^\s+match (?:as-path|community|large-community) (\S+)$`),
		regexp.MustCompile(`(?m)^\s+set (?:large-)?comm-list (\S+) delete$`),
		regexp.MustCompile(`(?m)route-map (\S+) (?:in|out)$`),
		regexp.MustCompile(`(?m)(?:access-group|traffic-filter) (\S+) in$`),
	}
)

// TestCiscoReferences renders the fixture (every role, empty lists, a
// route server where the platform can be one) for each Cisco platform and
// checks, as a Cisco parser would at commit time, that every object a
// neighbor, route-map, policy or interface refers to is defined in the
// router's files; that every route-map and route-policy ends in an
// explicit deny or drop; and, for IOS-XR, that sets have no trailing comma
// and that no "!" line (which closes a sub-mode) sits inside a policy.
func TestCiscoReferences(t *testing.T) {
	for pl, g := range ciscoGrammar {
		t.Run(pl, func(t *testing.T) {
			res := fixture(pl)
			files, err := templates.Render(res, res.Routers[0], templates.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var all strings.Builder
			for _, f := range files {
				all.Write(f.Data)
			}
			text := all.String()
			defined := map[string]bool{}
			for _, re := range g.defs {
				for _, m := range re.FindAllStringSubmatch(text, -1) {
					defined[m[1]] = true
				}
			}
			refs := 0
			for _, re := range g.refs {
				for _, m := range re.FindAllStringSubmatch(text, -1) {
					refs++
					if !defined[m[1]] {
						t.Errorf("%s refers to %s, which is not defined", pl, m[1])
					}
				}
			}
			if refs < 20 || len(defined) < 20 {
				t.Fatalf("%d references to %d objects: the grammar no longer matches the output", refs, len(defined))
			}
			if pl == "iosxr" {
				checkRPL(t, text)
			} else {
				checkRouteMaps(t, text)
			}
		})
	}
}

// checkRouteMaps: the last sequence of every route-map is a bare deny.
func checkRouteMaps(t *testing.T, text string) {
	t.Helper()
	last := map[string]string{}
	var order []string
	lines := strings.Split(text, "\n")
	head := regexp.MustCompile(`^route-map (\S+) (permit|deny) \d+$`)
	for i, l := range lines {
		m := head.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		if _, ok := last[m[1]]; !ok {
			order = append(order, m[1])
		}
		bare := i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], " ")
		last[m[1]] = m[2]
		if m[2] == "deny" && bare {
			last[m[1]] = "bare deny"
		}
	}
	for _, name := range order {
		if last[name] != "bare deny" {
			t.Errorf("route-map %s does not end in an explicit deny", name)
		}
	}
	if len(order) < 5 {
		t.Errorf("only %d route-maps", len(order))
	}
}

// checkRPL: policies end in drop, if/endif balance, no "!" inside a
// policy, and set elements are comma-separated with none after the last.
func checkRPL(t *testing.T, text string) {
	t.Helper()
	lines := strings.Split(text, "\n")
	in, depth, policies := "", 0, 0
	var prev string
	for _, l := range lines {
		s := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "route-policy "):
			in, depth = l, 0
			policies++
		case in != "" && l == "end-policy":
			if prev != "drop" {
				t.Errorf("%s ends in %q, not drop", in, prev)
			}
			if depth != 0 {
				t.Errorf("%s: unbalanced if/endif", in)
			}
			in = ""
		case in != "" && strings.HasPrefix(s, "!"):
			t.Errorf("%s: a ! line inside a policy closes it", in)
		case in != "" && strings.HasPrefix(s, "if "):
			depth++
		case in != "" && s == "endif":
			depth--
		case strings.HasSuffix(l, "-set") || l == "end-set":
		}
		if l == "end-set" && strings.HasSuffix(prev, ",") {
			t.Errorf("set element %q before end-set has a trailing comma", prev)
		}
		if s != "" {
			prev = s
		}
	}
	if policies < 5 {
		t.Errorf("only %d route-policies", policies)
	}
	// Inside a set every element but the last ends in a comma.
	set := regexp.MustCompile(`(?m)^(?:prefix-set|as-path-set) \S+\n((?:  .*\n)+)end-set`)
	for _, m := range set.FindAllStringSubmatch(text, -1) {
		els := strings.Split(strings.TrimSuffix(m[1], "\n"), "\n")
		for i, e := range els {
			if strings.HasPrefix(strings.TrimSpace(e), "#") {
				continue
			}
			if (i < len(els)-1) != strings.HasSuffix(e, ",") {
				t.Errorf("set element %q: comma wrong", e)
			}
		}
	}
}
