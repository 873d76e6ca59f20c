package yangcheck

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/openconfig/goyang/pkg/yang"
)

// A vtype is a leaf's type, ready to validate values.
// It keeps copies of what it needs from goyang's YangType, not the
// YangType itself, whose Base pointer reaches the whole parsed module: a
// loaded Schema holds no goyang data.
type vtype struct {
	valid    bool
	kind     yang.TypeKind
	name     string // the type's own name (typedef name or built-in)
	enum     *yang.EnumType
	bit      *yang.EnumType
	rng      yang.YangRange
	length   yang.YangRange
	frac     int
	members  []*vtype         // union
	patterns []*regexp.Regexp // YANG pattern (XSD), all must match
	patSrc   []string         // the patterns as the model writes them
	posix    []posixRE        // junos:posix-pattern, all must hold
	msg      string           // junos:pattern-message
	typedefs []string         // names of the typedef chain, nearest first
}

type posixRE struct {
	re     *regexp.Regexp
	negate bool
	src    string
}

type typeBuilder struct {
	d     Dialect
	cache map[string]*regexp.Regexp
	bad   map[string]bool
}

func newTypeBuilder(d Dialect) *typeBuilder {
	return &typeBuilder{d: d, cache: map[string]*regexp.Regexp{}, bad: map[string]bool{}}
}

func (tb *typeBuilder) build(at yang.Node, t *yang.Type, y *yang.YangType) *vtype {
	return tb.buildDepth(at, t, y, 0)
}

func (tb *typeBuilder) buildDepth(at yang.Node, t *yang.Type, y *yang.YangType, depth int) *vtype {
	v := &vtype{valid: true, kind: y.Kind, name: y.Name, enum: y.Enum, bit: y.Bit, rng: y.Range, length: y.Length, frac: y.FractionDigits}
	// The typedef chain: t names a typedef whose own type statement is
	// y.Base, and so on down to a built-in type.
	chain := []*yang.Type{}
	for c, i := t, 0; c != nil && i < 32; i++ {
		chain = append(chain, c)
		if _, builtin := yang.BaseTypedefs[c.Name]; builtin || c.YangType == nil || c.YangType.Base == c {
			break
		}
		v.typedefs = append(v.typedefs, localName(c.Name))
		c = c.YangType.Base
	}
	if y.Kind == yang.Yunion && depth < 16 {
		var u *yang.Type
		for _, c := range chain {
			if c.Name == "union" {
				u = c
				break
			}
		}
		if u != nil {
			for _, m := range u.Type {
				if m.YangType == nil {
					continue
				}
				v.members = append(v.members, tb.buildDepth(at, m, m.YangType, depth+1))
			}
		}
		return v
	}
	for _, p := range y.Pattern {
		if re := tb.compile(p, false); re != nil {
			v.patterns = append(v.patterns, re)
			v.patSrc = append(v.patSrc, p)
		}
	}
	if tb.d == Junos {
		for _, c := range chain {
			for _, e := range c.Extensions {
				_, kw, _ := strings.Cut(e.Keyword, ":")
				switch kw {
				case "posix-pattern":
					src := e.Argument
					neg := strings.HasPrefix(src, "!")
					if neg {
						src = src[1:]
					}
					if re := tb.compile(src, true); re != nil {
						v.posix = append(v.posix, posixRE{re, neg, e.Argument})
					}
				case "pattern-message":
					if v.msg == "" {
						v.msg = e.Argument
					}
				}
			}
		}
	}
	return v
}

func localName(s string) string {
	if i := strings.IndexByte(s, ':'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// compile compiles a YANG (XSD) pattern, anchored, or a POSIX ERE as Junos
// uses it (unanchored search). A pattern Go cannot compile is skipped:
// the value is then not checked against it.
func (tb *typeBuilder) compile(p string, posix bool) *regexp.Regexp {
	key := p
	if posix {
		key = "\x00" + p
	}
	if re, ok := tb.cache[key]; ok {
		return re
	}
	var re *regexp.Regexp
	var err error
	if posix {
		re, err = regexp.Compile(p)
	} else {
		re, err = regexp.Compile(`^(?:` + xsdToGo(p) + `)$`)
	}
	if err != nil {
		tb.bad[p] = true
		re = nil
	}
	tb.cache[key] = re
	return re
}

// xsdToGo translates the XSD regular expression dialect of YANG patterns
// to Go's: XSD has no anchors, so ^ and $ outside a character class are
// literal characters; \i and \c (XML name characters) are approximated.
func xsdToGo(p string) string {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			switch p[i+1] {
			case 'i':
				b.WriteString(`[_:A-Za-z]`)
			case 'I':
				b.WriteString(`[^_:A-Za-z]`)
			case 'c':
				b.WriteString(`[-._:A-Za-z0-9]`)
			case 'C':
				b.WriteString(`[^-._:A-Za-z0-9]`)
			default:
				b.WriteByte(c)
				b.WriteByte(p[i+1])
			}
			i++
		case c == '[':
			inClass = true
			b.WriteByte(c)
		case c == ']':
			inClass = false
			b.WriteByte(c)
		case (c == '^' || c == '$') && !inClass:
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// check validates one value. The error says why it is invalid.
func (t *vtype) check(v string) error {
	if t == nil || !t.valid {
		return nil
	}
	switch t.kind {
	case yang.Yunion:
		if len(t.members) == 0 {
			return nil
		}
		var errs []string
		for _, m := range t.members {
			err := m.check(v)
			if err == nil {
				return nil
			}
			errs = append(errs, err.Error())
		}
		if len(errs) == 1 {
			return fmt.Errorf("%s", errs[0])
		}
		return fmt.Errorf("matches no member of the union (%s)", strings.Join(dedup(errs), "; "))
	case yang.Yenum:
		if t.enum != nil && !t.enum.IsDefined(v) {
			return fmt.Errorf("not one of %s", enumList(t.enum))
		}
	case yang.Ybool:
		if v != "true" && v != "false" {
			return fmt.Errorf("not a boolean (true or false)")
		}
	case yang.Yempty:
		return fmt.Errorf("takes no value")
	case yang.Yint8, yang.Yint16, yang.Yint32, yang.Yint64,
		yang.Yuint8, yang.Yuint16, yang.Yuint32, yang.Yuint64:
		if !isInteger(v) {
			return fmt.Errorf("not an integer")
		}
		n, err := yang.ParseInt(v)
		if err != nil {
			return fmt.Errorf("not an integer")
		}
		if !inRange(t.rng, n) {
			return fmt.Errorf("out of range %s", t.rng)
		}
	case yang.Ydecimal64:
		n, err := yang.ParseDecimal(v, uint8(t.frac))
		if err != nil {
			return fmt.Errorf("not a decimal number with at most %d fraction digits", t.frac)
		}
		if !inRange(t.rng, n) {
			return fmt.Errorf("out of range %s", t.rng)
		}
	case yang.Ybits:
		if t.bit != nil {
			for _, f := range strings.Fields(v) {
				if !t.bit.IsDefined(f) {
					return fmt.Errorf("bit %q not one of %s", f, enumList(t.bit))
				}
			}
		}
	case yang.Ystring:
		if len(t.length) > 0 && !inRange(t.length, yang.FromInt(int64(utf8.RuneCountInString(v)))) {
			return fmt.Errorf("length %d out of range %s", utf8.RuneCountInString(v), t.length)
		}
		for i, re := range t.patterns {
			if !re.MatchString(v) {
				return fmt.Errorf("does not match pattern %q", t.patSrc[i])
			}
		}
		for _, p := range t.posix {
			if p.re.MatchString(v) == p.negate {
				if t.msg != "" {
					return fmt.Errorf("%s (posix-pattern %q)", t.msg, p.src)
				}
				return fmt.Errorf("does not satisfy posix-pattern %q", p.src)
			}
		}
		if err := t.junosSemantic(v); err != nil {
			return err
		}
	}
	// leafref, identityref, instance-identifier, binary: not checked.
	return nil
}

// junosSemantic applies what the Junos common typedefs mean: their YANG
// types are plain strings, but the CLI parses addresses and prefixes.
func (t *vtype) junosSemantic(v string) error {
	for _, td := range t.typedefs {
		switch td {
		case "ipv4addr":
			return addrCheck(v, 4)
		case "ipv6addr":
			return addrCheck(v, 6)
		case "ipaddr":
			return addrCheck(v, 0)
		case "ipv4prefix", "ipv4prefix-optional", "ipv4prefix-only":
			return prefixCheck(v, 4, false)
		case "ipv6prefix", "ipv6prefix-optional", "ipv6prefix-only":
			return prefixCheck(v, 6, false)
		case "ipprefix", "ipprefix-optional", "ipprefix-only":
			return prefixCheck(v, 0, false)
		case "ipv4prefix-mandatory":
			return prefixCheck(v, 4, true)
		case "ipv6prefix-mandatory":
			return prefixCheck(v, 6, true)
		case "ipprefix-mandatory":
			return prefixCheck(v, 0, true)
		}
	}
	return nil
}

func addrCheck(v string, fam int) error {
	a, err := netip.ParseAddr(v)
	if err != nil {
		return fmt.Errorf("not an IP address")
	}
	return famCheck(a, fam)
}

func famCheck(a netip.Addr, fam int) error {
	switch {
	case fam == 4 && !a.Is4():
		return fmt.Errorf("not an IPv4 address")
	case fam == 6 && !a.Is6():
		return fmt.Errorf("not an IPv6 address")
	}
	return nil
}

func prefixCheck(v string, fam int, mandatory bool) error {
	if !strings.Contains(v, "/") {
		if mandatory {
			return fmt.Errorf("not a prefix (address/length)")
		}
		return addrCheck(v, fam)
	}
	p, err := netip.ParsePrefix(v)
	if err != nil {
		return fmt.Errorf("not an IP prefix")
	}
	return famCheck(p.Addr(), fam)
}

func isInteger(v string) bool {
	if v == "" {
		return false
	}
	if v[0] == '-' || v[0] == '+' {
		v = v[1:]
	}
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return true
}

func inRange(r yang.YangRange, n yang.Number) bool {
	if len(r) == 0 {
		return true
	}
	for _, x := range r {
		if !n.Less(x.Min) && !x.Max.Less(n) {
			return true
		}
	}
	return false
}

// enumList lists an enumeration's names in the order of their values,
// which is the order the model gives them.
func enumList(e *yang.EnumType) string {
	vals := make([]int64, 0, len(e.ToString))
	for v := range e.ToString {
		vals = append(vals, v)
	}
	slices.Sort(vals)
	names := make([]string, len(vals))
	for i, v := range vals {
		names[i] = e.ToString[v]
	}
	const max = 12
	if len(names) > max {
		return strings.Join(names[:max], ", ") + ", ... (" + strconv.Itoa(len(names)) + " values)"
	}
	return strings.Join(names, ", ")
}

func dedup(s []string) []string {
	seen := map[string]bool{}
	out := s[:0:0]
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
