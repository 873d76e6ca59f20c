package irr

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/filtergen/filtergen/internal/asn"
)

// A Name is an object name as given to an expansion: an optional source
// pin (bgpq4's "RIPE::AS-FOO") and the uppercased object name.
type Name struct {
	Source string // "" when not pinned
	Name   string
}

// ParseName parses "NAME" or "SOURCE::NAME". Names are uppercased.
func ParseName(s string) (Name, error) {
	s = strings.TrimSpace(s)
	var n Name
	if src, name, ok := strings.Cut(s, "::"); ok {
		if !validToken(src) {
			return Name{}, fmt.Errorf("invalid source in %s", strconv.Quote(s))
		}
		n.Source = strings.ToUpper(src)
		s = name
	}
	if s == "" || len(s) > 255 {
		return Name{}, fmt.Errorf("invalid object name %s", strconv.Quote(s))
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == ':' || c == '.') {
			return Name{}, fmt.Errorf("invalid character %s in object name %s", strconv.QuoteRune(rune(c)), strconv.Quote(s))
		}
	}
	n.Name = strings.ToUpper(s)
	return n, nil
}

// String returns "SOURCE::NAME" or "NAME".
func (n Name) String() string {
	if n.Source != "" {
		return n.Source + "::" + n.Name
	}
	return n.Name
}

func validToken(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// memberKind classifies a member of a set.
type memberKind uint8

const (
	memberASN memberKind = iota + 1
	memberASSet
	memberRouteSet
	memberPrefix
	memberAny // AS-ANY, RS-ANY, ANY: would permit everything
)

// A member is one parsed member of an as-set or route-set.
type member struct {
	kind  memberKind
	asn   uint32
	name  string      // uppercased set name
	rng   PrefixRange // for memberPrefix
	op    RangeOp     // operator on a set or ASN reference
	text  string      // normalised text, operator included
	viaBy bool        // added through member-of/mbrs-by-ref
}

// parseMember parses one member of a set. Set names are recognised by
// their hierarchical parts: a name is an as-set if any part starts with
// "AS-", a route-set if any part starts with "RS-"; a name with no such
// part (a bare "AS1:AS2") is an error.
func parseMember(s string) (member, error) {

	body, opText, hasOp := strings.Cut(s, "^")
	var op RangeOp
	if hasOp {
		o, err := ParseRangeOp(opText)
		if err != nil {
			return member{}, err
		}
		op = o
	}
	if strings.IndexByte(body, '/') >= 0 {
		r, err := ParsePrefixRange(s)
		if err != nil {
			return member{}, err
		}
		return member{kind: memberPrefix, rng: r, text: r.String()}, nil
	}
	up := strings.ToUpper(body)
	switch up {
	case "AS-ANY", "RS-ANY", "ANY":
		return member{kind: memberAny, name: up, text: up}, nil
	}
	if strings.IndexByte(up, ':') < 0 && !strings.HasPrefix(up, "AS-") && !strings.HasPrefix(up, "RS-") {
		n, err := asn.ParseStrict(up)
		if err != nil {
			return member{}, fmt.Errorf("invalid member %s", strconv.Quote(s))
		}
		m := member{kind: memberASN, asn: n, op: op}
		m.text = asn.Format(n) + op.String()
		return m, nil
	}
	kind, err := setKind(up)
	if err != nil {
		return member{}, fmt.Errorf("invalid member %s: %w", strconv.Quote(s), err)
	}
	return member{kind: kind, name: up, op: op, text: up + op.String()}, nil
}

// setKind tells whether an uppercased set name is an as-set or route-set
// name (RFC 2622 §5: hierarchical names have at least one part with the
// class prefix; parts are set names or AS numbers).
func setKind(up string) (memberKind, error) {
	parts := strings.Split(up, ":")
	if len(parts) > 8 {
		return 0, fmt.Errorf("too many parts")
	}
	var kind memberKind
	for _, p := range parts {
		switch {
		case strings.HasPrefix(p, "AS-") && len(p) > 3:
			if kind == memberRouteSet {
				return 0, fmt.Errorf("mixed set types")
			}
			kind = memberASSet
		case strings.HasPrefix(p, "RS-") && len(p) > 3:
			if kind == memberASSet {
				return 0, fmt.Errorf("mixed set types")
			}
			kind = memberRouteSet
		default:
			if _, err := asn.ParseStrict(p); err != nil || !validToken(p) {
				return 0, fmt.Errorf("bad name part %s", strconv.Quote(p))
			}
		}
	}
	if kind == 0 {
		return 0, fmt.Errorf("no set name part")
	}
	return kind, nil
}

// splitList splits a members value on commas and white space.
func splitList(v string, f func(string)) {
	start := -1
	for i := 0; i <= len(v); i++ {
		if i == len(v) || v[i] == ',' || v[i] == ' ' || v[i] == '\t' || v[i] == '\n' || v[i] == '\r' {
			if start >= 0 {
				f(v[start:i])
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
}

// fmtASN formats n as "AS<n>"; files whose locals are called asn use it.
func fmtASN(n uint32) string { return asn.Format(n) }
