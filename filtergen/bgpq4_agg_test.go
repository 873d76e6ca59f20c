package filtergen_test

import (
	"context"
	"fmt"
	"net/netip"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/irr"
)

// matched returns every route (prefix) the entries match, or an error
// when that is more than limit routes.
func matched(rs []filtergen.PrefixRange, limit int) (map[netip.Prefix]bool, error) {
	out := map[netip.Prefix]bool{}
	for _, r := range rs {
		for l := int(r.Min); l <= int(r.Max); l++ {
			n := l - r.Prefix.Bits()
			if n < 0 || n > 22 || len(out)+1<<n > limit {
				return nil, fmt.Errorf("%s matches more than %d routes", r, limit)
			}
			p := netip.PrefixFrom(r.Prefix.Addr(), l)
			for range 1 << n {
				out[p] = true
				p = nextPrefix(p)
			}
		}
	}
	return out, nil
}

// nextPrefix returns the prefix of the same length right after p.
func nextPrefix(p netip.Prefix) netip.Prefix {
	b := p.Addr().AsSlice()
	bit := p.Bits() - 1
	for i := bit / 8; ; {
		inc := byte(1) << (7 - bit%8)
		old := b[i]
		b[i] += inc
		if b[i] > old || i == 0 {
			break
		}
		bit, i = i*8-1, i-1
	}
	a, _ := netip.AddrFromSlice(b)
	return netip.PrefixFrom(a, p.Bits())
}

// parseBGPQ4 reads bgpq4 -F "%n/%l %a-%A\n" lines.
func parseBGPQ4(t *testing.T, lines []string) []filtergen.PrefixRange {
	t.Helper()
	var out []filtergen.PrefixRange
	for _, l := range lines {
		pfx, rng, ok := strings.Cut(l, " ")
		lo, hi, ok2 := strings.Cut(rng, "-")
		p, err := netip.ParsePrefix(pfx)
		a, err2 := strconv.Atoi(lo)
		b, err3 := strconv.Atoi(hi)
		if !ok || !ok2 || err != nil || err2 != nil || err3 != nil {
			t.Fatalf("bgpq4 line %q", l)
		}
		out = append(out, filtergen.PrefixRange{Prefix: p, Min: uint8(a), Max: uint8(b)})
	}
	return out
}

// TestExamplesAggregateLikeBGPQ4 takes every exact prefix list of the
// bundled examples (each peer and family whose accepted prefixes are
// all exact) and compares filtergen's filter entries with bgpq4 -A's on
// the same prefixes, served from a registry of just those routes by our
// IRRd server. Both must match exactly the accepted routes, no more and
// no less, and filtergen's list is never longer. Where the two pick
// different (equivalent) entries, the test says so in its log.
func TestExamplesAggregateLikeBGPQ4(t *testing.T) {
	bgpq4Missing(t)
	type list struct {
		name   string
		fam    filtergen.Family
		exact  []netip.Prefix
		ours   []filtergen.PrefixRange
		origin int
	}
	var lists []list
	for _, ex := range []string{"transit-customer", "ixp-onboarding"} {
		pol, err := filtergen.LoadPolicy(filepath.Join("..", "examples", ex, "filtergen.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		reg, err := irr.LoadFiles(context.Background(), irr.LoadOptions{}, filepath.Join(pol.Dir, pol.IRR.Dumps[0]))
		if err != nil {
			t.Fatal(err)
		}
		pol.RPKI = filtergen.RPKISource{}
		for i := range pol.Peers {
			pol.Peers[i].RPKIAcceptValid = nil
			pol.Peers[i].RPKITightenMaxLength = nil
		}
		for i := range pol.Customers {
			pol.Customers[i].RPKIAcceptValid = nil
			pol.Customers[i].RPKITightenMaxLength = nil
		}
		pol.Defaults.RPKITightenMaxLength = nil
		pol.Defaults.RPKIAcceptValid = nil
		res, err := filtergen.Compile(context.Background(), pol, filtergen.CompileOptions{IRR: reg})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range res.Peers {
			if !p.Settings.Aggregate {
				continue
			}
			for _, fr := range p.Families {
				l := list{name: ex + "/" + p.Name, fam: fr.Family, ours: fr.Entries, origin: 64600 + len(lists)}
				for _, a := range fr.Accepted {
					r := a.Range
					if int(r.Min) != r.Prefix.Bits() || r.Min != r.Max {
						l.exact = nil
						break
					}
					l.exact = append(l.exact, r.Prefix)
				}
				if len(l.exact) > 1 {
					lists = append(lists, l)
				}
			}
		}
	}
	if len(lists) == 0 {
		t.Fatal("no exact prefix list in the examples")
	}
	var rpsl strings.Builder
	for _, l := range lists {
		fmt.Fprintf(&rpsl, "as-set: AS-CMP%d\nmembers: AS%d\nsource: TEST\n\n", l.origin, l.origin)
		for _, p := range l.exact {
			kind := "route"
			if p.Addr().Is6() {
				kind = "route6"
			}
			fmt.Fprintf(&rpsl, "%s: %s\norigin: AS%d\nsource: TEST\n\n", kind, p, l.origin)
		}
	}
	b := irr.NewBuilder(irr.LoadOptions{Strict: true})
	if err := b.ReadFrom(context.Background(), strings.NewReader(rpsl.String()), "examples.rpsl"); err != nil {
		t.Fatal(err)
	}
	reg, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	addr := serveRegistry(t, reg)
	differ := 0
	for _, l := range lists {
		flag := map[filtergen.Family]string{filtergen.IPv4: "-4", filtergen.IPv6: "-6"}[l.fam]
		theirs := parseBGPQ4(t, bgpq4(t, addr, flag, "-A", "-F", "%n/%l %a-%A\n", fmt.Sprintf("AS-CMP%d", l.origin)))
		want := map[netip.Prefix]bool{}
		for _, p := range l.exact {
			want[p] = true
		}
		for _, side := range []struct {
			who string
			rs  []filtergen.PrefixRange
		}{{"filtergen", l.ours}, {"bgpq4 -A", theirs}} {
			got, err := matched(side.rs, 1<<20)
			if err != nil {
				t.Errorf("%s %s: %s: %v", l.name, l.fam, side.who, err)
				continue
			}
			for p := range got {
				if !want[p] {
					t.Errorf("%s %s: %s matches %s, which is not accepted", l.name, l.fam, side.who, p)
				}
			}
			for p := range want {
				if !got[p] {
					t.Errorf("%s %s: %s does not match accepted %s", l.name, l.fam, side.who, p)
				}
			}
		}
		if len(l.ours) > len(theirs) {
			t.Errorf("%s %s: filtergen has %d entries, bgpq4 -A %d:\n%v\n%v", l.name, l.fam, len(l.ours), len(theirs), l.ours, theirs)
		}
		if fmt.Sprint(l.ours) != fmt.Sprint(theirs) {
			differ++
			t.Logf("%s %s: %d prefixes; filtergen %d entries %v; bgpq4 -A %d entries %v",
				l.name, l.fam, len(l.exact), len(l.ours), l.ours, len(theirs), theirs)
		}
	}
	t.Logf("%d exact lists compared; %d with different (equivalent) entries", len(lists), differ)
}

func bgpq4Missing(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("bgpq4"); err != nil {
		t.Skip("bgpq4 not installed (make deps installs it)")
	}
}
