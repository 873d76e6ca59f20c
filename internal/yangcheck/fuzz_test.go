package yangcheck

import (
	"bytes"
	"testing"
)

// checkInvariants holds for any input: errors are sorted by line, name the
// file, and point at a line of the input.
func checkInvariants(t *testing.T, in []byte, errs []Error) {
	t.Helper()
	lines := bytes.Count(in, []byte("\n")) + 1
	for i, e := range errs {
		if e.File != "f" {
			t.Fatalf("error %v: File = %q", e, e.File)
		}
		if e.Line < 1 || e.Line > lines {
			t.Fatalf("error %v: line %d outside 1..%d", e, e.Line, lines)
		}
		if i > 0 && errs[i-1].Line > e.Line {
			t.Fatalf("errors not sorted: %v before %v", errs[i-1], e)
		}
		if e.Msg == "" {
			t.Fatalf("error without message at line %d", e.Line)
		}
	}
}

func FuzzCheckJunos(f *testing.F) {
	for _, s := range []string{
		"",
		"policy-options { replace: route-filter-list R { 192.0.2.0/24 upto /28; 2001:db8::/32 exact reject; } }",
		"policy-options { prefix-list P { 192.0.2.0/24; } community C members [ a b ]; }",
		"policy-options { policy-statement P { term t { from { protocol [ bgp ]; route-filter 10.0.0.0/8 orlonger; } then { local-preference add 1; accept; } } } }",
		"protocols { bgp { group G { type external; family inet { unicast { prefix-limit { teardown 90 idle-timeout 30; } } } neighbor 192.0.2.1; } } }",
		"groups { G { policy-options { prefix-list P; } } }\napply-groups G;",
		"/* c */ # c\ninactive: delete: protocols { bgp { group \"G\\\"\" { description \"x\"; } } }",
		"} { ; [ ] \" /*",
	} {
		f.Add([]byte(s))
	}
	s := miniJunos(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		checkInvariants(t, in, s.CheckJunos("f", in))
	})
}

func FuzzCheckMDCLI(f *testing.F) {
	for _, s := range []string{
		"",
		"/configure policy-options\ndelete prefix-list \"PL\"\nprefix-list \"PL\" {\n    prefix 192.0.2.0/24 type through {\n        through-length 25\n    }\n}\n",
		"/configure policy-options prefix-list \"PL\" prefix ip-prefix 192.0.2.0/24 type exact\n",
		"configure { router \"Base\" { bgp { neighbor \"192.0.2.1\" { import { policy [\"A\" \"B\"] } passive } } } }",
		"edit-config private\n/configure router \"Base\" bgp\nexit\ntop\nexit all\ncommit\n",
		"} { [ ] \" # \\",
	} {
		f.Add([]byte(s))
	}
	s := miniSROS(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		checkInvariants(t, in, s.CheckMDCLI("f", in))
	})
}
