package rpki

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"slices"
	"testing"

	rtr "github.com/bgp/stayrtr/lib"
)

// Bytes from protocols.md §4.2 and the ASPA layouts of §4.2 and stayrtr 0.5.1.
func TestDecodeASPA(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want *aspaPDU
		err  bool
	}{
		{"current announce", []byte{2, 11, 1, 0, 0, 0, 0, 0x14, 0, 0, 0xfb, 0xf0, 0, 0, 0xfb, 0xf1, 0, 0, 0xfb, 0xf2},
			&aspaPDU{version: 2, announce: true, afi: aspaAnyAFI, customer: 64496, providers: []uint32{64497, 64498}}, false},
		{"current withdraw", []byte{2, 11, 0, 0, 0, 0, 0, 0x0c, 0, 0, 0xfb, 0xf0},
			&aspaPDU{version: 2, afi: aspaAnyAFI, customer: 64496, providers: []uint32{}}, false},
		{"legacy announce (stayrtr 0.5.1)", []byte{2, 11, 0, 0, 0, 0, 0, 0x18, 1, 1, 0, 2, 0, 0, 0xfb, 0xf0, 0, 0, 0xfb, 0xf1, 0, 0, 0xfb, 0xf2},
			&aspaPDU{version: 2, announce: true, afi: 1, customer: 64496, providers: []uint32{64497, 64498}}, false},
		{"legacy withdraw keeps providers", []byte{2, 11, 0, 0, 0, 0, 0, 0x14, 0, 0, 0, 1, 0, 0, 0xfb, 0xf0, 0, 0, 0xfb, 0xf1},
			&aspaPDU{version: 2, afi: 0, customer: 64496, providers: []uint32{64497}}, false},
		{"legacy count mismatch", []byte{2, 11, 0, 0, 0, 0, 0, 0x14, 1, 0, 0, 3, 0, 0, 0xfb, 0xf0, 0, 0, 0xfb, 0xf1}, nil, true},
		{"length not 12+4k", []byte{2, 11, 1, 0, 0, 0, 0, 0x0e, 0, 0, 0xfb, 0xf0, 0, 0}, nil, true},
		{"short", []byte{2, 11, 1, 0, 0, 0, 0, 8}, nil, true},
		{"bad flags", []byte{2, 11, 3, 0, 0, 0, 0, 0x10, 0, 0, 0xfb, 0xf0, 0, 0, 0xfb, 0xf1}, nil, true},
		{"current withdraw with providers", []byte{2, 11, 0, 0, 0, 0, 0, 0x10, 0, 0, 0xfb, 0xf0, 0, 0, 0xfb, 0xf1}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeASPA(tt.in)
			if tt.err {
				var pe *pduError
				if !errors.As(err, &pe) || pe.code != ErrCodeCorruptData {
					t.Fatalf("decodeASPA = %+v, %v; want corrupt data", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.version != tt.want.version || got.announce != tt.want.announce || got.afi != tt.want.afi ||
				got.customer != tt.want.customer || !slices.Equal(got.providers, tt.want.providers) {
				t.Errorf("decodeASPA = %+v, want %+v", got, tt.want)
			}
		})
	}
	b := encodeASPA(2, true, 64496, []uint32{64497, 64498})
	if !bytes.Equal(b, tests[0].in) {
		t.Errorf("encodeASPA = % x, want % x", b, tests[0].in)
	}
}

func TestReadPDULimits(t *testing.T) {
	for _, n := range []uint32{0, 7, maxPDULen + 1, 1 << 31} {
		hdr := []byte{1, 4, 0, 0, 0, 0, 0, 0}
		binary.BigEndian.PutUint32(hdr[4:], n)
		_, err := readPDU(bytes.NewReader(hdr), nil)
		var pe *pduError
		if !errors.As(err, &pe) || pe.code != ErrCodeCorruptData {
			t.Errorf("length %d: %v, want corrupt data before allocating", n, err)
		}
	}
}

// FuzzDecodePDU feeds arbitrary bytes to the framing and decoding the
// client uses. Properties: no panic; a decoded prefix PDU is a valid VRP;
// an ASPA PDU re-encodes (current layout) to a PDU that decodes the same.
func FuzzDecodePDU(f *testing.F) {
	for _, s := range [][]byte{
		{1, 0, 0x12, 0x34, 0, 0, 0, 0x0c, 0, 0, 0, 5},
		{1, 3, 0x12, 0x34, 0, 0, 0, 8},
		{1, 4, 0, 0, 0, 0, 0, 0x14, 1, 0x18, 0x18, 0, 0xc0, 0, 2, 0, 0, 0, 0xfb, 0xf0},
		{1, 6, 0, 0, 0, 0, 0, 0x20, 1, 0x20, 0x30, 0, 0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfb, 0xf0},
		{1, 7, 0x12, 0x34, 0, 0, 0, 0x18, 0, 0, 0, 6, 0, 0, 0x0e, 0x10, 0, 0, 2, 0x58, 0, 0, 0x1c, 0x20},
		{0, 7, 0x12, 0x34, 0, 0, 0, 0x0c, 0, 0, 0, 6},
		{1, 10, 0, 2, 0, 0, 0, 0x18, 0, 0, 0, 0, 0, 0, 0, 8, 0x4e, 0x6f, 0x20, 0x64, 0x61, 0x74, 0x61, 0},
		{1, 10, 0, 2, 0, 0, 0, 0x18, 0xff, 0xff, 0xff, 0xf0, 0, 0, 0, 8, 0x4e, 0x6f, 0x20, 0x64, 0x61, 0x74, 0x61, 0},
		{2, 11, 1, 0, 0, 0, 0, 0x14, 0, 0, 0xfb, 0xf0, 0, 0, 0xfb, 0xf1, 0, 0, 0xfb, 0xf2},
		{2, 11, 0, 0, 0, 0, 0, 0x18, 1, 1, 0, 2, 0, 0, 0xfb, 0xf0, 0, 0, 0xfb, 0xf1, 0, 0, 0xfb, 0xf2},
		{1, 9, 0, 0, 0, 0, 0, 0x24, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfb, 0xf0, 1, 2, 3, 4},
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		raw, err := readPDU(bytes.NewReader(data), nil)
		if err != nil {
			return
		}
		if int(binary.BigEndian.Uint32(raw[4:8])) != len(raw) {
			t.Fatalf("framed %d bytes for length %d", len(raw), binary.BigEndian.Uint32(raw[4:8]))
		}
		p, err := decodePDU(raw)
		if err != nil {
			var pe *pduError
			if !errors.As(err, &pe) {
				t.Fatalf("decode error %T %v is not a protocol error", err, err)
			}
		}
		if raw[1] == 4 || raw[1] == 6 {
			// The in-place decoder must agree with stayrtr's plus our checks.
			k, announce, ferr := decodePrefix(raw)
			if (ferr == nil) != (err == nil) {
				t.Fatalf("decodePrefix error %v, decodePDU error %v", ferr, err)
			}
			if err == nil {
				var v VRP
				var flags uint8
				switch p := p.(type) {
				case *rtr.PDUIPv4Prefix:
					v, flags = VRP{Prefix: p.Prefix, MaxLen: p.MaxLen, ASN: p.ASN}, p.Flags
				case *rtr.PDUIPv6Prefix:
					v, flags = VRP{Prefix: p.Prefix, MaxLen: p.MaxLen, ASN: p.ASN}, p.Flags
				}
				if k.vrp() != v || announce != (flags&1 == 1) || rkeyOf(v) != k {
					t.Fatalf("decodePrefix = %v %v, stayrtr = %v flags %d", k.vrp(), announce, v, flags)
				}
			}
		}
		if err != nil {
			return
		}
		switch p := p.(type) {
		case *rtr.PDUIPv4Prefix:
			if !(VRP{Prefix: p.Prefix, MaxLen: p.MaxLen}).IsValid() || !p.Prefix.Addr().Is4() {
				t.Fatalf("accepted prefix PDU %v", p)
			}
		case *rtr.PDUIPv6Prefix:
			if !(VRP{Prefix: p.Prefix, MaxLen: p.MaxLen}).IsValid() || !p.Prefix.Addr().Is6() {
				t.Fatalf("accepted prefix PDU %v", p)
			}
		case *aspaPDU:
			if p.afi == aspaAnyAFI {
				again, err := decodeASPA(encodeASPA(p.version, p.announce, p.customer, p.providers))
				if err != nil || again.customer != p.customer || again.announce != p.announce || !slices.Equal(again.providers, p.providers) {
					t.Fatalf("ASPA round trip: %+v -> %+v, %v", p, again, err)
				}
			}
		}
	})
}

func TestApplyChanges(t *testing.T) {
	k := func(p string, maxLen uint8, as uint32) rkey {
		return rkeyOf(VRP{Prefix: netip.MustParsePrefix(p), MaxLen: maxLen, ASN: as})
	}
	a, b, c, d := k("10.0.0.0/8", 8, 1), k("192.0.2.0/24", 24, 2), k("2001:db8::/32", 48, 3), k("::/0", 0, 4)
	tests := []struct {
		name             string
		held, adds, dels []rkey
		want             []rkey
		code             uint16 // error code, or 0xffff for none
	}{
		{"reset", nil, []rkey{c, a, b}, nil, []rkey{a, b, c}, 0xffff},
		{"add and withdraw", []rkey{a, b}, []rkey{c, d}, []rkey{a}, []rkey{b, d, c}, 0xffff}, // ::/0 sorts before 2001:db8::/32
		{"withdraw all", []rkey{a, b}, nil, []rkey{b, a}, []rkey{}, 0xffff},
		{"withdraw then announce again", []rkey{a, b}, []rkey{a}, []rkey{a}, []rkey{a, b}, 0xffff},
		{"duplicate in response", nil, []rkey{a, a}, nil, nil, ErrCodeDuplicateAnnounce},
		{"announce held", []rkey{a, b}, []rkey{b}, nil, nil, ErrCodeDuplicateAnnounce},
		{"withdraw unknown", []rkey{a, c}, nil, []rkey{b}, nil, ErrCodeWithdrawUnknown},
		{"withdraw unknown past the end", []rkey{a}, nil, []rkey{d}, nil, ErrCodeWithdrawUnknown},
		{"withdraw twice", []rkey{a}, nil, []rkey{a, a}, nil, ErrCodeWithdrawUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			heldBefore := slices.Clone(tt.held)
			got, err := applyChanges(tt.held, tt.adds, tt.dels)
			if tt.code != 0xffff {
				var pe *pduError
				if !errors.As(err, &pe) || pe.code != tt.code || got != nil {
					t.Fatalf("applyChanges = %v, %v; want error code %d", got, err, tt.code)
				}
			} else if err != nil || !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Fatalf("applyChanges = %v, %v; want %v", got, err, tt.want)
			}
			if !slices.Equal(tt.held, heldBefore) {
				t.Errorf("held records modified")
			}
		})
	}
	for _, x := range []rkey{a, b, c, d} {
		if rkeyOf(x.vrp()) != x {
			t.Errorf("rkey round trip %v", x.vrp())
		}
	}
}
