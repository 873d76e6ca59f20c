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
const PolicyVersion = 1

// A Policy says where data comes from, which routers exist and what each
// peer may announce. It is read from YAML with LoadPolicy or built in Go;
// either way Validate must accept it before Compile uses it.
type Policy struct {
	Version int `yaml:"version"`
	// LocalAS is our own AS number, used by the router templates.
	LocalAS ASN `yaml:"local_as"`
	// IRR says where routing-registry data comes from.
	IRR IRRSource `yaml:"irr"`
	// RPKI says where validated ROA payloads come from. Empty means no
	// RPKI data, which is an error for a peer that asks for an RPKI check.
	RPKI RPKISource `yaml:"rpki"`
	// Defaults apply to every peer and customer; their own fields override.
	Defaults Options `yaml:"defaults"`
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

// UnmarshalText implements encoding.TextUnmarshaler with time.ParseDuration.
func (d *Duration) UnmarshalText(b []byte) error {
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

// MarshalText formats d as time.Duration does.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

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
	// DefaultRPKIMaxAge (24h). Peers that use RPKI fail on older data.
	MaxAge Duration `yaml:"max_age"`
}

// A Router is a router filtergen writes configuration for.
type Router struct {
	Name     string `yaml:"name"`
	Platform string `yaml:"platform"`
}

// Platforms lists the platform names a Router may have. Only the first
// two have templates so far; the others are accepted so that a policy
// need not change when their templates land.
var Platforms = []string{"bird2", "junos", "iosxe", "iosxr", "nxos", "eos", "sros-classic", "sros-mdcli"}

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
	// Neighbors are the peer's session addresses; each gets a session in
	// its address family.
	Neighbors []netip.Addr `yaml:"neighbors"`
	Options   `yaml:",inline"`

	// Customer is set for entries of Policy.Customers.
	Customer bool `yaml:"-"`
}

// Options are the per-peer settings. In Policy.Defaults they apply to
// every peer; a peer's own non-nil fields override them.
type Options struct {
	// Families lists "ipv4" and/or "ipv6"; default both.
	Families []string `yaml:"families"`
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
	// Interface is the customer-facing interface (uRPF and ingress ACL).
	Interface string `yaml:"interface"`
	// IngressACL renders a BCP 38 source-address ACL for customers.
	// Default on for customers.
	IngressACL *bool `yaml:"ingress_acl"`
	// FailOnMissingSet fails the peer when a set nested in one of its
	// AS-SETs or route-sets does not exist, instead of a warning.
	// Default off: public registries hold many dangling references.
	FailOnMissingSet *bool `yaml:"fail_on_missing_set"`
}

// Lengths bounds the prefix lengths accepted in one family.
type Lengths struct {
	Min *int `yaml:"min_length"`
	Max *int `yaml:"max_length"`
}

// MaxPrefix is a max-prefix setting: a fixed Limit, or (Limit 0) the
// accepted prefix count times 1+Headroom, at least Minimum.
type MaxPrefix struct {
	Limit    int     `yaml:"limit"`
	Headroom float64 `yaml:"headroom"`
	Minimum  int     `yaml:"minimum"`
}

// Default option values.
const (
	DefaultHeadroom    = 0.2
	DefaultMinimumMax  = 10
	defaultMinLengthV4 = 8
	defaultMaxLengthV4 = 24
	defaultMinLengthV6 = 12
	defaultMaxLengthV6 = 48
)

// Settings are a peer's options with defaults applied: what Compile uses.
type Settings struct {
	Families             []string // "ipv4", "ipv6"
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
func (p *Peer) Settings(d Options, routers []Router) Settings {
	s := Settings{
		Families:        []string{"ipv4", "ipv6"},
		MaxPrefix:       MaxPrefix{Headroom: DefaultHeadroom, Minimum: DefaultMinimumMax},
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
	if p.Customer {
		s.IngressACL = true
		s.URPF = "strict"
	}
	for _, o := range []*Options{&d, &p.Options} {
		if o.Families != nil {
			s.Families = o.Families
		}
		if o.Routers != nil {
			s.Routers = o.Routers
		}
		if o.MaxPrefix != nil {
			s.MaxPrefix = *o.MaxPrefix
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
	return s
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
