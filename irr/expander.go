package irr

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strconv"
)

// An Expander resolves RPSL objects into AS numbers and prefixes. The
// in-memory Registry and the IRRd Client both implement it, so code above
// package irr works the same whether data comes from dump files or from a
// server.
//
// Every method returns either a complete answer or an error, never a
// partial result. A root object that does not exist is an error wrapping
// ErrNotFound; nested members that do not exist are listed in the Report.
type Expander interface {
	// ExpandASNs expands an AS-SET (or a single ASN, "AS64500") into the
	// sorted, de-duplicated AS numbers it contains, recursively.
	ExpandASNs(ctx context.Context, object string, opts *ExpandOptions) ([]uint32, *Report, error)

	// ExpandPrefixes expands an AS-SET, ASN or route-set into the sorted,
	// de-duplicated prefix ranges of the given family: for AS-SETs and
	// ASNs the prefixes of the route/route6 objects they originate, for
	// route-sets their members with range operators applied.
	ExpandPrefixes(ctx context.Context, object string, fam Family, opts *ExpandOptions) ([]PrefixRange, *Report, error)

	// Routes returns the route (IPv4) or route6 (IPv6) objects originated
	// by the given ASNs: one Route per (prefix, origin, source), sorted by
	// prefix then origin then source.
	Routes(ctx context.Context, asns []uint32, fam Family, opts *ExpandOptions) ([]Route, error)
}

// A Route is a route or route6 object: a prefix and its origin, with the
// source (registry) it came from. Source is empty when the data came from
// a server that does not say.
type Route struct {
	Prefix netip.Prefix
	Origin uint32
	Source string
}

// ExpandOptions tunes an expansion. The zero value (or nil) expands with
// every source, no depth limit and DefaultLimits.
type ExpandOptions struct {
	// Sources lists the sources to search for sets, in priority order: a
	// set is taken from the first source that has it. Empty means every
	// source, in the order the registry (or server) lists them.
	Sources []string
	// RouteSources lists the sources whose route objects count. Empty
	// means the same as Sources. Route lookups take the union.
	RouteSources []string
	// MaxDepth limits recursion (bgpq4 -L): 1 means only the root set's
	// own members. 0 means no limit.
	MaxDepth int
	// Exclude lists set names and ASNs ("AS-FOO", "AS64500") that are not
	// followed or included anywhere in the tree (bgpq4 EXCEPT).
	Exclude []string
	// Limits caps the expansion. Zero fields take DefaultLimits.
	Limits Limits
}

// Limits caps an expansion so that a looped or huge set fails with
// ErrLimit instead of exhausting memory.
type Limits struct {
	MaxSets     int // sets visited; default 100,000
	MaxASNs     int // distinct ASNs; default 200,000
	MaxPrefixes int // distinct prefixes per family; default 5,000,000
	MaxDepth    int // hard recursion cap independent of MaxDepth; default 64, NoDepthLimit for none
}

// NoDepthLimit, as Limits.MaxDepth, removes the hard recursion cap: loops
// are safe without one and MaxSets still bounds the work. IRRd has no
// such cap, and a Server answers as IRRd does.
const NoDepthLimit = -1

// DefaultLimits are the limits used for zero fields of Limits.
var DefaultLimits = Limits{MaxSets: 100_000, MaxASNs: 200_000, MaxPrefixes: 5_000_000, MaxDepth: 64}

// withDefaults returns l with zero fields replaced by DefaultLimits.
func (l Limits) withDefaults() Limits {
	if l.MaxSets <= 0 {
		l.MaxSets = DefaultLimits.MaxSets
	}
	if l.MaxASNs <= 0 {
		l.MaxASNs = DefaultLimits.MaxASNs
	}
	if l.MaxPrefixes <= 0 {
		l.MaxPrefixes = DefaultLimits.MaxPrefixes
	}
	switch {
	case l.MaxDepth < 0:
		l.MaxDepth = math.MaxInt
	case l.MaxDepth == 0:
		l.MaxDepth = DefaultLimits.MaxDepth
	}
	return l
}

// A Report describes an expansion beside its result.
type Report struct {
	// Root is the object expanded, as given.
	Root string
	// Missing lists referenced sets that do not exist, with the path of
	// sets that referenced them.
	Missing []MissingRef
	// Loops lists each reference back to a set already on the current
	// path (A -> B -> A), as the path ending in the repeated set.
	Loops [][]string
	// NoRoutes lists ASNs reached that have no route objects of the
	// family asked for (only filled by prefix expansions).
	NoRoutes []uint32
	// Depth is the deepest nesting reached; the root's members are depth 1.
	Depth int
	// Sets maps each set visited to the source it was taken from.
	Sets map[string]string
	// Parent maps each set visited (but the root) to the set through which
	// it was first reached, and ASNParent maps each ASN to the set that
	// listed it first. Together they give the chain of sets that led to a
	// member (see Chain).
	Parent    map[string]string
	ASNParent map[uint32]string
	// Warnings holds other problems met, such as a member of the wrong
	// type or a member dropped for a bad range operator.
	Warnings []string
}

// A MissingRef is a set referenced in an expansion but not found.
type MissingRef struct {
	Name string
	Path []string // from the root to the set that referenced Name
}

// Chain returns the chain of sets from the root that led to asn, root
// first, or nil when asn was not reached through a set.
func (r *Report) Chain(asn uint32) []string {
	if r == nil {
		return nil
	}
	set, ok := r.ASNParent[asn]
	if !ok {
		return nil
	}
	return r.SetChain(set)
}

// SetChain returns the chain of sets from the root to set, root first.
func (r *Report) SetChain(set string) []string {
	var chain []string
	for i := 0; set != "" && i <= len(r.Parent)+1; i++ {
		chain = append(chain, set)
		set = r.Parent[set]
	}
	for i, j := 0, len(chain)-1; i < j; i, j = i+1, j-1 {
		chain[i], chain[j] = chain[j], chain[i]
	}
	return chain
}

// Sentinel errors. Callers test them with errors.Is.
var (
	// ErrNotFound reports that an object does not exist (IRRd "D").
	ErrNotFound = errors.New("irr: object not found")
	// ErrLimit reports an expansion that exceeded one of its Limits.
	ErrLimit = errors.New("irr: limit exceeded")
	// ErrForbiddenMember reports AS-ANY, RS-ANY or ANY met as a member:
	// a filter that would permit everything.
	ErrForbiddenMember = errors.New("irr: member would permit everything")
)

// A LimitError reports which limit an expansion of Root exceeded.
type LimitError struct {
	Root  string // the object being expanded
	Set   string // the set being visited when the limit was hit
	Limit string // "sets", "asns", "prefixes" or "depth"
	Max   int
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("irr: expanding %s: %s limit of %d exceeded at %s",
		strconv.Quote(e.Root), e.Limit, e.Max, strconv.Quote(e.Set))
}

// Unwrap returns ErrLimit.
func (e *LimitError) Unwrap() error { return ErrLimit }

// A NotFoundError reports an object that does not exist.
type NotFoundError struct {
	Object string
	Where  string // the source list or server asked, if known
}

func (e *NotFoundError) Error() string {
	if e.Where != "" {
		return fmt.Sprintf("irr: %s not found in %s", strconv.Quote(e.Object), e.Where)
	}
	return fmt.Sprintf("irr: %s not found", strconv.Quote(e.Object))
}

// Unwrap returns ErrNotFound.
func (e *NotFoundError) Unwrap() error { return ErrNotFound }
