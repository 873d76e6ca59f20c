package report

import (
	"fmt"
	"strings"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/internal/asn"
)

// Thresholds of the grades (README, "Readiness grades").
const (
	// maxPrefixTight is the share of max-prefix above which the limit is
	// too close to the accepted count.
	maxPrefixTight = 90.0
	// validReady is the RPKI-valid share (by count and by space) at or
	// above which a neighbor is ready for global validation;
	// validPartial the share below which it is not ready.
	validReady   = 90.0
	validPartial = 50.0
)

// grades grades the neighbor for each MANRS action. Every reason that
// lowers a grade is listed, worst first.
func grades(n *Neighbor, p *filtergen.PeerResult, hasRPKI bool) []Grade {
	return []Grade{filtering(n, p), antiSpoofing(n, p), globalValidation(n, p, hasRPKI)}
}

// grader collects reasons with the grade they lead to.
type grader struct {
	action         string
	notReady, part []string
}

func (g *grader) fail(format string, args ...any) {
	g.notReady = append(g.notReady, fmt.Sprintf(format, args...))
}
func (g *grader) warn(format string, args ...any) {
	g.part = append(g.part, fmt.Sprintf(format, args...))
}

func (g *grader) grade() Grade {
	out := Grade{Action: g.action, Grade: GradeReady, Reasons: append(g.notReady, g.part...)}
	switch {
	case len(g.notReady) > 0:
		out.Grade = GradeNotReady
	case len(g.part) > 0:
		out.Grade = GradePartial
	}
	if out.Reasons == nil {
		out.Reasons = []string{}
	}
	return out
}

// filtering grades MANRS action 1 on our side: can the neighbor's
// announcements be filtered precisely from its registry data?
func filtering(n *Neighbor, p *filtergen.PeerResult) Grade {
	g := &grader{action: ActionFiltering}
	if !p.Import.PrefixFilter && p.Role != "" {
		return Grade{Action: ActionFiltering, Grade: GradeNA,
			Reasons: []string{"a " + string(p.Role) + "'s routes are not filtered to a registered cone, by design"}}
	}
	for _, f := range n.Families {
		switch {
		case f.MaxPrefix > 0 && f.Accepted > f.MaxPrefix:
			g.fail("%s: %d prefixes accepted, more than the max-prefix limit of %d: the session would be torn down", f.Family, f.Accepted, f.MaxPrefix)
		case f.MaxPrefixUsedPercent > maxPrefixTight:
			g.warn("%s: %d prefixes accepted use %.1f%% of the max-prefix limit of %d", f.Family, f.Accepted, f.MaxPrefixUsedPercent, f.MaxPrefix)
		}
		if f.Candidates > 0 && 2*f.Dropped > f.Candidates {
			g.fail("%s: %d of %d candidate prefixes dropped (%s)", f.Family, f.Dropped, f.Candidates, reasonList(f.DropReasons))
		}
	}
	for _, s := range n.ASSets {
		for _, m := range s.Missing {
			g.warn("set %s referenced from %s does not exist: the filter may miss its routes", m.Name, strings.Join(m.Path, " > "))
		}
		for _, l := range s.Loops {
			g.warn("loop in %s: %s", s.Root, strings.Join(l, " > "))
		}
	}
	if k := len(n.NoRoutes); k > 0 {
		g.warn("%d ASN(s) of the cone have no route object (%s)", k, asnList(n.NoRoutes, 5))
	}
	if n.NonAuthoritative > 0 {
		g.warn("%d of %d route objects (%.1f%%) come from non-authoritative sources", n.NonAuthoritative, n.RouteObjects, n.NonAuthoritativePercent)
	}
	if n.ASPA != nil && len(n.ASPA.NotInCone) > 0 {
		g.warn("%d origin(s) of the cone name no ASPA provider inside it (%s)", len(n.ASPA.NotInCone), aspaList(n.ASPA.NotInCone, 5))
	}
	return g.grade()
}

// antiSpoofing grades MANRS action 2 for customers: uRPF and an ingress
// ACL on the customer's interface, in each family, on every router it is
// attached to. A family that is dropped whole (no accepted prefix, or
// not configured) is protected.
func antiSpoofing(n *Neighbor, p *filtergen.PeerResult) Grade {
	if !isCustomer(p) {
		return Grade{Action: ActionAntiSpoofing, Grade: GradeNA, Reasons: []string{"not a customer: anti-spoofing applies to customer interfaces"}}
	}
	g := &grader{action: ActionAntiSpoofing}
	for _, r := range p.Routers {
		att := attachment(p, r)
		if att == nil {
			continue
		}
		if att.Interface == "" {
			g.fail("%s: no customer interface: neither uRPF nor an ingress ACL can be applied", r)
			continue
		}
		specs := att.AntiSpoofing
		if len(specs) == 0 { // a Result from before per-router anti-spoofing
			for _, fam := range []filtergen.Family{filtergen.IPv4, filtergen.IPv6} {
				if hasAddr(att.Neighbors, fam) {
					specs = append(specs, filtergen.AntiSpoof{Family: fam, URPF: p.Settings.URPF, IngressACL: p.Settings.IngressACL})
				}
			}
		}
		for _, as := range specs {
			urpf := as.URPF == "strict" || as.URPF == "loose"
			switch {
			case as.DenyAll:
			case !as.IngressACL && !urpf:
				g.fail("%s: neither uRPF nor an ingress ACL for %s on %s", r, as.Family, att.Interface)
			case !as.IngressACL:
				g.warn("%s: no ingress ACL for %s on %s, uRPF %s alone", r, as.Family, att.Interface, as.URPF)
			case !urpf:
				g.warn("%s: no uRPF for %s on %s, the ingress ACL alone", r, as.Family, att.Interface)
			case as.URPF == "loose":
				g.warn("%s: uRPF is loose for %s on %s: any routed source address passes it", r, as.Family, att.Interface)
			}
		}
	}
	return g.grade()
}

// globalValidation grades MANRS action 4 on the neighbor's side: does
// it publish route objects and ROAs that agree for what it announces?
func globalValidation(n *Neighbor, p *filtergen.PeerResult, hasRPKI bool) Grade {
	if !hasRPKI {
		return Grade{Action: ActionGlobalValidation, Grade: GradeNA, Reasons: []string{"the policy has no RPKI data"}}
	}
	if !p.Import.PrefixFilter && p.Role != "" {
		return Grade{Action: ActionGlobalValidation, Grade: GradeNA,
			Reasons: []string{"a " + string(p.Role) + " sends routes of the whole Internet, not of its own registered cone"}}
	}
	g := &grader{action: ActionGlobalValidation}
	var c Coverage
	for _, f := range n.Families {
		c.Valid += f.RPKI.Valid
		c.Invalid += f.RPKI.Invalid
		c.NotFound += f.RPKI.NotFound
		c.Unchecked += f.RPKI.Unchecked
		if f.RPKI.ValidSpacePercent < validReady && f.RPKI.Valid+f.RPKI.Invalid+f.RPKI.NotFound > 0 {
			g.warn("%s: %.1f%% of the announced address space is RPKI valid", f.Family, f.RPKI.ValidSpacePercent)
		}
	}
	total := c.Valid + c.Invalid + c.NotFound
	if total == 0 {
		g.warn("no announced route has a known origin (route-set members or literal prefixes only): RPKI cannot check them")
	}
	if c.Invalid > 0 {
		g.fail("%d route(s) RPKI invalid: route objects and ROAs disagree", c.Invalid)
	}
	if total > 0 {
		pc := percent(c.Valid, total)
		switch {
		case pc < validPartial:
			g.fail("%.1f%% of %d announced routes are RPKI valid", pc, total)
		case pc < validReady:
			g.warn("%.1f%% of %d announced routes are RPKI valid", pc, total)
		}
	}
	if n.RouteObjects > 0 && n.NonAuthoritative == n.RouteObjects {
		g.warn("every route object comes from a non-authoritative source")
	}
	return g.grade()
}

func reasonList(rs []ReasonCount) string {
	var b []string
	for _, r := range rs {
		b = append(b, fmt.Sprintf("%d %s", r.Count, r.Reason))
	}
	return strings.Join(b, ", ")
}

func asnList(cs []ConeASN, max int) string {
	var b []string
	for i, c := range cs {
		if i == max {
			b = append(b, fmt.Sprintf("and %d more", len(cs)-max))
			break
		}
		b = append(b, asn.Format(c.ASN))
	}
	return strings.Join(b, ", ")
}

func aspaList(os []ASPAOrigin, max int) string {
	var b []string
	for i, o := range os {
		if i == max {
			b = append(b, fmt.Sprintf("and %d more", len(os)-max))
			break
		}
		b = append(b, asn.Format(o.ASN))
	}
	return strings.Join(b, ", ")
}
