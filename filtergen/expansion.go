package filtergen

import (
	"cmp"
	"slices"

	"github.com/filtergen/filtergen/irr"
)

// An Expansion records what a peer's announce items expanded to, beyond
// the filter itself: the AS-SET trees with their missing sets and loops,
// the ASNs of the cone that have no route object, and how the cone's
// origins fare against ASPA. The report package reads it; the templates
// do not need it.
type Expansion struct {
	// Sets holds the tree of each AS-SET announce item, in announce order.
	Sets []*SetTree `json:",omitempty"`
	// NoRoutes lists the ASNs of the cone (bogon ASNs dropped by policy
	// left out) that have no route object in any of the peer's
	// families, sorted, with the chain of sets that reached each.
	NoRoutes []ConeASN `json:",omitempty"`
	// ASPA is the check of the cone's origins against ASPA records; nil
	// when the RPKI data has none or there is no RPKI data.
	ASPA *ASPACheck `json:",omitempty"`
}

// A SetTree is the AS-SET tree of one announce item, as the expansion
// walked it: each set is listed once, under the set through which it
// was first reached (breadth-first, so at its smallest depth).
type SetTree struct {
	// Root is the announce item.
	Root string
	// Depth is the deepest nesting reached; the root's members are depth 1.
	Depth int
	// Sets lists every set visited, the root first, then by depth and
	// name.
	Sets []SetNode
	// Missing lists referenced sets that do not exist, with the path of
	// sets from the root to the one that referenced each.
	Missing []MissingSet `json:",omitempty"`
	// Loops lists each reference back to a set already on the path, as
	// the path ending in the repeated set.
	Loops [][]string `json:",omitempty"`
	// Warnings holds the expansion's other problems (a member of the
	// wrong type, a bad range operator).
	Warnings []string `json:",omitempty"`
}

// A SetNode is one set of a SetTree.
type SetNode struct {
	Name string
	// Source is the registry the set was taken from; empty when the
	// server does not say.
	Source string `json:",omitempty"`
	// Parent is the set through which Name was first reached; empty for
	// the root.
	Parent string `json:",omitempty"`
	// Depth is the set's nesting depth: 0 for the root.
	Depth int
	// ASNs counts the ASNs this set was the first to list.
	ASNs int
}

// A MissingSet is a set referenced in an expansion but not found.
type MissingSet struct {
	Name string
	Path []string // from the root to the set that referenced Name
}

// A ConeASN is an ASN of a peer's cone with the chain of sets that led
// to it (empty for an ASN announce item).
type ConeASN struct {
	ASN   uint32
	Chain []string `json:",omitempty"`
}

// ASPACheck says how the origins of a peer's cone fare against ASPA
// records (the same rule Compile applies, DropASPA): an origin other
// than the peer itself that has an ASPA record must list a provider
// inside the peer's cone (the peer included), or its routes cannot have
// reached us through this peer legitimately.
type ASPACheck struct {
	// Origins counts the origins of the cone that have an ASPA record.
	Origins int
	// NotInCone lists the origins none of whose providers is in the
	// cone, sorted by ASN.
	NotInCone []ASPAOrigin `json:",omitempty"`
}

// An ASPAOrigin is an origin whose ASPA providers are all outside the
// peer's cone.
type ASPAOrigin struct {
	ASN       uint32
	Providers []uint32
	Chain     []string `json:",omitempty"`
}

// newSetTree summarises the report of an AS-SET expansion. The report
// is shared by every peer that announces the set, and so is the tree.
func newSetTree(root string, rep *irr.Report) *SetTree {
	t := &SetTree{Root: root}
	if rep == nil {
		return t
	}
	t.Depth = rep.Depth
	asns := map[string]int{}
	for _, set := range rep.ASNParent {
		asns[set]++
	}
	depth := map[string]int{}
	var depthOf func(set string, guard int) int
	depthOf = func(set string, guard int) int {
		if d, ok := depth[set]; ok {
			return d
		}
		p, ok := rep.Parent[set]
		d := 0
		if ok && p != "" && guard <= len(rep.Parent) {
			d = depthOf(p, guard+1) + 1
		}
		depth[set] = d
		return d
	}
	for name, src := range rep.Sets {
		t.Sets = append(t.Sets, SetNode{Name: name, Source: src, Parent: rep.Parent[name],
			Depth: depthOf(name, 0), ASNs: asns[name]})
	}
	slices.SortFunc(t.Sets, func(a, b SetNode) int {
		if c := cmp.Compare(a.Depth, b.Depth); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	for _, m := range rep.Missing {
		t.Missing = append(t.Missing, MissingSet{Name: m.Name, Path: slices.Clone(m.Path)})
	}
	for _, l := range rep.Loops {
		t.Loops = append(t.Loops, slices.Clone(l))
	}
	t.Warnings = slices.Clone(rep.Warnings)
	return t
}

// checkASPA applies the rule of DropASPA to every origin of the cone.
func checkASPA(aspa ASPAProviders, origins []uint32, peer uint32, cone map[uint32]bool, chain func(uint32) []string) *ASPACheck {
	ck := &ASPACheck{}
	for _, n := range origins {
		if n == peer {
			continue
		}
		provs, has := aspa.Providers(n)
		if !has {
			continue
		}
		ck.Origins++
		if !slices.ContainsFunc(provs, func(p uint32) bool { return cone[p] }) {
			ck.NotInCone = append(ck.NotInCone, ASPAOrigin{ASN: n, Providers: slices.Clone(provs), Chain: chain(n)})
		}
	}
	return ck
}
