package templates

import (
	"errors"
	"fmt"
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

// srosFilterHash is the preferred ID of a classic-CLI filter, from its
// content (peer, family, permitted sources): classic filter edits are not
// transactional, so a changed ACL is built under a new ID and swapped on
// the interface in one command (vendors.md §1.4).
func srosFilterHash(peer string, fam filtergen.Family, ps []netip.Prefix, denyAll bool) int {
	h := fnv.New32a()
	// The family's text, as before families were typed: the IDs on
	// routers stay what they were.
	h.Write([]byte(peer + "\x00" + fam.String() + "\x00" + strconv.FormatBool(denyAll)))
	for _, p := range ps {
		h.Write(p.Addr().AsSlice())
		h.Write([]byte{byte(p.Bits())})
	}
	return int(h.Sum32() % srosFilterSpan)
}

// srosFiltered reports whether anti-spoofing as has a classic-CLI
// filter: an ingress ACL, or a family where everything is dropped.
func srosFiltered(as filtergen.AntiSpoof) bool { return as.IngressACL || as.DenyAll }

// srosFilterIDs numbers every classic-CLI filter on one router: each
// filter's preferred ID, or, when another filter of the router already
// has it, the next free one. Two customers' filters sharing an ID would
// merge their entries on the router, so a collision is never left in
// place. Peers are taken in name order, so the numbering does not depend
// on the order of the policy.
func srosFilterIDs(peers []*filtergen.PeerResult, router string) (func(peer string, fam filtergen.Family, ps []netip.Prefix, denyAll bool) (int, error), error) {
	type key struct {
		peer string
		fam  filtergen.Family
	}
	ids := map[key]int{}
	used := map[int]bool{}
	sorted := slices.Clone(peers)
	slices.SortFunc(sorted, func(a, b *filtergen.PeerResult) int { return strings.Compare(a.Name, b.Name) })
	for _, p := range sorted {
		for _, as := range antiSpoofing(p, router) {
			if !srosFiltered(as) {
				continue
			}
			if len(used) >= srosFilterSpan {
				return nil, fmt.Errorf("%w: router %s: more than %d anti-spoofing filters", ErrLimit, router, srosFilterSpan)
			}
			id := srosFilterHash(p.Name, as.Family, as.ACL, as.DenyAll)
			for used[id] {
				id = (id + 1) % srosFilterSpan
			}
			used[id] = true
			ids[key{p.Name, as.Family}] = srosFilterBase + id
		}
	}
	return func(peer string, fam filtergen.Family, ps []netip.Prefix, denyAll bool) (int, error) {
		id, ok := ids[key{peer, fam}]
		if !ok {
			return 0, fmt.Errorf("templates: no filter ID for peer %s %s on router %s", peer, fam, router)
		}
		return id, nil
	}, nil
}
