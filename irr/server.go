package irr

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// A Backend is the registry a Server answers from. *Registry implements it.
type Backend interface {
	Expander
	// Sources lists the source names in their default priority order.
	Sources() []string
	// LookupSet returns a set's direct members (for !i without ,1).
	LookupSet(name string, sources []string) (*Set, bool)
	// Object returns an object's RPSL text (for !m and whois lookups).
	Object(class, key string, sources []string) (string, bool)
	// LookupRoutes returns the route objects matching a prefix (for !r).
	LookupRoutes(p netip.Prefix, match RouteMatch, sources []string) []Route
}

var _ Backend = (*Registry)(nil)

// ServerLimits bound what one client can make a Server do. Zero fields take
// the defaults given.
type ServerLimits struct {
	// MaxConns caps concurrent connections. A client that comes when
	// the server is full takes the place of the connection idle the
	// longest (if idle for a second or more); otherwise it waits in the
	// listen backlog until one closes. Default 256.
	MaxConns int
	// MaxConnsPerAddr caps the connections from one client address (one
	// IPv4 address, one IPv6 /64). A client over it takes the place of
	// that address's connection idle the longest (if idle for a second
	// or more), or gets an F answer. Default MaxConns/2 (below 64
	// connections, no limit per address).
	MaxConnsPerAddr int
	// MaxLineLength caps a query line; a longer one gets an F answer and
	// is skipped. Default 16 KiB.
	MaxLineLength int
	// IdleTimeout closes a connection that sends no query for this long,
	// as IRRd does after 30 s by default. !t sets it per connection
	// (1 s to 1000 s), but not above IdleTimeout while the server holds
	// more than three quarters of MaxConns. Default 30 s.
	IdleTimeout time.Duration
	// WriteTimeout drops a client that does not read its answers: no
	// write may block longer. Default 30 s.
	WriteTimeout time.Duration
	// MaxQueries caps the queries on one connection. Default 1,000,000.
	MaxQueries int
	// MaxDepth caps the nesting of set expansions (!i<set>,1, !a). Zero
	// means no cap, as IRRd: loops are safe without one, and real test
	// chains such as AS15562:AS-LEVEL286 are deeper than the library's
	// default of 64. MaxSets and the other Limits still apply.
	MaxDepth int
	// CachePrefixes caps the prefixes held in the answer cache for
	// !a, !i<set>,1 and their ASN lists, across all entries. The cache is
	// dropped when the backend is replaced. Default 8,000,000; negative
	// disables the cache.
	CachePrefixes int
	// MaxAnswerBytes caps the memory of the set answers (!a, !i<set>,1)
	// alive at once, cached or being written: a query that would pass it
	// waits until answers are sent or evicted. Default 256 MiB.
	MaxAnswerBytes int64
	// MaxExpansions caps the set expansions running at once; the others
	// wait their turn. Each holds its working set (a few times the size
	// of its answer) until done. Default 4.
	MaxExpansions int
}

func (l ServerLimits) withDefaults() ServerLimits {
	l.MaxConns = orDefault(l.MaxConns, 256)
	if l.MaxConnsPerAddr <= 0 {
		l.MaxConnsPerAddr = l.MaxConns
		if l.MaxConns >= 64 {
			l.MaxConnsPerAddr = l.MaxConns / 2
		}
	}
	l.MaxExpansions = orDefault(l.MaxExpansions, 4)
	if l.MaxAnswerBytes <= 0 {
		l.MaxAnswerBytes = 256 << 20
	}
	l.MaxLineLength = orDefault(l.MaxLineLength, 16<<10)
	l.IdleTimeout = orDefault(l.IdleTimeout, 30*time.Second)
	l.WriteTimeout = orDefault(l.WriteTimeout, 30*time.Second)
	l.MaxQueries = orDefault(l.MaxQueries, 1_000_000)
	if l.CachePrefixes == 0 {
		l.CachePrefixes = 8_000_000
	}
	return l
}

// DefaultServerVersion is the !v answer. Tools look for the prefix
// "IRRd -- version 4" to decide whether a server has !a.
const DefaultServerVersion = "IRRd -- version 4.5.3 (filtergen)"

// A Server answers IRRd "!" queries (and the whois queries IRR scripts
// send) from a Backend over TCP, with IRRd 4's framing and reply texts, so
// that bgpq4 and other IRR tools can use a Registry as their IRR source.
//
// Pipelined queries are answered in order. Answers are streamed through a
// bounded buffer with a write deadline, so a client that stops reading is
// dropped rather than holding the server. The backend can be replaced
// while serving (SetBackend); each query sees one backend throughout.
//
// Set the fields before calling Serve and do not change them after.
type Server struct {
	// DefaultSources is the selection a connection starts with (what !s-lc
	// shows). Empty means every source of the backend, in its order.
	DefaultSources []string
	// NoA makes the server answer !a like a server without it ("F
	// Unrecognised command: a"), so clients fall back to !i<set>,1 and !g.
	NoA bool
	// Version is the !v answer; default DefaultServerVersion.
	Version string
	// Limits bound each client.
	Limits ServerLimits
	// Logger receives connection and error logs; default silent.
	Logger *slog.Logger

	state      atomic.Pointer[serverState]
	open       atomic.Int64
	budgetOnce sync.Once
	budget     *answerBudget
}

// answerBudget returns the server's bound on answers in flight.
func (s *Server) answerBudget() *answerBudget {
	s.budgetOnce.Do(func() { s.budget = newAnswerBudget(s.Limits.withDefaults()) })
	return s.budget
}

// AnswerBytesPeak reports the most bytes of set answers held at once
// (cached or being written) since the server started.
func (s *Server) AnswerBytesPeak() int64 {
	b := s.answerBudget()
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.peak
}

// Conns returns the number of connections being served.
func (s *Server) Conns() int { return int(s.open.Load()) }

// serverState is one backend with its answer cache.
type serverState struct {
	b     Backend
	cache *answerCache
}

// newState makes the state for b; the cache size is read from Limits when
// the first query needs it, so Limits may be set after NewServer.
func (s *Server) newState(b Backend) *serverState {
	return &serverState{b: b, cache: &answerCache{srv: s}}
}

// NewServer returns a server for b.
func NewServer(b Backend) *Server {
	s := &Server{}
	s.SetBackend(b)
	return s
}

// SetBackend replaces the backend atomically: queries already running
// finish on the old one, later queries use b.
func (s *Server) SetBackend(b Backend) {
	if old := s.state.Swap(s.newState(b)); old != nil {
		old.cache.retire()
	}
}

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// Serve accepts connections on ln until ctx is done, then closes ln and
// every connection and returns once all handlers have finished. It returns
// nil after a shutdown through ctx, or the error that stopped accepting.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if s.state.Load() == nil {
		return errors.New("irr: server has no backend")
	}
	lim := s.Limits.withDefaults()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()

	t := &connTable{lim: lim, byAddr: map[string][]*connState{}, all: map[*connState]struct{}{}}
	t.freed = sync.NewCond(&t.mu)
	stopWait := context.AfterFunc(ctx, func() { t.mu.Lock(); t.freed.Broadcast(); t.mu.Unlock() })
	defer stopWait()
	var wg sync.WaitGroup
	var serveErr error
	refusing := make(chan struct{}, 64)
	delay := 5 * time.Millisecond
	for ctx.Err() == nil {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, syscallEMFILE) {
				s.logger().Warn("irr: accept", "err", err)
				time.Sleep(delay)
				delay = min(2*delay, time.Second)
				continue
			}
			serveErr = err
			break
		}
		delay = 5 * time.Millisecond
		cs, reason := t.admit(ctx, c)
		if cs == nil {
			if reason == "" {
				c.Close()
				continue
			}
			s.logger().Info("irr: connection refused", "peer", c.RemoteAddr().String(), "reason", reason)
			select {
			case refusing <- struct{}{}:
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer func() { <-refusing }()
					refuse(c, reason)
				}()
			default: // too many refusals under way: just close
				c.Close()
			}
			continue
		}
		wg.Add(1)
		s.open.Add(1)
		go func() {
			defer wg.Done()
			defer s.open.Add(-1)
			s.serveConn(ctx, cs, t, lim)
			t.remove(cs)
			c.Close()
		}()
	}
	cancel()
	t.closeAll()
	wg.Wait()
	return serveErr
}

// refuse tells a client why it is not served and closes the connection,
// reading what it sent first (for a second at most) so that the close
// does not reset the connection and lose the message.
func refuse(c net.Conn, reason string) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := io.WriteString(c, "F "+reason+"\n"); err != nil {
		return
	}
	if tc, ok := c.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
	io.Copy(io.Discard, io.LimitReader(c, 64<<10))
}

// connState is one connection in the server's table.
type connState struct {
	c         net.Conn
	addr      string       // addrKey of the peer
	idleSince atomic.Int64 // Unix nanoseconds when it began waiting for a query; 0 while busy
	evicted   atomic.Bool
	long      atomic.Bool // waiting with a !t longer than IdleTimeout
	counted   bool        // in the table's counts; under connTable.mu
}

// connTable holds the connections being served, by client address, so
// that idle connections cannot lock new clients out: a client over its
// address's limit, or coming when the server is full, takes the place of
// the connection idle the longest.
type connTable struct {
	lim    ServerLimits
	mu     sync.Mutex
	freed  *sync.Cond
	all    map[*connState]struct{}
	byAddr map[string][]*connState
	n      int // counted connections
}

// addrKey groups client addresses for MaxConnsPerAddr: an IPv4 address,
// or an IPv6 /64 (one host's worth of addresses).
func addrKey(a net.Addr) string {
	ta, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	ip, ok := netip.AddrFromSlice(ta.IP)
	if !ok {
		return a.String()
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

// admit adds c to the table, evicting an idle connection if need be. It
// returns nil and the reason to tell the client when c is refused, or
// nil and "" when ctx ended while waiting for room.
func (t *connTable) admit(ctx context.Context, c net.Conn) (*connState, string) {
	cs := &connState{c: c, addr: addrKey(c.RemoteAddr())}
	cs.idleSince.Store(time.Now().UnixNano())
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.lim.MaxConnsPerAddr < t.lim.MaxConns && len(t.byAddr[cs.addr]) >= t.lim.MaxConnsPerAddr {
		v := idlest(t.byAddr[cs.addr])
		if v == nil {
			return nil, "Too many connections from your address"
		}
		t.evictLocked(v)
	}
	for t.n >= t.lim.MaxConns {
		var v *connState
		now := time.Now().UnixNano()
		for o := range t.all {
			if o.evictable(now) && (v == nil || o.idleSince.Load() < v.idleSince.Load()) {
				v = o
			}
		}
		if v != nil {
			t.evictLocked(v)
			break
		}
		// Every connection is busy answering: wait for one to finish.
		t.freed.Wait()
		if ctx.Err() != nil {
			return nil, ""
		}
	}
	t.all[cs] = struct{}{}
	t.byAddr[cs.addr] = append(t.byAddr[cs.addr], cs)
	cs.counted = true
	t.n++
	if t.n > t.lim.MaxConns*3/4 {
		// Crowded: connections idle under a long !t get the default
		// idle timeout, counted from when they went idle.
		now := time.Now()
		for o := range t.all {
			if since := o.idleSince.Load(); since != 0 && o.long.Load() && o.counted {
				o.c.SetReadDeadline(maxTime(now, time.Unix(0, since).Add(t.lim.IdleTimeout)))
			}
		}
	}
	return cs, ""
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// minEvictIdle is how long a connection must have waited for a query
// before a newcomer may take its place: clients at work send their
// queries back to back, abandoned or hostile ones wait for minutes.
var minEvictIdle = time.Second

// evictable reports whether o is waiting for a query, and has long
// enough, to make room.
func (o *connState) evictable(now int64) bool {
	since := o.idleSince.Load()
	return o.counted && since != 0 && now-since >= int64(minEvictIdle)
}

// idlest returns the connection of list idle the longest, or nil.
func idlest(list []*connState) *connState {
	var v *connState
	now := time.Now().UnixNano()
	for _, o := range list {
		if o.evictable(now) && (v == nil || o.idleSince.Load() < v.idleSince.Load()) {
			v = o
		}
	}
	return v
}

// evictLocked takes v out of the counts and ends its wait for a query;
// its handler then closes it.
func (t *connTable) evictLocked(v *connState) {
	t.uncountLocked(v)
	v.evicted.Store(true)
	v.c.SetReadDeadline(time.Unix(1, 0))
}

func (t *connTable) uncountLocked(v *connState) {
	if !v.counted {
		return
	}
	v.counted = false
	t.n--
	list := t.byAddr[v.addr]
	for i, o := range list {
		if o == v {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(t.byAddr, v.addr)
	} else {
		t.byAddr[v.addr] = list
	}
	t.freed.Broadcast()
}

func (t *connTable) remove(v *connState) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.uncountLocked(v)
	delete(t.all, v)
}

// crowded reports whether the server holds more than three quarters of
// its connections, when !t may not raise the idle timeout.
func (t *connTable) crowded() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n > t.lim.MaxConns*3/4
}

func (t *connTable) closeAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for v := range t.all {
		v.c.Close()
	}
}

// deadlineWriter gives every write to the connection a deadline, and no
// later than until when that is set.
type deadlineWriter struct {
	c     net.Conn
	d     time.Duration
	until time.Time
}

func (w *deadlineWriter) Write(b []byte) (int, error) {
	d := time.Now().Add(w.d)
	if !w.until.IsZero() && w.until.Before(d) {
		d = w.until
	}
	w.c.SetWriteDeadline(d)
	return w.c.Write(b)
}

// session is one connection's state.
type session struct {
	srv        *Server
	ctx        context.Context
	peer       string
	bw         *bufio.Writer
	dw         *deadlineWriter
	persistent bool
	sources    []string // nil: the default selection
	idle       time.Duration
	scratch    []byte
	quit       bool
}

func (s *Server) serveConn(ctx context.Context, cs *connState, t *connTable, lim ServerLimits) {
	c := cs.c
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	br := bufio.NewReaderSize(c, max(lim.MaxLineLength+2, 4096))
	dw := &deadlineWriter{c: c, d: lim.WriteTimeout}
	ss := &session{
		srv:  s,
		ctx:  ctx,
		peer: c.RemoteAddr().String(),
		bw:   bufio.NewWriterSize(dw, 64<<10),
		dw:   dw,
		idle: lim.IdleTimeout,
	}
	log := s.logger()
	log.Debug("irr: connection", "peer", ss.peer)
	for n := 0; n < lim.MaxQueries && !ss.quit; {
		if br.Buffered() == 0 {
			// Idle from here: its answers are written, and a client
			// that reads them and sends nothing may make room.
			cs.idleSince.Store(time.Now().UnixNano())
			if err := ss.bw.Flush(); err != nil {
				log.Debug("irr: write", "peer", ss.peer, "err", err)
				return
			}
		}
		if cs.evicted.Load() {
			break
		}
		now := time.Now()
		long := ss.idle > lim.IdleTimeout
		cs.long.Store(long)
		c.SetReadDeadline(now.Add(ss.idle))
		if long && t.crowded() {
			// A crowded server does not honour a long !t. (Checked after
			// setting the deadline: admit shortens it for connections
			// already waiting when the server becomes crowded.)
			c.SetReadDeadline(now.Add(lim.IdleTimeout))
		}
		if cs.evicted.Load() { // evicted before the deadline was set
			break
		}
		line, err := br.ReadSlice('\n')
		cs.idleSince.Store(0)
		if err == bufio.ErrBufferFull {
			for err == bufio.ErrBufferFull { // skip the rest of the line
				_, err = br.ReadSlice('\n')
			}
			if err != nil {
				return
			}
			ss.fail("Query too long")
			continue
		}
		if err != nil {
			if len(line) > 0 && err == io.EOF {
				// A last query without a newline is still a query.
			} else {
				ss.bw.Flush()
				if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
					log.Debug("irr: read", "peer", ss.peer, "err", err)
				}
				return
			}
		}
		q := strings.TrimSpace(string(line))
		if q == "" {
			if err != nil {
				return
			}
			continue
		}
		n++
		ss.query(q)
		if !ss.persistent {
			ss.quit = true
		}
		if err != nil {
			break
		}
	}
	ss.bw.Flush()
}

// query answers one query line.
func (ss *session) query(q string) {
	if strings.IndexByte(q, 0) >= 0 {
		ss.fail("Queries may not contain null bytes")
		return
	}
	if q[0] != '!' {
		ss.whois(q)
		return
	}
	// bgpq4-style "-V id !query" is handled by whois(); plain "!" here.
	if len(q) == 1 {
		ss.fail("Missing command")
		return
	}
	cmd, arg := q[1], q[2:]
	st := ss.srv.state.Load()
	switch cmd {
	case '!':
		ss.persistent = true
	case 'q', 'Q':
		if len(arg) == 0 {
			ss.quit = true
			return
		}
		ss.unknown(cmd)
	case 't':
		n, err := strconv.Atoi(arg)
		if err != nil || n < 1 || n > 1000 {
			ss.fail("Invalid value for timeout: " + arg)
			return
		}
		ss.idle = time.Duration(n) * time.Second
		ss.ok()
	case 'n':
		ss.ok()
	case 'v':
		v := ss.srv.Version
		if v == "" {
			v = DefaultServerVersion
		}
		ss.data([]byte(v))
	case 's':
		ss.selectSources(st, arg)
	case 'i':
		ss.members(st, arg)
	case 'a':
		if ss.srv.NoA {
			ss.unknown(cmd)
			return
		}
		ss.prefixesOfSet(st, arg)
	case 'g', '6':
		ss.originPrefixes(st, cmd, arg)
	case 'm':
		ss.object(st, arg)
	case 'r':
		ss.routeSearch(st, arg)
	default:
		ss.unknown(cmd)
	}
}

func (ss *session) ok()       { ss.bw.WriteString("C\n") }
func (ss *session) notFound() { ss.bw.WriteString("D\n") }

// maxFailMessage bounds an F message, which may echo the query: a client
// reading status lines with a bound (ours allows 4096 bytes) must not take
// a long echo for a broken reply.
const maxFailMessage = 512

func (ss *session) fail(msg string) {
	if len(msg) > maxFailMessage {
		msg = msg[:maxFailMessage] + "..."
	}
	ss.bw.WriteString("F ")
	ss.bw.WriteString(failNewlines.Replace(msg))
	ss.bw.WriteByte('\n')
}

// failNewlines keeps an echoed query from splitting an F reply in two.
var failNewlines = strings.NewReplacer("\n", " ", "\r", " ")

func (ss *session) unknown(cmd byte) { ss.fail("Unrecognised command: " + string(cmd)) }

// data writes content as an A reply, or D when it is empty.
func (ss *session) data(content []byte) {
	if len(content) == 0 {
		ss.notFound()
		return
	}
	ss.bw.WriteByte('A')
	ss.bw.WriteString(strconv.Itoa(len(content) + 1))
	ss.bw.WriteByte('\n')
	ss.bw.Write(content)
	ss.bw.WriteString("\nC\n")
}

// srcs returns the current selection, nil meaning every source.
func (ss *session) srcs(st *serverState) []string {
	if ss.sources != nil {
		return ss.sources
	}
	return ss.srv.DefaultSources
}

func (ss *session) selectSources(st *serverState, arg string) {
	switch arg {
	case "-lc":
		cur := ss.srcs(st)
		if len(cur) == 0 {
			cur = st.b.Sources()
		}
		ss.data([]byte(strings.Join(cur, ",")))
		return
	case "-*":
		ss.ok()
		return
	case "":
		ss.fail("Missing parameter for s query")
		return
	}
	known := st.b.Sources()
	var sel []string
	for name := range strings.SplitSeq(arg, ",") {
		name = strings.ToUpper(strings.TrimSpace(name))
		if !slices.Contains(known, name) {
			ss.fail("One or more selected sources are unavailable.")
			return
		}
		if !slices.Contains(sel, name) {
			sel = append(sel, name)
		}
	}
	ss.sources = sel
	ss.ok()
}

// expandOptions returns the options of a set expansion for srcs.
func (ss *session) expandOptions(srcs []string) *ExpandOptions {
	d := ss.srv.Limits.MaxDepth
	if d <= 0 {
		d = NoDepthLimit
	}
	return &ExpandOptions{Sources: srcs, Limits: Limits{MaxDepth: d}}
}

// errReply turns an expansion error into an F message without internals.
func (ss *session) errReply(query string, err error) {
	var le *LimitError
	switch {
	case errors.Is(err, ErrNotFound):
		ss.notFound()
	case errors.As(err, &le):
		ss.fail(le.Error())
	case errors.Is(err, ErrForbiddenMember):
		ss.fail(err.Error())
	default:
		ss.srv.logger().Warn("irr: query failed", "peer", ss.peer, "query", query, "err", err)
		ss.fail("An internal error occurred while processing this query.")
	}
}

func (ss *session) members(st *serverState, arg string) {
	name, recursive := arg, false
	if n, ok := strings.CutSuffix(arg, ",1"); ok {
		name, recursive = n, true
	}
	if name == "" {
		ss.fail("Missing parameter for i query")
		return
	}
	srcs := ss.srcs(st)
	set, ok := st.b.LookupSet(name, srcs)
	if !ok {
		ss.notFound()
		return
	}
	if !recursive {
		ms := make([]string, len(set.Members))
		for i, m := range set.Members {
			ms[i] = wireLongOp(m)
		}
		slices.Sort(ms)
		ss.data([]byte(strings.Join(ms, " ")))
		return
	}
	key := answerKey{cmd: "i", name: set.Name, sources: strings.Join(srcs, ",")}
	a, release, err := st.cache.get(ss.ctx, key, func() (*answer, error) {
		opts := ss.expandOptions(srcs)
		if set.Class == "as-set" {
			asns, _, err := st.b.ExpandASNs(ss.ctx, set.Name, opts)
			return &answer{asns: asns}, err
		}
		v4, _, err := st.b.ExpandPrefixes(ss.ctx, set.Name, IPv4, opts)
		if err != nil {
			return nil, err
		}
		v6, _, err := st.b.ExpandPrefixes(ss.ctx, set.Name, IPv6, opts)
		return &answer{ranges: append(v4, v6...)}, err
	})
	if err != nil {
		ss.errReply("!i"+arg, err)
		return
	}
	defer release()
	ss.writeAnswer(a)
}

func (ss *session) prefixesOfSet(st *serverState, arg string) {
	fams := []Family{IPv4, IPv6}
	switch {
	case strings.HasPrefix(arg, "4"):
		fams, arg = fams[:1], arg[1:]
	case strings.HasPrefix(arg, "6"):
		fams, arg = fams[1:], arg[1:]
	}
	if arg == "" {
		ss.fail("Missing required set name for A query")
		return
	}
	srcs := ss.srcs(st)
	set, ok := st.b.LookupSet(arg, srcs)
	if !ok || set.Class != "as-set" { // IRRd resolves !a as an as-set only
		ss.notFound()
		return
	}
	// One answer for both families (!a) so that a session pins one
	// answer at a time and waits for the budget holding none.
	cmd := "a"
	if len(fams) == 1 {
		cmd += fams[0].String()
	}
	key := answerKey{cmd: cmd, name: set.Name, sources: strings.Join(srcs, ",")}
	a, release, err := st.cache.get(ss.ctx, key, func() (*answer, error) {
		var all []PrefixRange
		for _, fam := range fams {
			prs, _, err := st.b.ExpandPrefixes(ss.ctx, set.Name, fam, ss.expandOptions(srcs))
			if err != nil {
				return nil, err
			}
			if all == nil {
				all = prs
			} else {
				all = append(all, prs...)
			}
		}
		return &answer{ranges: all}, nil
	})
	if err != nil {
		ss.errReply("!a"+arg, err)
		return
	}
	defer release()
	ss.writeAnswer(a)
}

func (ss *session) originPrefixes(st *serverState, cmd byte, arg string) {
	if arg == "" {
		ss.fail("Missing parameter for " + string(cmd) + " query")
		return
	}
	if len(arg) < 2 || !strings.EqualFold(arg[:2], "AS") {
		ss.fail("Invalid AS number " + arg + ": must start with \"AS\"")
		return
	}
	n, err := wireParseASN([]byte(arg))
	if err != nil {
		ss.fail("Invalid AS number " + arg)
		return
	}
	fam := IPv4
	if cmd == '6' {
		fam = IPv6
	}
	routes, err := st.b.Routes(ss.ctx, []uint32{n}, fam, &ExpandOptions{Sources: ss.srcs(st)})
	if err != nil {
		ss.errReply("!"+string(cmd)+arg, err)
		return
	}
	b := ss.scratch[:0]
	var last netip.Prefix
	for i, r := range routes {
		if i > 0 && r.Prefix == last {
			continue // the same prefix from another source
		}
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = r.Prefix.AppendTo(b)
		last = r.Prefix
	}
	ss.data(b)
	ss.scratch = b[:0]
}

func (ss *session) object(st *serverState, arg string) {
	class, key, ok := strings.Cut(arg, ",")
	if !ok || class == "" || key == "" {
		ss.fail("Invalid object lookup: expected !m<object-class>,<primary-key>")
		return
	}
	class = strings.ToLower(strings.TrimSpace(class))
	key = strings.ToUpper(strings.TrimSpace(key))
	if class == "route" || class == "route6" {
		key = strings.NewReplacer(" ", "", "-", "").Replace(key)
	}
	text, found := st.b.Object(class, key, ss.srcs(st))
	if !found {
		ss.notFound()
		return
	}
	ss.data([]byte(strings.TrimRight(text, "\n")))
}

func (ss *session) routeSearch(st *serverState, arg string) {
	pfx, opt, _ := strings.Cut(arg, ",")
	if pfx == "" {
		ss.fail("Missing parameter for r query")
		return
	}
	match := MatchExact
	originsOnly := false
	switch opt {
	case "":
	case "o":
		originsOnly = true
	case "l":
		match = MatchOneLess
	case "L":
		match = MatchAllLess
	case "M":
		match = MatchMoreSpecific
	default:
		ss.fail("Invalid route search option: " + opt)
		return
	}
	p, err := netip.ParsePrefix(strings.TrimSpace(pfx))
	if err != nil {
		ss.fail("Invalid prefix: " + pfx)
		return
	}
	routes := st.b.LookupRoutes(p.Masked(), match, ss.srcs(st))
	if len(routes) == 0 {
		ss.notFound()
		return
	}
	var b []byte
	if originsOnly {
		for i, r := range routes {
			if i > 0 {
				b = append(b, ' ')
			}
			b = fmtAppendASN(b, r.Origin)
		}
		ss.data(b)
		return
	}
	objs := ss.routeObjects(st, routes)
	for i, o := range objs {
		objs[i] = strings.TrimRight(o, "\n")
	}
	ss.data([]byte(strings.Join(objs, "\n\n")))
}

// routeObjects renders route objects as RPSL text.
func (ss *session) routeObjects(st *serverState, routes []Route) []string {
	var out []string
	for _, r := range routes {
		class := "route"
		if FamilyOf(r.Prefix) == IPv6 {
			class = "route6"
		}
		key := r.Prefix.String() + fmtASN(r.Origin)
		if text, ok := st.b.Object(class, key, []string{r.Source}); ok {
			out = append(out, text)
		}
	}
	return out
}

func fmtAppendASN(b []byte, n uint32) []byte {
	b = append(b, "AS"...)
	return strconv.AppendUint(b, uint64(n), 10)
}
