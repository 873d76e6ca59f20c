package bgpq4

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// matched is the slow reference: the set of prefixes a list of entries
// permits, enumerated one by one.
func matched(t *tree) map[netip.Prefix]bool {
	m := map[netip.Prefix]bool{}
	t.entries(func(n *node) {
		e := t.entry(n)
		var walkLen func(p netip.Prefix)
		walkLen = func(p netip.Prefix) {
			if uint8(p.Bits()) >= e.Low() {
				m[p] = true
			}
			if uint8(p.Bits()) >= e.High() {
				return
			}
			lo := netip.PrefixFrom(p.Addr(), p.Bits()+1)
			walkLen(lo)
			hi := pfxFrom(lo)
			walkLen(hi.withBit(hi.len - 1).prefix(t.v6))
		}
		walkLen(e.Prefix)
	})
	return m
}

// Aggregation never changes what the list permits: the entries after -A
// match exactly the prefixes inserted. (bgpq4's -A only ever folds
// siblings with equal ranges, so this must hold for every input.)
func TestAggregatePreservesMatches(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	base := netip.MustParsePrefix("10.0.0.0/22")
	for iter := 0; iter < 2000; iter++ {
		want := map[netip.Prefix]bool{}
		tr := &tree{}
		n := 1 + rng.IntN(40)
		for i := 0; i < n; i++ {
			l := 22 + rng.IntN(6)
			a := base.Addr().As4()
			off := rng.Uint32() & (1<<10 - 1)
			v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | off
			p := netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), l).Masked()
			want[p] = true
			tr.add(pfxFrom(p))
		}
		tr.finish(true)
		before := matched(tr)
		tr.aggregate(tr.head)
		got := matched(tr)
		if !mapsEqual(before, want) || !mapsEqual(got, want) {
			keys := slices.Collect(func(yield func(netip.Prefix) bool) {
				for p := range want {
					if !yield(p) {
						return
					}
				}
			})
			t.Fatalf("iteration %d: inserted %v: %d matched before -A, %d after, want %d", iter, keys, len(before), len(got), len(want))
		}
	}
}

func mapsEqual(a, b map[netip.Prefix]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// The tree prints in ascending (address, length) order with duplicates
// removed, whatever the insertion order.
func TestTreeOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for iter := 0; iter < 200; iter++ {
		var ps []netip.Prefix
		for i := 0; i < 50; i++ {
			b := make([]byte, 16)
			for j := range b[:4] {
				b[j] = byte(rng.IntN(4))
			}
			b[0] = 0x20
			a := netip.AddrFrom16([16]byte(b))
			ps = append(ps, netip.PrefixFrom(a, 8+rng.IntN(40)).Masked())
		}
		tr := &tree{v6: true}
		for _, p := range ps {
			tr.add(pfxFrom(p))
		}
		tr.finish(true)
		var got []netip.Prefix
		tr.entries(func(n *node) { got = append(got, tr.prefixOf(n)) })
		want := slices.Clone(ps)
		slices.SortFunc(want, func(a, b netip.Prefix) int {
			if c := a.Addr().Compare(b.Addr()); c != 0 {
				return c
			}
			return a.Bits() - b.Bits()
		})
		want = slices.Compact(want)
		if !slices.Equal(got, want) {
			t.Fatalf("iteration %d:\ngot  %v\nwant %v", iter, got, want)
		}
		// Without -A/-R/-r no tree is built; the flat path must print
		// the same entries.
		fl := &tree{v6: true}
		for _, p := range ps {
			fl.add(pfxFrom(p))
		}
		fl.finish(false)
		var flat []netip.Prefix
		fl.entries(func(n *node) { flat = append(flat, fl.prefixOf(n)) })
		if !slices.Equal(flat, want) {
			t.Fatalf("iteration %d: flat path\ngot  %v\nwant %v", iter, flat, want)
		}
	}
}

func TestPfxRoundTrip(t *testing.T) {
	for _, s := range []string{"0.0.0.0/0", "10.0.0.0/8", "255.255.255.255/32", "::/0", "2001:db8::/32", "2001:db8:0:1:8000::/65", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"} {
		p := netip.MustParsePrefix(s)
		if got := pfxFrom(p).prefix(p.Addr().Is6()); got != p {
			t.Errorf("%s: round trip gives %s", s, got)
		}
	}
	a, b := pfxFrom(netip.MustParsePrefix("2001:db8::/64")), pfxFrom(netip.MustParsePrefix("2001:db8:0:0:8000::/65"))
	if c := common(a, b); c != 64 {
		t.Errorf("common = %d, want 64", c)
	}
}

// insertSlow is insertSorted's slow twin: bgpq4's sx_radix_tree_insert,
// which starts every insertion at the head and accepts any order.
func (t *tree) insertSlow(idx int32) {
	p := t.flat[idx]
	if t.head == 0 {
		t.head = t.newNode(idx, p.len)
		return
	}
	var parent int32
	right := false
	link := func(v int32) {
		switch {
		case parent == 0:
			t.head = v
		case right:
			t.nodes[parent].r = v
		default:
			t.nodes[parent].l = v
		}
	}
	ch := t.head
	for {
		c := t.key(&t.nodes[ch])
		eb := common(p, c)
		switch {
		case eb < p.len && eb < c.len:
			ret := t.newNode(idx, p.len)
			rn := t.newNode(idx, eb)
			n := &t.nodes[rn]
			if p.bit(eb) {
				n.l, n.r = ch, ret
			} else {
				n.l, n.r = ret, ch
			}
			n.glue = true
			link(rn)
			return
		case eb == p.len && eb < c.len:
			ret := t.newNode(idx, p.len)
			if c.bit(eb) {
				t.nodes[ret].r = ch
			} else {
				t.nodes[ret].l = ch
			}
			link(ret)
			return
		case eb == c.len && eb < p.len:
			right = p.bit(eb)
			next := t.nodes[ch].l
			if right {
				next = t.nodes[ch].r
			}
			parent = ch
			if next == 0 {
				link(t.newNode(idx, p.len))
				return
			}
			ch = next
		default: // equal
			t.nodes[ch].glue = false
			return
		}
	}
}

// treeShape prints the subtree at i in pre-order with each node's
// prefix, glue flag and children, so that two trees compare as text.
func treeShape(t *tree, i int32, b *strings.Builder) {
	if i == 0 {
		b.WriteString("-")
		return
	}
	n := &t.nodes[i]
	fmt.Fprintf(b, "(%v", t.prefixOf(n))
	if n.glue {
		b.WriteString(" glue")
	}
	b.WriteString(" ")
	treeShape(t, n.l, b)
	b.WriteString(" ")
	treeShape(t, n.r, b)
	b.WriteString(")")
}

// TestInsertSortedShape checks that building the tree from sorted
// prefixes with insertSorted gives exactly the tree insertSlow builds,
// and that bgpq4's insertion from the head gives that tree in any order.
func TestInsertSortedShape(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for iter := range 500 {
		v6 := iter%2 == 1
		n := 1 + rng.IntN(80)
		var ps []pfx
		for range n {
			var p netip.Prefix
			if v6 {
				var b [16]byte
				b[0], b[1], b[2] = 0x20, 0x01, byte(rng.IntN(4))
				b[3] = byte(rng.IntN(256)) & 0xf0
				p = netip.PrefixFrom(netip.AddrFrom16(b), 16+rng.IntN(20))
			} else {
				a := netip.AddrFrom4([4]byte{10, byte(rng.IntN(4)), byte(rng.IntN(256)), 0})
				p = netip.PrefixFrom(a, 8+rng.IntN(17))
			}
			ps = append(ps, pfxFrom(p.Masked()))
		}
		fast := &tree{v6: v6}
		fast.flat = slices.Clone(ps)
		fast.finish(true)

		slow := &tree{v6: v6}
		slow.flat = slices.Clone(ps)
		slices.SortFunc(slow.flat, comparePfx)
		slow.flat = slices.Compact(slow.flat)
		order := rng.Perm(len(slow.flat)) // bgpq4 inserts in answer order
		for _, i := range order {
			slow.insertSlow(int32(i))
		}
		var fb, sb strings.Builder
		treeShape(fast, fast.head, &fb)
		treeShape(slow, slow.head, &sb)
		if fb.String() != sb.String() {
			t.Fatalf("iteration %d: %d prefixes\nsorted: %s\nslow:   %s", iter, len(ps), fb.String(), sb.String())
		}
	}
}
