package filtergen

import (
	"net/netip"
	"time"

	"github.com/filtergen/filtergen/irr"
	"github.com/filtergen/filtergen/rpki"
)

// DefaultRPKIMaxAge is the RPKI maximum age used when the policy sets none.
const DefaultRPKIMaxAge = rpki.DefaultMaxAge

// RPKIFromSet adapts an rpki.Set (from a VRP file or an RTR cache) to what
// Compile needs. It indexes the VRPs by ASN once; the Set must not change
// afterwards (rpki.Sets are immutable).
func RPKIFromSet(s *rpki.Set) RPKI {
	a := &setAdapter{s: s, byASN: map[uint32][]VRP{}}
	for v := range s.VRPs() {
		a.byASN[v.ASN] = append(a.byASN[v.ASN], v)
	}
	return a
}

type setAdapter struct {
	s     *rpki.Set
	byASN map[uint32][]VRP
}

func (a *setAdapter) Validate(p netip.Prefix, origin uint32) (rpki.State, uint8) {
	st, vrps := a.s.Validate(p, origin)
	var m uint8
	if st == rpki.Valid {
		for _, v := range vrps {
			if v.ASN == origin && int(v.MaxLen) >= p.Bits() {
				m = max(m, v.MaxLen)
			}
		}
	}
	return st, m
}

func (a *setAdapter) VRPs(n uint32, fam irr.Family) []VRP {
	var out []VRP
	for _, v := range a.byASN[n] {
		if irr.FamilyOf(v.Prefix) == fam {
			out = append(out, v)
		}
	}
	return out
}

func (a *setAdapter) Updated() time.Time { return a.s.Produced() }

// Len returns the number of VRPs, for RPKIInfo.
func (a *setAdapter) Len() int { return a.s.Len() }

func (a *setAdapter) Providers(customer uint32) ([]uint32, bool) { return a.s.Providers(customer) }

// ASPARecords lists the Set's ASPA records, ordered by customer. A
// record for AS 0 or AS_TRANS (23456), which no AS path holds, is left
// out.
func (a *setAdapter) ASPARecords() []ASPARecord {
	var out []ASPARecord
	for r := range a.s.ASPAs() {
		if r.Customer == 0 || r.Customer == 23456 {
			continue
		}
		out = append(out, r)
	}
	return out
}
