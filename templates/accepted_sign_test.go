package templates_test

import (
	"testing"

	"github.com/filtergen/filtergen/templates"
)

// A forged or corrupt marker must not lower or wrap the count the shrink
// guard compares with: signs and overlong numbers are not counts.
func TestParseAcceptedRefusesSignsAndOverflow(t *testing.T) {
	for _, tc := range []struct {
		line  string
		want  int
		found bool
	}{
		{"# filtergen-accepted: peer=A ipv4=100 ipv6=7\n", 107, true},
		{"# filtergen-accepted: peer=A ipv4=100 ipv6=-50\n", 100, true},
		{"# filtergen-accepted: peer=A ipv4=+5\n", 0, false},
		{"# filtergen-accepted: peer=A ipv4=9223372036854775807 ipv6=1\n", 1, true},
		{"# filtergen-accepted: peer=A ipv4=99999999999999999999\n", 0, false},
		{"# filtergen-accepted: peer=A ipv4=4294967295\n", 4294967295, true},
	} {
		n, found := templates.ParseAccepted([]byte(tc.line))
		if n != tc.want || found != tc.found {
			t.Errorf("ParseAccepted(%q) = %d, %v; want %d, %v", tc.line, n, found, tc.want, tc.found)
		}
	}
}
