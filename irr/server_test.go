package irr_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/filtergen/filtergen/irr"
	"github.com/google/go-cmp/cmp"
)

// srvDemoPath is the bgpq4 demo data, read in place from shared/.
var srvDemoPath = filepath.Join("..", "..", "shared", "testdata", "demo", "bgpq4-demo.rpsl")

func srvLoadDemo(t testing.TB) *irr.Registry {
	t.Helper()
	if _, err := os.Stat(srvDemoPath); err != nil {
		t.Skip("shared demo data not present beside the project:", err)
	}
	reg, err := irr.LoadFiles(context.Background(), irr.LoadOptions{Strict: true}, srvDemoPath)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func srvLoadString(t testing.TB, data string) *irr.Registry {
	t.Helper()
	b := irr.NewBuilder(irr.LoadOptions{Strict: true})
	if err := b.ReadFrom(context.Background(), strings.NewReader(data), "test.db"); err != nil {
		t.Fatal(err)
	}
	reg, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// startServer serves b on 127.0.0.1 until the test ends, and checks that
// the server stops promptly then.
func startServer(t testing.TB, b irr.Backend, configure func(*irr.Server)) (*irr.Server, string) {
	t.Helper()
	srv := irr.NewServer(b)
	if configure != nil {
		configure(srv)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("server did not stop within 5 s")
		}
	})
	return srv, ln.Addr().String()
}

// converse sends lines at once (pipelined) and returns everything the
// server writes until it closes the connection.
func converse(t testing.TB, addr string, lines ...string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, strings.Join(lines, "\n")+"\n"); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("reading answers: %v (got %q)", err, b)
	}
	return string(b)
}

// TestServerReplies checks each command's exact answer on the demo data.
// The lengths of the set answers are those the bgpq4 test server gave for
// the same data (bgpq4.md §3): A48, A49, A57, A256, A120, A188.
func TestServerReplies(t *testing.T) {
	leakCheck(t)
	reg := srvLoadDemo(t)
	_, addr := startServer(t, reg, nil)
	obj := func(class, key string) string {
		text, ok := reg.Object(class, key, nil)
		if !ok {
			t.Fatalf("demo data has no %s %s", class, key)
		}
		return text
	}
	frame := func(s string) string {
		s = strings.TrimSuffix(s, "\n")
		return fmt.Sprintf("A%d\n%s\nC\n", len(s)+1, s)
	}
	tests := []struct {
		name, query, want string
	}{
		{"persistent mode", "!!", ""},
		{"client name", "!nfiltergen-test", "C\n"},
		{"version", "!v", "A34\nIRRd -- version 4.5.3 (filtergen)\nC\n"},
		{"sources", "!s-lc", "A10\nRIPE,RADB\nC\n"},
		{"a probe", "!a", "F Missing required set name for A query\n"},
		{"unknown command", "!x", "F Unrecognised command: x\n"},
		{"i without set", "!i", "F Missing parameter for i query\n"},
		{"bad timeout", "!t0", "F Invalid value for timeout: 0\n"},
		{"timeout", "!t600", "C\n"},
		{"unknown source", "!sNOSUCH", "F One or more selected sources are unavailable.\n"},
		{"bad ASN", "!gFOO", "F Invalid AS number FOO: must start with \"AS\"\n"},
		{"null byte", "!i\x00", "F Queries may not contain null bytes\n"},
		{"set members", "!iAS-CUST", "A29\nAS-CUST2 AS-DEMO AS400 AS500\nC\n"},
		{"recursive", "!iAS-DEMO,1", "A48\nAS100 AS200 AS400 AS500 AS600 AS700 AS800 AS900\nC\n"},
		{"direct members length", "!iAS-DEMO", "A49\nAS-CUST AS-FOO:AS-BAR AS100 AS200 AS300:AS-PEERS\nC\n"},
		{"missing set", "!iAS-MISSING", "D\n"},
		{"empty set", "!iAS-NOMEMBERS,1", "D\n"},
		{"origin v4", "!gas100", "A57\n192.0.2.0/25 192.0.2.1/32 192.0.2.128/25 198.51.100.0/24\nC\n"},
		{"origin v6", "!6AS100", "A36\n2001:db8:100::/48 2001:db8:101::/48\nC\n"},
		{"no routes", "!gAS800", "D\n"},
		{"route-set", "!iRS-DEMO,1", "A78\n192.0.2.0/24^+ 198.51.100.128/25 203.0.113.0/24^24-26 2001:db8:100::/48^48-56\nC\n"},
		{"a6", "!a6AS-FOO:AS-BAR", "D\n"},
		{"a4 small", "!a4AS-FOO:AS-BAR", "A13\n195.0.0.0/24\nC\n"},
		{"a on a route-set", "!a4RS-DEMO", "D\n"},
		{"object", "!mas-set,as-nomembers", frame(obj("as-set", "AS-NOMEMBERS"))},
		{"route object", "!mroute,192.0.2.0/25 AS100", frame(obj("route", "192.0.2.0/25AS100"))},
		{"no object", "!mas-set,AS-NOSUCH", "D\n"},
		{"bad m", "!mas-set", "F Invalid object lookup: expected !m<object-class>,<primary-key>\n"},
		{"route origins", "!r198.51.100.0/24,o", "A12\nAS100 AS200\nC\n"},
		{"more specifics", "!r192.0.2.0/24,M", frame(obj("route", "192.0.2.0/25AS100") + "\n" +
			obj("route", "192.0.2.1/32AS100") + "\n" + obj("route", "192.0.2.128/25AS100"))},
		{"one less", "!r192.0.2.1/32,l", frame(obj("route", "192.0.2.0/25AS100"))},
		{"bad route option", "!r192.0.2.0/24,x", "F Invalid route search option: x\n"},
		{"bad prefix", "!rnope", "F Invalid prefix: nope\n"},
		{"no route", "!r10.0.0.0/8", "D\n"},
		{"o is not offered", "!oMAINT-X", "F Unrecognised command: o\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := converse(t, addr, "!!", tt.query, "!q")
			if got != tt.want {
				t.Errorf("%q:\n got %q\nwant %q", tt.query, got, tt.want)
			}
		})
	}
}

func TestServerA4MatchesRegistry(t *testing.T) {
	leakCheck(t)
	reg := srvLoadDemo(t)
	_, addr := startServer(t, reg, nil)
	for _, tc := range []struct {
		q    string
		fam  irr.Family
		srcs []string
		n    int // the length bgpq4's test server sent
	}{
		{"!a4AS-DEMO", irr.IPv4, nil, 256},
		{"!a6AS-DEMO", irr.IPv6, nil, 120},
		{"!sRIPE\n!a4AS-DEMO", irr.IPv4, []string{"RIPE"}, 188},
	} {
		got := converse(t, addr, "!!", tc.q, "!q")
		prs, _, err := reg.ExpandPrefixes(context.Background(), "AS-DEMO", tc.fam, &irr.ExpandOptions{Sources: tc.srcs})
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, p := range prs {
			want = append(want, p.String())
		}
		content := strings.Join(want, " ")
		wantReply := fmt.Sprintf("A%d\n%s\nC\n", len(content)+1, content)
		if strings.HasPrefix(tc.q, "!s") {
			wantReply = "C\n" + wantReply
		}
		if got != wantReply {
			t.Errorf("%q:\n got %q\nwant %q", tc.q, got, wantReply)
		}
		if len(content)+1 != tc.n {
			t.Errorf("%q: length %d, bgpq4's test server sent %d", tc.q, len(content)+1, tc.n)
		}
	}
}

func TestServerOneQueryWithoutPersistentMode(t *testing.T) {
	leakCheck(t)
	_, addr := startServer(t, srvLoadDemo(t), nil)
	got := converse(t, addr, "!gAS900", "!gAS100")
	if want := "A13\n195.0.0.0/24\nC\n"; got != want {
		t.Errorf("got %q, want only the first answer %q and a close", got, want)
	}
}

func TestServerNoA(t *testing.T) {
	leakCheck(t)
	_, addr := startServer(t, srvLoadDemo(t), func(s *irr.Server) { s.NoA = true })
	got := converse(t, addr, "!!", "!a", "!a4AS-DEMO", "!iAS-FOO:AS-BAR,1", "!q")
	want := "F Unrecognised command: a\nF Unrecognised command: a\nA6\nAS900\nC\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestServerWhois(t *testing.T) {
	leakCheck(t)
	reg := srvLoadDemo(t)
	_, addr := startServer(t, reg, nil)
	obj := func(class, key string) string {
		text, ok := reg.Object(class, key, nil)
		if !ok {
			t.Fatalf("demo data has no %s %s", class, key)
		}
		return text
	}
	tests := []struct{ name, q, want string }{
		{"key", "-T as-set AS-FOO:AS-BAR", obj("as-set", "AS-FOO:AS-BAR") + "\n\n"},
		{"origin", "-i origin AS900", obj("route", "195.0.0.0/24AS900") + "\n\n"},
		{"sources", "-s RADB -T route 195.0.0.0/24", "%  No entries found for the selected source(s).\n\n\n"},
		{"unknown source", "-s NOPE AS-DEMO", "%% ERROR: One or more selected sources are unavailable.\n\n\n"},
		{"-V then a ! query", "-V Md5.5 !gAS900", "A13\n195.0.0.0/24\nC\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := converse(t, addr, "-k", tt.q, "!q")
			if got != tt.want {
				t.Errorf("%q:\n got %q\nwant %q", tt.q, got, tt.want)
			}
		})
	}
}

func TestServerPipelinedInOrder(t *testing.T) {
	leakCheck(t)
	_, addr := startServer(t, srvLoadDemo(t), nil)
	lines := []string{"!!"}
	var want strings.Builder
	for i := range 5000 {
		if i%2 == 0 {
			lines = append(lines, "!gAS900")
			want.WriteString("A13\n195.0.0.0/24\nC\n")
		} else {
			lines = append(lines, "!gAS800")
			want.WriteString("D\n")
		}
	}
	got := converse(t, addr, append(lines, "!q")...)
	if got != want.String() {
		t.Errorf("answers out of order or wrong (%d bytes, want %d)", len(got), want.Len())
	}
}

func TestServerLongLine(t *testing.T) {
	leakCheck(t)
	_, addr := startServer(t, srvLoadDemo(t), func(s *irr.Server) { s.Limits.MaxLineLength = 100 })
	got := converse(t, addr, "!!", "!i"+strings.Repeat("X", 5000), "!gAS900", "!q")
	if want := "F Query too long\nA13\n195.0.0.0/24\nC\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestServerIdleTimeout(t *testing.T) {
	leakCheck(t)
	_, addr := startServer(t, srvLoadDemo(t), func(s *irr.Server) { s.Limits.IdleTimeout = 100 * time.Millisecond })
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "!!\n")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	_, err = c.Read(make([]byte, 1))
	if !errors.Is(err, io.EOF) {
		t.Errorf("read %v, want EOF when the server closes an idle connection", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("closed after %v", d)
	}
}

// bigSetRPSL returns an as-set of n ASNs with one route each.
func bigSetRPSL(n int) string {
	var b strings.Builder
	b.WriteString("as-set: AS-BIG\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "members: AS%d\n", i)
	}
	b.WriteString("source: TEST\n\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "route: 10.%d.%d.0/24\norigin: AS%d\nsource: TEST\n\n", i/256, i%256, i)
	}
	return b.String()
}

// TestServerSlowReader checks that a client that stops reading is dropped
// after WriteTimeout while other clients are served meanwhile.
func TestServerSlowReader(t *testing.T) {
	leakCheck(t)
	reg := srvLoadString(t, bigSetRPSL(5000))
	srv, addr := startServer(t, reg, func(s *irr.Server) { s.Limits.WriteTimeout = 200 * time.Millisecond })
	stuck, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer stuck.Close()
	// About 70 kB per answer, 1000 answers: far beyond the socket buffers.
	if _, err := io.WriteString(stuck, "!!\n"+strings.Repeat("!a4AS-BIG\n", 1000)); err != nil {
		t.Fatal(err)
	}
	if got := converse(t, addr, "!!", "!gAS7", "!q"); got != "A12\n10.0.7.0/24\nC\n" {
		t.Errorf("second client got %q", got)
	}
	// The stuck client never reads; the server must let it go.
	deadline := time.Now().Add(20 * time.Second)
	for srv.Conns() > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := srv.Conns(); n != 0 {
		t.Errorf("%d connections still served; the client that stopped reading was kept", n)
	}
}

func TestServerMaxConns(t *testing.T) {
	leakCheck(t)
	_, addr := startServer(t, srvLoadDemo(t), func(s *irr.Server) { s.Limits.MaxConns = 2 })
	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(c, "!!\n!gAS900\n")
		br := bufio.NewReader(c)
		if l, _ := br.ReadString('\n'); l != "A13\n" {
			t.Fatalf("held connection got %q", l)
		}
		held = append(held, c)
	}
	third, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	io.WriteString(third, "!!\n!gAS900\n")
	third.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if n, err := third.Read(make([]byte, 10)); err == nil {
		t.Fatalf("third connection served (%d bytes) beyond MaxConns", n)
	}
	held[0].Close()
	third.SetReadDeadline(time.Now().Add(5 * time.Second))
	l, err := bufio.NewReader(third).ReadString('\n')
	if l != "A13\n" {
		t.Errorf("third connection after a slot freed: %q, %v", l, err)
	}
	held[1].Close()
}

func TestServerSwapBackend(t *testing.T) {
	leakCheck(t)
	srv, addr := startServer(t, srvLoadString(t, "route: 192.0.2.0/24\norigin: AS1\nsource: A\n"), nil)
	if got := converse(t, addr, "!gAS1"); got != "A13\n192.0.2.0/24\nC\n" {
		t.Fatalf("before swap: %q", got)
	}
	srv.SetBackend(srvLoadString(t, "route: 198.51.100.0/24\norigin: AS1\nsource: B\n"))
	if got := converse(t, addr, "!gAS1"); got != "A16\n198.51.100.0/24\nC\n" {
		t.Errorf("after swap: %q", got)
	}
	if got := converse(t, addr, "!s-lc"); got != "A2\nB\nC\n" {
		t.Errorf("sources after swap: %q", got)
	}
}

func TestServerCacheConsistent(t *testing.T) {
	leakCheck(t)
	reg := srvLoadString(t, bigSetRPSL(300))
	_, addr := startServer(t, reg, func(s *irr.Server) { s.Limits.CachePrefixes = 500 })
	first := converse(t, addr, "!!", "!a4AS-BIG", "!iAS-BIG,1", "!a4AS-BIG", "!q")
	prs, _, err := reg.ExpandPrefixes(context.Background(), "AS-BIG", irr.IPv4, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ps []string
	for _, p := range prs {
		ps = append(ps, p.String())
	}
	a4 := strings.Join(ps, " ")
	asns, _, err := reg.ExpandASNs(context.Background(), "AS-BIG", nil)
	if err != nil {
		t.Fatal(err)
	}
	var as []string
	for _, a := range asns {
		as = append(as, fmt.Sprintf("AS%d", a))
	}
	i1 := strings.Join(as, " ")
	want := fmt.Sprintf("A%d\n%s\nC\nA%d\n%s\nC\nA%d\n%s\nC\n", len(a4)+1, a4, len(i1)+1, i1, len(a4)+1, a4)
	if diff := cmp.Diff(want, first); diff != "" {
		t.Errorf("cached answers differ (-want +got):\n%s", diff)
	}
}

// TestServerLengthOnlyOperator checks that set member answers write a
// length-only range operator as "^n-n": bgpq4 1.9 does not parse "^n" and
// drops the member, while "^n-n" means the same to every client.
func TestServerLengthOnlyOperator(t *testing.T) {
	leakCheck(t)
	reg := srvLoadString(t, `route-set: RS-LEN
members: 100.64.0.0/10^11-11, 192.0.2.0/24^26, 10.0.0.0/8^+, 2001:db8::/32^48
mp-members: 2001:db8::/31^32, 192.0.2.0/31^-, AS64500^24, RS-OTHER^25-25
source: TEST

route-set: RS-OTHER
members: 198.51.100.0/24
source: TEST
`)
	_, addr := startServer(t, reg, nil)
	tests := []struct{ query, want string }{
		{"!iRS-LEN", "10.0.0.0/8^+ 100.64.0.0/10^11-11 192.0.2.0/24^26-26 192.0.2.0/31^- 2001:db8::/31^32-32 2001:db8::/32^48-48 AS64500^24-24 RS-OTHER^25-25"},
		{"!iRS-LEN,1", "10.0.0.0/8^+ 100.64.0.0/10^11-11 192.0.2.0/24^26-26 192.0.2.0/31^- 198.51.100.0/24^25-25 2001:db8::/31^32-32 2001:db8::/32^48-48"},
	}
	for _, tt := range tests {
		got := converse(t, addr, "!!", tt.query, "!q")
		want := fmt.Sprintf("A%d\n%s\nC\n", len(tt.want)+1, tt.want)
		if got != want {
			t.Errorf("%q:\n got %q\nwant %q", tt.query, got, want)
		}
	}
}
