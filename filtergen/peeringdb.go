package filtergen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/filtergen/filtergen/internal/asn"
	"github.com/filtergen/filtergen/irr"
	"github.com/filtergen/filtergen/ixf"
	"github.com/filtergen/filtergen/peeringdb"
)

// This file is the onboarding resolver: it fills what the policy leaves
// out of its peers from PeeringDB and builds route-server member lists
// from IX-F member exports or PeeringDB. Populate runs once between
// loading a policy and compiling it; Compile refuses a policy that needs
// it and has not had it.

// PeeringDBSource says where PeeringDB data comes from: an offline
// Snapshot, or the API at URL with an optional on-disk cache.
type PeeringDBSource struct {
	// Snapshot is a directory of net.json, ix.json, … or one combined
	// file (gzip accepted), relative to Policy.Dir. Exclusive with URL.
	Snapshot string `yaml:"snapshot"`
	// URL is the API root; empty with no Snapshot means
	// peeringdb.DefaultBaseURL.
	URL string `yaml:"url"`
	// APIKeyFile is a file holding the API key, relative to Policy.Dir;
	// APIKeyEnv names an environment variable holding it. At most one.
	APIKeyFile string `yaml:"api_key_file"`
	APIKeyEnv  string `yaml:"api_key_env"`
	// Cache is a directory for API responses, relative to Policy.Dir;
	// empty means no cache (the API being down then fails the peers
	// that need it).
	Cache string `yaml:"cache"`
	// CacheMaxAge is how old a cached response may be to stand in for
	// the API; 0 means 24h.
	CacheMaxAge Duration `yaml:"cache_max_age"`
	// Timeout bounds each API request; 0 means 30s.
	Timeout Duration `yaml:"timeout"`
	// MaxPrefix turns PeeringDB's info_prefixes4/6 into limits.
	MaxPrefix PeeringDBMaxPrefix `yaml:"max_prefix"`
}

// PeeringDBMaxPrefix computes a family's limit from PeeringDB's count n
// as max(Minimum, ceil(n × (1 + Headroom))). A count of 0 or none leaves
// the family to the peer's own max_prefix setting, with a warning.
type PeeringDBMaxPrefix struct {
	// Headroom is the fraction added; unset means DefaultHeadroom.
	Headroom *float64 `yaml:"headroom"`
	// Minimum is the lowest limit; unset means DefaultMinimumMax.
	Minimum *int `yaml:"minimum"`
}

// MembersFrom builds the peers of a route server from an IX-F member
// export or from PeeringDB's netixlan objects of one exchange. Peers
// listed in the policy with the same ASN override the generated entry
// (what they leave out is filled in as for any peer); Exclude drops
// members.
type MembersFrom struct {
	// IXF is an IX-F member export, a file relative to Policy.Dir or an
	// http(s) URL.
	IXF string `yaml:"ixf"`
	// IXPID picks the exchange in an IX-F export listing several; 0
	// requires the export to list exactly one.
	IXPID int `yaml:"ixp_id"`
	// PeeringDB takes the members from netixlan of an exchange.
	PeeringDB *PeeringDBMembers `yaml:"peeringdb"`
	// Exclude lists ASNs never made peers.
	Exclude []ASN `yaml:"exclude"`
}

// PeeringDBMembers names an exchange in PeeringDB.
type PeeringDBMembers struct {
	IXID int `yaml:"ix_id"`
}

// needsPopulate reports whether pol has onboarding sources.
func (pol *Policy) needsPopulate() bool { return pol.PeeringDB != nil || pol.MembersFrom != nil }

// PopulateOptions are the inputs of Populate besides the policy.
type PopulateOptions struct {
	// Getenv reads APIKeyEnv; nil means the key cannot come from the
	// environment.
	Getenv func(string) string
	// Source, if set, replaces the policy's PeeringDB source (tests,
	// callers with their own client).
	Source peeringdb.Source
	// HTTPClient fetches IX-F exports and API responses; nil means a
	// default client.
	HTTPClient *http.Client
	// Now is the clock for the cache; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// ErrOnboarding is wrapped by errors about onboarding data (member lists,
// PeeringDB) that are not a particular peer's.
var ErrOnboarding = errors.New("onboarding data")

// Populate fills the peers of pol from its peeringdb and members_from
// sections and then validates pol completely. Every warning (a fallback
// taken, a cached response used) is recorded for the peer it concerns
// and appears in its PeerResult.Warnings; Warnings returns the ones that
// concern no peer. A peer whose data cannot be had (PeeringDB down and
// no usable cache, an invalid irr_as_set) fails with a *PeerError; the
// policy is then left unusable, never half filled.
func Populate(ctx context.Context, pol *Policy, opts PopulateOptions) error {
	if pol.broken {
		return errors.New("filtergen: an earlier Populate of this policy failed")
	}
	if pol.populated || !pol.needsPopulate() {
		return nil
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	r := &resolver{pol: pol, opts: opts, warn: map[string][]string{}}
	if err := r.run(ctx); err != nil {
		pol.broken = true
		return err
	}
	pol.populated = true
	pol.peerWarnings = r.warn
	_, err := pol.resolve(pol.positionOf())
	return err
}

// Warnings returns the warnings of Populate that concern no single peer.
func (pol *Policy) Warnings() []string { return slices.Clone(pol.peerWarnings[""]) }

type resolver struct {
	pol  *Policy
	opts PopulateOptions
	src  peeringdb.Source
	warn map[string][]string // peer name -> warnings; "" for the policy
}

func (r *resolver) warnf(peer, format string, args ...any) {
	r.warn[peer] = append(r.warn[peer], fmt.Sprintf(format, args...))
}

func (r *resolver) rel(p string) string {
	if filepath.IsAbs(p) || r.pol.Dir == "" {
		return p
	}
	return filepath.Join(r.pol.Dir, p)
}

// source opens the PeeringDB source; nil when the policy has none.
func (r *resolver) source() (peeringdb.Source, error) {
	if r.opts.Source != nil {
		return r.opts.Source, nil
	}
	s := r.pol.PeeringDB
	if s == nil {
		return nil, nil
	}
	if s.Snapshot != "" {
		snap, err := peeringdb.LoadSnapshot(r.rel(s.Snapshot), peeringdb.SnapshotOptions{})
		if err != nil {
			return nil, fmt.Errorf("%w: peeringdb.snapshot: %w", ErrOnboarding, err)
		}
		return snap, nil
	}
	c := &peeringdb.Client{BaseURL: s.URL, Timeout: time.Duration(s.Timeout), HTTPClient: r.opts.HTTPClient, Logger: r.opts.Logger}
	switch {
	case s.APIKeyFile != "":
		key, err := readKeyFile(r.rel(s.APIKeyFile))
		if err != nil {
			return nil, fmt.Errorf("%w: peeringdb.api_key_file: %w", ErrOnboarding, err)
		}
		c.APIKey = key
	case s.APIKeyEnv != "":
		if r.opts.Getenv != nil {
			c.APIKey = strings.TrimSpace(r.opts.Getenv(s.APIKeyEnv))
		}
		if c.APIKey == "" {
			return nil, fmt.Errorf("%w: peeringdb.api_key_env: environment variable %s is empty or unset", ErrOnboarding, s.APIKeyEnv)
		}
	}
	if s.Cache != "" {
		c.Cache = &peeringdb.Cache{Dir: r.rel(s.Cache), MaxAge: time.Duration(s.CacheMaxAge), Now: r.opts.Now}
		c.Stale = func(query string, age time.Duration, cause error) {
			r.warnf("", "PeeringDB unavailable (%v); using a cached response %s old for %s", cause, age.Round(time.Minute), query)
		}
	}
	return c, nil
}

// readKeyFile reads an API key. Errors never quote the contents.
func readKeyFile(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 4097))
	if err != nil {
		return "", err
	}
	key := strings.TrimSpace(string(b))
	if key == "" || len(b) > 4096 || strings.ContainsAny(key, "\r\n\t ") {
		return "", fmt.Errorf("%s: want one API key on one line", name)
	}
	return key, nil
}

// member is one generated route-server client.
type member struct {
	asn       uint32
	name      string // from the member list, for the description
	neighbors []netip.Addr
	macro     string // IX-F as_macro
	maxPrefix [2]int // IX-F max_prefix per family
}

func (r *resolver) run(ctx context.Context) error {
	src, err := r.source()
	if err != nil {
		return err
	}
	r.src = src
	members, err := r.members(ctx)
	if err != nil {
		return err
	}
	// Merge: explicit peers win; members fill what they leave out.
	byASN := map[uint32][]int{}
	for i, p := range r.pol.Peers {
		byASN[uint32(p.ASN)] = append(byASN[uint32(p.ASN)], i)
	}
	generated := map[string]*member{}
	for _, m := range members {
		if idx := byASN[m.asn]; len(idx) > 0 {
			if q := &r.pol.Peers[idx[0]]; len(idx) == 1 && q.Neighbors == nil && q.Attach == nil {
				q.Neighbors = m.neighbors
			}
			for _, i := range idx {
				if r.pol.Peers[i].Role == "" {
					r.pol.Peers[i].Role = RoleRSClient
				}
			}
			generated[r.pol.Peers[idx[0]].Name] = m
			continue
		}
		name := "AS" + strconv.FormatUint(uint64(m.asn), 10)
		r.pol.Peers = append(r.pol.Peers, Peer{Name: name, ASN: ASN(m.asn), Role: RoleRSClient, Neighbors: m.neighbors})
		generated[name] = m
	}
	if r.pol.MembersFrom != nil && len(members) == 0 {
		return fmt.Errorf("%w: members_from: no route-server member found", ErrOnboarding)
	}

	// Which peers need PeeringDB? A missing description alone does
	// not make a peer fail when PeeringDB cannot be had.
	// A provider without announce is a full table: nothing to fill.
	needData := func(p *Peer) bool {
		return p.role() != RoleProvider && (len(p.Announce) == 0 || p.MaxPrefix == nil)
	}
	want := func(p *Peer) bool { return needData(p) || p.Description == "" }
	var asns []uint32
	all := r.pol.AllPeers()
	for i := range all {
		if want(&all[i]) {
			asns = append(asns, uint32(all[i].ASN))
		}
	}
	var nets map[uint32]peeringdb.Net
	var netErr error
	if len(asns) > 0 && r.src != nil {
		nets, netErr = r.src.Nets(ctx, asns)
	}
	var errs []error
	fill := func(p *Peer) {
		if !want(p) {
			return
		}
		if netErr != nil && !needData(p) {
			r.warnf(p.Name, "no description from PeeringDB: %v", netErr)
			return
		}
		if err := r.fill(p, generated[p.Name], nets, netErr); err != nil {
			errs = append(errs, &PeerError{Peer: p.Name, Err: err})
		}
	}
	for i := range r.pol.Peers {
		fill(&r.pol.Peers[i])
	}
	for i := range r.pol.Customers {
		fill(&r.pol.Customers[i])
	}
	return errors.Join(errs...)
}

// fill completes one peer. m is its member-list entry, if any.
func (r *resolver) fill(p *Peer, m *member, nets map[uint32]peeringdb.Net, netErr error) error {
	a := uint32(p.ASN)
	var n *peeringdb.Net
	if r.src != nil {
		if netErr != nil {
			return fmt.Errorf("AS%d: %w", a, netErr)
		}
		if v, ok := nets[a]; ok {
			n = &v
		} else {
			r.warnf(p.Name, "AS%d is not in PeeringDB", a)
		}
	}
	if p.Description == "" {
		switch {
		case n != nil:
			p.Description = SafeText(n.Name, MaxDescription)
		case m != nil && m.name != "":
			p.Description = SafeText(m.name, MaxDescription)
		}
	}
	if p.role() == RoleProvider {
		return nil
	}
	if len(p.Announce) == 0 {
		var macro, from string
		switch {
		case m != nil && m.macro != "":
			macro, from = m.macro, "IX-F as_macro"
		case n != nil && strings.TrimSpace(n.IRRASSet) != "":
			macro, from = n.IRRASSet, "PeeringDB irr_as_set"
		}
		if macro != "" {
			items, err := AnnounceFromASSet(macro)
			if err != nil {
				return fmt.Errorf("AS%d: %s %s: %w", a, from, strconv.Quote(macro), err)
			}
			p.Announce = items
		} else {
			p.Announce = []string{asn.Format(a)}
			r.warnf(p.Name, "AS%d has no AS-SET in PeeringDB or the member list: announce falls back to %s itself", a, asn.Format(a))
		}
	}
	if p.MaxPrefix == nil && (n != nil || m != nil) {
		d := r.pol.PeeringDB
		headroom, minimum := DefaultHeadroom, DefaultMinimumMax
		if d != nil && d.MaxPrefix.Headroom != nil {
			headroom = *d.MaxPrefix.Headroom
		}
		if d != nil && d.MaxPrefix.Minimum != nil {
			minimum = *d.MaxPrefix.Minimum
		}
		// Only the per-family limits: the other fields inherit from the
		// defaults field by field.
		mp := MaxPrefix{}
		for fi, fam := range []Family{IPv4, IPv6} {
			lim := 0
			switch {
			case m != nil && m.maxPrefix[fi] > 0:
				lim = m.maxPrefix[fi]
			case n != nil && n.Prefixes(fi == 1) > 0:
				lim = max(minimum, int(math.Ceil(float64(n.Prefixes(fi == 1))*(1+headroom))))
			default:
				r.warnf(p.Name, "AS%d: no %s prefix count in PeeringDB (info_prefixes%d is 0 or unset): max-prefix falls back to the policy's setting",
					a, fam, 4+2*fi)
			}
			if fi == 0 {
				mp.IPv4 = lim
			} else {
				mp.IPv6 = lim
			}
		}
		p.MaxPrefix = &mp
	}
	return nil
}

// members reads the member list of members_from; nil without one.
func (r *resolver) members(ctx context.Context) ([]*member, error) {
	mf := r.pol.MembersFrom
	if mf == nil {
		return nil, nil
	}
	excluded := map[uint32]bool{}
	for _, a := range mf.Exclude {
		excluded[uint32(a)] = true
	}
	byASN := map[uint32]*member{}
	var order []uint32
	add := func(a uint32, name string, addr netip.Addr) *member {
		m := byASN[a]
		if m == nil {
			m = &member{asn: a, name: name}
			byASN[a] = m
			order = append(order, a)
		}
		if !slices.Contains(m.neighbors, addr) {
			m.neighbors = append(m.neighbors, addr)
		}
		return m
	}
	switch {
	case mf.IXF != "":
		src := mf.IXF
		if !strings.HasPrefix(src, "http://") && !strings.HasPrefix(src, "https://") {
			src = r.rel(src)
		}
		exp, err := ixf.Load(ctx, src, ixf.LoadOptions{HTTPClient: r.opts.HTTPClient})
		if err != nil {
			return nil, fmt.Errorf("%w: members_from.ixf: %w", ErrOnboarding, err)
		}
		id := mf.IXPID
		if id == 0 {
			if len(exp.IXPList) != 1 {
				return nil, fmt.Errorf("%w: members_from.ixf: the export lists %d exchanges: set members_from.ixp_id", ErrOnboarding, len(exp.IXPList))
			}
			id = exp.IXPList[0].IXPID
		}
		for _, pe := range exp.Peerings(id) {
			switch {
			case excluded[pe.ASN]:
				continue
			case pe.RouteServer == nil:
				r.warnf("", "AS%d: %s has no routeserver flag in the IX-F export; not made a route-server peer", pe.ASN, pe.Addr)
				continue
			case !*pe.RouteServer:
				continue
			case pe.State == "inactive":
				continue
			}
			m := add(pe.ASN, pe.Name, pe.Addr.Unmap())
			fi := 0
			if pe.Addr.Is6() {
				fi = 1
			}
			m.maxPrefix[fi] = max(m.maxPrefix[fi], pe.MaxPrefix)
			if pe.ASMacro != "" && m.macro == "" {
				m.macro = pe.ASMacro
			}
		}
	case mf.PeeringDB != nil:
		if r.src == nil {
			return nil, fmt.Errorf("%w: members_from.peeringdb needs a peeringdb source", ErrOnboarding)
		}
		ix, err := r.src.IX(ctx, mf.PeeringDB.IXID)
		if err != nil {
			return nil, fmt.Errorf("%w: members_from.peeringdb: %w", ErrOnboarding, err)
		}
		rows, err := r.src.NetIXLans(ctx, mf.PeeringDB.IXID)
		if err != nil {
			return nil, fmt.Errorf("%w: members_from.peeringdb: %w", ErrOnboarding, err)
		}
		for _, row := range rows {
			if excluded[row.ASN] || !row.IsRSPeer || !row.Operational {
				continue
			}
			for _, addr := range []netip.Addr{row.IPAddr4, row.IPAddr6} {
				if !addr.IsValid() {
					continue
				}
				addr = addr.Unmap()
				if !inLAN(ix, addr) {
					r.warnf("", "AS%d: address %s is outside the peering LAN prefixes of ix %d; skipped", row.ASN, addr, ix.IX.ID)
					continue
				}
				add(row.ASN, "", addr)
			}
		}
	default:
		return nil, fmt.Errorf("%w: members_from: set ixf or peeringdb", ErrOnboarding)
	}
	// info_never_via_route_servers: the network asks not to be peered
	// with through route servers.
	if r.src != nil && len(order) > 0 {
		nets, err := r.src.Nets(ctx, order)
		if err != nil {
			return nil, fmt.Errorf("%w: members_from: %w", ErrOnboarding, err)
		}
		order = slices.DeleteFunc(order, func(a uint32) bool {
			if n, ok := nets[a]; ok && n.InfoNeverViaRouteServers {
				r.warnf("", "AS%d is marked info_never_via_route_servers in PeeringDB; not made a route-server peer", a)
				return true
			}
			return false
		})
	}
	slices.Sort(order)
	out := make([]*member, 0, len(order))
	for _, a := range order {
		m := byASN[a]
		slices.SortFunc(m.neighbors, func(x, y netip.Addr) int { return x.Compare(y) })
		out = append(out, m)
	}
	return out, nil
}

func inLAN(ix *peeringdb.Exchange, a netip.Addr) bool {
	if len(ix.Prefixes) == 0 {
		return true // PeeringDB lists none: nothing to check against
	}
	for _, p := range ix.Prefixes {
		if p.Prefix.Contains(a) {
			return true
		}
	}
	return false
}

// AnnounceFromASSet turns PeeringDB's irr_as_set (or an IX-F as_macro)
// into announce items: several names separated by spaces or commas, each
// an AS-SET, route-set or ASN, optionally "SOURCE::"-qualified. Any
// invalid name is an error.
func AnnounceFromASSet(s string) ([]string, error) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == ';' })
	if len(fields) == 0 {
		return nil, errors.New("empty")
	}
	if len(fields) > 32 {
		return nil, fmt.Errorf("%d names, at most 32", len(fields))
	}
	var out []string
	for _, f := range fields {
		n, err := irr.ParseName(f)
		if err != nil {
			return nil, err
		}
		item := n.String()
		if a, err := asn.ParseStrict(n.Name); err == nil {
			item = asn.Format(a) // an aut-num: its routes, whatever the source
		} else if _, err := ParseAnnounce(item); err != nil {
			return nil, err
		}
		if !slices.Contains(out, item) {
			out = append(out, item)
		}
	}
	return out, nil
}

// SafeText maps free text from a registry (PeeringDB names, IX-F member
// names) to what CheckText accepts: accents are dropped (é → e), "&"
// becomes "and", quotes and other characters become a space, runs of
// spaces collapse, and the result is cut to max bytes. It never fails.
func SafeText(s string, max int) string {
	var b strings.Builder
	space := false
	put := func(r rune) {
		if r == ' ' {
			space = b.Len() > 0
			return
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue // combining accent
		case r == '&':
			put(' ')
			for _, c := range "and" {
				put(c)
			}
			put(' ')
		case r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(".,:/()@+=_-", r)):
			put(r)
		default:
			switch r {
			case 'ß':
				put('s')
				put('s')
			case 'ø', 'Ø':
				put(map[rune]rune{'ø': 'o', 'Ø': 'O'}[r])
			case 'æ':
				put('a')
				put('e')
			case 'ł', 'Ł':
				put(map[rune]rune{'ł': 'l', 'Ł': 'L'}[r])
			default:
				put(' ')
			}
		}
	}
	out := b.String()
	if len(out) > max {
		out = strings.TrimRight(out[:max], " ")
	}
	return out
}
