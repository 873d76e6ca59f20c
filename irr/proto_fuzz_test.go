package irr

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"testing"
)

// FuzzReadReply feeds arbitrary bytes to the reply reader. Whatever it
// accepts must re-encode to exactly the bytes it consumed; whatever it
// refuses must be a protocol error, a server error or a short read.
func FuzzReadReply(f *testing.F) {
	for _, s := range []string{
		"A22\nIRRd -- version 4.4.4\nC\n", // !v (protocols.md §2.2)
		"C\n",                             // !s
		"D\n",                             // empty result or missing key
		"F Unrecognised command: x\n",
		"A29\n192.0.2.0/24 198.51.100.0/22\nC\n",
		"A1\n\nC\n",              // empty content: len counts the newline
		"A5\nabc\nC\n",           // announced longer than sent
		"A2\nabc\nC\n",           // announced shorter than sent
		"A13\n192.0.2.0/24\nD\n", // missing C
		"A99999999999\n",         // length overflow
		"E\n",
		"C\r\n",
		"\x00\xff",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		r := bufio.NewReaderSize(bytes.NewReader(in), 4096)
		kind, data, err := readReply(r, 1<<16, nil)
		if err != nil {
			var se *ServerError
			if !errors.Is(err, ErrProtocol) && !errors.As(err, &se) &&
				!errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		consumed := len(in) - r.Buffered()
		var want []byte
		switch kind {
		case replyData:
			want = wireAppendData(nil, data)
			if len(data) == 0 {
				want = []byte("A1\n\nC\n")
			}
		case replyOK:
			want = []byte("C\n")
		case replyNotFound:
			want = []byte("D\n")
		default:
			t.Fatalf("kind %d", kind)
		}
		got := bytes.ReplaceAll(in[:consumed], []byte("\r\n"), []byte("\n"))
		if kind == replyData {
			// Only the status and end lines may carry a CR.
			got = in[:consumed]
			got = bytes.Replace(got, []byte("\r\n"), []byte("\n"), 1)
			if bytes.HasSuffix(got, []byte("\nC\r\n")) {
				got = append(got[:len(got)-3], "C\n"...)
			}
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("accepted %q (kind %d, data %q) but it re-encodes as %q", in[:consumed], kind, data, want)
		}
	})
}

// FuzzParseLists checks that the list parsers accept only what they can
// print back: every accepted prefix or ASN formats to a token that parses
// to the same value.
func FuzzParseLists(f *testing.F) {
	for _, s := range []string{
		"192.0.2.0/24 198.51.100.0/22",
		"2001:db8::/32 2001:db8:1000::/36",
		"AS1 as64500 AS4294967295",
		"192.0.2.1/24", "::ffff:192.0.2.0/120", "AS1.5", "AS-FOO", "10.0.0.0/8^+",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if ps, err := wireParsePrefixes(in, 0, nil); err == nil {
			var b strings.Builder
			for _, p := range ps {
				if !p.IsValid() || p.Masked() != p || p.Addr().Is4In6() {
					t.Fatalf("accepted bad prefix %v from %q", p, in)
				}
				b.WriteString(p.String() + " ")
			}
			again, err := wireParsePrefixes([]byte(b.String()), 0, nil)
			if err != nil || len(again) != len(ps) {
				t.Fatalf("round trip of %q: %v", in, err)
			}
			for i := range ps {
				if again[i] != ps[i] {
					t.Fatalf("round trip: %v != %v", again[i], ps[i])
				}
			}
		}
		if as, err := wireParseASNs(in, nil); err == nil {
			for _, a := range as {
				if b, err := wireParseASN([]byte("AS" + strconv.FormatUint(uint64(a), 10))); err != nil || b != a {
					t.Fatalf("ASN round trip of %d from %q", a, in)
				}
			}
		}
		for _, fam := range []Family{IPv4, IPv6} {
			if ps, err := wireParsePrefixes(in, fam, nil); err == nil {
				for _, p := range ps {
					if FamilyOf(p) != fam {
						t.Fatalf("%v accepted as %v", p, fam)
					}
				}
			}
		}
	})
}

// FuzzWireParseV4 checks the IPv4 fast path against its slow twin,
// netip.ParsePrefix: whatever the fast path accepts, the slow one accepts
// with the same value.
func FuzzWireParseV4(f *testing.F) {
	for _, s := range []string{
		"192.0.2.0/24", "0.0.0.0/0", "255.255.255.255/32", "10.0.0.0/8",
		"192.0.2.1/24", "01.0.0.0/8", "1.2.3.4/033", "256.0.0.0/8", "1.2.3/24",
		"1.2.3.4/33", "1.2.3.4", "1.2.3.4/", "::/0", "1.2.3.4/24 ", "1.2.3.4/8x",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		fast, ok := wireParseV4(in)
		if !ok {
			return
		}
		slow, err := netip.ParsePrefix(string(in))
		if err != nil {
			t.Fatalf("fast path accepted %q as %v; netip.ParsePrefix refuses it: %v", in, fast, err)
		}
		if fast != slow {
			t.Fatalf("%q: fast path %v, netip.ParsePrefix %v", in, fast, slow)
		}
	})
}

// TestWireParseV4Falls checks that spellings IRRd never writes leave the
// fast path, so that the general parser decides about them.
func TestWireParseV4Falls(t *testing.T) {
	for _, s := range []string{
		"01.0.0.0/8", "1.2.3.4/033", "256.0.0.0/8", "1.2.3/24", "1.2.3.4/33",
		"1.2.3.4", "1.2.3.4/", "::/0", "1.2.3.4/24 ", "1.2.3.4/8x", "1111.2.3.4/8", "",
	} {
		if p, ok := wireParseV4([]byte(s)); ok {
			t.Errorf("%q: fast path accepted it as %v", s, p)
		}
	}
	for _, s := range []string{"192.0.2.0/24", "0.0.0.0/0", "255.255.255.255/32", "192.0.2.1/24"} {
		if p, ok := wireParseV4([]byte(s)); !ok || p != netip.MustParsePrefix(s) {
			t.Errorf("%q: got %v, %v", s, p, ok)
		}
	}
}

// FuzzReadReplyTokens checks the streaming reader against its slow twin,
// readReply followed by wireFields: the same tokens, the same kind, and an
// error exactly when readReply gives one (of the same class), whatever the
// read buffer's size cuts tokens into.
func FuzzReadReplyTokens(f *testing.F) {
	for _, s := range []string{
		"A29\n192.0.2.0/24 198.51.100.0/22\nC\n",
		"A42\n2001:db8::/32  2001:db8:1000::/36\t10.0.0.0/8\nC\n",
		"A1\n\nC\n", "C\n", "D\n", "F nope\n",
		"A99\n192.0.2.0/24\nC\n", "A5\nabc\nC\n", "A13\n192.0.2.0/24\nD\n",
		"A40\nAS1 AS2 AS3 AS4 AS5 AS6 AS7 AS8 AS9 AS10\nC\n",
	} {
		f.Add([]byte(s), uint8(0))
		f.Add([]byte(s), uint8(3))
	}
	f.Fuzz(func(t *testing.T, in []byte, bufSize uint8) {
		size := 16 + int(bufSize)
		wantKind, data, wantErr := readReply(bufio.NewReaderSize(bytes.NewReader(in), size), 1<<16, nil)
		var want [][]byte
		if wantErr == nil {
			wireFields(data, func(tok []byte) error {
				want = append(want, bytes.Clone(tok))
				return nil
			})
		}
		var got [][]byte
		announced := -1
		kind, err := readReplyTokens(bufio.NewReaderSize(bytes.NewReader(in), size), 1<<16,
			func(n int) { announced = n },
			func(tok []byte) error {
				if len(tok) == 0 {
					t.Fatalf("empty token from %q", in)
				}
				got = append(got, bytes.Clone(tok))
				return nil
			})
		if (err == nil) != (wantErr == nil) {
			if err != nil && strings.Contains(err.Error(), "token longer than") {
				return // a limit readReply does not have
			}
			t.Fatalf("%q (buffer %d): error %v, readReply's %v", in, size, err, wantErr)
		}
		if err != nil {
			var se, wse *ServerError
			if errors.Is(err, ErrProtocol) != errors.Is(wantErr, ErrProtocol) ||
				errors.As(err, &se) != errors.As(wantErr, &wse) {
				t.Fatalf("%q (buffer %d): error %v, readReply's %v", in, size, err, wantErr)
			}
			return
		}
		if kind != wantKind {
			t.Fatalf("%q: kind %d, readReply's %d", in, kind, wantKind)
		}
		if kind == replyData && announced != len(data)+1 {
			t.Fatalf("%q: size %d, content %d bytes", in, announced, len(data))
		}
		if len(got) != len(want) {
			t.Fatalf("%q (buffer %d): tokens %q, want %q", in, size, got, want)
		}
		for i := range got {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("%q (buffer %d): tokens %q, want %q", in, size, got, want)
			}
		}
	})
}

// TestReadReplyTokensError checks that the first error of the token
// function is returned once the reply has been read to its end, and that
// the connection is then ready for the next reply.
func TestReadReplyTokensError(t *testing.T) {
	r := bufio.NewReaderSize(strings.NewReader("A16\n1.0.0.0/8 x y z\nC\nD\n"), 16)
	var calls int
	errBad := errors.New("bad")
	_, err := readReplyTokens(r, 1<<10, nil, func(tok []byte) error {
		calls++
		if string(tok) == "x" {
			return errBad
		}
		return nil
	})
	if !errors.Is(err, errBad) || calls != 2 {
		t.Fatalf("error %v after %d calls; want %v after 2", err, calls, errBad)
	}
	if kind, err := readReplyTokens(r, 1<<10, nil, nil); kind != replyNotFound || err != nil {
		t.Fatalf("next reply: %d, %v; want D", kind, err)
	}
}

// FuzzWireParseV6 checks the IPv6 fast path against netip.ParsePrefix as
// FuzzWireParseV4 does for IPv4.
func FuzzWireParseV6(f *testing.F) {
	for _, s := range []string{
		"2001:db8::/32", "::/0", "::1/128", "1::/16", "2001:db8:1:2:3:4:5:6/128",
		"1:2:3:4:5:6:7::/128", "::2:3:4:5:6:7:8/128", "1:2:3:4:5:6:7:8::/128",
		"2001:DB8::/32", "2001:0db8::/32", "::ffff:1.2.3.4/128", "fe80::1%eth0/64",
		"2001:db8:::/32", ":1::/16", "1:/16", "2001:db8::/033", "2001:db8::/129", "12345::/16",
		"1::2::3/64", "::/", "::",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		fast, ok := wireParseV6(in)
		if !ok {
			return
		}
		slow, err := netip.ParsePrefix(string(in))
		if err != nil {
			t.Fatalf("fast path accepted %q as %v; netip.ParsePrefix refuses it: %v", in, fast, err)
		}
		if fast != slow {
			t.Fatalf("%q: fast path %v, netip.ParsePrefix %v", in, fast, slow)
		}
	})
}

// TestWireParseV6 checks spellings the fast path must take, and ones it
// must leave to netip.ParsePrefix.
func TestWireParseV6(t *testing.T) {
	for _, s := range []string{
		"2001:db8::/32", "::/0", "::1/128", "1::/16", "2001:db8:1:2:3:4:5:6/128",
		"1:2:3:4:5:6:7::/128", "::2:3:4:5:6:7:8/128", "2001:DB8::/32", "2001:0db8::/32",
	} {
		if p, ok := wireParseV6([]byte(s)); !ok || p != netip.MustParsePrefix(s) {
			t.Errorf("%q: got %v, %v; want %v", s, p, ok, netip.MustParsePrefix(s))
		}
	}
	for _, s := range []string{
		"::ffff:1.2.3.4/128", "fe80::1%eth0/64", "2001:db8:::/32", ":1::/16", "1:/16",
		"2001:db8::/033", "2001:db8::/129", "12345::/16", "1::2::3/64", "::/", "::",
		"1:2:3:4:5:6:7/64", "1:2:3:4:5:6:7:8:9/64", "192.0.2.0/24",
	} {
		if p, ok := wireParseV6([]byte(s)); ok {
			t.Errorf("%q: fast path accepted it as %v", s, p)
		}
	}
}
