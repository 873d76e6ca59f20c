package bgpq4

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/filtergen/filtergen/irr"
)

// benchRegistry holds AS-BENCH: 2,000 ASNs with 100 routes each, IPv4
// /24s in runs of adjacent blocks (so -A merges) and IPv6 /48s.
func benchRegistry(b *testing.B) *irr.Registry {
	var sb strings.Builder
	sb.WriteString("as-set: AS-BENCH\nmembers:")
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&sb, " AS%d", 10000+i)
	}
	sb.WriteString("\nsource: BENCH\n\n")
	for i := 0; i < 200000; i++ {
		asn := 10000 + i/100
		fmt.Fprintf(&sb, "route: %d.%d.%d.0/24\norigin: AS%d\nsource: BENCH\n\n", 1+i>>16, i>>8&0xff, i&0xff, asn)
		fmt.Fprintf(&sb, "route6: 2001:%x:%x::/48\norigin: AS%d\nsource: BENCH\n\n", 0x1000+i>>16, i&0xffff, asn)
	}
	bl := irr.NewBuilder(irr.LoadOptions{Strict: true})
	if err := bl.ReadFrom(context.Background(), strings.NewReader(sb.String()), "bench.db"); err != nil {
		b.Fatal(err)
	}
	reg, err := bl.Build()
	if err != nil {
		b.Fatal(err)
	}
	return reg
}

// BenchmarkGenerate runs bgpq4-compatible generation offline, 200,000
// prefixes per family, for the flag sets of bench/bgpq4-vs-filtergen.sh.
func BenchmarkGenerate(b *testing.B) {
	reg := benchRegistry(b)
	for _, flags := range []string{"-A -4", "-A -6", "-J -4", "-b -6"} {
		b.Run(strings.ReplaceAll(flags, " ", ""), func(b *testing.B) {
			o, err := Parse(append(strings.Fields(flags), "AS-BENCH"), func(string) string { return "" })
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := Generate(context.Background(), reg, o, io.Discard, io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
