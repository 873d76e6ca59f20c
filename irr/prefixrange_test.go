package irr

import (
	"encoding/json"
	"errors"
	"net/netip"
	"strconv"
	"strings"
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

func TestFamilyText(t *testing.T) {
	tests := []struct {
		in      string
		want    Family
		wantErr string // a substring of the error; "" for none
	}{
		{"ipv4", IPv4, ""},
		{"ipv6", IPv6, ""},
		{"IPv4", 0, `unknown family "IPv4" (want ipv4 or ipv6)`},
		{"ipv5", 0, `unknown family "ipv5"`},
		{"inet", 0, `unknown family "inet"`},
		{"4", 0, `unknown family "4"`},
		{" ipv4", 0, `unknown family " ipv4"`},
		{"ipv4\n", 0, `unknown family "ipv4\n"`},
		{"", 0, `unknown family ""`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			f := Family(99) // unchanged on error
			err := f.UnmarshalText([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("UnmarshalText(%q) = %v, %v; want error containing %s", tt.in, f, err, tt.wantErr)
				}
				if f != 99 {
					t.Errorf("UnmarshalText(%q) changed f to %v on error", tt.in, f)
				}
				return
			}
			if err != nil || f != tt.want {
				t.Fatalf("UnmarshalText(%q) = %v, %v; want %v", tt.in, f, err, tt.want)
			}
			b, err := f.MarshalText()
			if err != nil || string(b) != tt.in || f.String() != tt.in {
				t.Fatalf("MarshalText(%v) = %q, %v; String %q; want %q", f, b, err, f.String(), tt.in)
			}
		})
	}
	for _, f := range []Family{0, 5, 255} {
		if b, err := f.MarshalText(); err == nil {
			t.Errorf("MarshalText(%d) = %q, want an error", uint8(f), b)
		}
		if b, err := f.AppendText([]byte("x")); err == nil || string(b) != "x" {
			t.Errorf("AppendText(%d) = %q, %v; want x and an error", uint8(f), b, err)
		}
	}
}

// TestFamilyJSON checks the JSON form: a string as a value and as an
// object key, both ways.
func TestFamilyJSON(t *testing.T) {
	in := struct {
		Family   Family
		Families []Family
		Counts   map[Family]int
	}{IPv6, []Family{IPv4, IPv6}, map[Family]int{IPv4: 3, IPv6: 1}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"Family":"ipv6","Families":["ipv4","ipv6"],"Counts":{"ipv4":3,"ipv6":1}}`
	if string(b) != want {
		t.Fatalf("json.Marshal = %s, want %s", b, want)
	}
	out := in
	out.Family, out.Families, out.Counts = 0, nil, nil
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if out.Family != IPv6 || len(out.Families) != 2 || out.Families[0] != IPv4 || out.Families[1] != IPv6 ||
		len(out.Counts) != 2 || out.Counts[IPv4] != 3 || out.Counts[IPv6] != 1 {
		t.Fatalf("json.Unmarshal = %+v, want %+v", out, in)
	}
	if err := json.Unmarshal([]byte(`{"Family":"ipv5"}`), &out); err == nil || !strings.Contains(err.Error(), `"ipv5"`) {
		t.Fatalf("json.Unmarshal of ipv5: %v, want an error naming it", err)
	}
	if _, err := json.Marshal(struct{ F Family }{}); err == nil {
		t.Fatal("json.Marshal of the zero Family succeeded, want an error")
	}
}

func FuzzFamilyText(f *testing.F) {
	for _, s := range []string{"ipv4", "ipv6", "IPV4", "ipv", "family(4)", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var fam Family
		if err := fam.UnmarshalText([]byte(s)); err != nil {
			if !strings.Contains(err.Error(), strconv.Quote(s)) {
				t.Fatalf("error %q does not name the value %q", err, s)
			}
			return
		}
		if fam != IPv4 && fam != IPv6 {
			t.Fatalf("UnmarshalText(%q) = %d, not a family", s, uint8(fam))
		}
		b, err := fam.MarshalText()
		if err != nil || string(b) != s || fam.String() != s {
			t.Fatalf("round trip %q -> %v -> %q, %v", s, fam, b, err)
		}
	})
}
