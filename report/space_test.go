package report

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"

	"github.com/filtergen/filtergen/filtergen"
)

// slowSpace is the obviously correct twin of spaceWalk: for every
// address of the block, the most specific prefix covering it, under the
// best state of that prefix.
func slowSpace(block netip.Prefix, ps []netip.Prefix, states []filtergen.RPKIState) [4]uint64 {
	var out [4]uint64
	for a := block.Addr(); block.Contains(a); a = a.Next() {
		best := -1
		var st filtergen.RPKIState
		for i, p := range ps {
			if !p.Contains(a) {
				continue
			}
			switch {
			case p.Bits() > best:
				best, st = p.Bits(), states[i]
			case p.Bits() == best && stateRank(states[i]) > stateRank(st):
				st = states[i]
			}
		}
		if best >= 0 {
			out[st]++
		}
	}
	return out
}

func TestSpaceWalkAgainstSlow(t *testing.T) {
	block := netip.MustParsePrefix("11.0.0.0/20")
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		n := 1 + rng.IntN(12)
		var ps []netip.Prefix
		var states []filtergen.RPKIState
		for range n {
			bits := 20 + rng.IntN(13)
			a := block.Addr().As4()
			off := rng.Uint32N(1 << 12)
			a[2] |= byte(off >> 8)
			a[3] = byte(off)
			p, _ := netip.AddrFrom4(a).Prefix(bits)
			ps = append(ps, p)
			states = append(states, filtergen.RPKIState(rng.IntN(4)))
		}
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int { return comparePrefix(ps[a], ps[b]) })
		var w spaceWalk
		for _, i := range idx {
			w.add(ps[i], states[i])
		}
		w.finish()
		if want := slowSpace(block, ps, states); w.space != want {
			t.Fatalf("round %d: %v with states %v: walk %v, slow %v", round, ps, states, w.space, want)
		}
	}
}
