package lab

import (
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/rpki"
)

// A Model is not safe for concurrent use.
//
// A Model says what a compiled filtergen.Result means for one route,
// independently of any router: the prefix filter and origin set of the
// Result, bogons, and RFC 6811 origin validation (the origin of a path
// ending in an AS_SET is none) against the same VRPs the lab's RTR cache
// serves the router.
type Model struct {
	Result *filtergen.Result
	// VRPs are the policy's VRPs; nil when the Result has no RPKI.
	VRPs *rpki.Set
	// Extra are VRPs the lab added while routes are installed.
	Extra []rpki.VRP
	// Legacy reads only the version-1 Settings of each peer and ignores
	// PeerResult.Import: what the Result said before the session model.
	Legacy bool

	extra  *rpki.Set // Extra as a set, rebuilt when Extra changes
	extraN int
}

// Expect says whether peer p's filter accepts route r, sent by the
// neighbor at addr, and why not. It reads PeerResult.Import, the
// session model; with Legacy, only the version-1 Settings, as the Result
// said before the session model existed.
func (m *Model) Expect(p *filtergen.PeerResult, addr netip.Addr, r Route) (bool, string) {
	fam, fi := filtergen.IPv6, 1
	if r.Prefix.Addr().Is4() {
		fam, fi = filtergen.IPv4, 0
	}
	fr := p.Family(fam)
	if fr == nil {
		return false, "family not configured"
	}
	imp := p.Import
	if m.Legacy || imp == (filtergen.ImportPolicy{}) {
		s := p.Settings
		imp = filtergen.ImportPolicy{PrefixFilter: true, OriginCheck: len(p.ASNs) > 0,
			EnforceFirstAS: s.EnforceFirstAS, RejectBogons: s.DropBogons, RejectBogonASNs: s.DropBogonASNs,
			RejectRPKIInvalid: s.DropRPKIInvalid && m.Result.RPKI != nil}
	}
	if imp.RejectDefault && r.Prefix.Bits() == 0 {
		return false, "default route"
	}
	if imp.RejectBogons && filtergen.IsBogonPrefix(r.Prefix) {
		return false, "bogon prefix"
	}
	if imp.MinLength[fi] > 0 && r.Prefix.Bits() < imp.MinLength[fi] {
		return false, "too short"
	}
	if imp.MaxLength[fi] > 0 && r.Prefix.Bits() > imp.MaxLength[fi] {
		return false, "too long"
	}
	if imp.RejectOwnPrefixes {
		for _, o := range m.Result.Own {
			for _, e := range o.Entries {
				if e.Prefix.Addr().Is4() == r.Prefix.Addr().Is4() && e.Prefix.Bits() <= r.Prefix.Bits() && e.Prefix.Contains(r.Prefix.Addr()) {
					return false, "our own space"
				}
			}
		}
	}
	if imp.RejectBogonASNs {
		if i := slices.IndexFunc(r.Path.All(), filtergen.IsBogonASN); i >= 0 {
			return false, fmt.Sprintf("bogon ASN %d in path", r.Path.All()[i])
		}
	}
	if imp.RejectEmptyPath && r.Path.Empty() {
		return false, "empty AS path"
	}
	if imp.MaxPathLength > 0 && r.Path.Len() > imp.MaxPathLength {
		return false, fmt.Sprintf("AS path longer than %d", imp.MaxPathLength)
	}
	if imp.RejectASSet && r.Path.HasSet() {
		return false, "AS_SET in path"
	}
	if imp.EnforceNextHop && r.NextHop.IsValid() && r.NextHop != addr {
		return false, "next hop is not the neighbor"
	}
	origin, hasOrigin := r.Path.Origin()
	if imp.RejectRPKIInvalid && m.rpkiState(r.Prefix, origin, hasOrigin) == rpki.Invalid {
		return false, "RPKI invalid"
	}
	if imp.PrefixFilter && !slices.ContainsFunc(fr.Entries, func(e filtergen.PrefixRange) bool { return e.Contains(r.Prefix) }) {
		return false, "not in prefix filter"
	}
	if imp.EnforceFirstAS {
		if first, ok := r.Path.First(); !ok || first != p.ASN {
			return false, "first AS is not the neighbor's"
		}
	}
	if imp.OriginCheck {
		if !hasOrigin {
			return false, "no origin (empty path or AS_SET at the end)"
		}
		if len(p.ASNs) > 0 {
			if _, ok := slices.BinarySearch(p.ASNs, origin); !ok {
				return false, fmt.Sprintf("origin AS%d not in the peer's set", origin)
			}
		}
	}
	return true, ""
}

// rpkiState validates (prefix, origin) per RFC 6811 against the VRPs
// and the lab's extra ones; a route without an origin matches no VRP.
func (m *Model) rpkiState(p netip.Prefix, origin uint32, hasOrigin bool) rpki.State {
	if !hasOrigin {
		origin = 0 // NONE: rpki.Set never matches AS 0
	}
	st := rpki.NotFound
	if m.VRPs != nil {
		st = m.VRPs.State(p, origin)
	}
	if len(m.Extra) > 0 {
		if m.extra == nil || m.extraN != len(m.Extra) {
			m.extra, _ = rpki.NewSet(m.Extra, nil, time.Time{})
			m.extraN = len(m.Extra)
		}
		if extra := m.extra; extra != nil {
			st = max(st, extra.State(p, origin)) // NotFound < Valid < Invalid
			if st == rpki.Invalid && m.VRPs != nil && m.VRPs.State(p, origin) == rpki.Valid ||
				extra.State(p, origin) == rpki.Valid {
				st = rpki.Valid
			}
		}
	}
	return st
}
