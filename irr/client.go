package irr

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sync/semaphore"
)

// Client defaults. Each applies when the matching Client field is zero.
const (
	DefaultDialTimeout   = 10 * time.Second
	DefaultQueryTimeout  = 2 * time.Minute // one answer; IRRd's !a can take minutes
	DefaultClientTimeout = 10 * time.Minute
	DefaultRetries       = 2
	DefaultRetryBackoff  = 250 * time.Millisecond
	DefaultServerIdle    = 10 * time.Minute // sent with !t
	DefaultConns         = 4
	DefaultMaxReply      = 256 << 20
	DefaultAgent         = "filtergen"
)

// A Client queries IRRd servers with the "!" protocol and implements
// Expander, so that a remote registry can stand in for the in-memory one.
//
// It keeps a small pool of persistent connections ("!!" mode); each
// expansion takes one and pipelines its queries on it, reading answers as
// they arrive. Servers are tried in order: when one is down, refuses, resets
// or times out, the next one is used, with backoff between attempts. An F
// answer is never retried. Every reply is validated, and any failed query
// fails the whole call: a Client never returns a partial result.
//
// All of an expansion's queries go to one server, so that its answer is
// consistent; a retry starts the expansion again.
//
// The zero value is not usable: Servers must be set. Other fields take the
// documented defaults when zero. Fields must not change once the Client is
// in use. Close releases idle connections.
type Client struct {
	// Servers lists "host:port" addresses, tried in order.
	Servers []string
	// Agent is sent with !n. Default DefaultAgent.
	Agent string
	// DialTimeout bounds each connection attempt. Default 10 s.
	DialTimeout time.Duration
	// QueryTimeout bounds the wait for each answer. Default 2 min.
	QueryTimeout time.Duration
	// Timeout bounds each method call, retries included. Default 10 min.
	Timeout time.Duration
	// Retries is how many times a call is retried after a transient
	// fault (refused, reset, closed, timed out). Default 2; negative means
	// no retries.
	Retries int
	// RetryBackoff is the wait before the first retry; it doubles with
	// each further retry. Default 250 ms.
	RetryBackoff time.Duration
	// ServerIdle is the idle timeout asked of the server with !t (IRRd
	// allows 1 s to 1000 s, default 30 s), so that pooled connections
	// survive between expansions. Default 10 min.
	ServerIdle time.Duration
	// Conns caps the connections open at once; more concurrent calls wait.
	// Default 4.
	Conns int
	// MaxReply caps the size of one answer. Default 256 MiB.
	MaxReply int
	// DisableA stops the client from using !a4/!a6 even when the server
	// offers them: AS-SETs are then expanded with !i<set>,1 and one !g or
	// !6 per AS.
	DisableA bool
	// ServerRecursion lets the server resolve set trees (!i<set>,1, !a)
	// when no depth limit, exclusion or SOURCE::NAME root is asked. It is
	// faster, but IRRd silently drops nested sets it cannot find, so the
	// Report then holds only the root and a warning saying so. By default
	// the client walks the tree itself with non-recursive !i queries
	// (pipelined, one round per level), and the Report lists missing
	// nested sets and loops. IRRd does not say which source a set came
	// from, so Report.Sets maps each set to "".
	ServerRecursion bool
	// Logger receives debug logs. Default: discard.
	Logger *slog.Logger
	// Dial opens connections. Default: a net.Dialer.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)

	once sync.Once
	sem  *semaphore.Weighted
	mu   sync.Mutex
	idle []*clientConn
	next int // server to try first, after failovers
}

var _ Expander = (*Client)(nil)

func (c *Client) init() {
	c.once.Do(func() {
		c.sem = semaphore.NewWeighted(int64(orDefault(c.Conns, DefaultConns)))
	})
}

func orDefault[T int | time.Duration](v, d T) T {
	if v <= 0 {
		return d
	}
	return v
}

func (c *Client) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// Close closes idle connections. Calls in progress are not affected; their
// connections close when they finish.
func (c *Client) Close() error {
	c.mu.Lock()
	idle := c.idle
	c.idle = nil
	c.mu.Unlock()
	for _, cn := range idle {
		cn.quit()
	}
	return nil
}

// A clientConn is one persistent connection to one server.
type clientConn struct {
	addr     string
	nc       net.Conn
	br       *bufio.Reader
	bw       *bufio.Writer
	hasA     bool
	defSrc   string // server's default sources (from !s-lc), "" if unknown
	curSrc   string // current selection; equal to defSrc when untouched
	idleFor  time.Duration
	lastUsed time.Time
	buf      []byte
	qTimeout time.Duration
	maxReply int
	broken   bool
	reused   bool // taken from the pool
}

func (cn *clientConn) close() { cn.nc.Close() }

// quit says goodbye politely, then closes.
func (cn *clientConn) quit() {
	cn.nc.SetWriteDeadline(time.Now().Add(time.Second))
	cn.bw.WriteString("!q\n")
	cn.bw.Flush()
	cn.nc.Close()
}

// call runs fn on a connection, retrying on transient faults with the next
// server. fn must treat the connection as broken after any error.
func (c *Client) call(ctx context.Context, fn func(ctx context.Context, cn *clientConn) error) error {
	c.init()
	if len(c.Servers) == 0 {
		return errors.New("irr: client has no servers")
	}
	ctx, cancel := context.WithTimeout(ctx, orDefault(c.Timeout, DefaultClientTimeout))
	defer cancel()
	if err := c.sem.Acquire(ctx, 1); err != nil {
		return fmt.Errorf("irr: waiting for a connection: %w", err)
	}
	defer c.sem.Release(1)

	retries := c.Retries
	if retries == 0 {
		retries = DefaultRetries
	}
	if retries < 0 {
		retries = 0
	}
	backoff := orDefault(c.RetryBackoff, DefaultRetryBackoff)
	var last error
	fresh := false
	for attempt := 0; attempt <= retries; attempt++ {
		if attempt > 0 {
			t := time.NewTimer(backoff)
			select {
			case <-ctx.Done():
				t.Stop()
				return fmt.Errorf("irr: %w (after %v)", ctx.Err(), last)
			case <-t.C:
			}
			backoff = min(2*backoff, 10*time.Second)
		}
		cn, err := c.conn(ctx, fresh || attempt > 0)
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("irr: %w (%v)", ctx.Err(), err)
			}
			last = err
			c.logger().Debug("irr: no server", "err", err, "attempt", attempt+1)
			continue
		}
		err = fn(ctx, cn)
		if err == nil {
			c.release(cn)
			return nil
		}
		cn.close()
		if ctx.Err() != nil {
			return fmt.Errorf("irr: %w: %v", ctx.Err(), err)
		}
		if !isTransient(err) {
			return err
		}
		if cn.reused && !fresh && isClosed(err) {
			// The server closed this pooled connection while it was idle
			// (its own idle timeout, a restart): not a fault of the
			// server, so try a new connection at once, uncounted.
			c.logger().Debug("irr: pooled connection was closed", "peer", cn.addr, "err", err)
			fresh = true
			attempt--
			continue
		}
		c.logger().Debug("irr: transient fault", "peer", cn.addr, "err", err, "attempt", attempt+1)
		c.failover(cn.addr)
		last = err
	}
	return fmt.Errorf("irr: giving up after %d attempts: %w", retries+1, last)
}

// failover makes the server after addr the first one tried.
func (c *Client) failover(addr string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, s := range c.Servers {
		if s == addr {
			c.next = (i + 1) % len(c.Servers)
		}
	}
}

// isTransient reports whether err is worth a retry: the connection broke
// or timed out. F answers and protocol errors are not.
func isTransient(err error) bool {
	var se *ServerError
	if errors.As(err, &se) || errors.Is(err, ErrProtocol) {
		return false
	}
	var ne net.Error
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, os.ErrDeadlineExceeded) ||
		errors.Is(err, net.ErrClosed) || (errors.As(err, &ne) && ne.Timeout()) ||
		errors.Is(err, errDial)
}

var errDial = errors.New("no server reachable")

// isClosed reports whether err means the peer closed or reset the
// connection (as opposed to a timeout).
func isClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// conn returns an idle pooled connection or dials one. fresh skips the
// pool (after a fault, a pooled connection may be stale too).
func (c *Client) conn(ctx context.Context, fresh bool) (*clientConn, error) {
	c.mu.Lock()
	for len(c.idle) > 0 {
		cn := c.idle[len(c.idle)-1]
		c.idle = c.idle[:len(c.idle)-1]
		if fresh || time.Since(cn.lastUsed) > cn.idleFor/2 {
			cn.close()
			continue
		}
		c.mu.Unlock()
		cn.reused = true
		return cn, nil
	}
	start := c.next
	c.mu.Unlock()
	var errs []error
	for i := range c.Servers {
		addr := c.Servers[(start+i)%len(c.Servers)]
		cn, err := c.dial(ctx, addr)
		if err == nil {
			return cn, nil
		}
		if ctx.Err() != nil {
			return nil, err
		}
		c.logger().Debug("irr: server unusable", "peer", addr, "err", err)
		errs = append(errs, err)
	}
	return nil, fmt.Errorf("irr: %w: %w", errDial, errors.Join(errs...))
}

func (c *Client) release(cn *clientConn) {
	if cn.broken || (cn.curSrc != cn.defSrc && cn.defSrc == "") {
		cn.quit()
		return
	}
	cn.lastUsed = time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.idle = append(c.idle, cn)
}

// dial connects to addr and runs the handshake: !! (persistent mode), !n,
// !t, the !a probe bgpq4 uses and !s-lc, pipelined.
func (c *Client) dial(ctx context.Context, addr string) (*clientConn, error) {
	dctx, cancel := context.WithTimeout(ctx, orDefault(c.DialTimeout, DefaultDialTimeout))
	defer cancel()
	dial := c.Dial
	if dial == nil {
		var d net.Dialer
		dial = d.DialContext
	}
	nc, err := dial(dctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", addr, err)
	}
	idle := orDefault(c.ServerIdle, DefaultServerIdle)
	secs := min(max(int(idle/time.Second), 1), 1000)
	cn := &clientConn{
		addr:     addr,
		nc:       nc,
		br:       bufio.NewReaderSize(nc, 64<<10),
		bw:       bufio.NewWriterSize(nc, 64<<10),
		idleFor:  30 * time.Second,
		qTimeout: min(orDefault(c.QueryTimeout, DefaultQueryTimeout), orDefault(c.DialTimeout, DefaultDialTimeout)),
		maxReply: orDefault(c.MaxReply, DefaultMaxReply),
	}
	agent := c.Agent
	if agent == "" {
		agent = DefaultAgent
	}
	cn.bw.WriteString("!!\n")
	qs := []string{"!n" + agent, "!t" + strconv.Itoa(secs), "!a", "!s-lc"}
	err = cn.pipeline(dctx, qs, func(i int, kind replyKind, data []byte, err error) error {
		var se *ServerError
		switch i {
		case 0: // !n: any answer will do
			if err != nil && !errors.As(err, &se) {
				return err
			}
		case 1: // !t: old servers may refuse; keep their default then
			if err == nil {
				cn.idleFor = time.Duration(secs) * time.Second
			} else if !errors.As(err, &se) {
				return err
			}
		case 2: // the exact probe reply bgpq4 tests for
			if errors.As(err, &se) {
				cn.hasA = !c.DisableA && strings.HasPrefix(se.Msg, "Missing required set name for A query")
			} else if err != nil {
				return err
			} else {
				return wireErrorf("unexpected answer to the !a probe")
			}
		case 3:
			if errors.As(err, &se) {
				return nil // unknown defaults: the connection is not pooled after !s
			} else if err != nil {
				return err
			}
			if kind == replyData {
				cn.defSrc = strings.ToUpper(strings.TrimSpace(string(data)))
				cn.curSrc = cn.defSrc
			}
		}
		return nil
	})
	if err != nil {
		nc.Close()
		return nil, err
	}
	cn.qTimeout = orDefault(c.QueryTimeout, DefaultQueryTimeout)
	c.logger().Debug("irr: connected", "peer", addr, "a", cn.hasA, "sources", cn.defSrc)
	return cn, nil
}

// replyFunc handles the answer to query i. err is a *ServerError for an F
// answer; other errors end the pipeline before reaching the handler.
type replyFunc func(i int, kind replyKind, data []byte, err error) error

// A tokenReader takes the content of data replies token by token as it
// is read (readReplyTokens), instead of whole. The replyFunc of the same
// pipeline is then called for a data reply with nil data, after its last
// token.
type tokenReader struct {
	size  func(i, n int) // optional: the announced length of reply i
	token func(i int, tok []byte) error
}

// shift returns tr for a pipeline with k queries in front of the ones tr
// was written for; replies to those carry no data.
func (tr *tokenReader) shift(k int) *tokenReader {
	if tr == nil || k == 0 {
		return tr
	}
	return &tokenReader{
		size: func(i, n int) {
			if i >= k && tr.size != nil {
				tr.size(i-k, n)
			}
		},
		token: func(i int, tok []byte) error {
			if i < k {
				return wireErrorf("unexpected data")
			}
			return tr.token(i-k, tok)
		},
	}
}

// pipeline writes every query at once (from a second goroutine, so that
// neither side blocks on full socket buffers) and hands each answer to h as
// it arrives, in order. Any error, from the connection or from h, leaves
// the connection unusable.
func (cn *clientConn) pipeline(ctx context.Context, qs []string, h replyFunc) error {
	return cn.pipelineTokens(ctx, qs, nil, h)
}

// pipelineTokens is pipeline with data replies read through tr (when not
// nil).
func (cn *clientConn) pipelineTokens(ctx context.Context, qs []string, tr *tokenReader, h replyFunc) error {
	if len(qs) == 0 {
		return nil
	}
	for _, q := range qs {
		if err := wireCheckQuery(q); err != nil {
			return err
		}
	}
	stop := context.AfterFunc(ctx, func() { cn.nc.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	werr := make(chan error, 1)
	go func() {
		var err error
		for _, q := range qs {
			cn.bw.WriteString(q)
			if err = cn.bw.WriteByte('\n'); err != nil {
				break
			}
		}
		if err == nil {
			err = cn.bw.Flush()
		}
		werr <- err
	}()
	err := cn.readReplies(ctx, qs, tr, h)
	if err != nil {
		cn.broken = true
		cn.nc.Close() // unblocks the writer
	}
	if we := <-werr; we != nil && err == nil {
		cn.broken = true
		cn.nc.Close()
		err = &QueryError{Server: cn.addr, Query: qs[0], Err: fmt.Errorf("writing queries: %w", we)}
	}
	if cap(cn.buf) > clientKeepBuf {
		// A big answer's buffer is not kept for the next query: it
		// would stay allocated for as long as the connection is pooled.
		cn.buf = nil
	}
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("%w: %w", ctx.Err(), err)
	}
	return err
}

// clientKeepBuf is the largest reply buffer a connection keeps between
// pipelines.
const clientKeepBuf = 1 << 20

func (cn *clientConn) readReplies(ctx context.Context, qs []string, tr *tokenReader, h replyFunc) error {
	for i, q := range qs {
		if ctx.Err() != nil {
			return &QueryError{Server: cn.addr, Query: q, Err: ctx.Err()}
		}
		cn.nc.SetReadDeadline(time.Now().Add(cn.qTimeout))
		var kind replyKind
		var data []byte
		var err error
		if tr != nil {
			var size func(int)
			if tr.size != nil {
				size = func(n int) { tr.size(i, n) }
			}
			kind, err = readReplyTokens(cn.br, cn.maxReply, size, func(tok []byte) error { return tr.token(i, tok) })
		} else {
			kind, data, err = readReply(cn.br, cn.maxReply, cn.buf)
		}
		if err != nil {
			var se *ServerError
			if errors.As(err, &se) {
				se.Query, se.Server = q, cn.addr
				if herr := h(i, 0, nil, se); herr != nil {
					return herr
				}
				continue
			}
			var qe *QueryError
			if errors.As(err, &qe) {
				return err
			}
			return &QueryError{Server: cn.addr, Query: q, Err: err}
		}
		if kind == replyData && cap(data) > cap(cn.buf) {
			cn.buf = data[:0]
		}
		if err := h(i, kind, data, nil); err != nil {
			var qe *QueryError
			var se *ServerError
			if !errors.As(err, &qe) && !errors.As(err, &se) {
				err = &QueryError{Server: cn.addr, Query: q, Err: err}
			}
			return err
		}
	}
	return nil
}

// selectSources returns the !s query that makes srcs the connection's
// selection ("" when nothing needs sending). Empty srcs means the server's
// defaults.
func (cn *clientConn) selectSources(srcs []string) (string, error) {
	want := strings.ToUpper(strings.Join(srcs, ","))
	if want == "" {
		want = cn.defSrc
		if want == "" && cn.curSrc != "" {
			return "", errors.New("irr: cannot restore the server's default sources")
		}
	}
	if want == cn.curSrc {
		return "", nil
	}
	cn.curSrc = want
	return "!s" + want, nil
}

// withSources prefixes qs with the !s query srcs need, and wraps h so that
// the !s answer is checked and indexes stay those of qs.
func (cn *clientConn) withSources(srcs []string, qs []string, h replyFunc) ([]string, replyFunc, error) {
	sq, err := cn.selectSources(srcs)
	if err != nil {
		return nil, nil, err
	}
	if sq == "" {
		return qs, h, nil
	}
	all := append([]string{sq}, qs...)
	return all, func(i int, kind replyKind, data []byte, err error) error {
		if i == 0 {
			if err != nil {
				return err
			}
			if kind != replyOK {
				return wireErrorf("unexpected answer to %s", strconv.Quote(sq))
			}
			return nil
		}
		return h(i-1, kind, data, err)
	}, nil
}

// run pipelines qs under the given sources.
func (cn *clientConn) run(ctx context.Context, srcs []string, qs []string, h replyFunc) error {
	return cn.runTokens(ctx, srcs, qs, nil, h)
}

// runTokens is run with data replies read through tr (when not nil).
func (cn *clientConn) runTokens(ctx context.Context, srcs []string, qs []string, tr *tokenReader, h replyFunc) error {
	all, hh, err := cn.withSources(srcs, qs, h)
	if err != nil {
		return err
	}
	return cn.pipelineTokens(ctx, all, tr.shift(len(all)-len(qs)), hh)
}
