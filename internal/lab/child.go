package lab

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"sync"
	"syscall"
	"time"
)

// A network namespace belongs to an OS thread, and a Go program moves
// goroutines between threads, so the lab never switches namespaces
// inside the test process. Each neighbor is a child: the test binary
// re-executed under "ip netns exec NS" with childEnv set, whose whole
// process lives in the namespace. The parent drives it over a pipe with
// one JSON request per line and reads one JSON reply per line.
const childEnv = "FILTERGEN_LAB_CHILD"

// Main runs the lab child when the test binary was re-executed as one,
// and returns otherwise. Call it first in TestMain of every package that
// uses the lab.
func Main() {
	if os.Getenv(childEnv) == "" {
		return
	}
	os.Exit(childMain(os.Stdin, os.Stdout))
}

type request struct {
	Op string `json:"op"`
	// session
	Session *sessionConfig `json:"session,omitempty"`
	// send, status
	ID       string         `json:"id,omitempty"`
	Announce []Route        `json:"announce,omitempty"`
	Withdraw []netip.Prefix `json:"withdraw,omitempty"`
	// udp-send, udp-listen
	Packets []Packet `json:"packets,omitempty"`
	Port    int      `json:"port,omitempty"`
	// Routes asks status for the received routes, not only their count.
	Routes bool `json:"routes,omitempty"`
}

// A Packet is one UDP datagram an anti-spoofing case sends.
type Packet struct {
	Src netip.Addr `json:"src"`
	Dst netip.Addr `json:"dst"`
	// Tag is carried in the payload so that the sink can tell packets
	// apart whatever their source.
	Tag string `json:"tag"`
}

// SessionStatus is what a child reports about one session.
type SessionStatus struct {
	Established   bool    `json:"established"`
	Sessions      int     `json:"sessions"`
	SentUpdates   int     `json:"sent_updates"`
	SentWithdraws int     `json:"sent_withdraws"`
	ReceivedCount int     `json:"received_count"`
	Received      []Route `json:"received,omitempty"`
	Err           string  `json:"err,omitempty"`
	Notification  string  `json:"notification,omitempty"`
}

type reply struct {
	Err    string         `json:"err,omitempty"`
	Status *SessionStatus `json:"status,omitempty"`
	Tags   []string       `json:"tags,omitempty"`
}

func childMain(in io.Reader, out io.Writer) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sessions := map[string]*session{}
	var seenMu sync.Mutex
	var seen []string
	enc := json.NewEncoder(out)
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var req request
		var rep reply
		if err := json.Unmarshal(sc.Bytes(), &req); err != nil {
			rep.Err = err.Error()
			enc.Encode(rep)
			continue
		}
		switch req.Op {
		case "session":
			c := *req.Session
			s := &session{cfg: c, rib: map[netip.Prefix]Route{}, received: map[netip.Prefix]Route{}}
			sessions[c.ID] = s
			go s.run(ctx)
		case "send":
			s, ok := sessions[req.ID]
			if !ok {
				rep.Err = "no session " + req.ID
				break
			}
			if err := s.send(req.Announce, req.Withdraw); err != nil {
				rep.Err = err.Error()
			}
		case "status":
			s, ok := sessions[req.ID]
			if !ok {
				rep.Err = "no session " + req.ID
				break
			}
			s.mu.Lock()
			st := &SessionStatus{Established: s.established, Sessions: s.sessions,
				SentUpdates: s.sentUpdates, SentWithdraws: s.sentWithdraws,
				Err: s.lastErr, Notification: s.notification, ReceivedCount: len(s.received)}
			if req.Routes {
				for _, r := range s.received {
					st.Received = append(st.Received, r)
				}
			}
			s.mu.Unlock()
			rep.Status = st
		case "udp-send":
			if err := sendPackets(req.Packets, req.Port); err != nil {
				rep.Err = err.Error()
			}
		case "udp-listen":
			if err := listenUDP(ctx, req.Port, func(tag string) {
				seenMu.Lock()
				seen = append(seen, tag)
				seenMu.Unlock()
			}); err != nil {
				rep.Err = err.Error()
			}
		case "udp-seen":
			seenMu.Lock()
			rep.Tags = slices.Clone(seen)
			seen = nil
			seenMu.Unlock()
		default:
			rep.Err = "unknown op " + req.Op
		}
		if err := enc.Encode(rep); err != nil {
			return 1
		}
	}
	// stdin closed: the parent is done (or gone).
	return 0
}

// sendPackets sends each packet from its (usually not local) source
// address with IP_TRANSPARENT, which lets a socket use any source.
func sendPackets(ps []Packet, port int) error {
	for _, p := range ps {
		network, level, opt := "udp4", syscall.SOL_IP, syscall.IP_TRANSPARENT
		if p.Src.Is6() {
			network, level, opt = "udp6", syscall.SOL_IPV6, 75 // IPV6_TRANSPARENT
		}
		d := net.Dialer{
			LocalAddr: net.UDPAddrFromAddrPort(netip.AddrPortFrom(p.Src, 0)),
			Control: func(_, _ string, c syscall.RawConn) error {
				var serr error
				err := c.Control(func(fd uintptr) {
					serr = syscall.SetsockoptInt(int(fd), level, opt, 1)
				})
				return errors.Join(err, serr)
			},
		}
		c, err := d.Dial(network, netip.AddrPortFrom(p.Dst, uint16(port)).String())
		if err != nil {
			return fmt.Errorf("packet from %s to %s: %w", p.Src, p.Dst, err)
		}
		_, err = c.Write([]byte(p.Tag))
		c.Close()
		if err != nil {
			return fmt.Errorf("packet from %s to %s: %w", p.Src, p.Dst, err)
		}
	}
	return nil
}

func listenUDP(ctx context.Context, port int, seen func(string)) error {
	for _, network := range []string{"udp4", "udp6"} {
		c, err := net.ListenUDP(network, &net.UDPAddr{Port: port})
		if err != nil {
			return err
		}
		context.AfterFunc(ctx, func() { c.Close() })
		go func() {
			buf := make([]byte, 512)
			for {
				n, _, err := c.ReadFromUDP(buf)
				if err != nil {
					return
				}
				seen(string(buf[:n]))
			}
		}()
	}
	return nil
}

// A Child is a lab process inside one namespace.
type Child struct {
	name string
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Scanner
	mu   sync.Mutex
	errb *lockedBuffer
}

// startChild re-executes the test binary inside namespace ns.
func (l *Lab) startChild(ns, name string) (*Child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("ip", "netns", "exec", ns, exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	c := &Child{name: name, cmd: cmd, in: in, errb: &lockedBuffer{}}
	cmd.Stderr = c.errb
	c.out = bufio.NewScanner(out)
	c.out.Buffer(make([]byte, 1<<20), 64<<20)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	l.addCleanup(func() {
		in.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	return c, nil
}

// call sends one request and reads its reply, bounded by timeout.
func (c *Child) call(req request, timeout time.Duration) (reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, err := json.Marshal(req)
	if err != nil {
		return reply{}, err
	}
	type res struct {
		rep reply
		err error
	}
	ch := make(chan res, 1)
	go func() {
		if _, err := c.in.Write(append(b, '\n')); err != nil {
			ch <- res{err: err}
			return
		}
		if !c.out.Scan() {
			ch <- res{err: fmt.Errorf("child exited: %v", c.out.Err())}
			return
		}
		var rep reply
		err := json.Unmarshal(c.out.Bytes(), &rep)
		ch <- res{rep, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			return reply{}, fmt.Errorf("lab child %s: %s: %w\n%s", c.name, req.Op, r.err, c.errb)
		}
		if r.rep.Err != "" {
			return r.rep, fmt.Errorf("lab child %s: %s: %s", c.name, req.Op, r.rep.Err)
		}
		return r.rep, nil
	case <-time.After(timeout):
		c.cmd.Process.Kill()
		return reply{}, fmt.Errorf("lab child %s: %s: no reply within %s", c.name, req.Op, timeout)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.b) < 1<<20 {
		b.b = append(b.b, p...)
	}
	return len(p), nil
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.b)
}
