package yangcheck

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/openconfig/goyang/pkg/yang"
)

type kind uint8

const (
	kContainer kind = iota + 1
	kList
	kLeaf
	kLeafList
	kChoice
	kCase
	kAny // anyxml, anydata: accepts any content
)

func (k kind) String() string {
	switch k {
	case kContainer:
		return "container"
	case kList:
		return "list"
	case kLeaf:
		return "leaf"
	case kLeafList:
		return "leaf-list"
	case kChoice:
		return "choice"
	case kCase:
		return "case"
	case kAny:
		return "anydata"
	}
	return "?"
}

// A node is one schema node. Nodes are built once per YANG statement, so a
// grouping used in many places yields one shared subtree: a node has no
// parent and no path of its own (the checker tracks the path it walked).
type node struct {
	name     string
	kind     kind
	presence bool

	// Junos junos:cli-feature flags.
	nokeyword, oneliner, homogeneous bool

	// Lists.
	keys    []string
	keyNode []*node

	// Leaves and leaf-lists.
	typ *vtype

	// children are the direct data nodes in schema order (choices and
	// cases included as nodes).
	children []*node
	// kw maps the name of every data node reachable without a keyword
	// of its own (through choices and cases) to the node.
	kw map[string]*node
	// nokw lists, in schema order, the leaves, leaf-lists and lists of
	// kw that carry the junos nokeyword flag.
	nokw []*node
	// via records the choice/case chain a node of kw was reached through,
	// so two cases of one choice in one block can be reported.
	via map[*node][]choiceCase

	ast      yang.Node
	path     string // canonical schema path, "" inside groupings
	shared   bool
	expanded bool
}

type choiceCase struct{ choice, cas *node }

func (n *node) isDir() bool { return n.kind == kContainer || n.kind == kList }

type builder struct {
	ms       *yang.Modules
	d        Dialect
	memo     map[yang.Node]*node
	augments map[string][]*yang.Augment
	used     map[*yang.Augment]bool
	types    *typeBuilder
	errs     []error
}

func newBuilder(ms *yang.Modules, d Dialect) *builder {
	return &builder{
		ms:       ms,
		d:        d,
		memo:     map[yang.Node]*node{},
		augments: map[string][]*yang.Augment{},
		used:     map[*yang.Augment]bool{},
		types:    newTypeBuilder(d),
	}
}

// collectAugments indexes the top-level augment statements of every
// module by their target path, prefixes removed.
func (b *builder) collectAugments() error {
	for _, mods := range []map[string]*yang.Module{b.ms.Modules, b.ms.SubModules} {
		seen := map[*yang.Module]bool{}
		for _, m := range mods {
			if seen[m] {
				continue
			}
			seen[m] = true
			for _, a := range m.Augment {
				p := stripPrefixes(a.Name)
				b.augments[p] = append(b.augments[p], a)
			}
		}
	}
	return nil
}

func (b *builder) unusedAugments() error {
	var bad []string
	for p, as := range b.augments {
		for _, a := range as {
			if !b.used[a] {
				bad = append(bad, fmt.Sprintf("%s: augment %s: target not found (or inside a grouping, which is not supported)", yang.Source(a), p))
			}
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("%s", strings.Join(bad, "\n"))
}

func stripPrefixes(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if j := strings.IndexByte(s, ':'); j >= 0 {
			parts[i] = s[j+1:]
		}
	}
	return strings.Join(parts, "/")
}

// node returns the schema node for an AST node, creating it (without its
// children) on first use.
func (b *builder) node(a yang.Node, path string, shared bool) *node {
	if n := b.memo[a]; n != nil {
		return n
	}
	n := &node{name: a.NName(), ast: a, shared: shared}
	if !shared {
		n.path = path
	}
	switch s := a.(type) {
	case *yang.Container:
		n.kind = kContainer
		n.presence = s.Presence != nil
	case *yang.List:
		n.kind = kList
		n.keys = keys(s)
	case *yang.Leaf:
		n.kind = kLeaf
		n.typ = b.leafType(a, s.Type)
	case *yang.LeafList:
		n.kind = kLeafList
		n.typ = b.leafType(a, s.Type)
	case *yang.Choice:
		n.kind = kChoice
	case *yang.Case:
		n.kind = kCase
	case *yang.AnyXML, *yang.AnyData:
		n.kind = kAny
	}
	if b.d == Junos {
		for _, e := range a.Exts() {
			if b.isJunosExt(a, e.Keyword, "cli-feature") {
				switch e.Argument {
				case "nokeyword":
					n.nokeyword = true
				case "oneliner", "oneliner-plus":
					n.oneliner = true
				case "homogeneous":
					n.homogeneous = true
				}
			}
		}
	}
	b.memo[a] = n
	return n
}

func (b *builder) isJunosExt(a yang.Node, keyword, name string) bool {
	pfx, kw, ok := strings.Cut(keyword, ":")
	if !ok || kw != name {
		return false
	}
	m := yang.FindModuleByPrefix(a, pfx)
	return m != nil && m.Name == junosExtModule
}

func (b *builder) leafType(a yang.Node, t *yang.Type) *vtype {
	var leaf *yang.Leaf
	switch s := a.(type) {
	case *yang.Leaf:
		leaf = s
	case *yang.LeafList:
		leaf = &yang.Leaf{Name: s.Name, Source: s.Source, Parent: s.Parent, Extensions: s.Extensions, Type: s.Type}
	}
	e := yang.ToEntry(leaf)
	if len(e.Errors) > 0 || e.Type == nil {
		b.errs = append(b.errs, fmt.Errorf("%s: leaf %s: %v", yang.Source(a), a.NName(), e.Errors))
		return &vtype{}
	}
	return b.types.build(a, t, e.Type)
}

// build expands every node reachable from root, once each.
func (b *builder) build(root *node) {
	stack := []*node{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n.expanded {
			continue
		}
		n.expanded = true
		if n.kind == kLeaf || n.kind == kLeafList || n.kind == kAny {
			continue
		}
		b.dataChildren(n.ast, n.path, n.shared, &n.children, 0)
		for _, c := range n.children {
			if !c.expanded {
				stack = append(stack, c)
			}
		}
	}
	// Flatten once all nodes exist.
	for _, n := range b.memo {
		if n.kind == kContainer || n.kind == kList || n.kind == kCase {
			b.flatten(n)
		}
	}
}

// release drops the references to goyang's AST, so that a loaded Schema
// does not keep the parsed modules alive.
func (b *builder) release() {
	for _, n := range b.memo {
		n.ast = nil
	}
}

var childFields = []string{"Container", "List", "Leaf", "LeafList", "Choice", "Case", "Uses", "Anyxml", "Anydata"}

// dataChildren appends the data nodes defined directly in a (expanding
// uses, and adding augments aimed at path) in statement order.
func (b *builder) dataChildren(a yang.Node, path string, shared bool, out *[]*node, depth int) {
	if depth > 64 {
		b.errs = append(b.errs, fmt.Errorf("%s: uses nested more than 64 deep", yang.Source(a)))
		return
	}
	byStmt := map[*yang.Statement]yang.Node{}
	v := reflect.ValueOf(a).Elem()
	for _, f := range childFields {
		fv := v.FieldByName(f)
		if !fv.IsValid() {
			continue
		}
		for i := 0; i < fv.Len(); i++ {
			c := fv.Index(i).Interface().(yang.Node)
			byStmt[c.Statement()] = c
		}
	}
	for _, st := range a.Statement().SubStatements() {
		c, ok := byStmt[st]
		if !ok {
			continue
		}
		if u, ok := c.(*yang.Uses); ok {
			g := yang.FindGrouping(u, u.Name, map[string]bool{})
			if g == nil {
				b.errs = append(b.errs, fmt.Errorf("%s: unknown grouping %s", yang.Source(u), u.Name))
				continue
			}
			b.dataChildren(g, "", true, out, depth+1)
			continue
		}
		p := ""
		if !shared {
			p = path + "/" + c.NName()
		}
		*out = append(*out, b.node(c, p, shared))
	}
	if _, isAug := a.(*yang.Augment); !shared && path != "" && !isAug {
		for _, aug := range b.augments[path] {
			b.used[aug] = true
			b.dataChildren(aug, path, false, out, depth+1)
		}
	}
}

// flatten fills kw, nokw and via for a container, list entry or case.
func (b *builder) flatten(n *node) {
	n.kw = map[string]*node{}
	var walk func(children []*node, chain []choiceCase)
	walk = func(children []*node, chain []choiceCase) {
		for _, c := range children {
			switch c.kind {
			case kChoice:
				for _, cc := range c.children {
					if cc.kind == kCase {
						walk(cc.children, append(chain[:len(chain):len(chain)], choiceCase{c, cc}))
					} else {
						// Shorthand case: the data node is its own case.
						walk([]*node{cc}, append(chain[:len(chain):len(chain)], choiceCase{c, cc}))
					}
				}
			default:
				if _, dup := n.kw[c.name]; dup {
					continue
				}
				n.kw[c.name] = c
				if len(chain) > 0 {
					if n.via == nil {
						n.via = map[*node][]choiceCase{}
					}
					n.via[c] = chain
				}
				if c.nokeyword && (c.kind == kLeaf || c.kind == kLeafList || c.kind == kList) {
					n.nokw = append(n.nokw, c)
				}
			}
		}
	}
	walk(n.children, nil)
	if n.kind == kList {
		for _, k := range n.keys {
			kn := n.kw[k]
			if kn == nil || kn.kind != kLeaf {
				b.errs = append(b.errs, fmt.Errorf("%s: list %s: key %s is not a leaf of the list", yang.Source(n.ast), n.name, k))
				continue
			}
			n.keyNode = append(n.keyNode, kn)
		}
	}
}
