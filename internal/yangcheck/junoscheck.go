package yangcheck

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/openconfig/goyang/pkg/yang"
)

// CheckJunos checks a Junos curly-brace configuration (a whole file or a
// fragment rooted at the top level, as "load merge" takes it) against the
// schema. It returns every problem found, sorted by line; nil means the
// configuration is valid as far as the schema can tell. name is used in
// the errors' File field.
func (s *Schema) CheckJunos(name string, cfg []byte) []Error {
	r, stmts, ok := s.parse(name, cfg, Junos, "Junos", parseJunos)
	if !ok {
		return r.result()
	}
	w := &jwalker{r: r}
	w.block(&jframe{n: s.root, path: "/" + s.root.name}, stmts)
	return r.result()
}

// parse begins a check of cfg, in dialect d (called what in messages):
// it refuses a schema of another dialect and input over the size limit
// (ok is false), and reports a syntax error, returning the statements
// read before it, which are still checked.
func (s *Schema) parse(name string, cfg []byte, d Dialect, what string,
	parse func([]byte, int) ([]*jstmt, *Error)) (r *reporter, stmts []*jstmt, ok bool) {
	lim := s.limits.withDefaults()
	r = &reporter{file: name, max: lim.MaxErrors}
	if s.dialect != d {
		r.add(1, "", "schema is for %s, not %s", s.dialect, what)
		return r, nil, false
	}
	if len(cfg) > lim.MaxBytes {
		r.add(1, "", "input is %d bytes, over the limit of %d", len(cfg), lim.MaxBytes)
		return r, nil, false
	}
	stmts, perr := parse(cfg, lim.MaxDepth)
	if perr != nil {
		r.add(perr.Line, "", "syntax: %s", perr.Msg)
	}
	return r, stmts, true
}

// WithLimits returns a copy of s that checks inputs under l.
func (s *Schema) WithLimits(l Limits) *Schema {
	c := *s
	c.limits = l
	return &c
}

type jwalker struct {
	r *reporter
}

// A jframe is one instance of a container or list entry being filled in.
type jframe struct {
	n    *node
	path string
	// collection: a homogeneous list given without a key, whose block
	// holds the entries ("source-prefix-list { A; B; }").
	collection bool
	cases      map[*node]chosen
}

type chosen struct {
	cas  *node
	name string
	line int
}

func (w *jwalker) block(f *jframe, stmts []*jstmt) {
	for _, st := range stmts {
		if f.collection {
			w.entry(f, st)
			continue
		}
		w.stmt([]*jframe{f}, st, 0, 0)
	}
}

// entry checks one statement inside a homogeneous list's collection
// block: its first words are the entry's key values.
func (w *jwalker) entry(f *jframe, st *jstmt) {
	i := 0
	del := slices.Contains(st.ann, "delete")
	ef, ok := w.keys(f.n, f.path, st.words, &i, st.line, del)
	if !ok {
		return
	}
	w.stmt([]*jframe{f, ef}, st, i, 1)
}

// stmt checks one statement, its words from i on. Words resolve in the
// innermost frame of stack that names them, never below stack[floor]:
// the first word of a statement in a block resolves in the block's frame
// (floor 0); the words after it only in the frames the statement itself
// opened (a oneliner's attributes), so floor becomes 1.
func (w *jwalker) stmt(stack []*jframe, st *jstmt, i, floor int) {
	del := slices.Contains(st.ann, "delete")
	words := st.words
	lastLeaf := false
	for i < len(words) {
		wd := words[i]
		var c *node
		var nokw bool
		var f *jframe
		for len(stack)-1 >= floor {
			f = stack[len(stack)-1]
			if c, nokw = w.resolve(f, wd); c != nil || len(stack)-1 == floor {
				break
			}
			stack = stack[:len(stack)-1]
		}
		if f == nil || len(stack)-1 < floor {
			w.r.add(wd.line, stack[len(stack)-1].path, "unexpected %s after a value", wd)
			return
		}
		if c == nil {
			w.unknown(f, wd)
			return
		}
		floor = 1
		w.choose(f, c, wd.line)
		path := f.path + "/" + c.name
		switch c.kind {
		case kLeaf, kLeafList:
			lastLeaf = true
			if !nokw {
				i++
				if c.typ != nil && c.typ.kind == yang.Yempty {
					continue
				}
			}
			if i >= len(words) {
				if !del {
					w.r.add(wd.line, path, "missing value")
				}
				return
			}
			v := words[i]
			i++
			if v.isList {
				if c.kind == kLeaf {
					w.r.add(v.line, path, "a [ ] list where one value is expected")
					continue
				}
				for _, x := range v.list {
					w.value(c, path, x, v.line)
				}
				continue
			}
			w.value(c, path, v.text, v.line)
		case kContainer:
			i++
			lastLeaf = false
			stack = append(stack, &jframe{n: c, path: path})
		case kList:
			if !nokw {
				i++
			}
			lastLeaf = false
			if i >= len(words) && !nokw {
				if st.hasBlock && c.homogeneous {
					stack = append(stack, &jframe{n: c, path: path, collection: true})
					continue
				}
				if !del {
					w.r.add(wd.line, path, "missing %s", strings.Join(c.keys, " "))
				}
				return
			}
			ef, ok := w.keys(c, path, words, &i, wd.line, del)
			if !ok {
				return
			}
			stack = append(stack, ef)
		case kAny:
			return
		}
	}
	if !st.hasBlock {
		return
	}
	top := stack[len(stack)-1]
	if lastLeaf || len(stack) == 1 {
		w.r.add(st.line, top.path, "{ } block after a value: only a container or list entry takes a block")
		return
	}
	w.block(top, st.block)
}

// resolve finds the schema node a word names in frame f: a keyword, or
// the value of a nokeyword leaf or list key.
func (w *jwalker) resolve(f *jframe, wd jword) (*node, bool) {
	if !wd.quoted && !wd.isList {
		if c := f.n.kw[wd.text]; c != nil && !isKey(f.n, c) {
			return c, false
		}
	}
	if wd.isList {
		return nil, false
	}
	var first *node
	for _, c := range f.n.nokw {
		if isKey(f.n, c) {
			continue
		}
		t := c.typ
		if c.kind == kList {
			if len(c.keyNode) == 0 {
				continue
			}
			t = c.keyNode[0].typ
		}
		if first == nil {
			first = c
		}
		if t.check(wd.text) == nil {
			return c, true
		}
	}
	if first != nil && !f.n.hasKeyword(wd.text) {
		// One nokeyword candidate: take it, so its type error is
		// reported rather than "unknown keyword".
		if len(f.n.nokw) == 1 || countNonKey(f.n) == 1 {
			return first, true
		}
	}
	return nil, false
}

func (n *node) hasKeyword(s string) bool { _, ok := n.kw[s]; return ok }

func countNonKey(n *node) int {
	c := 0
	for _, x := range n.nokw {
		if !isKey(n, x) {
			c++
		}
	}
	return c
}

func isKey(list, c *node) bool {
	return list.kind == kList && slices.Contains(list.keyNode, c)
}

func (w *jwalker) unknown(f *jframe, wd jword) {
	if f.collection {
		w.r.add(wd.line, f.path, "unexpected %s", wd)
		return
	}
	var names []string
	for _, c := range f.n.children {
		if c.kind == kChoice {
			continue
		}
		names = append(names, c.name)
	}
	hint := ""
	if f.path == "/configuration" || len(names) <= 8 {
		slices.Sort(names)
		hint = " (expected one of: " + strings.Join(names, ", ") + ")"
		if f.path == "/configuration" {
			hint = " (the loaded schema covers: " + strings.Join(topNames(f.n), ", ") + ")"
		}
	}
	if wd.quoted || wd.isList {
		w.r.add(wd.line, f.path, "unexpected value %s%s", wd, hint)
		return
	}
	w.r.add(wd.line, f.path, "unknown keyword %q%s", wd.text, hint)
}

func topNames(n *node) []string {
	var out []string
	for k := range n.kw {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// choose records which case of each enclosing choice c belongs to, and
// reports a second case of the same choice.
func (w *jwalker) choose(f *jframe, c *node, line int) {
	for _, cc := range f.n.via[c] {
		if f.cases == nil {
			f.cases = map[*node]chosen{}
		}
		prev, ok := f.cases[cc.choice]
		if ok && prev.cas != cc.cas {
			w.r.add(line, f.path+"/"+c.name, "%s conflicts with %s (line %d): both set in choice %s", c.name, prev.name, prev.line, cc.choice.name)
			continue
		}
		if !ok {
			f.cases[cc.choice] = chosen{cc.cas, c.name, line}
		}
	}
}

func (w *jwalker) value(c *node, path, v string, line int) {
	if err := c.typ.check(v); err != nil {
		w.r.add(line, path, "%q: %v", v, err)
	}
}

// keys consumes a list entry's key values from words[*i:] and returns the
// frame of the entry.
func (w *jwalker) keys(l *node, path string, words []jword, i *int, line int, del bool) (*jframe, bool) {
	ef := &jframe{n: l, path: path}
	var ident, addr string
	for k, kn := range l.keyNode {
		kpath := path + "/" + kn.name
		if kn.name == "choice-value" {
			need, known := choiceValueNeeded(ident)
			avail := *i < len(words) && !words[*i].isList && !(words[*i].quoted == false && l.hasKeyword(words[*i].text))
			take := avail
			if known {
				take = need
			} else if avail && k+1 < len(l.keyNode) {
				take = *i+1 < len(words) && !(words[*i+1].quoted == false && l.hasKeyword(words[*i+1].text))
			}
			if !take {
				continue
			}
			if !avail {
				w.r.add(line, kpath, "%s needs a value", ident)
				return nil, false
			}
			v := words[*i]
			*i++
			if err := routeFilterValue(ident, v.text, addr); err != nil {
				w.r.add(v.line, kpath, "%q: %v", v.text, err)
			} else {
				w.value(kn, kpath, v.text, v.line)
			}
			continue
		}
		if *i >= len(words) {
			if !del {
				w.r.add(line, kpath, "missing value of key %s", kn.name)
			}
			return nil, false
		}
		v := words[*i]
		if v.isList {
			w.r.add(v.line, kpath, "a [ ] list where the key %s is expected", kn.name)
			return nil, false
		}
		// A key without nokeyword may be written with its name first.
		if !kn.nokeyword && !v.quoted && v.text == kn.name && *i+1 < len(words) && kn.name != "choice-ident" {
			*i++
			v = words[*i]
		}
		*i++
		if kn.name == "choice-ident" {
			ident = literalEnum(kn, v.text)
			if strings.HasPrefix(ident, "\x00") {
				sym := ""
				for s, e := range literals {
					if e == v.text {
						sym = s
					}
				}
				w.r.add(v.line, kpath, "%q: the CLI spells this %q", v.text, sym)
				return nil, false
			}
			if err := kn.typ.check(ident); err != nil {
				w.r.add(v.line, kpath, "%q: %v", v.text, err)
				return nil, false
			}
			continue
		}
		if kn.name == "address" {
			addr = v.text
		}
		if err := kn.typ.check(v.text); err != nil {
			w.r.add(v.line, kpath, "%q: %v", v.text, err)
		}
		if strings.HasSuffix(path, "/interfaces/interface") && kn.name == "name" && strings.Contains(v.text, ".") && !strings.ContainsAny(v.text, "<>*$") {
			w.r.add(v.line, kpath, "%q: a physical interface name has no unit: write %s { unit %s { ... } }", v.text, v.text[:strings.IndexByte(v.text, '.')], v.text[strings.IndexByte(v.text, '.')+1:])
		}
	}
	return ef, true
}

// literalEnum maps the CLI's symbols to the enum names the Junos models
// give them ("=" is equal-literal, "+" plus-literal, "-" minus-literal).
var literals = map[string]string{"=": "equal-literal", "+": "plus-literal", "-": "minus-literal"}

func literalEnum(kn *node, v string) string {
	if e, ok := literals[v]; ok && kn.typ != nil && kn.typ.enum != nil && kn.typ.enum.IsDefined(e) {
		return e
	}
	if strings.HasSuffix(v, "-literal") {
		return "\x00" + v // the enum name itself is not CLI syntax
	}
	return v
}

// choiceValueNeeded says whether a route-filter match type takes a value.
// The Junos models key route filters by (address, choice-ident,
// choice-value) and leave this to the CLI grammar.
func choiceValueNeeded(ident string) (need, known bool) {
	switch ident {
	case "exact", "longer", "orlonger":
		return false, true
	case "upto", "through", "prefix-length-range", "address-mask":
		return true, true
	}
	return false, false
}

// routeFilterValue checks the value of a route-filter match type against
// the prefix it modifies.
func routeFilterValue(ident, v, addr string) error {
	if _, known := choiceValueNeeded(ident); !known {
		return nil
	}
	var pfx netip.Prefix
	if p, err := netip.ParsePrefix(addr); err == nil {
		pfx = p
	} else if a, err := netip.ParseAddr(addr); err == nil {
		pfx = netip.PrefixFrom(a, a.BitLen())
	}
	maxLen := 128
	if pfx.IsValid() {
		maxLen = pfx.Addr().BitLen()
	}
	length := func(s string) (int, error) {
		if !strings.HasPrefix(s, "/") {
			return 0, fmt.Errorf("want /LENGTH")
		}
		n, err := strconv.Atoi(s[1:])
		if err != nil || n < 0 || n > maxLen {
			return 0, fmt.Errorf("prefix length out of range 0..%d", maxLen)
		}
		if pfx.IsValid() && n < pfx.Bits() {
			return 0, fmt.Errorf("prefix length /%d is shorter than the prefix's /%d", n, pfx.Bits())
		}
		return n, nil
	}
	switch ident {
	case "upto":
		_, err := length(v)
		return err
	case "prefix-length-range":
		a, b, ok := strings.Cut(v, "-")
		if !ok {
			return fmt.Errorf("want /MIN-/MAX")
		}
		x, err := length(a)
		if err != nil {
			return err
		}
		y, err := length(b)
		if err != nil {
			return err
		}
		if x > y {
			return fmt.Errorf("range /%d-/%d is empty", x, y)
		}
	case "through":
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return fmt.Errorf("want a prefix")
		}
		if pfx.IsValid() && (p.Addr().Is4() != pfx.Addr().Is4() || p.Bits() < pfx.Bits() || !pfx.Contains(p.Addr())) {
			return fmt.Errorf("not a more specific of %s", pfx)
		}
	case "address-mask":
		a, err := netip.ParseAddr(v)
		if err != nil {
			return fmt.Errorf("want an address mask")
		}
		if pfx.IsValid() && a.Is4() != pfx.Addr().Is4() {
			return fmt.Errorf("mask family differs from the prefix")
		}
	}
	return nil
}
