package irr

import (
	"errors"
	"net/netip"
	"testing"
)

func TestParsePrefixRange(t *testing.T) {
	tests := []struct {
		in       string
		min, max uint8
		out      string // String() of the result; "" when an error is expected
		hostBits bool
	}{
		{"192.0.2.0/24", 24, 24, "192.0.2.0/24", false},
		{"128.9.0.0/16^-", 17, 32, "128.9.0.0/16^-", false},
		{"5.0.0.0/8^+", 8, 32, "5.0.0.0/8^+", false},
		{"30.0.0.0/8^16", 16, 16, "30.0.0.0/8^16", false},
		{"30.0.0.0/8^24-32", 24, 32, "30.0.0.0/8^24-32", false},
		{"30.0.0.0/8^8-32", 8, 32, "30.0.0.0/8^+", false},
		{"30.0.0.0/8^9-32", 9, 32, "30.0.0.0/8^-", false},
		{"30.0.0.0/8^8", 8, 8, "30.0.0.0/8", false},
		{"2001:db8::/32^48-56", 48, 56, "2001:db8::/32^48-56", false},
		{"2001:db8::/32^+", 32, 128, "2001:db8::/32^+", false},
		{"192.0.2.1/24", 24, 24, "192.0.2.0/24", true},
		{"192.0.2.0/24^16", 0, 0, "", false},    // n below the prefix length
		{"192.0.2.0/24^33", 0, 0, "", false},    // beyond the family
		{"192.0.2.0/24^26-25", 0, 0, "", false}, // m < n
		{"192.0.2.0/32^-", 0, 0, "", false},     // nothing more specific than /32
		{"192.0.2.0/24^", 0, 0, "", false},
		{"192.0.2.0/24^x", 0, 0, "", false},
		{"192.0.2.0/24^1234", 0, 0, "", false},
		{"192.0.2.0", 0, 0, "", false},
		{"::ffff:192.0.2.0/120", 0, 0, "", false},
		{"", 0, 0, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, err := ParsePrefixRange(tt.in)
			if tt.out == "" {
				if err == nil {
					t.Fatalf("ParsePrefixRange(%q) = %v, want error", tt.in, r)
				}
				return
			}
			if tt.hostBits {
				if !errors.Is(err, ErrHostBits) {
					t.Fatalf("err = %v, want ErrHostBits", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if r.Min != tt.min || r.Max != tt.max || r.String() != tt.out || !r.IsValid() {
				t.Errorf("got %v (min %d max %d valid %v), want %s %d-%d", r, r.Min, r.Max, r.IsValid(), tt.out, tt.min, tt.max)
			}
		})
	}
}

// TestRangeOpCompose checks composition as in protocols.md §1.5 (IRRToolSet
// makeMoreSpecific): the outer operator replaces the upper bound and can
// only raise the lower bound.
func TestRangeOpCompose(t *testing.T) {
	tests := []struct {
		inner, op, want string // want "" means empty
	}{
		{"10.0.0.0/8^16-24", "-", "10.0.0.0/8^17-32"},
		{"10.0.0.0/8^16-24", "+", "10.0.0.0/8^16-32"},
		{"10.0.0.0/8^16-24", "20-28", "10.0.0.0/8^20-28"},
		{"10.0.0.0/8^24", "16", ""},
		{"10.0.0.0/8^+", "24", "10.0.0.0/8^24"},
		{"192.0.2.0/24^26", "+", "192.0.2.0/24^26-32"},
		{"192.0.2.0/24", "16-24", "192.0.2.0/24"},
		{"192.0.2.0/32", "-", ""},
		{"192.0.2.0/24", "33", ""},
	}
	for _, tt := range tests {
		t.Run(tt.inner+"^"+tt.op, func(t *testing.T) {
			r, err := ParsePrefixRange(tt.inner)
			if err != nil {
				t.Fatal(err)
			}
			op, err := ParseRangeOp(tt.op)
			if err != nil {
				if tt.want == "" {
					return
				}
				t.Fatal(err)
			}
			got, ok := r.Apply(op)
			switch {
			case tt.want == "" && ok:
				t.Errorf("got %v, want empty", got)
			case tt.want != "" && (!ok || got.String() != tt.want):
				t.Errorf("got %v (ok %v), want %s", got, ok, tt.want)
			}
		})
	}
}

func TestPrefixRangeContains(t *testing.T) {
	r, _ := ParsePrefixRange("192.0.2.0/24^25-26")
	for s, want := range map[string]bool{
		"192.0.2.0/24": false, "192.0.2.0/25": true, "192.0.2.192/26": true,
		"192.0.2.0/27": false, "192.0.3.0/25": false, "2001:db8::/25": false,
	} {
		if got := r.Contains(netip.MustParsePrefix(s)); got != want {
			t.Errorf("Contains(%s) = %v, want %v", s, got, want)
		}
	}
}

func FuzzParsePrefixRange(f *testing.F) {
	for _, s := range []string{"192.0.2.0/24^+", "10.0.0.0/8^16-24", "2001:db8::/32^-", "1.2.3.4/33", "::/0^128", "0.0.0.0/0^0-0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParsePrefixRange(s)
		if err != nil && !errors.Is(err, ErrHostBits) {
			return
		}
		if !r.IsValid() {
			t.Fatalf("ParsePrefixRange(%q) = invalid %+v", s, r)
		}
		// String and parse round-trip, and MarshalText agrees with String.
		back, err := ParsePrefixRange(r.String())
		if err != nil || back != r {
			t.Fatalf("round trip %q -> %q -> %v, %v", s, r.String(), back, err)
		}
		if b, _ := r.MarshalText(); string(b) != r.String() {
			t.Fatalf("MarshalText %q != String %q", b, r.String())
		}
	})
}
