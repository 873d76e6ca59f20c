package filtergen

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/filtergen/filtergen/internal/asn"
	"github.com/filtergen/filtergen/irr"
)

// PolicyVersion is the only policy file version this package reads.
// Version 2 added roles, export policy, import hygiene, session settings,
// per-router attachments, originate and router-side RPKI caches; a
// peer-level interface on a peer of several routers, accepted by version
// 1, must move to attach.
const PolicyVersion = 2

// A Policy says where data comes from, which routers exist and what each
// peer may announce. It is read from YAML with LoadPolicy or built in Go;
// either way Validate must accept it before Compile uses it.
type Policy struct {
	Version int `yaml:"version"`
	// LocalAS is our own AS number, used by the router templates and as
	// GLOBAL of our large communities. Required.
	LocalAS ASN `yaml:"local_as"`
	// Originate is our own address space: prefixes (with optional range
	// operator), ASNs, AS-SETs and route-sets, expanded like
	// Peer.Announce into Result.Own. It is announced to every neighbor
	// and rejected from outside (ImportPolicy.RejectOwnPrefixes).
	Originate []string `yaml:"originate"`
	// IRR says where routing-registry data comes from.
	IRR IRRSource `yaml:"irr"`
	// RPKI says where validated ROA payloads come from. Empty means no
	// RPKI data, which is an error for a peer that asks for an RPKI check.
	RPKI RPKISource `yaml:"rpki"`
	// Defaults apply to every peer and customer; their own fields override.
	Defaults PeerOptions `yaml:"defaults"`
	// ShrinkGuard is the largest fraction by which a peer's accepted
	// prefix count may fall compared with the output on disk; 0 means
	// DefaultShrinkGuard. The guard is applied by the caller that knows
	// the previous output (the CLI).
	ShrinkGuard float64  `yaml:"shrink_guard"`
	Routers     []Router `yaml:"routers"`
	Peers       []Peer   `yaml:"peers"`
	// Customers are peers that also get anti-spoofing (uRPF, ingress ACL).
	Customers []Peer `yaml:"customers"`
	// Timeout bounds a whole compile (sources, peers, writing); 0 means
	// DefaultCompileTimeout (30 min). Applied by the caller that runs
	// the compile (outdir.Compile, the CLI).
	Timeout Duration `yaml:"timeout"`
	// PeeringDB, if set, fills in what peers leave out (announce,
	// max_prefix, description) from PeeringDB; see Populate.
	PeeringDB *PeeringDBSource `yaml:"peeringdb"`
	// MembersFrom, if set, adds an exchange's route-server members as
	// peers of role rs-client; see Populate.
	MembersFrom *MembersFrom `yaml:"members_from"`
	// IXFExport describes our exchange for an IX-F member export of the
	// policy (ExportIXF).
	IXFExport *IXFExport `yaml:"ixf_export"`

	// Set by Populate: whether it ran, whether it failed, and its
	// warnings per peer ("" for the policy).
	populated, broken bool
	peerWarnings      map[string][]string
	// pos gives the YAML position of a field path, when loaded from YAML.
	pos func(path string) (int, int)

	// Dir is the directory relative paths in the policy resolve against:
	// LoadPolicy sets it to the policy file's directory.
	Dir string `yaml:"-"`
	// File is the name the policy was loaded from, for messages.
	File string `yaml:"-"`
}

// DefaultShrinkGuard is the default Policy.ShrinkGuard: a peer whose
// accepted prefix count falls by more than half fails.
const DefaultShrinkGuard = 0.5

// ASN is an AS number that reads from YAML as 64500, "64500" or "AS64500".
type ASN uint32

// UnmarshalText implements encoding.TextUnmarshaler with asn.Parse.
func (a *ASN) UnmarshalText(b []byte) error {
	v, err := asn.Parse(string(b))
	if err != nil {
		return err
	}
	*a = ASN(v)
	return nil
}

// MarshalText formats a as "AS64500".
func (a ASN) MarshalText() ([]byte, error) { return asn.Append(nil, uint32(a)), nil }

// String returns "AS64500".
func (a ASN) String() string { return asn.Format(uint32(a)) }

// Duration is a time.Duration that reads from YAML as "24h" or "90m".
type Duration time.Duration

// AnyAge is the RPKISource.MaxAge that accepts RPKI data of any age,
// written "any" in a policy file.
const AnyAge Duration = -1

// UnmarshalText implements encoding.TextUnmarshaler with time.ParseDuration;
// "any" reads as AnyAge.
func (d *Duration) UnmarshalText(b []byte) error {
	if string(b) == "any" {
		*d = AnyAge
		return nil
	}
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("invalid duration %s", strconv.Quote(string(b)))
	}
	if v < 0 {
		return fmt.Errorf("negative duration %s", strconv.Quote(string(b)))
	}
	*d = Duration(v)
	return nil
}

// MarshalText formats d as time.Duration does, AnyAge as "any".
func (d Duration) MarshalText() ([]byte, error) {
	if d == AnyAge {
		return []byte("any"), nil
	}
	return []byte(time.Duration(d).String()), nil
}

// IRRSource says where IRR data comes from: dump files (RPSL, plain or
// gzip) or IRRd servers. Exactly one of Dumps, Server and Servers is set.
type IRRSource struct {
	// Dumps are RPSL dump files, relative to Policy.Dir.
	Dumps []string `yaml:"dumps"`
	// Server is an IRRd whois server, "host:port".
	Server string `yaml:"server"`
	// Servers lists IRRd servers, "host:port", tried in order: when one
	// is down, refuses or resets, the next is used (irr.Client.Servers).
	// Use it instead of Server for failover.
	Servers []string `yaml:"servers"`
	// Sources lists the sources searched for sets, in priority order.
	Sources []string `yaml:"sources"`
	// RouteSources lists the sources whose route objects count; empty
	// means Sources. Sets are never taken from them unless they are also
	// in Sources. With an IRRd server the selection is made with !s;
	// IRRd's replies do not say which source a route object came from,
	// so Provenance.Source is then empty.
	RouteSources []string `yaml:"route_sources"`
	// QueryTimeout bounds the wait for one answer of an IRRd server;
	// 0 means DefaultIRRQueryTimeout (1 min).
	QueryTimeout Duration `yaml:"query_timeout"`
	// Timeout bounds one expansion against IRRd servers, failover and
	// retries included; 0 means DefaultIRRTimeout (5 min).
	Timeout Duration `yaml:"timeout"`
}

// ServerList returns the IRRd servers to try in order: Servers, or Server
// alone; nil when the data comes from dumps.
func (s *IRRSource) ServerList() []string {
	if len(s.Servers) > 0 {
		return slices.Clone(s.Servers)
	}
	if s.Server != "" {
		return []string{s.Server}
	}
	return nil
}

// RPKISource says where RPKI data comes from: a VRP file or an RTR cache.
type RPKISource struct {
	// VRPs is a VRP file (rpki-client JSON, Routinator CSV/JSON),
	// relative to Policy.Dir.
	VRPs string `yaml:"vrps"`
	// RTR is an RTR cache, "host:port".
	RTR string `yaml:"rtr"`
	// MaxAge is the oldest the VRP data may be; 0 means
	// DefaultRPKIMaxAge (24h), in a file and in Go alike; AnyAge ("any"
	// in a file) accepts data of any age. Peers that use RPKI fail on
	// older data.
	MaxAge Duration `yaml:"max_age"`
	// Caches are the RTR caches the routers validate against
	// (router-side ROV); empty renders no router-side validation.
	Caches []RTRCacheConfig `yaml:"caches"`
}

// RTRCacheConfig names an RTR cache for the routers.
type RTRCacheConfig struct {
	Address netip.Addr `yaml:"address"`
	// Port is the cache's RTR port; 0 means 323 (RFC 6810 rpki-rtr).
	Port uint16 `yaml:"port"`
	// Preference orders caches, lowest first, 0 to 255 (RFC 8210 §10);
	// 0 means the cache's position in the list.
	Preference int `yaml:"preference"`
	// Refresh, Retry and Expire override the cache's RTR timers.
	Refresh Duration `yaml:"refresh"`
	Retry   Duration `yaml:"retry"`
	Expire  Duration `yaml:"expire"`
}

// A Router is a router filtergen writes configuration for.
type Router struct {
	Name     string `yaml:"name"`
	Platform string `yaml:"platform"`
	// Version is the software version the router runs ("24.4R1",
	// "2.0.12"); empty means the oldest release filtergen renders for
	// (internal/platform's Baseline). Rendering refuses a feature the
	// version lacks.
	Version string `yaml:"version"`
	// RouterID is the BGP router ID, rendered where the platform needs
	// one in the generated file; unset leaves it to the operator, and
	// the rendered header says so.
	RouterID netip.Addr `yaml:"router_id"`
	// ASPA turns on router-side AS path verification (ASPA,
	// draft-ietf-sidrops-aspa-verification) on this router: every import
	// rejects ASPA-invalid routes, checked upstream for routes from
	// customers, peers, route servers and route-server clients and
	// downstream for routes from providers. BIRD (2.16 or later) reads
	// the ASPA records over RTR from rpki.caches; OpenBGPD (8.0 or
	// later) gets them in an aspa-set written from the RPKI data
	// filtergen loaded (rpki.vrps or rpki.rtr). Other platforms refuse
	// it, as does a router whose declared version lacks it.
	ASPA bool `yaml:"aspa"`
}

// A Peer is a BGP neighbor whose announcements are filtered. Customers are
// peers that also get anti-spoofing.
type Peer struct {
	// Name identifies the peer: a letter, then letters, digits and
	// underscores, at most 20 characters. Router object names and output
	// file names derive from it.
	Name string `yaml:"name"`
	ASN  ASN    `yaml:"asn"`
	// Description is free text for the router configuration: at most 64
	// characters of letters, digits, space and . , : / ( ) @ + = _ -.
	Description string `yaml:"description"`
	// Announce lists what the peer may announce: AS-SETs, route-sets,
	// ASNs ("AS64500") and literal prefixes with optional range operator.
	Announce []string `yaml:"announce"`
	// Role is the relationship (RFC 9234, seen from our side): peer (the
	// default), provider, rs-client or route-server; entries of
	// Policy.Customers are customers.
	Role Role `yaml:"role"`
	// Neighbors are the peer's session addresses on every router it is
	// on (an IXP LAN); each gets a session in its address family. Use
	// Attach for addresses that differ per router.
	Neighbors []netip.Addr `yaml:"neighbors"`
	// Attach lists, per router, the neighbor addresses, our local
	// addresses and the customer interface there. The routers of the
	// peer are then those of Attach.
	Attach []AttachConfig `yaml:"attach"`
	// Export is what a customer receives: full (default), default or
	// own-and-customers. Other roles' export follows from the role.
	Export      CustomerExport `yaml:"export"`
	PeerOptions `yaml:",inline"`

	// Customer is set for entries of Policy.Customers.
	Customer bool `yaml:"-"`
}

// PeerOptions are the per-peer settings of the policy file: the YAML keys
// that a peer, a customer and the defaults entry share. In
// Policy.Defaults they apply to every peer; a peer's own non-nil fields
// override them.
type PeerOptions struct {
	// Families lists IPv4 and/or IPv6 (YAML: ipv4, ipv6); default both.
	Families []Family `yaml:"families"`
	// Routers lists the routers the peer is on; default every router.
	Routers []string `yaml:"routers"`
	// MaxPrefix is the limit per family: a number, or computed from the
	// accepted count with headroom.
	MaxPrefix *MaxPrefix `yaml:"max_prefix"`
	// IPv4 and IPv6 bound prefix lengths; defaults /8–/24 and /12–/48.
	IPv4 *Lengths `yaml:"ipv4"`
	IPv6 *Lengths `yaml:"ipv6"`
	// DropRPKIInvalid drops IRR prefixes whose origin is RPKI invalid
	// and renders a router-side check where the platform has one.
	// Default on.
	DropRPKIInvalid *bool `yaml:"drop_rpki_invalid"`
	// DropBogons drops bogon prefixes; DropBogonASNs drops prefixes with
	// a bogon origin and renders a bogon-AS path check. Default on.
	DropBogons    *bool `yaml:"drop_bogons"`
	DropBogonASNs *bool `yaml:"drop_bogon_asns"`
	// Aggregate merges the prefix filter losslessly. Default on.
	Aggregate *bool `yaml:"aggregate"`
	// EnforceFirstAS requires the peer's AS first in the path. Default on,
	// off for route servers' peers is the operator's choice.
	EnforceFirstAS *bool `yaml:"enforce_first_as"`
	// RPKIAcceptValid adds the RPKI-valid prefixes of the peer's ASNs that
	// have no route object. Default off.
	RPKIAcceptValid *bool `yaml:"rpki_accept_valid"`
	// RPKITightenMaxLength lowers a filter entry's upper length to the
	// maxLength of the ROAs that make it valid. Default off.
	RPKITightenMaxLength *bool `yaml:"rpki_tighten_max_length"`
	// URPF is the uRPF mode for customers: "strict", "loose" or "none".
	URPF string `yaml:"urpf"`
	// Interface is the customer-facing interface (uRPF and ingress ACL)
	// of a customer on exactly one router; see Peer.Attach otherwise.
	Interface string `yaml:"interface"`
	// IngressACL renders a BCP 38 source-address ACL for customers.
	// Default on for customers.
	IngressACL *bool `yaml:"ingress_acl"`
	// FailOnMissingSet fails the peer when a set nested in one of its
	// AS-SETs or route-sets does not exist, instead of a warning.
	// Default off: public registries hold many dangling references.
	FailOnMissingSet *bool `yaml:"fail_on_missing_set"`
	// Import tunes the import hygiene; unset fields keep the defaults.
	Import *ImportOptions `yaml:"import"`
	// Session holds the transport settings; unset fields keep the
	// defaults.
	Session *SessionOptions `yaml:"session"`
}

// An AttachConfig is where a peer meets one router.
type AttachConfig struct {
	Router string `yaml:"router"`
	// Neighbors are the peer's addresses on this router, besides
	// Peer.Neighbors.
	Neighbors []netip.Addr `yaml:"neighbors"`
	// LocalAddresses are our source addresses, at most one per family.
	LocalAddresses []netip.Addr `yaml:"local_addresses"`
	// Interface is the customer interface on this router, named as the
	// router's platform names it (Junos "xe-0/0/1.100", Linux "eth1").
	Interface string `yaml:"interface"`
}

// ImportOptions tune the import hygiene of ImportPolicy. Nil fields keep
// the default (shown per field).
type ImportOptions struct {
	// MaxPathLength: paths with more ASes are rejected, 1 to 255;
	// default 64.
	MaxPathLength *int `yaml:"max_path_length"`
	// RejectASSet rejects paths containing an AS_SET; default on.
	RejectASSet *bool `yaml:"reject_as_set"`
	// RejectEmptyPath rejects routes with an empty AS path; default on.
	RejectEmptyPath *bool `yaml:"reject_empty_path"`
	// EnforceNextHop requires the next hop to be the neighbor; default
	// on for rs-client, off otherwise.
	EnforceNextHop *bool `yaml:"enforce_next_hop"`
	// RejectOwnPrefixes rejects our own space (originate) and its
	// more-specifics; default on.
	RejectOwnPrefixes *bool `yaml:"reject_own_prefixes"`
	// RejectDefault rejects 0.0.0.0/0 and ::/0; default on.
	RejectDefault *bool `yaml:"reject_default"`
	// GracefulShutdown gives routes tagged GRACEFUL_SHUTDOWN (RFC 8326)
	// local preference 0; default on.
	GracefulShutdown *bool `yaml:"graceful_shutdown"`
	// LocalPref is the local preference of accepted routes, 1 to
	// 4294967295; default per role (DefaultLocalPref).
	LocalPref *int64 `yaml:"local_pref"`
}

// SessionOptions are the transport settings of a peer's sessions.
type SessionOptions struct {
	// Password is the TCP MD5 password, read at compile time.
	Password *PasswordSource `yaml:"password"`
	// TTLSecurity enables GTSM (RFC 5082), accepting packets this many
	// hops away, 1 to 255. Exclusive with Multihop.
	TTLSecurity *int `yaml:"ttl_security"`
	// Multihop is the eBGP multihop TTL, 1 to 255.
	Multihop *int `yaml:"multihop"`
	// BFD enables BFD on the sessions.
	BFD *bool `yaml:"bfd"`
}

// A PasswordSource names where a session password is read from: a file
// (relative to Policy.Dir; trailing newline removed) or an environment
// variable. Exactly one is set. The password itself never appears in a
// policy, a log, --json, explain or an error.
type PasswordSource struct {
	File string `yaml:"file"`
	Env  string `yaml:"env"`
}

// Lengths bounds the prefix lengths accepted in one family.
type Lengths struct {
	Min *int `yaml:"min_length"`
	Max *int `yaml:"max_length"`
}

// MaxPrefix is a max-prefix setting per family: IPv4 or IPv6 when set,
// else Limit when set, else for a provider without announce the full
// table (DefaultFullTableV4, DefaultFullTableV6), else the accepted prefix
// count times 1+Headroom, at least Minimum (and at least 1). A peer's
// MaxPrefix overrides the defaults field by field: zero fields inherit.
// In a file, "max_prefix: 200" is Limit 200.
type MaxPrefix struct {
	Limit    int     `yaml:"limit"`
	IPv4     int     `yaml:"ipv4"`
	IPv6     int     `yaml:"ipv6"`
	Headroom float64 `yaml:"headroom"`
	Minimum  int     `yaml:"minimum"`
	// Action is what happens when a limit trips: restart (default),
	// teardown or warning.
	Action MaxPrefixAction `yaml:"action"`
	// RestartAfter is the wait before a restart, whole minutes from 1m
	// to 2400m (Junos idle-timeout's range); default 30m.
	RestartAfter Duration `yaml:"restart_after"`
}

// Default option values.
const (
	DefaultHeadroom   = 0.2
	DefaultMinimumMax = 10
	// DefaultFullTableV4 and DefaultFullTableV6 are the max-prefix of a
	// provider sending the full table: about 1.5 and 2 times the DFZ
	// of late 2026 (~1.05M IPv4, ~250k IPv6 routes).
	DefaultFullTableV4 = 1_500_000
	DefaultFullTableV6 = 500_000
	// DefaultMaxPathLength is ImportOptions.MaxPathLength's default.
	DefaultMaxPathLength = 64
	// DefaultRestartAfter is MaxPrefix.RestartAfter's default.
	DefaultRestartAfter = 30 * time.Minute
	// MaxPasswordLength is the longest TCP MD5 key Linux takes
	// (TCP_MD5SIG_MAXKEYLEN).
	MaxPasswordLength  = 80
	defaultMinLengthV4 = 8
	defaultMaxLengthV4 = 24
	defaultMinLengthV6 = 12
	defaultMaxLengthV6 = 48
)

// Settings are a peer's options with defaults applied: what Compile uses.
type Settings struct {
	Families             []Family // IPv4, IPv6
	Routers              []string
	MaxPrefix            MaxPrefix
	MinLength, MaxLength [2]int // [0] IPv4, [1] IPv6
	DropRPKIInvalid      bool
	DropBogons           bool
	DropBogonASNs        bool
	Aggregate            bool
	EnforceFirstAS       bool
	RPKIAcceptValid      bool
	RPKITightenMaxLength bool
	URPF                 string
	Interface            string
	IngressACL           bool
	FailOnMissingSet     bool
}

// Settings returns p's options merged over defaults d and the built-in
// defaults.
func (p *Peer) Settings(d PeerOptions, routers []Router) Settings {
	s := Settings{
		Families: []Family{IPv4, IPv6},
		MaxPrefix: MaxPrefix{Headroom: DefaultHeadroom, Minimum: DefaultMinimumMax, Action: MaxPrefixRestart,
			RestartAfter: Duration(DefaultRestartAfter)},
		MinLength:       [2]int{defaultMinLengthV4, defaultMinLengthV6},
		MaxLength:       [2]int{defaultMaxLengthV4, defaultMaxLengthV6},
		DropRPKIInvalid: true,
		DropBogons:      true,
		DropBogonASNs:   true,
		Aggregate:       true,
		EnforceFirstAS:  true,
		URPF:            "none",
	}
	for _, r := range routers {
		s.Routers = append(s.Routers, r.Name)
	}
	if p.role() == RoleRouteServer {
		s.EnforceFirstAS = false
	}
	if p.Customer {
		s.IngressACL = true
		s.URPF = "strict"
	}
	for _, o := range []*PeerOptions{&d, &p.PeerOptions} {
		if o.Families != nil {
			s.Families = o.Families
		}
		if o.Routers != nil {
			s.Routers = o.Routers
		}
		if m := o.MaxPrefix; m != nil {
			mergeMaxPrefix(&s.MaxPrefix, m)
		}
		for i, l := range []*Lengths{o.IPv4, o.IPv6} {
			if l != nil && l.Min != nil {
				s.MinLength[i] = *l.Min
			}
			if l != nil && l.Max != nil {
				s.MaxLength[i] = *l.Max
			}
		}
		set := func(dst *bool, src *bool) {
			if src != nil {
				*dst = *src
			}
		}
		set(&s.DropRPKIInvalid, o.DropRPKIInvalid)
		set(&s.DropBogons, o.DropBogons)
		set(&s.DropBogonASNs, o.DropBogonASNs)
		set(&s.Aggregate, o.Aggregate)
		set(&s.EnforceFirstAS, o.EnforceFirstAS)
		set(&s.RPKIAcceptValid, o.RPKIAcceptValid)
		set(&s.RPKITightenMaxLength, o.RPKITightenMaxLength)
		set(&s.FailOnMissingSet, o.FailOnMissingSet)
		if o.URPF != "" {
			s.URPF = o.URPF
		}
		if o.Interface != "" {
			s.Interface = o.Interface
		}
		if p.Customer {
			set(&s.IngressACL, o.IngressACL)
		}
	}
	if !p.Customer {
		s.URPF, s.Interface, s.IngressACL = "none", "", false
	}
	if len(p.Attach) > 0 {
		s.Routers = nil
		for _, a := range p.Attach {
			s.Routers = append(s.Routers, a.Router)
		}
	}
	return s
}

// mergeMaxPrefix overrides the fields of dst that m sets.
func mergeMaxPrefix(dst, m *MaxPrefix) {
	if m.Limit != 0 {
		dst.Limit = m.Limit
	}
	if m.IPv4 != 0 {
		dst.IPv4 = m.IPv4
	}
	if m.IPv6 != 0 {
		dst.IPv6 = m.IPv6
	}
	if m.Headroom != 0 {
		dst.Headroom = m.Headroom
	}
	if m.Minimum != 0 {
		dst.Minimum = m.Minimum
	}
	if m.Action != "" {
		dst.Action = m.Action
	}
	if m.RestartAfter != 0 {
		dst.RestartAfter = m.RestartAfter
	}
}

// role returns the peer's role: RoleCustomer for customers, Role or
// RolePeer otherwise.
func (p *Peer) role() Role {
	switch {
	case p.Customer:
		return RoleCustomer
	case p.Role == "":
		return RolePeer
	}
	return p.Role
}

// AllPeers returns the peers then the customers, with Customer set on the
// latter.
func (pol *Policy) AllPeers() []Peer {
	out := make([]Peer, 0, len(pol.Peers)+len(pol.Customers))
	out = append(out, pol.Peers...)
	for _, c := range pol.Customers {
		c.Customer = true
		out = append(out, c)
	}
	return out
}

// An AnnounceItem is one parsed entry of Peer.Announce.
type AnnounceItem struct {
	Kind   AnnounceKind
	Name   string          // set name, upper case, or "AS64500"
	ASN    uint32          // for KindASN
	Prefix irr.PrefixRange // for KindPrefix
}

// AnnounceKind tells what an AnnounceItem is.
type AnnounceKind uint8

// The kinds of AnnounceItem.
const (
	KindASSet AnnounceKind = iota + 1
	KindRouteSet
	KindASN
	KindPrefix
)

// ParseAnnounce parses one entry of Peer.Announce.
func ParseAnnounce(s string) (AnnounceItem, error) {
	if strings.ContainsAny(s, "/:") && (strings.Contains(s, "/") || strings.Count(s, ":") > 1) && !isSetName(s) {
		r, err := irr.ParsePrefixRange(s)
		if err != nil {
			return AnnounceItem{}, err
		}
		return AnnounceItem{Kind: KindPrefix, Prefix: r, Name: r.String()}, nil
	}
	if n, err := asn.ParseStrict(s); err == nil {
		return AnnounceItem{Kind: KindASN, ASN: n, Name: asn.Format(n)}, nil
	}
	if !isSetName(s) {
		return AnnounceItem{}, fmt.Errorf("%s is not an AS-SET, route-set, ASN or prefix", strconv.Quote(s))
	}
	up := strings.ToUpper(s)
	last := up
	if i := strings.LastIndexByte(up, ':'); i >= 0 {
		last = up[i+1:]
	}
	switch {
	case strings.HasPrefix(last, "AS-"):
		return AnnounceItem{Kind: KindASSet, Name: up}, nil
	case strings.HasPrefix(last, "RS-"):
		return AnnounceItem{Kind: KindRouteSet, Name: up}, nil
	}
	return AnnounceItem{}, fmt.Errorf("%s is not an AS-SET (AS-…), route-set (RS-…), ASN or prefix", strconv.Quote(s))
}

// isSetName reports whether s looks like an RPSL set name, possibly
// hierarchical (AS64500:AS-CUSTOMERS) or source-qualified (RIPE::AS-FOO).
func isSetName(s string) bool {
	if len(s) == 0 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == ':' || c == '.') {
			return false
		}
	}
	u := strings.ToUpper(s)
	return strings.Contains(u, "AS-") || strings.Contains(u, "RS-")
}
