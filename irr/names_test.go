package irr

import "testing"

func TestParseMember(t *testing.T) {
	tests := []struct {
		in   string
		kind memberKind
		text string // normalised; "" for an error
	}{
		{"AS64500", memberASN, "AS64500"},
		{"as64500", memberASN, "AS64500"},
		{"AS0123", memberASN, "AS123"},
		{"AS1.10", memberASN, "AS65546"},
		{"AS64500^+", memberASN, "AS64500^+"},
		{"as-foo", memberASSet, "AS-FOO"},
		{"AS65000:AS-CUSTOMERS", memberASSet, "AS65000:AS-CUSTOMERS"},
		{"AS-FOO:AS-BAR", memberASSet, "AS-FOO:AS-BAR"},
		{"AS1:RS-EXPORT:AS2", memberRouteSet, "AS1:RS-EXPORT:AS2"},
		{"rs-foo^24-32", memberRouteSet, "RS-FOO^24-32"},
		{"192.0.2.0/24^+", memberPrefix, "192.0.2.0/24^+"},
		{"2001:db8::/32", memberPrefix, "2001:db8::/32"},
		{"AS-ANY", memberAny, "AS-ANY"},
		{"rs-any", memberAny, "RS-ANY"},
		{"ANY", memberAny, "ANY"},
		{"AS-FOO:RS-BAR", 0, ""},
		{"AS1:AS2", 0, ""},
		{"FOOBAR", 0, ""},
		{"64500", 0, ""},
		{"AS64500^129", 0, ""},
		{"AS64500^33", memberASN, "AS64500^33"}, // meaningful for IPv6 routes
		{"AS99999999999", 0, ""},
		{"192.0.2.0/24^16", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			m, err := parseMember(tt.in)
			if tt.text == "" {
				if err == nil {
					t.Fatalf("parseMember(%q) = %+v, want error", tt.in, m)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.kind != tt.kind || m.text != tt.text {
				t.Errorf("got kind %d text %q, want %d %q", m.kind, m.text, tt.kind, tt.text)
			}
		})
	}
}

func TestParseName(t *testing.T) {
	tests := []struct {
		in, src, name string
		bad           bool
	}{
		{"AS-FOO", "", "AS-FOO", false},
		{"ripe::as-foo", "RIPE", "AS-FOO", false},
		{"RADB::AS65000:AS-X", "RADB", "AS65000:AS-X", false},
		{"AS64500", "", "AS64500", false},
		{"::AS-FOO", "", "", true},
		{"AS-FOO\nAS-BAR", "", "", true},
		{"AS FOO", "", "", true},
		{"", "", "", true},
	}
	for _, tt := range tests {
		n, err := ParseName(tt.in)
		if tt.bad {
			if err == nil {
				t.Errorf("ParseName(%q) = %v, want error", tt.in, n)
			}
			continue
		}
		if err != nil || n.Source != tt.src || n.Name != tt.name {
			t.Errorf("ParseName(%q) = %+v, %v", tt.in, n, err)
		}
	}
}

func FuzzParseMember(f *testing.F) {
	for _, s := range []string{"AS1", "AS-FOO^+", "RS-A:AS1", "1.2.3.0/24^24-25", "AS1.1", "ANY"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := parseMember(s)
		if err != nil {
			return
		}
		// The normalised text parses to the same member.
		m2, err := parseMember(m.text)
		if err != nil || m2.text != m.text || m2.kind != m.kind {
			t.Fatalf("%q -> %q -> %+v, %v", s, m.text, m2, err)
		}
	})
}

func FuzzParseName(f *testing.F) {
	for _, s := range []string{"RIPE::AS-FOO", "AS1:AS-X", "as-x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseName(s)
		if err != nil {
			return
		}
		n2, err := ParseName(n.String())
		if err != nil || n2 != n {
			t.Fatalf("%q -> %v -> %v, %v", s, n, n2, err)
		}
	})
}
