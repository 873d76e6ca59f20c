package irr_test

import (
	"bufio"
	"io"
	"net"
	"testing"
	"time"

	"github.com/filtergen/filtergen/irr"
)

// dialFrom connects to addr from the local address src (127.0.0.x).
func dialFrom(t *testing.T, src, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{Timeout: 2 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// idleConns opens n persistent connections from src that ask for the
// longest idle timeout and then say nothing.
func idleConns(t *testing.T, src, addr string, n int) []net.Conn {
	t.Helper()
	var cs []net.Conn
	for range n {
		c := dialFrom(t, src, addr)
		c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.WriteString(c, "!!\n!t1000\n"); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil || line != "C\n" {
			// Refused or evicted at once: counts as not idle.
			c.Close()
			continue
		}
		cs = append(cs, c)
	}
	return cs
}

// query sends q on a new connection from src and returns the answer; the
// test fails if none comes within 5 s (the idle clients asked for 1000 s).
func query(t *testing.T, src, addr, q string) string {
	t.Helper()
	c := dialFrom(t, src, addr)
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, q+"\n")
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("%s from %s: %v (got %q)", q, src, err, b)
	}
	return string(b)
}

// TestServerIdleLockout: idle connections, even with !t1000, never lock
// other clients out.
func TestServerIdleLockout(t *testing.T) {
	// Connections must be idle this long before a newcomer may replace
	// them (a second by default); the test waits idleFor after opening
	// its idle connections.
	const minIdle, idleFor = 50 * time.Millisecond, 100 * time.Millisecond
	t.Cleanup(irr.SetMinEvictIdle(minIdle))
	reg := srvLoadString(t, "route: 192.0.2.0/24\norigin: AS64500\nsource: TEST\n")
	const want = "A13\n192.0.2.0/24\nC\n"

	t.Run("256 idle from one address", func(t *testing.T) {
		_, addr := startServer(t, reg, nil)
		idleConns(t, "127.0.0.1", addr, 256)
		time.Sleep(idleFor)
		if got := query(t, "127.0.0.1", addr, "!gAS64500"); got != want {
			t.Errorf("got %q", got)
		}
		if got := query(t, "127.0.0.2", addr, "!gAS64500"); got != want {
			t.Errorf("from another address: got %q", got)
		}
	})

	t.Run("full server evicts the idlest", func(t *testing.T) {
		srv, addr := startServer(t, reg, func(s *irr.Server) {
			s.Limits.MaxConns, s.Limits.MaxConnsPerAddr = 64, 64
		})
		idle := idleConns(t, "127.0.0.1", addr, 64)
		if len(idle) != 64 || srv.Conns() != 64 {
			t.Fatalf("%d idle connections, server holds %d; want 64", len(idle), srv.Conns())
		}
		time.Sleep(idleFor)
		if got := query(t, "127.0.0.2", addr, "!gAS64500"); got != want {
			t.Errorf("got %q", got)
		}
		// The first idle connection was the one evicted.
		idle[0].SetReadDeadline(time.Now().Add(5 * time.Second))
		if n, err := idle[0].Read(make([]byte, 1)); err != io.EOF {
			t.Errorf("idlest connection: read %d, %v; want EOF", n, err)
		}
	})

	t.Run("per-address limit spares other addresses", func(t *testing.T) {
		_, addr := startServer(t, reg, func(s *irr.Server) { s.Limits.MaxConnsPerAddr = 4 })
		other := idleConns(t, "127.0.0.2", addr, 1)
		for range 10 {
			idleConns(t, "127.0.0.1", addr, 4)
			time.Sleep(idleFor)
		}
		if len(other) != 1 {
			t.Fatal("no idle connection from 127.0.0.2")
		}
		c := other[0]
		c.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(c, "!gAS64500\n!q\n")
		b, _ := io.ReadAll(c)
		if string(b) != want {
			t.Errorf("the other address's connection: got %q, want it kept", b)
		}
	})

	t.Run("crowded server caps !t", func(t *testing.T) {
		_, addr := startServer(t, reg, func(s *irr.Server) {
			s.Limits.MaxConns, s.Limits.MaxConnsPerAddr = 8, 8
			s.Limits.IdleTimeout = 200 * time.Millisecond
		})
		idle := idleConns(t, "127.0.0.1", addr, 7) // more than 3/4 of 8
		for i, c := range idle {
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := c.Read(make([]byte, 1)); err != io.EOF {
				t.Errorf("connection %d with !t1000 on a crowded server: %v, want closed after the default idle timeout", i, err)
			}
		}
	})

	t.Run("newcomer replaces the idle connection at the address limit", func(t *testing.T) {
		_, addr := startServer(t, reg, func(s *irr.Server) { s.Limits.MaxConnsPerAddr = 1 })
		first := idleConns(t, "127.0.0.1", addr, 1)
		// Idle for less than the minimum: the newcomer is refused.
		if got := query(t, "127.0.0.1", addr, "!gAS64500"); got != "F Too many connections from your address\n" {
			t.Errorf("newcomer while the connection was idle briefly: got %q, want a refusal", got)
		}
		time.Sleep(idleFor)
		if got := query(t, "127.0.0.1", addr, "!gAS64500"); got != want {
			t.Errorf("got %q", got)
		}
		first[0].SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := first[0].Read(make([]byte, 1)); err != io.EOF {
			t.Errorf("replaced connection: %v, want EOF", err)
		}
	})
}
