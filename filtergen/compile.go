package filtergen

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"maps"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/filtergen/filtergen/internal/platform"
	"github.com/filtergen/filtergen/irr"
	"github.com/filtergen/filtergen/rpki"
)

// RPKI is what Compile needs from RPKI data. The rpki package's table
// satisfies it through a small adapter in the caller.
type RPKI interface {
	// Validate returns the RFC 6811 state of route p with the given
	// origin, and the largest maxLength of the VRPs that make it valid
	// (0 when it is not valid).
	Validate(p netip.Prefix, origin uint32) (rpki.State, uint8)
	// VRPs returns the VRPs of asn in the family (4 or 6).
	VRPs(asn uint32, family irr.Family) []VRP
	// Updated returns when the data was generated; zero if unknown.
	Updated() time.Time
}

// ASPAProviders is optionally implemented by an RPKI value that has ASPA
// records.
type ASPAProviders interface {
	// Providers returns the provider ASNs customer declared, and whether
	// it has an ASPA record at all.
	Providers(customer uint32) ([]uint32, bool)
}

// ASPARecords is optionally implemented by an RPKI value that can list
// all its ASPA records, for routers that are given them in their
// configuration (OpenBGPD's aspa-set).
type ASPARecords interface {
	// ASPARecords returns every record, ordered by customer.
	ASPARecords() []ASPARecord
}

// A VRP is a validated ROA payload: the rpki package's type.
type VRP = rpki.VRP

// CompileOptions are the inputs of Compile besides the policy.
type CompileOptions struct {
	// IRR expands sets and finds route objects. Required.
	IRR irr.Expander
	// RPKI validates origins. Required when the policy names RPKI data.
	RPKI RPKI
	// Peers limits the compile to these peer names; empty means all.
	Peers []string
	// Routers limits the compile to the peers on these routers, and the
	// Result's Routers to them; empty means all. A peer that is only on
	// other routers is not compiled, so it cannot fail the compile.
	Routers []string
	// Parallel bounds how many peers compile at once; default 8.
	Parallel int
	// KeepGoing makes Compile return the peers that succeeded together
	// with the error for those that failed. Without it, Compile returns a
	// complete Result or an error, never both, and the first failed peer
	// cancels the peers still compiling: nothing will be used.
	KeepGoing bool
	// OnPeer, if set, is called with each peer's result as soon as it is
	// compiled, from the goroutine that compiled it (calls may be
	// concurrent). An error fails the peer as a compile error would. The
	// callback may release parts of the PeerResult it has consumed (a
	// writer drops the filter entries once the peer's files are staged),
	// so that memory holds one peer's filter at a time, not all of them;
	// the Result then holds the PeerResult as the callback left it.
	// res is the Result being built: every field but Peers is set.
	OnPeer func(ctx context.Context, res *Result, p *PeerResult) error
	// Now returns the current time, for the RPKI age check; default time.Now.
	Now func() time.Time
	// Progress, if set, is called after each peer, from the goroutine
	// that compiled it: calls may be concurrent and done may arrive out
	// of order.
	Progress func(done, total int, peer string)
	// Logger receives debug logs; default discards.
	Logger *slog.Logger
	// NoAcceptedProvenance leaves FamilyResult.Accepted empty, for
	// callers that only render filters: a full table's provenance is
	// about 100 bytes per prefix. Everything else in the Result, Dropped
	// included, is the same.
	NoAcceptedProvenance bool
	// PeerDone, if set, is called with each peer's result as soon as it
	// is compiled, before Compile returns, from the goroutine that
	// compiled it (calls may be concurrent). It may change the result,
	// for example read the provenance of accepted prefixes once and drop
	// it, so that a large compile never holds every peer's at once
	// (report.Collector does).
	PeerDone func(*PeerResult)
}

// ErrEmptyFilter reports a peer for which nothing at all was accepted.
var ErrEmptyFilter = errors.New("no prefix accepted in any family")

// ErrStale reports RPKI data older than the policy's maximum age. It is
// rpki.ErrStale: errors.Is(err, ErrStale) holds whether the rpki loader
// or Compile refused the data.
var ErrStale = rpki.ErrStale

// ErrMissingSet reports a nested set that does not exist, for a peer
// whose settings make that fatal (fail_on_missing_set).
var ErrMissingSet = errors.New("nested set does not exist")

// ErrCanceledByFailure is the error of a peer that was stopped because
// another peer failed first (CompileOptions.KeepGoing unset).
var ErrCanceledByFailure = errors.New("canceled: another peer failed")

// A PeerError reports a peer that could not be compiled.
type PeerError struct {
	Peer string
	Err  error
}

func (e *PeerError) Error() string { return "peer " + strconv.Quote(e.Peer) + ": " + e.Err.Error() }
func (e *PeerError) Unwrap() error { return e.Err }

// FailedPeers returns the names of the peers err reports as failed.
func FailedPeers(err error) []string {
	var out []string
	var walk func(error)
	walk = func(err error) {
		var pe *PeerError
		if errors.As(err, &pe) && err == error(pe) {
			out = append(out, pe.Peer)
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
		}
	}
	walk(err)
	return out
}

// Compile expands the policy's peers into filters. Peers compile
// concurrently; an expansion shared by several peers (the same AS-SET)
// runs once. A peer whose data cannot be obtained fails the compile with a
// *PeerError naming it; the errors of all failed peers are joined.
func Compile(ctx context.Context, pol *Policy, opts CompileOptions) (*Result, error) {
	if opts.IRR == nil {
		return nil, errors.New("filtergen: no IRR data (CompileOptions.IRR is nil)")
	}
	if pol.needsPopulate() && (!pol.populated || pol.broken) {
		return nil, errors.New("filtergen: the policy has peeringdb or members_from: Populate must succeed before Compile")
	}
	rpol, err := pol.Resolve()
	if err != nil {
		return nil, err
	}
	if (pol.RPKI.VRPs != "" || pol.RPKI.RTR != "") && opts.RPKI == nil {
		return nil, errors.New("filtergen: the policy names RPKI data but none was given")
	}
	if opts.Parallel <= 0 {
		opts.Parallel = 8
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	res := &Result{LocalAS: uint32(pol.LocalAS), Routers: pol.Routers, RTR: rpol.RTR}
	var staleErr error
	if opts.RPKI != nil {
		res.RPKI = &RPKIInfo{Updated: opts.RPKI.Updated().UTC()}
		if l, ok := opts.RPKI.(interface{ Len() int }); ok {
			res.RPKI.VRPs = l.Len()
		}
		if max := rpol.MaxAge; max >= 0 {
			if err := rpki.CheckAge(opts.RPKI.Updated(), opts.Now(), max); err != nil {
				staleErr = fmt.Errorf("RPKI %w", err)
			}
		}
	}
	if err := res.addASPA(pol, opts.RPKI, staleErr); err != nil {
		return nil, err
	}
	peers := rpol.Peers
	if len(opts.Routers) > 0 {
		var sel []Router
		for _, name := range opts.Routers {
			i := slices.IndexFunc(pol.Routers, func(r Router) bool { return strings.EqualFold(r.Name, name) })
			if i < 0 {
				return nil, fmt.Errorf("filtergen: no router %s in the policy", strconv.Quote(name))
			}
			if !slices.ContainsFunc(sel, func(r Router) bool { return r.Name == pol.Routers[i].Name }) {
				sel = append(sel, pol.Routers[i])
			}
		}
		res.Routers = sel
		var on []*ResolvedPeer
		for _, p := range peers {
			if slices.ContainsFunc(p.Settings.Routers, func(r string) bool {
				return slices.ContainsFunc(sel, func(x Router) bool { return strings.EqualFold(x.Name, r) })
			}) {
				on = append(on, p)
			}
		}
		peers = on
	}
	if len(opts.Peers) > 0 {
		var sel []*ResolvedPeer
		for _, name := range opts.Peers {
			p := rpol.Peer(name)
			if p == nil {
				return nil, fmt.Errorf("filtergen: no peer %s in the policy", strconv.Quote(name))
			}
			sel = append(sel, p)
		}
		peers = sel
	}
	c := &compiler{pol: pol, opts: opts, stale: staleErr, uses: routeUses(peers)}
	if len(rpol.Originate) > 0 {
		own, err := c.own(ctx, rpol.Originate)
		if err != nil {
			return nil, fmt.Errorf("originate: %w", err)
		}
		res.Own = own
	}
	results := make([]*PeerResult, len(peers))
	errs := make([]error, len(peers))
	// Without KeepGoing the first failure cancels the other peers: their
	// results would be thrown away, and a stalling source must not hold
	// the compile for every remaining peer.
	pctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var g errgroup.Group
	g.SetLimit(opts.Parallel)
	var done atomic.Int64
	for i := range peers {
		g.Go(func() error {
			if err := pctx.Err(); err != nil {
				errs[i] = &PeerError{Peer: peers[i].Name, Err: context.Cause(pctx)}
				return nil
			}
			pr, err := c.peer(pctx, peers[i])
			if err == nil && opts.OnPeer != nil {
				err = opts.OnPeer(pctx, res, pr)
			}
			if err != nil {
				if cause := context.Cause(pctx); pctx.Err() != nil && ctx.Err() == nil && errors.Is(cause, ErrCanceledByFailure) {
					err = cause // a casualty of another peer's failure
				}
				errs[i] = &PeerError{Peer: peers[i].Name, Err: err}
				if !opts.KeepGoing {
					cancel(ErrCanceledByFailure)
				}
			} else {
				if opts.PeerDone != nil {
					opts.PeerDone(pr)
				}
				results[i] = pr
			}
			if opts.Progress != nil {
				opts.Progress(int(done.Add(1)), len(peers), peers[i].Name)
			}
			return nil
		})
	}
	_ = g.Wait() // the goroutines report through errs
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Peers canceled by another's failure are counted, not listed: the
	// failure that stopped them is the news.
	var real []error
	canceled := 0
	for _, e := range errs {
		switch {
		case e == nil:
		case errors.Is(e, ErrCanceledByFailure):
			canceled++
		default:
			real = append(real, e)
		}
	}
	if canceled > 0 {
		real = append(real, fmt.Errorf("%d other peer(s) %w", canceled, ErrCanceledByFailure))
	}
	err = errors.Join(real...)
	for _, pr := range results {
		if pr != nil {
			res.Peers = append(res.Peers, pr)
		}
	}
	if err != nil && !opts.KeepGoing {
		return nil, err
	}
	return res, err
}

type compiler struct {
	pol   *Policy
	opts  CompileOptions
	stale error
	cache sync.Map // cacheKey -> *cacheEntry

	// Route lists are the bulk of the cache: a whole table for a transit
	// member. uses counts, per announce item and family, the route
	// lookups the peers will make; an entry's refs holds the uses of
	// every item bound to it, and the entry leaves the cache when they
	// are all done.
	mu    sync.Mutex
	uses  map[useKey]int
	bound map[useKey]*cacheEntry
}

// useKey names an announce item (an AS-SET or an ASN) in one family.
type useKey struct {
	set string
	asn uint32
	fam irr.Family
}

type cacheKey struct {
	kind   uint8 // 1 ASNs, 2 prefixes, 3 routes
	object string
	fam    irr.Family
}

type cacheEntry struct {
	once   sync.Once
	asns   []uint32
	ranges []PrefixRange
	routes []irr.Route
	report *irr.Report
	tree   *SetTree // kind 1, AS-SETs: the report as a tree
	err    error
	key    cacheKey // kind 3: the key it is cached under
	refs   int      // kind 3: route lookups not yet done; guarded by compiler.mu
	items  []useKey // kind 3: the announce items bound to it; guarded by compiler.mu
}

// shared runs fn once per key, however many peers ask.
func (c *compiler) shared(k cacheKey, fn func(e *cacheEntry)) *cacheEntry {
	v, _ := c.cache.LoadOrStore(k, &cacheEntry{})
	e := v.(*cacheEntry)
	e.once.Do(func() { fn(e) })
	return e
}

// routeUses counts the route lookups the peers will make, per announce
// item and family: one per AS-SET or ASN item in each of the peer's
// families (see compiler.peer).
func routeUses(peers []*ResolvedPeer) map[useKey]int {
	uses := map[useKey]int{}
	for _, p := range peers {
		for _, it := range p.Items {
			if it.Kind != KindASN && it.Kind != KindASSet {
				continue
			}
			for _, f := range p.Settings.Families {
				uses[itemUse(it, f)]++
			}
		}
	}
	return uses
}

func itemUse(it AnnounceItem, fam irr.Family) useKey {
	if it.Kind == KindASN {
		return useKey{asn: it.ASN, fam: fam}
	}
	return useKey{set: it.Name, fam: fam}
}

// routes returns the route objects of asns, the cone of announce item u,
// looked up once per distinct ASN list: different AS-SETs often reach the
// same cone (a set that includes its upstream's set reaches the whole
// table). The caller calls done with the entry when it no longer reads
// its routes.
func (c *compiler) routes(ctx context.Context, u useKey, asns []uint32, fam irr.Family) *cacheEntry {
	h := fnv.New64a()
	var b [4]byte
	for _, n := range asns {
		binary.BigEndian.PutUint32(b[:], n)
		h.Write(b[:])
	}
	key := cacheKey{3, strconv.FormatUint(h.Sum64(), 16) + "/" + strconv.Itoa(len(asns)), fam}
	c.mu.Lock()
	e, ok := c.bound[u]
	if !ok {
		v, _ := c.cache.LoadOrStore(key, &cacheEntry{key: key})
		e = v.(*cacheEntry)
		if c.bound == nil {
			c.bound = map[useKey]*cacheEntry{}
		}
		c.bound[u] = e
		e.items = append(e.items, u)
		e.refs += max(c.uses[u], 1)
	}
	c.mu.Unlock()
	e.once.Do(func() {
		e.asns = asns
		e.routes, e.err = c.opts.IRR.Routes(ctx, asns, fam, c.expandOpts())
	})
	if !slices.Equal(e.asns, asns) { // a hash collision: do not share
		c.done(e)
		e = &cacheEntry{}
		e.routes, e.err = c.opts.IRR.Routes(ctx, asns, fam, c.expandOpts())
	}
	return e
}

// done records that one route lookup is over with e, and drops e from the
// cache after the last one, so that its route list can be freed while
// other peers still compile.
func (c *compiler) done(e *cacheEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.refs == 0 { // not a cached entry
		return
	}
	if e.refs--; e.refs == 0 {
		c.cache.CompareAndDelete(e.key, e)
		for _, u := range e.items {
			delete(c.bound, u)
		}
	}
}

func (c *compiler) expandOpts() *irr.ExpandOptions {
	return &irr.ExpandOptions{Sources: c.pol.IRR.Sources, RouteSources: c.pol.IRR.RouteSources}
}

func (c *compiler) peer(ctx context.Context, p *ResolvedPeer) (*PeerResult, error) {
	s := p.Settings
	usesRPKI := c.opts.RPKI != nil && len(p.Items) > 0 && (s.DropRPKIInvalid || s.RPKIAcceptValid || s.RPKITightenMaxLength)
	if usesRPKI && c.stale != nil {
		return nil, c.stale
	}
	customer := p.Role == RoleCustomer
	pr := &PeerResult{
		Name: p.Name, Description: p.Description, ASN: p.ASN, Customer: customer, Role: p.Role,
		Routers: s.Routers, Neighbors: p.Neighbors, Attachments: p.Attachments, Settings: s,
		Import: p.Import, Export: p.Export, Session: p.Session,
	}
	pr.Warnings = append(pr.Warnings, c.pol.peerWarnings[p.Name]...)
	if p.Password != nil {
		pw, err := readPassword(c.pol.Dir, p.Password)
		if err != nil {
			return nil, err
		}
		pr.Session.Password = pw
	}
	// 1. The cone: ASNs of AS-SETs and ASN items, with the chain to each.
	type coneASN struct {
		chain  []string
		via    string
		routed bool // a route object of one of the peer's families was seen
	}
	cone := map[uint32]*coneASN{}
	pr.Expansion = &Expansion{}
	items := p.Items
	for _, it := range items {
		switch it.Kind {
		case KindRouteSet, KindPrefix:
			// Route-set members and literal prefixes have no route
			// object naming an origin: the peer originates them, so the
			// origin check still has an AS to check (literal prefixes are
			// validated with the peer's AS as origin).
			if _, ok := cone[p.ASN]; !ok {
				// Not looked up for route objects: not "without routes".
				cone[p.ASN] = &coneASN{via: it.Name, routed: true}
			}
		case KindASN:
			if _, ok := cone[it.ASN]; !ok {
				cone[it.ASN] = &coneASN{chain: nil, via: it.Name}
			}
		case KindASSet:
			e := c.shared(cacheKey{1, it.Name, 0}, func(e *cacheEntry) {
				e.asns, e.report, e.err = c.opts.IRR.ExpandASNs(ctx, it.Name, c.expandOpts())
				if e.err == nil {
					e.tree = newSetTree(it.Name, e.report)
				}
			})
			if e.err != nil {
				return nil, fmt.Errorf("expand %s: %w", it.Name, e.err)
			}
			pr.Expansion.Sets = append(pr.Expansion.Sets, e.tree)
			if err := c.missing(pr, &s, it.Name, e.report); err != nil {
				return nil, err
			}
			// A chain depends only on the set that lists the ASN, so the
			// ASNs of one set share one slice.
			chains := map[string][]string{}
			for _, n := range e.asns {
				if _, ok := cone[n]; !ok {
					var chain []string
					if set, ok := e.report.ASNParent[n]; ok {
						chain, ok = chains[set]
						if !ok {
							chain = e.report.SetChain(set)
							chains[set] = chain
						}
					}
					cone[n] = &coneASN{chain: chain, via: it.Name}
				}
			}
		}
	}
	var originASNs []uint32
	for n, ca := range cone {
		if s.DropBogonASNs && IsBogonASN(n) {
			pr.DroppedASNs = append(pr.DroppedASNs, DroppedASN{ASN: n, Reason: DropBogonOrigin, Chain: ca.chain})
			continue
		}
		originASNs = append(originASNs, n)
	}
	slices.Sort(originASNs)
	slices.SortFunc(pr.DroppedASNs, func(a, b DroppedASN) int { return cmp.Compare(a.ASN, b.ASN) })
	pr.ASNs = originASNs
	coneSet := map[uint32]bool{p.ASN: true}
	for n := range cone {
		coneSet[n] = true
	}
	if aspa, ok := c.opts.RPKI.(ASPAProviders); ok {
		pr.Expansion.ASPA = checkASPA(aspa, originASNs, pr.ASN, coneSet, func(n uint32) []string { return cone[n].chain })
	}

	var aclBase [2][]netip.Prefix // per family: accepted prefixes (and fe80::/10), without session addresses
	for _, fam := range s.Families {
		fi := 0
		if fam == irr.IPv6 {
			fi = 1
		}
		fr := &FamilyResult{Family: fam}
		if customer {
			fr.URPF = s.URPF
		}
		check := func(pv Provenance) {
			if reason := c.dropReason(&pv, &s, fi, pr.ASN, coneSet); reason != "" {
				fr.Dropped = append(fr.Dropped, Dropped{Provenance: pv, Reason: reason})
				return
			}
			fr.Accepted = append(fr.Accepted, Accepted{Provenance: pv})
		}
		// 2. Candidates, checked as they stream in: route objects of the
		// cone, route-set members, literal prefixes.
		for _, it := range items {
			switch it.Kind {
			case KindASN, KindASSet:
				var asns []uint32
				if it.Kind == KindASN {
					asns = []uint32{it.ASN}
				} else {
					asns = c.shared(cacheKey{1, it.Name, 0}, nil).asns
				}
				e := c.routes(ctx, itemUse(it, fam), asns, fam)
				if e.err != nil {
					c.done(e)
					return nil, fmt.Errorf("route objects of %s: %w", it.Name, e.err)
				}
				fr.Accepted = slices.Grow(fr.Accepted, len(e.routes))
				asnChain := []string{it.Name}
				if it.Kind == KindASN && len(e.routes) > 0 {
					cone[it.ASN].routed = true
				}
				for _, r := range e.routes {
					chain := asnChain
					if it.Kind != KindASN {
						if ca := cone[r.Origin]; ca != nil {
							chain = ca.chain
							ca.routed = true
						}
					}
					check(Provenance{Range: irr.ExactRange(r.Prefix.Masked()), Origin: r.Origin, Source: r.Source, Chain: chain})
				}
				c.done(e)
			case KindRouteSet:
				e := c.shared(cacheKey{2, it.Name, fam}, func(e *cacheEntry) {
					e.ranges, e.report, e.err = c.opts.IRR.ExpandPrefixes(ctx, it.Name, fam, c.expandOpts())
				})
				if e.err != nil {
					return nil, fmt.Errorf("expand %s: %w", it.Name, e.err)
				}
				if err := c.missing(pr, &s, it.Name, e.report); err != nil {
					return nil, err
				}
				src := e.report.Sets[it.Name]
				chain := []string{it.Name}
				for _, r := range e.ranges {
					check(Provenance{Range: r, Source: src, Chain: chain})
				}
			case KindPrefix:
				if it.Prefix.Family() == fam {
					check(Provenance{Range: it.Prefix, Origin: p.ASN, Source: "policy"})
				}
			}
		}
		// 3. RPKI-valid prefixes of the cone with no route object.
		if s.RPKIAcceptValid && c.opts.RPKI != nil {
			exact := make(map[netip.Prefix]bool, len(fr.Accepted))
			for _, a := range fr.Accepted {
				exact[a.Range.Prefix] = true
			}
			for _, n := range originASNs {
				for _, v := range c.opts.RPKI.VRPs(n, fam) {
					if exact[v.Prefix] {
						continue
					}
					exact[v.Prefix] = true
					check(Provenance{Range: PrefixRange{Prefix: v.Prefix, Min: uint8(v.Prefix.Bits()), Max: v.MaxLen},
						Origin: n, Source: "RPKI", Chain: cone[n].chain})
				}
			}
		}
		sortProv(fr.Accepted, func(a Accepted) Provenance { return a.Provenance })
		sortProv(fr.Dropped, func(d Dropped) Provenance { return d.Provenance })
		ranges := make([]PrefixRange, 0, len(fr.Accepted))
		for i, a := range fr.Accepted {
			if i == 0 || a.Range != fr.Accepted[i-1].Range {
				ranges = append(ranges, a.Range)
			}
		}
		fr.Count = len(ranges)
		if c.opts.NoAcceptedProvenance {
			fr.Accepted = nil
		}
		if s.Aggregate {
			fr.Entries = Aggregate(ranges)
		} else {
			fr.Entries = ranges
		}
		fr.MaxPrefix = maxPrefix(s.MaxPrefix, fi, fr.Count, !p.Import.PrefixFilter)
		if customer && s.IngressACL {
			var ps []netip.Prefix
			for _, r := range ranges {
				ps = append(ps, r.Prefix)
			}
			if fam == irr.IPv6 {
				ps = append(ps, netip.MustParsePrefix("fe80::/10"))
			}
			aclBase[fi] = ps
			fr.ACL = aclUnion(ps, p.Neighbors, fam == irr.IPv4)
		}
		pr.Families = append(pr.Families, fr)
	}
	if pr.Accepted() == 0 && p.Import.PrefixFilter {
		return nil, fmt.Errorf("%w (announce %s)", ErrEmptyFilter, strings.Join(p.Announce, ", "))
	}
	for _, n := range originASNs {
		if ca := cone[n]; !ca.routed {
			pr.Expansion.NoRoutes = append(pr.Expansion.NoRoutes, ConeASN{ASN: n, Chain: ca.chain})
		}
	}
	if customer && (s.IngressACL || s.URPF != "none") {
		pr.AntiSpoofing = c.antiSpoof(pr, &s, aclBase, p.Neighbors)
		// Each router permits only the session addresses it has.
		pr.Attachments = slices.Clone(pr.Attachments)
		for i := range pr.Attachments {
			if a := &pr.Attachments[i]; a.Interface != "" {
				a.AntiSpoofing = c.antiSpoof(pr, &s, aclBase, a.Neighbors)
			}
		}
	}
	c.opts.Logger.Debug("compiled", "peer", p.Name, "accepted", pr.Accepted(), "asns", len(pr.ASNs))
	return pr, nil
}

// missing records the nested sets of root that do not exist as warnings
// of the peer, or fails the peer when its settings say so. A route-set's
// report is seen once per family; a warning is recorded once.
func (c *compiler) missing(pr *PeerResult, s *Settings, root string, rep *irr.Report) error {
	if rep == nil || len(rep.Missing) == 0 {
		return nil
	}
	if s.FailOnMissingSet {
		m := rep.Missing[0]
		more := ""
		if n := len(rep.Missing) - 1; n > 0 {
			more = fmt.Sprintf(" (and %d more)", n)
		}
		return fmt.Errorf("expand %s: %w: %s referenced from %s%s", root, ErrMissingSet,
			strconv.Quote(m.Name), strings.Join(m.Path, " > "), more)
	}
	for _, m := range rep.Missing {
		w := fmt.Sprintf("%s: set %s referenced from %s does not exist",
			root, strconv.Quote(m.Name), strings.Join(m.Path, " > "))
		if !slices.Contains(pr.Warnings, w) {
			pr.Warnings = append(pr.Warnings, w)
		}
	}
	return nil
}

// antiSpoof returns the anti-spoofing of both families of customer pr for
// the session addresses neighbors (see AntiSpoof).
func (c *compiler) antiSpoof(pr *PeerResult, s *Settings, aclBase [2][]netip.Prefix, neighbors []netip.Addr) []AntiSpoof {
	var out []AntiSpoof
	for fi, fam := range []Family{IPv4, IPv6} {
		as := AntiSpoof{Family: fam, URPF: s.URPF, IngressACL: s.IngressACL}
		hasSession := slices.ContainsFunc(neighbors, func(a netip.Addr) bool { return a.Unmap().Is4() == (fi == 0) })
		switch fr := pr.Family(fam); {
		case fr == nil:
			as.DenyAll = true
		case s.IngressACL:
			as.ACL = aclUnion(aclBase[fi], neighbors, fi == 0)
			as.DenyAll = len(as.ACL) == 0
		default:
			as.DenyAll = fr.Count == 0 && !hasSession
		}
		out = append(out, as)
	}
	return out
}

// aclUnion is the CIDR union of base and the host routes of the
// addresses of the family (IPv4 when v4).
func aclUnion(base []netip.Prefix, addrs []netip.Addr, v4 bool) []netip.Prefix {
	ps := slices.Clone(base)
	for _, a := range addrs {
		if a = a.Unmap(); a.Is4() == v4 {
			ps = append(ps, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	return CIDRUnion(ps)
}

// dropReason applies the drop rules to one candidate, records its RPKI
// state and clamps its lengths; it returns the reason to drop it, or "".
func (c *compiler) dropReason(pv *Provenance, s *Settings, fi int, peerASN uint32, cone map[uint32]bool) DropReason {
	r := pv.Range
	var vmax uint8
	if c.opts.RPKI != nil && pv.Origin != 0 {
		var st rpki.State
		st, vmax = c.opts.RPKI.Validate(r.Prefix, pv.Origin)
		pv.RPKI = rpkiStateOf(st)
	}
	if s.DropBogonASNs && pv.Origin != 0 && IsBogonASN(pv.Origin) {
		return DropBogonOrigin
	}
	if s.DropBogons && IsBogonPrefix(r.Prefix) {
		return DropBogon
	}
	minL, maxL := s.MinLength[fi], s.MaxLength[fi]
	if r.Prefix.Bits() > maxL {
		return DropTooLong
	}
	if int(r.Max) < minL {
		return DropTooShort
	}
	if c.opts.RPKI != nil && pv.Origin != 0 {
		st := pv.RPKI
		if st == RPKIInvalid && s.DropRPKIInvalid {
			return DropRPKIInvalid
		}
		if st == RPKIValid && s.RPKITightenMaxLength && r.Max > vmax {
			r.Max = max(vmax, r.Min)
		}
		if aspa, ok := c.opts.RPKI.(ASPAProviders); ok && pv.Origin != peerASN {
			if provs, has := aspa.Providers(pv.Origin); has {
				down := false
				for _, pp := range provs {
					down = down || cone[pp]
				}
				if !down {
					return DropASPA
				}
			}
		}
	}
	// Clamp the lengths into the allowed window (protocols.md §6.4).
	r.Min = max(r.Min, uint8(minL))
	r.Max = min(r.Max, uint8(maxL))
	if r.Min > r.Max {
		return DropTooLong
	}
	pv.Range = r
	return ""
}

func sortProv[T any](s []T, get func(T) Provenance) {
	cmpf := func(a, b T) int {
		pa, pb := get(a), get(b)
		if c := compareRange(pa.Range, pb.Range); c != 0 {
			return c
		}
		if c := cmp.Compare(pa.Origin, pb.Origin); c != 0 {
			return c
		}
		return cmp.Compare(pa.Source, pb.Source)
	}
	if !slices.IsSortedFunc(s, cmpf) {
		slices.SortStableFunc(s, cmpf)
	}
}

// ShrinkError reports a peer whose accepted prefix count in one family
// fell by more than the policy allows. It is wrapped in a *PeerError,
// which names the peer.
type ShrinkError struct {
	Peer      string
	Family    Family
	Old, New  int
	Threshold float64
}

func (e *ShrinkError) Error() string {
	return fmt.Sprintf("%s: accepted prefixes fell from %d to %d, more than the shrink guard's %.0f%%",
		e.Family, e.Old, e.New, e.Threshold*100)
}

// CheckShrink returns a *ShrinkError for the first family whose new
// accepted count is more than threshold (a fraction; 0 means
// DefaultShrinkGuard) below its old count. Families are compared apart:
// IPv4 falling from 100 to 0 fails even if IPv6 rose from 0 to 100. A
// family absent from old is new and cannot shrink; one absent from new
// has fallen to 0.
func CheckShrink(peer string, old, new map[Family]int, threshold float64) error {
	if threshold <= 0 || math.IsNaN(threshold) {
		threshold = DefaultShrinkGuard
	}
	fams := slices.Sorted(maps.Keys(old))
	for _, f := range fams {
		o, n := old[f], new[f]
		if o > 0 && float64(o-n) > threshold*float64(o) {
			return &ShrinkError{Peer: peer, Family: f, Old: o, New: n, Threshold: threshold}
		}
	}
	return nil
}

// Counts returns the accepted prefix count per family: the new side of
// the shrink guard.
func (p *PeerResult) Counts() map[Family]int {
	m := make(map[Family]int, len(p.Families))
	for _, f := range p.Families {
		m[f.Family] = f.Count
	}
	return m
}

// maxPrefix returns the max-prefix limit of family fi (0 IPv4, 1 IPv6)
// for count accepted prefixes; fullTable for a provider without a prefix
// filter. The limit is never 0, which some platforms read as no limit.
func maxPrefix(m MaxPrefix, fi, count int, fullTable bool) int {
	fam := [2]int{m.IPv4, m.IPv6}[fi]
	switch {
	case fam > 0:
		return fam
	case m.Limit > 0:
		return m.Limit
	case fullTable:
		return [2]int{DefaultFullTableV4, DefaultFullTableV6}[fi]
	}
	return max(1, m.Minimum, int(math.Ceil(float64(count)*(1+m.Headroom))))
}

// own expands our own space (Policy.Originate) into Result.Own, both
// families, aggregated.
func (c *compiler) own(ctx context.Context, items []AnnounceItem) ([]OwnFamily, error) {
	var out []OwnFamily
	for _, fam := range []irr.Family{irr.IPv4, irr.IPv6} {
		var ranges []PrefixRange
		for _, it := range items {
			switch it.Kind {
			case KindPrefix:
				if it.Prefix.Family() == fam {
					ranges = append(ranges, it.Prefix)
				}
			case KindRouteSet:
				rs, _, err := c.opts.IRR.ExpandPrefixes(ctx, it.Name, fam, c.expandOpts())
				if err != nil {
					return nil, fmt.Errorf("expand %s: %w", it.Name, err)
				}
				ranges = append(ranges, rs...)
			case KindASN, KindASSet:
				asns := []uint32{it.ASN}
				if it.Kind == KindASSet {
					var err error
					asns, _, err = c.opts.IRR.ExpandASNs(ctx, it.Name, c.expandOpts())
					if err != nil {
						return nil, fmt.Errorf("expand %s: %w", it.Name, err)
					}
				}
				routes, err := c.opts.IRR.Routes(ctx, asns, fam, c.expandOpts())
				if err != nil {
					return nil, fmt.Errorf("route objects of %s: %w", it.Name, err)
				}
				for _, r := range routes {
					ranges = append(ranges, irr.ExactRange(r.Prefix.Masked()))
				}
			}
		}
		slices.SortFunc(ranges, compareRange)
		ranges = slices.Compact(ranges)
		out = append(out, OwnFamily{Family: fam, Entries: ranges})
	}
	return out, nil
}

// addASPA fills res.ASPA when a router is given the ASPA records in its
// configuration (platform.FeatureASPASet), from the RPKI data, which must
// hold some and be fresh: an empty or stale aspa-set would verify nothing
// while the policy asks for verification.
func (res *Result) addASPA(pol *Policy, data RPKI, stale error) error {
	var need []string
	for _, r := range pol.Routers {
		if pl, ok := platform.Lookup(r.Platform); ok && r.ASPA && pl.ASPAFeature() == platform.FeatureASPASet {
			need = append(need, r.Name)
		}
	}
	if len(need) == 0 {
		return nil
	}
	who := "router " + strings.Join(need, ", ")
	recs, ok := data.(ASPARecords)
	switch {
	case data == nil:
		return fmt.Errorf("filtergen: %s: aspa needs RPKI data with ASPA records (rpki.vrps or rpki.rtr)", who)
	case !ok:
		return fmt.Errorf("filtergen: %s: aspa: the RPKI data cannot list its ASPA records", who)
	case stale != nil:
		return fmt.Errorf("filtergen: %s: aspa: %w", who, stale)
	}
	res.ASPA = recs.ASPARecords()
	if len(res.ASPA) == 0 {
		return fmt.Errorf("filtergen: %s: aspa: the RPKI data has no ASPA records (rpki-client JSON has them in \"aspas\"; Routinator CSV and RTR version 1 have none)", who)
	}
	return nil
}
