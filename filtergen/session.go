package filtergen

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// This file holds the vendor-neutral model of a deployable BGP session:
// the relationship (RFC 9234 role) of each neighbor, the import hygiene
// and export policy that follow from it, where the neighbor is attached
// on each router, session settings, and the router-side RPKI caches.
// Compile resolves the policy into these types once; templates only read
// them. Every platform renders the same meaning from them.

// A Role is a neighbor's relationship to us, in RFC 9234's vocabulary
// seen from our side.
type Role string

// The roles.
const (
	// RoleCustomer pays us for transit: its routes are filtered to its
	// registered cone, it gets anti-spoofing, and it receives what its
	// ExportPolicy says (by default the full table).
	RoleCustomer Role = "customer"
	// RolePeer is settlement-free peering: filtered to its cone; it
	// receives our own and our customers' routes only.
	RolePeer Role = "peer"
	// RoleProvider sells us transit: we accept everything except bogons,
	// RPKI invalid, our own space, the default route and too-long
	// prefixes, with a full-table max-prefix; it receives our own and our
	// customers' routes only.
	RoleProvider Role = "provider"
	// RoleRSClient is a member of the IXP route server we run: filtered
	// to its cone, next hop must be its own address, and it receives the
	// other members' accepted routes with next hop and AS path untouched.
	RoleRSClient Role = "rs-client"
	// RoleRouteServer is an IXP route server we peer with: it does not
	// prepend its AS, so the first AS is not checked; it receives our own
	// and our customers' routes only.
	RoleRouteServer Role = "route-server"
)

// Roles lists the roles in documentation order.
var Roles = []Role{RoleCustomer, RolePeer, RoleProvider, RoleRSClient, RoleRouteServer}

// RFC9234 returns the BGP Role capability value a router announces for a
// session with a neighbor of role r (our own role towards it): a
// customer sees us as its provider, a provider sees us as its customer.
func (r Role) RFC9234() string {
	switch r {
	case RoleCustomer:
		return "provider"
	case RolePeer:
		return "peer"
	case RoleProvider:
		return "customer"
	case RoleRSClient:
		return "rs-server"
	case RoleRouteServer:
		return "rs-client"
	}
	return ""
}

// ASPAUpstream reports whether routes from a neighbor of role r get the
// upstream ASPA check (draft-ietf-sidrops-aspa-verification §6: routes
// from customers, lateral peers, route servers and route-server clients)
// rather than the downstream check (routes from providers).
func (r Role) ASPAUpstream() bool { return r != RoleProvider }

// Code returns the number that stands for r in the relationship large
// community LOCAL_AS:CommunityLearnedFrom:Code.
func (r Role) Code() uint32 {
	switch r {
	case RoleCustomer:
		return 1
	case RolePeer:
		return 2
	case RoleProvider:
		return 3
	case RoleRouteServer:
		return 4
	case RoleRSClient:
		return 5
	}
	return 0
}

// UnmarshalText accepts the role names of Roles, and "" (no role yet,
// which Validate refuses in a policy).
func (r *Role) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*r = ""
		return nil
	}
	for _, v := range Roles {
		if string(b) == string(v) {
			*r = v
			return nil
		}
	}
	names := make([]string, len(Roles))
	for i, v := range Roles {
		names[i] = string(v)
	}
	return fmt.Errorf("unknown role %s (want one of %s)", strconv.Quote(string(b)), strings.Join(names, ", "))
}

// A LargeCommunity is an RFC 8092 large community, GLOBAL:DATA1:DATA2.
type LargeCommunity struct {
	Global, Data1, Data2 uint32
}

// String formats c as "64496:1:2".
func (c LargeCommunity) String() string {
	return strconv.FormatUint(uint64(c.Global), 10) + ":" + strconv.FormatUint(uint64(c.Data1), 10) + ":" +
		strconv.FormatUint(uint64(c.Data2), 10)
}

// MarshalText formats c with String.
func (c LargeCommunity) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText reads what MarshalText writes.
func (c *LargeCommunity) UnmarshalText(b []byte) error {
	parts := strings.Split(string(b), ":")
	if len(parts) != 3 {
		return fmt.Errorf("large community %s: want GLOBAL:DATA1:DATA2", strconv.Quote(string(b)))
	}
	var v [3]uint32
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			return fmt.Errorf("large community %s: %s is not a 32-bit number", strconv.Quote(string(b)), strconv.Quote(p))
		}
		v[i] = uint32(n)
	}
	*c = LargeCommunity{v[0], v[1], v[2]}
	return nil
}

// The DATA1 values of our large communities (RFC 8092), all under our
// own AS as GLOBAL. The scheme is documented in the README.
const (
	// CommunityLearnedFrom: LOCAL_AS:1000:ROLE records the relationship
	// a route was learned from (Role.Code). Set on import, on every role,
	// after removing any LOCAL_AS:1000:* the neighbor sent; export
	// decisions read it. (DATA1 1000, not 1, so that it never collides
	// with the route server's LOCAL_AS:1:PEER_AS control.)
	CommunityLearnedFrom uint32 = 1000
	// CommunityDoNotAnnounce: RS_AS:0:PEER_AS asks our route server not
	// to announce the route to PEER_AS (IXP convention).
	CommunityDoNotAnnounce uint32 = 0
	// CommunityAnnounceOnly: RS_AS:1:PEER_AS asks our route server to
	// announce the route to PEER_AS; with any such community present,
	// only to the listed ASes.
	CommunityAnnounceOnly uint32 = 1
)

// Well-known standard communities the session policies honour.
const (
	// CommunityBlackhole is RFC 7999 BLACKHOLE (65535:666).
	CommunityBlackhole = "65535:666"
	// CommunityGracefulShutdown is RFC 8326 GRACEFUL_SHUTDOWN (65535:0):
	// routes carrying it get the lowest preference.
	CommunityGracefulShutdown = "65535:0"
	// CommunityNoExport is RFC 1997 NO_EXPORT (65535:65281).
	CommunityNoExport = "65535:65281"
)

// CustomerExport says what a customer receives from us.
type CustomerExport string

// The customer export choices.
const (
	// ExportFull sends the full table: every route we use.
	ExportFull CustomerExport = "full"
	// ExportDefault sends only a default route (0.0.0.0/0, ::/0),
	// originated by the router for the session.
	ExportDefault CustomerExport = "default"
	// ExportOwnAndCustomers sends our own prefixes and the routes
	// learned from our customers.
	ExportOwnAndCustomers CustomerExport = "own-and-customers"
)

// An ImportPolicy is the hygiene every route from a neighbor passes on
// the router, besides the prefix and origin filter of FamilyResult. Each
// check is on unless the policy turns it off (import: in defaults or per
// peer); PrefixFilter and OriginCheck are off only for providers without
// announce, EnforceNextHop is on by default for rs-clients only and
// EnforceFirstAS off by default for route servers.
type ImportPolicy struct {
	// PrefixFilter: the route must match FamilyResult.Entries. Off for
	// providers without announce, whose routes pass every other check
	// instead; FamilyResult.Entries is then empty.
	PrefixFilter bool
	// OriginCheck: the RFC 6811 origin (the last AS of an AS_SEQUENCE
	// ending the path; none when it ends in an AS_SET) must be in
	// PeerResult.ASNs. A route without an origin fails it.
	OriginCheck bool
	// RejectEmptyPath rejects routes with an empty AS path.
	RejectEmptyPath bool
	// MaxPathLength rejects paths longer than this many ASes; 0 means no
	// limit.
	MaxPathLength int
	// RejectASSet rejects paths containing an AS_SET (RFC 9774).
	RejectASSet bool
	// EnforceFirstAS requires the neighbor's AS first in the path. Off
	// for route servers.
	EnforceFirstAS bool
	// EnforceNextHop requires the next hop to be the neighbor's own
	// address (route-server members).
	EnforceNextHop bool
	// RejectOwnPrefixes rejects our own prefixes (Result.Own) and their
	// more-specifics.
	RejectOwnPrefixes bool
	// RejectDefault rejects 0.0.0.0/0 and ::/0.
	RejectDefault bool
	// RejectBogons and RejectBogonASNs reject bogon prefixes and paths
	// with a bogon AS.
	RejectBogons    bool
	RejectBogonASNs bool
	// RejectRPKIInvalid drops RPKI invalid routes on the router, which
	// validates against Result.RTR caches.
	RejectRPKIInvalid bool
	// GracefulShutdown lowers the preference of routes carrying
	// GRACEFUL_SHUTDOWN (RFC 8326) to 0.
	GracefulShutdown bool
	// MinLength and MaxLength bound the prefix length per family ([0]
	// IPv4, [1] IPv6); routes outside are rejected.
	MinLength, MaxLength [2]int
	// LocalPref is the local preference given to accepted routes
	// (Role.DefaultLocalPref unless the policy sets one); 0 leaves the
	// platform default.
	LocalPref int
	// Tag is the large community recording the relationship, added to
	// every accepted route.
	Tag LargeCommunity
}

// An ExportPolicy says which routes a neighbor receives. Every export
// ends in an explicit reject of whatever these do not allow.
type ExportPolicy struct {
	// Own sends our own prefixes (Result.Own).
	Own bool
	// Customers sends routes tagged as learned from customers.
	Customers bool
	// Peers, Providers and RouteServers send routes learned from those
	// relationships: set together for a customer's full table.
	Peers, Providers, RouteServers bool
	// DefaultOnly sends nothing but a default route per family.
	DefaultOnly bool
	// RSClients sends, as a route server, the other members' accepted
	// routes, never RPKI invalid ones, with next hop and AS path
	// untouched, honouring the RS_AS:0:X / RS_AS:1:X controls.
	RSClients bool
}

// An Attachment is where a neighbor meets one router: the session
// addresses and, for customers, the interface that gets anti-spoofing.
type Attachment struct {
	Router string
	// Neighbors are the neighbor's session addresses seen from Router;
	// each gets a session in its address family.
	Neighbors []netip.Addr
	// LocalAddresses are our side's source addresses, at most one per
	// family; empty leaves the choice to the router.
	LocalAddresses []netip.Addr `json:",omitempty"`
	// Interface is the customer-facing interface on Router, checked for
	// the router's platform; empty for non-customers.
	Interface string `json:",omitempty"`
	// AntiSpoofing is, for a customer with Interface, the anti-spoofing
	// on this router: as PeerResult.AntiSpoofing, but its ACLs permit
	// only the session addresses of this attachment.
	AntiSpoofing []AntiSpoof `json:",omitempty"`
}

// MaxPrefixAction is what a router does when a family's limit trips.
type MaxPrefixAction string

// The max-prefix actions. Every platform renders the same meaning.
const (
	// MaxPrefixRestart tears the session down and restarts it after
	// SessionSettings.RestartAfter.
	MaxPrefixRestart MaxPrefixAction = "restart"
	// MaxPrefixTeardown tears the session down until an operator clears
	// it.
	MaxPrefixTeardown MaxPrefixAction = "teardown"
	// MaxPrefixWarning only logs.
	MaxPrefixWarning MaxPrefixAction = "warning"
)

// SessionSettings are the transport and safety settings of a neighbor's
// sessions.
type SessionSettings struct {
	// Password is the TCP MD5 password, read from the file or environment
	// variable the policy names; zero when none.
	Password Secret
	// TTLSecurity enables GTSM (RFC 5082) with this many hops; 0 is off.
	TTLSecurity int `json:",omitempty"`
	// Multihop is the eBGP multihop TTL; 0 means a directly connected
	// neighbor.
	Multihop int `json:",omitempty"`
	// BFD enables BFD for the sessions.
	BFD bool `json:",omitempty"`
	// MaxPrefixAction and RestartAfter (minutes) say what happens when a
	// family's FamilyResult.MaxPrefix is exceeded.
	MaxPrefixAction MaxPrefixAction
	RestartAfter    int `json:",omitempty"`
}

// A Secret is a password that only a router configuration may show: it
// formats and marshals as "[redacted]", so it never reaches logs, JSON,
// explain or errors. Templates call Reveal.
type Secret struct{ v string }

// NewSecret wraps s.
func NewSecret(s string) Secret { return Secret{v: s} }

// Reveal returns the password, for the router configuration only.
func (s Secret) Reveal() string { return s.v }

// Equal reports whether s and o hold the same password.
func (s Secret) Equal(o Secret) bool { return s.v == o.v }

// IsZero reports whether no password is set.
func (s Secret) IsZero() bool { return s.v == "" }

// String returns "[redacted]", or "" when no password is set.
func (s Secret) String() string {
	if s.v == "" {
		return ""
	}
	return "[redacted]"
}

// GoString is String, so that %#v cannot show the password either.
func (s Secret) GoString() string { return s.String() }

// MarshalText returns String.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a marshalled Secret back as no password: the value
// never leaves the process, so a Result read from JSON has none.
func (s *Secret) UnmarshalText([]byte) error {
	*s = Secret{}
	return nil
}

// An RTRCache is an RPKI-to-Router cache the routers validate against
// (router-side ROV).
type RTRCache struct {
	Address netip.Addr
	Port    uint16
	// Preference orders caches, lowest first (RFC 8210 §10).
	Preference int
	// Refresh, Retry and Expire are the RTR timers in seconds; 0 leaves
	// the cache's own values.
	Refresh, Retry, Expire int `json:",omitempty"`
}

// OwnFamily is our own address space in one family: what we originate
// and announce to everyone, and reject from outside.
type OwnFamily struct {
	Family Family
	// Entries are the prefixes and ranges of our own space.
	Entries []PrefixRange
}

// DefaultLocalPref returns the local preference of routes learned from a
// neighbor of role r unless the policy sets import.local_pref: customer
// routes are preferred over peers' and route servers', and those over
// providers', so that traffic follows the money (and a leak through a
// provider never wins over a customer route). Zero leaves the platform
// default (100) for route-server clients, whose routes we do not use.
func (r Role) DefaultLocalPref() int64 {
	switch r {
	case RoleCustomer:
		return 200
	case RolePeer:
		return 150
	case RoleRouteServer:
		return 140
	case RoleProvider:
		return 100
	}
	return 0
}

// An AntiSpoof is the anti-spoofing (MANRS action 2) of a customer in
// one family on its interface. A customer with an interface has both
// families, always, so that no family is left open: a family not in its
// families has DenyAll set; a configured family without accepted prefixes
// permits only the customer's session addresses (and fe80::/10) through
// its ACL (without an ingress ACL, uRPF alone stays, for the session),
// and has DenyAll set when it has no session address either.
type AntiSpoof struct {
	Family Family
	// URPF is strict, loose or none.
	URPF string
	// IngressACL says whether an ingress ACL is rendered; ACL then holds
	// the permitted source prefixes (FamilyResult.ACL), everything else
	// being dropped.
	IngressACL bool
	ACL        []netip.Prefix `json:",omitempty"`
	// DenyAll drops every packet of the family from the customer.
	DenyAll bool `json:",omitempty"`
}
