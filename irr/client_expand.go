package irr

import (
	"cmp"
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// ExpandASNs expands an AS-SET (or returns a single ASN) into its AS
// numbers. With Client.ServerRecursion and without a depth limit,
// exclusions or a SOURCE::NAME root, the server resolves the tree with !i<set>,1; otherwise the
// client walks it with non-recursive !i. A root the server answers D for is
// looked up with !m to tell an empty set from a missing one.
func (c *Client) ExpandASNs(ctx context.Context, object string, opts *ExpandOptions) ([]uint32, *Report, error) {
	opts = clientOpts(opts)
	nm, err := ParseName(object)
	if err != nil {
		return nil, nil, err
	}
	src, name := nm.Source, nm.Name
	if n, err := wireParseASN([]byte(name)); err == nil && src == "" {
		return []uint32{n}, &Report{Root: object}, nil
	}
	class, err := clientSetClass(name)
	if err != nil {
		return nil, nil, err
	}
	var out []uint32
	var rep *Report
	err = c.call(ctx, func(ctx context.Context, cn *clientConn) error {
		rep = &Report{Root: object}
		var err error
		if class != "as-set" {
			srcs := opts.Sources
			if src != "" {
				srcs = []string{src}
			}
			if err := cn.mustExist(ctx, object, name, srcs); err != nil {
				return err
			}
			return fmt.Errorf("irr: %s is a %s, not an as-set", strconv.Quote(object), class)
		}
		if c.serverSide(opts, src) {
			out, err = cn.asnsByServer(ctx, object, name, opts, rep)
			return err
		}
		t, err := cn.fetchTree(ctx, object, name, src, opts, false)
		if err != nil {
			return err
		}
		out, err = t.asns(rep, opts)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return out, rep, nil
}

// ExpandPrefixes expands an AS-SET, ASN or route-set into prefix ranges of
// family fam. AS-SETs use !a4/!a6 when the server has them and the server
// may resolve the tree (see ExpandASNs); otherwise their ASNs are expanded
// first and one !g or !6 per ASN is pipelined. Route-sets are always walked
// by the client, because IRRd drops members such as "RS-FOO^+" and
// "AS64500^24" instead of applying their operators (protocols.md §1.5).
func (c *Client) ExpandPrefixes(ctx context.Context, object string, fam Family, opts *ExpandOptions) ([]PrefixRange, *Report, error) {
	if fam != IPv4 && fam != IPv6 {
		return nil, nil, fmt.Errorf("irr: bad family %v", fam)
	}
	opts = clientOpts(opts)
	if strings.IndexByte(object, '/') >= 0 { // a literal prefix range
		pr, err := ParsePrefixRange(object)
		if err != nil {
			return nil, nil, err
		}
		if pr.Family() != fam {
			return nil, &Report{Root: object}, nil
		}
		return []PrefixRange{pr}, &Report{Root: object}, nil
	}
	nm, err := ParseName(object)
	if err != nil {
		return nil, nil, err
	}
	src, name := nm.Source, nm.Name
	asnRoot, asnErr := wireParseASN([]byte(name))
	isASN := asnErr == nil && src == ""
	class := ""
	if !isASN {
		if class, err = clientSetClass(name); err != nil {
			return nil, nil, err
		}
	}
	var out []PrefixRange
	var rep *Report
	err = c.call(ctx, func(ctx context.Context, cn *clientConn) error {
		rep = &Report{Root: object}
		var err error
		if isASN {
			out, err = cn.prefixesOfASNs(ctx, []uint32{asnRoot}, fam, opts, rep)
			return err
		}
		if class == "route-set" {
			out, err = cn.expandRouteSet(ctx, object, name, src, fam, opts, rep)
			return err
		}
		if c.serverSide(opts, src) && cn.hasA && len(opts.RouteSources) == 0 {
			out, err = cn.prefixesByA(ctx, object, name, fam, opts, rep)
			return err
		}
		var asns []uint32
		if c.serverSide(opts, src) {
			asns, err = cn.asnsByServer(ctx, object, name, opts, rep)
		} else {
			var t *clientTree
			if t, err = cn.fetchTree(ctx, object, name, src, opts, false); err == nil {
				asns, err = t.asns(rep, opts)
			}
		}
		if err != nil {
			return err
		}
		out, err = cn.prefixesOfASNs(ctx, asns, fam, opts, rep)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return out, rep, nil
}

// Routes returns the route (IPv4) or route6 (IPv6) prefixes each ASN
// originates, with one pipelined !g or !6 per ASN. IRRd does not say which
// source a route came from, so Source is empty; a prefix registered in
// several sources for one origin appears once.
func (c *Client) Routes(ctx context.Context, asns []uint32, fam Family, opts *ExpandOptions) ([]Route, error) {
	if fam != IPv4 && fam != IPv6 {
		return nil, fmt.Errorf("irr: bad family %v", fam)
	}
	opts = clientOpts(opts)
	asns = clientSortedASNs(asns)
	var out []Route
	err := c.call(ctx, func(ctx context.Context, cn *clientConn) error {
		out = out[:0]
		return cn.routes(ctx, asns, fam, opts, func(asn uint32, ps []netip.Prefix) error {
			for _, p := range ps {
				out = append(out, Route{Prefix: p, Origin: asn})
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Route) int {
		if c := clientComparePrefix(a.Prefix, b.Prefix); c != 0 {
			return c
		}
		return cmp.Compare(a.Origin, b.Origin)
	})
	return slices.Compact(out), nil
}

func clientOpts(o *ExpandOptions) *ExpandOptions {
	if o == nil {
		return &ExpandOptions{}
	}
	return o
}

// serverSide reports whether the server may resolve the set tree.
func (c *Client) serverSide(opts *ExpandOptions, pinned string) bool {
	return c.ServerRecursion && opts.MaxDepth == 0 && len(opts.Exclude) == 0 && pinned == ""
}

func routeSources(opts *ExpandOptions) []string {
	if len(opts.RouteSources) > 0 {
		return opts.RouteSources
	}
	return opts.Sources
}

// clientSetClass returns the class a set name implies ("as-set" or
// "route-set"), or an error for a name that is neither.
func clientSetClass(name string) (string, error) {
	k, err := setKind(name)
	if err != nil {
		return "", fmt.Errorf("irr: %s is not a set name: %w", strconv.Quote(name), err)
	}
	if k == memberRouteSet {
		return "route-set", nil
	}
	return "as-set", nil
}

const serverSideWarning = "set tree resolved by the server %s: nested sets it could not find are not reported"

// asnsByServer asks the server for the recursive expansion (!i<set>,1).
func (cn *clientConn) asnsByServer(ctx context.Context, object, name string, opts *ExpandOptions, rep *Report) ([]uint32, error) {
	var out []uint32
	found := false
	q := "!i" + name + ",1"
	err := cn.run(ctx, opts.Sources, []string{q}, func(_ int, kind replyKind, data []byte, err error) error {
		if err != nil {
			return err
		}
		if kind == replyData {
			found = true
			out, err = wireParseASNs(data, out)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	rep.Warnings = append(rep.Warnings, fmt.Sprintf(serverSideWarning, cn.addr))
	if !found {
		if err := cn.mustExist(ctx, object, name, opts.Sources); err != nil {
			return nil, err
		}
	}
	out = clientSortedASNs(out)
	if lim := opts.Limits.withDefaults(); len(out) > lim.MaxASNs {
		return nil, &LimitError{Root: object, Set: name, Limit: "asns", Max: lim.MaxASNs}
	}
	return out, nil
}

// prefixesByA asks the server for the prefixes of an as-set (!a4/!a6).
func (cn *clientConn) prefixesByA(ctx context.Context, object, name string, fam Family, opts *ExpandOptions, rep *Report) ([]PrefixRange, error) {
	var ps []PrefixRange
	found := false
	q := "!a4" + name
	if fam == IPv6 {
		q = "!a6" + name
	}
	// The answer is parsed as it arrives, with no copy of it held. The
	// list is presized from A<len>, but never beyond the prefix limit, so
	// that a hostile length alone cannot make it allocate more.
	maxPrefixes := opts.Limits.withDefaults().MaxPrefixes
	tr := &tokenReader{
		size: func(_, n int) {
			// make, not slices.Grow: Grow clears the whole capacity,
			// touching memory a fresh allocation gets zeroed for free.
			ps = make([]PrefixRange, 0, min(wireEstimateTokens(n, fam), maxPrefixes+1))
		},
		token: func(_ int, tok []byte) error {
			p, err := wireParsePrefix(tok, fam)
			if err != nil {
				return err
			}
			ps = append(ps, ExactRange(p))
			return nil
		},
	}
	err := cn.runTokens(ctx, opts.Sources, []string{q}, tr, func(_ int, kind replyKind, _ []byte, err error) error {
		if err != nil {
			return err
		}
		found = found || kind == replyData
		return nil
	})
	if err != nil {
		return nil, err
	}
	rep.Warnings = append(rep.Warnings, fmt.Sprintf(serverSideWarning, cn.addr))
	if !found {
		if err := cn.mustExist(ctx, object, name, opts.Sources); err != nil {
			return nil, err
		}
	}
	// IRRd sends the prefixes sorted: checking that is much cheaper than
	// sorting them again.
	if !slices.IsSortedFunc(ps, clientCompareRange) {
		slices.SortFunc(ps, clientCompareRange)
	}
	ps = slices.Compact(ps)
	if len(ps) > maxPrefixes {
		return nil, &LimitError{Root: object, Set: name, Limit: "prefixes", Max: maxPrefixes}
	}
	return slices.Clip(ps), nil
}

// mustExist tells an empty set from a missing one, which IRRd's D does not:
// it returns nil when !m finds the set, a *NotFoundError otherwise.
func (cn *clientConn) mustExist(ctx context.Context, object, name string, srcs []string) error {
	ok, err := cn.exists(ctx, []string{name}, srcs)
	if err != nil {
		return err
	}
	if !ok[name] {
		where := cn.addr
		if len(srcs) > 0 {
			where += " (sources " + strings.Join(srcs, ",") + ")"
		}
		return &NotFoundError{Object: object, Where: where}
	}
	return nil
}

// exists looks sets up with !m<class>,<name>, the class being the one the
// name implies.
func (cn *clientConn) exists(ctx context.Context, names []string, srcs []string) (map[string]bool, error) {
	qs := make([]string, len(names))
	for i, n := range names {
		class, err := clientSetClass(n)
		if err != nil {
			return nil, err
		}
		qs[i] = "!m" + class + "," + n
	}
	found := make(map[string]bool, len(names))
	err := cn.run(ctx, srcs, qs, func(i int, kind replyKind, _ []byte, err error) error {
		if err != nil {
			return err
		}
		if kind == replyData {
			found[names[i]] = true
		}
		return nil
	})
	return found, err
}

// routes pipelines one !g or !6 per ASN and calls fn with each answer.
func (cn *clientConn) routes(ctx context.Context, asns []uint32, fam Family, opts *ExpandOptions, fn func(asn uint32, ps []netip.Prefix) error) error {
	if len(asns) == 0 {
		return nil
	}
	cmd := "!g"
	if fam == IPv6 {
		cmd = "!6"
	}
	qs := make([]string, len(asns))
	for i, a := range asns {
		qs[i] = cmd + "AS" + strconv.FormatUint(uint64(a), 10)
	}
	var ps []netip.Prefix
	return cn.run(ctx, routeSources(opts), qs, func(i int, kind replyKind, data []byte, err error) error {
		if err != nil {
			return err
		}
		ps = ps[:0]
		if kind == replyData {
			if ps, err = wireParsePrefixes(data, fam, ps); err != nil {
				return err
			}
		}
		return fn(asns[i], ps)
	})
}

// prefixesOfASNs returns the union of the routes the ASNs originate.
func (cn *clientConn) prefixesOfASNs(ctx context.Context, asns []uint32, fam Family, opts *ExpandOptions, rep *Report) ([]PrefixRange, error) {
	var all []netip.Prefix
	err := cn.routes(ctx, asns, fam, opts, func(asn uint32, ps []netip.Prefix) error {
		if len(ps) == 0 {
			rep.NoRoutes = append(rep.NoRoutes, asn)
		}
		all = append(all, ps...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return clientRanges(rep.Root, rep.Root, all, opts)
}

// clientRanges sorts and de-duplicates ps into exact ranges.
func clientRanges(object, set string, ps []netip.Prefix, opts *ExpandOptions) ([]PrefixRange, error) {
	if !slices.IsSortedFunc(ps, clientComparePrefix) {
		slices.SortFunc(ps, clientComparePrefix)
	}
	ps = slices.Compact(ps)
	if lim := opts.Limits.withDefaults(); len(ps) > lim.MaxPrefixes {
		return nil, &LimitError{Root: object, Set: set, Limit: "prefixes", Max: lim.MaxPrefixes}
	}
	out := make([]PrefixRange, len(ps))
	for i, p := range ps {
		out[i] = ExactRange(p)
	}
	return out, nil
}

func clientComparePrefix(a, b netip.Prefix) int {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c
	}
	return cmp.Compare(a.Bits(), b.Bits())
}

func clientCompareRange(a, b PrefixRange) int {
	if c := clientComparePrefix(a.Prefix, b.Prefix); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Min, b.Min); c != 0 {
		return c
	}
	return cmp.Compare(a.Max, b.Max)
}

func clientSortedASNs(a []uint32) []uint32 {
	a = slices.Clone(a)
	slices.Sort(a)
	return slices.Compact(a)
}

// A clientTree is a set tree fetched with non-recursive !i queries.
type clientTree struct {
	root    string
	object  string
	members map[string][]string // set name -> member tokens, as sent
	missing map[string]bool     // referenced, fetched, not found
	exclude map[string]bool     // upper-case set names and "AS<n>"
}

// fetchTree fetches the tree under root breadth-first, one pipelined round
// of !i queries per level, stopping where opts.MaxDepth says and never
// querying excluded sets. Sets answered D are looked up with !m. A pinned
// source (SOURCE::NAME) applies to the root only, as bgpq4 does.
func (cn *clientConn) fetchTree(ctx context.Context, object, root, pinned string, opts *ExpandOptions, routeCtx bool) (*clientTree, error) {
	lim := opts.Limits.withDefaults()
	t := &clientTree{
		root: root, object: object,
		members: map[string][]string{},
		missing: map[string]bool{},
		exclude: map[string]bool{},
	}
	for _, e := range opts.Exclude {
		n := strings.ToUpper(strings.TrimSpace(e))
		if v, err := wireParseASN([]byte(n)); err == nil {
			n = fmtASN(v)
		}
		t.exclude[n] = true
	}
	seen := map[string]bool{root: true}
	level := []string{root}
	for depth := 0; len(level) > 0; depth++ {
		if depth > lim.MaxDepth {
			return nil, &LimitError{Root: object, Set: level[0], Limit: "depth", Max: lim.MaxDepth}
		}
		srcs := opts.Sources
		if depth == 0 && pinned != "" {
			srcs = []string{pinned}
		}
		qs := make([]string, len(level))
		for i, n := range level {
			qs[i] = "!i" + n
		}
		var empty []string
		err := cn.run(ctx, srcs, qs, func(i int, kind replyKind, data []byte, err error) error {
			if err != nil {
				return err
			}
			var ms []string
			if kind == replyData {
				err = wireFields(data, func(tok []byte) error {
					if len(tok) > 1024 {
						return wireErrorf("member too long")
					}
					ms = append(ms, string(tok))
					return nil
				})
				if err != nil {
					return err
				}
			}
			if len(ms) == 0 {
				empty = append(empty, level[i])
			}
			t.members[level[i]] = ms
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(empty) > 0 {
			found, err := cn.exists(ctx, empty, srcs)
			if err != nil {
				return nil, err
			}
			for _, n := range empty {
				if !found[n] {
					t.missing[n] = true
					delete(t.members, n)
				}
			}
		}
		if t.missing[root] {
			where := cn.addr
			if len(srcs) > 0 {
				where += " (sources " + strings.Join(srcs, ",") + ")"
			}
			return nil, &NotFoundError{Object: object, Where: where}
		}
		atLimit := opts.MaxDepth > 0 && depth+1 >= opts.MaxDepth
		var next []string
		for _, n := range level {
			for _, tok := range t.members[n] {
				m, err := clientMember(tok)
				follow := m.kind == memberASSet || (routeCtx && m.kind == memberRouteSet)
				if err != nil || !follow || t.exclude[m.name] || seen[m.name] {
					continue
				}
				seen[m.name] = true
				next = append(next, m.name)
				if len(seen) > lim.MaxSets {
					return nil, &LimitError{Root: object, Set: n, Limit: "sets", Max: lim.MaxSets}
				}
			}
		}
		if atLimit {
			// Sets one level beyond the depth limit are not expanded,
			// but a reference to a missing one is still reported, as
			// the registry does.
			if len(next) > 0 {
				found, err := cn.exists(ctx, next, opts.Sources)
				if err != nil {
					return nil, err
				}
				for _, n := range next {
					if !found[n] {
						t.missing[n] = true
					}
				}
			}
			break
		}
		level = next
	}
	return t, nil
}

// clientMember parses a member token of a !i answer the way the registry
// parses members of a loaded set.
func clientMember(tok string) (member, error) { return parseMember(tok) }

// asns walks the fetched as-set tree breadth-first, like the in-memory
// expander, and fills rep.
func (t *clientTree) asns(rep *Report, opts *ExpandOptions) ([]uint32, error) {
	lim := opts.Limits.withDefaults()
	rep.Sets = map[string]string{t.root: ""}
	rep.Parent = map[string]string{}
	rep.ASNParent = map[uint32]string{}
	asnSet := map[uint32]bool{}
	missing := map[string]bool{}
	loops := map[string]bool{}
	level := []string{t.root}
	for depth := 1; len(level) > 0; depth++ {
		var next []string
		for _, s := range level {
			ms, ok := t.members[s]
			if !ok {
				continue
			}
			if len(ms) > 0 && depth > rep.Depth {
				rep.Depth = depth
			}
			for _, tok := range ms {
				m, err := clientMember(tok)
				if err != nil {
					rep.Warnings = append(rep.Warnings, fmt.Sprintf("as-set %s: member %s: %v; ignored", s, strconv.Quote(tok), err))
					continue
				}
				switch m.kind {
				case memberAny:
					return nil, fmt.Errorf("%w: %s is a member of %s", ErrForbiddenMember, m.name, strconv.Quote(s))
				case memberPrefix, memberRouteSet:
					rep.Warnings = append(rep.Warnings,
						fmt.Sprintf("as-set %s: member %s is not an AS number or as-set; ignored", s, m.text))
				case memberASN:
					if m.op.Kind != OpNone {
						rep.Warnings = append(rep.Warnings, fmt.Sprintf("%s: member %s with an operator ignored in an as-set", s, strconv.Quote(tok)))
						continue
					}
					if t.exclude[fmtASN(m.asn)] || asnSet[m.asn] {
						continue
					}
					asnSet[m.asn] = true
					rep.ASNParent[m.asn] = s
					if len(asnSet) > lim.MaxASNs {
						return nil, &LimitError{Root: t.object, Set: s, Limit: "asns", Max: lim.MaxASNs}
					}
				case memberASSet:
					if m.op.Kind != OpNone {
						rep.Warnings = append(rep.Warnings, fmt.Sprintf("%s: member %s with an operator ignored in an as-set", s, strconv.Quote(tok)))
						continue
					}
					n := m.name
					if t.exclude[n] {
						continue
					}
					if t.missing[n] {
						if !missing[n] {
							missing[n] = true
							rep.Missing = append(rep.Missing, MissingRef{Name: n, Path: rep.SetChain(s)})
						}
						continue
					}
					if _, seen := rep.Sets[n]; seen {
						if chain := rep.SetChain(s); slices.Contains(chain, n) {
							loop := append(chain[slices.Index(chain, n):], n)
							if k := strings.Join(loop, " "); !loops[k] {
								loops[k] = true
								rep.Loops = append(rep.Loops, loop)
							}
						}
						continue
					}
					if _, fetched := t.members[n]; !fetched {
						continue // beyond the depth limit
					}
					rep.Sets[n] = ""
					rep.Parent[n] = s
					next = append(next, n)
				}
			}
		}
		level = next
	}
	out := make([]uint32, 0, len(asnSet))
	for a := range asnSet {
		out = append(out, a)
	}
	slices.Sort(out)
	return out, nil
}

// expandRouteSet walks a route-set tree with the real RPSL semantics:
// operators on set and AS members are applied (composed from the inside
// out), AS and as-set members stand for the routes they originate.
func (cn *clientConn) expandRouteSet(ctx context.Context, object, name, pinned string, fam Family, opts *ExpandOptions, rep *Report) ([]PrefixRange, error) {
	t, err := cn.fetchTree(ctx, object, name, pinned, opts, true)
	if err != nil {
		return nil, err
	}
	ev := &routeEval{t: t, rep: rep, opts: opts, lim: opts.Limits.withDefaults(), fam: fam,
		need: map[uint32]bool{}, out: map[PrefixRange]struct{}{}}
	rep.Sets = map[string]string{name: ""}
	rep.Parent = map[string]string{}
	rep.ASNParent = map[uint32]string{}
	// First pass: find the ASNs whose routes are needed.
	if err := ev.visit(name, nil, []string{name}); err != nil {
		return nil, err
	}
	asns := make([]uint32, 0, len(ev.need))
	for a := range ev.need {
		asns = append(asns, a)
	}
	slices.Sort(asns)
	ev.routes = make(map[uint32][]netip.Prefix, len(asns))
	err = cn.routes(ctx, asns, fam, opts, func(asn uint32, ps []netip.Prefix) error {
		if len(ps) == 0 {
			rep.NoRoutes = append(rep.NoRoutes, asn)
		}
		ev.routes[asn] = slices.Clone(ps)
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Second pass: the prefixes, with the report reset so it is filled once.
	*rep = Report{Root: rep.Root, NoRoutes: rep.NoRoutes, Warnings: rep.Warnings,
		Sets: map[string]string{name: ""}, Parent: map[string]string{}, ASNParent: map[uint32]string{}}
	ev.second, ev.visits = true, 0
	ev.missing, ev.loops = map[string]bool{}, map[string]bool{}
	if err := ev.visit(name, nil, []string{name}); err != nil {
		return nil, err
	}
	out := make([]PrefixRange, 0, len(ev.out))
	for r := range ev.out {
		out = append(out, r)
	}
	slices.SortFunc(out, clientCompareRange)
	return out, nil
}

type routeEval struct {
	t       *clientTree
	rep     *Report
	opts    *ExpandOptions
	lim     Limits
	fam     Family
	second  bool
	visits  int
	need    map[uint32]bool
	routes  map[uint32][]netip.Prefix
	out     map[PrefixRange]struct{}
	missing map[string]bool
	loops   map[string]bool
}

// visit adds the members of set (reached through path, with the operators
// of the references to it in chain, innermost first).
func (ev *routeEval) visit(set string, chain []RangeOp, path []string) error {
	ev.visits++
	if ev.visits > ev.lim.MaxSets {
		return &LimitError{Root: ev.t.object, Set: set, Limit: "sets", Max: ev.lim.MaxSets}
	}
	if len(path) > ev.lim.MaxDepth {
		return &LimitError{Root: ev.t.object, Set: set, Limit: "depth", Max: ev.lim.MaxDepth}
	}
	ms := ev.t.members[set]
	if len(ms) > 0 && len(path) > ev.rep.Depth {
		ev.rep.Depth = len(path)
	}
	apply := func(r PrefixRange, ops ...RangeOp) {
		ok := true
		for _, o := range ops {
			if r, ok = r.Apply(o); !ok {
				return
			}
		}
		for _, o := range chain {
			if r, ok = r.Apply(o); !ok {
				return
			}
		}
		ev.out[r] = struct{}{}
	}
	for _, tok := range ms {
		m, err := clientMember(tok)
		if err != nil {
			if ev.second {
				ev.rep.Warnings = append(ev.rep.Warnings, fmt.Sprintf("route-set %s: member %s: %v; ignored", set, strconv.Quote(tok), err))
			}
			continue
		}
		switch m.kind {
		case memberAny:
			return fmt.Errorf("%w: %s is a member of %s", ErrForbiddenMember, m.name, strconv.Quote(set))
		case memberPrefix:
			if ev.second && m.rng.Family() == ev.fam {
				apply(m.rng)
			}
		case memberASN:
			if ev.t.exclude[fmtASN(m.asn)] {
				continue
			}
			if !ev.second {
				ev.need[m.asn] = true
				continue
			}
			if _, ok := ev.rep.ASNParent[m.asn]; !ok {
				ev.rep.ASNParent[m.asn] = set
			}
			for _, p := range ev.routes[m.asn] {
				apply(ExactRange(p), m.op)
			}
		case memberASSet, memberRouteSet:
			n := m.name
			if ev.t.exclude[n] {
				continue
			}
			if slices.Contains(path, n) {
				if ev.second {
					loop := append(slices.Clone(path[slices.Index(path, n):]), n)
					if k := strings.Join(loop, " "); !ev.loops[k] {
						ev.loops[k] = true
						ev.rep.Loops = append(ev.rep.Loops, loop)
					}
				}
				continue
			}
			if ev.t.missing[n] {
				if ev.second && !ev.missing[n] {
					ev.missing[n] = true
					ev.rep.Missing = append(ev.rep.Missing, MissingRef{Name: n, Path: slices.Clone(path)})
				}
				continue
			}
			if _, fetched := ev.t.members[n]; !fetched {
				continue // beyond the depth limit
			}
			if _, ok := ev.rep.Sets[n]; !ok {
				ev.rep.Sets[n] = ""
				ev.rep.Parent[n] = set
			}
			sub := chain
			if m.op.Kind != OpNone {
				sub = append([]RangeOp{m.op}, chain...)
			}
			if err := ev.visit(n, sub, append(slices.Clone(path), n)); err != nil {
				return err
			}
		}
	}
	if ev.second && len(ev.out) > ev.lim.MaxPrefixes {
		return &LimitError{Root: ev.t.object, Set: set, Limit: "prefixes", Max: ev.lim.MaxPrefixes}
	}
	return nil
}
