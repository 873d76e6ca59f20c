package bgpq4

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "update golden files")

// aggregationCases are the prefix-handling cases of shared/docs/bgpq4.md
// §5 (and a few more), as bgpq4 command lines made only of prefixes.
// The golden output is bgpq4 1.9's; TestAggregationOracle re-checks it
// against /usr/bin/bgpq4.
var aggregationCases = []struct {
	name string
	args string
	// differs marks the deliberate differences from bgpq4 1.9, which
	// the oracle check skips.
	differs bool
}{
	{"parent-both-halves", "-A 10.0.0.0/24 10.0.0.0/25 10.0.0.128/25", false},
	{"parent-one-half", "-A 10.0.0.0/24 10.0.0.0/25", false},
	{"parent-four-quarters", "-A 10.0.0.0/24 10.0.0.0/26 10.0.0.64/26 10.0.0.128/26 10.0.0.192/26", false},
	{"three-adjacent-24", "-A 10.0.0.0/24 10.0.1.0/24 10.0.2.0/24", false},
	{"eight-adjacent-24", "-A 10.0.0.0/24 10.0.1.0/24 10.0.2.0/24 10.0.3.0/24 10.0.4.0/24 10.0.5.0/24 10.0.6.0/24 10.0.7.0/24", false},
	{"23-and-two-24", "-A 10.0.0.0/23 10.0.2.0/24 10.0.3.0/24", false},
	{"22-and-four-24", "-A 10.0.0.0/22 10.0.0.0/24 10.0.1.0/24 10.0.2.0/24 10.0.3.0/24", false},
	{"full-22-24-tree", "-A 10.0.0.0/22 10.0.0.0/23 10.0.2.0/23 10.0.0.0/24 10.0.1.0/24 10.0.2.0/24 10.0.3.0/24", false},
	{"four-25", "-A 10.0.0.0/25 10.0.0.128/25 10.0.1.0/25 10.0.1.128/25", false},
	{"two-24-with-halves", "-A 10.0.0.0/24 10.0.0.0/25 10.0.0.128/25 10.0.1.0/24 10.0.1.0/25 10.0.1.128/25", false},
	{"adjacent-not-siblings", "-A 10.0.1.0/24 10.0.2.0/24", false},
	{"halves-of-everything", "-A 0.0.0.0/1 128.0.0.0/1", false},
	{"default-and-8", "-A 0.0.0.0/0 10.0.0.0/8", false},
	{"v6-46-and-four-48", "-6 -A 2001:db8::/48 2001:db8:1::/48 2001:db8:2::/48 2001:db8:3::/48 2001:db8::/46", false},
	{"son-juniper", "-J -E -A 10.0.0.0/22 10.0.0.0/24 10.0.1.0/24 10.0.2.0/24 10.0.3.0/24", false},
	{"son-bird", "-b -A 10.0.0.0/22 10.0.0.0/24 10.0.1.0/24 10.0.2.0/24 10.0.3.0/24", false},
	{"son-nokia-md", "-n -A 10.0.0.0/22 10.0.0.0/24 10.0.1.0/24 10.0.2.0/24 10.0.3.0/24", false},
	{"son-json", "-j -A 10.0.0.0/22 10.0.0.0/24 10.0.1.0/24 10.0.2.0/24 10.0.3.0/24", false},
	{"son-of-son", "-A 10.0.0.0/23 10.0.0.0/25 10.0.0.128/25 10.0.1.0/25 10.0.1.128/25 10.0.0.0/27 10.0.0.32/27 10.0.0.64/27 10.0.0.96/27 10.0.0.128/27 10.0.0.160/27 10.0.0.192/27 10.0.0.224/27 10.0.1.0/27 10.0.1.32/27 10.0.1.64/27 10.0.1.96/27 10.0.1.128/27 10.0.1.160/27 10.0.1.192/27 10.0.1.224/27", false},
	{"mixed-son-and-range", "-A 10.0.0.0/24 10.0.0.0/26 10.0.0.64/26 10.0.0.128/26 10.0.0.192/26 10.0.1.0/25 10.0.1.0/26 10.0.1.64/26 10.0.1.128/26 10.0.1.192/26", false},
	{"R26-24-and-25", "-A -R 26 10.0.0.0/24 10.0.1.0/25", false},
	{"R26-hides-covered", "-R 26 10.0.0.0/24 10.0.1.0/25 10.0.0.0/25 10.0.0.0/27", false},
	{"R24-two-23", "-A -R 24 10.0.0.0/23 10.0.2.0/23", false},
	{"R-below-all-lengths", "-R 8 10.0.0.0/24 10.0.1.0/24", false},
	{"r25-R26", "-r 25 -R 26 10.0.0.0/24 10.0.0.0/25 10.0.0.0/27", false},
	{"r24-R26-two-24", "-A -r 24 -R 26 10.0.0.0/24 10.0.1.0/24", false},
	{"r16-alone", "-r 16 192.0.2.0/25 192.0.2.128/25 198.51.100.0/24 10.0.0.0/8", false},
	{"r24-R24-exact-length", "-r 24 -R 24 10.0.0.0/24 10.0.0.0/28", false},
	{"r32-host", "-r 32 192.0.2.1/32", false},
	{"range-plus", "-A 10.0.0.0/24^+", false},
	{"range-25-26", "-A 10.0.0.0/24^25-26", false},
	{"range-minus", "-A 10.0.0.0/24^-", false},
	{"range-minus-R26", "-A -R 26 10.0.0.0/24^-", false},
	{"range-26-26", "-A 10.0.0.0/24^26-26", false},
	{"range-plus-unaggregated", "10.0.0.0/28^+", false},
	{"range-m-clamps", "-A -m 26 10.0.0.0/24^+", false},
	{"range-single-number", "-A 10.0.0.0/24^26", true},
	{"v6-range-plus", "-6 -A 2001:db8::/120^+", false},
	{"host-bits-cleared", "192.0.2.1/24 10.0.0.0/33", false},
	{"acl-range", "-E -r 25 -R 26 10.0.0.0/24", false},
	{"acl-aggregate", "-E -A 10.0.0.0/24 10.0.1.0/24 10.0.2.0/24 10.0.3.0/24 10.0.0.0/22", false},
	{"acl-host-and-default", "-E 10.0.0.0/32 10.0.0.0/0", false},
	{"openbgpd-one-length", "-B -A 10.0.0.0/24 10.0.1.0/24", false},
	{"openbgpd-r-R-same", "-B -r 24 -R 24 10.0.0.0/24", false},
	{"mikrotik7-range", "-K7 -A 10.0.0.0/24 10.0.1.0/24", false},
	{"format-range", "-A -F %n/%l_%a-%A\\n 10.0.0.0/24 10.0.1.0/24", false},
	{"v6-ipv4-compatible-address", "-6 ::1.2.3.0/120 ::ffff:1.2.3.0/120 ::/0 2001:db8::/100", false},
	{"v6-ipv4-compatible-format", "-6 -F %n/%l|%m|%i\\n ::1.2.3.0/120 2001:db8::/100 2001:db8::/96", false},
	{"v6-ipv4-compatible-json", "-6 -j -A ::1.2.3.0/121 ::1.2.3.128/121", false},
}

func goldenPath(name string) string { return filepath.Join("testdata", "aggregate", name+".golden") }

// splitArgs splits a case's command line; "_" inside an argument stands
// for a space.
func splitArgs(s string) []string {
	f := strings.Fields(s)
	for i := range f {
		f[i] = strings.ReplaceAll(f[i], "_", " ")
	}
	return f
}

func TestAggregationGolden(t *testing.T) {
	for _, tc := range aggregationCases {
		t.Run(tc.name, func(t *testing.T) {
			out, msg, code := generate(t, noData{}, splitArgs(tc.args)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, msg)
			}
			// Determinism: a second run gives the same bytes.
			if again, _, _ := generate(t, noData{}, splitArgs(tc.args)...); again != out {
				t.Fatalf("two runs differ")
			}
			path := goldenPath(tc.name)
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if out != string(want) {
				t.Errorf("bgpq4 %s\ngot:\n%s\nwant:\n%s", tc.args, out, want)
			}
		})
	}
}

// TestAggregationOracle checks every golden file against the real bgpq4,
// so that a golden file regenerated with -update cannot drift from it.
func TestAggregationOracle(t *testing.T) {
	bin := bgpq4Path(t)
	addr := handshakeServer(t)
	for _, tc := range aggregationCases {
		if tc.differs {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			want, err := os.ReadFile(goldenPath(tc.name))
			if err != nil {
				t.Fatal(err)
			}
			got, code := runBgpq4(t, bin, addr, splitArgs(tc.args)...)
			if code != 0 || got != string(want) {
				t.Errorf("bgpq4 %s: exit %d\nbgpq4:\n%s\ngolden:\n%s", tc.args, code, got, want)
			}
		})
	}
}

// The single-number range "x/y^n" is one of the deliberate differences:
// bgpq4 1.9 adds nothing, filtergen the prefixes of length n.
func TestRangeSingleNumber(t *testing.T) {
	out, _, code := generate(t, noData{}, "-A", "10.0.0.0/24^26")
	if code != 0 || out != "no ip prefix-list NN\nip prefix-list NN permit 10.0.0.0/24 ge 26 le 26\n" {
		t.Errorf("exit %d, output:\n%s", code, out)
	}
}

// An IPv6 ^+ on a short prefix would make bgpq4 allocate every
// more-specific (it was OOM-killed at 24 GB); filtergen refuses.
func TestRangeLimit(t *testing.T) {
	out, msg, code := generate(t, noData{}, "-6", "-A", "2001:db8::/32^+")
	if code != 1 || out != "" || !strings.Contains(msg, "2001:db8::/32^+") || !strings.Contains(msg, "more than") {
		t.Errorf("exit %d, stderr %q, stdout %q", code, msg, out)
	}
	// Just under the limit still works.
	out, _, code = generate(t, noData{}, "-6", "-A", "2001:db8::/112^+")
	if code != 0 || out != "no ipv6 prefix-list NN\nipv6 prefix-list NN permit 2001:db8::/112 le 128\n" {
		t.Errorf("/112^+: exit %d\n%s", code, out)
	}
}
