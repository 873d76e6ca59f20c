package filtergen

import (
	"net/netip"
	"slices"
)

// BogonPrefixes are the prefixes that never belong in a BGP filter: the
// drop lists of protocols.md §6.1 and §6.2 (IANA special-purpose registries,
// multicast, the 6bone and site-local blocks), each with all its
// more-specifics. Globally reachable special-purpose blocks (AS112, AMT,
// 64:ff9b::/96) are not listed.
var BogonPrefixes = mustPrefixes(
	// IPv4
	"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
	"172.16.0.0/12", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16",
	"198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
	// IPv6
	"::/8", "100::/64", "2001:2::/48", "2001:10::/28", "2001:db8::/32", "3ffe::/16",
	"3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
)

func mustPrefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// IsBogonPrefix reports whether p lies inside a bogon prefix. The default
// routes 0.0.0.0/0 and ::/0 count as bogons too: a filter entry for them
// would accept everything.
func IsBogonPrefix(p netip.Prefix) bool {
	if p.Bits() == 0 {
		return true
	}
	for _, b := range BogonPrefixes {
		if b.Addr().Is4() == p.Addr().Is4() && b.Bits() <= p.Bits() && b.Contains(p.Addr()) {
			return true
		}
	}
	return false
}

// An ASNRange is an inclusive range of AS numbers.
type ASNRange struct{ First, Last uint32 }

// BogonASNs are the AS numbers that must never originate or appear in a
// path (protocols.md §6.3).
var BogonASNs = []ASNRange{
	{0, 0},                   // RFC 7607
	{23456, 23456},           // AS_TRANS, RFC 6793
	{64496, 64511},           // documentation, RFC 5398
	{64512, 65534},           // private use, RFC 6996
	{65535, 65535},           // RFC 7300
	{65536, 65551},           // documentation, RFC 5398
	{65552, 131071},          // IANA reserved
	{4200000000, 4294967294}, // private use, RFC 6996
	{4294967295, 4294967295}, // RFC 7300
}

// IsBogonASN reports whether n is in BogonASNs.
func IsBogonASN(n uint32) bool {
	i, found := slices.BinarySearchFunc(BogonASNs, n, func(r ASNRange, n uint32) int {
		switch {
		case r.Last < n:
			return -1
		case r.First > n:
			return 1
		}
		return 0
	})
	_ = i
	return found
}
