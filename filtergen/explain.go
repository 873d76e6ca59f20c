package filtergen

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/filtergen/filtergen/irr"
)

// Refusal says why a prefix that no filter entry matches is refused, when
// the filter holds a covering, shorter prefix: the prefix is a
// more-specific of an accepted range whose lengths stop before it. It
// returns "" when no accepted range covers the prefix.
func (r *Result) Refusal(peer string, p netip.Prefix) string {
	p = p.Masked()
	var pr *PeerResult
	for _, x := range r.Peers {
		if strings.EqualFold(x.Name, peer) {
			pr = x
		}
	}
	if pr == nil {
		return ""
	}
	fam := irr.FamilyOf(p)
	fr := pr.Family(fam)
	if fr == nil {
		return fmt.Sprintf("the peer has no %s filter (families: %s)", fam, familiesText(pr.Settings.Families))
	}
	fi := 0
	if fam == irr.IPv6 {
		fi = 1
	}
	for _, e := range fr.Entries {
		if e.Contains(p) || !e.Prefix.Contains(p.Addr()) || e.Prefix.Bits() > p.Bits() {
			continue
		}
		if maxL := pr.Settings.MaxLength[fi]; p.Bits() > maxL {
			return fmt.Sprintf("it is a more-specific of accepted %s, and /%d is longer than the peer's %s max_length /%d",
				e, p.Bits(), fam, maxL)
		}
		if p.Bits() > int(e.Max) {
			return fmt.Sprintf("it is a more-specific of accepted %s, which allows lengths /%d to /%d only: "+
				"the registry's route object (or range operator) does not cover /%d", e, e.Min, e.Max, p.Bits())
		}
		return fmt.Sprintf("it is a less-specific than accepted %s allows (lengths /%d to /%d)", e, e.Min, e.Max)
	}
	if minL := pr.Settings.MinLength[fi]; p.Bits() < minL {
		return fmt.Sprintf("/%d is shorter than the peer's %s min_length /%d", p.Bits(), fam, minL)
	}
	return ""
}

// familiesText lists fs as the policy writes them: "ipv4, ipv6".
func familiesText(fs []Family) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = f.String()
	}
	return strings.Join(s, ", ")
}
