package cli

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/filtergen/filtergen/internal/irrtest"
	"github.com/filtergen/filtergen/irr"
)

// bgpq4's own flag checks keep bgpq4's exit codes: 255 for its FATAL
// errors, 1 for usage and input errors; nothing goes to stdout.
func TestBgpq4ExitCodes(t *testing.T) {
	tests := []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"-J", "-A", "AS1"}, 255, "aggregation (-A) does not work in Juniper prefix-lists"},
		{[]string{"-J", "-N", "AS1"}, 1, "mutually exclusive"},
		{[]string{"-3", "AS1"}, 1, "invalid option -- '3'"},
		{[]string{"-J"}, 1, "no objects"},
		{[]string{"--registry", "/nonexistent/file.db", "AS1"}, 1, "nonexistent"},
		{[]string{"--registry", filepath.Join("testdata", "bgpq4-parity.txt"), "-m", "24", "10.0.0.0/25"}, 1, "Unable to add prefix 10.0.0.0/25"},
	}
	for _, tt := range tests {
		out, stderr, code := runFiltergen(tt.args)
		if code != tt.code || out != "" || !strings.Contains(stderr, tt.err) {
			t.Errorf("bgpq4 %q: exit %d, stdout %q, stderr %q; want exit %d and %q", tt.args, code, out, stderr, tt.code, tt.err)
		}
	}
	out, _, code := runFiltergen([]string{"--help"})
	if code != 0 || !strings.Contains(out, "Differences from bgpq4 1.9") {
		t.Errorf("--help: exit %d, stdout %q", code, out)
	}
}

// A query the server fails is an error naming the object, with nothing on
// stdout; bgpq4 1.9 prints a partial (here empty) filter and exits 0.
func TestBgpq4FailedQuery(t *testing.T) {
	srv := irrtest.Start(t, func(_, _ int, q string) irrtest.Action {
		switch {
		case strings.EqualFold(q, "!q"):
			return irrtest.Action{Close: true}
		case strings.HasPrefix(q, "!a4"), strings.HasPrefix(q, "!g"), strings.HasPrefix(q, "!6"):
			return irrtest.Action{Reply: irrtest.Fail("mock: forced failure")}
		case strings.HasPrefix(q, "!iAS-X"):
			return irrtest.Action{Reply: irrtest.Data("AS100 AS200")}
		case strings.HasPrefix(q, "!m"):
			return irrtest.Action{Reply: irrtest.Data("as-set: AS-X\nmembers: AS100, AS200\nsource: RIPE")}
		}
		return irrtest.Action{Reply: irrtest.Default(q)}
	})
	out, stderr, code := runFiltergen([]string{"-h", srv.Addr, "AS-X"})
	if code != 1 || out != "" || !strings.Contains(stderr, "AS-X") || !strings.Contains(stderr, "forced failure") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	if bin, err := exec.LookPath("bgpq4"); err == nil {
		got, bcode := runRealBgpq4(t, bin, srv.Addr, []string{"AS-X"})
		if bcode != 0 || !strings.Contains(got, "is empty") {
			t.Errorf("bgpq4 no longer prints an empty filter on F (exit %d):\n%s", bcode, got)
		}
	}
}

func serveDemo(t *testing.T, network, addr string) (string, *irr.Registry) {
	t.Helper()
	file := filepath.Join(sharedDir, "testdata", "demo", "bgpq4-demo.rpsl")
	if _, err := os.Stat(file); err != nil {
		t.Skipf("shared demo data not available: %v", err)
	}
	reg, err := irr.LoadFiles(context.Background(), irr.LoadOptions{}, file)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Skipf("cannot listen on %s %s: %v", network, addr, err)
	}
	return serveOn(t, ln, irr.NewServer(reg)), reg
}

func serveOn(t *testing.T, ln net.Listener, srv *irr.Server) string {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); srv.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); wg.Wait() })
	return ln.Addr().String()
}

// -h takes an IPv6 literal in brackets; bgpq4 1.9 splits at the first
// colon and cannot.
func TestBgpq4IPv6Host(t *testing.T) {
	addr, _ := serveDemo(t, "tcp6", "[::1]:0")
	_, port, _ := net.SplitHostPort(addr)
	want, _, code := runFiltergen([]string{"--registry", filepath.Join(sharedDir, "testdata", "demo", "bgpq4-demo.rpsl"), "-A", "AS-DEMO"})
	if code != 0 {
		t.Fatalf("offline run: exit %d", code)
	}
	got, stderr, code := runFiltergen([]string{"-h", "[::1]:" + port, "-A", "AS-DEMO"})
	if code != 0 || got != want {
		t.Errorf("-h [::1]:%s: exit %d (%s)\n%s\nwant\n%s", port, code, stderr, got, want)
	}
	if bin, err := exec.LookPath("bgpq4"); err == nil {
		if _, bcode := runRealBgpq4(t, bin, "[::1]:"+port, []string{"AS-DEMO"}); bcode == 0 {
			t.Errorf("bgpq4 1.9 now accepts IPv6 literals: drop this difference from the README")
		}
	}
}

// A server with many sources answers !s-lc with more than the 256 bytes
// bgpq4 1.9 reads; filtergen does not depend on it.
func TestBgpq4LongSourceList(t *testing.T) {
	var b strings.Builder
	var names []string
	for i := 0; i < 40; i++ {
		src := fmt.Sprintf("LONGSOURCENAME%02d", i)
		names = append(names, src)
		fmt.Fprintf(&b, "as-set: AS-S%d\nmembers: AS100, AS200\nsource: %s\n\n", i, src)
		fmt.Fprintf(&b, "route: 10.%d.0.0/16\norigin: AS100\nsource: %s\n\n", i, src)
	}
	fmt.Fprintf(&b, "route: 192.0.2.0/24\norigin: AS200\nsource: %s\n\n", names[39])
	file := filepath.Join(t.TempDir(), "many.rpsl")
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	reg, err := irr.LoadFiles(context.Background(), irr.LoadOptions{}, file)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := serveOn(t, ln, irr.NewServer(reg))
	got, stderr, code := runFiltergen([]string{"-h", addr, "-A", "AS-S7"})
	want := "no ip prefix-list NN\nip prefix-list NN permit 10.0.0.0/11 ge 16 le 16\nip prefix-list NN permit 10.32.0.0/13 ge 16 le 16\nip prefix-list NN permit 192.0.2.0/24\n"
	if code != 0 || got != want {
		t.Errorf("exit %d (%s):\n%s\nwant\n%s", code, stderr, got, want)
	}
	if bin, err := exec.LookPath("bgpq4"); err == nil {
		if _, bcode := runRealBgpq4(t, bin, addr, []string{"-A", "AS-S7"}); bcode == 0 {
			t.Errorf("bgpq4 1.9 now reads long !s-lc replies: drop this difference from the README")
		}
	}
}
