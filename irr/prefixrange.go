package irr

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"unsafe"
)

// Family is an address family: IPv4 or IPv6.
type Family uint8

// The address families. The values are the IP versions.
const (
	IPv4 Family = 4
	IPv6 Family = 6
)

// String returns "ipv4" or "ipv6", and "family(N)" for any other value.
func (f Family) String() string {
	switch f {
	case IPv4:
		return "ipv4"
	case IPv6:
		return "ipv6"
	}
	return "family(" + strconv.Itoa(int(f)) + ")"
}

// AppendText appends "ipv4" or "ipv6" to b. It fails for any other value,
// so that a zero or stray Family never reaches a file as text that reads
// back as something else.
func (f Family) AppendText(b []byte) ([]byte, error) {
	if f != IPv4 && f != IPv6 {
		return b, fmt.Errorf("irr: cannot marshal %s: want ipv4 or ipv6", f)
	}
	return append(b, f.String()...), nil
}

// MarshalText returns "ipv4" or "ipv6" (see AppendText): a Family is that
// string in JSON, YAML and as a JSON object key.
func (f Family) MarshalText() ([]byte, error) {
	return f.AppendText(nil)
}

// UnmarshalText sets f from "ipv4" or "ipv6", exactly as String writes
// them; anything else is an error naming the value.
func (f *Family) UnmarshalText(text []byte) error {
	switch string(text) {
	case "ipv4":
		*f = IPv4
	case "ipv6":
		*f = IPv6
	default:
		return fmt.Errorf("unknown family %s (want ipv4 or ipv6)", strconv.Quote(string(text)))
	}
	return nil
}

// MaxBits returns 32 for IPv4 and 128 for IPv6.
func (f Family) MaxBits() int {
	if f == IPv6 {
		return 128
	}
	return 32
}

// FamilyOf returns the family of p.
func FamilyOf(p netip.Prefix) Family {
	if p.Addr().Is4() {
		return IPv4
	}
	return IPv6
}

// A PrefixRange is an RPSL address prefix range (RFC 2622 §2): the prefixes
// inside Prefix whose length is between Min and Max inclusive. A plain
// prefix has Min == Max == Prefix.Bits(). The zero PrefixRange is not valid.
//
// PrefixRange is a comparable value type, usable as a map key.
type PrefixRange struct {
	Prefix   netip.Prefix
	Min, Max uint8
}

// ExactRange returns the range holding exactly p.
func ExactRange(p netip.Prefix) PrefixRange {
	b := uint8(p.Bits())
	return PrefixRange{Prefix: p, Min: b, Max: b}
}

// IsValid reports whether r is a well-formed range: a valid, canonical
// prefix with Prefix.Bits() <= Min <= Max <= the family's maximum.
func (r PrefixRange) IsValid() bool {
	p := r.Prefix
	return p.IsValid() && p.Masked() == p && int(r.Min) >= p.Bits() && r.Min <= r.Max &&
		int(r.Max) <= FamilyOf(p).MaxBits()
}

// IsExact reports whether r holds only its prefix.
func (r PrefixRange) IsExact() bool {
	return int(r.Min) == r.Prefix.Bits() && r.Max == r.Min
}

// Family returns the range's address family.
func (r PrefixRange) Family() Family { return FamilyOf(r.Prefix) }

// Contains reports whether the route p (prefix and length) is in r.
func (r PrefixRange) Contains(p netip.Prefix) bool {
	b := p.Bits()
	return b >= int(r.Min) && b <= int(r.Max) && r.Prefix.Overlaps(p) && r.Prefix.Bits() <= b
}

// String returns r in RPSL notation: "192.0.2.0/24", "192.0.2.0/24^+",
// "192.0.2.0/24^-", "192.0.2.0/24^26" or "192.0.2.0/24^26-28".
func (r PrefixRange) String() string {
	return string(r.AppendTo(make([]byte, 0, 48)))
}

// AppendTo appends the String form of r to b.
func (r PrefixRange) AppendTo(b []byte) []byte {
	b = r.Prefix.AppendTo(b)
	l := uint8(r.Prefix.Bits())
	maxBits := uint8(FamilyOf(r.Prefix).MaxBits())
	switch {
	case r.Min == l && r.Max == l:
	case r.Min == l && r.Max == maxBits:
		b = append(b, "^+"...)
	case r.Min == l+1 && r.Max == maxBits:
		b = append(b, "^-"...)
	case r.Min == r.Max:
		b = append(b, '^')
		b = strconv.AppendUint(b, uint64(r.Min), 10)
	default:
		b = append(b, '^')
		b = strconv.AppendUint(b, uint64(r.Min), 10)
		b = append(b, '-')
		b = strconv.AppendUint(b, uint64(r.Max), 10)
	}
	return b
}

// MarshalText implements encoding.TextMarshaler with the String form.
func (r PrefixRange) MarshalText() ([]byte, error) { return r.AppendTo(nil), nil }

// UnmarshalText implements encoding.TextUnmarshaler with ParsePrefixRange.
func (r *PrefixRange) UnmarshalText(b []byte) error {
	v, err := ParsePrefixRange(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// ErrHostBits reports a prefix with bits set beyond its length, such as
// 192.0.2.1/24. ParsePrefixRange returns it wrapped, together with the
// masked range, so that a lenient caller may keep the masked value.
var ErrHostBits = errors.New("host bits set")

// ParsePrefixRange parses an RPSL address prefix range: a prefix with an
// optional range operator (^-, ^+, ^n, ^n-m). IPv4-mapped IPv6 prefixes are
// rejected. A prefix with host bits set returns the masked range and an
// error wrapping ErrHostBits.
func ParsePrefixRange(s string) (PrefixRange, error) {
	pfx, op, hasOp := strings.Cut(s, "^")
	p, err := netip.ParsePrefix(pfx)
	if err != nil {
		return PrefixRange{}, fmt.Errorf("invalid prefix %s", strconv.Quote(s))
	}
	if p.Addr().Is4In6() {
		return PrefixRange{}, fmt.Errorf("invalid prefix %s: IPv4-mapped IPv6", strconv.Quote(s))
	}
	r := ExactRange(p.Masked())
	if hasOp {
		o, err := ParseRangeOp(op)
		if err != nil {
			return PrefixRange{}, fmt.Errorf("prefix range %s: %w", strconv.Quote(s), err)
		}
		var ok bool
		if (o.Kind == OpLength || o.Kind == OpRange) && int(o.N) < p.Bits() {
			ok = false
		} else {
			r, ok = r.Apply(o)
		}
		if !ok {
			return PrefixRange{}, fmt.Errorf("prefix range %s: operator out of range for /%d", strconv.Quote(s), p.Bits())
		}
	}
	if p.Masked() != p {
		return r, fmt.Errorf("prefix %s: %w", strconv.Quote(pfx), ErrHostBits)
	}
	return r, nil
}

// parsePrefixBytes parses a prefix from b without keeping a reference to it.
func parsePrefixBytes(b []byte) (netip.Prefix, error) {
	return netip.ParsePrefix(unsafe.String(unsafe.SliceData(b), len(b)))
}

// A RangeOp is an RPSL range operator (RFC 2622 §2). The zero RangeOp is
// "no operator".
type RangeOp struct {
	Kind RangeOpKind
	N, M uint8 // for OpLength (N) and OpRange (N-M)
}

// RangeOpKind tells which range operator a RangeOp is.
type RangeOpKind uint8

// The range operators.
const (
	OpNone      RangeOpKind = iota
	OpExclusive             // ^-
	OpInclusive             // ^+
	OpLength                // ^n
	OpRange                 // ^n-m
)

// ParseRangeOp parses the text after "^": "-", "+", "n" or "n-m".
func ParseRangeOp(s string) (RangeOp, error) {
	switch s {
	case "-":
		return RangeOp{Kind: OpExclusive}, nil
	case "+":
		return RangeOp{Kind: OpInclusive}, nil
	}
	ns, ms, isRange := strings.Cut(s, "-")
	n, err := parseLen(ns)
	if err != nil {
		return RangeOp{}, fmt.Errorf("invalid range operator %s", strconv.Quote("^"+s))
	}
	if !isRange {
		return RangeOp{Kind: OpLength, N: n, M: n}, nil
	}
	m, err := parseLen(ms)
	if err != nil || m < n {
		return RangeOp{}, fmt.Errorf("invalid range operator %s", strconv.Quote("^"+s))
	}
	return RangeOp{Kind: OpRange, N: n, M: m}, nil
}

func parseLen(s string) (uint8, error) {
	if len(s) == 0 || len(s) > 3 {
		return 0, errors.New("bad length")
	}
	v := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, errors.New("bad length")
		}
		v = v*10 + int(s[i]-'0')
	}
	if v > 128 {
		return 0, errors.New("bad length")
	}
	return uint8(v), nil
}

// String returns the operator in RPSL form ("" for OpNone).
func (o RangeOp) String() string {
	switch o.Kind {
	case OpExclusive:
		return "^-"
	case OpInclusive:
		return "^+"
	case OpLength:
		return "^" + strconv.Itoa(int(o.N))
	case OpRange:
		return "^" + strconv.Itoa(int(o.N)) + "-" + strconv.Itoa(int(o.M))
	}
	return ""
}

// Apply composes the operator o onto r, as an operator on a set applies to
// each of its members (RFC 2622 §2, IRRToolSet PrefixRange::makeMoreSpecific):
// the outer operator replaces the upper bound and can only raise the lower
// bound. It reports false when the result is empty or out of range.
func (r PrefixRange) Apply(o RangeOp) (PrefixRange, bool) {
	maxBits := uint8(FamilyOf(r.Prefix).MaxBits())
	lo, hi := r.Min, r.Max
	switch o.Kind {
	case OpNone:
		return r, true
	case OpExclusive:
		if lo >= maxBits {
			return PrefixRange{}, false
		}
		lo, hi = lo+1, maxBits
	case OpInclusive:
		hi = maxBits
	case OpLength, OpRange:
		n, m := o.N, o.M
		if o.Kind == OpLength {
			m = n
		}
		if m > maxBits || m < lo {
			return PrefixRange{}, false
		}
		lo, hi = max(lo, n), m
	}
	return PrefixRange{Prefix: r.Prefix, Min: lo, Max: hi}, true
}
