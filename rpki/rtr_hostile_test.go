package rpki_test

import (
	"context"
	"encoding/binary"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	rtr "github.com/bgp/stayrtr/lib"

	"github.com/filtergen/filtergen/rpki"
)

// floodCache answers the Reset Query with a Cache Response and then
// next(i) for i = 0, 1, ... until the client hangs up or limit PDUs
// were sent, with no End of Data.
func floodCache(limit int, next func(i int) []byte) func(*peer) {
	return func(p *peer) {
		if _, err := p.recv(); err != nil {
			p.t.Errorf("fake cache: %v", err)
			return
		}
		p.nc.SetWriteDeadline(time.Now().Add(20 * time.Second))
		if _, err := p.nc.Write(cacheResponse(1)); err != nil {
			return
		}
		buf := make([]byte, 0, 64<<10)
		for i := range limit {
			buf = append(buf, next(i)...)
			if len(buf) >= 60<<10 {
				if _, err := p.nc.Write(buf); err != nil {
					return // the client gave up: what the test wants
				}
				buf = buf[:0]
			}
		}
	}
}

// v4Prefix returns a distinct IPv4 prefix PDU for each i.
func v4Prefix(i int) []byte {
	b := make([]byte, 20)
	b[0], b[1] = 1, rtr.PDU_ID_IPV4_PREFIX
	binary.BigEndian.PutUint32(b[4:], 20)
	b[8] = 1 // announce
	b[9], b[10] = 32, 32
	binary.BigEndian.PutUint32(b[12:], uint32(i))
	binary.BigEndian.PutUint32(b[16:], 64500)
	return b
}

// allocDuring returns the bytes allocated while f ran.
func allocDuring(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestRTRResponseBounds: a cache that streams a response and never ends
// it is dropped with ErrResponseLimit once the response passes the
// client's record, byte or time bound, with the memory used bounded.
func TestRTRResponseBounds(t *testing.T) {
	serialNotify := (&rtr.PDUSerialNotify{Version: 1, SessionId: sess, SerialNumber: 1}).Bytes()
	tests := []struct {
		name     string
		client   func() *rpki.Client
		cache    func(*peer)
		want     string
		maxAlloc uint64
	}{
		{
			name:   "prefixes without end",
			client: func() *rpki.Client { return &rpki.Client{MaxVRPs: 50_000} },
			// Unbounded, the client grows by about 100 MB a second here.
			cache:    floodCache(5_000_000, v4Prefix),
			want:     "more than 50000 records",
			maxAlloc: 32 << 20,
		},
		{
			name:     "bytes without records",
			client:   func() *rpki.Client { return &rpki.Client{MaxResponseBytes: 1 << 20} },
			cache:    floodCache(5_000_000, func(int) []byte { return serialNotify }),
			want:     "larger than 1048576 bytes",
			maxAlloc: 32 << 20,
		},
		// A slow drip past ResponseTimeout: TestRTRTimeoutsSynctest.
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.client()
			c.Addr = fakeCache(t, tt.cache)
			c.ReadTimeout = 5 * time.Second
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var err error
			var s *rpki.Set
			alloc := allocDuring(func() { s, err = c.Sync(ctx) })
			if s != nil || !errors.Is(err, rpki.ErrResponseLimit) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Sync = %v, %v; want ErrResponseLimit with %q", s, err, tt.want)
			}
			if alloc > tt.maxAlloc {
				t.Errorf("Sync allocated %d MB, want at most %d MB", alloc>>20, tt.maxAlloc>>20)
			}
			if _, err := c.Set(); !errors.Is(err, rpki.ErrNoData) {
				t.Errorf("Set after a refused response: %v, want ErrNoData", err)
			}
		})
	}
}
