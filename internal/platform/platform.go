// Package platform holds the one implementation of each router's filter
// syntax: how a prefix entry, a list name, free text and an AS-path regex
// are written for Cisco IOS/IOS-XR/EOS, Junos, Nokia SR OS (classic and
// MD-CLI), BIRD, OpenBGPD, Huawei and MikroTik.
//
// Both the bgpq4-compatible printers (internal/bgpq4) and the compiler's
// templates use these functions, so a router sees the same bytes from
// either path. Every function appends to a byte slice and allocates
// nothing else, because prefix lists run to millions of lines:
//
//	e := platform.EntryFrom(netip.MustParsePrefix("192.0.2.0/24"), 24, 26)
//	b = platform.AppendIOS(b, e)    // "192.0.2.0/24 le 26"
//	b = platform.AppendJunos(b, e)  // "192.0.2.0/24 upto /26"
//	b = platform.AppendBIRD(b, e)   // "192.0.2.0/24{24,26}"
//
// Names and text from a registry never reach output unchecked: ValidName
// enforces the portable identifier rule of vendors.md §1.1 and
// SanitizeText the free-text whitelist of §4.2. AS-path regexes are built
// only from uint32 AS numbers.
//
// The package imports only the standard library so that the templates
// layer can use it without reaching into irr or rpki.
package platform

import (
	"net/netip"
	"strconv"
)

// An Entry is one prefix-filter entry in the Cisco model: Prefix, and the
// lengths it matches. LE == 0 means the exact prefix only. Otherwise the
// entry matches lengths from GE (or from Prefix.Bits() when GE == 0) up to
// LE inclusive.
//
// A valid Entry has a masked Prefix, GE == 0 or Prefix.Bits() < GE <= LE,
// and LE <= 32 (IPv4) or 128 (IPv6). The zero Entry is not valid.
//
// The "up to" form keeps GE == 0 even when LE == Prefix.Bits(); bgpq4
// prints such an entry as a range ("le 32" for a /32), and so do the
// functions here.
type Entry struct {
	Prefix netip.Prefix
	GE, LE uint8
}

// EntryFrom returns the entry for Prefix with lengths min..max, in its
// canonical form: exact when min == max == Prefix.Bits(), "up to max"
// when min == Prefix.Bits(), "ge min le max" otherwise. It does not check
// its arguments; see Entry.IsValid.
func EntryFrom(p netip.Prefix, min, max uint8) Entry {
	l := uint8(p.Bits())
	switch {
	case min == l && max == l:
		return Entry{Prefix: p}
	case min <= l:
		return Entry{Prefix: p, LE: max}
	default:
		return Entry{Prefix: p, GE: min, LE: max}
	}
}

// IsExact reports whether e matches only its own prefix.
func (e Entry) IsExact() bool { return e.LE == 0 }

// Low returns the shortest length e matches.
func (e Entry) Low() uint8 {
	if e.GE != 0 {
		return e.GE
	}
	return uint8(e.Prefix.Bits())
}

// High returns the longest length e matches.
func (e Entry) High() uint8 {
	if e.LE != 0 {
		return e.LE
	}
	return uint8(e.Prefix.Bits())
}

// IsValid reports whether e is well formed (see Entry).
func (e Entry) IsValid() bool {
	p := e.Prefix
	if !p.IsValid() || p.Masked() != p {
		return false
	}
	maxBits := 32
	if p.Addr().Is6() {
		maxBits = 128
	}
	l := p.Bits()
	if e.LE == 0 {
		return e.GE == 0
	}
	if int(e.LE) > maxBits || int(e.LE) < l {
		return false
	}
	return e.GE == 0 || (int(e.GE) > l && e.GE <= e.LE)
}

func appendUint(b []byte, n uint8) []byte { return strconv.AppendUint(b, uint64(n), 10) }

// AppendIOS appends e in Cisco IOS, IOS-XE, NX-OS, IOS-XR prefix-set,
// Arista EOS and FRR syntax: "P/len", "P/len le B" or "P/len ge A le B".
func AppendIOS(b []byte, e Entry) []byte {
	b = AppendPrefix(b, e.Prefix)
	if e.LE == 0 {
		return b
	}
	if e.GE != 0 {
		b = append(b, " ge "...)
		b = appendUint(b, e.GE)
	}
	b = append(b, " le "...)
	return appendUint(b, e.LE)
}

// AppendJunos appends e as a Junos route-filter or route-filter-list
// entry: "P/len exact", "P/len upto /B" or "P/len prefix-length-range /A-/B".
// (A Junos prefix-list holds exact prefixes only: write e.Prefix alone.)
func AppendJunos(b []byte, e Entry) []byte {
	b = AppendPrefix(b, e.Prefix)
	switch {
	case e.LE == 0:
		return append(b, " exact"...)
	case e.GE == 0:
		b = append(b, " upto /"...)
		return appendUint(b, e.LE)
	default:
		b = append(b, " prefix-length-range /"...)
		b = appendUint(b, e.GE)
		b = append(b, "-/"...)
		return appendUint(b, e.LE)
	}
}

// AppendSROS appends e as the argument of a Nokia SR OS classic CLI
// prefix-list "prefix" line: "P/len exact" or "P/len prefix-length-range A-B"
// (A is the prefix length for an "up to" entry).
func AppendSROS(b []byte, e Entry) []byte {
	b = AppendPrefix(b, e.Prefix)
	if e.LE == 0 {
		return append(b, " exact"...)
	}
	b = append(b, " prefix-length-range "...)
	b = appendUint(b, e.Low())
	b = append(b, '-')
	return appendUint(b, e.LE)
}

// AppendMDCLI appends e as a Nokia SR OS MD-CLI prefix-list block, indented
// by indent, ending in a newline:
//
//	prefix P/len type exact {
//	}
//	prefix P/len type through {
//	    through-length B
//	}
//	prefix P/len type range {
//	    start-length A
//	    end-length B
//	}
func AppendMDCLI(b []byte, e Entry, indent string) []byte {
	b = append(b, indent...)
	b = append(b, "prefix "...)
	b = AppendPrefix(b, e.Prefix)
	switch {
	case e.LE == 0:
		b = append(b, " type exact {\n"...)
	case e.GE == 0:
		b = append(b, " type through {\n"...)
		b = append(b, indent...)
		b = append(b, "    through-length "...)
		b = appendUint(b, e.LE)
		b = append(b, '\n')
	default:
		b = append(b, " type range {\n"...)
		b = append(b, indent...)
		b = append(b, "    start-length "...)
		b = appendUint(b, e.GE)
		b = append(b, '\n')
		b = append(b, indent...)
		b = append(b, "    end-length "...)
		b = appendUint(b, e.LE)
		b = append(b, '\n')
	}
	b = append(b, indent...)
	return append(b, "}\n"...)
}

// AppendBIRD appends e as a BIRD 2 prefix-set element: "P/len" or
// "P/len{A,B}" (both numbers always written).
func AppendBIRD(b []byte, e Entry) []byte {
	b = AppendPrefix(b, e.Prefix)
	if e.LE == 0 {
		return b
	}
	b = append(b, '{')
	b = appendUint(b, e.Low())
	b = append(b, ',')
	b = appendUint(b, e.LE)
	return append(b, '}')
}

// AppendOpenBGPD appends e as an OpenBGPD prefix or prefix-set element:
// "P/len", "P/len prefixlen = N" (one length) or "P/len prefixlen A - B".
func AppendOpenBGPD(b []byte, e Entry) []byte {
	b = AppendPrefix(b, e.Prefix)
	if e.LE == 0 {
		return b
	}
	if e.Low() == e.LE {
		b = append(b, " prefixlen = "...)
		return appendUint(b, e.LE)
	}
	b = append(b, " prefixlen "...)
	b = appendUint(b, e.Low())
	b = append(b, " - "...)
	return appendUint(b, e.LE)
}

// AppendHuawei appends e in Huawei VRP ip-prefix syntax: "P len",
// "P len less-equal B" or "P len greater-equal A less-equal B".
func AppendHuawei(b []byte, e Entry) []byte {
	b = appendSpaced(b, e.Prefix)
	if e.LE == 0 {
		return b
	}
	if e.GE != 0 {
		b = append(b, " greater-equal "...)
		b = appendUint(b, e.GE)
	}
	b = append(b, " less-equal "...)
	return appendUint(b, e.LE)
}

// AppendHuaweiXPL appends e in Huawei XPL prefix-list syntax: "P len",
// "P len le B" or "P len ge A le B".
func AppendHuaweiXPL(b []byte, e Entry) []byte {
	b = appendSpaced(b, e.Prefix)
	if e.LE == 0 {
		return b
	}
	if e.GE != 0 {
		b = append(b, " ge "...)
		b = appendUint(b, e.GE)
	}
	b = append(b, " le "...)
	return appendUint(b, e.LE)
}

func appendSpaced(b []byte, p netip.Prefix) []byte {
	b = AppendAddr(b, p.Addr())
	b = append(b, ' ')
	return strconv.AppendInt(b, int64(p.Bits()), 10)
}

// AppendMikroTik6 appends the match part of a RouterOS v6 "/routing filter"
// rule: "prefix=P/len" or "prefix=P/len prefix-length=A-B".
func AppendMikroTik6(b []byte, e Entry) []byte {
	b = append(b, "prefix="...)
	b = AppendPrefix(b, e.Prefix)
	if e.LE == 0 {
		return b
	}
	b = append(b, " prefix-length="...)
	b = appendUint(b, e.Low())
	b = append(b, '-')
	return appendUint(b, e.LE)
}

// AppendMikroTik7 appends the condition of a RouterOS v7 routing filter
// rule: "dst=P/len" or "dst in P/len && dst-len in A-B".
func AppendMikroTik7(b []byte, e Entry) []byte {
	if e.LE == 0 {
		b = append(b, "dst="...)
		return AppendPrefix(b, e.Prefix)
	}
	b = append(b, "dst in "...)
	b = AppendPrefix(b, e.Prefix)
	b = append(b, " && dst-len in "...)
	b = appendUint(b, e.Low())
	b = append(b, '-')
	return appendUint(b, e.LE)
}

// AppendIOSACL appends e (IPv4 only) as the address part of a Cisco
// extended access-list line used as a route filter (distribute-list):
// the network and its wildcard, then the mask and its wildcard, with
// "host" where a wildcard is zero. An exact 192.0.2.0/24 gives
// "host 192.0.2.0 host 255.255.255.0"; 10.0.0.0/24 le 26 gives
// "10.0.0.0 0.0.0.192 255.255.255.0 0.0.0.192".
func AppendIOSACL(b []byte, e Entry) []byte {
	l := uint(e.Prefix.Bits())
	if e.LE == 0 {
		b = append(b, "host "...)
		b = AppendAddr(b, e.Prefix.Addr())
		b = append(b, " host "...)
		return appendV4(b, mask32(l))
	}
	hi, lo := uint(e.LE), uint(e.Low())
	// Go shifts of 32 or more give 0, which is the wildcard wanted there.
	beyond := uint32(0xffffffff) >> hi
	wildAddr := (uint32(0xffffffff) >> l) &^ beyond
	wildMask := (uint32(0xffffffff) >> lo) &^ beyond
	if wildAddr != 0 {
		b = AppendAddr(b, e.Prefix.Addr())
		b = append(b, ' ')
		b = appendV4(b, wildAddr)
	} else {
		b = append(b, "host "...)
		b = AppendAddr(b, e.Prefix.Addr())
	}
	b = append(b, ' ')
	if wildMask != 0 {
		b = appendV4(b, mask32(lo))
		b = append(b, ' ')
		return appendV4(b, wildMask)
	}
	b = append(b, "host "...)
	return appendV4(b, mask32(lo))
}

func mask32(l uint) uint32 { return uint32(0xffffffff) << (32 - l) }

func appendV4(b []byte, v uint32) []byte {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}).AppendTo(b)
}

// AppendAddr appends a as glibc's inet_ntop writes it, which is what
// bgpq4 prints: RFC 5952 text (as netip), except that an IPv6 address
// whose first 96 bits are zero and whose next 16 are not (the deprecated
// "IPv4-compatible" form) ends in a dotted quad: ::1.2.3.0, not ::102:300.
func AppendAddr(b []byte, a netip.Addr) []byte {
	if a.Is6() && !a.Is4In6() {
		x := a.As16()
		zero := true
		for _, v := range x[:12] {
			if v != 0 {
				zero = false
				break
			}
		}
		if zero && (x[12] != 0 || x[13] != 0) {
			b = append(b, "::"...)
			return netip.AddrFrom4([4]byte(x[12:16])).AppendTo(b)
		}
		if a.Zone() == "" {
			return appendIPv6(b, &x)
		}
	}
	return a.AppendTo(b)
}

const hexDigits = "0123456789abcdef"

// appendIPv6 writes x as RFC 5952 text, exactly as netip.Addr.AppendTo
// does (the longest run of two or more zero groups, the first on a tie,
// becomes "::"; lowercase hex without leading zeros), in about half the
// time: it is a tenth of printing a big IPv6 list.
func appendIPv6(b []byte, x *[16]byte) []byte {
	var g [8]uint16
	for i := range g {
		g[i] = uint16(x[2*i])<<8 | uint16(x[2*i+1])
	}
	zs, ze := -1, -1 // the zero run to compress: [zs, ze)
	for i := 0; i < 8; {
		if g[i] != 0 {
			i++
			continue
		}
		j := i + 1
		for j < 8 && g[j] == 0 {
			j++
		}
		if j-i >= 2 && j-i > ze-zs {
			zs, ze = i, j
		}
		i = j
	}
	for i := 0; i < 8; i++ {
		if i == zs {
			b = append(b, ':', ':')
			i = ze - 1
			continue
		}
		if i > 0 && i != ze {
			b = append(b, ':')
		}
		v := g[i]
		switch {
		case v >= 0x1000:
			b = append(b, hexDigits[v>>12], hexDigits[v>>8&0xf], hexDigits[v>>4&0xf], hexDigits[v&0xf])
		case v >= 0x100:
			b = append(b, hexDigits[v>>8], hexDigits[v>>4&0xf], hexDigits[v&0xf])
		case v >= 0x10:
			b = append(b, hexDigits[v>>4], hexDigits[v&0xf])
		default:
			b = append(b, hexDigits[v])
		}
	}
	return b
}

// AppendPrefix appends p as "address/length", the address as AppendAddr
// writes it.
func AppendPrefix(b []byte, p netip.Prefix) []byte {
	b = AppendAddr(b, p.Addr())
	b = append(b, '/')
	return strconv.AppendInt(b, int64(p.Bits()), 10)
}
