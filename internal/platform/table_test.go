package platform

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestTable(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range Table {
		if seen[p.Name] {
			t.Errorf("platform %s listed twice", p.Name)
		}
		seen[p.Name] = true
		if p.Title == "" || p.Daemon == "" || p.MaxName < MaxNameLen || p.MaxText <= 0 {
			t.Errorf("platform %s: incomplete entry %+v", p.Name, p)
		}
		for f, v := range p.Features {
			if _, err := ParseVersion(v); err != nil {
				t.Errorf("platform %s feature %s: %v", p.Name, f, err)
			}
			if p.Baseline == "" {
				t.Errorf("platform %s has version-dependent features but no baseline", p.Name)
			}
		}
		if got, ok := Lookup(p.Name); !ok || got.Name != p.Name {
			t.Errorf("Lookup(%s) = %v, %v", p.Name, got, ok)
		}
	}
	if _, ok := Lookup("cisco"); ok {
		t.Error("Lookup(cisco) found a platform")
	}
	if all, rendering := Names(false), Names(true); len(rendering) == 0 || len(rendering) > len(all) {
		t.Errorf("Names: %v of %v render", rendering, all)
	}
}

func TestVersionCompare(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"2.0.12", "2.16", -1},
		{"2.16", "2.16.0", 0},
		{"2.17.1", "2.16", 1},
		{"8.4.4", "10.0", -1},
		{"7.7", "8.0", -1},
		{"24.4R1", "24.4", 1},
		{"7.7p0", "7.7", 0},
	}
	for _, tt := range tests {
		a, err := ParseVersion(tt.a)
		if err != nil {
			t.Fatal(err)
		}
		b, err := ParseVersion(tt.b)
		if err != nil {
			t.Fatal(err)
		}
		if got := a.Compare(b); got != tt.want {
			t.Errorf("%s vs %s = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
	for _, bad := range []string{"", "v2", "two", "2.0;reboot", "1.2.3.4.5.6.7.8.9", "99999999"} {
		if _, err := ParseVersion(bad); err == nil {
			t.Errorf("ParseVersion(%q) accepted it", bad)
		}
	}
}

func TestRequire(t *testing.T) {
	obgpd, _ := Lookup("openbgpd")
	bird, _ := Lookup("bird2")
	tests := []struct {
		pl      *Platform
		version string
		feature string
		wantErr string // "" for supported
	}{
		{obgpd, "", FeatureASPASet, "aspa-set needs OpenBGPD 8.0 or later; the router declares no version, so 7.7 is assumed"},
		{obgpd, "7.7", FeatureASPASet, "aspa-set needs OpenBGPD 8.0 or later; the router runs 7.7"},
		{obgpd, "8.2", FeatureASPASet, ""},
		{obgpd, "8.2", FeatureRoleKeyword, ""},
		{bird, "2.0.12", FeatureASPACheck, "aspa_check needs BIRD 2 2.16 or later; the router runs 2.0.12"},
		{bird, "2.16.1", FeatureASPACheck, ""},
		{bird, "2.17", "no-such-feature", "BIRD 2 has no no-such-feature"},
	}
	for _, tt := range tests {
		err := tt.pl.Require(tt.version, tt.feature)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s %s %s: %v", tt.pl.Name, tt.version, tt.feature, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s %s %s: got %v, want %q", tt.pl.Name, tt.version, tt.feature, err, tt.wantErr)
		}
		if tt.pl.Supports(tt.version, tt.feature) != (tt.wantErr == "") {
			t.Errorf("%s %s %s: Supports disagrees with Require", tt.pl.Name, tt.version, tt.feature)
		}
	}
}

func TestPlatformText(t *testing.T) {
	frr, _ := Lookup("frr")
	obgpd, _ := Lookup("openbgpd")
	junos, _ := Lookup("junos")
	const in = "AS64500 \"Evil\"\nrouter bgp 1; } # ! é and a long tail that goes on"
	if got, _ := frr.Text(in); got != "AS64500 Evil router bgp 1 and a long tail that goes on" {
		t.Errorf("frr: %q", got)
	}
	if got, _ := obgpd.Text(in); got != `"AS64500 Evil router bgp 1 and a"` {
		t.Errorf("openbgpd: %q", got)
	}
	if got, _ := junos.Text(in); !strings.HasPrefix(got, `"AS64500 Evil`) || strings.ContainsAny(got[1:len(got)-1], "\"\n;}#!") {
		t.Errorf("junos: %q", got)
	}
	if _, err := frr.Text("\n\"é"); err == nil {
		t.Error("frr: text with nothing printable accepted")
	}
}

// TestDecimalRange checks the range regex against every number around the
// bogon ASN boundaries and a sample of random ranges.
func TestDecimalRange(t *testing.T) {
	ranges := [][2]uint32{{0, 0}, {23456, 23456}, {64496, 64511}, {64512, 65534}, {65536, 65551},
		{65552, 131071}, {4200000000, 4294967294}, {4294967295, 4294967295}, {7, 1234}, {1, 9}, {10, 99}, {99, 100}}
	for _, r := range ranges {
		re := regexp.MustCompile(`^(` + string(AppendDecimalRange(nil, r[0], r[1])) + `)$`)
		check := func(n uint64) {
			want := n >= uint64(r[0]) && n <= uint64(r[1])
			if got := re.MatchString(strconv.FormatUint(n, 10)); got != want {
				t.Errorf("range %d-%d (%s): %d matched=%v", r[0], r[1], re, n, got)
			}
		}
		for _, edge := range []uint64{uint64(r[0]), uint64(r[1])} {
			for d := uint64(0); d < 2000; d++ {
				check(edge + d)
				if edge >= d {
					check(edge - d)
				}
			}
		}
		if re.MatchString("0"+strconv.FormatUint(uint64(r[0]), 10)) && r[0] != 0 {
			t.Errorf("range %d-%d matches a leading zero", r[0], r[1])
		}
	}
}
