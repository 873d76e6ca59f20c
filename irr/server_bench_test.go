package irr

import (
	"bufio"
	"context"
	"io"
	"net"
	"testing"
)

// benchServer serves the benchmark dataset on 127.0.0.1 for the rest of
// the benchmark.
func benchServer(b *testing.B, noA bool) (*Registry, string) {
	b.Helper()
	reg, err := LoadFiles(context.Background(), LoadOptions{}, benchDataset(b))
	if err != nil {
		b.Fatal(err)
	}
	srv := NewServer(reg)
	srv.NoA = noA
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	b.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			b.Error(err)
		}
	})
	return reg, ln.Addr().String()
}

// BenchmarkServerA4 measures a warm !a4AS-TOP answer, read in full by a
// client that does nothing else (the target: under 50 ms for the
// 20k-ASN dataset's 265k prefixes).
func BenchmarkServerA4(b *testing.B) {
	_, addr := benchServer(b, false)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReaderSize(c, 1<<16)
	io.WriteString(c, "!!\n")
	var buf []byte
	ask := func() int {
		if _, err := io.WriteString(c, "!a4AS-TOP\n"); err != nil {
			b.Fatal(err)
		}
		kind, data, err := readReply(br, DefaultMaxReply, buf)
		if err != nil || kind != replyData {
			b.Fatalf("reply %v, %v", kind, err)
		}
		buf = data[:0]
		return len(data)
	}
	n := ask() // warm the cache
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		ask()
	}
}

// BenchmarkClientExpand measures the client expanding AS-TOP, v4 then v6,
// from a filtergen server with !a (two queries) and without (!i<set>,1 and
// one !g or !6 per ASN, pipelined). bgpq4 takes about 0.4 s + 0.2 s for
// the same (bgpq4.md §7).
func BenchmarkClientExpand(b *testing.B) {
	for _, noA := range []bool{false, true} {
		name := "a"
		if noA {
			name = "noa"
		}
		b.Run(name, func(b *testing.B) {
			reg, addr := benchServer(b, noA)
			ctx := context.Background()
			want4, _, _ := reg.ExpandPrefixes(ctx, "AS-TOP", IPv4, nil)
			want6, _, _ := reg.ExpandPrefixes(ctx, "AS-TOP", IPv6, nil)
			c := &Client{Servers: []string{addr}}
			defer c.Close()
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				v4, _, err := c.ExpandPrefixes(ctx, "AS-TOP", IPv4, nil)
				if err != nil {
					b.Fatal(err)
				}
				v6, _, err := c.ExpandPrefixes(ctx, "AS-TOP", IPv6, nil)
				if err != nil {
					b.Fatal(err)
				}
				if len(v4) != len(want4) || len(v6) != len(want6) {
					b.Fatalf("%d+%d prefixes, want %d+%d", len(v4), len(v6), len(want4), len(want6))
				}
				n = len(v4) + len(v6)
			}
			b.ReportMetric(float64(n), "prefixes")
		})
	}
}
