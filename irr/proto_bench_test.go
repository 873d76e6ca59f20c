package irr

import (
	"bufio"
	"bytes"
	"net/netip"
	"slices"
	"strconv"
	"testing"
)

// benchA4Answer returns the content of an !a4 answer with n prefixes, as
// IRRd writes it: sorted, space-separated.
func benchA4Answer(n int) []byte {
	var b []byte
	for i := range n {
		if i > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendInt(b, int64(1+i>>16), 10)
		b = append(b, '.')
		b = strconv.AppendInt(b, int64(i>>8&255), 10)
		b = append(b, '.')
		b = strconv.AppendInt(b, int64(i&255), 10)
		b = append(b, ".0/24"...)
	}
	return b
}

// BenchmarkWireParseA4 parses a 265,000-prefix !a4 answer (the size of
// AS-TOP in the 20k-ASN bench dataset): "netip" is the general parser on
// every token, as before the IPv4 fast path; "prefixes" is the list
// parser of !g and !6 answers; "stream" reads a framed answer as !a
// answers are read, token by token from the read buffer.
func BenchmarkWireParseA4(b *testing.B) {
	data := benchA4Answer(265_000)
	b.Run("netip", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			var ps []netip.Prefix
			err := wireFields(data, func(tok []byte) error {
				p, err := parsePrefixBytes(tok)
				ps = append(ps, p)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("prefixes", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := wireParsePrefixes(data, IPv4, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("stream", func(b *testing.B) {
		framed := wireAppendData(nil, data)
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			var ps []PrefixRange
			r := bufio.NewReaderSize(bytes.NewReader(framed), 64<<10)
			_, err := readReplyTokens(r, len(framed), func(n int) {
				ps = slices.Grow(ps, wireEstimateTokens(n, IPv4))
			}, func(tok []byte) error {
				p, err := wireParsePrefix(tok, IPv4)
				ps = append(ps, ExactRange(p))
				return err
			})
			if err != nil || len(ps) != 265_000 {
				b.Fatal(len(ps), err)
			}
		}
	})
}
