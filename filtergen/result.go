package filtergen

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/filtergen/filtergen/internal/asn"
	"github.com/filtergen/filtergen/irr"
	"github.com/filtergen/filtergen/rpki"
)

// A Result is a compiled policy: vendor-neutral filters for every peer,
// with the provenance of every accepted and dropped prefix. Templates
// render it; nothing in it needs the IRR or RPKI data any more.
type Result struct {
	LocalAS uint32
	Routers []Router
	// RPKI describes the RPKI data used, nil when the policy has none.
	RPKI *RPKIInfo `json:",omitempty"`
	// RTR lists the RTR caches the routers validate against (router-side
	// ROV), lowest preference first; empty when the policy names none.
	RTR []RTRCache `json:",omitempty"`
	// Own is our own address space per family (Policy.Originate), IPv4
	// then IPv6, both always when Originate is set: what every export
	// sends and every import from outside rejects.
	Own []OwnFamily `json:",omitempty"`
	// Peers holds the peers then the customers, in policy order.
	Peers []*PeerResult
	// ASPA holds the validated ASPA payloads of the RPKI data, ordered
	// by customer, when a router writes them into its configuration
	// (Router.ASPA on OpenBGPD: the aspa-set); nil otherwise.
	ASPA []ASPARecord `json:",omitempty"`
}

// An ASPARecord is a validated ASPA payload: the ASes Customer attests
// as its providers, ascending; {0} for a transit-free AS. It is the rpki
// package's type, named here so that templates need only filtergen.
type ASPARecord = rpki.ASPA

// RPKIInfo records the RPKI snapshot a Result was compiled with.
type RPKIInfo struct {
	Updated time.Time // when the VRP data was generated; zero if unknown
	VRPs    int       // number of VRPs, if known
}

// A PeerResult is the compiled filter of one peer or customer.
type PeerResult struct {
	Name        string
	Description string
	ASN         uint32
	Customer    bool
	// Role is the relationship; Customer is Role == RoleCustomer.
	Role    Role
	Routers []string
	// Neighbors are the session addresses of every attachment, for
	// callers that do not care which router they are on.
	//
	// Deprecated: use Attachments, which say which router each is on.
	Neighbors []netip.Addr
	// Attachments say where the neighbor meets each of its routers.
	Attachments []Attachment
	Settings    Settings
	// Import is the hygiene routes pass on the router besides the prefix
	// and origin filter; Export what the neighbor receives.
	Import ImportPolicy
	Export ExportPolicy
	// Session holds the transport and max-prefix settings.
	Session SessionSettings
	// ASNs are the origin ASNs the peer may announce (its customer cone),
	// sorted, bogon ASNs removed when the policy drops them.
	ASNs []uint32
	// DroppedASNs lists the ASNs of the cone that were removed.
	DroppedASNs []DroppedASN `json:",omitempty"`
	// Families holds one entry per family of Settings.Families.
	Families []*FamilyResult
	// AntiSpoofing is, for a customer with ingress ACL or uRPF, one
	// entry per family, IPv4 then IPv6, both always (see AntiSpoof).
	AntiSpoofing []AntiSpoof `json:",omitempty"`
	// Warnings lists problems that did not fail the compile, such as
	// nested sets that do not exist.
	Warnings []string `json:",omitempty"`
	// Expansion records the AS-SET trees, the cone's ASNs without route
	// objects and the ASPA check, for the report.
	Expansion *Expansion `json:",omitempty"`
}

// Attachment returns the attachment on the named router, or nil.
func (p *PeerResult) Attachment(router string) *Attachment {
	for i := range p.Attachments {
		if strings.EqualFold(p.Attachments[i].Router, router) {
			return &p.Attachments[i]
		}
	}
	return nil
}

// Family returns the result of family f, or nil.
func (p *PeerResult) Family(f Family) *FamilyResult {
	for _, fr := range p.Families {
		if fr.Family == f {
			return fr
		}
	}
	return nil
}

// Accepted returns the number of distinct prefixes accepted in all
// families: what the shrink guard compares.
func (p *PeerResult) Accepted() int {
	n := 0
	for _, f := range p.Families {
		n += f.Count
	}
	return n
}

// Family is an address family, irr.Family: IPv4 or IPv6. It is text
// "ipv4" or "ipv6" in JSON, YAML (the policy's families) and templates
// ({{ .Family }}), and the same type as irr.Family, so that packages that
// see only the Result (templates, report) name it without importing irr.
type Family = irr.Family

// The address families.
const (
	IPv4 = irr.IPv4
	IPv6 = irr.IPv6
)

// A FamilyResult is the filter of one peer in one address family.
type FamilyResult struct {
	Family Family
	// Entries is the prefix filter, aggregated when Settings.Aggregate.
	Entries []PrefixRange
	// Count is the number of distinct prefix ranges accepted before
	// aggregation.
	Count int
	// MaxPrefix is the max-prefix limit for the session.
	MaxPrefix int
	// Accepted and Dropped give the provenance of every candidate prefix,
	// sorted by prefix.
	Accepted []Accepted
	Dropped  []Dropped `json:",omitempty"`
	// ACL is, for customers with an ingress ACL, the source prefixes to
	// permit: the CIDR union of the accepted prefixes and the customer's
	// neighbor addresses on all its routers (and fe80::/10 for IPv6).
	// Everything else is denied. Routers render the ACL of their own
	// Attachment.AntiSpoofing, which holds only that router's session
	// addresses.
	ACL []netip.Prefix `json:",omitempty"`
	// URPF is the uRPF mode for customers: strict, loose or none.
	URPF string `json:",omitempty"`
}

// Provenance says where a candidate prefix came from.
type Provenance struct {
	Range PrefixRange
	// Origin is the origin ASN of the route object (or, for literal
	// prefixes, the peer's ASN); 0 for route-set members.
	Origin uint32 `json:",omitempty"`
	// Source is the registry the route object came from, "RPKI" for
	// prefixes added from VRPs, "policy" for literal prefixes.
	Source string `json:",omitempty"`
	// Chain is the chain of sets from the announce item to the origin.
	Chain []string `json:",omitempty"`
	// RPKI is the RFC 6811 state of (prefix, origin).
	RPKI RPKIState
}

// Accepted is a prefix in the filter, with where it came from.
type Accepted struct {
	Provenance
}

// Dropped is a candidate prefix left out of the filter, and why.
type Dropped struct {
	Provenance
	Reason DropReason
}

// DroppedASN is an ASN of the cone that was removed, and why.
type DroppedASN struct {
	ASN    uint32
	Reason DropReason
	Chain  []string `json:",omitempty"`
}

// DropReason says why a candidate was dropped.
type DropReason string

// The drop reasons.
const (
	DropBogon        DropReason = "bogon"
	DropRPKIInvalid  DropReason = "rpki-invalid"
	DropTooLong      DropReason = "too-long"
	DropTooShort     DropReason = "too-short"
	DropBogonOrigin  DropReason = "bogon-origin-asn"
	DropASPA         DropReason = "not-downstream-by-aspa"
	DropFamilyAbsent DropReason = "family-not-configured"
)

// RPKIState is the RFC 6811 validation state of a route as a Result
// records it: rpki.State, which has the three RFC states, plus
// RPKIUnchecked for a route that was not validated (no RPKI data, or no
// known origin). rpkiStateOf is the one conversion from rpki.State.
type RPKIState uint8

// The validation states. RPKIUnchecked means no check was made: there is
// no RPKI data or the route has no known origin.
const (
	RPKIUnchecked RPKIState = iota
	RPKINotFound
	RPKIValid
	RPKIInvalid
)

// rpkiStateOf returns the RPKIState of a route the rpki package validated.
func rpkiStateOf(s rpki.State) RPKIState {
	switch s {
	case rpki.Valid:
		return RPKIValid
	case rpki.Invalid:
		return RPKIInvalid
	}
	return RPKINotFound
}

// String returns "valid", "invalid", "not-found" (the rpki.State texts)
// or "unchecked".
func (s RPKIState) String() string {
	switch s {
	case RPKINotFound:
		return "not-found"
	case RPKIValid:
		return "valid"
	case RPKIInvalid:
		return "invalid"
	}
	return "unchecked"
}

// MarshalText returns String.
func (s RPKIState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads what MarshalText writes, so that the JSON of a
// Result ('compile --json') reads back into a Result.
func (s *RPKIState) UnmarshalText(b []byte) error {
	for v := RPKIUnchecked; v <= RPKIInvalid; v++ {
		if string(b) == v.String() {
			*s = v
			return nil
		}
	}
	return fmt.Errorf("filtergen: unknown RPKI state %s", strconv.Quote(string(b)))
}

// An Explanation says why a prefix is or is not accepted for a peer.
type Explanation struct {
	Peer   string
	Prefix netip.Prefix
	// Entry is the filter entry that matches the prefix, if any.
	Entry *PrefixRange
	// Accepted lists the candidates whose range holds the prefix.
	Accepted []Accepted
	// Dropped lists the dropped candidates whose range holds the prefix
	// or that are the prefix itself.
	Dropped []Dropped
}

// Explain says why prefix p is accepted or dropped for the named peer.
func (r *Result) Explain(peer string, p netip.Prefix) (*Explanation, error) {
	var pr *PeerResult
	for _, x := range r.Peers {
		if strings.EqualFold(x.Name, peer) {
			pr = x
		}
	}
	if pr == nil {
		return nil, fmt.Errorf("no peer %s in the result", strconv.Quote(peer))
	}
	p = p.Masked()
	e := &Explanation{Peer: pr.Name, Prefix: p}
	fr := pr.Family(irr.FamilyOf(p))
	if fr == nil {
		return e, nil
	}
	for i, en := range fr.Entries {
		if en.Contains(p) {
			e.Entry = &fr.Entries[i]
			break
		}
	}
	for _, a := range fr.Accepted {
		if a.Range.Contains(p) {
			e.Accepted = append(e.Accepted, a)
		}
	}
	for _, d := range fr.Dropped {
		if d.Range.Contains(p) || d.Range.Prefix == p {
			e.Dropped = append(e.Dropped, d)
		}
	}
	return e, nil
}

// String describes the explanation in a few lines of text.
func (e *Explanation) String() string {
	var b strings.Builder
	if e.Entry != nil {
		fmt.Fprintf(&b, "%s is ACCEPTED for peer %s by filter entry %s\n", e.Prefix, e.Peer, e.Entry)
	} else {
		fmt.Fprintf(&b, "%s is NOT ACCEPTED for peer %s: no filter entry matches\n", e.Prefix, e.Peer)
	}
	for _, a := range e.Accepted {
		fmt.Fprintf(&b, "  accepted %s%s\n", a.Range, describe(a.Provenance))
	}
	for _, d := range e.Dropped {
		fmt.Fprintf(&b, "  dropped  %s (%s)%s\n", d.Range, d.Reason, describe(d.Provenance))
	}
	if e.Entry == nil && len(e.Dropped) == 0 {
		fmt.Fprintf(&b, "  no route object or other source lists it\n")
	}
	return b.String()
}

func describe(p Provenance) string {
	var b strings.Builder
	if p.Origin != 0 {
		fmt.Fprintf(&b, " origin %s", asn.Format(p.Origin))
	}
	if p.Source != "" {
		fmt.Fprintf(&b, " source %s", p.Source)
	}
	if len(p.Chain) > 0 {
		fmt.Fprintf(&b, " via %s", strings.Join(p.Chain, " > "))
	}
	fmt.Fprintf(&b, " rpki %s", p.RPKI)
	return b.String()
}
