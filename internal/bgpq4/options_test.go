package bgpq4

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want Options
	}{
		{"defaults", []string{"AS-FOO"}, nil,
			Options{Name: "NN", Host: "rr.ntt.net", Port: "43", ASWidth: 8, MaxLen: 32, Gen: PrefixList, Objects: []string{"AS-FOO"}}},
		{"ipv6 and maxlen", []string{"-6", "-m", "48", "AS-FOO"}, nil,
			Options{IPv6: true, Name: "NN", Host: "rr.ntt.net", Port: "43", ASWidth: 8, MaxLen: 48, Gen: PrefixList, Objects: []string{"AS-FOO"}}},
		{"-4 explicit", []string{"-4", "AS1"}, nil,
			Options{Name: "NN", Host: "rr.ntt.net", Port: "43", ASWidth: 8, MaxLen: 32, Gen: PrefixList, Objects: []string{"AS1"}}},
		{"bundled -AJE and attached -lNAME", []string{"-AJE", "-lPOL/TERM", "AS-FOO"}, nil,
			Options{Aggregate: true, Vendor: Juniper, Gen: ExtendedACL, Name: "POL/TERM", Host: "rr.ntt.net", Port: "43", ASWidth: 8, MaxLen: 32, Objects: []string{"AS-FOO"}}},
		{"-K7 is -K then -7", []string{"-K7", "AS-FOO"}, nil,
			Options{Vendor: MikroTik7, Name: "NN", Host: "rr.ntt.net", Port: "43", ASWidth: 8, MaxLen: 32, Gen: PrefixList, Objects: []string{"AS-FOO"}}},
		{"flags after objects still count (glibc getopt permutes)", []string{"AS-FOO", "-J", "AS-BAR", "-z"}, nil,
			Options{Vendor: Juniper, Gen: RouteFilterList, Name: "NN", Host: "rr.ntt.net", Port: "43", ASWidth: 8, MaxLen: 32, Objects: []string{"AS-FOO", "AS-BAR"}}},
		{"-- ends options", []string{"-b", "--", "AS-FOO", "-J"}, nil,
			Options{Vendor: BIRD, Gen: PrefixList, Name: "NN", Host: "rr.ntt.net", Port: "43", ASWidth: 8, MaxLen: 32, Objects: []string{"AS-FOO", "-J"}}},
		{"EXCEPT", []string{"AS-FOO", "AS-BAR", "EXCEPT", "AS-BAZ", "AS5"}, nil,
			Options{Gen: PrefixList, Name: "NN", Host: "rr.ntt.net", Port: "43", ASWidth: 8, MaxLen: 32, Objects: []string{"AS-FOO", "AS-BAR"}, Except: []string{"AS-BAZ", "AS5"}}},
		{"IRRD_SOURCES", []string{"AS-FOO"}, map[string]string{"IRRD_SOURCES": "RIPE,RADB"},
			Options{Sources: "RIPE,RADB", Gen: PrefixList, Name: "NN", Host: "rr.ntt.net", Port: "43", ASWidth: 8, MaxLen: 32, Objects: []string{"AS-FOO"}}},
		{"-S overrides IRRD_SOURCES, last -S wins", []string{"-S", "A", "-S", "B", "AS-FOO"}, map[string]string{"IRRD_SOURCES": "RIPE"},
			Options{Sources: "B", Gen: PrefixList, Name: "NN", Host: "rr.ntt.net", Port: "43", ASWidth: 8, MaxLen: 32, Objects: []string{"AS-FOO"}}},
		{"host and port", []string{"-h", "whois.example:4343", "AS1"}, nil,
			Options{Host: "whois.example", Port: "4343", Gen: PrefixList, Name: "NN", ASWidth: 8, MaxLen: 32, Objects: []string{"AS1"}}},
		{"IPv6 literal host", []string{"-h", "[::1]:43", "AS1"}, nil,
			Options{Host: "::1", Port: "43", Gen: PrefixList, Name: "NN", ASWidth: 8, MaxLen: 32, Objects: []string{"AS1"}}},
		{"bare IPv6 host", []string{"-h", "2001:db8::1", "AS1"}, nil,
			Options{Host: "2001:db8::1", Port: "43", Gen: PrefixList, Name: "NN", ASWidth: 8, MaxLen: 32, Objects: []string{"AS1"}}},
		{"-f sets ASN and width 4 for Cisco", []string{"-f", "100", "AS-FOO"}, nil,
			Options{Gen: ASPath, ASNumber: 100, ASWidth: 4, Name: "NN", Host: "rr.ntt.net", Port: "43", MaxLen: 32, Objects: []string{"AS-FOO"}}},
		{"-G asdot", []string{"-X", "-G", "1.10", "AS-FOO"}, nil,
			Options{Vendor: CiscoXR, Gen: OriginASPath, ASNumber: 65546, ASWidth: 7, Name: "NN", Host: "rr.ntt.net", Port: "43", MaxLen: 32, Objects: []string{"AS-FOO"}}},
		{"-H Juniper", []string{"-J", "-H", "100", "-W", "0", "AS-FOO"}, nil,
			Options{Vendor: Juniper, Gen: ASList, ASNumber: 100, ASWidth: 0, Name: "NN", Host: "rr.ntt.net", Port: "43", MaxLen: 32, Objects: []string{"AS-FOO"}}},
		{"-b -f width 10", []string{"-b", "-f", "1", "AS-FOO"}, nil,
			Options{Vendor: BIRD, Gen: ASPath, ASNumber: 1, ASWidth: 10, Name: "NN", Host: "rr.ntt.net", Port: "43", MaxLen: 32, Objects: []string{"AS-FOO"}}},
		{"-t", []string{"-B", "-t", "AS-FOO"}, nil,
			Options{Vendor: OpenBGPD, Gen: ASSet, ASWidth: 8, Name: "NN", Host: "rr.ntt.net", Port: "43", MaxLen: 32, Objects: []string{"AS-FOO"}}},
		{"-r alone implies -R 32", []string{"-r", "16", "AS1"}, nil,
			Options{RefineLow: 16, Refine: 32, Gen: PrefixList, Name: "NN", Host: "rr.ntt.net", Port: "43", ASWidth: 8, MaxLen: 32, Objects: []string{"AS1"}}},
		{"-r -R v6", []string{"-6", "-R", "64", "-r", "48", "AS1"}, nil,
			Options{IPv6: true, RefineLow: 48, Refine: 64, Gen: PrefixList, Name: "NN", Host: "rr.ntt.net", Port: "43", ASWidth: 8, MaxLen: 128, Objects: []string{"AS1"}}},
		{"-M escapes", []string{"-J", "-E", "-M", `community a;\tfoo\\`, "AS1"}, nil,
			Options{Vendor: Juniper, Gen: ExtendedACL, Match: "community a;\tfoo\\", Name: "NN", Host: "rr.ntt.net", Port: "43", ASWidth: 8, MaxLen: 32, Objects: []string{"AS1"}}},
		{"the rest: -e -L -p -T -w -d -F -a -s -u -U -n -N -j", []string{"-e", "-L", "3", "-p", "-T", "-d", "AS1"}, nil,
			Options{Vendor: Arista, Sequence: true, MaxDepth: 3, Private: true, NoPipe: true, Debug: 1, Gen: PrefixList, Name: "NN", Host: "rr.ntt.net", Port: "43", ASWidth: 8, MaxLen: 32, Objects: []string{"AS1"}}},
		{"-F", []string{"-F", "%n/%l\\n", "-a", "65000", "AS1"}, nil,
			Options{Vendor: Format, Format: "%n/%l\\n", ASNumber: 65000, Gen: PrefixList, Name: "NN", Host: "rr.ntt.net", Port: "43", ASWidth: 8, MaxLen: 32, Objects: []string{"AS1"}}},
		{"-w with -f", []string{"-w", "-s", "-f", "5", "AS1"}, map[string]string{}, Options{}},
		{"--registry", []string{"--registry", "a.db", "--registry=b.db", "AS1"}, nil,
			Options{Registry: []string{"a.db", "b.db"}, Gen: PrefixList, Name: "NN", Host: "rr.ntt.net", Port: "43", ASWidth: 8, MaxLen: 32, Objects: []string{"AS1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.args, env(tt.env))
			if tt.name == "-w with -f" {
				// -s is refused for as-path lists, even with -w.
				var e *Error
				if !errors.As(err, &e) || e.Code != 255 {
					t.Fatalf("err = %v, want exit 255", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(&tt.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
	for _, args := range [][]string{{"-u", "AS1"}, {"-U", "AS1"}, {"-n", "AS1"}, {"-N", "AS1"}, {"-j", "AS1"}, {"-D", "AS1"}, {"-w", "-f", "1", "-6", "AS1"}} {
		if _, err := Parse(args, nil); err != nil {
			t.Errorf("Parse(%q): %v", args, err)
		}
	}
}

// The first error bgpq4 1.9 reports for a command line, with its exit
// code (observed with /usr/bin/bgpq4; see shared/docs/bgpq4.md §4-§6).
func TestParseErrors(t *testing.T) {
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"-J", "-N", "AS1"}, 1, vendorExclusive},
		{[]string{"-F", "x", "-J", "AS1"}, 1, vendorExclusive},
		{[]string{"-J", "-F", "x", "AS1"}, 1, exclusive},
		{[]string{"-E", "-f", "1", "AS1"}, 1, exclusive},
		{[]string{"-7", "AS1"}, 255, "'7' can only be used after -K"},
		{[]string{"-4", "-6", "AS1"}, 255, "-4 and -6 are mutually exclusive"},
		{[]string{"-J", "-A", "AS1"}, 255, "Sorry, aggregation (-A) does not work in Juniper prefix-lists\nYou can try route-filters (-E) or route-filter-lists (-z) instead of prefix-lists\n."},
		{[]string{"-J", "-R", "24", "AS1"}, 255, "Sorry, more-specific filters (-R 24) is not supported for Juniper prefix-lists.\nUse router-filters (-E) or route-filter-lists (-z) instead"},
		{[]string{"-J", "-r", "24", "AS1"}, 255, "Sorry, more-specific filters (-R 32) is not supported for Juniper prefix-lists.\nUse router-filters (-E) or route-filter-lists (-z) instead"},
		{[]string{"-X", "-E", "AS1"}, 255, "Sorry, only prefix-sets and as-paths supported for IOS XR"},
		{[]string{"-b", "-G", "1", "AS1"}, 255, "Sorry, only prefix-lists and as-paths/as-sets supported for BIRD output"},
		{[]string{"-t", "AS1"}, 255, "As-Sets (-t) supported for JSON (-j), OpenBGPD (-B) and BIRD (-b) output only"},
		{[]string{"-z", "AS1"}, 255, "Route-filter-lists (-z) supported for Juniper (-J) output only"},
		{[]string{"-N", "-E", "-A", "AS1"}, 255, "Sorry, aggregation (-A) is not supported with ip-prefix-lists (-E) on Nokia."},
		{[]string{"-e", "-f", "1", "AS1"}, 255, "Sorry, prefix-lists sequencing (-s) can't be  used for non prefix-list"},
		{[]string{"-s", "-J", "AS1"}, 255, "Sorry, prefix-lists sequencing (-s) supported only for IOS and EOS"},
		{[]string{"-J", "-M", "x", "AS1"}, 255, "Sorry, extra match conditions (-M) can be used only with Juniper route-filters"},
		{[]string{"-6", "-f", "1", "AS1"}, 255, "Sorry, -6 makes no sense with as-path (-f/-G) or as-list (-H) generation"},
		{[]string{"-w", "AS1"}, 255, "Sorry, -w makes sense only for as-path (-f/-G) generation"},
		{[]string{"-E", "-6", "AS1"}, 255, "Sorry, ipv6 access-lists not supported for Cisco yet."},
		{[]string{"-r", "25", "-R", "24", "AS1"}, 255, "Incompatible values for -r 25 and -R 24"},
		{[]string{"-R", "33", "AS1"}, 255, "Invalid value for refine(-R): 33 (1-32 for IPv4)"},
		{[]string{"-R", "x", "AS1"}, 255, "Invalid refine length: x"},
		{[]string{"-m", "129", "-6", "AS1"}, 255, "Invalid value for max-prefixlen: 129 (1-128 for IPv6, 1-32 for IPv4)"},
		{[]string{"-L", "0", "AS1"}, 255, "Invalid maximum recursion (-L): 0"},
		{[]string{"-f", "0", "AS1"}, 255, "Invalid AS number: 0"},
		{[]string{"-f", "12x", "AS1"}, 255, "Invalid symbol in AS number: x (12x)"},
		{[]string{"-W", "-1", "AS1"}, 255, "Invalid as-width: -1"},
		{[]string{"-A", "-f", "1", "AS1"}, 255, "Sorry, aggregation (-A) used only for prefix-lists, extended access-lists and route-filters"},
		{[]string{"-M", `a\q`, "AS1"}, 255, `Unsupported escape \q (0x71) in 'a\q'`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.args, nil)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Parse(%q) = %v, want *Error", tt.args, err)
			continue
		}
		if e.Code != tt.code || e.Msg != tt.msg {
			t.Errorf("Parse(%q) = %d %q, want %d %q", tt.args, e.Code, e.Msg, tt.code, tt.msg)
		}
	}
	for _, args := range [][]string{{"-3", "AS1"}, {"-l"}, {"AS1", "--nope"}, {"-b"}, {"--registry"}} {
		var ue *UsageError
		if _, err := Parse(args, nil); !errors.As(err, &ue) {
			t.Errorf("Parse(%q) = %v, want *UsageError", args, err)
		}
	}
}

func TestSplitHostPort(t *testing.T) {
	tests := []struct{ in, host, port string }{
		{"rr.ntt.net", "rr.ntt.net", "43"},
		{"127.0.0.1:4350", "127.0.0.1", "4350"},
		{"[::1]:4350", "::1", "4350"},
		{"[::1]", "::1", "43"},
		{"::1", "::1", "43"},
	}
	for _, tt := range tests {
		h, p := splitHostPort(tt.in, "43")
		if h != tt.host || p != tt.port {
			t.Errorf("splitHostPort(%q) = %q, %q; want %q, %q", tt.in, h, p, tt.host, tt.port)
		}
	}
}
