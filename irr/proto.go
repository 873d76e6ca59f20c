package irr

// The IRRd "!" query protocol on the wire: reading and validating replies,
// writing queries, and parsing the lists that replies carry. Shared by the
// Client and the Server (protocols.md §2.2).

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// A ServerError is an IRRd "F <message>" reply: the server refused or
// failed one query. The connection stays usable. A Client never retries a
// query that got one.
type ServerError struct {
	Msg    string // the message after "F ", as sent
	Query  string // the query that got it, when known
	Server string // the server's address, when known
}

func (e *ServerError) Error() string {
	var b strings.Builder
	b.WriteString("irr: ")
	if e.Server != "" {
		b.WriteString(e.Server)
		b.WriteString(": ")
	}
	if e.Query != "" {
		b.WriteString(strconv.Quote(e.Query))
		b.WriteString(": ")
	}
	b.WriteString("server error: ")
	b.WriteString(strconv.Quote(e.Msg))
	return b.String()
}

// ErrProtocol reports a reply that breaks IRRd's framing: a short or long
// A<len> body, a missing C, an unexpected first byte, or garbage where an
// AS number or prefix belongs. It is wrapped in a *QueryError.
var ErrProtocol = errors.New("irr: protocol error")

// A QueryError reports a query that failed for any reason other than an F
// reply: a protocol error, a timeout, a reset connection. It names the query
// and the server.
type QueryError struct {
	Server string
	Query  string
	Err    error
}

func (e *QueryError) Error() string {
	return fmt.Sprintf("irr: %s: query %s: %v", e.Server, strconv.Quote(e.Query), e.Err)
}

func (e *QueryError) Unwrap() error { return e.Err }

// protoErrorf returns an error wrapping ErrProtocol.
func wireErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrProtocol, fmt.Sprintf(format, args...))
}

// replyKind is the kind of an IRRd reply, named by its first byte.
type replyKind uint8

const (
	replyData     replyKind = iota + 1 // A<len> ... C
	replyOK                            // C: success, nothing to return
	replyNotFound                      // D: empty result or missing key
)

// wireMaxStatusLine bounds the first line of a reply; "A" plus ten digits is
// plenty, an F message may be longer.
const wireMaxStatusLine = 4096

// readReply reads one reply from r. For replyData it returns the content
// without its final newline, in buf (grown as needed) when it fits. An F
// reply is returned as a *ServerError, anything malformed as an error
// wrapping ErrProtocol, and an I/O failure as itself (io.ErrUnexpectedEOF
// for a connection closed mid-reply). maxReply caps the A<len> accepted,
// checked before anything is allocated.
func readReply(r *bufio.Reader, maxReply int, buf []byte) (replyKind, []byte, error) {
	kind, n, err := readStatus(r, maxReply)
	if err != nil || kind != replyData {
		return kind, nil, err
	}
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := io.ReadFull(r, buf); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return 0, nil, fmt.Errorf("reading %d-byte reply: %w", n, err)
	}
	if buf[n-1] != '\n' {
		return 0, nil, wireErrorf("A%d: content does not end in a newline at the announced length", n)
	}
	if err := readEnd(r, n); err != nil {
		return 0, nil, err
	}
	return replyData, buf[:n-1], nil
}

// readReplyTokens reads one reply from r like readReply, but hands the
// content of an A reply to tok one space-, tab- or newline-separated
// token at a time (as wireFields splits it), straight from r's buffer,
// as it arrives: a big answer is never held whole, and parsing it overlaps
// the server still sending it. A token is valid only during the call. size,
// if not nil, gets the announced length first, to presize what the tokens
// are collected into. Tokens longer than wireMaxToken are a protocol
// error.
//
// The framing is checked as readReply checks it, but only as the content
// goes by: tok may have seen tokens of a reply that turns out malformed.
// Callers collect tokens and drop them on error, so that no partial
// result escapes. After tok's first error it is not called again, but the
// reply is still read to its end, so that the error is the one readReply
// would give: a connection lost mid-reply is an I/O error (worth a retry),
// not a bad token.
func readReplyTokens(r *bufio.Reader, maxReply int, size func(n int), tokFn func([]byte) error) (replyKind, error) {
	kind, n, err := readStatus(r, maxReply)
	if err != nil || kind != replyData {
		return kind, err
	}
	if size != nil {
		size(n)
	}
	var tokErr error
	tok := func(t []byte) error {
		if tokErr == nil {
			tokErr = tokFn(t)
		}
		return nil
	}
	var carry []byte // a token cut by the end of r's buffer
	var carryBuf [64]byte
	for left := n; left > 0; {
		if r.Buffered() == 0 {
			if _, err := r.Peek(1); err != nil {
				if errors.Is(err, io.EOF) {
					err = io.ErrUnexpectedEOF
				}
				return 0, fmt.Errorf("reading %d-byte reply: %w", n, err)
			}
		}
		chunk, _ := r.Peek(min(r.Buffered(), left))
		left -= len(chunk)
		if left == 0 && chunk[len(chunk)-1] != '\n' {
			return 0, wireErrorf("A%d: content does not end in a newline at the announced length", n)
		}
		if carry != nil {
			j := 0
			for j < len(chunk) && !wireIsSpace(chunk[j]) {
				j++
			}
			if len(carry)+j > wireMaxToken {
				return 0, wireErrorf("A%d: token longer than %d bytes", n, wireMaxToken)
			}
			carry = append(carry, chunk[:j]...)
			if j == len(chunk) && left > 0 {
				r.Discard(len(chunk))
				continue
			}
			if err := tok(carry); err != nil {
				return 0, err
			}
			carry = nil
			r.Discard(j)
			chunk = chunk[j:]
		}
		// Tokens wholly inside chunk; a last one that runs to its end is
		// carried over, unless the content ends there (it cannot: the
		// content ends in a newline).
		end := len(chunk)
		if left > 0 {
			for end > 0 && !wireIsSpace(chunk[end-1]) {
				end--
			}
			if len(chunk)-end > wireMaxToken {
				return 0, wireErrorf("A%d: token longer than %d bytes", n, wireMaxToken)
			}
		}
		if err := wireFields(chunk[:end], tok); err != nil {
			return 0, err
		}
		if end < len(chunk) {
			carry = append(carryBuf[:0], chunk[end:]...)
		}
		r.Discard(len(chunk))
	}
	if err := readEnd(r, n); err != nil {
		return 0, err
	}
	return replyData, tokErr
}

// wireMaxToken bounds one token of a streamed reply: a prefix, an AS
// number or a set member. 4 KiB is far beyond any of them.
const wireMaxToken = 4096

// readStatus reads the status line of a reply. For replyData it returns
// the announced length n (>= 1, <= maxReply); the content and its end line
// are the caller's to read.
func readStatus(r *bufio.Reader, maxReply int) (replyKind, int, error) {
	line, err := wireReadLine(r, wireMaxStatusLine)
	if err != nil {
		if errors.Is(err, errWireLineTooLong) {
			return 0, 0, wireErrorf("status line longer than %d bytes", wireMaxStatusLine)
		}
		return 0, 0, err
	}
	if len(line) == 0 {
		return 0, 0, wireErrorf("empty status line")
	}
	switch line[0] {
	case 'A':
		n, ok := wireLength(line[1:])
		if !ok {
			return 0, 0, wireErrorf("bad length in %s", wireQuote(line, 40))
		}
		if n < 1 {
			return 0, 0, wireErrorf("A%d: length must count the final newline", n)
		}
		if n > maxReply {
			return 0, 0, wireErrorf("A%d: reply longer than the limit of %d bytes", n, maxReply)
		}
		return replyData, n, nil
	case 'C':
		if len(line) != 1 {
			return 0, 0, wireErrorf("unexpected reply %s", wireQuote(line, 40))
		}
		return replyOK, 0, nil
	case 'D':
		if len(line) != 1 {
			return 0, 0, wireErrorf("unexpected reply %s", wireQuote(line, 40))
		}
		return replyNotFound, 0, nil
	case 'F':
		msg := strings.TrimSpace(string(line[1:]))
		return 0, 0, &ServerError{Msg: msg}
	case 'E':
		return 0, 0, wireErrorf("legacy E reply (multiple copies of the key)")
	}
	return 0, 0, wireErrorf("unexpected reply %s", wireQuote(line, 40))
}

// readEnd reads the "C" line that ends an A<n> reply.
func readEnd(r *bufio.Reader, n int) error {
	end, err := wireReadLine(r, wireMaxStatusLine)
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		if errors.Is(err, errWireLineTooLong) {
			return wireErrorf("A%d: reply longer than announced", n)
		}
		return fmt.Errorf("reading end of reply: %w", err)
	}
	if len(end) != 1 || end[0] != 'C' {
		return wireErrorf("A%d: want C after the content, got %s (length wrong?)", n, wireQuote(end, 40))
	}
	return nil
}

var errWireLineTooLong = errors.New("line too long")

// readLine reads a line of at most max bytes and returns it without its
// "\n" or "\r\n". The returned slice is valid until the next read.
func wireReadLine(r *bufio.Reader, max int) ([]byte, error) {
	line, err := r.ReadSlice('\n')
	if err == bufio.ErrBufferFull || (err == nil && len(line) > max+1) {
		return nil, errWireLineTooLong
	}
	if err != nil {
		if err == io.EOF && len(line) > 0 {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

// parseLength parses the decimal after "A": digits only, no sign, at most 10.
func wireLength(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 10 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// quoteBytes quotes b for an error message, cut to max bytes.
func wireQuote(b []byte, max int) string {
	if len(b) > max {
		return strconv.Quote(string(b[:max])) + "..."
	}
	return strconv.Quote(string(b))
}

// fields calls f with each space-, tab- or newline-separated token of b.
// It stops at the first error f returns.
func wireFields(b []byte, f func(tok []byte) error) error {
	for len(b) > 0 {
		i := 0
		for i < len(b) && wireIsSpace(b[i]) {
			i++
		}
		b = b[i:]
		j := 0
		for j < len(b) && !wireIsSpace(b[j]) {
			j++
		}
		if j == 0 {
			break
		}
		if err := f(b[:j]); err != nil {
			return err
		}
		b = b[j:]
	}
	return nil
}

func wireIsSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// parseASNToken parses "AS<digits>" (any case) as IRRd writes AS numbers:
// asplain only, no asdot, no leading "+".
func wireParseASN(tok []byte) (uint32, error) {
	if len(tok) < 3 || len(tok) > 12 || (tok[0]|0x20) != 'a' || (tok[1]|0x20) != 's' {
		return 0, wireErrorf("bad AS number %s", wireQuote(tok, 40))
	}
	var n uint64
	for _, c := range tok[2:] {
		if c < '0' || c > '9' {
			return 0, wireErrorf("bad AS number %s", wireQuote(tok, 40))
		}
		n = n*10 + uint64(c-'0')
	}
	if n > 1<<32-1 {
		return 0, wireErrorf("AS number out of range %s", wireQuote(tok, 40))
	}
	return uint32(n), nil
}

// parseASNList parses a space-separated list of AS numbers, as in the
// answer to !i<as-set>,1.
func wireParseASNs(b []byte, dst []uint32) ([]uint32, error) {
	err := wireFields(b, func(tok []byte) error {
		n, err := wireParseASN(tok)
		if err != nil {
			return err
		}
		dst = append(dst, n)
		return nil
	})
	return dst, err
}

// parsePrefixToken parses one prefix as IRRd writes route prefixes:
// canonical (no host bits), not IPv4-mapped, of the family asked for (0:
// either).
func wireParsePrefix(tok []byte, fam Family) (netip.Prefix, error) {
	var p netip.Prefix
	ok := false
	if fam != IPv6 {
		p, ok = wireParseV4(tok)
	}
	if !ok && fam != IPv4 {
		p, ok = wireParseV6(tok)
	}
	if !ok {
		var err error
		if p, err = parsePrefixBytes(tok); err != nil {
			return netip.Prefix{}, wireErrorf("bad prefix %s", wireQuote(tok, 60))
		}
	}
	if p.Addr().Is4In6() || p.Addr().Zone() != "" {
		return netip.Prefix{}, wireErrorf("bad prefix %s", wireQuote(tok, 60))
	}
	if p.Masked() != p {
		return netip.Prefix{}, wireErrorf("prefix %s has host bits set", wireQuote(tok, 60))
	}
	if fam != 0 && FamilyOf(p) != fam {
		return netip.Prefix{}, wireErrorf("prefix %s is not %s", wireQuote(tok, 60), fam)
	}
	return p, nil
}

// wireParseV4 parses tok when it is an IPv4 prefix in the one form IRRd
// writes: decimal octets and length without leading zeros. It is the fast
// path of wireParsePrefix, which answers several hundred thousand of them
// per !a4 reply; netip.ParsePrefix costs several times more. ok is false
// for anything else (IPv6, other spellings, errors), which the caller then
// gives to the general parser: wireParseV4 accepts a subset of what
// netip.ParsePrefix accepts, with the same result (FuzzWireParseV4).
func wireParseV4(tok []byte) (p netip.Prefix, ok bool) {
	var a [4]byte
	i := 0
	for k := range 4 {
		v, n := wireDecimal(tok[i:])
		if n == 0 || v > 255 || i+n >= len(tok) {
			return netip.Prefix{}, false
		}
		a[k] = byte(v)
		i += n
		want := byte('.')
		if k == 3 {
			want = '/'
		}
		if tok[i] != want {
			return netip.Prefix{}, false
		}
		i++
	}
	bits, n := wireDecimal(tok[i:])
	if n == 0 || i+n != len(tok) || bits > 32 {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(netip.AddrFrom4(a), bits), true
}

// wireParseV6 is wireParseV4 for IPv6: hexadecimal groups of one to four
// digits and at most one "::", no embedded IPv4 and no zone, then a
// canonical decimal length. Anything else is left to netip.ParsePrefix
// (FuzzWireParseV6 checks the two agree).
func wireParseV6(tok []byte) (netip.Prefix, bool) {
	slash := bytes.IndexByte(tok, '/')
	if slash < 2 {
		return netip.Prefix{}, false
	}
	bits, n := wireDecimal(tok[slash+1:])
	if n == 0 || slash+1+n != len(tok) || bits > 128 {
		return netip.Prefix{}, false
	}
	s := tok[:slash]
	var a [16]byte
	ell := -1 // the group "::" stands before
	g, i := 0, 0
	switch {
	case s[0] == ':' && s[1] == ':':
		ell, i = 0, 2
	case s[0] == ':':
		return netip.Prefix{}, false
	}
	for i < len(s) {
		if g == 8 {
			return netip.Prefix{}, false
		}
		v, j := 0, 0
		for ; j < 4 && i+j < len(s); j++ {
			c := s[i+j]
			switch {
			case c >= '0' && c <= '9':
				v = v<<4 | int(c-'0')
			case c >= 'a' && c <= 'f':
				v = v<<4 | int(c-'a'+10)
			case c >= 'A' && c <= 'F':
				v = v<<4 | int(c-'A'+10)
			default:
				goto done
			}
		}
	done:
		if j == 0 {
			return netip.Prefix{}, false
		}
		a[2*g], a[2*g+1] = byte(v>>8), byte(v)
		g++
		i += j
		if i == len(s) {
			break
		}
		if s[i] != ':' {
			return netip.Prefix{}, false
		}
		i++
		if i == len(s) {
			return netip.Prefix{}, false
		}
		if s[i] == ':' {
			if ell >= 0 {
				return netip.Prefix{}, false
			}
			ell = g
			i++
		}
	}
	switch {
	case ell < 0 && g != 8, ell >= 0 && g > 7:
		return netip.Prefix{}, false
	case ell >= 0:
		tail := g - ell
		copy(a[16-2*tail:], a[2*ell:2*g])
		clear(a[2*ell : 16-2*tail])
	}
	return netip.PrefixFrom(netip.AddrFrom16(a), bits), true
}

// wireDecimal parses the canonical decimal at the start of b: one to three
// digits, no leading zero unless it is "0". n is the digits used, 0 when b
// does not start with one.
func wireDecimal(b []byte) (v, n int) {
	for n < len(b) && n < 4 && b[n] >= '0' && b[n] <= '9' {
		v = v*10 + int(b[n]-'0')
		n++
	}
	if n == 4 || (n > 1 && b[0] == '0') {
		return 0, 0
	}
	return v, n
}

// parsePrefixList parses the space-separated prefixes of a !g, !6 or !a
// answer. Every token must be a canonical prefix of family fam.
func wireParsePrefixes(b []byte, fam Family, dst []netip.Prefix) ([]netip.Prefix, error) {
	dst = slices.Grow(dst, wireCountTokens(b))
	err := wireFields(b, func(tok []byte) error {
		p, err := wireParsePrefix(tok, fam)
		if err != nil {
			return err
		}
		dst = append(dst, p)
		return nil
	})
	return dst, err
}

// wireEstimateTokens returns how many prefixes of family fam an A<n>
// answer is likely to hold, for a list allocated before the answer is read:
// n over a short typical token ("192.0.2.0/24 " is 13 bytes, an IPv6
// token is longer). It errs high for IRRd's usual prefixes, so that the
// list is not grown while the answer is read; a one-shot process never
// touches the capacity it does not use.
func wireEstimateTokens(n int, fam Family) int {
	if fam == IPv6 {
		return n/15 + 1
	}
	return n/13 + 1
}

// wireCountTokens returns how many tokens wireFields finds in b when they
// are separated by single spaces, as IRRd writes lists: the size to
// allocate for a list answer, known before parsing it. It is exact for
// IRRd's answers; other spacing only makes it too large or too small.
func wireCountTokens(b []byte) int {
	if len(b) == 0 {
		return 0
	}
	return bytes.Count(b, []byte{' '}) + 1
}

// parseRangeToken parses a prefix with an optional range operator, as in
// route-set members. Host bits are an error here: IRRd refuses them.
func wireParseRange(tok []byte) (PrefixRange, error) {
	r, err := ParsePrefixRange(string(tok))
	if err != nil {
		return PrefixRange{}, wireErrorf("bad prefix range %s: %v", wireQuote(tok, 60), err)
	}
	return r, nil
}

// writeQuery appends one query line to w. It refuses text that would
// split into two queries or be cut by the server.
func wireWriteQuery(w *bufio.Writer, q string) error {
	if err := wireCheckQuery(q); err != nil {
		return err
	}
	w.WriteString(q)
	return w.WriteByte('\n')
}

// checkQuery rejects a query that contains a line break or NUL, so that
// untrusted set names cannot inject a second query.
func wireCheckQuery(q string) error {
	if strings.ContainsAny(q, "\n\r\x00") {
		return fmt.Errorf("irr: query %s contains a line break or NUL", strconv.Quote(q))
	}
	return nil
}

// appendData appends an A<len> reply for content (without its final
// newline) to b.
func wireAppendData(b []byte, content []byte) []byte {
	if len(content) == 0 {
		return append(b, "D\n"...)
	}
	b = append(b, 'A')
	b = strconv.AppendInt(b, int64(len(content)+1), 10)
	b = append(b, '\n')
	b = append(b, content...)
	return append(b, "\nC\n"...)
}

// hasTokenPrefix reports whether b starts with prefix, ignoring ASCII case.
func wireHasPrefix(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && bytes.EqualFold(b[:len(prefix)], []byte(prefix))
}
