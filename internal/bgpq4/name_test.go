package bgpq4

import (
	"strings"
	"testing"
)

// TestNameValidated: -l names that are not identifiers of the output
// format are refused before anything is printed; bgpq4 copies them into
// the output, where a newline injects configuration lines.
func TestNameValidated(t *testing.T) {
	tests := []struct {
		args []string
		ok   bool
	}{
		{[]string{"-l", "MY-LIST_1.v4:x"}, true},
		{[]string{"-l", "NN"}, true},
		{[]string{"-J", "-E", "-l", "pol/term"}, true},
		{[]string{"-b", "-l", "my_list2"}, true},
		{[]string{"-l", "X\nip prefix-list EVIL permit 0.0.0.0/0 le 32"}, false},
		{[]string{"-j", "-l", `a"b`}, false},
		{[]string{"-l", "MY LIST"}, false},
		{[]string{"-l", "-X"}, false},
		{[]string{"-l", "pol/term"}, false},
		{[]string{"-b", "-l", "NAME-WITH-DASH"}, false},
		{[]string{"-b", "-l", "1LIST"}, false},
		{[]string{"-B", "-l", "x{y}"}, false},
		{[]string{"-l", strings.Repeat("A", MaxNameLen+1)}, false},
	}
	for _, tt := range tests {
		out, msg, code := generate(t, noData{}, append(tt.args, "192.0.2.0/24")...)
		if tt.ok {
			if code != 0 || out == "" {
				t.Errorf("%q: exit %d, %s", tt.args, code, msg)
			}
			continue
		}
		if code != 1 || out != "" || !strings.HasPrefix(msg, "-l ") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 1 naming -l", tt.args, code, out, msg)
		}
	}
}
