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
	"time"

	"github.com/filtergen/filtergen/filtergen"
)

// Options tune Build.
type Options struct {
	// Now returns the report's time; default time.Now. Tests inject it
	// so that golden files are stable.
	Now func() time.Time
	// Previous holds earlier reports, oldest first (see ReadJSON). The
	// last one is compared with the new report; all of them make the
	// history. At most MaxHistory are used.
	Previous []*Report
	// CompileErr is the error Compile returned with the Result when
	// compiling with KeepGoing: the peers it names as failed are listed
	// in Report.Failed.
	CompileErr error
}

// MaxHistory is the number of earlier reports Build draws at most.
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
		n, err := neighbor(p, res.RPKI != nil)
		if err != nil {
			return nil, err
		}
		r.Neighbors = append(r.Neighbors, n)
	}
	r.Failed = failures(opts.CompileErr)
	r.Summary = summarize(r.Neighbors)
	r.Summary.Failed = len(r.Failed)
	r.Routers = routers(res)
	prev := opts.Previous
	if len(prev) > MaxHistory {
		prev = prev[len(prev)-MaxHistory:]
	}
	if len(prev) > 0 {
		r.Changes = compare(prev[len(prev)-1], r)
		for _, p := range prev {
			r.History = append(r.History, point(p))
		}
		r.History = append(r.History, point(r))
	}
	return r, nil
}

func neighbor(p *filtergen.PeerResult, hasRPKI bool) (Neighbor, error) {
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
	n.Grades = grades(&n, p, hasRPKI)
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

// cand is one candidate for the coverage walk.
type cand struct {
	prefix netip.Prefix
	state  filtergen.RPKIState
}

func family(fr *filtergen.FamilyResult, customer bool, sources map[string]int) Family {
	f := Family{
		Family: fr.Family, Candidates: len(fr.Accepted) + len(fr.Dropped),
		Accepted: fr.Count, Dropped: len(fr.Dropped), DropReasons: []ReasonCount{},
		FilterEntries: len(fr.Entries), MaxPrefix: fr.MaxPrefix,
		MaxPrefixUsedPercent: percent(fr.Count, fr.MaxPrefix),
		SpaceUnit:            "addresses", Invalids: []Invalid{},
	}
	if fr.Family == "ipv6" {
		f.SpaceUnit = "/64s"
	}
	if customer {
		f.URPF = fr.URPF
		f.ACLEntries = len(fr.ACL)
	}
	reasons := map[filtergen.DropReason]int{}
	// Pairs (prefix, origin) counted once per state; candidates merged
	// from the two sorted lists in prefix order for the space walk.
	type po struct {
		p netip.Prefix
		o uint32
	}
	seen := map[po]bool{}
	all := make([]cand, 0, f.Candidates)
	accepted := make([]netip.Prefix, 0, fr.Count)
	add := func(pv *filtergen.Provenance, acc bool, reason filtergen.DropReason) {
		if isRouteObject(pv) {
			sources[pv.Source]++
		}
		if reason == filtergen.DropBogon || reason == filtergen.DropBogonOrigin {
			return // never routable: not part of the coverage
		}
		all = append(all, cand{pv.Range.Prefix, pv.RPKI})
		if acc && (len(accepted) == 0 || accepted[len(accepted)-1] != pv.Range.Prefix) {
			accepted = append(accepted, pv.Range.Prefix)
		}
		k := po{pv.Range.Prefix, pv.Origin}
		if seen[k] {
			return
		}
		seen[k] = true
		c := &f.RPKI
		switch pv.RPKI {
		case filtergen.RPKIValid:
			c.Valid++
		case filtergen.RPKIInvalid:
			c.Invalid++
			f.Invalids = append(f.Invalids, Invalid{Prefix: pv.Range.Prefix.String(), Origin: pv.Origin,
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
	slices.SortFunc(f.Invalids, func(a, b Invalid) int {
		if c := cmp.Compare(a.Prefix, b.Prefix); c != 0 {
			return c
		}
		return cmp.Compare(a.Origin, b.Origin)
	})
	f.Registered, f.RPKI.ValidSpace, f.RPKI.InvalidSpace, f.RPKI.NotFoundSpace, f.RPKI.UncheckedSpace = coverSpace(all)
	f.RPKI.ValidPercent = percent(f.RPKI.Valid, f.RPKI.Valid+f.RPKI.Invalid+f.RPKI.NotFound+f.RPKI.Unchecked)
	tot := f.RPKI.ValidSpace + f.RPKI.InvalidSpace + f.RPKI.NotFoundSpace + f.RPKI.UncheckedSpace
	f.RPKI.ValidSpacePercent = percentU(f.RPKI.ValidSpace, tot)
	f.AcceptedSpace = unionSpace(accepted)
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

// coverSpace walks candidates sorted by prefix and attributes every
// address to the most specific prefix covering it. It returns the number
// of distinct prefixes and the space per state.
func coverSpace(all []cand) (distinct int, valid, invalid, notFound, unchecked uint64) {
	if !slices.IsSortedFunc(all, func(a, b cand) int { return comparePrefix(a.prefix, b.prefix) }) {
		slices.SortStableFunc(all, func(a, b cand) int { return comparePrefix(a.prefix, b.prefix) })
	}
	type open struct {
		p     netip.Prefix
		state filtergen.RPKIState
		own   uint64 // space not covered by a more specific candidate
	}
	var stack []open
	flush := func(o open) {
		switch o.state {
		case filtergen.RPKIValid:
			valid = sat(valid, o.own)
		case filtergen.RPKIInvalid:
			invalid = sat(invalid, o.own)
		case filtergen.RPKINotFound:
			notFound = sat(notFound, o.own)
		default:
			unchecked = sat(unchecked, o.own)
		}
	}
	for k := 0; k < len(all); {
		p, st := all[k].prefix, all[k].state
		for k++; k < len(all) && all[k].prefix == p; k++ {
			if stateRank(all[k].state) > stateRank(st) {
				st = all[k].state
			}
		}
		distinct++
		for len(stack) > 0 && !stack[len(stack)-1].p.Contains(p.Addr()) {
			flush(stack[len(stack)-1])
			stack = stack[:len(stack)-1]
		}
		sz := size(p)
		if len(stack) > 0 {
			top := &stack[len(stack)-1]
			top.own -= min(top.own, sz)
		}
		stack = append(stack, open{p, st, sz})
	}
	for i := len(stack) - 1; i >= 0; i-- {
		flush(stack[i])
	}
	return
}

// unionSpace returns the space covered by ps, sorted by prefix.
func unionSpace(ps []netip.Prefix) uint64 {
	var total uint64
	var last netip.Prefix
	for _, p := range ps {
		if last.IsValid() && last.Contains(p.Addr()) && last.Bits() <= p.Bits() {
			continue
		}
		total = sat(total, size(p))
		last = p
	}
	return total
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
