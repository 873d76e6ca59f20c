package vendor_test

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/filtergen/filtergen/internal/vendor"
)

// The expected strings are taken from bgpq4 1.9 output recorded in
// shared/docs/bgpq4.md §4-§5 and from vendors.md §1.2.
func TestAppendEntry(t *testing.T) {
	p24 := netip.MustParsePrefix("10.0.0.0/24")
	exact := vendor.EntryFrom(p24, 24, 24)
	upto := vendor.EntryFrom(p24, 24, 26)
	rng := vendor.EntryFrom(p24, 25, 26)
	same := vendor.EntryFrom(netip.MustParsePrefix("185.0.0.0/22"), 24, 24)
	v6 := vendor.EntryFrom(netip.MustParsePrefix("2001:db8:100::/47"), 48, 48)
	tests := []struct {
		name string
		fn   func([]byte, vendor.Entry) []byte
		e    vendor.Entry
		want string
	}{
		{"ios exact", vendor.AppendIOS, exact, "10.0.0.0/24"},
		{"ios upto", vendor.AppendIOS, upto, "10.0.0.0/24 le 26"},
		{"ios range", vendor.AppendIOS, rng, "10.0.0.0/24 ge 25 le 26"},
		{"ios v6", vendor.AppendIOS, v6, "2001:db8:100::/47 ge 48 le 48"},
		{"junos exact", vendor.AppendJunos, exact, "10.0.0.0/24 exact"},
		{"junos upto", vendor.AppendJunos, upto, "10.0.0.0/24 upto /26"},
		{"junos range", vendor.AppendJunos, rng, "10.0.0.0/24 prefix-length-range /25-/26"},
		{"sros exact", vendor.AppendSROS, exact, "10.0.0.0/24 exact"},
		{"sros upto", vendor.AppendSROS, upto, "10.0.0.0/24 prefix-length-range 24-26"},
		{"sros range", vendor.AppendSROS, rng, "10.0.0.0/24 prefix-length-range 25-26"},
		{"bird exact", vendor.AppendBIRD, exact, "10.0.0.0/24"},
		{"bird upto", vendor.AppendBIRD, upto, "10.0.0.0/24{24,26}"},
		{"bird range", vendor.AppendBIRD, rng, "10.0.0.0/24{25,26}"},
		{"openbgpd exact", vendor.AppendOpenBGPD, exact, "10.0.0.0/24"},
		{"openbgpd upto", vendor.AppendOpenBGPD, upto, "10.0.0.0/24 prefixlen 24 - 26"},
		{"openbgpd range", vendor.AppendOpenBGPD, rng, "10.0.0.0/24 prefixlen 25 - 26"},
		{"openbgpd one length", vendor.AppendOpenBGPD, same, "185.0.0.0/22 prefixlen = 24"},
		{"huawei exact", vendor.AppendHuawei, exact, "10.0.0.0 24"},
		{"huawei upto", vendor.AppendHuawei, upto, "10.0.0.0 24 less-equal 26"},
		{"huawei range", vendor.AppendHuawei, rng, "10.0.0.0 24 greater-equal 25 less-equal 26"},
		{"xpl range", vendor.AppendHuaweiXPL, rng, "10.0.0.0 24 ge 25 le 26"},
		{"mikrotik6 exact", vendor.AppendMikroTik6, exact, "prefix=10.0.0.0/24"},
		{"mikrotik6 range", vendor.AppendMikroTik6, rng, "prefix=10.0.0.0/24 prefix-length=25-26"},
		{"mikrotik7 exact", vendor.AppendMikroTik7, exact, "dst=10.0.0.0/24"},
		{"mikrotik7 upto", vendor.AppendMikroTik7, upto, "dst in 10.0.0.0/24 && dst-len in 24-26"},
		{"acl exact", vendor.AppendIOSACL, vendor.EntryFrom(netip.MustParsePrefix("185.0.4.0/23"), 23, 23), "host 185.0.4.0 host 255.255.254.0"},
		{"acl upto", vendor.AppendIOSACL, upto, "10.0.0.0 0.0.0.192 255.255.255.0 0.0.0.192"},
		{"acl range", vendor.AppendIOSACL, rng, "10.0.0.0 0.0.0.192 255.255.255.128 0.0.0.64"},
		{"acl aggregate", vendor.AppendIOSACL, same, "185.0.0.0 0.0.3.0 host 255.255.255.0"},
		{"acl parent le 32", vendor.AppendIOSACL, vendor.EntryFrom(p24, 24, 32), "10.0.0.0 0.0.0.255 255.255.255.0 0.0.0.255"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.e.IsValid() {
				t.Fatalf("entry %+v not valid", tt.e)
			}
			if got := string(tt.fn(nil, tt.e)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAppendMDCLI(t *testing.T) {
	p := netip.MustParsePrefix("10.0.0.0/24")
	tests := []struct {
		e    vendor.Entry
		want string
	}{
		{vendor.EntryFrom(p, 24, 24), "    prefix 10.0.0.0/24 type exact {\n    }\n"},
		{vendor.EntryFrom(p, 24, 26), "    prefix 10.0.0.0/24 type through {\n        through-length 26\n    }\n"},
		{vendor.EntryFrom(p, 25, 26), "    prefix 10.0.0.0/24 type range {\n        start-length 25\n        end-length 26\n    }\n"},
	}
	for _, tt := range tests {
		if got := string(vendor.AppendMDCLI(nil, tt.e, "    ")); got != tt.want {
			t.Errorf("%+v: got %q, want %q", tt.e, got, tt.want)
		}
	}
}

func TestEntryIsValid(t *testing.T) {
	p := netip.MustParsePrefix("10.0.0.0/24")
	bad := []vendor.Entry{
		{},
		{Prefix: netip.MustParsePrefix("10.0.0.1/24")},
		{Prefix: p, GE: 25},
		{Prefix: p, GE: 24, LE: 26},
		{Prefix: p, GE: 27, LE: 26},
		{Prefix: p, LE: 33},
		{Prefix: p, LE: 23},
	}
	for _, e := range bad {
		if e.IsValid() {
			t.Errorf("%+v: valid, want invalid", e)
		}
	}
	if e := (vendor.Entry{Prefix: p, LE: 24}); !e.IsValid() || e.IsExact() || e.Low() != 24 || e.High() != 24 {
		t.Errorf("up-to entry with LE == length: %+v", e)
	}
}

func TestValidName(t *testing.T) {
	good := []string{"A", "PL_AS64500_V4", "AS_0123456789_ABCDEFGHIJKLMNOPQ"}
	for _, s := range good {
		if err := vendor.ValidName(s); err != nil {
			t.Errorf("ValidName(%q) = %v", s, err)
		}
	}
	bad := []string{"", "a", "1A", "AS-FOO", "AS FOO", "A\nB", "A\"", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456", "É"}
	for _, s := range bad {
		if err := vendor.ValidName(s); !errors.Is(err, vendor.ErrInvalidName) {
			t.Errorf("ValidName(%q) = %v, want ErrInvalidName", s, err)
		}
	}
}

// Test vectors from vendors.md §4.2.
func TestSanitizeText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Evil\nrouter bgp 1", "Evil router bgp 1"},
		{"x\"; } protocols { bgp { group X", "x protocols bgp group X"},
		{"a;b{c}d#e!f?g'h", "a b c d e f g h"},
		{"tab\there\r\nCRLF", "tab here CRLF"},
		{"é\u2028line-sep", "line-sep"},
		{"$(reboot)", "(reboot)"},
		{"AS64500 Example Corp (NOC: noc@example.net) +31/20", "AS64500 Example Corp (NOC: noc@example.net) +31/20"},
		{"   ", ""},
	}
	for _, tt := range tests {
		if got := vendor.SanitizeText(tt.in, vendor.MaxText); got != tt.want {
			t.Errorf("SanitizeText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := vendor.SanitizeText("abcdef ghij", 7); got != "abcdef" {
		t.Errorf("cut: got %q", got)
	}
	if got := vendor.Quote("say \"hi\"", vendor.MaxText); got != `"say hi"` {
		t.Errorf("Quote: got %q", got)
	}
}

func TestASPath(t *testing.T) {
	o := []uint32{200, 400, 500}
	tests := []struct{ got, want string }{
		{string(vendor.AppendIOSPathOnly(nil, 100)), "^100(_100)*$"},
		{string(vendor.AppendIOSPathOnlyAny(nil, 100)), "^(_100)*$"},
		{string(vendor.AppendIOSPathVia(nil, 100, o)), "^100(_[0-9]+)*_(200|400|500)$"},
		{string(vendor.AppendIOSPathOriginated(nil, o)), "^(_[0-9]+)*_(200|400|500)$"},
		{string(vendor.AppendJunosPathOnly(nil, 100)), "^100(100)*$"},
		{string(vendor.AppendJunosPathVia(nil, 100, o)), "^100(.)*(200|400|500)$"},
		{string(vendor.AppendJunosPathOriginated(nil, o)), "^(.)*(200|400|500)$"},
		{string(vendor.AppendSROSPathOnly(nil, 100)), "100+"},
		{string(vendor.AppendSROSPathVia(nil, 100, o)), "100.*[200 400 500]"},
		{string(vendor.AppendSROSPathOriginated(nil, o)), ".*[200 400 500]"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// Addresses are written as glibc's inet_ntop writes them (bgpq4 1.9's
// output, checked against /usr/bin/bgpq4 in internal/bgpq4's goldens).
func TestAppendAddr(t *testing.T) {
	tests := []struct{ in, want string }{
		{"192.0.2.1", "192.0.2.1"},
		{"2001:db8::1", "2001:db8::1"},
		{"::", "::"},
		{"::1", "::1"},
		{"::100", "::100"},
		{"::1.2.3.0", "::1.2.3.0"},
		{"::ffff:1.2.3.0", "::ffff:1.2.3.0"},
		{"::ffff:ffff", "::255.255.255.255"},
		{"0:0:0:0:0:1:0:0", "::1:0:0"},
	}
	for _, tt := range tests {
		if got := string(vendor.AppendAddr(nil, netip.MustParseAddr(tt.in))); got != tt.want {
			t.Errorf("AppendAddr(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := string(vendor.AppendPrefix(nil, netip.MustParsePrefix("::1.2.3.0/120"))); got != "::1.2.3.0/120" {
		t.Errorf("AppendPrefix = %q", got)
	}
}
