package rpki_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gaissmai/bart"

	"github.com/filtergen/filtergen/rpki"
)

// synthVRPs makes n distinct VRPs shaped like the global RPKI: about 80%
// IPv4 (/16 to /24) and 20% IPv6 (/29 to /48), some with a max length
// longer than the prefix, some AS0.
func synthVRPs(n int) []rpki.VRP {
	r := rand.New(rand.NewPCG(42, 42))
	seen := make(map[rpki.VRP]bool, n)
	vrps := make([]rpki.VRP, 0, n)
	for len(vrps) < n {
		var p netip.Prefix
		if r.IntN(5) == 0 {
			var b [16]byte
			b[0], b[1] = 0x20, byte(r.IntN(256))
			b[2], b[3], b[4], b[5] = byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256))
			p = netip.PrefixFrom(netip.AddrFrom16(b), 29+r.IntN(20)).Masked()
		} else {
			b := [4]byte{byte(1 + r.IntN(222)), byte(r.IntN(256)), byte(r.IntN(256)), 0}
			p = netip.PrefixFrom(netip.AddrFrom4(b), 16+r.IntN(9)).Masked()
		}
		maxLen := p.Bits()
		if r.IntN(5) == 0 {
			maxLen = min(p.Bits()+r.IntN(8), p.Addr().BitLen())
		}
		as := uint32(1 + r.IntN(400000))
		if r.IntN(200) == 0 {
			as = 0
		}
		v := rpki.VRP{Prefix: p, MaxLen: uint8(maxLen), ASN: as, TA: "ripe"}
		if !seen[v] {
			seen[v] = true
			vrps = append(vrps, v)
		}
	}
	return vrps
}

// synthJSON renders vrps in rpki-client's layout with a build time.
func synthJSON(vrps []rpki.VRP, built time.Time) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "{\n\t\"metadata\": {\n\t\t\"buildmachine\": \"bench\",\n\t\t\"buildtime\": %q\n\t},\n\t\"roas\": [\n", built.UTC().Format(time.RFC3339))
	for i, v := range vrps {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, "\t\t{ \"asn\": %d, \"prefix\": \"%s\", \"maxLength\": %d, \"ta\": %q, \"expires\": %d }",
			v.ASN, v.Prefix, v.MaxLen, v.TA, built.Add(48*time.Hour).Unix())
	}
	b.WriteString("\n\t]\n}\n")
	return b.Bytes()
}

// cpuClock reports, besides wall time, the CPU time the process spent per
// iteration ("cpu-ms/op"). On a shared machine wall time includes time
// spent waiting for a core; CPU time is what a dedicated core would take.
type cpuClock struct{ start time.Duration }

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startCPU(b *testing.B) *cpuClock {
	b.Helper()
	return &cpuClock{start: processCPU()}
}

func (c *cpuClock) report(b *testing.B) {
	b.ReportMetric(float64(processCPU()-c.start)/float64(b.N)/1e6, "cpu-ms/op")
}

var synth800k = sync.OnceValue(func() []rpki.VRP { return synthVRPs(800_000) })

func BenchmarkLoad(b *testing.B) {
	built := time.Now().Add(-time.Hour)
	data := synthJSON(synth800k(), built)
	b.Run("json/800k", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		c := startCPU(b)
		for b.Loop() {
			s, err := rpki.Load(bytes.NewReader(data), "bench.json", rpki.LoadOptions{})
			if err != nil {
				b.Fatal(err)
			}
			if s.Len() != 800_000 {
				b.Fatalf("Len = %d", s.Len())
			}
		}
		c.report(b)
	})
}

// BenchmarkValidate validates 1,000,000 (prefix, origin) pairs per
// iteration against 800,000 VRPs: half are routes the VRPs speak about,
// half random.
func BenchmarkValidate(b *testing.B) {
	vrps := synth800k()
	s, err := rpki.NewSet(vrps, nil, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 7))
	type pair struct {
		p netip.Prefix
		o uint32
	}
	pairs := make([]pair, 1_000_000)
	for i := range pairs {
		v := vrps[r.IntN(len(vrps))]
		switch i % 4 {
		case 0: // the VRP's own route: valid
			pairs[i] = pair{v.Prefix, v.ASN}
		case 1: // a more specific, often too long or wrong origin
			bits := min(v.Prefix.Bits()+1+r.IntN(4), v.Prefix.Addr().BitLen())
			pairs[i] = pair{netip.PrefixFrom(v.Prefix.Addr(), bits), uint32(1 + r.IntN(400000))}
		default: // random IPv4 /24: mostly not found
			pairs[i] = pair{netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(1 + r.IntN(222)), byte(r.IntN(256)), byte(r.IntN(256)), 0}), 24), 64500}
		}
	}
	b.Run("state/1M", func(b *testing.B) {
		b.ReportAllocs()
		c := startCPU(b)
		for b.Loop() {
			var n [3]int
			for _, p := range pairs {
				n[s.State(p.p, p.o)]++
			}
			if n[rpki.Valid] == 0 || n[rpki.Invalid] == 0 || n[rpki.NotFound] == 0 {
				b.Fatalf("states %v", n)
			}
		}
		c.report(b)
	})
	// The same work on a bart.Table walked with Supernets, the structure
	// the index replaced; kept to show why (see index.go).
	var table bart.Table[[]rpki.VRP]
	for v := range s.VRPs() {
		g, _ := table.Get(v.Prefix)
		table.Insert(v.Prefix, append(g, v))
	}
	b.Run("bart-supernets/1M", func(b *testing.B) {
		b.ReportAllocs()
		c := startCPU(b)
		for b.Loop() {
			var n [3]int
			for _, p := range pairs {
				st := rpki.NotFound
				for _, group := range table.Supernets(p.p) {
					st = rpki.Invalid
					for _, v := range group {
						if p.p.Bits() <= int(v.MaxLen) && v.ASN == p.o && p.o != 0 {
							st = rpki.Valid
						}
					}
					if st == rpki.Valid {
						break
					}
				}
				n[st]++
			}
			if n[rpki.Valid] == 0 || n[rpki.Invalid] == 0 || n[rpki.NotFound] == 0 {
				b.Fatalf("states %v", n)
			}
		}
		c.report(b)
	})
	b.Run("validate/1M", func(b *testing.B) {
		b.ReportAllocs()
		c := startCPU(b)
		for b.Loop() {
			var n [3]int
			for _, p := range pairs {
				st, _ := s.Validate(p.p, p.o)
				n[st]++
			}
			if n[rpki.Valid] == 0 || n[rpki.Invalid] == 0 || n[rpki.NotFound] == 0 {
				b.Fatalf("states %v", n)
			}
		}
		c.report(b)
	})
}

// BenchmarkRTRSync measures a full RTR synchronisation of 800,000 VRPs
// from stayrtr v0.6.0 on 127.0.0.1: Reset Query to a published Set.
func BenchmarkRTRSync(b *testing.B) {
	bin := stayrtrV060(b)
	cache := filepath.Join(b.TempDir(), "vrps.json")
	if err := os.WriteFile(cache, synthJSON(synth800k(), time.Now()), 0o644); err != nil {
		b.Fatal(err)
	}
	srv := startStayRTR(b, bin, cache, "-refresh", "3600", "-loglevel", "error")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// stayrtr answers "no data" until it has parsed the file.
	for {
		c := &rpki.Client{Addr: srv.addr, Version: rpki.RTRv1}
		_, err := c.Sync(ctx)
		if err == nil {
			break
		}
		var re *rpki.RTRError
		if !errors.As(err, &re) || re.Code != rpki.ErrCodeNoData {
			b.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.Run("stayrtr/800k", func(b *testing.B) {
		b.ReportAllocs()
		c := startCPU(b)
		for b.Loop() {
			cl := &rpki.Client{Addr: srv.addr, Version: rpki.RTRv1}
			s, err := cl.Sync(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if s.Len() != 800_000 {
				b.Fatalf("Len = %d", s.Len())
			}
		}
		c.report(b)
	})
}
