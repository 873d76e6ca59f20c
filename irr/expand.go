package irr

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/filtergen/filtergen/internal/asn"
)

// Compile-time check that the registry is an Expander.
var _ Expander = (*Registry)(nil)

// expansion is the state of one expansion over the registry.
type expansion struct {
	ctx      context.Context
	root     string
	setSrcs  []*sourceData
	limits   Limits
	maxDepth int
	exclude  map[string]bool
	rep      *Report
	visited  map[string]int // set name -> depth first reached
	asns     map[uint32]bool
	steps    int
}

func (r *Registry) newExpansion(ctx context.Context, object string, opts *ExpandOptions) (*expansion, error) {
	if opts == nil {
		opts = &ExpandOptions{}
	}
	srcs, err := r.selected(opts.Sources)
	if err != nil {
		return nil, err
	}
	e := &expansion{
		ctx:      ctx,
		root:     object,
		setSrcs:  srcs,
		limits:   opts.Limits.withDefaults(),
		maxDepth: opts.MaxDepth,
		rep: &Report{Root: object, Sets: map[string]string{}, Parent: map[string]string{},
			ASNParent: map[uint32]string{}},
		visited: map[string]int{},
		asns:    map[uint32]bool{},
	}
	if len(opts.Exclude) > 0 {
		e.exclude = map[string]bool{}
		for _, x := range opts.Exclude {
			n := strings.ToUpper(strings.TrimSpace(x))
			if v, err := asn.ParseStrict(n); err == nil {
				n = asn.Format(v)
			}
			e.exclude[n] = true
		}
	}
	return e, nil
}

// rootSet resolves the root name, honouring a SOURCE:: pin.
func (r *Registry) rootSet(e *expansion, n Name) (*setData, error) {
	srcs := e.setSrcs
	if n.Source != "" {
		s := r.sources[n.Source]
		if s == nil {
			return nil, &UnknownSourceError{Sources: []string{strconv.Quote(n.Source)}}
		}
		srcs = []*sourceData{s}
	}
	set := findSet(srcs, n.Name)
	if set == nil {
		return nil, &NotFoundError{Object: n.String(), Where: sourceNames(srcs)}
	}
	return set, nil
}

func sourceNames(srcs []*sourceData) string {
	names := make([]string, len(srcs))
	for i, s := range srcs {
		names[i] = s.name
	}
	return "sources " + strings.Join(names, ",")
}

// tick checks the context now and then.
func (e *expansion) tick() error {
	if e.steps++; e.steps&0x3ff == 0 {
		return e.ctx.Err()
	}
	return nil
}

// walkASSets visits the as-set tree breadth-first from root, so that each
// set is reached at its smallest depth (bgpq4 -L semantics), calling
// onASN for each ASN member not excluded.
func (r *Registry) walkASSets(e *expansion, root *setData, onASN func(n uint32, parent string) error) error {
	type item struct {
		set   *setData
		depth int
	}
	e.visited[root.name] = 0
	e.rep.Sets[root.name] = root.source
	queue := []item{{root, 0}}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		depth := it.depth + 1
		if e.maxDepth > 0 && depth > e.maxDepth {
			continue
		}
		if depth > e.limits.MaxDepth {
			return &LimitError{Root: e.root, Set: it.set.name, Limit: "depth", Max: e.limits.MaxDepth}
		}
		for _, m := range it.set.members {
			if err := e.tick(); err != nil {
				return err
			}
			switch m.kind {
			case memberAny:
				return fmt.Errorf("%w: %s is a member of %s", ErrForbiddenMember, m.name, strconv.Quote(it.set.name))
			case memberASN:
				if e.excludesASN(m.asn) {
					continue
				}
				if depth > e.rep.Depth {
					e.rep.Depth = depth
				}
				if err := onASN(m.asn, it.set.name); err != nil {
					return err
				}
			case memberASSet:
				if e.exclude[m.name] {
					continue
				}
				if depth > e.rep.Depth {
					e.rep.Depth = depth
				}
				if _, seen := e.visited[m.name]; seen {
					if e.isAncestor(m.name, it.set.name) {
						e.rep.Loops = append(e.rep.Loops, append(e.rep.SetChain(it.set.name), m.name))
					}
					continue
				}
				child := findSet(e.setSrcs, m.name)
				if child == nil || child.class != "as-set" {
					e.visited[m.name] = depth
					e.rep.Missing = append(e.rep.Missing, MissingRef{Name: m.name, Path: e.rep.SetChain(it.set.name)})
					continue
				}
				if len(e.visited) >= e.limits.MaxSets {
					return &LimitError{Root: e.root, Set: m.name, Limit: "sets", Max: e.limits.MaxSets}
				}
				e.visited[m.name] = depth
				e.rep.Sets[m.name] = child.source
				e.rep.Parent[m.name] = it.set.name
				queue = append(queue, item{child, depth})
			default:
				e.rep.Warnings = append(e.rep.Warnings,
					fmt.Sprintf("as-set %s: member %s is not an AS number or as-set; ignored", it.set.name, m.text))
			}
		}
	}
	return nil
}

// isAncestor reports whether set is on the chain from the root to from.
func (e *expansion) isAncestor(set, from string) bool {
	for i := 0; from != "" && i <= len(e.rep.Parent)+1; i++ {
		if from == set {
			return true
		}
		from = e.rep.Parent[from]
	}
	return false
}

// ExpandASNs implements Expander.
func (r *Registry) ExpandASNs(ctx context.Context, object string, opts *ExpandOptions) ([]uint32, *Report, error) {
	e, err := r.newExpansion(ctx, object, opts)
	if err != nil {
		return nil, nil, err
	}
	n, err := ParseName(object)
	if err != nil {
		return nil, nil, err
	}
	if v, err := asn.ParseStrict(n.Name); err == nil && n.Source == "" {
		return []uint32{v}, e.rep, nil
	}
	root, err := r.rootSet(e, n)
	if err != nil {
		return nil, nil, err
	}
	if root.class != "as-set" {
		return nil, nil, fmt.Errorf("irr: %s is a %s, not an as-set", strconv.Quote(object), root.class)
	}
	out, err := r.collectASNs(e, root)
	if err != nil {
		return nil, nil, err
	}
	return out, e.rep, nil
}

// collectASNs walks the as-set tree from root and returns its distinct
// ASNs, sorted, recording the set that listed each one first.
func (r *Registry) collectASNs(e *expansion, root *setData) ([]uint32, error) {
	var out []uint32
	err := r.walkASSets(e, root, func(v uint32, parent string) error {
		if e.asns[v] {
			return nil
		}
		if len(e.asns) >= e.limits.MaxASNs {
			return &LimitError{Root: e.root, Set: parent, Limit: "asns", Max: e.limits.MaxASNs}
		}
		e.asns[v] = true
		e.rep.ASNParent[v] = parent
		out = append(out, v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(out)
	return out, nil
}

// ExpandPrefixes implements Expander.
func (r *Registry) ExpandPrefixes(ctx context.Context, object string, fam Family, opts *ExpandOptions) ([]PrefixRange, *Report, error) {
	if fam != IPv4 && fam != IPv6 {
		return nil, nil, fmt.Errorf("irr: invalid family %d", fam)
	}
	if opts == nil {
		opts = &ExpandOptions{}
	}
	routeSrcs, err := r.selected(opts.RouteSources)
	if err != nil {
		return nil, nil, err
	}
	if len(opts.RouteSources) == 0 {
		if routeSrcs, err = r.selected(opts.Sources); err != nil {
			return nil, nil, err
		}
	}
	// A literal prefix or range expands to itself.
	if strings.IndexByte(object, '/') >= 0 {
		pr, err := ParsePrefixRange(object)
		if err != nil {
			return nil, nil, err
		}
		rep := &Report{Root: object}
		if pr.Family() != fam {
			return nil, rep, nil
		}
		return []PrefixRange{pr}, rep, nil
	}
	n, err := ParseName(object)
	if err != nil {
		return nil, nil, err
	}
	e, err := r.newExpansion(ctx, object, opts)
	if err != nil {
		return nil, nil, err
	}
	acc := newPrefixAcc(fam, e.limits.MaxPrefixes, object)
	if v, err := asn.ParseStrict(n.Name); err == nil && n.Source == "" {
		if !acc.addASN(routeSrcs, v) {
			e.rep.NoRoutes = append(e.rep.NoRoutes, v)
		}
		prs, err := acc.result()
		if err != nil {
			return nil, nil, err
		}
		return prs, e.rep, nil
	}
	root, err := r.rootSet(e, n)
	if err != nil {
		return nil, nil, err
	}
	if root.class == "as-set" {
		asns, err := r.collectASNs(e, root)
		if err != nil {
			return nil, nil, err
		}
		e.rep.NoRoutes = acc.addASNs(routeSrcs, asns)
		prs, err := acc.result()
		if err != nil {
			return nil, nil, err
		}
		return prs, e.rep, nil
	}
	e.visited[root.name] = 0
	e.rep.Sets[root.name] = root.source
	if err := r.walkRouteSet(e, acc, routeSrcs, root, nil, []string{root.name}); err != nil {
		return nil, nil, err
	}
	prs, err := acc.result()
	if err != nil {
		return nil, nil, err
	}
	return prs, e.rep, nil
}

// walkRouteSet adds the members of a route-set to acc, depth-first, with
// ops (outermost first) applied to each member's range. path holds the
// sets from the root to set, for loop detection.
func (r *Registry) walkRouteSet(e *expansion, acc *prefixAcc, routeSrcs []*sourceData, set *setData, ops []RangeOp, path []string) error {
	depth := len(path)
	if e.maxDepth > 0 && depth > e.maxDepth {
		return nil
	}
	if depth > e.limits.MaxDepth {
		return &LimitError{Root: e.root, Set: set.name, Limit: "depth", Max: e.limits.MaxDepth}
	}
	if depth > e.rep.Depth {
		e.rep.Depth = depth
	}
	for _, m := range set.members {
		if err := e.tick(); err != nil {
			return err
		}
		mops := ops
		if m.op.Kind != OpNone {
			mops = append(slices.Clip(ops), m.op)
		}
		switch m.kind {
		case memberAny:
			return fmt.Errorf("%w: %s is a member of %s", ErrForbiddenMember, m.name, strconv.Quote(set.name))
		case memberPrefix:
			if m.rng.Family() != acc.fam {
				continue
			}
			acc.addRange(m.rng, ops)
		case memberASN:
			if e.excludesASN(m.asn) {
				continue
			}
			if !acc.addASNOps(routeSrcs, m.asn, mops) {
				e.rep.NoRoutes = append(e.rep.NoRoutes, m.asn)
			}
		case memberASSet:
			if e.exclude[m.name] {
				continue
			}
			child := findSet(e.setSrcs, m.name)
			if child == nil || child.class != "as-set" {
				e.rep.Missing = append(e.rep.Missing, MissingRef{Name: m.name, Path: slices.Clone(path)})
				continue
			}
			sub := &expansion{ctx: e.ctx, root: e.root, setSrcs: e.setSrcs, limits: e.limits, exclude: e.exclude,
				rep: e.rep, visited: map[string]int{}, asns: map[uint32]bool{}}
			asns, err := r.collectASNs(sub, child)
			if err != nil {
				return err
			}
			for _, v := range asns {
				if !acc.addASNOps(routeSrcs, v, mops) {
					e.rep.NoRoutes = append(e.rep.NoRoutes, v)
				}
			}
		case memberRouteSet:
			if e.exclude[m.name] {
				continue
			}
			if slices.Contains(path, m.name) {
				e.rep.Loops = append(e.rep.Loops, append(slices.Clone(path), m.name))
				continue
			}
			child := findSet(e.setSrcs, m.name)
			if child == nil || child.class != "route-set" {
				e.rep.Missing = append(e.rep.Missing, MissingRef{Name: m.name, Path: slices.Clone(path)})
				continue
			}
			if _, seen := e.rep.Sets[m.name]; !seen {
				if len(e.rep.Sets) >= e.limits.MaxSets {
					return &LimitError{Root: e.root, Set: m.name, Limit: "sets", Max: e.limits.MaxSets}
				}
				e.rep.Sets[m.name] = child.source
				e.rep.Parent[m.name] = set.name
			}
			if err := r.walkRouteSet(e, acc, routeSrcs, child, mops, append(slices.Clip(path), m.name)); err != nil {
				return err
			}
		}
		if acc.err != nil {
			return acc.err
		}
	}
	return nil
}

// Routes implements Expander.
func (r *Registry) Routes(ctx context.Context, asns []uint32, fam Family, opts *ExpandOptions) ([]Route, error) {
	if opts == nil {
		opts = &ExpandOptions{}
	}
	srcNames := opts.RouteSources
	if len(srcNames) == 0 {
		srcNames = opts.Sources
	}
	srcs, err := r.selected(srcNames)
	if err != nil {
		return nil, err
	}
	// The routes are sorted as sortRoutes sorts them, by radix sort on
	// packed keys: the tie word holds the origin and the rank of the
	// source's name. A whole table's cone is two million routes, which
	// a comparison sort of Route values took seconds to order.
	names := make([]string, len(srcs))
	for i, s := range srcs {
		names[i] = s.name
	}
	slices.Sort(names)
	rank := make([]uint64, len(srcs))
	n := 0
	for i, s := range srcs {
		rank[i] = uint64(slices.Index(names, s.name))
		for _, v := range asns {
			if fam == IPv4 {
				n += len(s.v4[v])
			} else {
				n += len(s.v6[v])
			}
		}
	}
	if n == 0 {
		return nil, ctx.Err()
	}
	if fam == IPv4 {
		type k4 struct{ key, tie uint64 }
		ks := make([]k4, 0, n)
		for i, v := range asns {
			if i&0x3ff == 0 && ctx.Err() != nil {
				return nil, ctx.Err()
			}
			for si, s := range srcs {
				for _, k := range s.v4[v] {
					ks = append(ks, k4{k, uint64(v)<<16 | rank[si]})
				}
			}
		}
		radixSort(ks, func(x *k4) uint64 { return x.tie }, func(x *k4) uint64 { return x.key })
		out := make([]Route, 0, len(ks))
		for i, x := range ks {
			if i == 0 || x != ks[i-1] {
				out = append(out, Route{Prefix: unpackV4(x.key), Origin: uint32(x.tie >> 16), Source: names[x.tie&0xffff]})
			}
		}
		return out, nil
	}
	type k6 struct{ hi, lo, tie uint64 }
	ks := make([]k6, 0, n)
	for i, v := range asns {
		if i&0x3ff == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		for si, s := range srcs {
			for _, k := range s.v6[v] {
				ks = append(ks, k6{k.hi, k.lo, uint64(k.bits)<<48 | uint64(v)<<16 | rank[si]})
			}
		}
	}
	radixSort(ks, func(x *k6) uint64 { return x.tie }, func(x *k6) uint64 { return x.lo }, func(x *k6) uint64 { return x.hi })
	out := make([]Route, 0, len(ks))
	for i, x := range ks {
		if i == 0 || x != ks[i-1] {
			out = append(out, Route{Prefix: unpackV6(v6key{hi: x.hi, lo: x.lo, bits: uint8(x.tie >> 48)}),
				Origin: uint32(x.tie >> 16), Source: names[x.tie&0xffff]})
		}
	}
	return out, nil
}

// excludesASN reports whether n is excluded. It formats n only when there
// are exclusions: formatting every member allocated once per ASN.
func (e *expansion) excludesASN(n uint32) bool {
	return e.exclude != nil && e.exclude[asn.Format(n)]
}
