package platform

import "testing"

// FuzzParseVersion: ParseVersion never panics, and what it accepts
// compares equal to itself and orders consistently against a baseline.
func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{"2.0.12", "24.4R1", "7.7p0", "8.4.4-1.1~deb12u2", "", "v2", "1.2.3.4.5.6.7.8.9", "99999999"} {
		f.Add(s)
	}
	base := Version{2, 16}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseVersion(s)
		if err != nil {
			return
		}
		if len(v) == 0 || len(v) > 8 || v.Compare(v) != 0 {
			t.Fatalf("%q: %v", s, v)
		}
		if v.Compare(base) != -base.Compare(v) {
			t.Fatalf("%q: Compare is not antisymmetric", s)
		}
	})
}
