package rpki

import (
	"cmp"
	"errors"
	"fmt"
	"iter"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/filtergen/filtergen/internal/asn"
)

// A VRP is a Validated ROA Payload: the route origin a ROA authorises.
// The zero VRP is not valid; see IsValid.
type VRP struct {
	Prefix netip.Prefix // masked, never an IPv4-mapped IPv6 prefix
	MaxLen uint8        // at least Prefix.Bits(), at most 32 or 128
	ASN    uint32       // 0 (AS0) makes every covered route Invalid
	TA     string       // trust anchor name, as the source gives it; empty over RTR
}

// IsValid reports whether v can be used for validation: a valid, masked,
// unmapped prefix and a MaxLen between its length and the family size.
func (v VRP) IsValid() bool { return v.check() == nil }

func (v VRP) check() error {
	p := v.Prefix
	switch {
	case !p.IsValid():
		return errors.New("invalid prefix")
	case p.Addr().Is4In6():
		return fmt.Errorf("prefix %s is IPv4-mapped IPv6", p)
	case p.Masked() != p:
		return fmt.Errorf("prefix %s has host bits set", p)
	case int(v.MaxLen) < p.Bits():
		return fmt.Errorf("max length %d is shorter than prefix %s", v.MaxLen, p)
	case int(v.MaxLen) > p.Addr().BitLen():
		return fmt.Errorf("max length %d is beyond the %d bits of prefix %s", v.MaxLen, p.Addr().BitLen(), p)
	}
	return nil
}

// String formats v as "192.0.2.0/24-24 AS64500".
func (v VRP) String() string {
	b := v.Prefix.AppendTo(nil)
	b = append(b, '-')
	b = strconv.AppendUint(b, uint64(v.MaxLen), 10)
	b = append(b, ' ')
	return string(asn.Append(b, v.ASN))
}

// An ASPA is a validated ASPA payload: the set of ASes a customer AS
// attests as its providers. A customer with no providers registers {0}.
type ASPA struct {
	Customer  uint32
	Providers []uint32 // sorted ascending, no duplicates
}

// State is the outcome of route origin validation (RFC 6811 §2).
type State uint8

// The three validation states. The zero State is NotFound.
const (
	NotFound State = iota // no VRP covers the route
	Valid                 // at least one VRP matches the route
	Invalid               // VRPs cover the route but none matches
)

var stateNames = [...]string{NotFound: "not-found", Valid: "valid", Invalid: "invalid"}

// String returns "valid", "invalid" or "not-found".
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "State(" + strconv.Itoa(int(s)) + ")"
}

// MarshalText returns the same text as String.
func (s State) MarshalText() ([]byte, error) {
	if int(s) >= len(stateNames) {
		return nil, fmt.Errorf("rpki: invalid State %d", s)
	}
	return []byte(s.String()), nil
}

// Authorization is the answer of the ASPA hop check: is P an attested
// provider of C? (draft-ietf-sidrops-aspa-verification §5).
type Authorization uint8

// The three hop-check results. The zero Authorization is NoAttestation.
const (
	NoAttestation   Authorization = iota // the customer has no ASPA
	ProviderPlus                         // the provider is in the customer's ASPA
	NotProviderPlus                      // the customer has an ASPA without that provider
)

var authNames = [...]string{NoAttestation: "no-attestation", ProviderPlus: "provider+", NotProviderPlus: "not-provider+"}

// String returns "no-attestation", "provider+" or "not-provider+".
func (a Authorization) String() string {
	if int(a) < len(authNames) {
		return authNames[a]
	}
	return "Authorization(" + strconv.Itoa(int(a)) + ")"
}

// A Set is an immutable collection of VRPs and ASPA records with the time
// the data was produced. It is safe for concurrent use. Build one with
// NewSet, Load, LoadFile or an RTR Client.
type Set struct {
	vrps     []VRP // canonical order, deduplicated on (Prefix, MaxLen, ASN)
	index    index
	aspa     map[uint32][]uint32
	produced time.Time
}

// NewSet builds a Set. It refuses any invalid VRP (reporting all of
// them) and removes duplicate VRPs, keeping the trust anchor name that
// sorts first. ASPAs for the same customer are merged. produced is the time the
// data was made (a validator's build time), used for staleness checks.
func NewSet(vrps []VRP, aspas []ASPA, produced time.Time) (*Set, error) {
	var errs []error
	for i, v := range vrps {
		if err := v.check(); err != nil {
			errs = append(errs, fmt.Errorf("rpki: VRP %d (%s AS%d): %w", i, v.Prefix, v.ASN, err))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return newSet(slices.Clone(vrps), aspas, produced), nil
}

// newSet builds a Set from checked VRPs; it owns and reorders vrps.
func newSet(vrps []VRP, aspas []ASPA, produced time.Time) *Set {
	sortVRPs(vrps)
	vrps = slices.CompactFunc(vrps, func(a, b VRP) bool {
		return a.Prefix == b.Prefix && a.MaxLen == b.MaxLen && a.ASN == b.ASN
	})
	vrps = slices.Clip(vrps)
	s := &Set{vrps: vrps, produced: produced}
	s.index = newIndex(vrps)
	if len(aspas) > 0 {
		s.aspa = make(map[uint32][]uint32, len(aspas))
		for _, a := range aspas {
			s.aspa[a.Customer] = append(s.aspa[a.Customer], a.Providers...)
		}
		for c, p := range s.aspa {
			slices.Sort(p)
			s.aspa[c] = slices.Clip(slices.Compact(p))
		}
	}
	return s
}

// sortVRPs sorts vrps into compareVRP's order. Sorting compact keys and
// then permuting is about twice as fast as sorting the VRPs themselves,
// which are large and compare through netip.
func sortVRPs(vrps []VRP) {
	if slices.IsSortedFunc(vrps, compareVRP) {
		return
	}
	type sortKey struct {
		hi, lo uint64
		meta   uint64 // family, prefix length, max length, ASN
		i      int32
	}
	keys := make([]sortKey, len(vrps))
	for i, v := range vrps {
		k := addrKey(v.Prefix.Addr())
		fam := uint64(0)
		if !v.Prefix.Addr().Is4() {
			fam = 1
		}
		keys[i] = sortKey{k.hi, k.lo, fam<<63 | uint64(v.Prefix.Bits())<<48 | uint64(v.MaxLen)<<40 | uint64(v.ASN), int32(i)}
	}
	slices.SortFunc(keys, func(a, b sortKey) int {
		switch {
		case a.meta>>63 != b.meta>>63:
			return int(a.meta>>63) - int(b.meta>>63)
		case a.hi != b.hi:
			return less(a.hi, b.hi)
		case a.lo != b.lo:
			return less(a.lo, b.lo)
		case a.meta != b.meta:
			return less(a.meta, b.meta)
		}
		return strings.Compare(vrps[a.i].TA, vrps[b.i].TA)
	})
	sorted := make([]VRP, len(vrps))
	for i, k := range keys {
		sorted[i] = vrps[k.i]
	}
	copy(vrps, sorted)
}

func less(a, b uint64) int {
	if a < b {
		return -1
	}
	return 1
}

// compareVRP orders VRPs by address family, address, prefix length, max
// length, ASN and trust anchor.
func compareVRP(a, b VRP) int {
	if c := a.Prefix.Addr().Compare(b.Prefix.Addr()); c != 0 {
		return c
	}
	return cmp.Or(
		cmp.Compare(a.Prefix.Bits(), b.Prefix.Bits()),
		cmp.Compare(a.MaxLen, b.MaxLen),
		cmp.Compare(a.ASN, b.ASN),
		strings.Compare(a.TA, b.TA),
	)
}

// Len returns the number of distinct VRPs.
func (s *Set) Len() int { return len(s.vrps) }

// Produced returns the time the data was produced: the validator's build
// time for a file, the time of the last End of Data for RTR.
func (s *Set) Produced() time.Time { return s.produced }

// VRPs returns the VRPs in canonical order (by prefix, max length, ASN).
func (s *Set) VRPs() iter.Seq[VRP] { return slices.Values(s.vrps) }

// ASPAs returns the ASPA records ordered by customer.
func (s *Set) ASPAs() iter.Seq[ASPA] {
	return func(yield func(ASPA) bool) {
		keys := make([]uint32, 0, len(s.aspa))
		for c := range s.aspa {
			keys = append(keys, c)
		}
		slices.Sort(keys)
		for _, c := range keys {
			if !yield(ASPA{Customer: c, Providers: slices.Clone(s.aspa[c])}) {
				return
			}
		}
	}
}

// Validate performs RFC 6811 origin validation of route with origin AS
// origin. Origin 0 stands for NONE (an AS_SET at the end of the path, or
// AS0): it matches no VRP. With Valid it returns the VRPs that match the
// route; with Invalid, every VRP that covers it; with NotFound, nil. The
// VRPs come most specific prefix first. A route prefix that is not valid
// is NotFound; host bits are ignored and IPv4-mapped IPv6 prefixes are
// unmapped first.
func (s *Set) Validate(route netip.Prefix, origin uint32) (State, []VRP) {
	route, ok := normalizeRoute(route)
	if !ok {
		return NotFound, nil
	}
	bits := route.Bits()
	// One walk, collecting into stack buffers; the result is one exact
	// allocation.
	var covBuf, matchBuf [8]VRP
	covering, matched := covBuf[:0], matchBuf[:0]
	s.index.covering(route, func(e *entry) bool {
		group := s.index.group(e)
		covering = append(covering, group...)
		for i := range group {
			if v := &group[i]; bits <= int(v.MaxLen) && v.ASN == origin && origin != 0 {
				matched = append(matched, *v)
			}
		}
		return true
	})
	switch {
	case len(matched) > 0:
		return Valid, slices.Clone(matched)
	case len(covering) > 0:
		return Invalid, slices.Clone(covering)
	}
	return NotFound, nil
}

// State is Validate without the VRPs; it does not allocate.
func (s *Set) State(route netip.Prefix, origin uint32) State {
	route, ok := normalizeRoute(route)
	if !ok {
		return NotFound
	}
	bits := route.Bits()
	st := NotFound
	s.index.covering(route, func(e *entry) bool {
		st = Invalid
		if origin == 0 {
			return false
		}
		if e.n == 1 {
			if bits <= int(e.maxLen) && e.asn == origin {
				st = Valid
				return false
			}
			return true
		}
		group := s.index.group(e)
		for i := range group {
			if v := &group[i]; bits <= int(v.MaxLen) && v.ASN == origin {
				st = Valid
				return false
			}
		}
		return true
	})
	return st
}

func normalizeRoute(p netip.Prefix) (netip.Prefix, bool) {
	if !p.IsValid() {
		return p, false
	}
	if a := p.Addr(); a.Is4In6() {
		if p.Bits() < 96 {
			return p, false
		}
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p.Masked(), true
}

// Providers returns the providers the customer attests in its ASPA, and
// whether it has one. The slice is a copy.
func (s *Set) Providers(customer uint32) ([]uint32, bool) {
	p, ok := s.aspa[customer]
	return slices.Clone(p), ok
}

// Authorized is the ASPA hop check: whether provider is among the
// providers customer registered. A caller checking that the members of a
// customer's AS-SET are downstream of that customer asks
// Authorized(member, customer) and flags NotProviderPlus.
func (s *Set) Authorized(customer, provider uint32) Authorization {
	p, ok := s.aspa[customer]
	if !ok {
		return NoAttestation
	}
	if _, found := slices.BinarySearch(p, provider); found && provider != 0 {
		return ProviderPlus
	}
	return NotProviderPlus
}

// String summarises s, as "rpki.Set{3 VRPs, 1 ASPAs, produced 2026-11-23T18:00:00Z}".
func (s *Set) String() string {
	if s == nil {
		return "rpki.Set(nil)"
	}
	return fmt.Sprintf("rpki.Set{%d VRPs, %d ASPAs, produced %s}", len(s.vrps), len(s.aspa), s.produced.UTC().Format(time.RFC3339))
}
