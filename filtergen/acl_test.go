package filtergen_test

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/irr"
)

const aclRPSL = `
as-set:  AS-C
members: AS1000, AS1001
source:  TEST

route:   11.0.0.0/16
origin:  AS1000
source:  TEST

route:   11.1.0.0/16
origin:  AS1000
source:  TEST

route:   11.1.128.0/17
origin:  AS1001
source:  TEST

route:   12.0.0.0/16
origin:  AS1001
source:  TEST

route:   13.0.0.0/25
origin:  AS1001
source:  TEST

route:   10.99.0.0/16
origin:  AS1001
source:  TEST

route6:  2a00:1000::/36
origin:  AS1000
source:  TEST

route6:  2a00:1000:1000::/36
origin:  AS1001
source:  TEST

route6:  2a00:2000::/64
origin:  AS1000
source:  TEST
`

// TestCompileIngressACL checks a customer's ingress ACL against a
// reference: it must cover exactly the addresses of the accepted prefixes,
// the neighbor addresses and, for IPv6, fe80::/10 (as FamilyResult.ACL
// documents), with no overlapping or mergeable entries. Dropped prefixes
// (too long, bogon) must not be in it.
func TestCompileIngressACL(t *testing.T) {
	b := irr.NewBuilder(irr.LoadOptions{})
	if err := b.ReadFrom(context.Background(), strings.NewReader(aclRPSL), "acl.rpsl"); err != nil {
		t.Fatal(err)
	}
	reg, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	pol := mustPolicy(t, `
version: 2
local_as: 3000
irr: {dumps: [x.rpsl]}
routers: [{name: r1, platform: junos}]
customers:
  - name: C
    asn: 1000
    announce: [AS-C, 45.0.0.0/22^24]
    neighbors: [11.0.0.1, 198.18.0.1, 2001:db8:ffff::1]
    interface: xe-0/0/1
  - name: NOACL
    asn: 1000
    announce: [AS-C]
    ingress_acl: false
    urpf: none
peers:
  - {name: P, asn: 1000, announce: [AS-C], neighbors: [198.18.0.5]}
`)
	res, err := filtergen.Compile(context.Background(), pol, filtergen.CompileOptions{IRR: reg})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*filtergen.PeerResult{}
	for _, p := range res.Peers {
		byName[p.Name] = p
	}
	c := byName["C"]
	mp := netip.MustParsePrefix
	want := map[filtergen.Family][]netip.Prefix{
		// 11.0/16 + 11.1/16 (11.1.128/17 inside) merge; 11.0.0.1 is inside;
		// 13.0.0.0/25 (too long) and 10.99/16 (bogon) are dropped.
		filtergen.IPv4: {mp("11.0.0.0/15"), mp("12.0.0.0/16"), mp("45.0.0.0/22"), mp("198.18.0.1/32")},
		// 2a00:2000::/64 is too long (max /48); the two /36 are siblings.
		filtergen.IPv6: {mp("2001:db8:ffff::1/128"), mp("2a00:1000::/35"), mp("fe80::/10")},
	}
	for _, f := range c.Families {
		if diff := cmp.Diff(want[f.Family], f.ACL, cmpopts.EquateComparable(netip.Prefix{})); diff != "" {
			t.Errorf("%s ACL (-want +got):\n%s", f.Family, diff)
		}
		// The reference: the documented inputs, covered exactly.
		var in []netip.Prefix
		for _, a := range f.Accepted {
			in = append(in, a.Range.Prefix)
		}
		for _, a := range c.Neighbors {
			if a.Is4() == (f.Family == filtergen.IPv4) {
				in = append(in, netip.PrefixFrom(a, a.BitLen()))
			}
		}
		if f.Family == filtergen.IPv6 {
			in = append(in, mp("fe80::/10"))
		}
		checkExactUnion(t, f.Family, in, f.ACL)
		for _, d := range f.Dropped {
			for _, e := range f.ACL {
				if e.Overlaps(d.Range.Prefix) {
					t.Errorf("%s: ACL entry %s admits dropped %s (%s)", f.Family, e, d.Range, d.Reason)
				}
			}
		}
		if f.URPF != "strict" {
			t.Errorf("%s: uRPF %q, want the customer default strict", f.Family, f.URPF)
		}
	}
	for _, name := range []string{"NOACL", "P"} {
		for _, f := range byName[name].Families {
			if len(f.ACL) != 0 {
				t.Errorf("%s %s: ACL %v, want none", name, f.Family, f.ACL)
			}
		}
	}
}

// checkExactUnion fails unless acl covers exactly the addresses of in,
// with no entry overlapping another and no two entries that could merge.
func checkExactUnion(t *testing.T, fam filtergen.Family, in, acl []netip.Prefix) {
	t.Helper()
	covered := func(p netip.Prefix, by []netip.Prefix) bool {
		for _, q := range by {
			if q.Bits() <= p.Bits() && q.Contains(p.Addr()) {
				return true
			}
		}
		return false
	}
	for _, p := range in {
		if !covered(p, acl) {
			t.Errorf("%s: %s is not covered by the ACL %v", fam, p, acl)
		}
	}
	// Every address of every entry lies in some input: split the entry
	// until each part is inside an input or meets none.
	var inside func(p netip.Prefix) bool
	inside = func(p netip.Prefix) bool {
		if covered(p, in) {
			return true
		}
		meets := false
		for _, q := range in {
			meets = meets || q.Overlaps(p)
		}
		if !meets || p.Bits() == p.Addr().BitLen() {
			return false
		}
		lo := netip.PrefixFrom(p.Addr(), p.Bits()+1)
		b := p.Addr().As16()
		i := p.Bits()
		if p.Addr().Is4() {
			i += 96
		}
		b[i/8] |= 0x80 >> (i % 8)
		hiAddr := netip.AddrFrom16(b)
		if p.Addr().Is4() {
			hiAddr = hiAddr.Unmap()
		}
		return inside(lo) && inside(netip.PrefixFrom(hiAddr, p.Bits()+1))
	}
	for i, e := range acl {
		if !inside(e) {
			t.Errorf("%s: ACL entry %s covers addresses no input has", fam, e)
		}
		for j, o := range acl {
			if i == j {
				continue
			}
			if e.Overlaps(o) {
				t.Errorf("%s: ACL entries %s and %s overlap", fam, e, o)
			}
			if e.Bits() == o.Bits() && e.Bits() > 0 {
				if pe, _ := e.Addr().Prefix(e.Bits() - 1); pe == mustParent(o) {
					t.Errorf("%s: ACL entries %s and %s could merge", fam, e, o)
				}
			}
		}
	}
}

func mustParent(p netip.Prefix) netip.Prefix {
	q, _ := p.Addr().Prefix(p.Bits() - 1)
	return q
}
