package lab

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/rpki"
)

// maxPrefixCap bounds the limits the lab tests: a full-table limit would
// need a million routes.
const maxPrefixCap = 5000

// acceptable returns up to n distinct routes the Model accepts from s
// (and that are not RPKI invalid), enumerated from the filter entries.
func (tp *Topology) acceptable(s *Session, n int) []Route {
	p := s.N.Peer
	fr := p.Family(s.Family)
	if fr == nil {
		return nil
	}
	origins := []uint32{originOf(p, 0)}
	origins = append(origins, p.ASNs[:min(len(p.ASNs), 8)]...)
	var out []Route
	seen := map[netip.Prefix]bool{}
	for _, e := range fr.Entries {
		for l := int(e.Min); l <= int(e.Max) && len(out) < n; l++ {
			count := 1 << min(l-e.Prefix.Bits(), 20)
			pfx := netip.PrefixFrom(e.Prefix.Addr(), l).Masked()
			for i := 0; i < count && len(out) < n; i++ {
				if !seen[pfx] {
					seen[pfx] = true
					for _, o := range origins {
						r := Route{Prefix: pfx, Path: pathVia(p, o)}
						if ok, _ := tp.Model.Expect(p, s.Addr, r); ok && tp.Model.rpkiState(pfx, o, true) != rpki.Invalid {
							out = append(out, r)
							break
						}
					}
				}
				pfx = nextPrefix(pfx)
				if !pfx.IsValid() {
					break
				}
			}
		}
	}
	return out
}

// nextPrefix returns the prefix of the same length right after p.
func nextPrefix(p netip.Prefix) netip.Prefix {
	b := p.Addr().AsSlice()
	bit := p.Bits() - 1
	for ; bit >= 0; bit-- {
		i, m := bit/8, byte(0x80>>(bit%8))
		if b[i]&m == 0 {
			b[i] |= m
			break
		}
		b[i] &^= m
	}
	if bit < 0 {
		return netip.Prefix{}
	}
	a, _ := netip.AddrFromSlice(b)
	return netip.PrefixFrom(a, p.Bits())
}

// CheckMaxPrefix announces exactly the limit N of every session whose
// filter lets N+1 routes through: the session must hold with N routes,
// then trip at N+1 (BIRD: the session goes down, "import limit"), or,
// when the Result's action is warning, stay up with N+1 routes. It
// leaves sessions restarting, so it runs last.
func (tp *Topology) CheckMaxPrefix() (*Report, error) {
	rep := &Report{Check: "max-prefix"}
	routes := map[*Session][]Route{}
	limits := map[*Session]int{}
	for _, s := range tp.Sessions() {
		fr := s.N.Peer.Family(s.Family)
		if fr == nil || fr.MaxPrefix <= 0 {
			continue
		}
		n := fr.MaxPrefix
		if n > maxPrefixCap {
			rep.note("%s: limit %d above what the lab announces (%d)", s, n, maxPrefixCap)
			continue
		}
		rs := tp.acceptable(s, n+1)
		if len(rs) < n+1 {
			rep.note("%s: the filter lets only %d routes through, below limit+1 = %d: the limit cannot trip", s, len(rs), n+1)
			continue
		}
		routes[s], limits[s] = rs, n
	}
	if len(limits) == 0 {
		return rep, nil
	}
	// At N: every session stays up with N routes.
	atN := map[*Session][]Route{}
	for s, rs := range routes {
		atN[s] = rs[:limits[s]]
	}
	if err := tp.announce(atN); err != nil {
		return rep, err
	}
	if err := tp.barrier(30 * time.Second); err != nil {
		return rep, err
	}
	st, err := tp.Router.Sessions()
	if err != nil {
		return rep, err
	}
	for s, n := range limits {
		rep.Cases++
		x := st[s.Addr]
		if !x.Established || x.Imported != n {
			rep.add(Mismatch{Neighbor: s.String(), Case: "at-limit", Prefix: fmt.Sprintf("%d routes", n),
				Expected: fmt.Sprintf("established, %d routes", n),
				Got:      fmt.Sprintf("established=%v, %d routes %s", x.Established, x.Imported, x.Info)})
		}
	}
	// At N+1: every session trips.
	if err := tp.announce(routes); err != nil {
		return rep, err
	}
	// A session whose action is "warning" must instead stay up with all
	// N+1 routes.
	pending := map[*Session]bool{}
	warn := func(s *Session) bool { return s.N.Peer.Session.MaxPrefixAction == filtergen.MaxPrefixWarning }
	for s := range limits {
		pending[s] = true
		rep.Cases++
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(pending) > 0 {
		st, err = tp.Router.Sessions()
		if err != nil {
			return rep, err
		}
		for s := range pending {
			x := st[s.Addr]
			tripped := !x.Established || strings.Contains(strings.ToLower(x.Info), "limit")
			if warn(s) && !tripped && x.Imported == limits[s]+1 || !warn(s) && tripped {
				delete(pending, s)
			}
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	keys := make([]*Session, 0, len(pending))
	for s := range pending {
		keys = append(keys, s)
	}
	slices.SortFunc(keys, func(a, b *Session) int { return strings.Compare(a.String(), b.String()) })
	for _, s := range keys {
		x := st[s.Addr]
		m := Mismatch{Neighbor: s.String(), Case: "over-limit", Prefix: fmt.Sprintf("%d routes", limits[s]+1),
			Expected: "session torn down (limit " + fmt.Sprint(limits[s]) + ")",
			Got:      fmt.Sprintf("still established with %d routes after 10s", x.Imported)}
		if warn(s) {
			m.Expected = fmt.Sprintf("established with %d routes (action warning)", limits[s]+1)
			m.Got = fmt.Sprintf("established=%v with %d routes %s", x.Established, x.Imported, x.Info)
		}
		rep.add(m)
	}
	return rep, nil
}
