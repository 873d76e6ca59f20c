package platform_test

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/filtergen/filtergen/internal/platform"
)

// The expected strings are taken from bgpq4 1.9 output recorded in
// shared/docs/bgpq4.md §4-§5 and from vendors.md §1.2.
func TestAppendEntry(t *testing.T) {
	p24 := netip.MustParsePrefix("10.0.0.0/24")
	exact := platform.EntryFrom(p24, 24, 24)
	upto := platform.EntryFrom(p24, 24, 26)
	rng := platform.EntryFrom(p24, 25, 26)
	same := platform.EntryFrom(netip.MustParsePrefix("185.0.0.0/22"), 24, 24)
	v6 := platform.EntryFrom(netip.MustParsePrefix("2001:db8:100::/47"), 48, 48)
	tests := []struct {
		name string
		fn   func([]byte, platform.Entry) []byte
		e    platform.Entry
		want string
	}{
		{"ios exact", platform.AppendIOS, exact, "10.0.0.0/24"},
		{"ios upto", platform.AppendIOS, upto, "10.0.0.0/24 le 26"},
		{"ios range", platform.AppendIOS, rng, "10.0.0.0/24 ge 25 le 26"},
		{"ios v6", platform.AppendIOS, v6, "2001:db8:100::/47 ge 48 le 48"},
		{"junos exact", platform.AppendJunos, exact, "10.0.0.0/24 exact"},
		{"junos upto", platform.AppendJunos, upto, "10.0.0.0/24 upto /26"},
		{"junos range", platform.AppendJunos, rng, "10.0.0.0/24 prefix-length-range /25-/26"},
		{"sros exact", platform.AppendSROS, exact, "10.0.0.0/24 exact"},
		{"sros upto", platform.AppendSROS, upto, "10.0.0.0/24 prefix-length-range 24-26"},
		{"sros range", platform.AppendSROS, rng, "10.0.0.0/24 prefix-length-range 25-26"},
		{"bird exact", platform.AppendBIRD, exact, "10.0.0.0/24"},
		{"bird upto", platform.AppendBIRD, upto, "10.0.0.0/24{24,26}"},
		{"bird range", platform.AppendBIRD, rng, "10.0.0.0/24{25,26}"},
		{"openbgpd exact", platform.AppendOpenBGPD, exact, "10.0.0.0/24"},
		{"openbgpd upto", platform.AppendOpenBGPD, upto, "10.0.0.0/24 prefixlen 24 - 26"},
		{"openbgpd range", platform.AppendOpenBGPD, rng, "10.0.0.0/24 prefixlen 25 - 26"},
		{"openbgpd one length", platform.AppendOpenBGPD, same, "185.0.0.0/22 prefixlen = 24"},
		{"huawei exact", platform.AppendHuawei, exact, "10.0.0.0 24"},
		{"huawei upto", platform.AppendHuawei, upto, "10.0.0.0 24 less-equal 26"},
		{"huawei range", platform.AppendHuawei, rng, "10.0.0.0 24 greater-equal 25 less-equal 26"},
		{"xpl range", platform.AppendHuaweiXPL, rng, "10.0.0.0 24 ge 25 le 26"},
		{"mikrotik6 exact", platform.AppendMikroTik6, exact, "prefix=10.0.0.0/24"},
		{"mikrotik6 range", platform.AppendMikroTik6, rng, "prefix=10.0.0.0/24 prefix-length=25-26"},
		{"mikrotik7 exact", platform.AppendMikroTik7, exact, "dst=10.0.0.0/24"},
		{"mikrotik7 upto", platform.AppendMikroTik7, upto, "dst in 10.0.0.0/24 && dst-len in 24-26"},
		{"acl exact", platform.AppendIOSACL, platform.EntryFrom(netip.MustParsePrefix("185.0.4.0/23"), 23, 23), "host 185.0.4.0 host 255.255.254.0"},
		{"acl upto", platform.AppendIOSACL, upto, "10.0.0.0 0.0.0.192 255.255.255.0 0.0.0.192"},
		{"acl range", platform.AppendIOSACL, rng, "10.0.0.0 0.0.0.192 255.255.255.128 0.0.0.64"},
		{"acl aggregate", platform.AppendIOSACL, same, "185.0.0.0 0.0.3.0 host 255.255.255.0"},
		{"acl parent le 32", platform.AppendIOSACL, platform.EntryFrom(p24, 24, 32), "10.0.0.0 0.0.0.255 255.255.255.0 0.0.0.255"},
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
		e    platform.Entry
		want string
	}{
		{platform.EntryFrom(p, 24, 24), "    prefix 10.0.0.0/24 type exact {\n    }\n"},
		{platform.EntryFrom(p, 24, 26), "    prefix 10.0.0.0/24 type through {\n        through-length 26\n    }\n"},
		{platform.EntryFrom(p, 25, 26), "    prefix 10.0.0.0/24 type range {\n        start-length 25\n        end-length 26\n    }\n"},
	}
	for _, tt := range tests {
		if got := string(platform.AppendMDCLI(nil, tt.e, "    ")); got != tt.want {
			t.Errorf("%+v: got %q, want %q", tt.e, got, tt.want)
		}
	}
}

func TestEntryIsValid(t *testing.T) {
	p := netip.MustParsePrefix("10.0.0.0/24")
	bad := []platform.Entry{
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
	if e := (platform.Entry{Prefix: p, LE: 24}); !e.IsValid() || e.IsExact() || e.Low() != 24 || e.High() != 24 {
		t.Errorf("up-to entry with LE == length: %+v", e)
	}
}

func TestValidName(t *testing.T) {
	good := []string{"A", "PL_AS64500_V4", "AS_0123456789_ABCDEFGHIJKLMNOPQ"}
	for _, s := range good {
		if err := platform.ValidName(s); err != nil {
			t.Errorf("ValidName(%q) = %v", s, err)
		}
	}
	bad := []string{"", "a", "1A", "AS-FOO", "AS FOO", "A\nB", "A\"", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456", "É"}
	for _, s := range bad {
		if err := platform.ValidName(s); !errors.Is(err, platform.ErrInvalidName) {
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
		if got := platform.SanitizeText(tt.in, platform.MaxText); got != tt.want {
			t.Errorf("SanitizeText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := platform.SanitizeText("abcdef ghij", 7); got != "abcdef" {
		t.Errorf("cut: got %q", got)
	}
	if got := platform.Quote("say \"hi\"", platform.MaxText); got != `"say hi"` {
		t.Errorf("Quote: got %q", got)
	}
}

func TestASPath(t *testing.T) {
	o := []uint32{200, 400, 500}
	tests := []struct{ got, want string }{
		{string(platform.AppendIOSPathOnly(nil, 100)), "^100(_100)*$"},
		{string(platform.AppendIOSPathOnlyAny(nil, 100)), "^(_100)*$"},
		{string(platform.AppendIOSPathVia(nil, 100, o)), "^100(_[0-9]+)*_(200|400|500)$"},
		{string(platform.AppendIOSPathOriginated(nil, o)), "^(_[0-9]+)*_(200|400|500)$"},
		{string(platform.AppendJunosPathOnly(nil, 100)), "^100(100)*$"},
		{string(platform.AppendJunosPathVia(nil, 100, o)), "^100(.)*(200|400|500)$"},
		{string(platform.AppendJunosPathOriginated(nil, o)), "^(.)*(200|400|500)$"},
		{string(platform.AppendSROSPathOnly(nil, 100)), "100+"},
		{string(platform.AppendSROSPathVia(nil, 100, o)), "100.*[200 400 500]"},
		{string(platform.AppendSROSPathOriginated(nil, o)), ".*[200 400 500]"},
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
		if got := string(platform.AppendAddr(nil, netip.MustParseAddr(tt.in))); got != tt.want {
			t.Errorf("AppendAddr(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := string(platform.AppendPrefix(nil, netip.MustParsePrefix("::1.2.3.0/120"))); got != "::1.2.3.0/120" {
		t.Errorf("AppendPrefix = %q", got)
	}
}
