package templates

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/template"
	"time"

	"github.com/Masterminds/sprig/v3"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/internal/platform"
)

//go:embed */*.tmpl
var builtin embed.FS

// Builtin returns the embedded templates, "PLATFORM/router.tmpl" and
// "PLATFORM/peer.tmpl" for each platform that renders, and
// "host/nft.tmpl", the nftables anti-spoofing shared by the platforms
// whose daemon cannot filter packets, for a user to copy and override.
func Builtin() fs.FS { return builtin }

// Platforms lists the platforms that have templates (platform.Table).
func Platforms() []string { return platform.Names(true) }

// A File is one rendered configuration file, its Name relative to the
// output directory.
type File struct {
	Name string
	Data []byte
	// Peer is the peer the file belongs to; empty for a router's main file.
	Peer string
}

// Options tune rendering.
type Options struct {
	// Overrides, if set, holds templates that replace the built-in ones
	// with the same path ("bird2/peer.tmpl"). Open it with os.Root.FS so
	// that a template name cannot reach outside the directory.
	Overrides fs.FS
	// Filters is the router's SR OS classic-CLI filters as the previous
	// render of the router left them (Renderer.Filters), for a write path
	// that keeps them between runs; nil when unknown. A new filter then
	// never takes an ID that may still be in use on the router, and a
	// peer's file deletes the filters it replaced (see the package
	// documentation). Other platforms ignore it.
	Filters []FilterID
}

// sprigAllowed is the allow-list of sprig functions templates may use:
// pure string and list helpers only. Anything random, time-dependent,
// cryptographic or that reads the environment or network stays out, so
// that output is repeatable (--diff) and templates cannot read the machine.
var sprigAllowed = []string{
	"upper", "lower", "trim", "trimPrefix", "trimSuffix", "hasPrefix", "hasSuffix",
	"contains", "replace", "repeat", "indent", "nindent", "join", "default", "empty",
	"add", "sub", "mul", "div", "mod", "max", "min", "list", "first", "last", "has",
	"ternary", "toString", "int", "append",
}

// funcMap returns the functions of pl's templates for router r: the
// allowed sprig helpers, ownFuncs, and the functions bound to the
// platform, so that a template cannot escape text or check a name for the
// wrong platform.
func funcMap(pl *platform.Platform, r filtergen.Router) template.FuncMap {
	sp := sprig.TxtFuncMap()
	fm := template.FuncMap{}
	for _, name := range sprigAllowed {
		f, ok := sp[name]
		if !ok {
			panic("sprig has no " + name) // programmer error: the list is constant
		}
		fm[name] = f
	}
	for k, v := range ownFuncs {
		fm[k] = v
	}
	for k, v := range ciscoFuncs {
		fm[k] = v
	}
	for k, v := range platformFuncs(pl, r) {
		fm[k] = v
	}
	return fm
}

// platformFuncs are the template functions that depend on the platform
// and the router's declared version.
func platformFuncs(pl *platform.Platform, r filtergen.Router) template.FuncMap {
	return template.FuncMap{
		// ident joins parts with "_" into an object name and refuses it
		// unless it passes the portable rule and the platform's limit.
		"ident": func(parts ...string) (string, error) {
			s := strings.ToUpper(strings.Join(parts, "_"))
			if err := pl.ValidName(s); err != nil {
				return "", err
			}
			return s, nil
		},
		// vname returns a versioned object name (see vname).
		"vname": func(base string, content ...any) (string, error) { return vname(pl, base, content...) },
		// text writes free text (descriptions) in the platform's form:
		// sanitised, cut to its limit, quoted where it quotes strings.
		"text": pl.Text,
		// comment sanitises text for a comment line: nothing in it can
		// end the comment or start a command.
		"comment": func(s string) string { return platform.SanitizeText(s, 200) },
		// supports reports whether the router's declared version (or the
		// platform's baseline) has a feature; require fails the render
		// with an error saying which version is needed.
		"supports": func(feature string) bool { return pl.Supports(r.Version, feature) },
		"require": func(feature string) (string, error) {
			if err := pl.Require(r.Version, feature); err != nil {
				return "", fmt.Errorf("router %s: %w", r.Name, err)
			}
			return "", nil
		},
		// versionAtLeast reports whether a router's declared software
		// version (Router.Version, "2.0.12" or "24.4R1"; empty for the
		// platform's baseline) is at least min.
		"versionAtLeast": pl.AtLeast,
		// junosRanges renders a route-filter-list body. Junos tests a
		// route only against the entries with the longest covering
		// prefix, so the list is first rewritten with
		// filtergen.LongestMatchSafe, which can lengthen it: the
		// platform's per-list limit applies to the rewritten list.
		"junosRanges": func(rs []filtergen.PrefixRange, indent string) (string, error) {
			out := filtergen.LongestMatchSafe(rs)
			if pl.MaxListEntries > 0 && len(out) > pl.MaxListEntries {
				return "", fmt.Errorf("%w: a prefix list renders %d entries (%d before the rewrite for longest match); %s takes at most %d per list",
					ErrLimit, len(out), len(rs), pl.Title, pl.MaxListEntries)
			}
			return lines(out, indent, "", ";", platform.AppendJunos)
		},
		// aspaSet renders the OpenBGPD aspa-set of the result's ASPA
		// records, one customer a line.
		"aspaSet": aspaSet,
		// sessions returns the neighbor's session addresses on this
		// router in family fam.
		"sessions": func(p *filtergen.PeerResult, fam filtergen.Family) []netip.Addr { return neighbors(p, r.Name, fam) },
		// localAddress returns our source address towards the neighbor
		// in family fam on this router, or the zero Addr.
		"localAddress": func(p *filtergen.PeerResult, fam filtergen.Family) netip.Addr {
			if a := p.Attachment(r.Name); a != nil {
				if l := inFamily(a.LocalAddresses, fam); len(l) > 0 {
					return l[0]
				}
			}
			return netip.Addr{}
		},
		// iface returns the customer's interface on this router.
		"iface": func(p *filtergen.PeerResult) string {
			if a := p.Attachment(r.Name); a != nil && a.Interface != "" {
				return a.Interface
			}
			return p.Settings.Interface
		},
		// password reveals the session password for the configuration,
		// in the platform's form; Render has checked its characters.
		"password": func(p *filtergen.PeerResult) string {
			return p.Session.Password.Reveal()
		},
	}
}

// suffix is the name suffix of a family's objects: "V4", "V6".
func suffix(fam filtergen.Family) string {
	return map[filtergen.Family]string{filtergen.IPv4: "V4", filtergen.IPv6: "V6"}[fam]
}

// famIndex is the index of a family in the policy's per-family pairs
// (Settings.MinLength): 0 for IPv4, 1 for IPv6.
func famIndex(fam filtergen.Family) int {
	return map[filtergen.Family]int{filtergen.IPv4: 0, filtergen.IPv6: 1}[fam]
}

func inFamily(as []netip.Addr, fam filtergen.Family) []netip.Addr {
	var out []netip.Addr
	for _, a := range as {
		if a.Unmap().Is4() == (fam == filtergen.IPv4) {
			out = append(out, a.Unmap())
		}
	}
	return out
}

var ownFuncs = template.FuncMap{
	"quote":  func(s string) string { return platform.Quote(s, platform.MaxText) },
	"asn":    func(n uint32) string { return "AS" + strconv.FormatUint(uint64(n), 10) },
	"suffix": suffix,
	"rfc3339": func(t time.Time) string {
		if t.IsZero() {
			return "unknown"
		}
		return t.UTC().Format(time.RFC3339)
	},
	"accepted":  acceptedLine,
	"neighbors": neighbors,
	// attachment returns the peer's attachment on the router (never nil).
	"attachment": func(p *filtergen.PeerResult, router string) *filtergen.Attachment {
		if a := p.Attachment(router); a != nil {
			return a
		}
		return &filtergen.Attachment{Router: router}
	},
	"bogons": bogons,
	// hasACL reports whether a peer gets ingress ACLs: every family of a
	// customer with ingress_acl on, an empty ACL included (deny all), so
	// that no configured family is left unfiltered.
	"hasACL": func(p *filtergen.PeerResult) bool {
		return p.Customer && p.Settings.IngressACL && len(p.Families) > 0
	},
	"birdRanges": func(rs []filtergen.PrefixRange, indent string) (string, error) {
		return lines(rs, indent, ",", "", platform.AppendBIRD)
	},
	"birdSet": func(ps []netip.Prefix, indent string) (string, error) {
		rs := make([]filtergen.PrefixRange, len(ps))
		for i, p := range ps {
			rs[i] = filtergen.PrefixRange{Prefix: p, Min: uint8(p.Bits()), Max: uint8(p.Addr().BitLen())}
		}
		return lines(rs, indent, ",", "", platform.AppendBIRD)
	},
	"birdInts": func(ns []uint32, indent string) string {
		var b []byte
		for i, n := range ns {
			if i%10 == 0 {
				if i > 0 {
					b = append(b, ",\n"...)
				}
				b = append(b, indent...)
			} else {
				b = append(b, ", "...)
			}
			b = strconv.AppendUint(b, uint64(n), 10)
		}
		return string(b)
	},
	"birdBogonASNs": func() string {
		var parts []string
		for _, r := range filtergen.BogonASNs {
			if r.First == r.Last {
				parts = append(parts, strconv.FormatUint(uint64(r.First), 10))
			} else {
				parts = append(parts, fmt.Sprintf("%d..%d", r.First, r.Last))
			}
		}
		return strings.Join(parts, ", ")
	},
	"junosBogons": func(fam filtergen.Family, indent string) (string, error) {
		var rs []filtergen.PrefixRange
		for _, p := range bogons(fam) {
			rs = append(rs, filtergen.PrefixRange{Prefix: p, Min: uint8(p.Bits()), Max: uint8(p.Addr().BitLen())})
		}
		return lines(rs, indent, "", ";", platform.AppendJunos)
	},
	"junosPrefixes": func(ps []netip.Prefix, indent string) string {
		var b []byte
		for i, p := range ps {
			if i > 0 {
				b = append(b, '\n')
			}
			b = append(b, indent...)
			b = p.AppendTo(b)
			b = append(b, ';')
		}
		return string(b)
	},
	"junosBogonASNs": func() string {
		var parts []string
		for _, r := range filtergen.BogonASNs {
			if r.First == r.Last {
				parts = append(parts, strconv.FormatUint(uint64(r.First), 10))
			} else {
				parts = append(parts, fmt.Sprintf("%d-%d", r.First, r.Last))
			}
		}
		return "(.)* (" + strings.Join(parts, "|") + ") (.)*"
	},
	"junosPaths": junosPaths,
	// frrPrefixList renders an FRR (Cisco-syntax) prefix-list named
	// name in family fam, one "seq N permit ENTRY" line per entry; an
	// empty list becomes "seq 5 deny any", since FRR permits everything
	// through an empty list (vendors.md §1.3).
	"frrPrefixList": func(name string, fam filtergen.Family, rs []filtergen.PrefixRange) (string, error) {
		return ciscoPrefixList(name, fam, rs)
	},
	// frrOrLonger renders a prefix-list matching each prefix and all its
	// more-specifics, "deny any" when there is none.
	"frrOrLonger": func(name string, fam filtergen.Family, ps []netip.Prefix) (string, error) {
		return ciscoPrefixList(name, fam, orLonger(ps))
	},
	// frrOrigins renders a bgp as-path access-list permitting paths
	// whose RFC 6811 origin (the last AS, not an AS_SET) is one of asns,
	// eight ASNs a line as bgpq4 writes them.
	"frrOrigins": func(name string, asns []uint32) string {
		var b []byte
		seq := 0
		for chunk := range slices.Chunk(asns, 8) {
			seq += 5
			b = append(b, "bgp as-path access-list "...)
			b = append(b, name...)
			b = append(b, " seq "...)
			b = strconv.AppendInt(b, int64(seq), 10)
			b = append(b, " permit _("...)
			for i, a := range chunk {
				if i > 0 {
					b = append(b, '|')
				}
				b = strconv.AppendUint(b, uint64(a), 10)
			}
			b = append(b, ")$\n"...)
		}
		return strings.TrimSuffix(string(b), "\n")
	},
	// ciscoBogonASNs is a Cisco-flavour regex matching a path that
	// holds a bogon AS anywhere: "_(0|23456|6449[6-9]|...)_".
	"ciscoBogonASNs": func() string {
		b := []byte("_(")
		for i, r := range filtergen.BogonASNs {
			if i > 0 {
				b = append(b, '|')
			}
			b = platform.AppendDecimalRange(b, r.First, r.Last)
		}
		return string(append(b, ")_"...))
	},
	// own returns our own space in family fam.
	"own": func(res *filtergen.Result, fam filtergen.Family) []filtergen.PrefixRange {
		for _, o := range res.Own {
			if o.Family == fam {
				return o.Entries
			}
		}
		return nil
	},
	// orLonger widens entries to all their more-specifics.
	"orLonger": func(rs []filtergen.PrefixRange) []filtergen.PrefixRange {
		out := make([]filtergen.PrefixRange, len(rs))
		for i, r := range rs {
			out[i] = filtergen.PrefixRange{Prefix: r.Prefix, Min: uint8(r.Prefix.Bits()), Max: uint8(r.Prefix.Addr().BitLen())}
		}
		return out
	},
	// prefixes returns the prefixes of entries, without their ranges.
	"prefixes": func(rs []filtergen.PrefixRange) []netip.Prefix {
		var out []netip.Prefix
		for i, r := range rs {
			if i == 0 || r.Prefix != rs[i-1].Prefix {
				out = append(out, r.Prefix)
			}
		}
		return out
	},
	"ownEntries": func(res *filtergen.Result, fam filtergen.Family) []filtergen.PrefixRange {
		for _, o := range res.Own {
			if o.Family == fam {
				return o.Entries
			}
		}
		return nil
	},
	"ownPrefixes": func(res *filtergen.Result, fam filtergen.Family) []netip.Prefix {
		var out []netip.Prefix
		for _, o := range res.Own {
			if o.Family == fam {
				for _, e := range o.Entries {
					out = append(out, e.Prefix)
				}
			}
		}
		return out
	},
	// hostPrefixes returns each address as a host prefix (/32, /128).
	"hostPrefixes": func(as []netip.Addr) []netip.Prefix {
		out := make([]netip.Prefix, len(as))
		for i, a := range as {
			out[i] = netip.PrefixFrom(a, a.BitLen())
		}
		return out
	},
	"exactEntries": func(ps []netip.Prefix) []filtergen.PrefixRange {
		out := make([]filtergen.PrefixRange, len(ps))
		for i, p := range ps {
			out[i] = filtergen.PrefixRange{Prefix: p, Min: uint8(p.Bits()), Max: uint8(p.Bits())}
		}
		return out
	},
	// badLengths returns the ranges of prefixes shorter than min or
	// longer than max in family fam (min, max of 0 mean no bound).
	"badLengths": func(fam filtergen.Family, min, max int) []filtergen.PrefixRange {
		zero, bits := netip.MustParsePrefix("0.0.0.0/0"), 32
		if fam == filtergen.IPv6 {
			zero, bits = netip.MustParsePrefix("::/0"), 128
		}
		var out []filtergen.PrefixRange
		if min > 0 {
			out = append(out, filtergen.PrefixRange{Prefix: zero, Min: 0, Max: uint8(min - 1)})
		}
		if max > 0 && max < bits {
			out = append(out, filtergen.PrefixRange{Prefix: zero, Min: uint8(max + 1), Max: uint8(bits)})
		}
		return out
	},
	// obgpdPrefixSet renders an OpenBGPD prefix-set block, one entry a
	// line; an empty set is "prefix-set NAME { }", which never matches
	// (vendors.md §1.3).
	"obgpdPrefixSet": func(name string, rs []filtergen.PrefixRange) (string, error) {
		if len(rs) == 0 {
			return "prefix-set " + name + " { }", nil
		}
		body, err := lines(rs, "\t", "", "", platform.AppendOpenBGPD)
		if err != nil {
			return "", fmt.Errorf("%w in %s", err, name)
		}
		return "prefix-set " + name + " {\n" + body + "\n}", nil
	},
	// obgpdOrLonger renders a prefix-set of each prefix and its
	// more-specifics.
	"obgpdOrLonger": func(name string, ps []netip.Prefix) string {
		if len(ps) == 0 {
			return "prefix-set " + name + " { }"
		}
		b := []byte("prefix-set " + name + " {\n")
		for _, p := range ps {
			b = append(b, '\t')
			b = platform.AppendPrefix(b, p)
			b = append(b, " or-longer\n"...)
		}
		return string(append(b, '}'))
	},
	// obgpdASSet renders an as-set block, ten ASNs a line.
	"obgpdASSet": func(name string, asns []uint32) string {
		b := []byte("as-set " + name + " {")
		for i, a := range asns {
			if i%10 == 0 {
				b = append(b, "\n\t"...)
			} else {
				b = append(b, ' ')
			}
			b = strconv.AppendUint(b, uint64(a), 10)
		}
		return string(append(b, "\n}"...))
	},
	"bogonASNs": func() []filtergen.ASNRange { return filtergen.BogonASNs },
	// exportCodes lists the relationship codes (filtergen.Role.Code)
	// whose tagged routes an export sends, in code order.
	"exportCodes": func(ex filtergen.ExportPolicy) []uint32 {
		var out []uint32
		for _, r := range []struct {
			on   bool
			role filtergen.Role
		}{{ex.Customers, filtergen.RoleCustomer}, {ex.Peers, filtergen.RolePeer}, {ex.Providers, filtergen.RoleProvider},
			{ex.RouteServers, filtergen.RoleRouteServer}, {ex.RSClients, filtergen.RoleRSClient}} {
			if r.on {
				out = append(out, r.role.Code())
			}
		}
		slices.Sort(out)
		return out
	},
	// fail stops rendering with an error: for settings a platform
	// cannot express.
	"fail": func(msg string) (string, error) { return "", errors.New(msg) },
	// learnedFrom is DATA1 of the relationship large community.
	"learnedFrom": func() uint32 { return filtergen.CommunityLearnedFrom },
	"roles":       func() []filtergen.Role { return filtergen.Roles },
	"famIndex":    famIndex,
	"is4":         func(fam filtergen.Family) bool { return fam == filtergen.IPv4 },
	// ipv4 and ipv6 are the families, for the functions that take one
	// ("bogons ipv4"); families is both, IPv4 first ("range families").
	"ipv4":     func() filtergen.Family { return filtergen.IPv4 },
	"ipv6":     func() filtergen.Family { return filtergen.IPv6 },
	"families": func() []filtergen.Family { return []filtergen.Family{filtergen.IPv4, filtergen.IPv6} },
	"lc": func(c filtergen.LargeCommunity, sep string) string {
		return strconv.FormatUint(uint64(c.Global), 10) + sep + strconv.FormatUint(uint64(c.Data1), 10) + sep +
			strconv.FormatUint(uint64(c.Data2), 10)
	},
	// roleCode is the DATA2 of the relationship community of a role.
	"roleCode": func(r string) uint32 { return filtergen.Role(r).Code() },
	// birdRole is the BIRD "local role" keyword for a session with a
	// neighbor of role r.
	"birdRole": func(r filtergen.Role) string { return strings.ReplaceAll(r.RFC9234(), "-", "_") },
	// secret reveals a session password for the configuration; the
	// characters were checked when it was read.
	"secret":   func(s filtergen.Secret) string { return s.Reveal() },
	"is16":     func(n uint32) bool { return n <= 65535 },
	"junosIFD": func(name string) (string, error) { ifd, _, err := platform.JunosInterface(name); return ifd, err },
	"junosUnit": func(name string) (int, error) {
		_, u, err := platform.JunosInterface(name)
		return u, err
	},
	// localAddr returns the attachment's local address in the family,
	// or an invalid address.
	"localAddr": func(a *filtergen.Attachment, fam filtergen.Family) netip.Addr {
		for _, l := range a.LocalAddresses {
			if l.Is4() == (fam == filtergen.IPv4) {
				return l
			}
		}
		return netip.Addr{}
	},
	// antiSpoof returns the peer's anti-spoofing in family fam on the
	// router, or nil.
	"antiSpoof": func(p *filtergen.PeerResult, router string, fam filtergen.Family) *filtergen.AntiSpoof {
		for _, as := range antiSpoofing(p, router) {
			if as.Family == fam {
				return &as
			}
		}
		return nil
	},
	"antiSpoofing": antiSpoofing,
	// nftElements renders the elements of an nftables interval set, one
	// per line.
	"nftElements": func(ps []netip.Prefix, indent string) string {
		var b []byte
		for i, p := range ps {
			if i > 0 {
				b = append(b, ",\n"...)
			}
			b = append(b, indent...)
			b = p.AppendTo(b)
		}
		return string(b)
	},
}

// lines renders entries one per line through a vendor function, with
// sep after every line but the last and term after each.
//
// A full table makes a string of 50 MB, so it is built in a
// strings.Builder, whose String does not copy it again.
func lines(rs []filtergen.PrefixRange, indent, sep, term string, f func([]byte, platform.Entry) []byte) (string, error) {
	var sb strings.Builder
	sb.Grow(len(rs) * (len(indent) + len(sep) + len(term) + 28))
	var line []byte
	for i, r := range rs {
		e := platform.EntryFrom(r.Prefix, r.Min, r.Max)
		if !e.IsValid() {
			return "", fmt.Errorf("templates: invalid filter entry %s", r)
		}
		line = line[:0]
		if i > 0 {
			line = append(line, sep...)
			line = append(line, '\n')
		}
		line = append(line, indent...)
		line = f(line, e)
		line = append(line, term...)
		sb.Write(line)
	}
	return sb.String(), nil
}

// ciscoPrefixList renders a prefix-list in the Cisco syntax FRR takes:
// "ip prefix-list NAME seq N permit ENTRY", "ipv6" for IPv6, sequence
// numbers in steps of 5; an empty list denies everything.
func ciscoPrefixList(name string, fam filtergen.Family, rs []filtergen.PrefixRange) (string, error) {
	head := "ip prefix-list " + name + " seq "
	if fam == filtergen.IPv6 {
		head = "ipv6 prefix-list " + name + " seq "
	}
	if len(rs) == 0 {
		return head + "5 deny any", nil
	}
	var sb strings.Builder
	sb.Grow(len(rs) * (len(head) + 40))
	var line []byte
	for i, r := range rs {
		e := platform.EntryFrom(r.Prefix, r.Min, r.Max)
		if !e.IsValid() || r.Prefix.Addr().Is4() != (fam == filtergen.IPv4) {
			return "", fmt.Errorf("templates: invalid %s filter entry %s in %s", fam, r, name)
		}
		line = append(line[:0], head...)
		line = strconv.AppendInt(line, int64(i+1)*5, 10)
		line = append(line, " permit "...)
		line = platform.AppendIOS(line, e)
		line = append(line, '\n')
		sb.Write(line)
	}
	return strings.TrimSuffix(sb.String(), "\n"), nil
}

// orLonger returns an entry matching each prefix and its more-specifics.
func orLonger(ps []netip.Prefix) []filtergen.PrefixRange {
	out := make([]filtergen.PrefixRange, len(ps))
	for i, p := range ps {
		out[i] = filtergen.PrefixRange{Prefix: p, Min: uint8(p.Bits()), Max: uint8(p.Addr().BitLen())}
	}
	return out
}

// junosPaths renders the as-path-group members: "^P(P)*$" when the peer
// originates its own routes, then "^P(.)*(O1|…)$" (or, without first-AS
// enforcement, "^(.)*(O1|…)$") in groups of 8 origins, as bgpq4 does.
func junosPaths(p *filtergen.PeerResult, indent string) string {
	var b []byte
	n := 0
	line := func(re []byte) {
		if n > 0 {
			b = append(b, '\n')
		}
		b = append(b, indent...)
		b = append(b, "as-path a"...)
		b = strconv.AppendInt(b, int64(n), 10)
		b = append(b, " \""...)
		b = append(b, re...)
		b = append(b, "\";"...)
		n++
	}
	others := make([]uint32, 0, len(p.ASNs))
	for _, a := range p.ASNs {
		if a != p.ASN || !p.Settings.EnforceFirstAS {
			others = append(others, a)
		}
	}
	if p.Settings.EnforceFirstAS && slices.Contains(p.ASNs, p.ASN) {
		line(platform.AppendJunosPathOnly(nil, p.ASN))
	}
	for chunk := range slices.Chunk(others, 8) {
		if p.Settings.EnforceFirstAS {
			line(platform.AppendJunosPathVia(nil, p.ASN, chunk))
		} else {
			line(platform.AppendJunosPathOriginated(nil, chunk))
		}
	}
	return string(b)
}

// antiSpoofing returns the peer's anti-spoofing on the router: its
// attachment's, or the peer's for a Result without per-router entries.
func antiSpoofing(p *filtergen.PeerResult, router string) []filtergen.AntiSpoof {
	if a := p.Attachment(router); a != nil && a.AntiSpoofing != nil {
		return a.AntiSpoofing
	}
	return p.AntiSpoofing
}

// neighbors returns the peer's addresses of family fam on the router.
func neighbors(p *filtergen.PeerResult, router string, fam filtergen.Family) []netip.Addr {
	var out []netip.Addr
	a := p.Attachment(router)
	if a == nil {
		return nil
	}
	for _, a := range a.Neighbors {
		if a.Unmap().Is4() == (fam == filtergen.IPv4) {
			out = append(out, a.Unmap())
		}
	}
	return out
}

func bogons(fam filtergen.Family) []netip.Prefix {
	var out []netip.Prefix
	for _, p := range filtergen.BogonPrefixes {
		if p.Addr().Is4() == (fam == filtergen.IPv4) {
			out = append(out, p)
		}
	}
	return out
}

// AcceptedMarker starts the line in every peer file that records how many
// prefixes were accepted per family, which the shrink guard reads back.
const AcceptedMarker = "filtergen-accepted:"

func acceptedLine(p *filtergen.PeerResult) string {
	var b strings.Builder
	b.WriteString(AcceptedMarker)
	b.WriteString(" peer=")
	b.WriteString(p.Name)
	for _, f := range p.Families {
		fmt.Fprintf(&b, " %s=%d", f.Family, f.Count)
	}
	return b.String()
}

// ParseAccepted reads the accepted count back from a rendered peer file:
// the sum over families, and whether the marker was found.
func ParseAccepted(data []byte) (int, bool) {
	i := bytes.Index(data, []byte(AcceptedMarker))
	if i < 0 {
		return 0, false
	}
	line := data[i+len(AcceptedMarker):]
	if j := bytes.IndexByte(line, '\n'); j >= 0 {
		line = line[:j]
	}
	total, found := 0, false
	for _, f := range strings.Fields(string(line)) {
		k, v, ok := strings.Cut(f, "=")
		var fam filtergen.Family
		if !ok || fam.UnmarshalText([]byte(k)) != nil {
			continue
		}
		// A count is a decimal of at most 10 digits (a 32-bit max-prefix
		// space): a sign, or a number that could overflow the sum, is not
		// a count and is skipped, so a forged marker cannot lower it.
		if v == "" || len(v) > 10 || strings.TrimLeft(v, "0123456789") != "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			continue
		}
		total += n
		found = true
	}
	return total, found
}

type routerData struct {
	Result   *filtergen.Result
	Router   filtergen.Router
	Platform *platform.Platform
	Peers    []*filtergen.PeerResult
	// Operator lists what is left to the operator, one OperatorMarker
	// line each (see the package documentation).
	Operator []string
	// RSClients, DefaultExport and BFD say whether any peer on the
	// router is a route-server client, gets a default route only, or
	// uses BFD.
	RSClients, DefaultExport, BFD bool
	// GTSM says whether any session asks for TTL security.
	GTSM bool
	// NoFirstAS says whether some neighbor's first AS is not checked
	// (a route server's): platforms whose check is global turn it off
	// and check the first AS per neighbor in the import policy.
	NoFirstAS bool
	// ROV says whether any import on the router validates origins
	// against the RTR caches.
	ROV bool
	// Originate says whether the router originates our own space
	// (Result.Own): only when a session on it announces that space. A
	// route server whose sessions are all route-server clients rejects
	// our space from them but neither announces it nor nails it down
	// with discard routes, which on a route server would shadow the
	// path to the services network behind it.
	Originate bool
	// SROSOrphans lists the SR OS classic-CLI filters of the previous
	// render (Options.Filters) that this one no longer has: a peer left
	// the router, a family is no longer filtered or the interface
	// changed. They may still be on the router (their IDs stay taken);
	// the operator deletes them.
	SROSOrphans []FilterID
}

// Originated returns our own space in family fam when the router
// originates it, nil otherwise: what its static routes and network
// statements hold.
func (d routerData) Originated(fam filtergen.Family) []filtergen.PrefixRange {
	if !d.Originate {
		return nil
	}
	for _, o := range d.Result.Own {
		if o.Family == fam {
			return o.Entries
		}
	}
	return nil
}

// OperatorMarker starts each header line of a router's main file that
// names something filtergen leaves to the operator; see the package
// documentation for the keys.
const OperatorMarker = "filtergen-operator:"

// newRouterData computes what the router templates need besides the
// result.
func newRouterData(res *filtergen.Result, router filtergen.Router, pl *platform.Platform, peers []*filtergen.PeerResult) routerData {
	d := routerData{Result: res, Router: router, Platform: pl, Peers: peers}
	for _, p := range peers {
		d.RSClients = d.RSClients || p.Role == filtergen.RoleRSClient
		d.DefaultExport = d.DefaultExport || p.Export.DefaultOnly
		d.BFD = d.BFD || p.Session.BFD
		d.ROV = d.ROV || p.Import.RejectRPKIInvalid
		d.GTSM = d.GTSM || p.Session.TTLSecurity > 0
		d.NoFirstAS = d.NoFirstAS || !p.Import.EnforceFirstAS
		d.Originate = d.Originate || (p.Export.Own && len(res.Own) > 0)
	}
	if !router.RouterID.IsValid() {
		d.Operator = append(d.Operator, "router-id")
	}
	if d.BFD {
		d.Operator = append(d.Operator, "bfd")
	}
	if router.Platform == "bird2" {
		d.Operator = append(d.Operator, "kernel")
	}
	if router.Platform == "junos" && d.GTSM {
		d.Operator = append(d.Operator, "gtsm")
	}
	return d
}

type peerData struct {
	Result   *filtergen.Result
	Router   filtergen.Router
	Platform *platform.Platform
	Peer     *filtergen.PeerResult
	// RPKI is set when RPKI data was used, so that router-side checks
	// are rendered.
	RPKI bool
}

// ErrNoTemplates reports a platform without templates.
var ErrNoTemplates = errors.New("templates: no templates for platform")

// ErrLimit reports a list or a configuration larger than the platform
// takes (vendors.md §5).
var ErrLimit = errors.New("templates: over the platform's limit")

// ErrUnsafe reports a name that cannot be written into a configuration
// or a file name as it is.
var ErrUnsafe = errors.New("templates: unsafe name")

// Names written into configurations and file names bare: router and peer
// names (the policy allows less), and interface names, which go in
// quotes or stand alone as a token.
var (
	safeName  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,31}$`)
	safeIface = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_./:-]{0,63}$`)
	// A TCP MD5 key is at most 80 bytes (Linux TCP_MD5SIG_MAXKEYLEN);
	// the characters are those every platform takes bare or quoted.
	safePassword = regexp.MustCompile(`^[A-Za-z0-9_.+=@%^*~:,/-]{1,80}$`)
)

// check refuses, before anything renders, what no template can write
// safely or what the platform cannot take: names outside the safe rules,
// a version the platform table cannot read, and prefix lists longer than
// the platform's limit. Descriptions are escaped by the text and quote
// functions instead.
func check(res *filtergen.Result, router filtergen.Router, pl *platform.Platform, peers []*filtergen.PeerResult) error {
	if !safeName.MatchString(router.Name) {
		return fmt.Errorf("%w: router name %s", ErrUnsafe, strconv.Quote(router.Name))
	}
	if err := pl.CheckVersion(router.Version); err != nil {
		return fmt.Errorf("templates: router %s: %w", router.Name, err)
	}
	if router.ASPA {
		f := pl.ASPAFeature()
		if f == "" {
			return fmt.Errorf("templates: router %s: aspa: %s has no router-side ASPA verification in filtergen", router.Name, pl.Title)
		}
		if err := pl.Require(router.Version, f); err != nil {
			return fmt.Errorf("templates: router %s: aspa: %w", router.Name, err)
		}
		if f == platform.FeatureASPASet && len(res.ASPA) == 0 {
			return fmt.Errorf("templates: router %s: aspa: the result has no ASPA records for the %s aspa-set", router.Name, pl.Daemon)
		}
		if f == platform.FeatureASPACheck && len(res.RTR) == 0 {
			return fmt.Errorf("templates: router %s: aspa: %s reads ASPA records over RTR, and the result has no RTR cache", router.Name, pl.Daemon)
		}
	}
	if err := checkLines(router, pl, peers); err != nil {
		return err
	}
	for _, p := range peers {
		if !safeName.MatchString(p.Name) {
			return fmt.Errorf("%w: router %s: peer name %s", ErrUnsafe, router.Name, strconv.Quote(p.Name))
		}
		ifaces := []string{p.Settings.Interface}
		for _, a := range p.Attachments {
			ifaces = append(ifaces, a.Interface)
		}
		for _, i := range ifaces {
			if i != "" && !safeIface.MatchString(i) {
				return fmt.Errorf("%w: router %s: peer %s: interface name %s", ErrUnsafe, router.Name, p.Name, strconv.Quote(i))
			}
		}
		if pw := p.Session.Password.Reveal(); pw != "" && !safePassword.MatchString(pw) {
			// The password itself is never printed.
			return fmt.Errorf("%w: router %s: peer %s: the session password has %d characters; want 1 to 80 of letters, digits and - _ . + = @ %% ^ * ~ : , /",
				ErrUnsafe, router.Name, p.Name, len(pw))
		}
		if pl.MaxListEntries == 0 {
			continue
		}
		// A list that grows when rendered (Junos's longest-match
		// rewrite) is checked again by the function that renders it.
		for _, f := range p.Families {
			if len(f.Entries) > pl.MaxListEntries {
				return fmt.Errorf("%w: router %s: peer %s: the %s prefix list has %d entries; %s takes at most %d per list",
					ErrLimit, router.Name, p.Name, f.Family, len(f.Entries), pl.Title, pl.MaxListEntries)
			}
		}
	}
	return nil
}

// checkLines refuses, before anything renders, a router whose prefix
// entries alone are more lines than the platform's configuration limit
// (IOS-XR counts every prefix-set element against "rpl maximum lines"),
// naming the largest list. A total line limit cannot be met by splitting
// lists. Render counts the rendered lines again afterwards.
func checkLines(router filtergen.Router, pl *platform.Platform, peers []*filtergen.PeerResult) error {
	if pl.MaxConfigLines == 0 {
		return nil
	}
	total, most := 0, 0
	var where string
	for _, p := range peers {
		for _, f := range p.Families {
			total += len(f.Entries)
			if len(f.Entries) > most {
				most, where = len(f.Entries), "peer "+p.Name+" "+f.Family.String()
			}
		}
	}
	if total > pl.MaxConfigLines {
		return fmt.Errorf("%w: router %s: the prefix lists have %d entries (the largest, %s, %d); %s takes at most %d policy lines",
			ErrLimit, router.Name, total, where, most, pl.Title, pl.MaxConfigLines)
	}
	return nil
}

// Render renders res for one router: "ROUTER.conf" and one
// "ROUTER.d/PEER.conf" per peer on the router. A platform whose routing
// daemon cannot filter packets (bird2) has an "nft.tmpl": for a router
// with customers it renders "ROUTER.nft", their anti-spoofing rules for
// the host's nftables. The output depends only on res (and, for the SR OS
// classic CLI, opts.Filters), so rendering twice gives identical bytes. Render is a Renderer (Whole) run over res at
// once, with the peers' files rendered side by side.
func Render(res *filtergen.Result, router filtergen.Router, opts Options) ([]File, error) {
	rd, err := NewRenderer(router, opts)
	if err != nil {
		return nil, err
	}
	peers := rd.peers(res)
	if err := check(res, router, rd.pl, peers); err != nil {
		return nil, err
	}
	w, err := rd.wholeOf(peers)
	if err != nil {
		return nil, err
	}
	own, err := w.routerFiles(res, peers)
	if err != nil {
		return nil, err
	}
	// ROUTER.conf, the peers' files in policy order, then ROUTER.nft.
	files := make([]File, 1+len(peers), len(peers)+len(own))
	files[0] = own[0]
	// Peers render side by side (a template is safe for concurrent
	// use); each worker reuses one buffer. The error reported is the
	// first peer's in policy order.
	errs := make([]error, len(peers))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(peers)) {
		wg.Go(func() {
			var buf bytes.Buffer
			for i := range next {
				files[1+i], errs[i] = w.peer(res, peers[i], &buf)
			}
		})
	}
	for i := range peers {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	files = append(files, own[1:]...)
	if rd.pl.MaxConfigLines > 0 {
		n := 0
		for _, f := range files {
			n += bytes.Count(f.Data, []byte{'\n'})
		}
		if err := rd.CheckLines(n); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// load parses a platform's templates, each from overrides when it has the
// file and from the built-in set otherwise. A platform with host filters
// also gets nft.tmpl: "PLATFORM/nft.tmpl" or "host/nft.tmpl" from the
// overrides, else the built-in "host/nft.tmpl".
func load(pl *platform.Platform, r filtergen.Router, overrides fs.FS) (*template.Template, error) {
	root := template.New(pl.Name).Option("missingkey=error").Funcs(funcMap(pl, r))
	type file struct{ name, builtin string }
	files := []file{{"router.tmpl", pl.Name + "/router.tmpl"}, {"peer.tmpl", pl.Name + "/peer.tmpl"}}
	if pl.HostFilters {
		files = append(files, file{"nft.tmpl", "host/nft.tmpl"})
	}
	for _, f := range files {
		var data []byte
		var path string
		var err error
		for _, candidate := range []string{pl.Name + "/" + f.name, f.builtin} {
			if overrides == nil || data != nil {
				break
			}
			data, err = fs.ReadFile(overrides, candidate)
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("templates: %s: %w", candidate, err)
			}
			path = candidate
		}
		if data == nil {
			path = f.builtin
			if data, err = fs.ReadFile(builtin, path); err != nil {
				return nil, fmt.Errorf("templates: %s: %w", path, err)
			}
		}
		if _, err := root.New(f.name).Parse(string(data)); err != nil {
			return nil, fmt.Errorf("templates: %s: %w", path, err)
		}
	}
	return root, nil
}

// VersionAtLeast reports whether a router of platform plat that declares
// version have runs min or newer, comparing their runs of digits from the
// left as platform.ParseVersion reads them ("2.0.12" < "2.16"; "24.4R1"
// is 24.4.1). An empty have means the platform's baseline
// (platform.Platform.Baseline), as for a router entry without version:;
// it is false when the platform has none, as for an unknown platform or
// a version that does not parse, so that a template keeps to the syntax
// older releases take.
func VersionAtLeast(plat, have, min string) bool {
	pl, ok := platform.Lookup(plat)
	if !ok {
		return false
	}
	return pl.AtLeast(have, min)
}

// aspaSet renders an OpenBGPD aspa-set block: "customer-as C provider-as
// { P1, P2 }" per record, as rpki-client writes it, without expiry (the
// data's age was checked when it was compiled).
func aspaSet(recs []filtergen.ASPARecord) string {
	var b []byte
	b = append(b, "aspa-set {\n"...)
	for _, r := range recs {
		b = append(b, "\tcustomer-as "...)
		b = strconv.AppendUint(b, uint64(r.Customer), 10)
		b = append(b, " provider-as { "...)
		provs := r.Providers
		if len(provs) == 0 {
			provs = []uint32{0} // transit-free (the ASPA profile's {AS0})
		}
		for i, p := range provs {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = strconv.AppendUint(b, uint64(p), 10)
		}
		b = append(b, " }\n"...)
	}
	return string(append(b, '}'))
}
