package rpki

import (
	"encoding/binary"
	"net/netip"
	"slices"
)

// An rkey is a VRP as RTR identifies it (prefix, max length, ASN), packed
// into plain integers. The RTR client keeps the records it holds as a
// sorted []rkey and applies a response by sorting its changes and merging
// at End of Data: on 800,000 VRPs that is several times cheaper than a
// map keyed by VRP, and the result is already in the Set's order.
type rkey struct {
	hi, lo uint64 // address; IPv4 in lo
	meta   uint64 // family<<63 | prefix length<<48 | max length<<40 | ASN
}

const rkeyV6 = 1 << 63

func rkeyOf(v VRP) rkey {
	k := addrKey(v.Prefix.Addr())
	m := uint64(v.Prefix.Bits())<<48 | uint64(v.MaxLen)<<40 | uint64(v.ASN)
	if !v.Prefix.Addr().Is4() {
		m |= rkeyV6
	}
	return rkey{k.hi, k.lo, m}
}

func (k rkey) vrp() VRP {
	bits := int(k.meta >> 48 & 0xff)
	var a netip.Addr
	if k.meta&rkeyV6 == 0 {
		a = netip.AddrFrom4([4]byte{byte(k.lo >> 24), byte(k.lo >> 16), byte(k.lo >> 8), byte(k.lo)})
	} else {
		var b [16]byte
		binary.BigEndian.PutUint64(b[:8], k.hi)
		binary.BigEndian.PutUint64(b[8:], k.lo)
		a = netip.AddrFrom16(b)
	}
	return VRP{Prefix: netip.PrefixFrom(a, bits), MaxLen: uint8(k.meta >> 40), ASN: uint32(k.meta)}
}

// compareRkey orders like compareVRP: family, address, prefix length,
// max length, ASN.
func compareRkey(a, b rkey) int {
	switch {
	case a.meta&rkeyV6 != b.meta&rkeyV6:
		if a.meta&rkeyV6 == 0 {
			return -1
		}
		return 1
	case a.hi != b.hi:
		return less(a.hi, b.hi)
	case a.lo != b.lo:
		return less(a.lo, b.lo)
	case a.meta != b.meta:
		return less(a.meta, b.meta)
	}
	return 0
}

// decodePrefix decodes an IPv4 (type 4) or IPv6 (type 6) Prefix PDU in
// place, with the checks checkPrefixPDU makes. It is the hot path of a
// sync; FuzzDecodePDU checks it against stayrtr's Decode.
func decodePrefix(b []byte) (k rkey, announce bool, err error) {
	var want, width int
	switch b[1] {
	case 4:
		want, width = 20, 32
	case 6:
		want, width = 32, 128
	}
	if len(b) != want {
		return rkey{}, false, corrupt("prefix PDU length %d, want %d", len(b), want)
	}
	flags, plen, maxLen := b[8], int(b[9]), int(b[10])
	if flags&^1 != 0 || b[11] != 0 {
		return rkey{}, false, corrupt("prefix PDU: flags %#02x, zero byte %#02x", flags, b[11])
	}
	if plen > width || maxLen < plen || maxLen > width {
		return rkey{}, false, corrupt("prefix PDU: prefix length %d, max length %d for a %d-bit family", plen, maxLen, width)
	}
	var asn uint32
	if width == 32 {
		k.lo = uint64(binary.BigEndian.Uint32(b[12:16]))
		asn = binary.BigEndian.Uint32(b[16:20])
		if host := 32 - plen; host < 32 && k.lo&(1<<host-1) != 0 || host == 32 && k.lo != 0 {
			return rkey{}, false, corrupt("prefix PDU: host bits set")
		}
	} else {
		k.hi, k.lo = binary.BigEndian.Uint64(b[12:20]), binary.BigEndian.Uint64(b[20:28])
		asn = binary.BigEndian.Uint32(b[28:32])
		if !masked128(k.hi, k.lo, plen) {
			return rkey{}, false, corrupt("prefix PDU: host bits set")
		}
		if k.hi == 0 && k.lo>>32 == 0xffff {
			return rkey{}, false, corrupt("prefix PDU: IPv4-mapped IPv6 prefix")
		}
		k.meta = rkeyV6
	}
	k.meta |= uint64(plen)<<48 | uint64(maxLen)<<40 | uint64(asn)
	return k, flags&1 == 1, nil
}

func masked128(hi, lo uint64, plen int) bool {
	switch {
	case plen >= 128:
		return true
	case plen >= 64:
		return plen == 64 && lo == 0 || plen > 64 && lo&(1<<(128-plen)-1) == 0
	case plen == 0:
		return hi == 0 && lo == 0
	}
	return lo == 0 && hi&(1<<(64-plen)-1) == 0
}

// applyChanges merges a response into the held records (sorted, unique):
// withdrawals first, each of which must be held (else error 6), then
// announcements, none of which may be held or repeated (else error 7).
// held is not modified; on error nothing is returned.
func applyChanges(held, adds, dels []rkey) ([]rkey, error) {
	slices.SortFunc(adds, compareRkey)
	slices.SortFunc(dels, compareRkey)
	for i := 1; i < len(adds); i++ {
		if adds[i] == adds[i-1] {
			return nil, &pduError{code: ErrCodeDuplicateAnnounce, text: "duplicate announcement of " + adds[i].vrp().String()}
		}
	}
	for i := 1; i < len(dels); i++ {
		if dels[i] == dels[i-1] {
			return nil, &pduError{code: ErrCodeWithdrawUnknown, text: "withdrawal of unknown " + dels[i].vrp().String()}
		}
	}
	kept := held
	if len(dels) > 0 {
		kept = make([]rkey, 0, len(held))
		j := 0
		for _, h := range held {
			for j < len(dels) && compareRkey(dels[j], h) < 0 {
				return nil, &pduError{code: ErrCodeWithdrawUnknown, text: "withdrawal of unknown " + dels[j].vrp().String()}
			}
			if j < len(dels) && dels[j] == h {
				j++
				continue
			}
			kept = append(kept, h)
		}
		if j < len(dels) {
			return nil, &pduError{code: ErrCodeWithdrawUnknown, text: "withdrawal of unknown " + dels[j].vrp().String()}
		}
	}
	if len(adds) == 0 {
		return kept, nil
	}
	out := make([]rkey, 0, len(kept)+len(adds))
	i, j := 0, 0
	for i < len(kept) || j < len(adds) {
		switch {
		case j == len(adds):
			out = append(out, kept[i:]...)
			i = len(kept)
		case i == len(kept):
			out = append(out, adds[j:]...)
			j = len(adds)
		default:
			switch c := compareRkey(kept[i], adds[j]); {
			case c < 0:
				out = append(out, kept[i])
				i++
			case c > 0:
				out = append(out, adds[j])
				j++
			default:
				return nil, &pduError{code: ErrCodeDuplicateAnnounce, text: "duplicate announcement of " + adds[j].vrp().String()}
			}
		}
	}
	return out, nil
}
