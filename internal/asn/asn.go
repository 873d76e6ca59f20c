// Package asn parses and formats autonomous system numbers.
//
// It accepts the forms met in routing registries and on command lines:
// asplain with or without the "AS" prefix ("AS64500", "as64500", "64500")
// and asdot ("AS1.10", RFC 5396), and formats them back as "AS64500".
package asn

import (
	"errors"
	"strconv"
	"strings"
)

// ErrSyntax reports text that is not an AS number.
var ErrSyntax = errors.New("invalid AS number")

// Parse parses s as an AS number. The "AS" prefix is optional and
// case-insensitive; asdot notation ("1.10") is converted to asplain.
func Parse(s string) (uint32, error) {
	t := s
	if len(t) >= 2 && (t[0] == 'A' || t[0] == 'a') && (t[1] == 'S' || t[1] == 's') {
		t = t[2:]
	}
	if t == "" {
		return 0, &Error{Text: s}
	}
	if hi, lo, ok := strings.Cut(t, "."); ok {
		h, err1 := parseUint16(hi)
		l, err2 := parseUint16(lo)
		if err1 != nil || err2 != nil {
			return 0, &Error{Text: s}
		}
		return uint32(h)<<16 | uint32(l), nil
	}
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return 0, &Error{Text: s}
		}
	}
	v, err := strconv.ParseUint(t, 10, 32)
	if err != nil {
		return 0, &Error{Text: s}
	}
	return uint32(v), nil
}

// ParseStrict is like Parse but requires the "AS" prefix, as RPSL does
// for members and origins.
func ParseStrict(s string) (uint32, error) {
	if len(s) < 3 || !strings.EqualFold(s[:2], "AS") {
		return 0, &Error{Text: s}
	}
	return Parse(s)
}

func parseUint16(s string) (uint16, error) {
	if s == "" {
		return 0, ErrSyntax
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, ErrSyntax
		}
	}
	v, err := strconv.ParseUint(s, 10, 16)
	return uint16(v), err
}

// Format returns "AS" followed by n in asplain notation.
func Format(n uint32) string {
	return string(Append(make([]byte, 0, 12), n))
}

// Append appends Format(n) to b.
func Append(b []byte, n uint32) []byte {
	return strconv.AppendUint(append(b, 'A', 'S'), uint64(n), 10)
}

// An Error reports text that is not an AS number.
type Error struct {
	Text string
}

func (e *Error) Error() string { return "invalid AS number " + strconv.Quote(e.Text) }

// Unwrap returns ErrSyntax so that errors.Is(err, ErrSyntax) holds.
func (e *Error) Unwrap() error { return ErrSyntax }
