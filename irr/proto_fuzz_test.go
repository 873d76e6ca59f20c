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
