package rpki

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	rtr "github.com/bgp/stayrtr/lib"
)

// RTRVersion is an RTR protocol version a Client may offer.
type RTRVersion uint8

// Protocol versions. The zero RTRVersion means RTRv2.
const (
	RTRv0 RTRVersion = iota + 1 // RFC 6810
	RTRv1                       // RFC 8210: timers in End of Data, Router Keys
	RTRv2                       // draft-ietf-sidrops-8210bis: ASPA
)

func (v RTRVersion) wire() uint8 {
	if v == 0 || v > RTRv2 {
		return 2
	}
	return uint8(v - 1)
}

// Default timers (RFC 8210 §6), used for a version 0 cache, which sends
// none, and until the first End of Data.
const (
	DefaultRefresh = 3600 * time.Second
	DefaultRetry   = 600 * time.Second
	DefaultExpire  = 7200 * time.Second
)

// Bounds on one response, used for zero Client fields. A global data set
// is about 800,000 VRPs (24 to 32 bytes each on the wire) in 2026; the
// defaults leave room for it to more than double.
const (
	DefaultMaxVRPs          = 2_000_000
	DefaultMaxResponseBytes = 128 << 20
	DefaultResponseTimeout  = 10 * time.Minute
)

// ErrResponseLimit reports an RTR response over one of the Client's
// bounds (MaxVRPs, MaxResponseBytes, ResponseTimeout). The session is
// dropped and the response discarded; the Set published before stays.
var ErrResponseLimit = errors.New("rpki: rtr: response over limit")

// A Client fetches VRPs and ASPA records from an RTR cache (RFC 6810,
// RFC 8210, draft-ietf-sidrops-8210bis) over plain TCP and keeps them
// fresh. At each End of Data it publishes a complete new Set; readers
// never see part of an update. Data not renewed within the expire interval
// is refused with ErrStale.
//
// Set the exported fields before calling Run or Sync, and call at most
// one of them at a time. Set, Wait and Changed may be called from any
// goroutine.
type Client struct {
	// Addr is the cache's "host:port".
	Addr string

	// Version is the highest protocol version offered; the client
	// negotiates down to what the cache speaks (RFC 8210 §7). Zero means
	// RTRv2.
	Version RTRVersion

	// Refresh, Retry and Expire, when not zero, override the intervals
	// the cache sends in End of Data. Otherwise the cache's are used, or
	// the defaults above for version 0.
	Refresh, Retry, Expire time.Duration

	// DialTimeout bounds connecting; zero means 10 seconds.
	DialTimeout time.Duration

	// Dial opens the connection to Addr. Nil means a net.Dialer with
	// DialTimeout.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)

	// ReadTimeout bounds how long the cache may take to answer a query
	// and the gap between two PDUs of a response; zero means 30 seconds.
	ReadTimeout time.Duration

	// MaxVRPs bounds the records (VRPs and ASPA records) of one response
	// and the VRPs held after applying it; a cache that sends more is
	// dropped with an error wrapping ErrResponseLimit and nothing of the
	// response is used. Zero means DefaultMaxVRPs.
	MaxVRPs int

	// MaxResponseBytes bounds the bytes of one response, from Cache
	// Response to End of Data. Zero means DefaultMaxResponseBytes.
	MaxResponseBytes int64

	// ResponseTimeout bounds the time from a query to its End of Data,
	// however steadily the cache sends. Zero means DefaultResponseTimeout.
	ResponseTimeout time.Duration

	// MinBackoff is the first wait before reconnecting after a failure.
	// It doubles on each failure up to the retry interval. Zero means
	// one second.
	MinBackoff time.Duration

	// Logger receives session events; nil means silent.
	Logger *slog.Logger

	snap    atomic.Pointer[snapshot]
	mu      sync.Mutex
	changed chan struct{} // closed at the next publish
	running atomic.Bool
	st      rtrState // owned by the goroutine in Run or Sync
}

// snapshot is one published Set with what staleness needs.
type snapshot struct {
	set     *Set
	at      time.Time // the End of Data that made it, or the last one that confirmed it
	expire  time.Duration
	session uint16
	serial  uint32
	version uint8
}

// rtrState is the protocol state that outlives a connection.
type rtrState struct {
	version    uint8 // lowered by negotiation; kept across reconnects
	versionSet bool
	valid      bool // session, serial and the records are usable for a Serial Query
	session    uint16
	serial     uint32
	held       []rkey // the VRPs held, sorted; see applyChanges
	aspas      map[aspaKey][]uint32
	refresh    time.Duration
	retry      time.Duration
	expire     time.Duration
	eods       int // End of Data PDUs processed, to reset the backoff
}

type aspaKey struct {
	customer uint32
	afi      uint8
}

func (c *Client) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Set returns the latest complete Set. It fails with an error wrapping
// ErrStale when no End of Data has renewed the data within the expire
// interval, and with an error wrapping ErrNoData before the first one.
func (c *Client) Set() (*Set, error) {
	s := c.snap.Load()
	if s == nil {
		return nil, fmt.Errorf("rpki: rtr %s: %w", c.Addr, ErrNoData)
	}
	if age := time.Since(s.at); age > s.expire {
		return nil, fmt.Errorf("rpki: rtr %s: no update from the cache for %s, more than its expire interval %s: %w",
			c.Addr, age.Round(time.Second), s.expire, ErrStale)
	}
	return s.set, nil
}

// ErrNoData reports that an RTR Client has received no complete data set
// yet.
var ErrNoData = errors.New("no data received yet")

// A Session identifies the data of the latest Set, for recording which
// snapshot a filter was built from.
type Session struct {
	Version RTRVersion // as negotiated
	ID      uint16     // the cache's session ID
	Serial  uint32
	At      time.Time // the last End of Data
}

// Session describes the latest Set; ok is false before the first.
func (c *Client) Session() (s Session, ok bool) {
	p := c.snap.Load()
	if p == nil {
		return Session{}, false
	}
	return Session{Version: RTRVersion(p.version + 1), ID: p.session, Serial: p.serial, At: p.at}, true
}

// Changed returns a channel that is closed when the client next
// publishes a Set.
func (c *Client) Changed() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.changed == nil {
		c.changed = make(chan struct{})
	}
	return c.changed
}

// Wait blocks until the client holds data that is not stale, and returns
// it, or until ctx is done.
func (c *Client) Wait(ctx context.Context) (*Set, error) {
	for {
		ch := c.Changed()
		if s, err := c.Set(); err == nil {
			return s, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, fmt.Errorf("rpki: rtr %s: %w", c.Addr, context.Cause(ctx))
		}
	}
}

func (c *Client) publish(s *snapshot) {
	c.snap.Store(s)
	c.mu.Lock()
	if c.changed != nil {
		close(c.changed)
		c.changed = nil
	}
	c.mu.Unlock()
}

// Sync connects, fetches the cache's full data set with a Reset Query,
// publishes it and disconnects. It is the one-shot form of Run.
func (c *Client) Sync(ctx context.Context) (*Set, error) {
	if !c.running.CompareAndSwap(false, true) {
		return nil, errors.New("rpki: rtr: Sync or Run already running")
	}
	defer c.running.Store(false)
	c.st.valid = false
	// Negotiation may need a reconnect at a lower version.
	for range 3 {
		err := c.session(ctx, true)
		if err == nil {
			return c.Set()
		}
		if !errors.Is(err, errReconnect) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("rpki: rtr %s: version negotiation did not converge", c.Addr)
}

// Run keeps the data fresh until ctx is done: it connects, synchronises,
// sends Serial Queries on the refresh interval and on Serial Notify, and
// reconnects with backoff after failures. It returns ctx's error.
func (c *Client) Run(ctx context.Context) error {
	if !c.running.CompareAndSwap(false, true) {
		return errors.New("rpki: rtr: Sync or Run already running")
	}
	defer c.running.Store(false)
	log := c.logger()
	backoff := orDefault(c.MinBackoff, time.Second)
	for {
		eods := c.st.eods
		err := c.session(ctx, false)
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		if errors.Is(err, errReconnect) {
			continue
		}
		if c.st.eods > eods {
			// The session delivered data before it failed.
			backoff = orDefault(c.MinBackoff, time.Second)
		}
		log.Warn("rtr session ended", "cache", c.Addr, "err", err, "retry_in", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return context.Cause(ctx)
		case <-t.C:
		}
		backoff = min(2*backoff, c.retryInterval())
	}
}

func (c *Client) retryInterval() time.Duration {
	if c.Retry > 0 {
		return c.Retry
	}
	if c.st.retry > 0 {
		return c.st.retry
	}
	return DefaultRetry
}

// errReconnect asks the caller to reconnect at once: the cache asked for
// a lower protocol version.
var errReconnect = errors.New("rpki: rtr: reconnecting at a lower protocol version")

// conn is one TCP session with the cache.
type conn struct {
	c          *Client
	ctx        context.Context
	nc         net.Conn
	br         *bufio.Reader
	buf        []byte
	negotiated bool
	waiting    bool   // a query is outstanding
	reset      bool   // the outstanding query is a Reset Query
	inResponse bool   // between Cache Response and End of Data
	adds, dels []rkey // the changes of the response in progress
	lastRead   time.Time
	nextQuery  time.Time
	queryAt    time.Time // when the outstanding query was sent
	respBytes  int64     // bytes of the response in progress
	respItems  int       // records of the response in progress
}

// session runs one connection. With once it returns nil after the first
// End of Data.
func (c *Client) session(ctx context.Context, once bool) (err error) {
	st := &c.st
	if !st.versionSet {
		st.version, st.versionSet = c.Version.wire(), true
	}
	dial := c.Dial
	if dial == nil {
		dial = (&net.Dialer{Timeout: orDefault(c.DialTimeout, 10*time.Second)}).DialContext
	}
	nc, err := dial(ctx, "tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("rpki: rtr: %w", err)
	}
	defer nc.Close()
	stop := context.AfterFunc(ctx, func() { nc.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	s := &conn{c: c, ctx: ctx, nc: nc, br: bufio.NewReaderSize(nc, 64<<10), buf: make([]byte, 0, 64)}
	defer func() {
		if s.inResponse {
			// A response was cut short. Its prefix changes were only staged,
			// but a Reset response has already replaced the session ID and
			// ASPA changes apply as they come, so start over with a Reset
			// Query. The published Set is untouched either way.
			st.valid = false
		}
		var pe *pduError
		if errors.As(err, &pe) {
			st.valid = false
			err = &RTRError{Code: pe.code, Text: pe.text, Sent: true}
		}
		if err != nil && ctx.Err() != nil {
			err = context.Cause(ctx)
		}
	}()
	c.logger().Debug("rtr connected", "cache", c.Addr, "version", st.version)
	if err := s.query(); err != nil {
		return err
	}
	for {
		if !s.waiting {
			// Idle: wait for a Serial Notify until the next query is due.
			if err := s.deadline(s.nextQuery); err != nil {
				return err
			}
			if _, err := s.br.Peek(1); err != nil {
				if isTimeout(err) && ctx.Err() == nil {
					if err := s.query(); err != nil {
						return err
					}
					continue
				}
				return s.readErr(err)
			}
		}
		// The read deadline bounds the gap between PDUs. Moving it for each
		// of 800,000 PDUs costs more than the decoding, so it moves only
		// when a quarter of it has passed.
		if timeout := orDefault(c.ReadTimeout, 30*time.Second); s.waiting && time.Since(s.lastRead) > timeout/4 || !s.waiting {
			s.lastRead = time.Now()
			d := s.lastRead.Add(timeout)
			if s.waiting {
				// The whole response, not only each gap, is bounded.
				d = minTime(d, s.queryAt.Add(orDefault(c.ResponseTimeout, DefaultResponseTimeout)))
			}
			if err := s.deadline(d); err != nil {
				return err
			}
		}
		raw, err := readPDU(s.br, s.buf)
		if err != nil {
			var pe *pduError
			if errors.As(err, &pe) {
				return s.fail(pe, raw)
			}
			return s.readErr(err)
		}
		s.buf = raw[:0]
		if s.inResponse {
			if s.respBytes += int64(len(raw)); s.respBytes > orDefault64(c.MaxResponseBytes, DefaultMaxResponseBytes) {
				return fmt.Errorf("rpki: rtr %s: response larger than %d bytes without End of Data (Client.MaxResponseBytes): %w",
					c.Addr, orDefault64(c.MaxResponseBytes, DefaultMaxResponseBytes), ErrResponseLimit)
			}
		}
		done, err := s.handle(raw)
		if err != nil {
			var pe *pduError
			if errors.As(err, &pe) {
				return s.fail(pe, raw)
			}
			return err
		}
		if done && once {
			return nil
		}
	}
}

func orDefault64(n, def int64) int64 {
	if n > 0 {
		return n
	}
	return def
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func (c *Client) maxVRPs() int {
	if c.MaxVRPs > 0 {
		return c.MaxVRPs
	}
	return DefaultMaxVRPs
}

// count adds one record to the response in progress and fails past
// MaxVRPs.
func (s *conn) count() error {
	if s.respItems++; s.respItems > s.c.maxVRPs() {
		return fmt.Errorf("rpki: rtr %s: response with more than %d records (Client.MaxVRPs): %w",
			s.c.Addr, s.c.maxVRPs(), ErrResponseLimit)
	}
	return nil
}

func isTimeout(err error) bool {
	return errors.Is(err, os.ErrDeadlineExceeded)
}

func (s *conn) readErr(err error) error {
	if s.ctx.Err() != nil {
		return context.Cause(s.ctx)
	}
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errUnexpectedEOF
	case isTimeout(err):
		if rt := orDefault(s.c.ResponseTimeout, DefaultResponseTimeout); s.waiting && !time.Now().Before(s.queryAt.Add(rt)) {
			return fmt.Errorf("rpki: rtr %s: no End of Data within %s of the query (Client.ResponseTimeout): %w",
				s.c.Addr, rt, ErrResponseLimit)
		}
		return fmt.Errorf("rpki: rtr %s: no answer within %s", s.c.Addr, orDefault(s.c.ReadTimeout, 30*time.Second))
	}
	return fmt.Errorf("rpki: rtr: %w", err)
}

// deadline sets the read deadline. The check of ctx afterwards makes sure
// a cancellation that set a past deadline is not overwritten.
func (s *conn) deadline(t time.Time) error {
	if err := s.nc.SetReadDeadline(t); err != nil {
		return err
	}
	if s.ctx.Err() != nil {
		return context.Cause(s.ctx)
	}
	return nil
}

func (s *conn) write(b []byte) error {
	if err := s.nc.SetWriteDeadline(time.Now().Add(orDefault(s.c.ReadTimeout, 30*time.Second))); err != nil {
		return err
	}
	if s.ctx.Err() != nil {
		return context.Cause(s.ctx)
	}
	if _, err := s.nc.Write(b); err != nil {
		if s.ctx.Err() != nil {
			return context.Cause(s.ctx)
		}
		return fmt.Errorf("rpki: rtr: %w", err)
	}
	return nil
}

// fail reports a protocol violation to the cache and ends the session.
func (s *conn) fail(pe *pduError, offending []byte) error {
	s.c.logger().Warn("rtr protocol error", "cache", s.c.Addr, "code", pe.code, "err", pe.text)
	_ = s.write(errorReport(s.c.st.version, pe, offending)) // best effort: the session is over anyway
	return pe
}

// query sends a Serial Query when the records are usable, else a Reset
// Query.
func (s *conn) query() error {
	st := &s.c.st
	var pdu rtr.PDU
	if st.valid {
		pdu = &rtr.PDUSerialQuery{Version: st.version, SessionId: st.session, SerialNumber: st.serial}
		s.reset = false
	} else {
		pdu = &rtr.PDUResetQuery{Version: st.version}
		s.reset = true
	}
	s.waiting = true
	s.queryAt = time.Now()
	s.lastRead = time.Time{} // the next read sets a fresh deadline
	return s.write(pdu.Bytes())
}

// handle processes one PDU. done reports an End of Data.
func (s *conn) handle(raw []byte) (done bool, err error) {
	st := &s.c.st
	version, typ := raw[0], raw[1]
	if !s.negotiated {
		switch {
		case typ == rtr.PDU_ID_SERIAL_NOTIFY:
			// Not an answer to our query; it says nothing about versions.
			return false, nil
		case version > st.version:
			return false, &pduError{code: ErrCodeUnsupportedVersion, text: fmt.Sprintf("cache answered version %d to a version %d query", version, st.version)}
		case version < st.version:
			// RFC 8210 §7: the cache speaks only a lower version.
			if typ != rtr.PDU_ID_CACHE_RESPONSE && typ != rtr.PDU_ID_CACHE_RESET && typ != rtr.PDU_ID_ERROR_REPORT {
				return false, &pduError{code: ErrCodeUnexpectedVersion, text: fmt.Sprintf("PDU type %d of version %d during negotiation", typ, version)}
			}
			s.c.logger().Info("rtr version downgrade", "cache", s.c.Addr, "from", st.version, "to", version)
			st.version = version
			st.valid = false // session IDs are per version
			if typ == rtr.PDU_ID_ERROR_REPORT && len(raw) >= 4 && uint16(raw[2])<<8|uint16(raw[3]) == ErrCodeUnsupportedVersion {
				return false, errReconnect
			}
			if typ == rtr.PDU_ID_CACHE_RESPONSE && !s.reset {
				// The answer to a Serial Query of another version is of no use.
				return false, errReconnect
			}
		}
		s.negotiated = true
	} else if version != st.version {
		return false, &pduError{code: ErrCodeUnexpectedVersion, text: fmt.Sprintf("PDU version %d in a version %d session", version, st.version)}
	}

	if typ == rtr.PDU_ID_IPV4_PREFIX || typ == rtr.PDU_ID_IPV6_PREFIX {
		return false, s.prefix(raw)
	}
	p, err := decodePDU(raw)
	if err != nil {
		return false, err
	}
	switch p := p.(type) {
	case *rtr.PDUSerialNotify:
		if !s.waiting && (!st.valid || p.SessionId != st.session || p.SerialNumber != st.serial) {
			if st.valid && p.SessionId != st.session {
				st.valid = false
			}
			return false, s.query()
		}
	case *rtr.PDUCacheResponse:
		if !s.waiting || s.inResponse {
			return false, corrupt("unexpected Cache Response")
		}
		if s.reset {
			st.session = p.SessionId
			st.held = nil
			st.aspas = make(map[aspaKey][]uint32)
		} else if p.SessionId != st.session {
			return false, corrupt("Cache Response for session %d, expected %d", p.SessionId, st.session)
		}
		s.inResponse = true
		s.adds, s.dels = s.adds[:0], s.dels[:0]
		s.respBytes, s.respItems = int64(len(raw)), 0
	case *rtr.PDURouterKey:
		if !s.inResponse {
			return false, corrupt("Router Key outside a response")
		}
	case *aspaPDU:
		return false, s.aspa(p)
	case *rtr.PDUEndOfData:
		return true, s.endOfData(p)
	case *rtr.PDUCacheReset:
		if !s.waiting || s.reset || s.inResponse {
			return false, corrupt("unexpected Cache Reset")
		}
		st.valid = false
		return false, s.query()
	case *rtr.PDUErrorReport:
		s.inResponse = false
		text := strings.TrimRight(p.ErrorMsg, "\x00")
		if p.ErrorCode == ErrCodeNoData && s.waiting {
			// Not fatal: ask again after the retry interval.
			s.waiting = false
			s.nextQuery = time.Now().Add(s.c.retryInterval())
			if s.c.snap.Load() == nil {
				// Nothing to serve from yet: report it when syncing once.
				return false, &RTRError{Code: p.ErrorCode, Text: text}
			}
			return false, nil
		}
		st.valid = false
		return false, &RTRError{Code: p.ErrorCode, Text: text}
	}
	return false, nil
}

// prefix stages an announcement or withdrawal; End of Data applies
// them. Unknown withdrawals and duplicate announcements are fatal (RFC
// 8210 §5.6) and found there.
func (s *conn) prefix(raw []byte) error {
	if !s.inResponse {
		return corrupt("prefix PDU outside a response")
	}
	k, announce, err := decodePrefix(raw)
	if err != nil {
		return err
	}
	if err := s.count(); err != nil {
		return err
	}
	if announce {
		s.adds = append(s.adds, k)
	} else {
		s.dels = append(s.dels, k)
	}
	return nil
}

func (s *conn) aspa(p *aspaPDU) error {
	st := &s.c.st
	if !s.inResponse {
		return corrupt("ASPA PDU outside a response")
	}
	if p.version < 2 {
		return &pduError{code: ErrCodeUnexpectedVersion, text: "ASPA PDU in a version " + fmt.Sprint(p.version) + " session"}
	}
	if err := s.count(); err != nil {
		return err
	}
	k := aspaKey{p.customer, p.afi}
	if p.announce {
		// An announcement replaces the customer's provider set.
		st.aspas[k] = slices.Clone(p.providers)
		return nil
	}
	if _, ok := st.aspas[k]; !ok {
		return &pduError{code: ErrCodeWithdrawUnknown, text: fmt.Sprintf("withdrawal of unknown ASPA for AS%d", p.customer)}
	}
	delete(st.aspas, k)
	return nil
}

// checkTimers applies RFC 8210 §6's ranges to End of Data timers.
func checkTimers(refresh, retry, expire uint32) error {
	switch {
	case refresh < 1 || refresh > 86400:
		return corrupt("refresh interval %d out of range 1-86400", refresh)
	case retry < 1 || retry > 7200:
		return corrupt("retry interval %d out of range 1-7200", retry)
	case expire < 600 || expire > 172800:
		return corrupt("expire interval %d out of range 600-172800", expire)
	case expire <= refresh || expire <= retry:
		return corrupt("expire interval %d not larger than refresh %d and retry %d", expire, refresh, retry)
	}
	return nil
}

func (s *conn) endOfData(p *rtr.PDUEndOfData) error {
	st := &s.c.st
	if !s.inResponse {
		return corrupt("End of Data outside a response")
	}
	if p.SessionId != st.session {
		return corrupt("End of Data for session %d, expected %d", p.SessionId, st.session)
	}
	refresh, retry, expire := DefaultRefresh, DefaultRetry, DefaultExpire
	if p.Version >= 1 {
		if err := checkTimers(p.RefreshInterval, p.RetryInterval, p.ExpireInterval); err != nil {
			return err
		}
		sec := func(n uint32) time.Duration { return time.Duration(n) * time.Second }
		refresh, retry, expire = sec(p.RefreshInterval), sec(p.RetryInterval), sec(p.ExpireInterval)
	}
	held, err := applyChanges(st.held, s.adds, s.dels)
	if err != nil {
		return err
	}
	if len(held)+len(st.aspas) > s.c.maxVRPs() {
		return fmt.Errorf("rpki: rtr %s: %d records held after End of Data, more than %d (Client.MaxVRPs): %w",
			s.c.Addr, len(held)+len(st.aspas), s.c.maxVRPs(), ErrResponseLimit)
	}
	st.held = held
	s.adds, s.dels = nil, nil
	st.refresh = orDefault(s.c.Refresh, refresh)
	st.retry = orDefault(s.c.Retry, retry)
	st.expire = orDefault(s.c.Expire, expire)
	s.inResponse, s.waiting = false, false
	s.nextQuery = time.Now().Add(st.refresh)

	changed := s.reset || p.SerialNumber != st.serial
	st.serial, st.valid = p.SerialNumber, true
	st.eods++
	now := time.Now()
	prev := s.c.snap.Load()
	set := (*Set)(nil)
	if prev != nil && !changed {
		set = prev.set // nothing new: confirm the data and keep the same Set
	} else {
		set = s.buildSet(now)
	}
	s.c.publish(&snapshot{set: set, at: now, expire: st.expire, session: st.session, serial: st.serial, version: st.version})
	s.c.logger().Info("rtr end of data", "cache", s.c.Addr, "session", st.session, "serial", st.serial,
		"vrps", set.Len(), "aspas", len(set.aspa))
	return nil
}

func (s *conn) buildSet(now time.Time) *Set {
	st := &s.c.st
	vrps := make([]VRP, len(st.held))
	for i, k := range st.held {
		vrps[i] = k.vrp()
	}
	aspas := make([]ASPA, 0, len(st.aspas))
	for k, p := range st.aspas {
		aspas = append(aspas, ASPA{Customer: k.customer, Providers: slices.Clone(p)})
	}
	return newSet(vrps, aspas, now)
}
