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
	// MaxConns caps concurrent connections; further clients wait in the
	// listen backlog until one closes. Default 256.
	MaxConns int
	// MaxLineLength caps a query line; a longer one gets an F answer and
	// is skipped. Default 16 KiB.
	MaxLineLength int
	// IdleTimeout closes a connection that sends no query for this long,
	// as IRRd does after 30 s by default. !t sets it per connection
	// (1 s to 1000 s). Default 30 s.
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
	// dropped when the backend is replaced. Default 8,000,000 (about
	// 320 MB); negative disables the cache.
	CachePrefixes int
}

func (l ServerLimits) withDefaults() ServerLimits {
	l.MaxConns = orDefault(l.MaxConns, 256)
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

	state atomic.Pointer[serverState]
	open  atomic.Int64
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
	s.state.Store(s.newState(b))
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

	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns = map[net.Conn]struct{}{}
		slots = make(chan struct{}, lim.MaxConns)
	)
	var serveErr error
	delay := 5 * time.Millisecond
	for {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		c, err := ln.Accept()
		if err != nil {
			<-slots
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
		mu.Lock()
		conns[c] = struct{}{}
		mu.Unlock()
		wg.Add(1)
		s.open.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			defer s.open.Add(-1)
			s.serveConn(ctx, c, lim)
			mu.Lock()
			delete(conns, c)
			mu.Unlock()
			c.Close()
		}()
	}
	cancel()
	mu.Lock()
	for c := range conns {
		c.Close()
	}
	mu.Unlock()
	wg.Wait()
	return serveErr
}

// deadlineWriter gives every write to the connection a deadline.
type deadlineWriter struct {
	c net.Conn
	d time.Duration
}

func (w deadlineWriter) Write(b []byte) (int, error) {
	w.c.SetWriteDeadline(time.Now().Add(w.d))
	return w.c.Write(b)
}

// session is one connection's state.
type session struct {
	srv        *Server
	ctx        context.Context
	peer       string
	bw         *bufio.Writer
	persistent bool
	sources    []string // nil: the default selection
	idle       time.Duration
	scratch    []byte
	quit       bool
}

func (s *Server) serveConn(ctx context.Context, c net.Conn, lim ServerLimits) {
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	br := bufio.NewReaderSize(c, max(lim.MaxLineLength+2, 4096))
	ss := &session{
		srv:  s,
		ctx:  ctx,
		peer: c.RemoteAddr().String(),
		bw:   bufio.NewWriterSize(deadlineWriter{c, lim.WriteTimeout}, 64<<10),
		idle: lim.IdleTimeout,
	}
	log := s.logger()
	log.Debug("irr: connection", "peer", ss.peer)
	for n := 0; n < lim.MaxQueries && !ss.quit; {
		if br.Buffered() == 0 {
			if err := ss.bw.Flush(); err != nil {
				log.Debug("irr: write", "peer", ss.peer, "err", err)
				return
			}
		}
		c.SetReadDeadline(time.Now().Add(ss.idle))
		line, err := br.ReadSlice('\n')
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
	a, err := st.cache.get(key, func() (*answer, error) {
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
	var parts []*answer
	for _, fam := range fams {
		key := answerKey{cmd: "a" + fam.String(), name: set.Name, sources: strings.Join(srcs, ",")}
		a, err := st.cache.get(key, func() (*answer, error) {
			prs, _, err := st.b.ExpandPrefixes(ss.ctx, set.Name, fam, ss.expandOptions(srcs))
			return &answer{ranges: prs}, err
		})
		if err != nil {
			ss.errReply("!a"+arg, err)
			return
		}
		parts = append(parts, a)
	}
	ss.writeAnswer(parts...)
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
