package templates

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"text/template"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/internal/platform"
)

// ciscoFuncs are the template functions of the Cisco platforms (IOS-XE,
// IOS-XR, NX-OS): prefix lists and sets, AS-path lists in the Cisco
// string-regex flavour, ingress ACLs, and the versioned names IOS-XE and
// NX-OS use for make-before-break replacement (vendors.md §1.4).
var ciscoFuncs = template.FuncMap{
	// iosPrefixList renders an IOS-XE/NX-OS prefix-list; an empty one
	// denies everything (vendors.md §1.3: an empty list permits all).
	"iosPrefixList": iosPrefixList,
	// iosOrLonger renders a prefix-list of each prefix and all its
	// more-specifics.
	"iosOrLonger": func(name string, fam filtergen.Family, ps []netip.Prefix) (string, error) {
		return iosPrefixList(name, fam, orLonger(ps))
	},
	// xrPrefixSet renders an IOS-XR prefix-set. It refuses an empty
	// set: a policy must not reference one (vendors.md §1.3).
	"xrPrefixSet": xrPrefixSet,
	"xrOrLonger": func(name string, ps []netip.Prefix) (string, error) {
		return xrPrefixSet(name, orLonger(ps))
	},
	// originRegexes returns the Cisco string regexes of a peer's
	// RFC 6811 origins, bgpq4's forms: "^P(_P)*$" and
	// "^P(_[0-9]+)*_(O1|...)$" (eight origins each) when the first AS
	// must be the neighbor's, "^(_[0-9]+)*_(O1|...)$" otherwise. An
	// AS_SET at the end of a path is printed in braces, so it never
	// matches "_O$": such a path has no origin.
	"originRegexes": originRegexes,
	// firstASRegex is "^P_": the path starts with the neighbor's AS.
	"firstASRegex": func(asn uint32) string { return "^" + strconv.FormatUint(uint64(asn), 10) + "_" },
	// iosASPath renders an IOS-XE named as-path access-list, one
	// "permit REGEX" line per regex.
	"iosASPath": func(name string, v any) string {
		res := strs(v)
		var b strings.Builder
		for i, re := range res {
			if i > 0 {
				b.WriteByte('\n')
			}
			fmt.Fprintf(&b, "ip as-path access-list %s permit %s", name, re)
		}
		return b.String()
	},
	// nxosASPath renders an NX-OS as-path access-list: sequence
	// numbers and the regex in double quotes (vendors.md §3.3).
	"nxosASPath": func(name string, v any) string {
		res := strs(v)
		var b strings.Builder
		for i, re := range res {
			if i > 0 {
				b.WriteByte('\n')
			}
			fmt.Fprintf(&b, "ip as-path access-list %s seq %d permit \"%s\"", name, (i+1)*10, re)
		}
		return b.String()
	},
	// xrASPathSet renders an IOS-XR as-path-set of ios-regex elements.
	"xrASPathSet": func(name string, v any) string {
		res := strs(v)
		var b strings.Builder
		b.WriteString("as-path-set " + name)
		for i, re := range res {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("\n  ios-regex '" + re + "'")
		}
		b.WriteString("\nend-set")
		return b.String()
	},
	// ciscoACL renders the permit lines of an ingress ACL for prefixes
	// in the form of platform pl ("iosxe", "iosxr", "nxos"), numbered
	// from 10 in steps of 10; the caller writes the final deny.
	"ciscoACL": ciscoACL,
	// aclLimit is the sequence number of an ACL's final deny: above
	// every permit.
	"aclLimit": func(n int) int { return max(1000, (n+1)*10) },
	// mask is the dotted netmask of an IPv4 prefix ("255.255.255.0").
	"mask": func(p netip.Prefix) string {
		w := wildcard(p.Bits()).As4()
		return netip.AddrFrom4([4]byte{^w[0], ^w[1], ^w[2], ^w[3]}).String()
	},
}

func iosPrefixList(name string, fam filtergen.Family, rs []filtergen.PrefixRange) (string, error) {
	if len(rs) == 0 {
		if fam == filtergen.IPv6 {
			return "ipv6 prefix-list " + name + " seq 5 deny ::/0 le 128", nil
		}
		return "ip prefix-list " + name + " seq 5 deny 0.0.0.0/0 le 32", nil
	}
	return ciscoPrefixList(name, fam, rs)
}

func xrPrefixSet(name string, rs []filtergen.PrefixRange) (string, error) {
	if len(rs) == 0 {
		return "", fmt.Errorf("templates: prefix-set %s would be empty; IOS-XR policies must not reference an empty set", name)
	}
	body, err := lines(rs, "  ", ",", "", platform.AppendIOS)
	if err != nil {
		return "", fmt.Errorf("%w in %s", err, name)
	}
	return "prefix-set " + name + "\n" + body + "\nend-set", nil
}

func originRegexes(p *filtergen.PeerResult) []string {
	var out []string
	others := make([]uint32, 0, len(p.ASNs))
	for _, a := range p.ASNs {
		if a != p.ASN || !p.Import.EnforceFirstAS {
			others = append(others, a)
		}
	}
	if p.Import.EnforceFirstAS && slices.Contains(p.ASNs, p.ASN) {
		out = append(out, string(platform.AppendIOSPathOnly(nil, p.ASN)))
	}
	for chunk := range slices.Chunk(others, 8) {
		if p.Import.EnforceFirstAS {
			out = append(out, string(platform.AppendIOSPathVia(nil, p.ASN, chunk)))
		} else {
			out = append(out, string(platform.AppendIOSPathOriginated(nil, chunk)))
		}
	}
	return out
}

// wildcard returns the IPv4 wildcard mask of prefix length bits.
func wildcard(bits int) netip.Addr {
	m := uint32(0)
	if bits < 32 {
		m = ^uint32(0) >> bits
	}
	return netip.AddrFrom4([4]byte{byte(m >> 24), byte(m >> 16), byte(m >> 8), byte(m)})
}

func ciscoACL(pl string, fam filtergen.Family, ps []netip.Prefix, indent string) (string, error) {
	var b strings.Builder
	proto := map[filtergen.Family]string{filtergen.IPv4: "ip", filtergen.IPv6: "ipv6"}[fam]
	if pl == "iosxr" && fam == filtergen.IPv4 {
		proto = "ipv4"
	}
	for i, p := range ps {
		if !p.IsValid() || p.Masked() != p || p.Addr().Is4() != (fam == filtergen.IPv4) {
			return "", fmt.Errorf("templates: invalid %s ACL source %s", fam, p)
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		if pl == "iosxe" && fam == filtergen.IPv6 {
			// IOS IPv6 ACLs number entries with a trailing "sequence N";
			// a list replaced whole needs none.
			fmt.Fprintf(&b, "%spermit %s ", indent, proto)
		} else {
			fmt.Fprintf(&b, "%s%d permit %s ", indent, (i+1)*10, proto)
		}
		switch {
		case p.IsSingleIP() && pl != "nxos":
			b.WriteString("host " + p.Addr().String())
		case pl == "iosxe" && fam == filtergen.IPv4:
			b.WriteString(p.Addr().String() + " " + wildcard(p.Bits()).String())
		default:
			b.Write(platform.AppendPrefix(nil, p))
		}
		b.WriteString(" any")
	}
	return b.String(), nil
}

// vname returns base with a version suffix: six hexadecimal digits of a
// digest of the content the object holds, so that a changed object gets a
// new name and can be built before the reference to it moves
// (make-before-break on IOS-XE and NX-OS, vendors.md §1.4).
func vname(pl *platform.Platform, base string, content ...any) (string, error) {
	h := sha256.New()
	var b []byte
	for _, c := range content {
		switch c := c.(type) {
		case []filtergen.PrefixRange:
			// A full table: hash the entries without fmt.
			b = b[:0]
			for _, r := range c {
				b = r.Prefix.AppendTo(b)
				b = append(b, ' ', r.Min, r.Max, '\n')
				if len(b) > 1<<16 {
					h.Write(b)
					b = b[:0]
				}
			}
			h.Write(b)
			h.Write([]byte{0})
		default:
			fmt.Fprintf(h, "%v\x00", c)
		}
	}
	s := base + "_" + strings.ToUpper(hex.EncodeToString(h.Sum(nil))[:6])
	if err := pl.ValidName(s); err != nil {
		return "", err
	}
	return s, nil
}

// strs accepts a []string or the []any of sprig's list.
func strs(v any) []string {
	switch v := v.(type) {
	case []string:
		return v
	case []any:
		out := make([]string, len(v))
		for i, x := range v {
			out[i] = fmt.Sprint(x)
		}
		return out
	}
	return nil
}
