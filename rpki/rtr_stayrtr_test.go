package rpki_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/filtergen/filtergen/rpki"
)

// stayrtrV060 returns the path of a stayrtr v0.6.0 binary: $FILTERGEN_STAYRTR
// (set by make test) or the module's tool dependency.
func stayrtrV060(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("FILTERGEN_STAYRTR"); p != "" {
		return p
	}
	out, err := exec.Command("go", "tool", "-n", "stayrtr").Output()
	if err != nil {
		t.Skipf("stayrtr v0.6.0 not available: set FILTERGEN_STAYRTR or run make test (%v)", err)
	}
	return strings.TrimSpace(string(out))
}

// stayrtrDebian returns Debian's stayrtr 0.5.1, which serves RTR version 2
// with ASPA.
func stayrtrDebian(t *testing.T) string {
	t.Helper()
	const p = "/usr/bin/stayrtr"
	if _, err := os.Stat(p); err != nil {
		t.Skipf("Debian's stayrtr package is not installed (%v); make deps installs it", err)
	}
	return p
}

func freePort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

type stayrtr struct {
	addr string
	cmd  *exec.Cmd
	log  *bytes.Buffer
	done chan struct{}
}

// startStayRTR runs a stayrtr binary on 127.0.0.1 serving cache (a file),
// with both the RTR and the metrics listener bound to 127.0.0.1. It stops
// itself after a minute at most and when the test ends.
func startStayRTR(t testing.TB, bin, cache string, args ...string) *stayrtr {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	s := &stayrtr{addr: freePort(t), log: new(bytes.Buffer), done: make(chan struct{})}
	args = append([]string{
		"-bind", s.addr, "-metrics.addr", freePort(t), "-cache", cache,
		"-refresh", "1", "-loglevel", "debug",
	}, args...)
	s.cmd = exec.CommandContext(ctx, bin, args...)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	s.cmd.Cancel = func() error { return s.cmd.Process.Signal(os.Interrupt) }
	s.cmd.WaitDelay = 5 * time.Second
	if err := s.cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	go func() { s.cmd.Wait(); close(s.done) }()
	t.Cleanup(func() {
		cancel()
		<-s.done
		if t.Failed() {
			t.Logf("stayrtr log:\n%s", s.log)
		}
	})
	// stayrtr logs "started" before it binds: dial until it answers.
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		select {
		case <-s.done:
			t.Fatalf("stayrtr exited: %v\n%s", s.cmd.ProcessState, s.log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("stayrtr did not listen on %s: %v", s.addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return s
}

func (s *stayrtr) stop(t *testing.T) {
	t.Helper()
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		t.Fatal("stayrtr did not stop")
	}
}

// writeCache writes a VRP file for stayrtr atomically, with a fresh
// build time.
func writeCache(t *testing.T, path string, roas []string, extra string) {
	t.Helper()
	body := fmt.Sprintf("{\"metadata\":{\"buildtime\":%q},\"roas\":[\n%s\n]%s}\n",
		time.Now().UTC().Format(time.RFC3339), strings.Join(roas, ",\n"), extra)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

var baseROAs = []string{
	`{"asn": 64500, "prefix": "192.0.2.0/24", "maxLength": 24, "ta": "test"}`,
	`{"asn": "AS64501", "prefix": "2001:db8::/32", "maxLength": 48, "ta": "test"}`,
	`{"asn": 0, "prefix": "203.0.113.0/24", "maxLength": 32, "ta": "test"}`,
	`{"asn": 64502, "prefix": "198.51.100.0/22", "maxLength": 24, "ta": "test"}`,
	`{"asn": 64503, "prefix": "2001:db8:1::/48", "maxLength": 48, "ta": "test"}`,
}

// vrpsOf returns the VRPs of s without trust anchors, which RTR does not
// carry.
func vrpsOf(s *rpki.Set) []rpki.VRP {
	var out []rpki.VRP
	for v := range s.VRPs() {
		v.TA = ""
		out = append(out, v)
	}
	return out
}

func fileVRPs(t *testing.T, path string) []rpki.VRP {
	t.Helper()
	s, err := rpki.LoadFile(path, rpki.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return vrpsOf(s)
}

func TestRTRStayRTRSync(t *testing.T) {
	bin := stayrtrV060(t)
	dir := t.TempDir()
	cache := filepath.Join(dir, "vrps.json")
	writeCache(t, cache, baseROAs, "")
	want := fileVRPs(t, cache)
	tests := []struct {
		name     string
		protocol string // stayrtr -protocol
		offer    rpki.RTRVersion
		want     rpki.RTRVersion
	}{
		{"v1", "1", rpki.RTRv1, rpki.RTRv1},
		{"v0", "0", rpki.RTRv0, rpki.RTRv0},
		{"v2 offer negotiated down to v1", "1", 0, rpki.RTRv1},
		{"v1 offer negotiated down to v0", "0", rpki.RTRv1, rpki.RTRv0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startStayRTR(t, bin, cache, "-protocol", tt.protocol)
			c := &rpki.Client{Addr: srv.addr, Version: tt.offer, ReadTimeout: 5 * time.Second}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			s, err := c.Sync(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if d := gocmp.Diff(want, vrpsOf(s), cmpOpts); d != "" {
				t.Errorf("RTR VRPs differ from the file loader's (-file +rtr):\n%s", d)
			}
			if sess, ok := c.Session(); !ok || sess.Version != tt.want {
				t.Errorf("negotiated version %d, want %d", sess.Version-1, tt.want-1)
			}
			if st, _ := s.Validate(mustPrefix("203.0.113.0/25"), 64500); st != rpki.Invalid {
				t.Errorf("AS0 VRP over RTR: 203.0.113.0/25 AS64500 = %s, want invalid", st)
			}
		})
	}
}

// TestRTRStayRTRUpdates runs the client against stayrtr, rewrites the
// file, waits for the serial update, then stops stayrtr and waits until
// the data expires.
func TestRTRStayRTRUpdates(t *testing.T) {
	bin := stayrtrV060(t)
	for _, tt := range []struct {
		name     string
		protocol string
		offer    rpki.RTRVersion
	}{{"v1", "1", rpki.RTRv1}, {"v0", "0", rpki.RTRv0}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			cache := filepath.Join(dir, "vrps.json")
			writeCache(t, cache, baseROAs, "")
			srv := startStayRTR(t, bin, cache, "-protocol", tt.protocol,
				"-rtr.refresh", "1", "-rtr.retry", "1", "-rtr.expire", "600")
			const expire = 3 * time.Second
			c := &rpki.Client{Addr: srv.addr, Version: tt.offer, Expire: expire, Refresh: time.Second,
				ReadTimeout: 5 * time.Second, MinBackoff: 100 * time.Millisecond, Retry: 500 * time.Millisecond}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			runErr := make(chan error, 1)
			go func() { runErr <- c.Run(ctx) }()
			defer func() {
				cancel()
				if err := <-runErr; !errors.Is(err, context.Canceled) {
					t.Errorf("Run returned %v, want context.Canceled", err)
				}
			}()

			s, err := c.Wait(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if d := gocmp.Diff(fileVRPs(t, cache), vrpsOf(s), cmpOpts); d != "" {
				t.Fatalf("initial sync (-file +rtr):\n%s", d)
			}
			sess0, _ := c.Session()
			if sess0.Version != tt.offer {
				t.Errorf("session version %d, want %d", sess0.Version-1, tt.offer-1)
			}

			// Withdraw one VRP, add two.
			roas := append(slices.Clone(baseROAs[1:]),
				`{"asn": 64510, "prefix": "192.0.2.0/25", "maxLength": 25, "ta": "test"}`,
				`{"asn": 64511, "prefix": "2001:db8:2::/48", "maxLength": 64, "ta": "test"}`)
			writeCache(t, cache, roas, "")
			want := fileVRPs(t, cache)
			for {
				ch := c.Changed()
				if s, err := c.Set(); err == nil && gocmp.Equal(want, vrpsOf(s), cmpOpts) {
					break
				}
				select {
				case <-ch:
				case <-ctx.Done():
					s, err := c.Set()
					t.Fatalf("serial update did not arrive: %v\n%s", err, gocmp.Diff(want, vrpsOf(s), cmpOpts))
				}
			}
			if sess1, _ := c.Session(); sess1.Serial == sess0.Serial || sess1.ID != sess0.ID {
				t.Errorf("session %+v after the update, was %+v", sess1, sess0)
			}
			if st, _ := mustSetOf(t, c).Validate(mustPrefix("192.0.2.0/24"), 64500); st != rpki.NotFound {
				t.Errorf("withdrawn VRP still decides 192.0.2.0/24 AS64500: %s", st)
			}

			// Stop the cache: the data must be refused once it expires.
			srv.stop(t)
			stopped := time.Now()
			for {
				_, err := c.Set()
				if errors.Is(err, rpki.ErrStale) {
					if since := time.Since(stopped); since < expire-time.Second {
						t.Errorf("data refused %s after the cache stopped, before expire %s", since, expire)
					}
					break
				}
				if err != nil {
					t.Fatalf("Set: %v, want data or ErrStale", err)
				}
				if time.Since(stopped) > expire+5*time.Second {
					t.Fatal("data still served long after expire")
				}
				time.Sleep(100 * time.Millisecond)
			}
		})
	}
}

func mustSetOf(t *testing.T, c *rpki.Client) *rpki.Set {
	t.Helper()
	s, err := c.Set()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRTRStayRTRASPA fetches ASPA over RTR version 2 from Debian's
// stayrtr 0.5.1, which stayrtr v0.6.0's lib cannot decode.
func TestRTRStayRTRASPA(t *testing.T) {
	bin := stayrtrDebian(t)
	dir := t.TempDir()
	cache := filepath.Join(dir, "vrps.json")
	writeCache(t, cache, baseROAs, `,"provider_authorizations":{
		"ipv4":[{"customer_asid":64500,"providers":[64502,64501]},{"customer_asid":64520,"providers":[64521]}],
		"ipv6":[{"customer_asid":64500,"providers":[64503]}]}`)
	srv := startStayRTR(t, bin, cache, "-protocol", "2")
	c := &rpki.Client{Addr: srv.addr, ReadTimeout: 5 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := c.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := gocmp.Diff(fileVRPs(t, cache), vrpsOf(s), cmpOpts); d != "" {
		t.Errorf("VRPs (-file +rtr):\n%s", d)
	}
	want := []rpki.ASPA{
		{Customer: 64500, Providers: []uint32{64501, 64502, 64503}},
		{Customer: 64520, Providers: []uint32{64521}},
	}
	if d := gocmp.Diff(want, slices.Collect(s.ASPAs())); d != "" {
		t.Errorf("ASPAs (-want +got):\n%s", d)
	}
	if sess, _ := c.Session(); sess.Version != rpki.RTRv2 {
		t.Errorf("session version %d, want 2", sess.Version-1)
	}
	if got := s.Authorized(64500, 64503); got != rpki.ProviderPlus {
		t.Errorf("Authorized(64500, 64503) = %s", got)
	}
	if got := s.Authorized(64520, 64500); got != rpki.NotProviderPlus {
		t.Errorf("Authorized(64520, 64500) = %s", got)
	}
}
