package lab

import (
	"encoding/binary"
	"net/netip"
	"slices"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/rpki"
)

// A Case is one generated route a speaker announces, with the class it
// was generated for.
type Case struct {
	Class string
	S     *Session
	Route Route
}

// The case classes.
const (
	ClassAccepted     = "accepted"
	ClassBogon        = "bogon"
	ClassRPKIInvalid  = "rpki-invalid"
	ClassTooLong      = "too-long"
	ClassTooShort     = "too-short"
	ClassUnregistered = "unregistered"
	ClassWrongOrigin  = "wrong-origin"
	ClassBogonASN     = "bogon-asn-in-path"
	ClassWrongFirstAS = "wrong-first-as"
	ClassEmptyPath    = "empty-path"
	ClassOverlongPath = "overlong-path"
	ClassASSetEnd     = "as-set-at-end"
	ClassASSetMiddle  = "as-set-in-middle"
	ClassNextHop      = "foreign-next-hop"
	ClassDropped      = "dropped:" // + the Result's drop reason
)

func sub(p netip.Prefix, bits int) netip.Prefix {
	if bits < p.Bits() {
		bits = p.Bits()
	}
	return netip.PrefixFrom(p.Addr(), bits).Masked()
}

func famOf(p netip.Prefix) filtergen.Family {
	if p.Addr().Is4() {
		return filtergen.IPv4
	}
	return filtergen.IPv6
}

// originOf is the origin an accepted candidate is announced with.
func originOf(p *filtergen.PeerResult, origin uint32) uint32 {
	if origin != 0 {
		return origin
	}
	if len(p.ASNs) == 0 || slices.Contains(p.ASNs, p.ASN) {
		return p.ASN
	}
	return p.ASNs[0]
}

// pathVia is the normal path of a route the neighbor sends: its own AS
// first, then the origin.
func pathVia(p *filtergen.PeerResult, origin uint32) Path {
	if origin == p.ASN {
		return Seq(p.ASN)
	}
	return Seq(p.ASN, origin)
}

// foreignASN returns a public, non-bogon ASN not in avoid.
func foreignASN(avoid ...uint32) uint32 {
	for n := uint32(1000); ; n += 7 {
		if !filtergen.IsBogonASN(n) && !slices.Contains(avoid, n) {
			return n
		}
	}
}

// unregistered returns a public prefix no entry of fr matches, not a
// bogon and not covered by any VRP.
func unregistered(fam filtergen.Family, fr *filtergen.FamilyResult, vrps *rpki.Set) (netip.Prefix, bool) {
	for i := range uint32(4096) {
		var p netip.Prefix
		if fam == filtergen.IPv4 {
			var b [4]byte
			binary.BigEndian.PutUint32(b[:], 0x2d000000+i*0x00fd1300) // walk public space from 45/8
			p = netip.PrefixFrom(netip.AddrFrom4(b), 24).Masked()
		} else {
			var b [16]byte
			binary.BigEndian.PutUint32(b[:], 0x2a0f0000+i*0x13)
			p = netip.PrefixFrom(netip.AddrFrom16(b), 48).Masked()
		}
		if filtergen.IsBogonPrefix(p) {
			continue
		}
		if fr != nil && slices.ContainsFunc(fr.Entries, func(e filtergen.PrefixRange) bool { return e.Prefix.Overlaps(p) }) {
			continue
		}
		if vrps != nil && vrps.State(p, 0) != rpki.NotFound {
			continue
		}
		return p, true
	}
	return netip.Prefix{}, false
}

// Generate returns the cases of one session, every route derived from
// the compiled Result: every accepted prefix, every dropped candidate,
// and for each drop class a route that only that check rejects.
func (tp *Topology) Generate(s *Session, rep *Report) []Case {
	p := s.N.Peer
	fr := p.Family(s.Family)
	if fr == nil {
		return nil
	}
	var cases []Case
	seen := map[string]bool{}
	add := func(class string, r Route) {
		k := class + r.Prefix.String() + r.Path.String() + r.NextHop.String()
		if seen[k] {
			return
		}
		seen[k] = true
		cases = append(cases, Case{Class: class, S: s, Route: r})
	}
	// Every accepted candidate at its shortest allowed length.
	type base struct {
		prefix netip.Prefix
		origin uint32
	}
	var accepted []base
	for _, a := range fr.Accepted {
		o := originOf(p, a.Origin)
		r := Route{Prefix: sub(a.Range.Prefix, int(a.Range.Min)), Path: pathVia(p, o)}
		add(ClassAccepted, r)
		if ok, _ := tp.Model.Expect(p, s.Addr, r); ok {
			accepted = append(accepted, base{r.Prefix, o})
		}
	}
	if len(fr.Accepted) == 0 {
		// Provenance left out (NoAcceptedProvenance): use the entries.
		for _, e := range fr.Entries {
			o := originOf(p, 0)
			r := Route{Prefix: sub(e.Prefix, int(e.Min)), Path: pathVia(p, o)}
			add(ClassAccepted, r)
			if ok, _ := tp.Model.Expect(p, s.Addr, r); ok {
				accepted = append(accepted, base{r.Prefix, o})
			}
		}
	}
	if !p.Import.PrefixFilter && !tp.Model.Legacy {
		// A provider: no prefix filter, so a share of a full table:
		// public prefixes from several origins.
		n := 0
		for i := uint32(0); i < 4096 && n < 100; i++ {
			var pfx netip.Prefix
			if s.Family == filtergen.IPv4 {
				var b [4]byte
				binary.BigEndian.PutUint32(b[:], 0x50000000+i*0x00031700) // from 80/8
				pfx = netip.PrefixFrom(netip.AddrFrom4(b), 22+int(i%3)).Masked()
			} else {
				var b [16]byte
				binary.BigEndian.PutUint32(b[:], 0x2c0f0000+i*0x17)
				pfx = netip.PrefixFrom(netip.AddrFrom16(b), 32+int(i%17)).Masked()
			}
			o := foreignASN(p.ASN) + 7*(i%5)
			r := Route{Prefix: pfx, Path: Seq(p.ASN, o+100, o)}
			if ok, _ := tp.Model.Expect(p, s.Addr, r); ok {
				add("transit", r)
				accepted = append(accepted, base{pfx, o})
				n++
			}
		}
	}
	// Our own space, which no neighbor may announce to us.
	for _, o := range tp.Sc.Result.Own {
		if o.Family == s.Family && len(o.Entries) > 0 {
			e := o.Entries[0]
			add("own-space", Route{Prefix: sub(e.Prefix, int(e.Min)), Path: pathVia(p, originOf(p, 0))})
		}
	}
	famMax := 32
	if s.Family == filtergen.IPv6 {
		famMax = 128
	}
	// Too long and too short: one step outside an entry's lengths.
	for i, e := range fr.Entries {
		if i >= 4 {
			break
		}
		o := originOf(p, 0)
		if int(e.Max) < famMax {
			add(ClassTooLong, Route{Prefix: sub(e.Prefix, int(e.Max)+1), Path: pathVia(p, o)})
		}
		if e.Min > 1 && int(e.Min)-1 >= 1 {
			add(ClassTooShort, Route{Prefix: netip.PrefixFrom(e.Prefix.Addr(), int(e.Min)-1).Masked(), Path: pathVia(p, o)})
		}
	}
	// Every candidate the Result dropped, with its own origin.
	for _, d := range fr.Dropped {
		add(ClassDropped+string(d.Reason), Route{Prefix: sub(d.Range.Prefix, int(d.Range.Min)), Path: pathVia(p, originOf(p, d.Origin))})
	}
	// A bogon prefix.
	for _, b := range filtergen.BogonPrefixes {
		if famOf(b) == s.Family && b.Bits() >= 8 {
			l := 24
			if s.Family == filtergen.IPv6 {
				l = 48
			}
			add(ClassBogon, Route{Prefix: sub(b, l), Path: pathVia(p, originOf(p, 0))})
			break
		}
	}
	if u, ok := unregistered(s.Family, fr, tp.Model.VRPs); ok {
		add(ClassUnregistered, Route{Prefix: u, Path: pathVia(p, originOf(p, 0))})
	} else {
		rep.note("%s: no unregistered prefix found", s)
	}
	if len(accepted) == 0 {
		rep.note("%s: nothing accepted in %s: no path cases", s, s.Family)
		return cases
	}
	// RPKI invalid: an accepted prefix announced one bit longer than its
	// ROA allows, or from an origin of the set the ROA does not name.
	foundInvalid := false
	inFilter := func(r Route) bool {
		o, _ := r.Path.Origin()
		_, inSet := slices.BinarySearch(p.ASNs, o)
		return (inSet || len(p.ASNs) == 0) &&
			slices.ContainsFunc(fr.Entries, func(e filtergen.PrefixRange) bool { return e.Contains(r.Prefix) })
	}
	if tp.Model.VRPs != nil {
		for _, a := range accepted {
			st, vrps := tp.Model.VRPs.Validate(a.prefix, a.origin)
			if st != rpki.Valid {
				continue
			}
			for _, v := range vrps {
				if int(v.MaxLen) < famMax {
					r := Route{Prefix: sub(a.prefix, int(v.MaxLen)+1), Path: pathVia(p, a.origin)}
					if tp.Model.rpkiState(r.Prefix, a.origin, true) == rpki.Invalid && inFilter(r) {
						add(ClassRPKIInvalid, r)
						foundInvalid = true
						break
					}
				}
			}
			for _, o := range p.ASNs {
				if o != a.origin && tp.Model.VRPs.State(a.prefix, o) == rpki.Invalid && !foundInvalid &&
					inFilter(Route{Prefix: a.prefix, Path: pathVia(p, o)}) {
					add(ClassRPKIInvalid, Route{Prefix: a.prefix, Path: pathVia(p, o)})
					foundInvalid = true
				}
			}
			if foundInvalid {
				break
			}
		}
	}
	if !foundInvalid {
		rep.note("%s: no RPKI-invalid variant of an accepted prefix that the prefix and origin filter pass", s)
	}
	// Path cases, each on an accepted prefix (round-robin, so that few
	// rounds are needed).
	k := 0
	next := func() base { b := accepted[k%len(accepted)]; k++; return b }
	// The AS_SET-in-the-middle case wants an RPKI-valid prefix.
	valid := accepted[0]
	for _, a := range accepted {
		if tp.Model.VRPs != nil && tp.Model.VRPs.State(a.prefix, a.origin) == rpki.Valid {
			valid = a
			break
		}
	}
	other := foreignASN(append([]uint32{p.ASN}, p.ASNs...)...)
	b := next()
	if len(p.ASNs) > 0 {
		add(ClassWrongOrigin, Route{Prefix: b.prefix, Path: Seq(p.ASN, other)})
	}
	b = next()
	add(ClassBogonASN, Route{Prefix: b.prefix, Path: Seq(p.ASN, 64512, b.origin)})
	b = next()
	add(ClassWrongFirstAS, Route{Prefix: b.prefix, Path: Seq(other, b.origin)})
	b = next()
	add(ClassEmptyPath, Route{Prefix: b.prefix, Path: Path{}})
	b = next()
	long := make([]uint32, 0, 80)
	for range 79 {
		long = append(long, p.ASN)
	}
	add(ClassOverlongPath, Route{Prefix: b.prefix, Path: Seq(append(long, b.origin)...)})
	b = next()
	add(ClassASSetEnd, Route{Prefix: b.prefix, Path: Path{{ASNs: pathVia(p, b.origin).All()}, {Set: true, ASNs: []uint32{b.origin, other}}}})
	add(ClassASSetMiddle, Route{Prefix: valid.prefix, Path: Path{{ASNs: []uint32{p.ASN}}, {Set: true, ASNs: []uint32{other, other + 7}}, {ASNs: []uint32{valid.origin}}}})
	if p.Role == filtergen.RoleRSClient && s.Family == filtergen.IPv4 || p.Role == filtergen.RoleRSClient {
		b = next()
		// Another address on the neighbor's LAN, not its own.
		nh := s.Addr.Next()
		add(ClassNextHop, Route{Prefix: b.prefix, Path: pathVia(p, b.origin), NextHop: nh})
	}
	return cases
}
