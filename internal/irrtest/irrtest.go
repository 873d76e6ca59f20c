// Package irrtest provides scripted fake IRRd servers for tests: servers
// that replay IRRd 4's exact replies, and servers that stall, lie, reset or
// truncate, so that clients can be tested against every fault offline.
//
//	srv := irrtest.Start(t, irrtest.IRRd(map[string]string{
//		"!iAS-FOO,1": irrtest.Data("AS64500 AS64501"),
//	}))
//	client := &irr.Client{Servers: []string{srv.Addr}}
//
// Servers listen on 127.0.0.1 and stop when the test ends.
package irrtest

import (
	"bufio"
	"context"
	"net"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// An Action is what the fake server does with one query.
type Action struct {
	// Reply is written as it is: use Data, OK, NotFound and Fail for
	// well-formed replies, or any bytes for broken ones. Empty means no
	// reply (as for "!!").
	Reply string
	// Stall stops the server after Reply: it neither reads nor writes
	// again until the client closes the connection or the test ends.
	Stall bool
	// Reset resets the connection (TCP RST) after Reply.
	Reset bool
	// Close closes the connection after Reply.
	Close bool
}

// A Handler decides the Action for query q, the n-th (from 0) line the
// connection conn (numbered from 0 per server) sent.
type Handler func(conn, n int, q string) Action

// Server is a running fake IRRd.
type Server struct {
	Addr string // host:port to dial

	ln      net.Listener
	h       Handler
	done    chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex
	queries []string
	conns   int
	open    map[net.Conn]bool
}

// maxStall bounds a stall, so that a fake never outlives a slow test by
// much even if its client never closes.
const maxStall = 60 * time.Second

// Start starts a fake server with handler h on 127.0.0.1 and stops it when
// the test ends.
func Start(t testing.TB, h Handler) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("irrtest: %v", err)
	}
	s := &Server{Addr: ln.Addr().String(), ln: ln, h: h, done: make(chan struct{}), open: map[net.Conn]bool{}}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.Close)
	return s
}

// StartPipe starts a fake server that listens nowhere: each call of its
// Dial returns the client end of an in-memory net.Pipe, served by h. Use
// it with a client's Dial hook inside a testing/synctest bubble, where
// the stalls and timeouts of fault tests take no real time (a bubble
// cannot wait on real sockets). Addr is "pipe".
func StartPipe(t testing.TB, h Handler) *Server {
	t.Helper()
	s := &Server{Addr: "pipe", h: h, done: make(chan struct{}), open: map[net.Conn]bool{}}
	t.Cleanup(s.Close)
	return s
}

// Dial connects to a server started with StartPipe.
func (s *Server) Dial(ctx context.Context, _, _ string) (net.Conn, error) {
	client, server := net.Pipe()
	s.mu.Lock()
	select {
	case <-s.done:
		s.mu.Unlock()
		return nil, net.ErrClosed
	default:
	}
	id := s.conns
	s.conns++
	s.open[server] = true
	s.wg.Add(1)
	s.mu.Unlock()
	go s.serve(server, id)
	return client, nil
}

// Close stops the server and closes its connections. It is safe to call
// more than once.
func (s *Server) Close() {
	s.mu.Lock()
	select {
	case <-s.done:
		s.mu.Unlock()
		return
	default:
	}
	close(s.done)
	for c := range s.open {
		c.Close()
	}
	s.mu.Unlock()
	if s.ln != nil {
		s.ln.Close()
	}
	s.wg.Wait()
}

// Queries returns every query received so far, in order of arrival.
func (s *Server) Queries() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.queries...)
}

// Conns returns how many connections were accepted.
func (s *Server) Conns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		select {
		case <-s.done:
			s.mu.Unlock()
			c.Close()
			return
		default:
		}
		id := s.conns
		s.conns++
		s.open[c] = true
		s.mu.Unlock()
		s.wg.Add(1)
		go s.serve(c, id)
	}
}

func (s *Server) serve(c net.Conn, id int) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.open, c)
		s.mu.Unlock()
		c.Close()
	}()
	br := bufio.NewReader(c)
	bw := bufio.NewWriter(c)
	for n := 0; ; n++ {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		q := strings.TrimSpace(line)
		if q == "" {
			n--
			continue
		}
		s.mu.Lock()
		s.queries = append(s.queries, q)
		s.mu.Unlock()
		a := s.h(id, n, q)
		bw.WriteString(a.Reply)
		if br.Buffered() == 0 || a.Stall || a.Reset || a.Close {
			c.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if bw.Flush() != nil {
				return
			}
		}
		switch {
		case a.Stall:
			// Wait for the client to give up (its close ends the read) or
			// for the test to end.
			go func() {
				select {
				case <-s.done:
				case <-time.After(maxStall):
				}
				c.Close()
			}()
			c.SetReadDeadline(time.Time{})
			var b [1]byte
			for {
				if _, err := c.Read(b[:]); err != nil {
					return
				}
			}
		case a.Reset:
			if tc, ok := c.(*net.TCPConn); ok {
				tc.SetLinger(0)
			}
			return
		case a.Close:
			return
		}
	}
}

// Data returns an IRRd data reply: "A<len>\n<content>\nC\n", where len
// counts the content plus its final newline. Empty content gives "D\n", as
// IRRd answers an empty result.
func Data(content string) string {
	if content == "" {
		return NotFound
	}
	return "A" + strconv.Itoa(len(content)+1) + "\n" + content + "\nC\n"
}

// The fixed replies.
const (
	OK       = "C\n" // success, nothing to return
	NotFound = "D\n" // key not found, or an empty result
)

// Fail returns an F reply with msg.
func Fail(msg string) string { return "F " + msg + "\n" }

// ProbeA is IRRd 4's reply to a bare !a, the text bgpq4 tests for.
const ProbeA = "F Missing required set name for A query\n"

// IRRd returns a handler that replays IRRd 4's replies: silence for !!,
// C for !n, !t and !s<list>, the !a probe reply, "RIPE,RADB" for !s-lc,
// "IRRd -- version 4.4.4" for !v, a close for !q, the reply in replies for
// any other query given there, and D for the rest.
func IRRd(replies map[string]string) Handler {
	return func(_, _ int, q string) Action {
		if strings.EqualFold(q, "!q") {
			return Action{Close: true}
		}
		if r, ok := replies[q]; ok {
			return Action{Reply: r}
		}
		return Action{Reply: Default(q)}
	}
}

// Default returns what the IRRd handler answers to q when its map has no
// entry, and "" for !! and !q.
func Default(q string) string {
	switch {
	case q == "!!", strings.EqualFold(q, "!q"):
		return ""
	case q == "!a":
		return ProbeA
	case q == "!s-lc":
		return Data("RIPE,RADB")
	case q == "!v":
		return Data("IRRd -- version 4.4.4")
	case strings.HasPrefix(q, "!n"), strings.HasPrefix(q, "!t"), strings.HasPrefix(q, "!s"):
		return OK
	}
	return NotFound
}

// NoA wraps h so that the server behaves like one without !a.
func NoA(h Handler) Handler {
	return func(conn, n int, q string) Action {
		if strings.HasPrefix(q, "!a") {
			return Action{Reply: Fail("Unrecognised command: a")}
		}
		return h(conn, n, q)
	}
}

// Refusing returns a 127.0.0.1 address that refuses every connection
// until the test ends: a port held by a bound TCP socket that never
// listens. A port that is bound and released instead is only free: any
// process on the machine (test binaries run side by side) may bind it
// before the test dials it, and the "dead" server answers.
func Refusing(t testing.TB) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatalf("irrtest: socket: %v", err)
	}
	syscall.CloseOnExec(fd)
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatalf("irrtest: bind 127.0.0.1: %v", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatalf("irrtest: %v", err)
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(sa.(*syscall.SockaddrInet4).Port))
}
