package report

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/filtergen/filtergen/filtergen"
)

// Options tune Build.
type Options struct {
	// Now returns the report's time; default time.Now. Tests inject it
	// so that golden files are stable.
	Now func() time.Time
	// Previous is the latest earlier report (see LoadLatest), nil for
	// none: the new report is compared with it, and continues its
	// history.
	Previous *Report
	// CompileErr is the error Compile returned with the Result when
	// compiling with KeepGoing: the peers it names as failed are listed
	// in Report.Failed.
	CompileErr error
}

// MaxHistory is the number of earlier reports a report's history keeps
// at most.
const MaxHistory = 30

// ErrNoProvenance reports a Result compiled without the provenance of
// accepted prefixes, from which no report can be made.
var ErrNoProvenance = errors.New("report: the result has no provenance of accepted prefixes (compiled with NoAcceptedProvenance)")

// Authoritative reports whether route objects of the registry source
// count as authoritative: those of the five RIRs (RIPE, ARIN, APNIC,
// LACNIC, AFRINIC), whose databases hold only objects for address space
// the RIR itself manages. Every other source is not: RADB, ALTDB, the
// operators' registries, and the RIRs' NONAUTH databases (RIPE-NONAUTH,
// ARIN-NONAUTH), which hold objects for space the RIR does not manage.
func Authoritative(source string) bool {
	switch strings.ToUpper(source) {
	case "RIPE", "ARIN", "APNIC", "LACNIC", "AFRINIC":
		return true
	}
	return false
}

// Build makes the report of res.
func Build(res *filtergen.Result, opts Options) (*Report, error) {
	return build(res, opts, nil)
}

// A Collector makes the per-neighbor part of a report while Compile runs,
// so that the provenance of accepted prefixes, which the report reads
// once, is never held for every peer at once (a full table's is about
// 100 bytes per prefix):
//
//	var col report.Collector
//	opts.PeerDone = col.Peer
//	res, err := filtergen.Compile(ctx, pol, opts)
//	rep, err := col.Build(res, report.Options{CompileErr: err})
//
// The zero value is ready to use. Peer drops each peer's
// FamilyResult.Accepted after reading it, so res cannot Explain an
// accepted prefix afterwards.
type Collector struct {
	mu   sync.Mutex
	done map[*filtergen.PeerResult]Neighbor
	err  error
}

// Peer summarises one compiled peer and drops the provenance of its
// accepted prefixes. It is safe for concurrent use, as
// CompileOptions.PeerDone needs.
func (c *Collector) Peer(p *filtergen.PeerResult) {
	n, err := neighbor(p)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		if c.err == nil {
			c.err = err
		}
		return
	}
	if c.done == nil {
		c.done = map[*filtergen.PeerResult]Neighbor{}
	}
	c.done[p] = n
	for _, f := range p.Families {
		f.Accepted = nil
	}
}

// Build makes the report of res, whose peers went through Peer.
func (c *Collector) Build(res *filtergen.Result, opts Options) (*Report, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return nil, c.err
	}
	return build(res, opts, c.done)
}

func build(res *filtergen.Result, opts Options, pre map[*filtergen.PeerResult]Neighbor) (*Report, error) {
	if res == nil {
		return nil, errors.New("report: nil result")
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	r := &Report{
		SchemaVersion: SchemaVersion,
		GeneratedAt:   now().UTC().Truncate(time.Second),
		LocalAS:       res.LocalAS,
		Neighbors:     []Neighbor{},
		Failed:        []Failure{},
		Routers:       []Router{},
	}
	if res.RPKI != nil {
		r.RPKI = &RPKIData{VRPs: res.RPKI.VRPs}
		if !res.RPKI.Updated.IsZero() {
			u := res.RPKI.Updated.UTC()
			r.RPKI.Updated = &u
		}
	}
	for _, p := range res.Peers {
		n, ok := pre[p]
		if !ok {
			var err error
			if n, err = neighbor(p); err != nil {
				return nil, err
			}
		}
		n.Grades = grades(&n, p, res.RPKI != nil)
		r.Neighbors = append(r.Neighbors, n)
	}
	r.Failed = failures(opts.CompileErr)
	r.Summary = summarize(r.Neighbors)
	r.Summary.Failed = len(r.Failed)
	r.Routers = routers(res)
	if prev := opts.Previous; prev != nil {
		r.Changes = compare(prev, r)
		// The previous report's history ends with itself; a report
		// from before there was one has none.
		r.History = slices.Clone(prev.History)
		if len(r.History) == 0 {
			r.History = []HistoryPoint{point(prev)}
		}
		if len(r.History) > MaxHistory {
			r.History = r.History[len(r.History)-MaxHistory:]
		}
		r.History = append(r.History, point(r))
	}
	if r.History == nil {
		r.History = []HistoryPoint{}
	}
	return r, nil
}

// neighbor summarises p; the grades come later, with the Result.
func neighbor(p *filtergen.PeerResult) (Neighbor, error) {
	n := Neighbor{
		Name: p.Name, Description: p.Description, ASN: p.ASN, Role: "peer",
		Routers: nonNil(p.Routers), ConeASNs: len(p.ASNs),
		Families: []Family{}, ASSets: []ASSet{}, NoRoutes: []ConeASN{},
		Warnings: nonNil(p.Warnings),
	}
	switch {
	case p.Role != "":
		n.Role = string(p.Role)
	case p.Customer:
		n.Role = string(filtergen.RoleCustomer)
	}
	sources := map[string]int{}
	for _, fr := range p.Families {
		if fr.Count > 0 && len(fr.Accepted) == 0 {
			return n, fmt.Errorf("%w: peer %s", ErrNoProvenance, strconv.Quote(p.Name))
		}
		n.Families = append(n.Families, family(fr, isCustomer(p), sources))
	}
	for src, c := range sources {
		n.Sources = append(n.Sources, SourceCount{Source: src, RouteObjects: c, Authoritative: Authoritative(src)})
		n.RouteObjects += c
		if !Authoritative(src) {
			n.NonAuthoritative += c
		}
	}
	slices.SortFunc(n.Sources, func(a, b SourceCount) int {
		if c := cmp.Compare(b.RouteObjects, a.RouteObjects); c != 0 {
			return c
		}
		return cmp.Compare(a.Source, b.Source)
	})
	n.Sources = nonNil(n.Sources)
	n.NonAuthoritativePercent = percent(n.NonAuthoritative, n.RouteObjects)
	if x := p.Expansion; x != nil {
		for _, t := range x.Sets {
			n.ASSets = append(n.ASSets, asSet(t))
		}
		for _, c := range x.NoRoutes {
			n.NoRoutes = append(n.NoRoutes, ConeASN{ASN: c.ASN, Chain: c.Chain})
		}
		if x.ASPA != nil {
			a := &ASPA{Origins: x.ASPA.Origins, NotInCone: []ASPAOrigin{}}
			for _, o := range x.ASPA.NotInCone {
				a.NotInCone = append(a.NotInCone, ASPAOrigin{ASN: o.ASN, Providers: nonNil(o.Providers), Chain: o.Chain})
			}
			n.ASPA = a
		}
	}
	return n, nil
}

func asSet(t *filtergen.SetTree) ASSet {
	s := ASSet{Root: t.Root, Depth: t.Depth, Sets: []SetNode{}, Missing: []MissingSet{},
		Loops: nonNil(t.Loops), Warnings: nonNil(t.Warnings)}
	for _, sn := range t.Sets {
		s.Sets = append(s.Sets, SetNode{Name: sn.Name, Source: sn.Source, Parent: sn.Parent, Depth: sn.Depth, ASNs: sn.ASNs})
	}
	for _, m := range t.Missing {
		s.Missing = append(s.Missing, MissingSet{Name: m.Name, Path: nonNil(m.Path)})
	}
	return s
}

// isRouteObject reports whether a candidate came from a route object:
// it has an origin and a registry source (not a literal prefix of the
// policy nor a VRP).
func isRouteObject(pv *filtergen.Provenance) bool {
	return pv.Origin != 0 && pv.Source != "policy" && pv.Source != "RPKI"
}

func family(fr *filtergen.FamilyResult, customer bool, sources map[string]int) Family {
	f := Family{
		Family: fr.Family, Candidates: len(fr.Accepted) + len(fr.Dropped),
		Accepted: fr.Count, Dropped: len(fr.Dropped), DropReasons: []ReasonCount{},
		FilterEntries: len(fr.Entries), MaxPrefix: fr.MaxPrefix,
		MaxPrefixUsedPercent: percent(fr.Count, fr.MaxPrefix),
		SpaceUnit:            "addresses", Invalids: []Invalid{},
	}
	if fr.Family == filtergen.IPv6 {
		f.SpaceUnit = "/64s"
	}
	if customer {
		f.URPF = fr.URPF
		f.ACLEntries = len(fr.ACL)
	}
	reasons := map[filtergen.DropReason]int{}
	// One pass over the candidates in prefix order, the two sorted lists
	// merged: candidates of one prefix are adjacent, so a (prefix,
	// origin) pair is counted once with the origins of the current
	// prefix alone, and the space walks need no copy of the list.
	var cover, union spaceWalk
	var cur netip.Prefix
	var origins []uint32 // origins seen for cur
	add := func(pv *filtergen.Provenance, acc bool, reason filtergen.DropReason) {
		if isRouteObject(pv) {
			sources[pv.Source]++
		}
		if reason == filtergen.DropBogon || reason == filtergen.DropBogonOrigin {
			return // never routable: not part of the coverage
		}
		p := pv.Range.Prefix
		cover.add(p, pv.RPKI)
		if acc {
			union.add(p, filtergen.RPKIValid)
		}
		if p != cur {
			cur, origins = p, origins[:0]
		}
		if slices.Contains(origins, pv.Origin) {
			return
		}
		origins = append(origins, pv.Origin)
		c := &f.RPKI
		switch pv.RPKI {
		case filtergen.RPKIValid:
			c.Valid++
		case filtergen.RPKIInvalid:
			c.Invalid++
			f.Invalids = append(f.Invalids, Invalid{Prefix: p.String(), Origin: pv.Origin,
				Source: pv.Source, Chain: pv.Chain, Accepted: acc})
		case filtergen.RPKINotFound:
			c.NotFound++
		default:
			c.Unchecked++
		}
	}
	i, j := 0, 0
	for i < len(fr.Accepted) || j < len(fr.Dropped) {
		if j == len(fr.Dropped) || i < len(fr.Accepted) && comparePrefix(fr.Accepted[i].Range.Prefix, fr.Dropped[j].Range.Prefix) <= 0 {
			add(&fr.Accepted[i].Provenance, true, "")
			i++
			continue
		}
		d := &fr.Dropped[j]
		reasons[d.Reason]++
		add(&d.Provenance, false, d.Reason)
		j++
	}
	for reason, c := range reasons {
		f.DropReasons = append(f.DropReasons, ReasonCount{Reason: string(reason), Count: c})
	}
	slices.SortFunc(f.DropReasons, func(a, b ReasonCount) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.Reason, b.Reason)
	})
	cover.finish()
	union.finish()
	f.Registered = cover.distinct
	sp := &cover.space
	f.RPKI.ValidSpace, f.RPKI.InvalidSpace = sp[filtergen.RPKIValid], sp[filtergen.RPKIInvalid]
	f.RPKI.NotFoundSpace, f.RPKI.UncheckedSpace = sp[filtergen.RPKINotFound], sp[filtergen.RPKIUnchecked]
	f.RPKI.ValidPercent = percent(f.RPKI.Valid, f.RPKI.Valid+f.RPKI.Invalid+f.RPKI.NotFound+f.RPKI.Unchecked)
	tot := sat(sat(f.RPKI.ValidSpace, f.RPKI.InvalidSpace), sat(f.RPKI.NotFoundSpace, f.RPKI.UncheckedSpace))
	f.RPKI.ValidSpacePercent = percentU(f.RPKI.ValidSpace, tot)
	// Every accepted prefix went in as valid: its space is the union.
	f.AcceptedSpace = union.space[filtergen.RPKIValid]
	return f
}

func comparePrefix(a, b netip.Prefix) int {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c
	}
	return cmp.Compare(a.Bits(), b.Bits())
}

// size returns the space of p in its family's unit: addresses for IPv4,
// /64s for IPv6 (longer prefixes count nothing; ::/0 saturates).
func size(p netip.Prefix) uint64 {
	b := p.Bits()
	if p.Addr().Is4() {
		return 1 << (32 - b)
	}
	switch {
	case b > 64:
		return 0
	case b == 0:
		return math.MaxUint64
	}
	return 1 << (64 - b)
}

// stateRank orders states for a prefix with several origins: the best
// one counts.
func stateRank(s filtergen.RPKIState) int {
	switch s {
	case filtergen.RPKIValid:
		return 3
	case filtergen.RPKINotFound:
		return 2
	case filtergen.RPKIInvalid:
		return 1
	}
	return 0
}

// A spaceWalk takes prefixes in order (address, then length) and
// attributes every address to the most specific prefix that covers it,
// under that prefix's best state. Prefixes out of order are a
// programmer's error: the Result's lists are sorted.
type spaceWalk struct {
	space    [4]uint64 // by RPKIState
	distinct int
	pending  bool
	p        netip.Prefix
	st       filtergen.RPKIState
	stack    []openPrefix
}

type openPrefix struct {
	p     netip.Prefix
	state filtergen.RPKIState
	own   uint64 // space not covered by a more specific prefix
}

func (w *spaceWalk) add(p netip.Prefix, st filtergen.RPKIState) {
	if w.pending && p == w.p {
		if stateRank(st) > stateRank(w.st) {
			w.st = st
		}
		return
	}
	w.flushPending()
	w.pending, w.p, w.st = true, p, st
}

// flushPending opens the pending prefix, its states merged.
func (w *spaceWalk) flushPending() {
	if !w.pending {
		return
	}
	w.pending = false
	p := w.p
	w.distinct++
	for len(w.stack) > 0 && !w.stack[len(w.stack)-1].p.Contains(p.Addr()) {
		w.close()
	}
	sz := size(p)
	if len(w.stack) > 0 {
		top := &w.stack[len(w.stack)-1]
		top.own -= min(top.own, sz)
	}
	w.stack = append(w.stack, openPrefix{p, w.st, sz})
}

func (w *spaceWalk) close() {
	o := w.stack[len(w.stack)-1]
	w.stack = w.stack[:len(w.stack)-1]
	w.space[o.state] = sat(w.space[o.state], o.own)
}

func (w *spaceWalk) finish() {
	w.flushPending()
	for len(w.stack) > 0 {
		w.close()
	}
}

func sat(a, b uint64) uint64 {
	s, c := bits.Add64(a, b, 0)
	if c != 0 {
		return math.MaxUint64
	}
	return s
}

// percent returns 100*a/b rounded to one decimal; 0 when b is 0.
func percent(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return math.Round(1000*float64(a)/float64(b)) / 10
}

func percentU(a, b uint64) float64 {
	if b == 0 {
		return 0
	}
	return math.Round(1000*float64(a)/float64(b)) / 10
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func summarize(ns []Neighbor) Summary {
	s := Summary{Neighbors: len(ns), Grades: []GradeCount{}}
	idx := map[string]int{}
	for _, n := range ns {
		for _, f := range n.Families {
			s.Accepted += f.Accepted
			s.Dropped += f.Dropped
			s.Invalid += f.RPKI.Invalid
		}
		for _, g := range n.Grades {
			i, ok := idx[g.Action]
			if !ok {
				i = len(s.Grades)
				idx[g.Action] = i
				s.Grades = append(s.Grades, GradeCount{Action: g.Action})
			}
			gc := &s.Grades[i]
			switch g.Grade {
			case GradeReady:
				gc.Ready++
			case GradePartial:
				gc.Partial++
			case GradeNotReady:
				gc.NotReady++
			default:
				gc.NA++
			}
		}
	}
	return s
}

// failures lists the peers err reports as failed, in the order of err.
func failures(err error) []Failure {
	out := []Failure{}
	var walk func(error)
	walk = func(err error) {
		if pe, ok := err.(*filtergen.PeerError); ok {
			out = append(out, Failure{Name: pe.Peer, Error: pe.Err.Error()})
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
		}
	}
	if err != nil {
		walk(err)
	}
	return out
}
