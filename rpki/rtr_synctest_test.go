package rpki_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/filtergen/filtergen/rpki"
)

// pipeCache is fakeCache over in-memory pipes, for synctest bubbles: it
// returns a Dial func serving each connection with the next script.
func pipeCache(t *testing.T, scripts ...func(p *peer)) func(context.Context, string, string) (net.Conn, error) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	t.Cleanup(wg.Wait)
	return func(context.Context, string, string) (net.Conn, error) {
		mu.Lock()
		defer mu.Unlock()
		if len(scripts) == 0 {
			return nil, errors.New("fake cache: no more connections")
		}
		script := scripts[0]
		scripts = scripts[1:]
		client, server := net.Pipe()
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer server.Close()
			script(&peer{t: t, nc: server})
		}()
		return client, nil
	}
}

// TestRTRTimeoutsSynctest: a stalled cache, a cancelled context and a
// cache that drips a response without End of Data end the session at the
// exact time their bound says, in fake time.
func TestRTRTimeoutsSynctest(t *testing.T) {
	stall := func(p *peer) {
		p.recv()
		p.nc.SetReadDeadline(time.Now().Add(time.Hour))
		io.Copy(io.Discard, p.nc)
	}
	t.Run("stalled cache", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			c := &rpki.Client{Addr: "pipe", Dial: pipeCache(t, stall), ReadTimeout: 200 * time.Millisecond}
			start := time.Now()
			_, err := c.Sync(context.Background())
			if err == nil || !strings.Contains(err.Error(), "no answer within 200ms") {
				t.Fatalf("Sync = %v, want a read timeout", err)
			}
			if d := time.Since(start); d != 200*time.Millisecond {
				t.Errorf("gave up after %v, want exactly the read timeout", d)
			}
		})
	})
	t.Run("cancel", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			c := &rpki.Client{Addr: "pipe", Dial: pipeCache(t, stall)}
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(100*time.Millisecond, cancel)
			start := time.Now()
			_, err := c.Sync(ctx)
			if !errors.Is(err, context.Canceled) || time.Since(start) != 100*time.Millisecond {
				t.Fatalf("Sync = %v after %v, want context.Canceled after 100ms", err, time.Since(start))
			}
		})
	})
	t.Run("drip without End of Data", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			drip := func(p *peer) {
				if _, err := p.recv(); err != nil {
					return
				}
				p.send(cacheResponse(1))
				for i := range 1_000_000 {
					time.Sleep(time.Second)
					if _, err := p.nc.Write(v4Prefix(i)); err != nil {
						return
					}
				}
			}
			c := &rpki.Client{Addr: "pipe", Dial: pipeCache(t, drip), ReadTimeout: 30 * time.Second, ResponseTimeout: 10 * time.Minute}
			start := time.Now()
			_, err := c.Sync(context.Background())
			if !errors.Is(err, rpki.ErrResponseLimit) || !strings.Contains(err.Error(), "no End of Data within 10m0s") {
				t.Fatalf("Sync = %v, want the response timeout", err)
			}
			if d := time.Since(start); d < 10*time.Minute || d > 10*time.Minute+time.Second {
				t.Errorf("gave up after %v, want the 10 minute response timeout", d)
			}
		})
	})
}
