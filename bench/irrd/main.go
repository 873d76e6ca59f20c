// Command irrd measures filtergen's IRRd server and client against a
// running server; bench/irrd.sh drives it. Not part of the product.
//
//	irrd wait   -addr A            wait until the server answers
//	irrd a4     -addr A -n N       time a warm !a4<set> read in full
//	irrd client -addr A -n N       time Client.ExpandPrefixes v4 + v6
//	irrd load   -addr A -clients N N clients at once, each v4 + v6
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/filtergen/filtergen/irr"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: irrd wait|a4|client|load [flags]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:4343", "server")
	set := fs.String("set", "AS-TOP", "as-set to expand")
	n := fs.Int("n", 5, "runs")
	clients := fs.Int("clients", 100, "concurrent clients (load)")
	want4 := fs.Int("want4", 0, "expected v4 prefixes (0: do not check)")
	want6 := fs.Int("want6", 0, "expected v6 prefixes (0: do not check)")
	fs.Parse(os.Args[2:])
	var err error
	switch os.Args[1] {
	case "wait":
		err = wait(*addr)
	case "a4":
		err = a4(*addr, *set, *n)
	case "client":
		err = client(*addr, *set, *n, *want4, *want6)
	case "load":
		err = load(*addr, *set, *clients, *want4, *want6)
	default:
		err = fmt.Errorf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "irrd:", err)
		os.Exit(1)
	}
}

func wait(addr string) error {
	for i := 0; i < 600; i++ {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s not listening after 60 s", addr)
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// a4 sends !a4<set> n+1 times on one connection, reading each answer in
// full; the first (cold) is reported apart.
func a4(addr, set string, n int) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	br := bufio.NewReaderSize(c, 1<<16)
	io.WriteString(c, "!!\n")
	ask := func() (int, time.Duration, error) {
		start := time.Now()
		if _, err := io.WriteString(c, "!a4"+set+"\n"); err != nil {
			return 0, 0, err
		}
		line, err := br.ReadString('\n')
		if err != nil || len(line) < 2 || line[0] != 'A' {
			return 0, 0, fmt.Errorf("reply %q: %v", line, err)
		}
		size, err := strconv.Atoi(line[1 : len(line)-1])
		if err != nil {
			return 0, 0, err
		}
		if _, err := io.CopyN(io.Discard, br, int64(size)); err != nil {
			return 0, 0, err
		}
		if end, err := br.ReadString('\n'); err != nil || end != "C\n" {
			return 0, 0, fmt.Errorf("end %q: %v", end, err)
		}
		return size, time.Since(start), nil
	}
	size, cold, err := ask()
	if err != nil {
		return err
	}
	var ds []time.Duration
	for range n {
		_, d, err := ask()
		if err != nil {
			return err
		}
		ds = append(ds, d)
	}
	fmt.Printf("server !a4%s: %d bytes; cold %v, warm median %v, min %v (%d runs)\n",
		set, size, cold.Round(time.Microsecond), median(ds).Round(time.Microsecond), slices.Min(ds).Round(time.Microsecond), n)
	return nil
}

func expand(ctx context.Context, c *irr.Client, set string) (int, int, error) {
	v4, _, err := c.ExpandPrefixes(ctx, set, irr.IPv4, nil)
	if err != nil {
		return 0, 0, err
	}
	v6, _, err := c.ExpandPrefixes(ctx, set, irr.IPv6, nil)
	if err != nil {
		return 0, 0, err
	}
	return len(v4), len(v6), nil
}

func check(n4, n6, want4, want6 int) error {
	if (want4 > 0 && n4 != want4) || (want6 > 0 && n6 != want6) {
		return fmt.Errorf("%d v4 + %d v6 prefixes, want %d + %d", n4, n6, want4, want6)
	}
	return nil
}

// client times a fresh Client (new connection, handshake included)
// expanding set, v4 then v6, n times.
func client(addr, set string, n, want4, want6 int) error {
	ctx := context.Background()
	var ds []time.Duration
	var n4, n6 int
	for range n {
		c := &irr.Client{Servers: []string{addr}, ServerRecursion: true}
		start := time.Now()
		var err error
		n4, n6, err = expand(ctx, c, set)
		ds = append(ds, time.Since(start))
		c.Close()
		if err != nil {
			return err
		}
		if err := check(n4, n6, want4, want6); err != nil {
			return err
		}
	}
	fmt.Printf("client %s v4+v6: %d + %d prefixes; median %v, min %v (%d runs, new connection each)\n",
		set, n4, n6, median(ds).Round(time.Millisecond), slices.Min(ds).Round(time.Millisecond), n)
	return nil
}

// load runs clients concurrent clients, one connection each, all at once.
func load(addr, set string, clients, want4, want6 int) error {
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, clients)
	counts := make([][2]int, clients)
	start := time.Now()
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &irr.Client{Servers: []string{addr}, Conns: 1, Retries: -1, Timeout: 5 * time.Minute, ServerRecursion: true}
			defer c.Close()
			n4, n6, err := expand(ctx, c, set)
			counts[i] = [2]int{n4, n6}
			if err == nil {
				err = check(n4, n6, want4, want6)
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	failed := 0
	for i, err := range errs {
		if err != nil {
			failed++
			if failed <= 5 {
				fmt.Fprintf(os.Stderr, "client %d: %v\n", i, err)
			}
		}
		if counts[i] != counts[0] {
			failed++
			fmt.Fprintf(os.Stderr, "client %d: %v prefixes, client 0 got %v\n", i, counts[i], counts[0])
		}
	}
	fmt.Printf("load: %d clients x %s v4+v6 (%d + %d prefixes each): %d failed, wall %v\n",
		clients, set, counts[0][0], counts[0][1], failed, wall.Round(time.Millisecond))
	if failed > 0 {
		return fmt.Errorf("%d of %d clients failed", failed, clients)
	}
	return nil
}
