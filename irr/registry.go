package irr

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/filtergen/filtergen/internal/asn"
	"github.com/filtergen/filtergen/internal/inputfile"
)

// A Registry is an in-memory index of RPSL data from one or more dumps,
// kept per source: sets by name, route and route6 objects by origin, and
// aut-nums. It is immutable once built and safe for concurrent readers; to
// reload, build a new Registry and swap the pointer.
//
// Set lookups take the first selected source that holds the set; route
// lookups take the union over the selected sources.
type Registry struct {
	order   []string // sources in the order first met (uppercase)
	sources map[string]*sourceData

	prefixIndexOnce sync.Once
	prefixIndex     map[*sourceData]*routeIndex
}

type sourceData struct {
	name      string
	asSets    map[string]*setData
	routeSets map[string]*setData
	autNums   map[uint32]*autNum
	v4        map[uint32][]uint64 // origin -> packed prefixes (see packV4)
	v6        map[uint32][]v6key
	// routes carrying member-of or mnt-by that matter for mbrs-by-ref
	routeRefs []routeRef
	// routes as loaded, grouped into v4 and v6 by Build
	pend4 []origin4
	pend6 []origin6
}

type origin4 struct {
	origin uint32
	key    uint64
}

type origin6 struct {
	origin uint32
	key    v6key
}

// groupRoutes indexes the routes loaded by origin: a radix sort on the
// origin alone (three passes), then each origin's few keys sorted and
// de-duplicated in place. Each origin's routes are a sub-slice of one
// backing array per family, which keeps the index small.
func (s *sourceData) groupRoutes() {
	radixSort(s.pend4, func(v *origin4) uint64 { return uint64(v.origin) })
	keys4 := make([]uint64, len(s.pend4))
	for i := range s.pend4 {
		keys4[i] = s.pend4[i].key
	}
	for i, w := 0, 0; i < len(s.pend4); {
		j := i + 1
		for j < len(s.pend4) && s.pend4[j].origin == s.pend4[i].origin {
			j++
		}
		group := keys4[i:j]
		slices.Sort(group)
		group = slices.Compact(group)
		n := copy(keys4[w:], group)
		s.v4[s.pend4[i].origin] = keys4[w : w+n : w+n]
		w += n
		i = j
	}
	s.pend4 = nil
	radixSort(s.pend6, func(v *origin6) uint64 { return uint64(v.origin) })
	keys6 := make([]v6key, len(s.pend6))
	for i := range s.pend6 {
		keys6[i] = s.pend6[i].key
	}
	for i, w := 0, 0; i < len(s.pend6); {
		j := i + 1
		for j < len(s.pend6) && s.pend6[j].origin == s.pend6[i].origin {
			j++
		}
		group := keys6[i:j]
		slices.SortFunc(group, cmpV6)
		group = slices.Compact(group)
		n := copy(keys6[w:], group)
		s.v6[s.pend6[i].origin] = keys6[w : w+n : w+n]
		w += n
		i = j
	}
	s.pend6 = nil
}

type setData struct {
	name      string // uppercased
	class     string // "as-set" or "route-set"
	source    string
	members   []member
	mbrsByRef []string
	mntBy     []string
	text      string // the object as read, for !m
}

type autNum struct {
	asn      uint32
	memberOf []string
	mntBy    []string
	text     string
}

type routeRef struct {
	prefix   netip.Prefix
	origin   uint32
	memberOf []string
	mntBy    []string
}

// A Set is a set's direct members as a server lists them for a
// non-recursive query: members and mp-members, plus the members that
// joined through member-of and mbrs-by-ref, normalised, with operators.
type Set struct {
	Name    string
	Class   string // "as-set" or "route-set"
	Source  string
	Members []string
}

// LoadOptions tunes loading dumps into a Registry.
type LoadOptions struct {
	// Strict turns the first malformed object into an error. By default
	// malformed objects are skipped and reported through Problems.
	Strict bool
	// DefaultSource is the source of objects that have no source:
	// attribute. If empty, such objects are malformed.
	DefaultSource string
	// Sources, if set, loads only objects of these sources.
	Sources []string
	// Limits bound line and object sizes.
	Limits ReaderLimits
	// MaxProblems caps how many problems are kept (all are counted);
	// default 1000.
	MaxProblems int
	// Logger receives a warning per problem kept; default silent.
	Logger *slog.Logger
}

// A Builder loads dumps into a new Registry.
type Builder struct {
	opts     LoadOptions
	reg      *Registry
	problems []*ParseError
	nProb    int
	keep     map[string]bool
	built    bool
	srcCache map[string]string // source value as written -> canonical ("" if invalid)
	lastSrc  *sourceData       // the source of the previous route, usually the next's too

	defaultSource string
}

// NewBuilder returns a Builder with the given options.
func NewBuilder(opts LoadOptions) *Builder {
	if opts.MaxProblems <= 0 {
		opts.MaxProblems = 1000
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	b := &Builder{opts: opts, reg: &Registry{sources: map[string]*sourceData{}}, srcCache: map[string]string{},
		defaultSource: strings.ToUpper(opts.DefaultSource)}
	if len(opts.Sources) > 0 {
		b.keep = map[string]bool{}
		for _, s := range opts.Sources {
			b.keep[strings.ToUpper(s)] = true
		}
	}
	return b
}

// Problems returns the malformed objects that were skipped (at most
// LoadOptions.MaxProblems) and how many there were in all.
func (b *Builder) Problems() ([]*ParseError, int) { return b.problems, b.nProb }

func (b *Builder) problem(p *ParseError) error {
	if b.opts.Strict {
		return p
	}
	b.nProb++
	if len(b.problems) < b.opts.MaxProblems {
		b.problems = append(b.problems, p)
		b.opts.Logger.Warn("skipped malformed object", "err", p)
	}
	return nil
}

// ReadFrom reads one dump (plain or gzip) into the registry being built.
// name is used in messages. It returns an error for I/O failures, for
// over-limit input and, in strict mode, for the first malformed object.
func (b *Builder) ReadFrom(ctx context.Context, r io.Reader, name string) error {
	if b.built {
		return errors.New("irr: Builder used after Build")
	}
	rd := NewReader(r, name)
	rd.SetLimits(b.opts.Limits)
	rd.SetClasses("aut-num", "as-set", "route-set", "route", "route6")
	rd.SetProblemHandler(b.problem)
	rd.raw = true
	n := 0
	for rd.Next() {
		if n++; n&0xffff == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		var err error
		if rd.obj.Class == "route" || rd.obj.Class == "route6" {
			err = b.addRoute(rd)
		} else {
			rd.materialize()
			err = b.add(&rd.obj)
		}
		if err != nil {
			var pe *ParseError
			if errors.As(err, &pe) {
				if err := b.problem(pe); err != nil {
					return err
				}
				continue
			}
			return err
		}
	}
	return rd.Err()
}

// ReadFile reads the dump at path.
func (b *Builder) ReadFile(ctx context.Context, path string) error {
	f, err := inputfile.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return b.ReadFrom(ctx, f, path)
}

func (b *Builder) source(name string) *sourceData {
	s := b.reg.sources[name]
	if s == nil {
		s = &sourceData{
			name:      name,
			asSets:    map[string]*setData{},
			routeSets: map[string]*setData{},
			autNums:   map[uint32]*autNum{},
			v4:        map[uint32][]uint64{},
			v6:        map[uint32][]v6key{},
		}
		b.reg.sources[name] = s
		b.reg.order = append(b.reg.order, name)
	}
	return s
}

// internSource returns the canonical (uppercase) source name for v,
// allocating only the first time a source is met.
func (b *Builder) internSource(v string) (string, bool) {
	if s, ok := b.srcCache[v]; ok {
		return s, s != ""
	}
	key := strings.Clone(v)
	if !validToken(v) {
		b.srcCache[key] = ""
		return "", false
	}
	s := strings.ToUpper(key)
	b.srcCache[key] = s
	return s, true
}

// addRoute indexes a route or route6 object straight from the reader's
// buffer: nothing is allocated for a well-formed object.
func (b *Builder) addRoute(rd *Reader) error {
	o := &rd.obj
	var srcIdx, originIdx, memberOfIdx = -1, -1, -1
	for i := range rd.spans {
		switch rd.spans[i].name {
		case "source":
			if srcIdx < 0 {
				srcIdx = i
			}
		case "origin":
			if originIdx < 0 {
				originIdx = i
			}
		case "member-of":
			memberOfIdx = i
		}
	}
	key := rd.rawValue(0)
	fail := func(line int, format string, args ...any) error {
		o.Key = strings.Clone(key)
		return o.errorf(line, format, args...)
	}
	var src string
	if srcIdx >= 0 {
		var ok bool
		if src, ok = b.internSource(rd.rawValue(srcIdx)); !ok {
			return fail(o.Line, "invalid source %s", strconv.Quote(rd.rawValue(srcIdx)))
		}
	} else if src = b.defaultSource; src == "" {
		return fail(o.Line, "no source: attribute")
	}
	if b.keep != nil && !b.keep[src] {
		return nil
	}
	p, err := netip.ParsePrefix(key)
	if err != nil {
		return fail(o.Line, "invalid prefix %s", strconv.Quote(key))
	}
	if p.Addr().Is4() != (o.Class == "route") || p.Addr().Is4In6() || p.Addr().Zone() != "" {
		return fail(o.Line, "prefix %s is not of the class's family", strconv.Quote(key))
	}
	if p.Masked() != p {
		return fail(o.Line, "prefix %s: %v", strconv.Quote(key), ErrHostBits)
	}
	if originIdx < 0 {
		return fail(o.Line, "no origin: attribute")
	}
	n, err := asn.ParseStrict(rd.rawValue(originIdx))
	if err != nil {
		return fail(rd.spans[originIdx].line, "origin: invalid AS number %s", strconv.Quote(rd.rawValue(originIdx)))
	}
	s := b.lastSrc
	if s == nil || s.name != src {
		s = b.source(src)
		b.lastSrc = s
	}
	// Grow by doubling: append's gentler growth for large slices copies
	// a million-route table many times over.
	if p.Addr().Is4() {
		if len(s.pend4) == cap(s.pend4) {
			s.pend4 = slices.Grow(s.pend4, max(1024, len(s.pend4)))
		}
		s.pend4 = append(s.pend4, origin4{n, packV4(p)})
	} else {
		if len(s.pend6) == cap(s.pend6) {
			s.pend6 = slices.Grow(s.pend6, max(1024, len(s.pend6)))
		}
		s.pend6 = append(s.pend6, origin6{n, packV6(p)})
	}
	if memberOfIdx >= 0 {
		// Rare: keep what mbrs-by-ref resolution needs.
		var memberOf, mntBy []string
		for i := range rd.spans {
			switch rd.spans[i].name {
			case "member-of":
				splitList(rd.rawValue(i), func(t string) { memberOf = append(memberOf, strings.ToUpper(strings.Clone(t))) })
			case "mnt-by":
				splitList(rd.rawValue(i), func(t string) { mntBy = append(mntBy, strings.ToUpper(strings.Clone(t))) })
			}
		}
		s.routeRefs = append(s.routeRefs, routeRef{prefix: p, origin: n, memberOf: memberOf, mntBy: mntBy})
	}
	return nil
}

// add indexes one object; it returns a *ParseError for a malformed one.
func (b *Builder) add(o *Object) error {
	var src string
	var mntBy, memberOf []string
	for i := range o.Attrs {
		a := &o.Attrs[i]
		switch a.Name {
		case "source":
			src = a.Value
		case "mnt-by":
			splitList(a.Value, func(s string) { mntBy = append(mntBy, strings.ToUpper(s)) })
		case "member-of":
			splitList(a.Value, func(s string) { memberOf = append(memberOf, strings.ToUpper(s)) })
		}
	}
	if src == "" {
		if src = b.defaultSource; src == "" {
			return o.errorf(o.Line, "no source: attribute")
		}
	} else {
		var ok bool
		if src, ok = b.internSource(src); !ok {
			return o.errorf(o.Line, "invalid source %s", strconv.Quote(o.Get("source")))
		}
	}
	if b.keep != nil && !b.keep[src] {
		return nil
	}
	switch o.Class {
	case "aut-num":
		n, err := asn.ParseStrict(o.Key)
		if err != nil {
			return o.errorf(o.Line, "aut-num: %v", err)
		}
		b.source(src).autNums[n] = &autNum{asn: n, memberOf: memberOf, mntBy: mntBy, text: objectText(o)}
	case "as-set", "route-set":
		name := strings.ToUpper(o.Key)
		kind, err := setKind(name)
		want := memberASSet
		if o.Class == "route-set" {
			want = memberRouteSet
		}
		if err != nil || kind != want {
			return o.errorf(o.Line, "invalid %s name %s", o.Class, strconv.Quote(o.Key))
		}
		set := &setData{name: name, class: o.Class, source: src, mntBy: mntBy, text: objectText(o)}
		for i := range o.Attrs {
			a := &o.Attrs[i]
			switch a.Name {
			case "members", "mp-members":
				if a.Name == "mp-members" && o.Class == "as-set" {
					// IRRd's as-set has no mp-members; its members never
					// appear in answers. Do the same.
					continue
				}
				var bad []string
				splitList(a.Value, func(t string) {
					m, err := parseMember(t)
					if err != nil {
						bad = append(bad, err.Error())
						return
					}
					set.members = append(set.members, m)
				})
				for _, msg := range bad {
					// A bad member is dropped; the rest of the set stays.
					if err := b.problem(o.errorf(a.Line, "%s: %s (member dropped)", a.Name, msg)); err != nil {
						return err
					}
				}
			case "mbrs-by-ref":
				splitList(a.Value, func(t string) { set.mbrsByRef = append(set.mbrsByRef, strings.ToUpper(t)) })
			}
		}
		s := b.source(src)
		if o.Class == "as-set" {
			s.asSets[name] = set
		} else {
			s.routeSets[name] = set
		}
	}
	return nil
}

// objectText renders an object back to RPSL for !m answers.
func objectText(o *Object) string {
	var sb strings.Builder
	for _, a := range o.Attrs {
		sb.WriteString(a.Name)
		sb.WriteString(":")
		pad := 16 - len(a.Name)
		if pad < 1 {
			pad = 1
		}
		sb.WriteString(strings.Repeat(" ", pad))
		sb.WriteString(a.Value)
		sb.WriteByte('\n')
	}
	return sb.String()
}

// Build finishes the registry: it sorts and de-duplicates the route index
// and resolves member-of/mbrs-by-ref membership (RFC 2622 §5.1, as IRRd
// does: same source, the set's mbrs-by-ref lists ANY or one of the member
// object's maintainers).
func (b *Builder) Build() (*Registry, error) {
	if b.built {
		return nil, errors.New("irr: Build called twice")
	}
	b.built = true
	for _, s := range b.reg.sources {
		s.groupRoutes()
		// member-of from aut-nums into as-sets, in ASN order for determinism.
		asns := make([]uint32, 0, len(s.autNums))
		for n, a := range s.autNums {
			if len(a.memberOf) > 0 {
				asns = append(asns, n)
			}
		}
		slices.Sort(asns)
		for _, n := range asns {
			a := s.autNums[n]
			for _, setName := range a.memberOf {
				if set := s.asSets[setName]; set != nil && set.admits(a.mntBy) {
					set.members = append(set.members, member{kind: memberASN, asn: n, text: asn.Format(n), viaBy: true})
				}
			}
		}
		for _, r := range s.routeRefs {
			for _, setName := range r.memberOf {
				if set := s.routeSets[setName]; set != nil && set.admits(r.mntBy) {
					rng := ExactRange(r.prefix)
					set.members = append(set.members, member{kind: memberPrefix, rng: rng, text: rng.String(), viaBy: true})
				}
			}
		}
		s.routeRefs = nil
	}
	return b.reg, nil
}

// admits reports whether an object maintained by mntBy may join the set
// through member-of.
func (s *setData) admits(mntBy []string) bool {
	for _, m := range s.mbrsByRef {
		if m == "ANY" || slices.Contains(mntBy, m) {
			return true
		}
	}
	return false
}

// LoadFiles builds a Registry from dump files (plain or gzip), in order.
// Problems in lenient mode are returned by the Builder; use NewBuilder to
// see them.
func LoadFiles(ctx context.Context, opts LoadOptions, paths ...string) (*Registry, error) {
	b := NewBuilder(opts)
	for _, p := range paths {
		if err := b.ReadFile(ctx, p); err != nil {
			return nil, err
		}
	}
	return b.Build()
}

// Sources returns the registry's sources in the order they were first met.
func (r *Registry) Sources() []string { return slices.Clone(r.order) }

// selected returns the sourceData for the given source names in order, or
// every source when names is empty. Unknown names are an error.
func (r *Registry) selected(names []string) ([]*sourceData, error) {
	if len(names) == 0 {
		out := make([]*sourceData, len(r.order))
		for i, n := range r.order {
			out[i] = r.sources[n]
		}
		return out, nil
	}
	out := make([]*sourceData, 0, len(names))
	var unknown []string
	for _, n := range names {
		s := r.sources[strings.ToUpper(n)]
		if s == nil {
			unknown = append(unknown, strconv.Quote(n))
			continue
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if len(unknown) > 0 {
		return nil, &UnknownSourceError{Sources: unknown}
	}
	return out, nil
}

// An UnknownSourceError reports sources that the registry does not hold.
type UnknownSourceError struct {
	Sources []string // quoted
}

func (e *UnknownSourceError) Error() string {
	return "irr: unknown source(s) " + strings.Join(e.Sources, ", ")
}

// findSet returns the set called name (uppercased) from the first selected
// source holding it, as-sets before route-sets.
func findSet(srcs []*sourceData, name string) *setData {
	for _, s := range srcs {
		if set := s.asSets[name]; set != nil {
			return set
		}
		if set := s.routeSets[name]; set != nil {
			return set
		}
	}
	return nil
}

// LookupSet returns the set called name from the first of the given
// sources that holds it (all sources, in order, when sources is nil).
func (r *Registry) LookupSet(name string, sources []string) (*Set, bool) {
	srcs, err := r.selected(sources)
	if err != nil {
		return nil, false
	}
	set := findSet(srcs, strings.ToUpper(name))
	if set == nil {
		return nil, false
	}
	out := &Set{Name: set.name, Class: set.class, Source: set.source, Members: make([]string, 0, len(set.members))}
	seen := make(map[string]bool, len(set.members))
	for _, m := range set.members {
		if !seen[m.text] {
			seen[m.text] = true
			out.Members = append(out.Members, m.text)
		}
	}
	return out, true
}

// Object returns the RPSL text of an object for an IRRd !m query: class is
// "as-set", "route-set", "aut-num", "route" or "route6"; the key of a route
// is its prefix followed by its origin ("192.0.2.0/24AS64500").
func (r *Registry) Object(class, key string, sources []string) (string, bool) {
	srcs, err := r.selected(sources)
	if err != nil {
		return "", false
	}
	class = strings.ToLower(class)
	switch class {
	case "as-set", "route-set":
		name := strings.ToUpper(key)
		for _, s := range srcs {
			m := s.asSets
			if class == "route-set" {
				m = s.routeSets
			}
			if set := m[name]; set != nil {
				return set.text, true
			}
		}
	case "aut-num":
		n, err := asn.ParseStrict(key)
		if err != nil {
			return "", false
		}
		for _, s := range srcs {
			if a := s.autNums[n]; a != nil {
				return a.text, true
			}
		}
	case "route", "route6":
		i := strings.LastIndex(strings.ToUpper(key), "AS")
		if i < 0 {
			return "", false
		}
		p, err := netip.ParsePrefix(key[:i])
		if err != nil || p.Masked() != p || p.Addr().Is4() != (class == "route") {
			return "", false
		}
		n, err := asn.ParseStrict(key[i:])
		if err != nil {
			return "", false
		}
		for _, s := range srcs {
			if s.hasRoute(p, n) {
				return fmt.Sprintf("%s:%s%s\norigin:          %s\nsource:          %s\n",
					class, strings.Repeat(" ", 16-len(class)), p, asn.Format(n), s.name), true
			}
		}
	}
	return "", false
}

func (s *sourceData) hasRoute(p netip.Prefix, origin uint32) bool {
	if p.Addr().Is4() {
		_, ok := slices.BinarySearch(s.v4[origin], packV4(p))
		return ok
	}
	_, ok := slices.BinarySearchFunc(s.v6[origin], packV6(p), cmpV6)
	return ok
}

// Stats counts what a registry holds.
type Stats struct {
	Sources, ASSets, RouteSets, AutNums, Routes4, Routes6 int
}

// Shrink compares next with s, a registry loaded earlier from the same
// dumps, and returns the largest fraction (0 to 1) by which one of its
// counts fell (sets, aut-nums, IPv4 routes, IPv6 routes), with what the
// count is. A reload whose data shrank by more than a few percent is more
// likely a truncated or partial dump than a registry that lost objects.
func (s Stats) Shrink(next Stats) (frac float64, what string) {
	for _, c := range []struct {
		name      string
		old, next int
	}{
		{"sets", s.ASSets + s.RouteSets, next.ASSets + next.RouteSets},
		{"aut-nums", s.AutNums, next.AutNums},
		{"IPv4 routes", s.Routes4, next.Routes4},
		{"IPv6 routes", s.Routes6, next.Routes6},
	} {
		if c.old > 0 && c.next < c.old {
			if f := float64(c.old-c.next) / float64(c.old); f > frac {
				frac, what = f, fmt.Sprintf("%s fell from %d to %d", c.name, c.old, c.next)
			}
		}
	}
	return frac, what
}

// Stats returns counts over every source.
func (r *Registry) Stats() Stats {
	var st Stats
	st.Sources = len(r.order)
	for _, s := range r.sources {
		st.ASSets += len(s.asSets)
		st.RouteSets += len(s.routeSets)
		st.AutNums += len(s.autNums)
		for _, v := range s.v4 {
			st.Routes4 += len(v)
		}
		for _, v := range s.v6 {
			st.Routes6 += len(v)
		}
	}
	return st
}

// packV4 packs an IPv4 prefix into a uint64 that sorts by address, then
// length: address << 8 | bits.
func packV4(p netip.Prefix) uint64 {
	a := p.Addr().As4()
	return uint64(a[0])<<32 | uint64(a[1])<<24 | uint64(a[2])<<16 | uint64(a[3])<<8 | uint64(p.Bits())
}

func unpackV4(k uint64) netip.Prefix {
	a := netip.AddrFrom4([4]byte{byte(k >> 32), byte(k >> 24), byte(k >> 16), byte(k >> 8)})
	return netip.PrefixFrom(a, int(k&0xff))
}

// v6key is an IPv6 prefix as a comparable value that sorts by address,
// then length.
type v6key struct {
	hi, lo uint64
	bits   uint8
}

func packV6(p netip.Prefix) v6key {
	a := p.Addr().As16()
	var hi, lo uint64
	for i := 0; i < 8; i++ {
		hi = hi<<8 | uint64(a[i])
		lo = lo<<8 | uint64(a[i+8])
	}
	return v6key{hi: hi, lo: lo, bits: uint8(p.Bits())}
}

func unpackV6(k v6key) netip.Prefix {
	var a [16]byte
	for i := 0; i < 8; i++ {
		a[7-i] = byte(k.hi >> (8 * i))
		a[15-i] = byte(k.lo >> (8 * i))
	}
	return netip.PrefixFrom(netip.AddrFrom16(a), int(k.bits))
}

func cmpV6(a, b v6key) int {
	if c := cmp.Compare(a.hi, b.hi); c != 0 {
		return c
	}
	if c := cmp.Compare(a.lo, b.lo); c != 0 {
		return c
	}
	return cmp.Compare(a.bits, b.bits)
}
