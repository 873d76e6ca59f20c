package asn

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    uint32
		wantErr bool
	}{
		{"AS64500", 64500, false},
		{"as64500", 64500, false},
		{"64500", 64500, false},
		{"AS0", 0, false},
		{"AS4294967295", 4294967295, false},
		{"AS4294967296", 0, true},
		{"AS1.10", 65546, false},
		{"1.0", 65536, false},
		{"AS65535.65535", 4294967295, false},
		{"AS65536.1", 0, true},
		{"AS1.", 0, true},
		{"AS", 0, true},
		{"", 0, true},
		{"ASX", 0, true},
		{"AS-FOO", 0, true},
		{"AS+1", 0, true},
		{"AS 1", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Parse(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrSyntax) {
				t.Errorf("Parse(%q) error %v is not ErrSyntax", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("Parse(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseStrict(t *testing.T) {
	if _, err := ParseStrict("64500"); err == nil {
		t.Error("ParseStrict accepted a number without AS prefix")
	}
	if n, err := ParseStrict("AS64500"); err != nil || n != 64500 {
		t.Errorf("ParseStrict(AS64500) = %d, %v", n, err)
	}
}

func TestFormatRoundTrip(t *testing.T) {
	for _, n := range []uint32{0, 1, 64500, 65536, 4294967295} {
		s := Format(n)
		got, err := Parse(s)
		if err != nil || got != n {
			t.Errorf("Parse(Format(%d)) = %d, %v", n, got, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"AS64500", "1.10", "AS", "as0", "AS4294967296"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse(s)
		if err != nil {
			return
		}
		// Whatever parses must format and parse back to the same number.
		m, err := Parse(Format(n))
		if err != nil || m != n {
			t.Fatalf("round trip of %q: %d -> %q -> %d, %v", s, n, Format(n), m, err)
		}
	})
}
