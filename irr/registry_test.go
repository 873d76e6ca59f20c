package irr

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// demoPath is the bgpq4 demo data, read in place from shared/.
var demoPath = filepath.Join("..", "..", "shared", "testdata", "demo", "bgpq4-demo.rpsl")

func loadDemo(t testing.TB) *Registry {
	t.Helper()
	if _, err := os.Stat(demoPath); err != nil {
		t.Skip("shared demo data not present beside the project:", err)
	}
	reg, err := LoadFiles(context.Background(), LoadOptions{Strict: true}, demoPath)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func loadString(t testing.TB, opts LoadOptions, data string) *Registry {
	t.Helper()
	b := NewBuilder(opts)
	if err := b.ReadFrom(context.Background(), strings.NewReader(data), "test.db"); err != nil {
		t.Fatal(err)
	}
	reg, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func prefixStrings(prs []PrefixRange) []string {
	out := make([]string, len(prs))
	for i, p := range prs {
		out[i] = p.String()
	}
	return out
}

// The expected lists below are bgpq4 1.9's output for the demo data as
// recorded in shared/docs/bgpq4.md §3-§4 (the oracle), not our own output.
var demoV4 = []string{
	"44.0.0.0/8", "185.0.0.0/24", "185.0.1.0/24", "185.0.2.0/24", "185.0.3.0/24", "185.0.4.0/23",
	"192.0.2.0/25", "192.0.2.1/32", "192.0.2.128/25", "193.0.0.0/21", "193.0.0.0/24", "193.0.8.0/22",
	"193.0.12.0/22", "194.0.0.0/16", "194.1.0.0/16", "195.0.0.0/24", "198.51.100.0/24", "198.51.100.0/25",
	"203.0.113.0/24",
}

var demoV6 = []string{
	"2001:db8:100::/48", "2001:db8:101::/48", "2001:db8:200::/40", "2001:db8:500::/48",
	"2001:db8:700::/48", "2a00:1000::/32", "2a00:1001::/32",
}

func TestExpandDemo(t *testing.T) {
	reg := loadDemo(t)
	ctx := context.Background()
	tests := []struct {
		name   string
		object string
		fam    Family
		opts   *ExpandOptions
		want   []string
		count  int // when want is nil: the expected number of prefixes
	}{
		{"AS-DEMO v4", "AS-DEMO", IPv4, nil, demoV4, 0},
		{"AS-DEMO v6", "AS-DEMO", IPv6, nil, demoV6, 0},
		{"lowercase name", "as-demo", IPv4, nil, demoV4, 0},
		{"depth 1", "AS-DEMO", IPv4, &ExpandOptions{MaxDepth: 1}, nil, 6},
		{"depth 2", "AS-DEMO", IPv4, &ExpandOptions{MaxDepth: 2}, nil, 17},
		{"depth 3", "AS-DEMO", IPv4, &ExpandOptions{MaxDepth: 3}, nil, 19},
		{"single ASN", "AS100", IPv4, nil, []string{"192.0.2.0/25", "192.0.2.1/32", "192.0.2.128/25", "198.51.100.0/24"}, 0},
		{"first source wins", "AS-DUP", IPv4, nil, []string{"192.0.2.0/25", "192.0.2.1/32", "192.0.2.128/25", "198.51.100.0/24"}, 0},
		{"source pin", "RADB::AS-DUP", IPv4, nil, []string{"198.51.100.0/24", "198.51.100.0/25", "203.0.113.0/24"}, 0},
		{"source order", "AS-DUP", IPv4, &ExpandOptions{Sources: []string{"RADB", "RIPE"}}, []string{"198.51.100.0/24", "198.51.100.0/25", "203.0.113.0/24"}, 0},
		{"route-set v4", "RS-DEMO", IPv4, nil, []string{"192.0.2.0/24^+", "198.51.100.128/25", "203.0.113.0/24^24-26"}, 0},
		{"route-set v6", "RS-DEMO", IPv6, nil, []string{"2001:db8:100::/48^48-56"}, 0},
		{"self loop", "AS-SELFLOOP", IPv4, nil, []string{"192.0.2.0/25", "192.0.2.1/32", "192.0.2.128/25", "198.51.100.0/24"}, 0},
		{"no members", "AS-NOMEMBERS", IPv4, nil, []string{}, 0},
		{"literal range", "10.0.0.0/8^24-24", IPv4, nil, []string{"10.0.0.0/8^24"}, 0},
		{"literal other family", "10.0.0.0/8", IPv6, nil, nil, 0},
		{"exclude set", "AS-DEMO", IPv6, &ExpandOptions{Exclude: []string{"AS-CUST", "as300:as-peers"}},
			[]string{"2001:db8:100::/48", "2001:db8:101::/48", "2001:db8:200::/40"}, 0},
		{"exclude asn", "AS-DEMO", IPv6, &ExpandOptions{Exclude: []string{"AS100", "AS-CUST", "AS300:AS-PEERS"}},
			[]string{"2001:db8:200::/40"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prs, rep, err := reg.ExpandPrefixes(ctx, tt.object, tt.fam, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if rep == nil {
				t.Fatal("nil report")
			}
			got := prefixStrings(prs)
			if tt.want == nil && tt.count > 0 {
				if len(got) != tt.count {
					t.Errorf("got %d prefixes, want %d: %v", len(got), tt.count, got)
				}
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" && (len(tt.want) > 0 || len(got) > 0) {
				t.Errorf("prefixes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExpandASNsDemo(t *testing.T) {
	reg := loadDemo(t)
	asns, rep, err := reg.ExpandASNs(context.Background(), "AS-DEMO", nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]uint32{100, 200, 400, 500, 600, 700, 800, 900}, asns); diff != "" {
		t.Errorf("ASNs (-want +got):\n%s", diff)
	}
	wantMissing := []MissingRef{{Name: "AS-MISSING", Path: []string{"AS-DEMO", "AS-CUST", "AS-CUST2"}}}
	if diff := cmp.Diff(wantMissing, rep.Missing); diff != "" {
		t.Errorf("missing (-want +got):\n%s", diff)
	}
	if len(rep.Loops) == 0 {
		t.Error("no loop reported for AS-CUST -> AS-DEMO")
	}
	if rep.Depth != 3 {
		t.Errorf("depth = %d, want 3", rep.Depth)
	}
	if rep.Sets["AS-CUST2"] != "RADB" || rep.Sets["AS-DEMO"] != "RIPE" {
		t.Errorf("set sources = %v", rep.Sets)
	}
	if diff := cmp.Diff([]string{"AS-DEMO", "AS-CUST", "AS-CUST2"}, rep.Chain(600)); diff != "" {
		t.Errorf("chain of AS600 (-want +got):\n%s", diff)
	}
	// AS-PRIV keeps private and reserved ASNs: filtering them is policy,
	// decided above this package.
	asns, _, err = reg.ExpandASNs(context.Background(), "AS-PRIV", nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]uint32{100, 23456, 64512, 65000, 4200000001}, asns); diff != "" {
		t.Errorf("AS-PRIV (-want +got):\n%s", diff)
	}
	_, rep, err = reg.ExpandPrefixes(context.Background(), "AS-DEMO", IPv4, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]uint32{800}, rep.NoRoutes); diff != "" {
		t.Errorf("no routes (-want +got):\n%s", diff)
	}
}

func TestExpandErrors(t *testing.T) {
	reg := loadDemo(t)
	ctx := context.Background()
	_, _, err := reg.ExpandASNs(ctx, "AS-NOPE", nil)
	var nf *NotFoundError
	if !errors.As(err, &nf) || !errors.Is(err, ErrNotFound) || nf.Object != "AS-NOPE" {
		t.Errorf("missing root: err = %v", err)
	}
	if _, _, err := reg.ExpandPrefixes(ctx, "AS-NOPE", IPv4, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing root prefixes: err = %v", err)
	}
	if _, _, err := reg.ExpandPrefixes(ctx, "NOPE::AS-DEMO", IPv4, nil); err == nil {
		t.Error("unknown source pin: no error")
	}
	if _, _, err := reg.ExpandASNs(ctx, "AS-DEMO", &ExpandOptions{Sources: []string{"NOPE"}}); err == nil {
		t.Error("unknown source: no error")
	}
	if _, _, err := reg.ExpandASNs(ctx, "RS-DEMO", nil); err == nil {
		t.Error("route-set as AS-SET: no error")
	}
	_, _, err = reg.ExpandASNs(ctx, "AS-DEMO", &ExpandOptions{Limits: Limits{MaxASNs: 3}})
	var le *LimitError
	if !errors.As(err, &le) || !errors.Is(err, ErrLimit) || le.Limit != "asns" || le.Root != "AS-DEMO" {
		t.Errorf("ASN limit: err = %v", err)
	}
	_, _, err = reg.ExpandASNs(ctx, "AS-DEMO", &ExpandOptions{Limits: Limits{MaxSets: 2}})
	if !errors.As(err, &le) || le.Limit != "sets" {
		t.Errorf("set limit: err = %v", err)
	}
	_, _, err = reg.ExpandPrefixes(ctx, "AS-DEMO", IPv4, &ExpandOptions{Limits: Limits{MaxPrefixes: 5}})
	if !errors.As(err, &le) || le.Limit != "prefixes" {
		t.Errorf("prefix limit: err = %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := reg.Routes(cctx, make([]uint32, 5000), IPv4, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Routes: err = %v", err)
	}
}

func TestForbiddenMembers(t *testing.T) {
	reg := loadString(t, LoadOptions{}, `as-set: AS-BAD
members: AS1, AS-ANY
source: TEST

route-set: RS-BAD
members: RS-ANY
source: TEST
`)
	if _, _, err := reg.ExpandASNs(context.Background(), "AS-BAD", nil); !errors.Is(err, ErrForbiddenMember) {
		t.Errorf("AS-ANY: err = %v", err)
	}
	if _, _, err := reg.ExpandPrefixes(context.Background(), "RS-BAD", IPv4, nil); !errors.Is(err, ErrForbiddenMember) {
		t.Errorf("RS-ANY: err = %v", err)
	}
}

func TestMembersByRef(t *testing.T) {
	data, err := os.ReadFile("testdata/worked.rpsl")
	if err != nil {
		t.Fatal(err)
	}
	reg := loadString(t, LoadOptions{}, string(data))
	asns, _, err := reg.ExpandASNs(context.Background(), "AS-EXAMPLE", nil)
	if err != nil {
		t.Fatal(err)
	}
	// AS64505 joins through member-of (its mnt-by is in mbrs-by-ref);
	// AS64506 is maintained by another mntner and does not.
	want := []uint32{64500, 64501, 64502, 64503, 64504, 64505, 64510, 64511}
	if diff := cmp.Diff(want, asns); diff != "" {
		t.Errorf("ASNs (-want +got):\n%s", diff)
	}
	prs, _, err := reg.ExpandPrefixes(context.Background(), "RS-EXAMPLE", IPv4, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"192.0.2.0/24", "198.51.100.0/24^+"}, prefixStrings(prs)); diff != "" {
		t.Errorf("route-set (-want +got):\n%s", diff)
	}
	set, ok := reg.LookupSet("as-example", nil)
	if !ok || set.Source != "RADB" || set.Class != "as-set" {
		t.Fatalf("LookupSet = %+v, %v", set, ok)
	}
	wantMembers := []string{"AS64500", "AS64501", "AS-OTHER", "AS64502", "AS64503", "AS64504", "AS64505"}
	if diff := cmp.Diff(wantMembers, set.Members); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
}

func TestRouteSetOperators(t *testing.T) {
	reg := loadString(t, LoadOptions{}, `route-set: RS-A
members: RS-B^+, AS1^25, RS-C^-, 10.0.0.0/8^16-24
mp-members: 2001:db8::/32^48
source: T

route-set: RS-B
members: 192.0.2.0/24^26
source: T

route-set: RS-C
members: RS-A, 198.51.100.0/24^25-26
source: T

route: 203.0.113.0/24
origin: AS1
source: T
`)
	prs, rep, err := reg.ExpandPrefixes(context.Background(), "RS-A", IPv4, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8^16-24", "192.0.2.0/24^26-32", "198.51.100.0/24^26-32", "203.0.113.0/24^25"}
	if diff := cmp.Diff(want, prefixStrings(prs)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if len(rep.Loops) != 1 {
		t.Errorf("loops = %v, want RS-A > RS-C > RS-A", rep.Loops)
	}
	prs, _, err = reg.ExpandPrefixes(context.Background(), "RS-A", IPv6, nil)
	if err != nil || len(prs) != 1 || prs[0].String() != "2001:db8::/32^48" {
		t.Errorf("v6 = %v, %v", prs, err)
	}
}

func TestLoadProblems(t *testing.T) {
	in := `route: 192.0.2.1/24
origin: AS1
source: T

route: 192.0.2.0/24
origin: ASX
source: T

route: 2001:db8::/32
origin: AS1
source: T

route: 198.51.100.0/24
source: T

as-set: AS-OK
members: AS1, AS1.5, BOGUS, AS-X
source: T

as-set: NOT-A-SET
members: AS1
source: T

route: 203.0.113.0/24
origin: AS1

route: 192.0.2.0/24
origin: AS1
source: T
`
	b := NewBuilder(LoadOptions{})
	if err := b.ReadFrom(context.Background(), strings.NewReader(in), "bad.db"); err != nil {
		t.Fatal(err)
	}
	reg, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	probs, n := b.Problems()
	wantLines := []string{
		"bad.db:1: route 192.0.2.1/24: prefix \"192.0.2.1/24\": host bits set",
		"bad.db:6: route 192.0.2.0/24: origin: invalid AS number \"ASX\"",
		"bad.db:9: route 2001:db8::/32: prefix \"2001:db8::/32\" is not of the class's family",
		"bad.db:13: route 198.51.100.0/24: no origin: attribute",
		"bad.db:17: as-set AS-OK: members: invalid member \"BOGUS\" (member dropped)",
		"bad.db:20: as-set NOT-A-SET: invalid as-set name \"NOT-A-SET\"",
		"bad.db:24: route 203.0.113.0/24: no source: attribute",
	}
	var got []string
	for _, p := range probs {
		got = append(got, p.Error())
	}
	if diff := cmp.Diff(wantLines, got); diff != "" || n != len(wantLines) {
		t.Errorf("problems (%d) (-want +got):\n%s", n, diff)
	}
	// The good parts stayed: AS-OK with AS1, AS65541 (asdot) and AS-X.
	set, ok := reg.LookupSet("AS-OK", nil)
	if !ok || strings.Join(set.Members, ",") != "AS1,AS65541,AS-X" {
		t.Errorf("AS-OK = %+v", set)
	}
	if st := reg.Stats(); st.Routes4 != 1 {
		t.Errorf("stats = %+v, want one good route", st)
	}
	// Strict mode fails on the first problem, naming it.
	sb := NewBuilder(LoadOptions{Strict: true})
	err = sb.ReadFrom(context.Background(), strings.NewReader(in), "bad.db")
	if err == nil || err.Error() != wantLines[0] {
		t.Errorf("strict: err = %v", err)
	}
	// DefaultSource fills in a missing source.
	reg = loadString(t, LoadOptions{DefaultSource: "local"}, "route: 192.0.2.0/24\norigin: AS1\n")
	if diff := cmp.Diff([]string{"LOCAL"}, reg.Sources()); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
}

func TestLookupRoutes(t *testing.T) {
	reg := loadDemo(t)
	str := func(rs []Route) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Prefix.String()+" AS"+itoa(r.Origin)+" "+r.Source)
		}
		return out
	}
	p := netip.MustParsePrefix
	tests := []struct {
		name  string
		p     netip.Prefix
		match RouteMatch
		want  []string
	}{
		{"exact", p("198.51.100.0/24"), MatchExact, []string{"198.51.100.0/24 AS100 RIPE", "198.51.100.0/24 AS200 RADB"}},
		{"one less", p("198.51.100.0/25"), MatchOneLess, []string{"198.51.100.0/24 AS100 RIPE", "198.51.100.0/24 AS200 RADB"}},
		{"all less", p("198.51.100.0/25"), MatchAllLess, []string{"198.51.100.0/24 AS100 RIPE", "198.51.100.0/24 AS200 RADB", "198.51.100.0/25 AS200 RADB"}},
		{"more", p("192.0.2.0/24"), MatchMoreSpecific, []string{"192.0.2.0/25 AS100 RIPE", "192.0.2.1/32 AS100 RIPE", "192.0.2.128/25 AS100 RIPE"}},
		{"more v6", p("2001:db8::/32"), MatchMoreSpecific, []string{"2001:db8:100::/48 AS100 RIPE", "2001:db8:101::/48 AS100 RIPE", "2001:db8:200::/40 AS200 RADB", "2001:db8:500::/48 AS500 RIPE", "2001:db8:700::/48 AS700 RADB"}},
		{"none", p("10.0.0.0/8"), MatchExact, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, str(reg.LookupRoutes(tt.p, tt.match, nil))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if txt, ok := reg.Object("route", "198.51.100.0/24AS200", []string{"RADB"}); !ok || !strings.Contains(txt, "source:          RADB") {
		t.Errorf("Object(route) = %q, %v", txt, ok)
	}
	if _, ok := reg.Object("route", "198.51.100.0/24AS200", []string{"RIPE"}); ok {
		t.Error("Object found a route in the wrong source")
	}
	if txt, ok := reg.Object("as-set", "as-demo", nil); !ok || !strings.HasPrefix(txt, "as-set:") {
		t.Errorf("Object(as-set) = %q, %v", txt, ok)
	}
}

func itoa(n uint32) string { return strconv.FormatUint(uint64(n), 10) }

// TestConcurrentReaders runs expansions in parallel under -race.
func TestConcurrentReaders(t *testing.T) {
	reg := loadDemo(t)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				prs, _, err := reg.ExpandPrefixes(context.Background(), "AS-DEMO", IPv4, nil)
				if err != nil || len(prs) != len(demoV4) {
					t.Errorf("got %d, %v", len(prs), err)
					return
				}
				reg.LookupRoutes(netip.MustParsePrefix("192.0.2.0/24"), MatchMoreSpecific, nil)
			}
		}()
	}
	wg.Wait()
}

// TestLoadRealData loads every real RPSL file in shared/testdata/real
// leniently: none may fail to load, and the counts of what matters are
// those the files hold.
func TestLoadRealData(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "testdata", "real", "rpsl")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("shared real data not present beside the project:", err)
	}
	var files []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if len(files) < 20 {
		t.Fatalf("found only %d files under %s", len(files), dir)
	}
	want := map[string]Stats{
		"ripe.db.as-set.gz":        {Sources: 1, ASSets: 25174},
		"ripe-nonauth.db.route.gz": {Sources: 1, Routes4: 52082},
		"ripe-db-route6.txt":       {Sources: 1, Routes6: 62},
		"ripe.db.filter-set.gz":    {}, // only skipped classes, one line over 64 KiB
		"AS-DACOTEC.as-set.txt":    {Sources: 1, ASSets: 1},
		"AS3257.aut-num.txt":       {Sources: 1, AutNums: 1},
	}
	for _, f := range files {
		b := NewBuilder(LoadOptions{})
		if err := b.ReadFile(context.Background(), f); err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		reg, err := b.Build()
		if err != nil {
			t.Fatal(err)
		}
		if w, ok := want[filepath.Base(f)]; ok {
			if got := reg.Stats(); got != w {
				t.Errorf("%s: stats %+v, want %+v", f, got, w)
			}
		}
	}
	// The hierarchical real set AS-DACOTEC expands without a problem.
	reg, err := LoadFiles(context.Background(), LoadOptions{Strict: true}, filepath.Join(dir, "objects", "AS-DACOTEC.as-set.txt"))
	if err != nil {
		t.Fatal(err)
	}
	asns, _, err := reg.ExpandASNs(context.Background(), "AS-DACOTEC", nil)
	if err != nil || len(asns) == 0 {
		t.Errorf("AS-DACOTEC: %v, %v", asns, err)
	}
}
