package rpki_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/filtergen/filtergen/rpki"
)

// realVRPSeed turns the first VRPs of a real VRP file from the shared
// data (read in place) into a Reset response, or nil when it is absent.
func realVRPSeed(name string, n int) []byte {
	for _, up := range []string{filepath.Join("..", ".."), filepath.Join("..", "..", "..")} {
		path := filepath.Join(up, "shared", "testdata", "real", "rpki", name)
		if _, err := os.Stat(path); err != nil {
			continue
		}
		s, err := rpki.LoadFile(path, rpki.LoadOptions{MaxAge: rpki.NoMaxAge})
		if err != nil {
			return nil
		}
		out := cacheResponse(1)
		i := 0
		for v := range s.VRPs() {
			if i++; i > n {
				break
			}
			out = append(out, prefixPDU(1, v.Prefix.String(), v.MaxLen, v.ASN, true)...)
		}
		return append(out, endOfData(1, 1)...)
	}
	return nil
}

// FuzzRTRSession plays arbitrary bytes as a cache's answer to the
// client's Reset Query. The session must end (with a Set or an error,
// within its timeouts), never panic, and a Set must hold only valid VRPs.
func FuzzRTRSession(f *testing.F) {
	f.Add(append(append(cacheResponse(1), prefixPDU(1, "192.0.2.0/24", 24, 64500, true)...), endOfData(1, 7)...))
	f.Add(append(append(cacheResponse(2), aspaPDU(2, true, 64500, 64501, 64502)...), (endOfData(2, 1))...))
	f.Add(append(cacheResponse(1), prefixPDU(1, "192.0.2.0/24", 24, 64500, false)...))
	f.Add(errorPDU(1, rpki.ErrCodeNoData, "no data"))
	f.Add(append(cacheResponse(0), endOfData(0, 1)[:12]...))
	if b := realVRPSeed("stayrtr-cache-test.rpki.json", 50); b != nil {
		f.Add(b)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { ln.Close() })
	script := make(chan []byte)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(5 * time.Second))
				var q [12]byte
				if _, err := c.Read(q[:]); err != nil {
					return
				}
				select {
				case b := <-script:
					c.Write(b)
				case <-time.After(2 * time.Second):
				}
			}()
		}
	}()
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		c := &rpki.Client{Addr: ln.Addr().String(), ReadTimeout: 300 * time.Millisecond, MaxVRPs: 1000, ResponseTimeout: time.Second}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		done := make(chan struct{})
		go func() {
			// Each connection of the session (negotiation may reconnect)
			// gets the same bytes.
			for {
				select {
				case script <- data:
				case <-done:
					return
				}
			}
		}()
		s, err := c.Sync(ctx)
		close(done)
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Sync did not end within its own timeouts")
		}
		if err != nil {
			return
		}
		for v := range s.VRPs() {
			if !v.Prefix.IsValid() || v.Prefix != v.Prefix.Masked() || int(v.MaxLen) < v.Prefix.Bits() || int(v.MaxLen) > v.Prefix.Addr().BitLen() {
				t.Fatalf("invalid VRP %+v", v)
			}
		}
	})
}
