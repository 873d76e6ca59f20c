package templates

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/fnv"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"text/template"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/internal/platform"
)

// Template functions of the Arista EOS and Nokia SR OS (classic CLI and
// MD-CLI) templates. Every list renderer builds its text in one
// strings.Builder from the platform package's entry printers, so that a
// full table renders in about a second.
func init() {
	for k, v := range eosSROSFuncs {
		ownFuncs[k] = v
	}
}

var eosSROSFuncs = template.FuncMap{
	// eosPrefixList renders an EOS prefix-list in bgpq4 -e layout,
	// replaced as a whole ("no ip prefix-list" first; inside a
	// configure session the pair is atomic). An empty list holds one
	// deny-everything entry (vendors.md §1.3), never nothing.
	"eosPrefixList": eosPrefixList,
	// eosOrLonger renders a prefix-list of each prefix with all its
	// more-specifics.
	"eosOrLonger": func(name string, fam filtergen.Family, ps []netip.Prefix) (string, error) {
		return eosPrefixList(name, fam, orLonger(ps))
	},
	// eosPaths returns the Cisco-flavour regexes of a peer's origin
	// check, as bgpq4's -e -f templates write them.
	"eosPaths": func(p *filtergen.PeerResult) []string {
		return originPaths(p, 8, platform.AppendIOSPathOnly, platform.AppendIOSPathVia, platform.AppendIOSPathOriginated)
	},
	// eosACL renders the body of an EOS ingress ACL: one permit per
	// source prefix, then deny everything (BCP 38).
	"eosACL": func(fam filtergen.Family, ps []netip.Prefix) string {
		kw := "ip"
		if fam == filtergen.IPv6 {
			kw = "ipv6"
		}
		var b []byte
		for i, p := range ps {
			b = append(b, "   "...)
			b = strconv.AppendInt(b, int64(i+1)*10, 10)
			b = append(b, " permit "...)
			b = append(b, kw...)
			b = append(b, ' ')
			if p.IsSingleIP() {
				b = append(b, "host "...)
				b = platform.AppendAddr(b, p.Addr())
			} else {
				b = platform.AppendPrefix(b, p)
			}
			b = append(b, " any\n"...)
		}
		b = append(b, "   "...)
		b = strconv.AppendInt(b, int64(len(ps)+1)*10, 10)
		b = append(b, " deny "...)
		b = append(b, kw...)
		b = append(b, " any any"...)
		return string(b)
	},
	// srosPrefixList renders a classic-CLI prefix-list for a
	// "configure router policy-options begin ... commit" block: removed
	// and redefined in the same transaction. An empty list is only
	// removed: the policy must not reference it (vendors.md §1.3).
	"srosPrefixList": func(name string, rs []filtergen.PrefixRange) (string, error) {
		head := "no prefix-list \"" + name + "\""
		if len(rs) == 0 {
			return head, nil
		}
		body, err := lines(rs, "    prefix ", "", "", platform.AppendSROS)
		if err != nil {
			return "", fmt.Errorf("%w in %s", err, name)
		}
		return head + "\nprefix-list \"" + name + "\"\n" + body + "\nexit", nil
	},
	// mdcliPrefixList renders an MD-CLI prefix-list, deleted and
	// redefined in one commit (bgpq4 -n layout). An empty list is only
	// deleted: the policy must not reference it.
	"mdcliPrefixList": func(name string, rs []filtergen.PrefixRange) (string, error) {
		head := "delete prefix-list \"" + name + "\""
		if len(rs) == 0 {
			return head, nil
		}
		var sb strings.Builder
		sb.Grow(len(rs)*60 + 64)
		sb.WriteString(head)
		sb.WriteString("\nprefix-list \"")
		sb.WriteString(name)
		sb.WriteString("\" {\n")
		var b []byte
		for _, r := range rs {
			e := platform.EntryFrom(r.Prefix, r.Min, r.Max)
			if !e.IsValid() {
				return "", fmt.Errorf("templates: invalid filter entry %s in %s", r, name)
			}
			b = platform.AppendMDCLI(b[:0], e, "    ")
			sb.Write(b)
		}
		sb.WriteString("}")
		return sb.String(), nil
	},
	// srosPaths returns the SR OS (ASN-token) expressions of a peer's
	// origin check, as bgpq4's -N -f writes them: at most 8 origins an
	// expression, so that none nears the 255-character limit.
	"srosPaths": func(p *filtergen.PeerResult) []string {
		return originPaths(p, 8, platform.AppendSROSPathOnly, platform.AppendSROSPathVia, platform.AppendSROSPathOriginated)
	},
	// srosBogonASNs is the SR OS expression matching a path with a
	// bogon AS anywhere: ".* [0 23456 64496-64511 ...] .*".
	"srosBogonASNs": func() string {
		b := []byte(".* [")
		for i, r := range filtergen.BogonASNs {
			if i > 0 {
				b = append(b, ' ')
			}
			b = strconv.AppendUint(b, uint64(r.First), 10)
			if r.Last != r.First {
				b = append(b, '-')
				b = strconv.AppendUint(b, uint64(r.Last), 10)
			}
		}
		return string(append(b, "] .*"...))
	},
	// defaultRoute is the default route of family fam as an exact entry.
	"defaultRoute": func(fam filtergen.Family) []filtergen.PrefixRange {
		p := netip.MustParsePrefix("0.0.0.0/0")
		if fam == filtergen.IPv6 {
			p = netip.MustParsePrefix("::/0")
		}
		return []filtergen.PrefixRange{{Prefix: p}}
	},
	// srosFilterID is replaced per router (srosFilterIDs) by
	// NewRenderer and Renderer.Whole, which knows every filter on the
	// router and keeps their IDs apart; this placeholder only runs when
	// a template is executed outside a Renderer.
	"srosFilterID": func(peer string, fam filtergen.Family, ps []netip.Prefix, denyAll bool) (int, error) {
		return 0, errors.New("templates: srosFilterID outside Render")
	},
	// srosFilterOld returns the earlier versions of a peer's filters
	// (ReplacedFilter: family and ID), which its file deletes after the
	// swap; replaced with srosFilterID.
	"srosFilterOld": func(peer string) ([]ReplacedFilter, error) {
		return nil, errors.New("templates: srosFilterOld outside Render")
	},
	// rtrName names the RTR cache at index i (EOS rpki cache).
	"rtrName": func(i int) string { return "FG_RTR" + strconv.Itoa(i+1) },
}

// eosPrefixList is eosPrefixList in the FuncMap.
func eosPrefixList(name string, fam filtergen.Family, rs []filtergen.PrefixRange) (string, error) {
	kw := "ip"
	deny := "0.0.0.0/0 le 32"
	if fam == filtergen.IPv6 {
		kw, deny = "ipv6", "::/0 le 128"
	}
	var sb strings.Builder
	sb.Grow(len(rs)*40 + 128)
	sb.WriteString("no " + kw + " prefix-list " + name + "\n" + kw + " prefix-list " + name + "\n")
	if len(rs) == 0 {
		sb.WriteString("   seq 10 deny " + deny)
		return sb.String(), nil
	}
	var b []byte
	for i, r := range rs {
		e := platform.EntryFrom(r.Prefix, r.Min, r.Max)
		if !e.IsValid() || r.Prefix.Addr().Is4() != (fam == filtergen.IPv4) {
			return "", fmt.Errorf("templates: invalid %s filter entry %s in %s", fam, r, name)
		}
		b = append(b[:0], "   seq "...)
		b = strconv.AppendInt(b, int64(i+1)*10, 10)
		b = append(b, " permit "...)
		b = platform.AppendIOS(b, e)
		if i < len(rs)-1 {
			b = append(b, '\n')
		}
		sb.Write(b)
	}
	return sb.String(), nil
}

// originPaths returns the regexes of a peer's origin check in one
// flavour: "only the neighbor AS" when the neighbor originates its own
// routes, then "via the neighbor AS to one of the origins" (or, without
// first-AS enforcement, "ending in one of the origins") in groups of
// chunk origins.
func originPaths(p *filtergen.PeerResult, chunk int,
	only func([]byte, uint32) []byte, via func([]byte, uint32, []uint32) []byte, orig func([]byte, []uint32) []byte) []string {
	var out []string
	first := p.Import.EnforceFirstAS
	others := make([]uint32, 0, len(p.ASNs))
	for _, a := range p.ASNs {
		if a != p.ASN || !first {
			others = append(others, a)
		}
	}
	if first && slices.Contains(p.ASNs, p.ASN) {
		out = append(out, string(only(nil, p.ASN)))
	}
	for c := range slices.Chunk(others, chunk) {
		if first {
			out = append(out, string(via(nil, p.ASN, c)))
		} else {
			out = append(out, string(orig(nil, c)))
		}
	}
	return out
}

// srosFilterBase and srosFilterSpan bound the classic-CLI ip-filter and
// ipv6-filter IDs filtergen uses: 10000 to 59999.
const (
	srosFilterBase = 10000
	srosFilterSpan = 50000
)

// srosFilterContent writes what identifies a classic-CLI filter (peer,
// family, permitted sources, deny-all) into h: the one input of both
// srosFilterHash and srosFilterDigest. The family goes in as its text, as
// before families were typed, so that the IDs on routers stay what they
// were.
func srosFilterContent(h hash.Hash, peer string, fam filtergen.Family, ps []netip.Prefix, denyAll bool) {
	h.Write([]byte(peer + "\x00" + fam.String() + "\x00" + strconv.FormatBool(denyAll)))
	for _, p := range ps {
		h.Write(p.Addr().AsSlice())
		h.Write([]byte{byte(p.Bits())})
	}
}

// srosFilterHash is the preferred ID of a classic-CLI filter, from its
// content: classic filter edits are not transactional, so a changed ACL
// is built under a new ID and swapped on the interface in one command
// (vendors.md §1.4).
func srosFilterHash(peer string, fam filtergen.Family, ps []netip.Prefix, denyAll bool) int {
	h := fnv.New32a()
	srosFilterContent(h, peer, fam, ps, denyAll)
	return int(h.Sum32() % srosFilterSpan)
}

// srosFilterDigest identifies a classic-CLI filter's content in a
// FilterID, so that a later render knows whether the filter on the router
// is the one it would write.
func srosFilterDigest(peer string, fam filtergen.Family, ps []netip.Prefix, denyAll bool) string {
	h := sha256.New()
	srosFilterContent(h, peer, fam, ps, denyAll)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// srosFiltered reports whether anti-spoofing as has a classic-CLI
// filter: an ingress ACL, or a family where everything is dropped.
func srosFiltered(as filtergen.AntiSpoof) bool { return as.IngressACL || as.DenyAll }

// MaxOldFilterIDs is how many earlier IDs of one filter a FilterID keeps
// (FilterID.Old): the IDs of its last versions, which its peer's file
// deletes after the swap, so that a written file that was never applied
// leaves nothing behind once a later one is.
const MaxOldFilterIDs = 3

// A FilterID is one SR OS classic-CLI ingress filter (ip-filter or
// ipv6-filter) of a router, as a render numbered it: a write path keeps
// the list a render returns (Renderer.Filters) and passes it to the next
// render of the router (Options.Filters), so that a new filter never
// takes the ID of one that may still be on the router.
type FilterID struct {
	Peer      string
	Family    filtergen.Family
	Interface string // the customer's interface on the router
	ID        int    // 10000 to 59999
	// Digest identifies the filter's content: a later render keeps ID
	// for a filter whose content is the same.
	Digest string
	// Old lists the IDs of the filter's earlier versions, newest first,
	// at most MaxOldFilterIDs: the peer's file deletes them once its
	// interface uses ID, and no other filter takes them meanwhile.
	Old []int
}

// srosKey is one classic-CLI filter of a router: a peer's family on an
// interface.
type srosKey struct {
	peer  string
	fam   filtergen.Family
	iface string
}

// srosPeerFam is a peer's family: one filter in a render.
type srosPeerFam struct {
	peer string
	fam  filtergen.Family
}

// srosNumbering is the filter numbering of one router's render.
type srosNumbering struct {
	router string
	ids    map[srosPeerFam]int
	// old holds, per peer, the filters its file deletes after the swap.
	old map[string][]FilterID
	// filters is the router's list after the render: its filters, then
	// the previous render's filters that this one no longer has
	// (orphans), sorted.
	filters []FilterID
	orphans []FilterID
}

// checkFilterIDs refuses a previous numbering that cannot be one
// filtergen wrote: an ID out of range, an unknown family, or an ID held
// twice (two filters, or a filter and another's old version).
func checkFilterIDs(router string, prev []FilterID) error {
	seen := map[int]string{}
	claim := func(f FilterID, id int, what string) error {
		where := fmt.Sprintf("peer %s %s interface %s", f.Peer, f.Family, strconv.Quote(f.Interface))
		if id < srosFilterBase || id >= srosFilterBase+srosFilterSpan {
			return fmt.Errorf("templates: router %s: previous filter IDs: %s: %s %d outside %d to %d",
				router, where, what, id, srosFilterBase, srosFilterBase+srosFilterSpan-1)
		}
		if other, ok := seen[id]; ok {
			return fmt.Errorf("templates: router %s: previous filter IDs: %s: %s %d is also held by %s",
				router, where, what, id, other)
		}
		seen[id] = where
		return nil
	}
	for _, f := range prev {
		// The names go into comments and commands: only what a policy
		// could have validated.
		if !safeName.MatchString(f.Peer) {
			return fmt.Errorf("%w: router %s: previous filter IDs: peer name %s", ErrUnsafe, router, strconv.Quote(f.Peer))
		}
		if f.Interface != "" && !safeIface.MatchString(f.Interface) {
			return fmt.Errorf("%w: router %s: previous filter IDs: peer %s: interface name %s", ErrUnsafe, router, f.Peer, strconv.Quote(f.Interface))
		}
		if len(f.Digest) != 32 || strings.Trim(f.Digest, "0123456789abcdef") != "" {
			return fmt.Errorf("templates: router %s: previous filter IDs: peer %s %s: digest %s is not 32 hexadecimal digits", router, f.Peer, f.Family, strconv.Quote(f.Digest))
		}
		if f.Family != filtergen.IPv4 && f.Family != filtergen.IPv6 {
			return fmt.Errorf("templates: router %s: previous filter IDs: peer %s: unknown family %q", router, f.Peer, f.Family)
		}
		if err := claim(f, f.ID, "ID"); err != nil {
			return err
		}
		if len(f.Old) > MaxOldFilterIDs {
			return fmt.Errorf("templates: router %s: previous filter IDs: peer %s %s: %d old IDs, at most %d",
				router, f.Peer, f.Family, len(f.Old), MaxOldFilterIDs)
		}
		for _, o := range f.Old {
			if err := claim(f, o, "old ID"); err != nil {
				return err
			}
		}
	}
	return nil
}

// srosFilterIDs numbers every classic-CLI filter on one router, given the
// filters of the router's previous render (prev, nil when unknown).
//
// A filter whose peer, family, interface and content are those of a
// previous filter keeps its ID: it is on the router already. Every other
// filter takes its preferred ID or, when that is taken, the next free
// one, where taken means held by another filter of this render or by any
// previous filter or old version (FilterID.Old) that this render does not
// keep: each may still exist on the router, and "ip-filter N create" on
// an existing filter would merge the two filters' entries. Peers are
// taken in name order, so the numbering does not depend on the order of
// the policy. Without prev, every filter takes its preferred ID or the
// next free one.
//
// A changed filter's previous ID, and its old IDs, become the new
// filter's Old, which the peer's file deletes after the swap. A previous
// filter that this render no longer has (its peer left the router, the
// family is no longer filtered, the interface changed) is an orphan: its
// interface may still use it, so it is not deleted but listed in the
// router's header, and its IDs stay taken.
func srosFilterIDs(peers []*filtergen.PeerResult, router string, prev []FilterID) (*srosNumbering, error) {
	if err := checkFilterIDs(router, prev); err != nil {
		return nil, err
	}
	n := &srosNumbering{router: router, ids: map[srosPeerFam]int{}, old: map[string][]FilterID{}}
	prevBy := map[srosKey]FilterID{}
	taken := map[int]bool{}
	for _, f := range prev {
		prevBy[srosKey{f.Peer, f.Family, f.Interface}] = f
		taken[f.ID] = true
		for _, o := range f.Old {
			taken[o] = true
		}
	}
	type filter struct {
		key    srosKey
		digest string
		hash   int
	}
	var fs []filter
	sorted := slices.Clone(peers)
	slices.SortFunc(sorted, func(a, b *filtergen.PeerResult) int { return strings.Compare(a.Name, b.Name) })
	for _, p := range sorted {
		for _, as := range antiSpoofing(p, router) {
			if !srosFiltered(as) {
				continue
			}
			fs = append(fs, filter{
				key:    srosKey{p.Name, as.Family, srosIface(p, router)},
				digest: srosFilterDigest(p.Name, as.Family, as.ACL, as.DenyAll),
				hash:   srosFilterHash(p.Name, as.Family, as.ACL, as.DenyAll),
			})
		}
	}
	matched := map[srosKey]bool{}
	out := map[srosKey]FilterID{}
	// Unchanged filters first: they keep their IDs.
	for _, f := range fs {
		if pf, ok := prevBy[f.key]; ok && pf.Digest == f.digest && !matched[f.key] {
			matched[f.key] = true
			n.ids[srosPeerFam{f.key.peer, f.key.fam}] = pf.ID
			out[f.key] = pf
		}
	}
	for _, f := range fs {
		if _, ok := n.ids[srosPeerFam{f.key.peer, f.key.fam}]; ok {
			continue
		}
		if len(taken) >= srosFilterSpan {
			return nil, fmt.Errorf("%w: router %s: more than %d anti-spoofing filters, counting the IDs of earlier filters that may still be on the router",
				ErrLimit, router, srosFilterSpan)
		}
		id := f.hash
		for taken[srosFilterBase+id] {
			id = (id + 1) % srosFilterSpan
		}
		id += srosFilterBase
		taken[id] = true
		n.ids[srosPeerFam{f.key.peer, f.key.fam}] = id
		nf := FilterID{Peer: f.key.peer, Family: f.key.fam, Interface: f.key.iface, ID: id, Digest: f.digest}
		if pf, ok := prevBy[f.key]; ok && !matched[f.key] {
			matched[f.key] = true
			nf.Old = append([]int{pf.ID}, pf.Old...)
			if len(nf.Old) > MaxOldFilterIDs {
				nf.Old = nf.Old[:MaxOldFilterIDs]
			}
		}
		out[f.key] = nf
	}
	for _, f := range fs {
		nf := out[f.key]
		n.filters = append(n.filters, nf)
		if len(nf.Old) > 0 {
			n.old[nf.Peer] = append(n.old[nf.Peer], nf)
		}
	}
	for _, f := range prev {
		if !matched[srosKey{f.Peer, f.Family, f.Interface}] {
			n.orphans = append(n.orphans, f)
		}
	}
	n.filters = append(n.filters, n.orphans...)
	slices.SortFunc(n.filters, compareFilterIDs)
	slices.SortFunc(n.orphans, compareFilterIDs)
	return n, nil
}

func compareFilterIDs(a, b FilterID) int {
	if c := strings.Compare(a.Peer, b.Peer); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Family, b.Family); c != 0 {
		return c
	}
	return strings.Compare(a.Interface, b.Interface)
}

// srosIface is the customer's interface on the router, as the iface
// template function returns it.
func srosIface(p *filtergen.PeerResult, router string) string {
	if a := p.Attachment(router); a != nil && a.Interface != "" {
		return a.Interface
	}
	return p.Settings.Interface
}

// id returns the ID of a peer's filter in family fam (srosFilterID).
func (n *srosNumbering) id(peer string, fam filtergen.Family) (int, error) {
	id, ok := n.ids[srosPeerFam{peer, fam}]
	if !ok {
		return 0, fmt.Errorf("templates: no filter ID for peer %s %s on router %s", peer, fam, n.router)
	}
	return id, nil
}

// A ReplacedFilter is an earlier version of a peer's classic-CLI filter,
// which the peer's file deletes once its interface no longer uses it
// (srosFilterOld).
type ReplacedFilter struct {
	Family filtergen.Family
	ID     int
}

// replaced returns the earlier versions of a peer's filters, by family,
// newest first.
func (n *srosNumbering) replaced(peer string) []ReplacedFilter {
	var out []ReplacedFilter
	for _, f := range n.old[peer] {
		for _, o := range f.Old {
			out = append(out, ReplacedFilter{Family: f.Family, ID: o})
		}
	}
	return out
}

// funcs returns the template functions bound to the numbering.
func (n *srosNumbering) funcs() template.FuncMap {
	return template.FuncMap{
		// The content arguments are those the preferred ID hashes; the
		// numbering has already read them from the Result.
		"srosFilterID": func(peer string, fam filtergen.Family, _ []netip.Prefix, _ bool) (int, error) {
			return n.id(peer, fam)
		},
		"srosFilterOld": n.replaced,
	}
}
