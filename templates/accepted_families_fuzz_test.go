package templates_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/templates"
)

// FuzzParseAcceptedFamilies: the shrink-guard marker reader never panics,
// returns only ipv4 and ipv6 with counts that are non-negative and appear
// on the marker line, and reads back what the templates write.
func FuzzParseAcceptedFamilies(f *testing.F) {
	f.Add([]byte("# filtergen-accepted: peer=A ipv4=100 ipv6=7\n"))
	f.Add([]byte("# filtergen-accepted: peer=A ipv4=-1 ipv6=x ipv5=3\n"))
	f.Add([]byte("filtergen-accepted:"))
	f.Add([]byte("no marker"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := templates.ParseAcceptedFamilies(data)
		if ok != (len(m) > 0) {
			t.Fatalf("found %v with %v", ok, m)
		}
		for k, v := range m {
			if k != filtergen.IPv4 && k != filtergen.IPv6 || v < 0 {
				t.Errorf("%s=%d", k, v)
			}
			if !strings.Contains(string(data), k.String()+"="+strconv.Itoa(v)) && !strings.Contains(string(data), k.String()+"=") {
				t.Errorf("%s=%d is not in the input", k, v)
			}
		}
		// Round trip: a line as the templates write it.
		line := templates.AcceptedMarker + " peer=P ipv4=" + strconv.Itoa(len(data)) + " ipv6=3\n"
		if m, ok := templates.ParseAcceptedFamilies(append([]byte(line), data...)); !ok || m[filtergen.IPv4] != len(data) || m[filtergen.IPv6] != 3 {
			t.Errorf("round trip: %v %v", m, ok)
		}
	})
}
