package irr_test

import (
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/filtergen/filtergen/irr"
)

// manySetsRPSL returns sets AS-S0 ... AS-S<sets-1>, each of perSet ASNs
// (set i starts at ASN 64500+i*step), and routes routes per ASN.
func manySetsRPSL(sets, perSet, step, asns, routes int) string {
	var b strings.Builder
	for i := range sets {
		var ms []string
		for j := range perSet {
			ms = append(ms, fmt.Sprintf("AS%d", 64500+(i*step+j)%asns))
		}
		fmt.Fprintf(&b, "as-set: AS-S%d\nmembers: %s\nsource: TEST\n\n", i, strings.Join(ms, ", "))
	}
	for a := range asns {
		for r := range routes {
			n := a*routes + r
			fmt.Fprintf(&b, "route: 10.%d.%d.0/24\norigin: AS%d\nsource: TEST\n\n", n>>8&255, n&255, 64500+a)
		}
	}
	return b.String()
}

// heapPeak samples the live heap until stop is closed and returns the
// highest value seen.
func heapPeak(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	go func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		var peak uint64
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			select {
			case <-stop:
				out <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return out
}

// TestServerConcurrentAnswersBounded: 200 concurrent !a queries for 200
// different sets, whose clients read only once all have asked, keep the
// heap within a bound set by MaxExpansions and MaxAnswerBytes, not by
// the number of queries; and every client gets its whole answer.
func TestServerConcurrentAnswersBounded(t *testing.T) {
	if raceEnabled {
		t.Skip("heap figures under the race detector say nothing")
	}
	const clients = 200
	// Each set's answer is about 50,000 prefixes (700 KB); expanding
	// one takes a few MB more.
	reg := srvLoadString(t, manySetsRPSL(clients, 250, 3, 600, 200))
	const budget = 2 << 20
	srv, addr := startServer(t, reg, func(s *irr.Server) {
		s.Limits.MaxAnswerBytes = budget
		s.Limits.MaxExpansions = 2
		s.Limits.CachePrefixes = -1
		s.Limits.MaxConnsPerAddr = clients
	})
	// The clients hash what they read: holding 200 answers would swamp
	// the server's figures.
	want := make([][32]byte, clients)
	wantLen := make([]int64, clients)
	for i := range clients {
		prs, _, err := reg.ExpandPrefixes(t.Context(), fmt.Sprintf("AS-S%d", i), irr.IPv4, nil)
		if err != nil {
			t.Fatal(err)
		}
		ps := make([]string, len(prs))
		for j, p := range prs {
			ps[j] = p.String()
		}
		text := strings.Join(ps, " ")
		ans := fmt.Sprintf("A%d\n%s\nC\n", len(text)+1, text)
		want[i], wantLen[i] = sha256.Sum256([]byte(ans)), int64(len(ans))
	}

	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	stop := make(chan struct{})
	peakc := heapPeak(stop)

	var sent sync.WaitGroup
	sent.Add(clients)
	allSent := make(chan struct{})
	go func() { sent.Wait(); close(allSent) }()
	var wg sync.WaitGroup
	var wrong atomic.Int32
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				sent.Done()
				t.Error(err)
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(60 * time.Second))
			_, err = io.WriteString(c, fmt.Sprintf("!aAS-S%d\n", i))
			sent.Done()
			if err != nil {
				t.Error(err)
				return
			}
			<-allSent
			h := sha256.New()
			n, err := io.Copy(h, c)
			if err != nil || n != wantLen[i] || [32]byte(h.Sum(nil)) != want[i] {
				if wrong.Add(1) == 1 {
					t.Errorf("client %d: %d bytes, %v; want the %d-byte answer", i, n, err, wantLen[i])
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	peak := <-peakc
	growth := int64(peak) - int64(base.HeapAlloc)
	t.Logf("heap: base %d MB, peak %d MB; answer bytes peak %d KB; answer size %d KB",
		base.HeapAlloc>>20, peak>>20, srv.AnswerBytesPeak()>>10, wantLen[0]>>10)
	if n := wrong.Load(); n > 0 {
		t.Errorf("%d of %d clients got a wrong answer", n, clients)
	}
	if p := srv.AnswerBytesPeak(); p > budget {
		t.Errorf("answers held peaked at %d bytes, over MaxAnswerBytes %d", p, budget)
	}
	// Connection buffers (80 KB each) and two expansions' working sets;
	// unbounded, the 200 expansions and answers take several times this.
	if limit := int64(128 << 20); growth > limit {
		t.Errorf("heap grew by %d MB during the queries, want at most %d MB", growth>>20, limit>>20)
	}
}
