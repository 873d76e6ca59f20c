package bgpq4

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// FuzzParse: any command line either parses or fails with one of the two
// error types that carry bgpq4's exit codes; a parsed one has objects (or
// EXCEPT) and consistent lengths.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"-A AS-DEMO", "-J -E -l a/b -M x AS1", "-K7 -6 -R 48 AS1", "-f 1.5 -W 0 AS-X EXCEPT AS1",
		"-r 24 -R 23 AS1", "-h [::1]:43 AS1", "-F %n\\n 10.0.0.0/8", "--registry x AS1 -- -J", "-3", "-lx",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		o, err := Parse(strings.Fields(line), nil)
		if err != nil {
			var e *Error
			var ue *UsageError
			if !errors.As(err, &e) && !errors.As(err, &ue) {
				t.Fatalf("%q: untyped error %v", line, err)
			}
			if e != nil && e.Code != 1 && e.Code != 255 {
				t.Fatalf("%q: exit code %d", line, e.Code)
			}
			return
		}
		if o.Help || o.Version {
			return
		}
		maxBits := uint8(32)
		if o.IPv6 {
			maxBits = 128
		}
		// ("EXCEPT" alone is a valid bgpq4 command line with no objects.)
		if len(o.Objects) == 0 && len(o.Except) == 0 && !strings.Contains(line, "EXCEPT") {
			t.Fatalf("%q: parsed without objects", line)
		}
		if o.MaxLen == 0 || o.MaxLen > maxBits || o.Refine > maxBits || o.RefineLow > o.Refine || (o.RefineLow != 0 && o.Refine == 0) {
			t.Fatalf("%q: lengths m=%d R=%d r=%d", line, o.MaxLen, o.Refine, o.RefineLow)
		}
	})
}

// FuzzParsePrefix: whatever parsePrefix accepts is a masked prefix, and on
// canonical input it agrees with net/netip.
func FuzzParsePrefix(f *testing.F) {
	for _, s := range []string{"10.0.0.0/8", "192.0.2.1/24", "10.0.0.0/33", "010.0.0.0/8", "0x0a.0.0.1", "2001:db8::/32", "::ffff:1.2.3.4/128", "1.2.3.4/-1", "1.2.3.4/8x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := parsePrefix(s)
		if !ok {
			return
		}
		if !p.IsValid() || p.Masked() != p {
			t.Fatalf("%q: parsed as %v", s, p)
		}
		if q, err := netip.ParsePrefix(s); err == nil && q.Masked() == q && q.Addr().Zone() == "" && p != q {
			t.Fatalf("%q: parsePrefix %v, netip %v", s, p, q)
		}
	})
}
