//go:build soak

// Package soak holds the soak test of `filtergen serve`, run by `make
// soak` and not by `make test`: a few minutes of well-behaved, slow,
// idle, pipelining and abusive clients against a child server process,
// checking that every well-behaved client gets every answer right and
// that the server's peak RSS stays under the bound the README states.
//
//	FILTERGEN_SOAK=3m go test -tags soak -run TestServeSoak -v ./internal/soak/
package soak

import (
	"bufio"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/filtergen/filtergen/irr"
)

const (
	sets       = 300  // AS-S0 ... AS-S299
	asns       = 3000 // AS65000 ... with routesPer routes each
	routesPer  = 60
	perSet     = 150 // ASNs per set: answers of 9,000 prefixes
	answerMiB  = 64  // --max-answer-bytes
	expansions = 4   // --max-expansions
)

// genRegistry writes the soak registry: sets of overlapping ASN windows,
// AS-ALL with every ASN (a full-table-sized answer of 180,000 prefixes).
func genRegistry(t *testing.T, path string) {
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for i := range sets {
		var ms []string
		for j := range perSet {
			ms = append(ms, fmt.Sprintf("AS%d", 65000+(i*7+j)%asns))
		}
		fmt.Fprintf(w, "as-set: AS-S%d\nmembers: %s\nsource: SOAK\n\n", i, strings.Join(ms, ", "))
	}
	fmt.Fprintf(w, "as-set: AS-ALL\nmembers: %s\nsource: SOAK\n\n", strings.Join(func() []string {
		var out []string
		for i := range sets {
			out = append(out, fmt.Sprintf("AS-S%d", i))
		}
		return out
	}(), ", "))
	for a := range asns {
		for r := range routesPer {
			n := a*routesPer + r
			fmt.Fprintf(w, "route: %d.%d.%d.0/24\norigin: AS%d\nsource: SOAK\n\n", 20+n>>16, n>>8&255, n&255, 65000+a)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// expected holds the hash and length of the right answer to each query.
type expected struct {
	sum [32]byte
	n   int64
}

func frame(content string) string {
	if content == "" {
		return "D\n"
	}
	return "A" + strconv.Itoa(len(content)+1) + "\n" + content + "\nC\n"
}

func rssKB(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return -1
}

func dial(src, addr string) (net.Conn, error) {
	d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}
	return d.Dial("tcp", addr)
}

func TestServeSoak(t *testing.T) {
	dur, err := time.ParseDuration(os.Getenv("FILTERGEN_SOAK"))
	if err != nil || dur <= 0 {
		t.Skip("set FILTERGEN_SOAK to a duration (make soak)")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "soak.db")
	genRegistry(t, db)
	bin := filepath.Join(dir, "filtergen")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/filtergen").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}

	// The right answers, from the same file in process.
	reg, err := irr.LoadFiles(context.Background(), irr.LoadOptions{}, db)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]expected{}
	add := func(q, content string) {
		a := frame(content)
		want[q] = expected{sha256.Sum256([]byte(a)), int64(len(a))}
	}
	names := []string{"AS-ALL"}
	for i := range sets {
		names = append(names, fmt.Sprintf("AS-S%d", i))
	}
	for _, name := range names {
		prs, _, err := reg.ExpandPrefixes(context.Background(), name, irr.IPv4, nil)
		if err != nil {
			t.Fatal(err)
		}
		ps := make([]string, len(prs))
		for i, p := range prs {
			ps[i] = p.String()
		}
		add("!a4"+name, strings.Join(ps, " "))
		as, _, err := reg.ExpandASNs(context.Background(), name, nil)
		if err != nil {
			t.Fatal(err)
		}
		ss := make([]string, len(as))
		for i, a := range as {
			ss[i] = "AS" + strconv.FormatUint(uint64(a), 10)
		}
		add("!i"+name+",1", strings.Join(ss, " "))
	}
	for a := 65000; a < 65000+asns; a += 37 {
		rs, _ := reg.Routes(context.Background(), []uint32{uint32(a)}, irr.IPv4, nil)
		ps := make([]string, len(rs))
		for i, r := range rs {
			ps[i] = r.Prefix.String()
		}
		add(fmt.Sprintf("!gAS%d", a), strings.Join(ps, " "))
	}
	queries := make([]string, 0, len(want))
	for q := range want {
		queries = append(queries, q)
	}
	reg = nil

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), dur+2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve", "--listen", addr,
		"--max-answer-bytes", strconv.Itoa(answerMiB<<20), "--max-expansions", strconv.Itoa(expansions), db)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	for i := 0; ; i++ {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			break
		}
		if i > 600 {
			t.Fatal("serve not listening after 60 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	pid := cmd.Process.Pid
	baseRSS := rssKB(pid, "VmRSS")
	t.Logf("registry loaded: RSS %d MB", baseRSS>>10)

	stop := make(chan struct{})
	time.AfterFunc(dur, func() { close(stop) })
	stopped := func() bool {
		select {
		case <-stop:
			return true
		default:
			return false
		}
	}
	var wg sync.WaitGroup
	var good, bad, evicted, abusive atomic.Int64
	run := func(n int, f func(i int)) {
		for i := range n {
			wg.Add(1)
			go func() { defer wg.Done(); f(i) }()
		}
	}
	check := func(q string, r *bufio.Reader) error {
		w := want[q]
		h := sha256.New()
		// Read one reply: header line, then the data and "C" for A.
		line, err := r.ReadString('\n')
		if err != nil {
			return err
		}
		h.Write([]byte(line))
		n := int64(len(line))
		if line[0] == 'A' {
			l, _ := strconv.ParseInt(strings.TrimSpace(line[1:]), 10, 64)
			m, err := io.CopyN(h, r, l)
			n += m
			if err != nil {
				return err
			}
			end, err := r.ReadString('\n')
			h.Write([]byte(end))
			n += int64(len(end))
			if err != nil {
				return err
			}
		}
		if n != w.n || [32]byte(h.Sum(nil)) != w.sum {
			return fmt.Errorf("%s: wrong answer (%d bytes, want %d): %.80q", q, n, w.n, line)
		}
		return nil
	}

	// Well-behaved: persistent sessions from 127.0.0.2 asking random
	// queries one at a time, as bgpq4 does.
	run(8, func(i int) {
		rng := rand.New(rand.NewPCG(uint64(i), 1))
		for !stopped() {
			c, err := dial("127.0.0.2", addr)
			if err != nil {
				bad.Add(1)
				t.Errorf("well-behaved client %d: %v", i, err)
				time.Sleep(time.Second)
				continue
			}
			r := bufio.NewReader(c)
			io.WriteString(c, "!!\n")
			for k := 0; k < 50 && !stopped(); k++ {
				q := queries[rng.IntN(len(queries))]
				c.SetDeadline(time.Now().Add(60 * time.Second))
				if _, err := io.WriteString(c, q+"\n"); err != nil {
					bad.Add(1)
					t.Errorf("well-behaved client %d: %s: %v", i, q, err)
					break
				}
				if err := check(q, r); err != nil {
					bad.Add(1)
					t.Errorf("well-behaved client %d: %v", i, err)
					break
				}
				good.Add(1)
			}
			io.WriteString(c, "!q\n")
			c.Close()
		}
	})
	// Pipelining: 40 queries at once, then read every answer.
	run(4, func(i int) {
		rng := rand.New(rand.NewPCG(uint64(i), 2))
		for !stopped() {
			c, err := dial("127.0.0.5", addr)
			if err != nil {
				time.Sleep(100 * time.Millisecond)
				continue
			}
			var qs []string
			var b strings.Builder
			b.WriteString("!!\n")
			for range 40 {
				q := queries[rng.IntN(len(queries))]
				qs = append(qs, q)
				b.WriteString(q + "\n")
			}
			b.WriteString("!q\n")
			c.SetDeadline(time.Now().Add(120 * time.Second))
			io.WriteString(c, b.String())
			r := bufio.NewReader(c)
			for _, q := range qs {
				if err := check(q, r); err != nil {
					bad.Add(1)
					t.Errorf("pipelining client %d: %v", i, err)
					break
				}
				good.Add(1)
			}
			c.Close()
		}
	})
	// Slow: reads its answers 4 KB every 20 ms (200 KB/s).
	run(4, func(i int) {
		for !stopped() {
			c, err := dial("127.0.0.6", addr)
			if err != nil {
				time.Sleep(100 * time.Millisecond)
				continue
			}
			c.SetDeadline(time.Now().Add(120 * time.Second))
			io.WriteString(c, "!a4AS-S"+strconv.Itoa(i)+"\n")
			buf := make([]byte, 4096)
			for !stopped() {
				if _, err := c.Read(buf); err != nil {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			c.Close()
		}
	})
	// Idle: connections from 40 addresses that ask for !t1000 and say
	// nothing, reopened when dropped: more than the server holds.
	run(320, func(i int) {
		src := fmt.Sprintf("127.0.1.%d", 1+i%40)
		for !stopped() {
			c, err := dial(src, addr)
			if err != nil {
				time.Sleep(200 * time.Millisecond)
				continue
			}
			io.WriteString(c, "!!\n!t1000\n")
			c.SetReadDeadline(time.Now().Add(dur))
			go func() { <-stop; c.Close() }()
			io.Copy(io.Discard, c)
			evicted.Add(1)
			c.Close()
			time.Sleep(50 * time.Millisecond)
		}
	})
	// Abusive: big answers never read, over-long lines, garbage,
	// floods of connections, all from 127.0.0.4.
	run(16, func(i int) {
		rng := rand.New(rand.NewPCG(uint64(i), 3))
		for !stopped() {
			c, err := dial("127.0.0.4", addr)
			if err != nil {
				time.Sleep(50 * time.Millisecond)
				continue
			}
			abusive.Add(1)
			c.SetDeadline(time.Now().Add(10 * time.Second))
			switch rng.IntN(5) {
			case 0: // ask for the biggest answers and never read
				io.WriteString(c, "!!\n!a4AS-ALL\n!iAS-ALL,1\n!a4AS-S"+strconv.Itoa(rng.IntN(sets))+"\n")
				select {
				case <-stop:
				case <-time.After(5 * time.Second):
				}
			case 1: // a line longer than the limit
				io.WriteString(c, "!!\n!i"+strings.Repeat("A", 64<<10)+"\n")
				io.Copy(io.Discard, c)
			case 2: // garbage
				b := make([]byte, 4096)
				for j := range b {
					b[j] = byte(rng.IntN(256))
				}
				c.Write(b)
				io.Copy(io.Discard, c)
			case 3: // a flood of connections that close at once
				c.Close()
				for range 20 {
					if c, err := dial("127.0.0.4", addr); err == nil {
						c.Close()
					}
				}
			case 4: // distinct expensive queries, pipelined, read slowly
				var b strings.Builder
				b.WriteString("!!\n")
				for range 20 {
					b.WriteString("!iAS-S" + strconv.Itoa(rng.IntN(sets)) + ",1\n")
				}
				io.WriteString(c, b.String())
				buf := make([]byte, 512)
				for k := 0; k < 20; k++ {
					if _, err := c.Read(buf); err != nil {
						break
					}
					time.Sleep(100 * time.Millisecond)
				}
			}
			c.Close()
		}
	})

	var peak int64
	go func() {
		for !stopped() {
			if v := rssKB(pid, "VmHWM"); v > peak {
				peak = v
			}
			time.Sleep(time.Second)
		}
	}()
	wg.Wait()
	hwm := rssKB(pid, "VmHWM")
	// The stated bound (README, "serve: bounds"): the registry as loaded,
	// plus --max-answer-bytes, plus each of --max-expansions' working set
	// (64 MB for AS-ALL here), plus 100 KB per connection (256).
	bound := baseRSS + answerMiB<<10 + expansions*64<<10 + 256*100
	t.Logf("%s: %d answers right, %d wrong; %d idle connections dropped; %d abusive connections; peak RSS %d MB (loaded %d MB, bound %d MB)",
		dur, good.Load(), bad.Load(), evicted.Load(), abusive.Load(), hwm>>10, baseRSS>>10, bound>>10)
	if bad.Load() > 0 {
		t.Errorf("%d wrong or missing answers to well-behaved clients", bad.Load())
	}
	if good.Load() == 0 {
		t.Error("no answers at all")
	}
	if hwm > bound {
		t.Errorf("peak RSS %d MB over the bound %d MB", hwm>>10, bound>>10)
	}
}
