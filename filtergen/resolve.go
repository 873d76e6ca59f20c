package filtergen

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/filtergen/filtergen/internal/platform"
)

// A ResolvedPolicy is a validated policy in normalized form: defaults
// merged, announce items parsed, attachments per router. Policy.Resolve
// makes it; Compile reads nothing else, so no setting is derived twice.
type ResolvedPolicy struct {
	Policy *Policy
	// Originate is Policy.Originate parsed.
	Originate []AnnounceItem
	// RTR are the routers' RTR caches, lowest preference first.
	RTR []RTRCache
	// MaxAge is the oldest RPKI data accepted; negative means any age.
	MaxAge time.Duration
	// Peers are the peers then the customers, in policy order.
	Peers []*ResolvedPeer
}

// A ResolvedPeer is one peer or customer of a ResolvedPolicy.
type ResolvedPeer struct {
	Name        string
	Description string
	ASN         uint32
	Role        Role
	// Announce is the policy's list, Items the same parsed.
	Announce []string
	Items    []AnnounceItem
	// Settings are the options merged over the defaults.
	Settings    Settings
	Attachments []Attachment
	// Neighbors are the distinct addresses of all Attachments.
	Neighbors []netip.Addr
	Import    ImportPolicy
	Export    ExportPolicy
	// Session is complete but for the password, which Compile reads
	// from Password.
	Session  SessionSettings
	Password *PasswordSource
}

// Peer returns the resolved peer of that name (case-insensitive), or nil.
func (r *ResolvedPolicy) Peer(name string) *ResolvedPeer {
	for _, p := range r.Peers {
		if strings.EqualFold(p.Name, name) {
			return p
		}
	}
	return nil
}

// resolveCaches checks the RTR caches and returns them lowest preference
// first.
func (pol *Policy) resolveCaches(add func(peer, path, format string, args ...any)) []RTRCache {
	var out []RTRCache
	seen := map[netip.AddrPort]bool{}
	for i, c := range pol.RPKI.Caches {
		path := fmt.Sprintf("rpki.caches[%d]", i)
		if !c.Address.IsValid() || c.Address.IsUnspecified() || c.Address.IsMulticast() || c.Address.Zone() != "" {
			add("", path+".address", "want the cache's IP address")
			continue
		}
		port := c.Port
		if port == 0 {
			port = 323
		}
		ap := netip.AddrPortFrom(c.Address.Unmap(), port)
		if seen[ap] {
			add("", path, "duplicate cache %s", ap)
		}
		seen[ap] = true
		pref := c.Preference
		if pref == 0 {
			pref = i + 1
		}
		if c.Preference < 0 || c.Preference > 255 {
			add("", path+".preference", "want 0 to 255, got %d", c.Preference)
		}
		secs := func(name string, d Duration, lo, hi int) int {
			v := time.Duration(d)
			if v == 0 {
				return 0
			}
			if v%time.Second != 0 || v < time.Duration(lo)*time.Second || v > time.Duration(hi)*time.Second {
				add("", path+"."+name, "want whole seconds from %ds to %ds (RFC 8210 §6), got %s", lo, hi, v)
				return 0
			}
			return int(v / time.Second)
		}
		out = append(out, RTRCache{Address: c.Address.Unmap(), Port: port, Preference: pref,
			Refresh: secs("refresh", c.Refresh, 1, 86400), Retry: secs("retry", c.Retry, 1, 7200),
			Expire: secs("expire", c.Expire, 600, 172800)})
	}
	// Stable order by preference.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Preference < out[j-1].Preference; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// resolvePeer checks the role-dependent settings of p and returns its
// normalized form.
func (pol *Policy) resolvePeer(p *Peer, items []AnnounceItem, peer, path string, platformOf map[string]string,
	add func(peer, path, format string, args ...any)) (*ResolvedPeer, bool) {
	nerr := 0
	fail := func(sub, format string, args ...any) {
		nerr++
		add(peer, path+sub, format, args...)
	}
	role := p.role()
	if role.Code() == 0 {
		var r Role
		if err := r.UnmarshalText([]byte(role)); err != nil {
			fail(".role", "%v", err)
		}
	}
	s := p.Settings(pol.Defaults, pol.Routers)
	rp := &ResolvedPeer{Name: p.Name, Description: p.Description, ASN: uint32(p.ASN), Role: role,
		Announce: p.Announce, Items: items, Settings: s}

	// Export.
	switch p.Export {
	case "", ExportFull, ExportDefault, ExportOwnAndCustomers:
	default:
		fail(".export", "want full, default or own-and-customers, got %s", strconv.Quote(string(p.Export)))
	}
	if p.Export != "" && role != RoleCustomer {
		fail(".export", "export applies to customers; a %s receives what its role says (README, \"Export\")", role)
	}
	switch role {
	case RoleCustomer:
		switch p.Export {
		case ExportDefault:
			rp.Export = ExportPolicy{DefaultOnly: true}
		case ExportOwnAndCustomers:
			rp.Export = ExportPolicy{Own: true, Customers: true}
		default:
			rp.Export = ExportPolicy{Own: true, Customers: true, Peers: true, Providers: true, RouteServers: true}
		}
	case RoleRSClient:
		rp.Export = ExportPolicy{RSClients: true}
	default:
		rp.Export = ExportPolicy{Own: true, Customers: true}
	}

	// Attachments.
	if len(p.Attach) > 0 && p.PeerOptions.Routers != nil {
		fail(".routers", "set routers or attach, not both: attach names the routers")
	}
	if len(p.Attach) > 0 && p.Interface != "" {
		fail(".interface", "with attach, set the interface per router in attach")
	}
	if p.Interface != "" && len(s.Routers) != 1 {
		fail(".interface", "the peer is on %d routers: an interface name belongs to one router; list the interface per router under attach: [{router, neighbors, interface}]", len(s.Routers))
	}
	for i, a := range p.Neighbors {
		if !a.IsValid() || a.IsUnspecified() || a.IsMulticast() || a.Zone() != "" {
			fail(fmt.Sprintf(".neighbors[%d]", i), "bad neighbor address %s", strconv.Quote(a.String()))
		}
	}
	if len(p.Attach) > 0 {
		seen := map[string]bool{}
		for i, a := range p.Attach {
			ap := fmt.Sprintf(".attach[%d]", i)
			name := strings.ToLower(a.Router)
			plat, ok := platformOf[name]
			switch {
			case !ok:
				fail(ap+".router", "unknown router %s", strconv.Quote(a.Router))
			case seen[name]:
				fail(ap+".router", "router %s attached twice", strconv.Quote(a.Router))
			}
			seen[name] = true
			at := Attachment{Router: a.Router, Interface: a.Interface}
			at.Neighbors = appendAddrs(nil, p.Neighbors)
			at.Neighbors = appendAddrs(at.Neighbors, a.Neighbors)
			for j, n := range a.Neighbors {
				if !n.IsValid() || n.IsUnspecified() || n.IsMulticast() || n.Zone() != "" {
					fail(fmt.Sprintf("%s.neighbors[%d]", ap, j), "bad neighbor address %s", strconv.Quote(n.String()))
				}
			}
			fams := map[bool]bool{}
			for j, l := range a.LocalAddresses {
				l = l.Unmap()
				if !l.IsValid() || l.IsUnspecified() || l.IsMulticast() || l.Zone() != "" {
					fail(fmt.Sprintf("%s.local_addresses[%d]", ap, j), "bad local address %s", strconv.Quote(l.String()))
				} else if fams[l.Is4()] {
					fail(fmt.Sprintf("%s.local_addresses[%d]", ap, j), "one local address per family")
				}
				fams[l.Is4()] = true
				at.LocalAddresses = append(at.LocalAddresses, l)
			}
			if a.Interface != "" {
				if role != RoleCustomer {
					fail(ap+".interface", "an interface applies to customers only (anti-spoofing)")
				} else if ok {
					if err := platform.CheckInterface(plat, a.Interface); err != nil {
						fail(ap+".interface", "router %s (%s): %v", a.Router, plat, err)
					}
				}
			}
			rp.Attachments = append(rp.Attachments, at)
		}
	} else {
		for _, r := range s.Routers {
			at := Attachment{Router: r, Neighbors: appendAddrs(nil, p.Neighbors), Interface: s.Interface}
			if at.Interface != "" {
				if plat, ok := platformOf[strings.ToLower(r)]; ok {
					if err := platform.CheckInterface(plat, at.Interface); err != nil {
						fail(".interface", "router %s (%s): %v", r, plat, err)
					}
				}
			}
			rp.Attachments = append(rp.Attachments, at)
		}
	}
	for _, at := range rp.Attachments {
		rp.Neighbors = appendAddrs(rp.Neighbors, at.Neighbors)
	}
	if role == RoleCustomer && (s.IngressACL || s.URPF != "none") {
		// Anti-spoofing that cannot be placed on an interface would
		// silently not exist: fail closed instead.
		for _, at := range rp.Attachments {
			if at.Interface == "" {
				where := ".interface"
				if len(p.Attach) > 0 {
					where = ".attach"
				}
				fail(where, "a customer with ingress_acl or urpf needs an interface on router %s (or set ingress_acl: false and urpf: none)", at.Router)
			}
		}
	}

	// Import.
	im := ImportPolicy{
		PrefixFilter: role != RoleProvider || len(items) > 0, RejectEmptyPath: true,
		MaxPathLength: DefaultMaxPathLength, RejectASSet: true, EnforceFirstAS: s.EnforceFirstAS,
		EnforceNextHop: role == RoleRSClient, RejectOwnPrefixes: true, RejectDefault: true,
		RejectBogons: s.DropBogons, RejectBogonASNs: s.DropBogonASNs,
		RejectRPKIInvalid: s.DropRPKIInvalid && len(pol.RPKI.Caches) > 0,
		GracefulShutdown:  true, MinLength: s.MinLength, MaxLength: s.MaxLength,
		LocalPref: int(role.DefaultLocalPref()),
		Tag:       LargeCommunity{uint32(pol.LocalAS), CommunityLearnedFrom, role.Code()},
	}
	im.OriginCheck = im.PrefixFilter
	for _, o := range []*PeerOptions{&pol.Defaults, &p.PeerOptions} {
		x := o.Import
		if x == nil {
			continue
		}
		setInt(&im.MaxPathLength, x.MaxPathLength)
		setBool(&im.RejectASSet, x.RejectASSet)
		setBool(&im.RejectEmptyPath, x.RejectEmptyPath)
		setBool(&im.EnforceNextHop, x.EnforceNextHop)
		setBool(&im.RejectOwnPrefixes, x.RejectOwnPrefixes)
		setBool(&im.RejectDefault, x.RejectDefault)
		setBool(&im.GracefulShutdown, x.GracefulShutdown)
		if x.LocalPref != nil {
			im.LocalPref = int(*x.LocalPref)
		}
	}
	if im.EnforceNextHop && role != RoleRSClient && role != RoleCustomer && role != RolePeer {
		fail(".import.enforce_next_hop", "a %s may send a third-party next hop; enforce_next_hop is for rs-client, customer and peer sessions", role)
	}
	rp.Import = im

	// Session.
	ss := SessionSettings{MaxPrefixAction: s.MaxPrefix.Action,
		RestartAfter: int(time.Duration(s.MaxPrefix.RestartAfter) / time.Minute)}
	if ss.MaxPrefixAction != MaxPrefixRestart {
		ss.RestartAfter = 0
	}
	for _, o := range []*PeerOptions{&pol.Defaults, &p.PeerOptions} {
		x := o.Session
		if x == nil {
			continue
		}
		if x.Password != nil {
			rp.Password = x.Password
		}
		setInt(&ss.TTLSecurity, x.TTLSecurity)
		setInt(&ss.Multihop, x.Multihop)
		setBool(&ss.BFD, x.BFD)
	}
	if ss.TTLSecurity > 0 && ss.Multihop > 0 {
		fail(".session", "ttl_security and multihop exclude each other (GTSM expects the neighbor %d hops away at most)", ss.TTLSecurity)
	}
	rp.Session = ss
	return rp, nerr == 0
}

func setBool(dst *bool, src *bool) {
	if src != nil {
		*dst = *src
	}
}

func setInt(dst *int, src *int) {
	if src != nil {
		*dst = *src
	}
}

// appendAddrs appends the addresses of src not yet in dst, unmapped.
func appendAddrs(dst, src []netip.Addr) []netip.Addr {
	for _, a := range src {
		a = a.Unmap()
		dup := false
		for _, b := range dst {
			dup = dup || a == b
		}
		if !dup {
			dst = append(dst, a)
		}
	}
	return dst
}

// readPassword reads the password src names. Its errors name the file or
// variable, never the content.
func readPassword(dir string, src *PasswordSource) (Secret, error) {
	var v string
	switch {
	case src.File != "":
		name := src.File
		if !filepath.IsAbs(name) {
			name = filepath.Join(dir, name)
		}
		f, err := os.Open(name)
		if err != nil {
			return Secret{}, fmt.Errorf("session password: %w", err)
		}
		defer f.Close()
		buf := make([]byte, 4*MaxPasswordLength)
		n, _ := f.Read(buf)
		v = strings.TrimRight(string(buf[:n]), "\r\n")
		if n == len(buf) {
			return Secret{}, fmt.Errorf("session password: file %s is longer than %d characters", strconv.Quote(src.File), MaxPasswordLength)
		}
	case src.Env != "":
		var ok bool
		v, ok = os.LookupEnv(src.Env)
		if !ok {
			return Secret{}, fmt.Errorf("session password: environment variable %s is not set", src.Env)
		}
	}
	where := "file " + strconv.Quote(src.File)
	if src.Env != "" {
		where = "environment variable " + src.Env
	}
	if v == "" {
		return Secret{}, fmt.Errorf("session password: %s is empty", where)
	}
	if len(v) > MaxPasswordLength {
		return Secret{}, fmt.Errorf("session password: %s holds more than %d characters", where, MaxPasswordLength)
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x21 || c > 0x7e || c == '"' || c == '\\' || c == '\'' || c == ';' || c == '#' || c == '{' || c == '}' {
			return Secret{}, fmt.Errorf("session password: %s: character %d is not allowed (printable ASCII without space, quotes, backslash, ; # { })", where, i+1)
		}
	}
	return NewSecret(v), nil
}
