package rpki_test

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	rtr "github.com/bgp/stayrtr/lib"

	"github.com/filtergen/filtergen/rpki"
)

// peer is one connection to the fake cache, seen from the cache.
type peer struct {
	t  *testing.T
	nc net.Conn
}

// recv reads one PDU the client sent.
func (p *peer) recv() (rtr.PDU, error) {
	p.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	return rtr.Decode(p.nc)
}

func (p *peer) send(pdus ...[]byte) {
	for _, b := range pdus {
		if _, err := p.nc.Write(b); err != nil {
			p.t.Logf("fake cache write: %v", err)
			return
		}
	}
}

// fakeCache serves each connection with the next script, on 127.0.0.1.
func fakeCache(t *testing.T, scripts ...func(p *peer)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, script := range scripts {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer nc.Close()
				script(&peer{t: t, nc: nc})
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	return ln.Addr().String()
}

const sess = 0x1234

func cacheResponse(v uint8) []byte {
	return (&rtr.PDUCacheResponse{Version: v, SessionId: sess}).Bytes()
}

func prefixPDU(v uint8, p string, maxLen uint8, as uint32, announce bool) []byte {
	pfx := netip.MustParsePrefix(p)
	var flags uint8
	if announce {
		flags = 1
	}
	if pfx.Addr().Is4() {
		return (&rtr.PDUIPv4Prefix{Version: v, Prefix: pfx, MaxLen: maxLen, ASN: as, Flags: flags}).Bytes()
	}
	return (&rtr.PDUIPv6Prefix{Version: v, Prefix: pfx, MaxLen: maxLen, ASN: as, Flags: flags}).Bytes()
}

func endOfData(v uint8, serial uint32) []byte {
	return (&rtr.PDUEndOfData{Version: v, SessionId: sess, SerialNumber: serial,
		RefreshInterval: 3600, RetryInterval: 600, ExpireInterval: 7200}).Bytes()
}

func errorPDU(v uint8, code uint16, text string) []byte {
	return (&rtr.PDUErrorReport{Version: v, ErrorCode: code, ErrorMsg: text}).Bytes()
}

func aspaPDU(v uint8, announce bool, customer uint32, providers ...uint32) []byte {
	b := make([]byte, 12+4*len(providers))
	b[0], b[1] = v, 11
	if announce {
		b[2] = 1
	}
	binary.BigEndian.PutUint32(b[4:], uint32(len(b)))
	binary.BigEndian.PutUint32(b[8:], customer)
	for i, p := range providers {
		binary.BigEndian.PutUint32(b[12+4*i:], p)
	}
	return b
}

// answerReset expects a Reset Query of version v and sends pdus.
func answerReset(v uint8, pdus ...[]byte) func(*peer) {
	return func(p *peer) {
		q, err := p.recv()
		if err != nil {
			p.t.Errorf("fake cache: %v", err)
			return
		}
		if _, ok := q.(*rtr.PDUResetQuery); !ok || q.GetVersion() != v {
			p.t.Errorf("fake cache got %v, want a version %d Reset Query", q, v)
			return
		}
		p.send(pdus...)
		// Hold the connection until the client is done with it.
		p.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		io.Copy(io.Discard, p.nc)
	}
}

// errorReportFrom expects an Error Report from the client after pdus.
func expectErrorReport(code uint16, v uint8, pdus ...[]byte) (func(*peer), *rtr.PDUErrorReport) {
	got := new(rtr.PDUErrorReport)
	return func(p *peer) {
		if _, err := p.recv(); err != nil {
			p.t.Errorf("fake cache: %v", err)
			return
		}
		p.send(pdus...)
		pdu, err := p.recv()
		if err != nil {
			p.t.Errorf("fake cache: no Error Report from the client: %v", err)
			return
		}
		er, ok := pdu.(*rtr.PDUErrorReport)
		if !ok {
			p.t.Errorf("fake cache: got %v, want an Error Report", pdu)
			return
		}
		*got = *er
		if er.ErrorCode != code || er.Version != v {
			p.t.Errorf("client sent Error Report code %d version %d, want code %d version %d", er.ErrorCode, er.Version, code, v)
		}
	}, got
}

func syncClient(t *testing.T, addr string, v rpki.RTRVersion) (*rpki.Set, error) {
	t.Helper()
	c := &rpki.Client{Addr: addr, Version: v, ReadTimeout: 2 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return c.Sync(ctx)
}

func TestRTRProtocolErrors(t *testing.T) {
	ok4 := prefixPDU(1, "192.0.2.0/24", 24, 64500, true)
	badLen := []byte{1, 4, 0, 0, 0, 0, 0, 4}
	tests := []struct {
		name string
		code uint16
		pdus [][]byte
	}{
		// Changes are applied, and checked, at End of Data.
		{"duplicate announcement", rpki.ErrCodeDuplicateAnnounce, [][]byte{cacheResponse(1), ok4, ok4, endOfData(1, 1)}},
		{"withdrawal of unknown record", rpki.ErrCodeWithdrawUnknown, [][]byte{cacheResponse(1), prefixPDU(1, "192.0.2.0/24", 24, 64500, false), endOfData(1, 1)}},
		{"length below header", rpki.ErrCodeCorruptData, [][]byte{cacheResponse(1), badLen}},
		{"max length shorter than prefix", rpki.ErrCodeCorruptData, [][]byte{cacheResponse(1), prefixPDU(1, "192.0.2.0/24", 20, 64500, true)}},
		{"max length beyond family", rpki.ErrCodeCorruptData, [][]byte{cacheResponse(1), prefixPDU(1, "192.0.2.0/24", 33, 64500, true)}},
		{"host bits", rpki.ErrCodeCorruptData, [][]byte{cacheResponse(1), prefixPDU(1, "192.0.2.1/24", 24, 64500, true)}},
		{"prefix before cache response", rpki.ErrCodeCorruptData, [][]byte{ok4}},
		{"unsupported PDU type", rpki.ErrCodeUnsupportedPDU, [][]byte{cacheResponse(1), {1, 5, 0, 0, 0, 0, 0, 8}}},
		{"version above the offer", rpki.ErrCodeUnsupportedVersion, [][]byte{cacheResponse(2)}},
		{"version change mid-session", rpki.ErrCodeUnexpectedVersion, [][]byte{cacheResponse(1), prefixPDU(0, "192.0.2.0/24", 24, 64500, true)}},
		{"ASPA in a version 1 session", rpki.ErrCodeUnexpectedVersion, [][]byte{cacheResponse(1), aspaPDU(1, true, 64500, 64501)}},
		{"expire out of range", rpki.ErrCodeCorruptData, [][]byte{cacheResponse(1), ok4,
			(&rtr.PDUEndOfData{Version: 1, SessionId: sess, SerialNumber: 1, RefreshInterval: 1, RetryInterval: 1, ExpireInterval: 5}).Bytes()}},
		{"expire not above refresh", rpki.ErrCodeCorruptData, [][]byte{cacheResponse(1), ok4,
			(&rtr.PDUEndOfData{Version: 1, SessionId: sess, SerialNumber: 1, RefreshInterval: 3600, RetryInterval: 600, ExpireInterval: 3600}).Bytes()}},
		{"End of Data of another session", rpki.ErrCodeCorruptData, [][]byte{cacheResponse(1), ok4,
			(&rtr.PDUEndOfData{Version: 1, SessionId: sess + 1, SerialNumber: 1, RefreshInterval: 3600, RetryInterval: 600, ExpireInterval: 7200}).Bytes()}},
		{"short End of Data in version 1", rpki.ErrCodeCorruptData, [][]byte{cacheResponse(1), ok4, endOfData(0, 1)[:0:0],
			func() []byte { b := endOfData(0, 1); b[0] = 1; return b }()}},
		{"Cache Reset answering a Reset Query", rpki.ErrCodeCorruptData, [][]byte{(&rtr.PDUCacheReset{Version: 1}).Bytes()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			script, _ := expectErrorReport(tt.code, 1, tt.pdus...)
			addr := fakeCache(t, script)
			s, err := syncClient(t, addr, rpki.RTRv1)
			var re *rpki.RTRError
			if s != nil || !errors.As(err, &re) || re.Code != tt.code || !re.Sent {
				t.Fatalf("Sync = %v, %v; want an RTRError code %d sent by the client", s, err, tt.code)
			}
		})
	}
}

func TestRTRCacheErrorReports(t *testing.T) {
	tests := []struct {
		name string
		pdu  []byte
		code uint16
		text string
	}{
		{"no data", errorPDU(1, rpki.ErrCodeNoData, "No data available"), rpki.ErrCodeNoData, "No data available"},
		{"internal error", errorPDU(1, rpki.ErrCodeInternalError, "boom"), rpki.ErrCodeInternalError, "boom"},
		{"no text", errorPDU(1, rpki.ErrCodeInvalidRequest, ""), rpki.ErrCodeInvalidRequest, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := fakeCache(t, func(p *peer) {
				p.recv()
				p.send(tt.pdu)
				// A router never answers an Error Report with one.
				p.nc.SetReadDeadline(time.Now().Add(time.Second))
				if pdu, err := rtr.Decode(p.nc); err == nil {
					t.Errorf("client answered the Error Report with %v", pdu)
				}
			})
			_, err := syncClient(t, addr, rpki.RTRv1)
			var re *rpki.RTRError
			if !errors.As(err, &re) || re.Code != tt.code || re.Text != tt.text || re.Sent {
				t.Fatalf("Sync error %#v, want code %d text %q from the cache", err, tt.code, tt.text)
			}
		})
	}
}

func TestRTRNegotiation(t *testing.T) {
	t.Run("error 4 then reconnect at version 0", func(t *testing.T) {
		addr := fakeCache(t,
			func(p *peer) { p.recv(); p.send(errorPDU(0, rpki.ErrCodeUnsupportedVersion, "only v0")) },
			answerReset(0, cacheResponse(0), prefixPDU(0, "192.0.2.0/24", 24, 64500, true), endOfData(0, 7)[:12]),
		)
		c := &rpki.Client{Addr: addr, ReadTimeout: 2 * time.Second}
		s, err := c.Sync(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if sess, _ := c.Session(); sess.Version != rpki.RTRv0 || sess.Serial != 7 || sess.ID != sess.ID {
			t.Errorf("session %+v, want version 0 serial 7", sess)
		}
		if s.Len() != 1 {
			t.Errorf("Len = %d", s.Len())
		}
	})
	t.Run("answer at version 1 to a version 2 query", func(t *testing.T) {
		addr := fakeCache(t, answerReset(2, cacheResponse(1), prefixPDU(1, "192.0.2.0/24", 24, 64500, true), endOfData(1, 1)))
		c := &rpki.Client{Addr: addr, ReadTimeout: 2 * time.Second}
		if _, err := c.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
		if sess, _ := c.Session(); sess.Version != rpki.RTRv1 {
			t.Errorf("version %d, want 1", sess.Version-1)
		}
	})
}

func TestRTRASPAVersion2(t *testing.T) {
	addr := fakeCache(t, answerReset(2, cacheResponse(2),
		prefixPDU(2, "192.0.2.0/24", 24, 64500, true),
		aspaPDU(2, true, 64500, 64501, 64502),
		aspaPDU(2, true, 64510, 64511),
		aspaPDU(2, true, 64500, 64503), // replaces the first
		aspaPDU(2, true, 64520),        // transit-free
		endOfData(2, 1)))
	s, err := syncClient(t, addr, rpki.RTRv2)
	if err != nil {
		t.Fatal(err)
	}
	got := slices.Collect(s.ASPAs())
	want := []rpki.ASPA{{Customer: 64500, Providers: []uint32{64503}}, {Customer: 64510, Providers: []uint32{64511}}, {Customer: 64520, Providers: []uint32{0}}}
	if !slices.EqualFunc(got, want, func(a, b rpki.ASPA) bool { return a.Customer == b.Customer && slices.Equal(a.Providers, b.Providers) }) {
		t.Errorf("ASPAs = %v, want %v", got, want)
	}
}

func TestRTRTimeoutsAndCancel(t *testing.T) {
	// A stalled cache and a cancel: TestRTRTimeoutsSynctest, in fake time.
	t.Run("truncated response", func(t *testing.T) {
		addr := fakeCache(t, func(p *peer) {
			p.recv()
			p.send(cacheResponse(1), prefixPDU(1, "192.0.2.0/24", 24, 64500, true)[:13])
		})
		s, err := syncClient(t, addr, rpki.RTRv1)
		if s != nil || err == nil {
			t.Fatalf("Sync = %v, %v; want an error", s, err)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		c := &rpki.Client{Addr: freePort(t)}
		if _, err := c.Sync(context.Background()); err == nil {
			t.Fatal("Sync to a closed port succeeded")
		}
		if _, err := c.Set(); !errors.Is(err, rpki.ErrNoData) {
			t.Errorf("Set before any data: %v, want ErrNoData", err)
		}
	})
}

// TestRTRIncremental drives Run through Serial Notify, an incremental
// update, and a Cache Reset answered by a full reload.
func TestRTRIncremental(t *testing.T) {
	const v = 1
	step := make(chan string, 10)
	addr := fakeCache(t, func(p *peer) {
		q, _ := p.recv()
		if _, ok := q.(*rtr.PDUResetQuery); !ok {
			t.Errorf("first query %v", q)
			return
		}
		p.send(cacheResponse(v), prefixPDU(v, "192.0.2.0/24", 24, 64500, true),
			prefixPDU(v, "2001:db8::/32", 48, 64501, true), endOfData(v, 10))
		p.send((&rtr.PDUSerialNotify{Version: v, SessionId: sess, SerialNumber: 11}).Bytes())
		q, _ = p.recv()
		if sq, ok := q.(*rtr.PDUSerialQuery); !ok || sq.SessionId != sess || sq.SerialNumber != 10 {
			t.Errorf("after Serial Notify: %v, want Serial Query for serial 10", q)
			return
		}
		// The update: one withdrawal, one announcement.
		p.send(cacheResponse(v), prefixPDU(v, "192.0.2.0/24", 24, 64500, false),
			prefixPDU(v, "198.51.100.0/24", 24, 64502, true), endOfData(v, 11))
		<-step // the test saw serial 11
		p.send((&rtr.PDUSerialNotify{Version: v, SessionId: sess, SerialNumber: 12}).Bytes())
		q, _ = p.recv()
		if sq, ok := q.(*rtr.PDUSerialQuery); !ok || sq.SerialNumber != 11 {
			t.Errorf("second Serial Query %v", q)
			return
		}
		p.send((&rtr.PDUCacheReset{Version: v}).Bytes())
		q, _ = p.recv()
		if _, ok := q.(*rtr.PDUResetQuery); !ok {
			t.Errorf("after Cache Reset: %v, want Reset Query", q)
			return
		}
		p.send(cacheResponse(v), prefixPDU(v, "203.0.113.0/24", 24, 64503, true), endOfData(v, 20))
		p.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		io.Copy(io.Discard, p.nc)
	})
	c := &rpki.Client{Addr: addr, ReadTimeout: 2 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()

	// Readers race with the updates: every Set they see must be one of
	// the three complete states, never a half-applied response.
	complete := [][]rpki.VRP{
		{vrp("192.0.2.0/24", 24, 64500), vrp("2001:db8::/32", 48, 64501)},
		{vrp("198.51.100.0/24", 24, 64502), vrp("2001:db8::/32", 48, 64501)},
		{vrp("203.0.113.0/24", 24, 64503)},
	}
	readerStop := make(chan struct{})
	var readers sync.WaitGroup
	var observed atomic.Int64
	for range 4 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-readerStop:
					return
				default:
				}
				s, err := c.Set()
				if err != nil {
					continue
				}
				got := slices.Collect(s.VRPs())
				i := slices.IndexFunc(complete, func(w []rpki.VRP) bool { return slices.Equal(w, got) })
				if i < 0 {
					t.Errorf("reader saw a Set that is no complete state: %v", got)
					return
				}
				observed.Add(1)
				s.Validate(netip.MustParsePrefix("192.0.2.0/25"), 64500)
			}
		}()
	}
	defer func() {
		close(readerStop)
		readers.Wait()
		cancel()
		<-done
		if observed.Load() == 0 {
			t.Error("the readers never observed a Set")
		}
	}()
	waitSerial := func(serial uint32) *rpki.Set {
		t.Helper()
		for {
			ch := c.Changed()
			if sess, ok := c.Session(); ok && sess.Serial == serial {
				s, err := c.Set()
				if err != nil {
					t.Fatal(err)
				}
				return s
			}
			select {
			case <-ch:
			case <-ctx.Done():
				t.Fatalf("serial %d never arrived", serial)
			}
		}
	}
	s10 := waitSerial(10)
	s11 := waitSerial(11)
	want11 := []rpki.VRP{vrp("198.51.100.0/24", 24, 64502), vrp("2001:db8::/32", 48, 64501)}
	if got := slices.Collect(s11.VRPs()); !slices.Equal(got, want11) {
		t.Errorf("after serial 11: %v, want %v", got, want11)
	}
	if s10.Len() != 2 || slices.Collect(s10.VRPs())[0] != vrp("192.0.2.0/24", 24, 64500) {
		t.Errorf("the serial 10 Set changed after publication: %v", slices.Collect(s10.VRPs()))
	}
	step <- "go"
	s20 := waitSerial(20)
	if got := slices.Collect(s20.VRPs()); !slices.Equal(got, []rpki.VRP{vrp("203.0.113.0/24", 24, 64503)}) {
		t.Errorf("after the reset: %v", got)
	}
}
