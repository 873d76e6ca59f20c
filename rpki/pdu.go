package rpki

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"

	rtr "github.com/bgp/stayrtr/lib"
)

// PDU framing and the parts of RTR that stayrtr's lib (v0.6.0) does not
// cover. Every other PDU is decoded by rtr.DecodeBytes, and every PDU
// filtergen sends is built with its types.

const (
	pduHeaderLen = 8
	// maxPDULen is stayrtr's limit (messageMaxSize), checked before
	// allocating the body.
	maxPDULen = 262168
	// maxErrorCopy caps the PDU copied into an Error Report we send, as
	// OpenBGPD does.
	maxErrorCopy = 256
	pduTypeASPA  = 11
)

// readPDU reads one PDU: the header, a length check, then the body.
func readPDU(r io.Reader, buf []byte) ([]byte, error) {
	if cap(buf) < pduHeaderLen {
		buf = make([]byte, pduHeaderLen, 64)
	}
	buf = buf[:pduHeaderLen]
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(buf[4:8])
	if n < pduHeaderLen || n > maxPDULen {
		return buf, &pduError{code: ErrCodeCorruptData, text: fmt.Sprintf("PDU length %d out of range", n)}
	}
	if cap(buf) < int(n) {
		nb := make([]byte, n)
		copy(nb, buf)
		buf = nb
	}
	buf = buf[:n]
	if _, err := io.ReadFull(r, buf[pduHeaderLen:]); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return buf, nil
}

// A pduError is a protocol violation by the cache: the client reports it
// with an Error Report carrying code and text, then drops the session.
type pduError struct {
	code uint16
	text string
}

func (e *pduError) Error() string { return e.text }

func corrupt(format string, args ...any) error {
	return &pduError{code: ErrCodeCorruptData, text: fmt.Sprintf(format, args...)}
}

// aspaPDU is an ASPA PDU (type 11) of either layout.
type aspaPDU struct {
	version   uint8
	announce  bool
	afi       uint8 // legacy layout only: 0 IPv4, 1 IPv6; aspaAnyAFI for the current layout
	customer  uint32
	providers []uint32
}

const aspaAnyAFI = 0xff

// decodeASPA decodes an ASPA PDU. Two layouts are met:
//
//   - draft-ietf-sidrops-8210bis as OpenBGPD implements it: Flags in
//     header byte 2, Length 12+4k, body CustomerASN then k providers. A
//     withdrawal carries no providers (Length 12).
//   - the older draft layout stayrtr up to 0.5.1 serves: header bytes 2-3
//     zero, Length 16+4k, body Flags, AFI, ProviderCount(2), CustomerASN,
//     then the providers; one record per address family.
//
// A PDU with a flags byte in the header, or of Length 12, is the current
// layout. Otherwise the legacy body must be self-consistent (its count
// matches the length), which a current-layout PDU with zero flags and
// providers never is: that would be an announcement without its flag.
func decodeASPA(b []byte) (*aspaPDU, error) {
	n := len(b)
	if n < 12 || n%4 != 0 {
		return nil, corrupt("ASPA PDU length %d is not 12 + 4k", n)
	}
	p := &aspaPDU{version: b[0]}
	body := b[pduHeaderLen:]
	hdrFlags := b[2]
	switch {
	case hdrFlags != 0 || n == 12:
		if hdrFlags&^1 != 0 || b[3] != 0 {
			return nil, corrupt("ASPA PDU flags %#02x %#02x", b[2], b[3])
		}
		p.announce = hdrFlags&1 == 1
		p.afi = aspaAnyAFI
		p.customer = binary.BigEndian.Uint32(body)
		body = body[4:]
	default:
		if n < 16 || b[3] != 0 {
			return nil, corrupt("malformed ASPA PDU")
		}
		flags, afi, count := body[0], body[1], binary.BigEndian.Uint16(body[2:4])
		if int(count) != (n-16)/4 || flags&^1 != 0 || afi > 1 {
			return nil, corrupt("malformed ASPA PDU: flags %d, AFI %d, %d providers in %d bytes", flags, afi, count, n)
		}
		p.announce = flags&1 == 1
		p.afi = afi
		p.customer = binary.BigEndian.Uint32(body[4:8])
		body = body[8:]
	}
	if !p.announce && len(body) > 0 && p.afi == aspaAnyAFI {
		return nil, corrupt("ASPA withdrawal with providers")
	}
	p.providers = make([]uint32, len(body)/4)
	for i := range p.providers {
		p.providers[i] = binary.BigEndian.Uint32(body[4*i:])
	}
	if p.announce && len(p.providers) == 0 {
		p.providers = []uint32{0} // transit-free, as the ASPA profile writes it
	}
	return p, nil
}

// encodeASPA writes an ASPA PDU in the current layout (tests and fakes).
func encodeASPA(version uint8, announce bool, customer uint32, providers []uint32) []byte {
	b := make([]byte, 12+4*len(providers))
	b[0], b[1] = version, pduTypeASPA
	if announce {
		b[2] = 1
	}
	binary.BigEndian.PutUint32(b[4:], uint32(len(b)))
	binary.BigEndian.PutUint32(b[8:], customer)
	for i, p := range providers {
		binary.BigEndian.PutUint32(b[12+4*i:], p)
	}
	return b
}

// decodePDU decodes one framed PDU: ASPA by decodeASPA, the rest by
// stayrtr. Prefix PDUs are checked here, since stayrtr's Decode does not
// check lengths against the family or the max length.
func decodePDU(b []byte) (any, error) {
	if b[1] == pduTypeASPA {
		return decodeASPA(b)
	}
	switch b[1] {
	case rtr.PDU_ID_SERIAL_NOTIFY, rtr.PDU_ID_CACHE_RESPONSE, rtr.PDU_ID_IPV4_PREFIX, rtr.PDU_ID_IPV6_PREFIX,
		rtr.PDU_ID_END_OF_DATA, rtr.PDU_ID_CACHE_RESET, rtr.PDU_ID_ROUTER_KEY, rtr.PDU_ID_ERROR_REPORT:
	default:
		return nil, &pduError{code: ErrCodeUnsupportedPDU, text: fmt.Sprintf("unsupported PDU type %d", b[1])}
	}
	pdu, err := rtr.DecodeBytes(b)
	if err != nil {
		return nil, corrupt("%v", err)
	}
	switch p := pdu.(type) {
	case *rtr.PDUIPv4Prefix:
		if err := checkPrefixPDU(p.Prefix, p.MaxLen, b); err != nil {
			return nil, err
		}
	case *rtr.PDUIPv6Prefix:
		if err := checkPrefixPDU(p.Prefix, p.MaxLen, b); err != nil {
			return nil, err
		}
	case *rtr.PDUEndOfData:
		// stayrtr accepts a 12-byte End of Data in any version.
		if want := endOfDataLen(b[0]); len(b) != want {
			return nil, corrupt("End of Data length %d, want %d for version %d", len(b), want, b[0])
		}
	}
	return pdu, nil
}

func endOfDataLen(version uint8) int {
	if version == 0 {
		return 12
	}
	return 24
}

func checkPrefixPDU(p netip.Prefix, maxLen uint8, b []byte) error {
	v := VRP{Prefix: p, MaxLen: maxLen}
	if err := v.check(); err != nil {
		return corrupt("prefix PDU: %v", err)
	}
	if b[8]&^1 != 0 || b[11] != 0 {
		return corrupt("prefix PDU: flags %#02x, zero byte %#02x", b[8], b[11])
	}
	return nil
}

// errorReport builds an Error Report for e, copying at most maxErrorCopy
// bytes of the offending PDU.
func errorReport(version uint8, e *pduError, offending []byte) []byte {
	cp := offending
	if len(cp) > maxErrorCopy {
		cp = cp[:maxErrorCopy]
	}
	return (&rtr.PDUErrorReport{Version: version, ErrorCode: e.code, PDUCopy: cp, ErrorMsg: e.text}).Bytes()
}

var errUnexpectedEOF = errors.New("rpki: rtr: cache closed the connection")
