package irr_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/filtergen/filtergen/irr"
	"golang.org/x/sync/errgroup"
)

// bgpq4Path is the oracle, bgpq4 1.9 (bgpq4.md §1).
const bgpq4Path = "/usr/bin/bgpq4"

// runBGPQ4 runs bgpq4 -j -p (JSON, private ASNs kept) against addr and
// returns the prefixes it prints.
func runBGPQ4(ctx context.Context, addr string, args ...string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bgpq4Path, append([]string{"-h", addr, "-j", "-p"}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("bgpq4 %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	// For SOURCE::<route-set> bgpq4 1.9 prints "Checking <set>" before the
	// JSON on stdout.
	if i := strings.IndexByte(string(out), '{'); i > 0 {
		out = out[i:]
	}
	var doc map[string][]struct {
		Prefix string `json:"prefix"`
		Exact  bool   `json:"exact"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return nil, fmt.Errorf("bgpq4 %s: %v in %s", strings.Join(args, " "), err, wireQuoteTest(out))
	}
	var ps []string
	for _, e := range doc["NN"] {
		if !e.Exact {
			return nil, fmt.Errorf("bgpq4 %s: range entry %+v (not expected with -j)", strings.Join(args, " "), e)
		}
		ps = append(ps, e.Prefix)
	}
	slices.Sort(ps)
	return ps, nil
}

// materialise lists every prefix in the ranges, as bgpq4 prints them, or
// reports false when there would be more than max.
func materialise(prs []irr.PrefixRange, max int) ([]string, bool) {
	var out []string
	for _, r := range prs {
		bits := r.Prefix.Bits()
		for l := int(r.Min); l <= int(r.Max); l++ {
			if l-bits > 16 || len(out) > max {
				return nil, false
			}
			n := 1 << (l - bits)
			addr := r.Prefix.Addr()
			for i := 0; i < n; i++ {
				p := netip.PrefixFrom(addr, l)
				out = append(out, p.String())
				addr = nextPrefixAddr(addr, l)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out), true
}

// nextPrefixAddr returns the address of the prefix of length l after the
// one at a.
func nextPrefixAddr(a netip.Addr, l int) netip.Addr {
	b := a.AsSlice()
	pos := l - 1 // bit index from the most significant bit
	inc := byte(1) << (7 - uint(pos%8))
	for i := pos / 8; i >= 0; i-- {
		s := b[i] + inc
		carry := s < b[i]
		b[i] = s
		if !carry {
			break
		}
		inc = 1
	}
	n, _ := netip.AddrFromSlice(b)
	return n
}

type bgpq4Case struct {
	object string
	fam    irr.Family
	srcs   []string // bgpq4 -S, offline Sources
}

// compareWithBGPQ4 runs every case through bgpq4 against a filtergen
// server (with and without !a) and checks its prefixes against the
// offline registry and the filtergen client.
func compareWithBGPQ4(t *testing.T, reg *irr.Registry, cases []bgpq4Case) {
	ctx := context.Background()
	for _, noA := range []bool{false, true} {
		t.Run(fmt.Sprintf("noA=%v", noA), func(t *testing.T) {
			_, addr := startServer(t, reg, func(s *irr.Server) { s.NoA = noA })
			c := &irr.Client{Servers: []string{addr}, Timeout: time.Minute}
			defer c.Close()
			var g errgroup.Group
			g.SetLimit(4)
			errs := make([]error, len(cases))
			for i, tc := range cases {
				g.Go(func() error {
					errs[i] = checkBGPQ4Case(ctx, reg, c, addr, tc)
					return nil
				})
			}
			g.Wait()
			for _, err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
}

func checkBGPQ4Case(ctx context.Context, reg *irr.Registry, c *irr.Client, addr string, tc bgpq4Case) error {
	args := []string{"-4"}
	if tc.fam == irr.IPv6 {
		args = []string{"-6"}
	}
	opts := &irr.ExpandOptions{}
	if tc.srcs != nil {
		args = append(args, "-S", strings.Join(tc.srcs, ","))
		opts.Sources = tc.srcs
	}
	args = append(args, tc.object)
	what := fmt.Sprintf("%s %v sources %v", tc.object, tc.fam, tc.srcs)
	got, err := runBGPQ4(ctx, addr, args...)
	if err != nil {
		return err
	}
	prs, _, werr := reg.ExpandPrefixes(ctx, tc.object, tc.fam, opts)
	cprs, _, cerr := c.ExpandPrefixes(ctx, tc.object, tc.fam, opts)
	if werr != nil {
		// bgpq4 prints an empty filter for a missing object (bgpq4.md §6.1).
		if !errors.Is(werr, irr.ErrNotFound) {
			return fmt.Errorf("%s: offline: %v", what, werr)
		}
		if len(got) != 0 {
			return fmt.Errorf("%s: missing offline (%v) but bgpq4 printed %d prefixes", what, werr, len(got))
		}
		if !errors.Is(cerr, irr.ErrNotFound) {
			return fmt.Errorf("%s: missing offline, client says %v", what, cerr)
		}
		return nil
	}
	want, ok := materialise(prs, 1<<20)
	if !ok {
		return fmt.Errorf("%s: too many prefixes to compare", what)
	}
	if !slices.Equal(got, want) {
		return fmt.Errorf("%s: bgpq4 printed %d prefixes, offline expansion has %d; first difference: %s",
			what, len(got), len(want), firstDiff(want, got))
	}
	if cerr != nil {
		return fmt.Errorf("%s: client: %v", what, cerr)
	}
	if cwant, _ := materialise(cprs, 1<<20); !slices.Equal(got, cwant) {
		return fmt.Errorf("%s: bgpq4 printed %d prefixes, the filtergen client %d; first difference: %s",
			what, len(got), len(cwant), firstDiff(cwant, got))
	}
	return nil
}

func firstDiff(want, got []string) string {
	for i := 0; i < len(want) || i < len(got); i++ {
		var w, g string
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if w != g {
			return fmt.Sprintf("at %d: want %q, bgpq4 %q", i, w, g)
		}
	}
	return "none"
}

func requireBGPQ4(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath(bgpq4Path); err != nil {
		t.Skip("bgpq4 not installed (make deps installs it):", err)
	}
}

// TestBGPQ4Demo: for every object of the demo data, plain, with -S and as
// SOURCE::NAME, v4 and v6, with and without !a, the prefixes bgpq4 prints
// from a filtergen server equal the offline expansion and the client's.
func TestBGPQ4Demo(t *testing.T) {
	leakCheck(t)
	requireBGPQ4(t)
	reg := srvLoadDemo(t)
	sets, asns := demoObjects(t, srvDemoPath)
	objects := slices.Clone(sets)
	for _, a := range asns {
		objects = append(objects, fmt.Sprintf("AS%d", a))
	}
	var cases []bgpq4Case
	for _, obj := range objects {
		for _, fam := range []irr.Family{irr.IPv4, irr.IPv6} {
			cases = append(cases,
				bgpq4Case{obj, fam, nil},
				bgpq4Case{obj, fam, []string{"RIPE"}},
				bgpq4Case{obj, fam, []string{"RADB", "RIPE"}})
			if !strings.HasPrefix(obj, "AS") || strings.Contains(obj, "-") {
				cases = append(cases, bgpq4Case{"RIPE::" + obj, fam, nil}, bgpq4Case{"RADB::" + obj, fam, nil})
			}
		}
	}
	compareWithBGPQ4(t, reg, cases)
}

// TestBGPQ4Generated does the same for AS-TOP of a generated dataset.
func TestBGPQ4Generated(t *testing.T) {
	leakCheck(t)
	requireBGPQ4(t)
	reg := loadGenerated(t)
	var cases []bgpq4Case
	for _, fam := range []irr.Family{irr.IPv4, irr.IPv6} {
		cases = append(cases,
			bgpq4Case{"AS-TOP", fam, nil},
			bgpq4Case{"AS-TOP", fam, []string{"RIPE"}},
			bgpq4Case{"RADB::AS-TOP", fam, nil},
			bgpq4Case{"RIPE::AS-TOP", fam, nil})
	}
	compareWithBGPQ4(t, reg, cases)
}

func wireQuoteTest(b []byte) string {
	if len(b) > 200 {
		return fmt.Sprintf("%q...", b[:200])
	}
	return fmt.Sprintf("%q", b)
}
