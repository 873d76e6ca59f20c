package irr_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/filtergen/filtergen/internal/irrtest"
	"github.com/filtergen/filtergen/irr"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.uber.org/goleak"
)

// leakCheck fails the test if goroutines outlive it: it runs after every
// other cleanup, so the fake servers are gone by then.
func leakCheck(t *testing.T) {
	t.Helper()
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
}

var cmpNet = cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{})

// demoReplies is what IRRd 4 answers for a small tree (protocols.md §2.2,
// §2.5): AS-TOP -> AS1, AS2, AS-MID; AS-MID -> AS3, AS-TOP (loop),
// AS-GONE (missing); AS-EMPTY exists without members.
func demoReplies() map[string]string {
	return map[string]string{
		"!iAS-TOP,1":        irrtest.Data("AS1 AS2 AS3"),
		"!iAS-TOP":          irrtest.Data("AS-MID AS1 AS2"),
		"!iAS-MID":          irrtest.Data("AS-GONE AS-TOP AS3"),
		"!iAS-GONE":         irrtest.NotFound,
		"!mas-set,AS-GONE":  irrtest.NotFound,
		"!iAS-EMPTY,1":      irrtest.NotFound,
		"!iAS-EMPTY":        irrtest.NotFound,
		"!mas-set,AS-EMPTY": irrtest.Data("as-set: AS-EMPTY\nsource: RIPE"),
		"!a4AS-TOP":         irrtest.Data("192.0.2.0/24 198.51.100.0/24 203.0.113.0/24"),
		"!a6AS-TOP":         irrtest.Data("2001:db8::/32"),
		"!gAS1":             irrtest.Data("192.0.2.0/24 198.51.100.0/24"),
		"!gAS2":             irrtest.Data("198.51.100.0/24"),
		"!gAS3":             irrtest.Data("203.0.113.0/24"),
		"!6AS1":             irrtest.Data("2001:db8::/32"),
		"!iRS-X":            irrtest.Data("192.0.2.0/24^+ AS3^24-25 RS-Y^26"),
		"!iRS-Y":            irrtest.Data("198.51.100.0/24^25 2001:db8::/32"),
	}
}

// fastClient returns a client with short timeouts for fault tests.
func fastClient(addrs ...string) *irr.Client {
	return &irr.Client{
		Servers:      addrs,
		DialTimeout:  time.Second,
		QueryTimeout: 300 * time.Millisecond,
		Timeout:      10 * time.Second,
		Retries:      1,
		RetryBackoff: 10 * time.Millisecond,
		// Most tests exercise the server-side paths (!a, !i,1); the
		// walk has its own tests.
		ServerRecursion: true,
	}
}

func mustPrefixes(ss ...string) []irr.PrefixRange {
	var out []irr.PrefixRange
	for _, s := range ss {
		r, err := irr.ParsePrefixRange(s)
		if err != nil {
			panic(err)
		}
		out = append(out, r)
	}
	return out
}

func TestClientExpandsLikeIRRd(t *testing.T) {
	leakCheck(t)
	for _, noA := range []bool{false, true} {
		t.Run(fmt.Sprintf("noA=%v", noA), func(t *testing.T) {
			h := irrtest.IRRd(demoReplies())
			if noA {
				h = irrtest.NoA(h)
			}
			srv := irrtest.Start(t, h)
			c := fastClient(srv.Addr)
			defer c.Close()
			ctx := context.Background()

			asns, _, err := c.ExpandASNs(ctx, "AS-TOP", nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]uint32{1, 2, 3}, asns); diff != "" {
				t.Errorf("ASNs (-want +got):\n%s", diff)
			}
			v4, _, err := c.ExpandPrefixes(ctx, "AS-TOP", irr.IPv4, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(mustPrefixes("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"), v4, cmpNet); diff != "" {
				t.Errorf("v4 (-want +got):\n%s", diff)
			}
			v6, _, err := c.ExpandPrefixes(ctx, "AS-TOP", irr.IPv6, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(mustPrefixes("2001:db8::/32"), v6, cmpNet); diff != "" {
				t.Errorf("v6 (-want +got):\n%s", diff)
			}
			qs := strings.Join(srv.Queries(), " ")
			if got := strings.Contains(qs, "!a4AS-TOP"); got == noA {
				t.Errorf("!a4 used = %v with noA = %v; queries %s", got, noA, qs)
			}
			if srv.Conns() != 1 {
				t.Errorf("%d connections, want 1 reused", srv.Conns())
			}
		})
	}
}

func TestClientWalkReport(t *testing.T) {
	leakCheck(t)
	srv := irrtest.Start(t, irrtest.IRRd(demoReplies()))
	c := fastClient(srv.Addr)
	c.ServerRecursion = false // the default: the client walks
	defer c.Close()
	asns, rep, err := c.ExpandASNs(context.Background(), "AS-TOP", nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]uint32{1, 2, 3}, asns); diff != "" {
		t.Errorf("ASNs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]irr.MissingRef{{Name: "AS-GONE", Path: []string{"AS-TOP", "AS-MID"}}}, rep.Missing); diff != "" {
		t.Errorf("missing (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([][]string{{"AS-TOP", "AS-MID", "AS-TOP"}}, rep.Loops); diff != "" {
		t.Errorf("loops (-want +got):\n%s", diff)
	}
	if got := rep.Chain(3); !cmp.Equal(got, []string{"AS-TOP", "AS-MID"}) {
		t.Errorf("chain of AS3 = %v", got)
	}
	if rep.Depth != 2 {
		t.Errorf("depth %d, want 2", rep.Depth)
	}
	for _, q := range srv.Queries() {
		if strings.HasSuffix(q, ",1") {
			t.Errorf("walk sent recursive query %s", q)
		}
	}
}

func TestClientDepthAndExclude(t *testing.T) {
	leakCheck(t)
	srv := irrtest.Start(t, irrtest.IRRd(demoReplies()))
	c := fastClient(srv.Addr)
	defer c.Close()
	ctx := context.Background()
	asns, _, err := c.ExpandASNs(ctx, "AS-TOP", &irr.ExpandOptions{MaxDepth: 1})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]uint32{1, 2}, asns); diff != "" {
		t.Errorf("depth 1 (-want +got):\n%s", diff)
	}
	asns, _, err = c.ExpandASNs(ctx, "AS-TOP", &irr.ExpandOptions{Exclude: []string{"as-mid", "AS1"}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]uint32{2}, asns); diff != "" {
		t.Errorf("exclude (-want +got):\n%s", diff)
	}
	for _, q := range srv.Queries() {
		if q == "!iAS-MID" {
			t.Errorf("AS-MID was queried: beyond the depth limit in one call, excluded in the other")
		}
	}
}

func TestClientMissingVersusEmpty(t *testing.T) {
	leakCheck(t)
	srv := irrtest.Start(t, irrtest.IRRd(demoReplies()))
	ctx := context.Background()
	for _, walk := range []bool{false, true} {
		c := fastClient(srv.Addr)
		c.ServerRecursion = !walk
		asns, _, err := c.ExpandASNs(ctx, "AS-EMPTY", nil)
		if err != nil || len(asns) != 0 {
			t.Errorf("walk=%v: empty set: %v, %v; want no ASNs and no error", walk, asns, err)
		}
		asns, _, err = c.ExpandASNs(ctx, "AS-NOSUCH", nil)
		var nf *irr.NotFoundError
		if !errors.Is(err, irr.ErrNotFound) || !errors.As(err, &nf) || asns != nil {
			t.Errorf("walk=%v: missing set: %v, %v; want ErrNotFound", walk, asns, err)
		}
		v4, _, err := c.ExpandPrefixes(ctx, "AS-NOSUCH", irr.IPv4, nil)
		if !errors.Is(err, irr.ErrNotFound) || v4 != nil {
			t.Errorf("walk=%v: prefixes of missing set: %v, %v; want ErrNotFound", walk, v4, err)
		}
		c.Close()
	}
}

func TestClientRouteSetOperators(t *testing.T) {
	leakCheck(t)
	srv := irrtest.Start(t, irrtest.IRRd(demoReplies()))
	c := fastClient(srv.Addr)
	defer c.Close()
	got, rep, err := c.ExpandPrefixes(context.Background(), "RS-X", irr.IPv4, nil)
	if err != nil {
		t.Fatal(err)
	}
	// AS3^24-25 applies to AS3's route; RS-Y^26 composes with RS-Y's
	// 198.51.100.0/24^25 into ^26 (protocols.md §1.5); RS-Y's IPv6 member
	// is of the other family.
	want := mustPrefixes("192.0.2.0/24^+", "198.51.100.0/24^26", "203.0.113.0/24^24-25")
	if diff := cmp.Diff(want, got, cmpNet); diff != "" {
		t.Errorf("RS-X (-want +got):\n%s\nreport %+v", diff, rep)
	}
}

// TestClientFaults runs the client against servers that misbehave in
// every way the issue lists. Each case must end quickly with an error that
// names the query and the server, and never with a result.
func TestClientFaults(t *testing.T) {
	leakCheck(t)
	big := make([]string, 3000)
	for i := range big {
		big[i] = fmt.Sprintf("AS%d", i+1)
	}
	bigReplies := demoReplies()
	bigReplies["!iAS-BIG,1"] = irrtest.Data(strings.Join(big, " "))
	for i := range big {
		bigReplies[fmt.Sprintf("!gAS%d", i+1)] = irrtest.Data(fmt.Sprintf("10.%d.%d.0/24", (i+1)/256, (i+1)%256))
	}
	tests := []struct {
		name    string
		h       irrtest.Handler
		object  string
		query   string // the query the error must name
		proto   bool   // a protocol error (no retry)
		fail    bool   // an F answer (no retry)
		minConn int    // connections expected (retries)
	}{
		// Stalls: TestClientStallsSynctest, in fake time.
		{
			name:  "reset mid-answer",
			h:     script(demoReplies(), "!a4AS-TOP", irrtest.Action{Reply: "A43\n192.0.2.0/24 19", Reset: true}),
			query: "!a4AS-TOP", minConn: 2,
		},
		{
			name:  "short A<len>: content shorter than announced",
			h:     script(demoReplies(), "!a4AS-TOP", irrtest.Action{Reply: "A99\n192.0.2.0/24\nC\n"}),
			query: "!a4AS-TOP", minConn: 2,
		},
		{
			name:  "short A<len> followed by more replies",
			h:     script(demoReplies(), "!a4AS-TOP", irrtest.Action{Reply: "A20\n192.0.2.0/24\nC\nD\nD\nD\nD\n"}),
			query: "!a4AS-TOP", proto: true,
		},
		{
			name:  "over-long A<len>: content longer than announced",
			h:     script(demoReplies(), "!a4AS-TOP", irrtest.Action{Reply: "A5\n192.0.2.0/24\nC\n"}),
			query: "!a4AS-TOP", proto: true,
		},
		{
			name:  "missing C",
			h:     script(demoReplies(), "!a4AS-TOP", irrtest.Action{Reply: "A13\n192.0.2.0/24\nD\n"}),
			query: "!a4AS-TOP", proto: true,
		},
		{
			name:  "garbage bytes",
			h:     script(demoReplies(), "!a4AS-TOP", irrtest.Action{Reply: "\x00\xffgarbage\n"}),
			query: "!a4AS-TOP", proto: true,
		},
		{
			name:  "garbage prefix",
			h:     script(demoReplies(), "!a4AS-TOP", irrtest.Action{Reply: irrtest.Data("192.0.2.0/24 192.0.2.0/33")}),
			query: "!a4AS-TOP", proto: true,
		},
		{
			name:  "prefix with host bits",
			h:     script(demoReplies(), "!a4AS-TOP", irrtest.Action{Reply: irrtest.Data("192.0.2.1/24")}),
			query: "!a4AS-TOP", proto: true,
		},
		{
			name:  "prefix of the wrong family",
			h:     script(demoReplies(), "!a4AS-TOP", irrtest.Action{Reply: irrtest.Data("2001:db8::/32")}),
			query: "!a4AS-TOP", proto: true,
		},
		{
			name:  "garbage ASN",
			h:     irrtest.NoA(script(demoReplies(), "!iAS-TOP,1", irrtest.Action{Reply: irrtest.Data("AS1 AS2x AS3")})),
			query: "!iAS-TOP,1", proto: true,
		},
		{
			name:  "ASN out of range",
			h:     irrtest.NoA(script(demoReplies(), "!iAS-TOP,1", irrtest.Action{Reply: irrtest.Data("AS4294967296")})),
			query: "!iAS-TOP,1", proto: true,
		},
		{
			name:  "legacy E reply",
			h:     script(demoReplies(), "!a4AS-TOP", irrtest.Action{Reply: "E\n"}),
			query: "!a4AS-TOP", proto: true,
		},
		{
			name:   "F to one pipelined query among thousands",
			h:      irrtest.NoA(script(bigReplies, "!gAS2500", irrtest.Action{Reply: irrtest.Fail("mock: forced failure")})),
			object: "AS-BIG", query: "!gAS2500", fail: true,
		},
		{
			name:   "server closes after N queries",
			h:      closeAfter(irrtest.NoA(irrtest.IRRd(bigReplies)), 1000),
			object: "AS-BIG", query: "!gAS", minConn: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := irrtest.Start(t, tt.h)
			c := fastClient(srv.Addr)
			defer c.Close()
			obj := tt.object
			if obj == "" {
				obj = "AS-TOP"
			}
			start := time.Now()
			got, _, err := c.ExpandPrefixes(context.Background(), obj, irr.IPv4, nil)
			if err == nil || got != nil {
				t.Fatalf("got %d prefixes and error %v; want no result and an error", len(got), err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
			if !strings.Contains(err.Error(), tt.query) || !strings.Contains(err.Error(), srv.Addr) {
				t.Errorf("error %q does not name query %q and server %s", err, tt.query, srv.Addr)
			}
			var se *irr.ServerError
			if got := errors.As(err, &se); got != tt.fail {
				t.Errorf("ServerError = %v, want %v: %v", got, tt.fail, err)
			}
			if got := errors.Is(err, irr.ErrProtocol); got != tt.proto {
				t.Errorf("ErrProtocol = %v, want %v: %v", got, tt.proto, err)
			}
			if tt.proto || tt.fail {
				if n := srv.Conns(); n != 1 {
					t.Errorf("%d connections: a protocol error or F answer was retried", n)
				}
			} else if n := srv.Conns(); n < tt.minConn {
				t.Errorf("%d connections, want a retry (>= %d)", n, tt.minConn)
			}
		})
	}
}

// script answers q with a, and everything else as base does.
func script(replies map[string]string, q string, a irrtest.Action) irrtest.Handler {
	base := irrtest.IRRd(replies)
	return func(conn, n int, query string) irrtest.Action {
		if query == q {
			return a
		}
		return base(conn, n, query)
	}
}

// closeAfter closes each connection after its n-th query.
func closeAfter(h irrtest.Handler, n int) irrtest.Handler {
	return func(conn, i int, q string) irrtest.Action {
		if i >= n {
			return irrtest.Action{Close: true}
		}
		return h(conn, i, q)
	}
}

func TestClientFailover(t *testing.T) {
	leakCheck(t)
	refused := irrtest.Refusing(t)
	stalled := irrtest.Start(t, func(int, int, string) irrtest.Action { return irrtest.Action{Stall: true} })
	good := irrtest.Start(t, irrtest.IRRd(demoReplies()))

	for _, first := range []string{refused, stalled.Addr} {
		c := fastClient(first, good.Addr)
		got, _, err := c.ExpandPrefixes(context.Background(), "AS-TOP", irr.IPv6, nil)
		if err != nil {
			t.Errorf("first server %s: %v", first, err)
		} else if diff := cmp.Diff(mustPrefixes("2001:db8::/32"), got, cmpNet); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		c.Close()
	}

	// All servers down: an error naming each, in bounded time.
	c := fastClient(refused, stalled.Addr)
	defer c.Close()
	_, _, err := c.ExpandASNs(context.Background(), "AS-TOP", nil)
	if err == nil || !strings.Contains(err.Error(), refused) || !strings.Contains(err.Error(), stalled.Addr) {
		t.Errorf("error %v; want one naming both servers", err)
	}
}

func TestClientSources(t *testing.T) {
	leakCheck(t)
	srv := irrtest.Start(t, irrtest.IRRd(map[string]string{
		"!sNOPE":   irrtest.Fail("One or more selected sources are unavailable."),
		"!iAS-X,1": irrtest.Data("AS1"),
	}))
	c := fastClient(srv.Addr)
	defer c.Close()
	ctx := context.Background()
	if _, _, err := c.ExpandASNs(ctx, "AS-X", &irr.ExpandOptions{Sources: []string{"radb", "RIPE"}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.ExpandASNs(ctx, "AS-X", nil); err != nil {
		t.Fatal(err)
	}
	_, _, err := c.ExpandASNs(ctx, "AS-X", &irr.ExpandOptions{Sources: []string{"NOPE"}})
	var se *irr.ServerError
	if !errors.As(err, &se) || se.Msg != "One or more selected sources are unavailable." {
		t.Errorf("unknown source: %v", err)
	}
	qs := srv.Queries()
	want := []string{"!sRADB,RIPE", "!iAS-X,1", "!sRIPE,RADB", "!iAS-X,1"}
	if !containsInOrder(qs, want) {
		t.Errorf("queries %q do not contain %q in order", qs, want)
	}
}

func containsInOrder(have, want []string) bool {
	i := 0
	for _, h := range have {
		if i < len(want) && h == want[i] {
			i++
		}
	}
	return i == len(want)
}

// TestClientStalePooledConnection: a server that closed a pooled
// connection while it was idle costs a new connection, not a retry.
func TestClientStalePooledConnection(t *testing.T) {
	leakCheck(t)
	base := irrtest.IRRd(demoReplies())
	srv := irrtest.Start(t, func(conn, n int, q string) irrtest.Action {
		a := base(conn, n, q)
		if conn == 0 && q == "!a6AS-TOP" {
			a.Close = true // answer, then close as if idle too long
		}
		return a
	})
	c := fastClient(srv.Addr)
	c.Retries = -1
	defer c.Close()
	for i := range 2 {
		got, _, err := c.ExpandPrefixes(context.Background(), "AS-TOP", irr.IPv6, nil)
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if diff := cmp.Diff(mustPrefixes("2001:db8::/32"), got, cmpNet); diff != "" {
			t.Errorf("call %d (-want +got):\n%s", i, diff)
		}
	}
	if n := srv.Conns(); n != 2 {
		t.Errorf("%d connections, want 2 (the pooled one was closed)", n)
	}
}
