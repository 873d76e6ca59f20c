package rpki

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/filtergen/filtergen/internal/asn"
)

// The JSON loader is a small strict scanner rather than encoding/json:
// it keeps line numbers for errors, names each bad entry by index, and
// loads 800,000 VRPs several times faster, without reflection.

const maxJSONDepth = 64

type jsonParser struct {
	data  []byte
	pos   int
	file  string
	entry string // the entry being parsed, for errors: "roas", "metadata"
	index int    // its index in an array, or -1
	exp   expiry
	out   parsed
	tas   map[string]string // interned trust anchor names
}

func parseJSON(data []byte, name string, exp expiry) (parsed, error) {
	p := &jsonParser{data: data, file: name, exp: exp, index: -1, tas: map[string]string{}}
	p.out.format = formatJSON
	// Size the VRP slice from a fast count of the prefixes.
	p.out.vrps = make([]VRP, 0, bytes.Count(data, []byte(`"prefix"`)))
	if err := p.top(); err != nil {
		return parsed{}, err
	}
	return p.out, nil
}

func (p *jsonParser) errAt(pos int, err error) error {
	line := 1 + bytes.Count(p.data[:min(pos, len(p.data))], []byte{'\n'})
	entry := p.entry
	if p.index >= 0 {
		entry += "[" + strconv.Itoa(p.index) + "]"
	}
	return &ParseError{File: p.file, Line: line, Entry: entry, Err: err}
}

func (p *jsonParser) errf(format string, args ...any) error {
	return p.errAt(p.pos, fmt.Errorf(format, args...))
}

func (p *jsonParser) ws() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\r', '\n':
			p.pos++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (p *jsonParser) peek() byte {
	p.ws()
	if p.pos >= len(p.data) {
		return 0
	}
	return p.data[p.pos]
}

func (p *jsonParser) unexpected() error {
	if p.pos >= len(p.data) {
		return p.errf("unexpected end of input (truncated file?)")
	}
	r, _ := utf8.DecodeRune(p.data[p.pos:])
	return p.errf("unexpected %q", r)
}

func (p *jsonParser) expect(c byte) error {
	if p.peek() != c {
		return p.unexpected()
	}
	p.pos++
	return nil
}

// rawString scans a string and returns its contents between the quotes,
// and whether it holds escapes.
func (p *jsonParser) rawString() ([]byte, bool, error) {
	if p.peek() != '"' {
		return nil, false, p.unexpected()
	}
	start := p.pos
	p.pos++
	escaped := false
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			return p.data[start+1 : p.pos-1], escaped, nil
		case c == '\\':
			escaped = true
			p.pos += 2
		case c < 0x20:
			return nil, false, p.errf("control character in string")
		default:
			p.pos++
		}
	}
	p.pos = len(p.data)
	return nil, false, p.unexpected()
}

func (p *jsonParser) str() (string, error) {
	start := p.peekPos()
	raw, escaped, err := p.rawString()
	if err != nil {
		return "", err
	}
	if !escaped {
		if !utf8.Valid(raw) {
			return "", p.errAt(start, errors.New("invalid UTF-8 in string"))
		}
		return string(raw), nil
	}
	var s string
	if err := json.Unmarshal(p.data[start:p.pos], &s); err != nil {
		return "", p.errAt(start, fmt.Errorf("bad string: %v", err))
	}
	return s, nil
}

// prefixText returns the text of a prefix string without copying it.
// The string aliases p.data, which is never modified, and is only handed
// to netip.ParsePrefix, which keeps no reference to it (prefixes have no
// zone); error messages quote a copy.
func (p *jsonParser) prefixText() (string, error) {
	start := p.peekPos()
	raw, escaped, err := p.rawString()
	if err != nil || escaped || len(raw) == 0 {
		p.pos = start
		return p.str()
	}
	return unsafe.String(&raw[0], len(raw)), nil
}

// ta reads a trust anchor name. There are only a handful, so they are
// interned rather than allocated once per VRP.
func (p *jsonParser) ta() (string, error) {
	start := p.peekPos()
	raw, escaped, err := p.rawString()
	if err != nil {
		return "", err
	}
	if !escaped {
		if s, ok := p.tas[string(raw)]; ok {
			return s, nil
		}
	}
	p.pos = start
	s, err := p.str()
	if err == nil && len(p.tas) < 1024 {
		p.tas[s] = s
	}
	return s, err
}

func (p *jsonParser) peekPos() int {
	p.ws()
	return p.pos
}

// number scans a JSON number and returns its text.
func (p *jsonParser) number() ([]byte, error) {
	p.ws()
	start := p.pos
	d := p.data
	i := p.pos
	if i < len(d) && d[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(d) && d[i] == '0' {
		i++
	} else if digits() == 0 {
		return nil, p.unexpected()
	}
	if i < len(d) && d[i] == '.' {
		i++
		if digits() == 0 {
			p.pos = i
			return nil, p.unexpected()
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if digits() == 0 {
			p.pos = i
			return nil, p.unexpected()
		}
	}
	p.pos = i
	return d[start:i], nil
}

// uint parses a JSON number that must be an integer in [0, max].
func (p *jsonParser) uint(what string, max uint64) (uint64, error) {
	start := p.peekPos()
	num, err := p.number()
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseUint(string(num), 10, 64)
	if err != nil || v > max {
		return 0, p.errAt(start, fmt.Errorf("%s %s out of range", what, num))
	}
	return v, nil
}

func (p *jsonParser) int64(what string) (int64, error) {
	start := p.peekPos()
	num, err := p.number()
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseInt(string(num), 10, 64)
	if err != nil {
		// Some producers write times as floats.
		f, ferr := strconv.ParseFloat(string(num), 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return 0, p.errAt(start, fmt.Errorf("%s %s is not an integer", what, num))
		}
		v = int64(f)
	}
	return v, nil
}

func (p *jsonParser) literal(word string) error {
	if !bytes.HasPrefix(p.data[p.pos:], []byte(word)) {
		return p.unexpected()
	}
	p.pos += len(word)
	return nil
}

// skip scans and discards one value.
func (p *jsonParser) skip(depth int) error {
	if depth > maxJSONDepth {
		return p.errf("nested deeper than %d levels", maxJSONDepth)
	}
	switch c := p.peek(); c {
	case '{':
		return p.object(func(key []byte) error { return p.skip(depth + 1) })
	case '[':
		return p.array(func(int) error { return p.skip(depth + 1) })
	case '"':
		_, _, err := p.rawString()
		return err
	case 't':
		return p.literal("true")
	case 'f':
		return p.literal("false")
	case 'n':
		return p.literal("null")
	default:
		_, err := p.number()
		return err
	}
}

// object scans an object, calling fn for each member with the key; fn
// must consume the value. Keys with escapes are unescaped.
func (p *jsonParser) object(fn func(key []byte) error) error {
	if err := p.expect('{'); err != nil {
		return err
	}
	if p.peek() == '}' {
		p.pos++
		return nil
	}
	for {
		start := p.peekPos()
		key, escaped, err := p.rawString()
		if err != nil {
			return err
		}
		if escaped {
			var s string
			if err := json.Unmarshal(p.data[start:p.pos], &s); err != nil {
				return p.errAt(start, fmt.Errorf("bad key: %v", err))
			}
			key = []byte(s)
		}
		if err := p.expect(':'); err != nil {
			return err
		}
		if err := fn(key); err != nil {
			return err
		}
		switch p.peek() {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return nil
		default:
			return p.unexpected()
		}
	}
}

// array scans an array, calling fn for each element with its index.
func (p *jsonParser) array(fn func(i int) error) error {
	if err := p.expect('['); err != nil {
		return err
	}
	if p.peek() == ']' {
		p.pos++
		return nil
	}
	for i := 0; ; i++ {
		if err := fn(i); err != nil {
			return err
		}
		switch p.peek() {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return nil
		default:
			return p.unexpected()
		}
	}
}

func (p *jsonParser) top() error {
	haveROAs := false
	err := p.object(func(key []byte) error {
		p.entry, p.index = "", -1
		switch string(key) {
		case "metadata":
			p.entry = "metadata"
			return p.metadata()
		case "roas":
			if haveROAs {
				return p.errf("duplicate \"roas\" member")
			}
			haveROAs = true
			return p.array(p.roa)
		case "aspas":
			return p.aspaArray("aspas")
		case "provider_authorizations":
			// rpki-client 8.x wrote ASPAs per address family.
			return p.object(func(afi []byte) error {
				return p.aspaArray("provider_authorizations." + string(afi))
			})
		}
		return p.skip(1)
	})
	if err != nil {
		return err
	}
	p.entry, p.index = "", -1
	if p.peek() != 0 {
		return p.errf("data after the top-level object")
	}
	if !haveROAs {
		return p.errf("no \"roas\" member: not a VRP file")
	}
	return nil
}

func (p *jsonParser) metadata() error {
	var generated, buildtime time.Time
	err := p.object(func(key []byte) error {
		switch string(key) {
		case "buildtime":
			if p.peek() != '"' {
				return p.skip(1)
			}
			start := p.peekPos()
			s, err := p.str()
			if err != nil {
				return err
			}
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return p.errAt(start, fmt.Errorf("buildtime %q is not RFC 3339", s))
			}
			buildtime = t
			return nil
		case "generated":
			// Routinator and stayrtr: Unix seconds. It wins over buildtime,
			// as in stayrtr.
			if c := p.peek(); c != '-' && (c < '0' || c > '9') {
				return p.skip(1)
			}
			v, err := p.int64("generated")
			if err != nil {
				return err
			}
			generated = time.Unix(v, 0).UTC()
			return nil
		}
		return p.skip(1)
	})
	if err != nil {
		return err
	}
	if !generated.IsZero() {
		p.out.produced = generated
	} else if !buildtime.IsZero() {
		p.out.produced = buildtime
	}
	return nil
}

// asnValue parses an AS number written as a JSON number or a string
// ("AS64500", "64500").
func (p *jsonParser) asnValue(what string) (uint32, error) {
	start := p.peekPos()
	switch c := p.peek(); {
	case c == '"':
		s, err := p.str()
		if err != nil {
			return 0, err
		}
		n, err := asn.Parse(s)
		if err != nil {
			return 0, p.errAt(start, fmt.Errorf("%s: %w", what, err))
		}
		return n, nil
	case c == '-' || c >= '0' && c <= '9':
		v, err := p.uint(what, math.MaxUint32)
		return uint32(v), err
	default:
		return 0, p.unexpected()
	}
}

const (
	seenASN = 1 << iota
	seenPrefix
	seenMaxLen
	seenTA
	seenExpires
)

func (p *jsonParser) roa(i int) error {
	p.entry, p.index = "roas", i
	start := p.peekPos()
	var (
		v       VRP
		prefix  string
		expires int64
		maxLen  uint64
		seen    int
	)
	once := func(bit int, key []byte) error {
		if seen&bit != 0 {
			return p.errf("duplicate member %q", key)
		}
		seen |= bit
		return nil
	}
	err := p.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "asn":
			if err = once(seenASN, key); err == nil {
				v.ASN, err = p.asnValue("asn")
			}
		case "prefix":
			if err = once(seenPrefix, key); err == nil {
				prefix, err = p.prefixText()
			}
		case "maxLength":
			if err = once(seenMaxLen, key); err == nil {
				maxLen, err = p.uint("maxLength", 255)
			}
		case "ta":
			if err = once(seenTA, key); err == nil {
				v.TA, err = p.ta()
			}
		case "expires":
			if err = once(seenExpires, key); err == nil {
				expires, err = p.int64("expires")
			}
		case "source":
			// Routinator jsonext: [{"type": "roa", "tal": "ripe", ...}].
			if p.peek() != '[' {
				return p.skip(1)
			}
			err = p.array(func(int) error {
				return p.object(func(key []byte) error {
					if string(key) == "tal" && v.TA == "" && p.peek() == '"' {
						var err error
						v.TA, err = p.ta()
						return err
					}
					return p.skip(2)
				})
			})
		default:
			err = p.skip(1)
		}
		return err
	})
	if err != nil {
		return err
	}
	for _, need := range []struct {
		bit  int
		name string
	}{{seenASN, "asn"}, {seenPrefix, "prefix"}, {seenMaxLen, "maxLength"}} {
		if seen&need.bit == 0 {
			return p.errAt(start, fmt.Errorf("missing %q", need.name))
		}
	}
	v.MaxLen = uint8(maxLen)
	pfx, err := netip.ParsePrefix(prefix)
	if err != nil {
		return p.errAt(start, fmt.Errorf("invalid prefix %q", strings.Clone(prefix)))
	}
	v.Prefix = pfx
	if err := v.check(); err != nil {
		return p.errAt(start, err)
	}
	if p.exp.expired(expires, seen&seenExpires != 0) {
		return nil
	}
	p.out.vrps = append(p.out.vrps, v)
	return nil
}

func (p *jsonParser) aspaArray(name string) error {
	if p.peek() != '[' {
		return p.errf("%q is not an array", name)
	}
	return p.array(func(i int) error {
		p.entry, p.index = name, i
		return p.aspa()
	})
}

func (p *jsonParser) aspa() error {
	start := p.peekPos()
	var (
		a            ASPA
		expires      int64
		haveCustomer bool
		haveProvs    bool
		haveExpires  bool
	)
	err := p.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "customer_asid", "customer":
			if haveCustomer {
				return p.errf("duplicate customer")
			}
			haveCustomer = true
			a.Customer, err = p.asnValue(string(key))
		case "providers":
			if haveProvs {
				return p.errf("duplicate \"providers\"")
			}
			haveProvs = true
			a.Providers = []uint32{}
			err = p.array(func(j int) error {
				if c := p.peek(); c != '"' && c != '-' && (c < '0' || c > '9') {
					return p.errf("providers[%d] is not an AS number (an address-family marked provider from before 2023?)", j)
				}
				n, err := p.asnValue("providers[" + strconv.Itoa(j) + "]")
				a.Providers = append(a.Providers, n)
				return err
			})
		case "expires":
			haveExpires = true
			expires, err = p.int64("expires")
		default:
			err = p.skip(1)
		}
		return err
	})
	if err != nil {
		return err
	}
	if !haveCustomer {
		return p.errAt(start, errors.New("missing customer AS"))
	}
	if !haveProvs {
		return p.errAt(start, errors.New("missing \"providers\""))
	}
	if len(a.Providers) == 0 {
		// An empty provider list (Routinator) means transit-free, which
		// the ASPA profile writes as {AS0}.
		a.Providers = []uint32{0}
	}
	if p.exp.expired(expires, haveExpires) {
		return nil
	}
	p.out.aspas = append(p.out.aspas, a)
	return nil
}
