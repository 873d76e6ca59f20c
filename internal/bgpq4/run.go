package bgpq4

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/filtergen/filtergen/irr"
)

// MaxRangePrefixes caps how many prefixes the prefix ranges (x/y^+, ^-,
// ^n-m) of one run may expand to, all ranges together: bgpq4
// materialises every more-specific of a range and runs out of memory on
// an IPv6 ^+, or on a route-set of many ranges each just under a per-range
// cap; filtergen refuses instead.
const MaxRangePrefixes = 1 << 21

// Generate runs the bgpq4 command line o against exp and writes what
// bgpq4 1.9 would print to w. stderr (which may be nil) receives bgpq4's
// non-fatal "ERROR:" lines, such as rejected private ASNs.
//
// Unlike bgpq4, Generate fails (writing nothing) when a root object does
// not exist or a query fails; see the package documentation.
func Generate(ctx context.Context, exp irr.Expander, o *Options, w, stderr io.Writer) error {
	if err := o.checkPrintable(); err != nil {
		return err
	}
	if err := o.checkName(); err != nil {
		return err
	}
	g := &generator{o: o, exp: exp, warn: stderr, asns: map[uint32]struct{}{}}
	g.tree = &tree{v6: o.IPv6}
	if err := g.collect(ctx); err != nil {
		return err
	}
	t := g.tree
	if len(t.flat) > 100_000 {
		// The expander's answers (several times the size of the prefix
		// list) are garbage now: collect them before the tree and the
		// output are allocated, so that the heap does not grow past
		// bgpq4's footprint.
		runtime.GC()
	}
	t.finish(o.Aggregate || o.Refine != 0 || o.RefineLow != 0)
	if o.Refine != 0 && !t.empty() {
		t.refine(t.head, o.Refine)
	}
	if o.RefineLow != 0 && !t.empty() {
		maxBits := uint8(32)
		if o.IPv6 {
			maxBits = 128
		}
		t.refineLow(t.head, o.RefineLow, maxBits)
	}
	if o.Aggregate && !t.empty() {
		t.aggregate(t.head)
	}
	asns := make([]uint32, 0, len(g.asns))
	for a := range g.asns {
		asns = append(asns, a)
	}
	slices.Sort(asns)
	p := &printer{o: o, w: w, warn: stderr, tree: t, asns: asns, b: make([]byte, 0, flushAt+4<<10)}
	return p.print()
}

// MaxNameLen is the longest -l name accepted.
const MaxNameLen = 64

// checkName refuses a -l name that is not an identifier in the output
// format. bgpq4 copies the name into the output as given, so a name with
// a newline, a quote or a brace injects configuration or breaks -j's JSON.
// Accepted: letters, digits and _ . : - (not first), plus / for Juniper
// (-E's policy/term); BIRD symbols only letters, digits and _, not
// starting with a digit.
func (o *Options) checkName() error {
	name := o.Name
	bad := func(why string) error {
		return &Error{Code: 1, Msg: fmt.Sprintf("-l %s: %s", strconv.Quote(name), why)}
	}
	if name == "" || len(name) > MaxNameLen {
		return bad(fmt.Sprintf("want 1 to %d characters", MaxNameLen))
	}
	bird := o.Vendor == BIRD
	for i := 0; i < len(name); i++ {
		c := name[i]
		ok := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_' || c >= '0' && c <= '9' && !(bird && i == 0)
		if !ok && !bird {
			ok = i > 0 && (c == '.' || c == ':' || c == '-' || c == '/' && o.Vendor == Juniper)
		}
		if !ok {
			if bird {
				return bad(fmt.Sprintf("character %q at %d: a BIRD name is letters, digits and _, not starting with a digit", c, i))
			}
			return bad(fmt.Sprintf("character %q at %d: a name is letters, digits, _ and, after the first character, . : -", c, i))
		}
	}
	return nil
}

type generator struct {
	o    *Options
	exp  irr.Expander
	warn io.Writer
	tree *tree
	asns map[uint32]struct{} // the ASNs bgpq4 would hold in its asnlist
	// ranged counts the prefixes the ranges inserted so far expand to,
	// overlaps counted twice: MaxRangePrefixes caps the sum.
	ranged int
}

func (g *generator) warnf(format string, args ...any) {
	if g.warn != nil {
		fmt.Fprintf(g.warn, "ERROR:"+format+"\n", args...)
	}
}

func (g *generator) family() irr.Family {
	if g.o.IPv6 {
		return irr.IPv6
	}
	return irr.IPv4
}

// expandOptions returns the expansion options of the command line. A
// SOURCE::NAME object keeps its pin in the name given to the Expander.
func (g *generator) expandOptions() *irr.ExpandOptions {
	var sources []string
	if g.o.Sources != "" {
		sources = strings.Split(g.o.Sources, ",")
	}
	return &irr.ExpandOptions{Sources: sources, RouteSources: sources, MaxDepth: g.o.MaxDepth, Exclude: g.o.Except}
}

// isPrivate reports the ASNs bgpq4 1.9 rejects unless -p: the
// documentation and private ranges 64496-65551 and everything from
// 4200000000.
func isPrivate(a uint32) bool {
	return a >= 4200000000 || (a >= 64496 && a <= 65551)
}

func (g *generator) addASN(a uint32) {
	if !g.o.Private && isPrivate(a) {
		g.warnf("Invalid AS number: %d", a)
		return
	}
	g.asns[a] = struct{}{}
}

// kind classifies a command-line object as bgpq4 does.
type kind int

const (
	kindIgnored kind = iota
	kindASSet
	kindRouteSet
	kindASN
	kindPrefix
)

func classify(arg string) (k kind, source, name string) {
	name = arg
	if i := strings.Index(arg, "::"); i >= 0 {
		source, name = arg[:i], arg[i+2:]
	}
	hasPrefix := func(s, p string) bool { return len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) }
	switch {
	case hasPrefix(name, "AS-"):
		return kindASSet, source, name
	case hasPrefix(name, "RS-"):
		return kindRouteSet, source, name
	case hasPrefix(name, "AS"):
		if i := strings.IndexByte(name, ':'); i >= 0 {
			switch {
			case hasPrefix(name[i+1:], "AS-"):
				return kindASSet, source, name
			case hasPrefix(name[i+1:], "RS-"):
				return kindRouteSet, source, name
			}
			return kindIgnored, source, name
		}
		return kindASN, source, name
	}
	return kindPrefix, source, name
}

// collect expands every object into g.tree (prefix generations) or
// g.asns (AS-path generations).
func (g *generator) collect(ctx context.Context) error {
	o := g.o
	prefixes := o.Gen >= PrefixList
	var sets []string // AS-SETs, SOURCE:: kept
	var rsets []string
	for _, arg := range o.Objects {
		k, _, name := classify(arg)
		switch k {
		case kindASSet:
			sets = append(sets, arg)
		case kindRouteSet:
			rsets = append(rsets, arg)
		case kindASN:
			// bgpq4 parses the digits after "AS" with strtoul and rejects
			// anything after them (so asdot "AS1.5" is an error).
			digits := name[2:]
			end := 0
			for end < len(digits) && digits[end] >= '0' && digits[end] <= '9' {
				end++
			}
			if end < len(digits) {
				g.warnf("Invalid symbol in AS number: '%c' in %s", digits[end], name)
				continue
			}
			// strtoul into a uint32, as bgpq4: "AS" alone is AS0, and a
			// number past 2^32 wraps.
			g.addASN(uint32(strtoul(digits)))
		case kindPrefix:
			if err := g.addArgPrefix(arg); err != nil {
				return err
			}
		}
	}
	for _, s := range sets {
		asns, _, err := g.exp.ExpandASNs(ctx, s, g.expandOptions())
		if err != nil {
			return objectError(s, err)
		}
		if prefixes && (o.Private || !slices.ContainsFunc(asns, isPrivate)) {
			// Nothing to reject: let the Expander give the set's prefixes
			// in one go (one !a4/!a6 query on a server that has it)
			// instead of asking per ASN.
			ranges, _, err := g.exp.ExpandPrefixes(ctx, s, g.family(), g.expandOptions())
			if err != nil {
				return objectError(s, err)
			}
			g.tree.reserve(len(ranges))
			for _, r := range ranges {
				g.addRoute(r.Prefix)
			}
			continue
		}
		for _, a := range asns {
			g.addASN(a)
		}
	}
	if prefixes {
		for _, s := range rsets {
			ranges, _, err := g.exp.ExpandPrefixes(ctx, s, g.family(), g.expandOptions())
			if err != nil {
				return objectError(s, err)
			}
			for _, r := range ranges {
				if err := g.addRange(r); err != nil {
					return err
				}
			}
		}
	}
	if len(g.asns) == 0 {
		return nil
	}
	asns := make([]uint32, 0, len(g.asns))
	for a := range g.asns {
		asns = append(asns, a)
	}
	slices.Sort(asns)
	if prefixes {
		routes, err := g.exp.Routes(ctx, asns, g.family(), g.expandOptions())
		if err != nil {
			return fmt.Errorf("routes of %d ASNs: %w", len(asns), err)
		}
		g.tree.reserve(len(routes))
		for _, r := range routes {
			g.addRoute(r.Prefix)
		}
		return nil
	}
	if o.Validate {
		// bgpq4 1.9 queries every ASN for -w but removes none (its test is
		// inverted); filtergen drops the ASNs without routes.
		routes, err := g.exp.Routes(ctx, asns, g.family(), g.expandOptions())
		if err != nil {
			return fmt.Errorf("routes of %d ASNs: %w", len(asns), err)
		}
		has := map[uint32]bool{}
		for _, r := range routes {
			has[r.Origin] = true
		}
		for _, a := range asns {
			if !has[a] {
				delete(g.asns, a)
			}
		}
	}
	return nil
}

func objectError(obj string, err error) error {
	if errors.Is(err, irr.ErrNotFound) {
		return &Error{Code: 1, Msg: fmt.Sprintf("%s: %v", strconv.Quote(obj), err)}
	}
	return &Error{Code: 1, Msg: fmt.Sprintf("expanding %s: %v", strconv.Quote(obj), err)}
}

// addRoute inserts the prefix of a route object, unless it is of the
// other family or longer than -m (which bgpq4 drops silently).
func (g *generator) addRoute(p netip.Prefix) {
	if p.Addr().Is6() != g.o.IPv6 || p.Bits() > int(g.o.MaxLen) || p.Bits() < 0 {
		return
	}
	g.tree.add(pfxFrom(p))
}

// addRange inserts a prefix range from a route-set as bgpq4 does: an
// exact prefix when it is no longer than -m, a range as every prefix it
// holds, its end cut to -m.
func (g *generator) addRange(r irr.PrefixRange) error {
	p := r.Prefix.Masked()
	if p.Addr().Is6() != g.o.IPv6 || p.Bits() > int(g.o.MaxLen) {
		return nil
	}
	if r.IsExact() {
		g.tree.add(pfxFrom(p))
		return nil
	}
	return g.insertRange(r.String(), p, r.Min, min(r.Max, g.o.MaxLen))
}

func (g *generator) insertRange(text string, p netip.Prefix, lo, hi uint8) error {
	left := MaxRangePrefixes - g.ranged
	n := rangeSize(uint8(p.Bits()), lo, hi, left)
	if n > left {
		if g.ranged == 0 {
			return &Error{Code: 1, Msg: (&rangeLimitError{Range: text, Limit: MaxRangePrefixes}).Error()}
		}
		return &Error{Code: 1, Msg: (&rangeLimitError{Range: text, Limit: MaxRangePrefixes, Before: g.ranged}).Error()}
	}
	g.ranged += n
	g.tree.addRange(pfxFrom(p), lo, hi)
	return nil
}

// addArgPrefix adds a prefix or prefix range given on the command line.
// Anything bgpq4 cannot add there (a bad prefix, the other family, longer
// than -m) is fatal, exit 1.
func (g *generator) addArgPrefix(arg string) error {
	o := g.o
	text, rng, isRange := strings.Cut(arg, "^")
	if isRange && rng == "" {
		return failf("Unable to add prefix-range %s (bad range or address-family)", arg)
	}
	p, ok := parsePrefix(text)
	bad := func() error {
		if isRange {
			return failf("Unable to add prefix-range %s (bad range or address-family)", arg)
		}
		return failf("Unable to add prefix %s (bad prefix or address-family)", arg)
	}
	if !ok {
		g.warnf("Unable to parse prefix %s", arg)
		return bad()
	}
	if p.Addr().Is6() != o.IPv6 {
		if isRange {
			fam := 2
			if p.Addr().Is6() {
				fam = 10
			}
			g.warnf("Ignoring prefix %s, wrong af %d", arg, fam)
		}
		return bad()
	}
	if p.Bits() > int(o.MaxLen) {
		return bad()
	}
	if !isRange {
		g.tree.add(pfxFrom(p))
		return nil
	}
	plen := uint8(p.Bits())
	maxBits := uint8(32)
	if o.IPv6 {
		maxBits = 128
	}
	var lo, hi uint64
	switch {
	case rng[0] == '-':
		lo, hi = uint64(plen)+1, uint64(o.MaxLen)
	case rng[0] == '+':
		lo, hi = uint64(plen), uint64(o.MaxLen)
	case rng[0] >= '0' && rng[0] <= '9':
		i := 0
		for i < len(rng) && rng[i] >= '0' && rng[i] <= '9' {
			i++
		}
		lo = strtoul(rng[:i])
		rest := rng[i:]
		switch {
		case len(rest) >= 2 && rest[0] == '-' && rest[1] >= '0' && rest[1] <= '9':
			hi = strtoul(rest[1:])
		case rest != "":
			g.warnf("Unable to parse prefix-range %s", text)
			return bad()
		default:
			// "^n": bgpq4 1.9 leaves the end at 0 and adds nothing;
			// filtergen reads it as RFC 2622 does, lengths n to n.
			hi = lo
		}
	default:
		g.warnf("Invalid prefix-range %s", arg)
		return bad()
	}
	if lo < uint64(plen) {
		g.warnf("Invalid prefix-range %s: min %d < masklen %d", arg, lo, plen)
		return bad()
	}
	if hi > uint64(maxBits) {
		g.warnf("Invalid prefix-range %s: max %d > %d", arg, hi, maxBits)
		return bad()
	}
	hi = min(hi, uint64(o.MaxLen))
	if lo > hi {
		return nil
	}
	return g.insertRange(arg, p, uint8(lo), uint8(hi))
}

// parsePrefix parses a prefix as bgpq4's sx_prefix_parse does: no length
// means a host route, a length beyond the family's maximum means the
// maximum, host bits are cleared, and IPv4 octets may be written in C
// notation (010 is octal, 0x10 hex).
func parsePrefix(s string) (netip.Prefix, bool) {
	addrText, lenText, hasLen := strings.Cut(s, "/")
	length := -1
	if hasLen {
		i := 0
		t := strings.TrimLeft(lenText, " \t")
		neg := false
		if t != "" && (t[0] == '-' || t[0] == '+') {
			neg = t[0] == '-'
			t = t[1:]
		}
		n := 0
		for i < len(t) && t[i] >= '0' && t[i] <= '9' {
			if n < 1000 {
				n = n*10 + int(t[i]-'0')
			}
			i++
		}
		if i < len(t) && !strings.ContainsRune(" \t\n\v\f\r", rune(t[i])) {
			return netip.Prefix{}, false
		}
		if neg {
			n = -n
		}
		length = n
	}
	var a netip.Addr
	if strings.Contains(addrText, ":") {
		var err error
		if a, err = netip.ParseAddr(addrText); err != nil || a.Zone() != "" || a.Is4() {
			return netip.Prefix{}, false
		}
	} else {
		var err error
		if a, err = netip.ParseAddr(addrText); err != nil {
			var ok bool
			if a, ok = parseCQuad(addrText); !ok {
				return netip.Prefix{}, false
			}
		}
	}
	maxBits := a.BitLen()
	if length < 0 || length > maxBits {
		length = maxBits
	}
	return netip.PrefixFrom(a, length).Masked(), true
}

// parseCQuad parses "a.b.c.d" with each part in C integer notation, the
// fallback bgpq4 uses (sscanf "%i.%i.%i.%i").
func parseCQuad(s string) (netip.Addr, bool) {
	parts := strings.SplitN(s, ".", 4)
	if len(parts) != 4 {
		return netip.Addr{}, false
	}
	var b [4]byte
	for i, p := range parts {
		if i == 3 {
			// sscanf stops at the first character that is not part of
			// the number; trailing junk is ignored.
			j := 0
			for j < len(p) && (p[j] >= '0' && p[j] <= '9' || p[j] >= 'a' && p[j] <= 'f' || p[j] >= 'A' && p[j] <= 'F' || p[j] == 'x' || p[j] == 'X') {
				j++
			}
			p = p[:j]
		}
		v, err := strconv.ParseInt(strings.TrimSpace(p), 0, 64)
		if err != nil || v < 0 || v > 255 {
			return netip.Addr{}, false
		}
		b[i] = byte(v)
	}
	return netip.AddrFrom4(b), true
}
