package cli

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/filtergen/filtergen/internal/irrtest"
)

// stallingIRRd answers the session set-up like IRRd and then stalls on
// the first query that asks for data: it neither answers nor closes.
func stallingIRRd(t *testing.T) *irrtest.Server {
	h := irrtest.IRRd(nil)
	return irrtest.Start(t, func(conn, n int, q string) irrtest.Action {
		if strings.HasPrefix(q, "!i") || strings.HasPrefix(q, "!g") || strings.HasPrefix(q, "!6") ||
			strings.HasPrefix(q, "!a") && len(q) > 2 || strings.HasPrefix(q, "!m") {
			return irrtest.Action{Stall: true}
		}
		return h(conn, n, q)
	})
}

// stallPolicy has n peers, each with its own AS-SET, all served by addr.
func stallPolicy(addr string, n int, extra string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "version: 2\nlocal_as: 3000\nirr:\n  server: %s\n%s\nrouters:\n  - {name: r1, platform: bird2}\npeers:\n", addr, extra)
	for i := range n {
		fmt.Fprintf(&b, "  - {name: P%d, asn: %d, announce: [AS-P%d]}\n", i, 1000+i, i)
	}
	return b.String()
}

// A stalling IRR server must not hold a compile: the per-query timeout
// fails the first peer, which cancels the others (fail fast), and the
// whole compile ends with a clear error, writing nothing. The bound
// below catches a hang (the issue saw 25 minutes); it is not a speed
// target.
func TestCompileStallingIRRServer(t *testing.T) {
	srv := stallingIRRd(t)
	tests := []struct {
		name   string
		extra  string // policy lines under irr:
		args   []string
		stderr []string
	}{
		{"query timeout flag", "", []string{"--irr-query-timeout", "200ms"}, []string{"timeout", "other peer(s) canceled"}},
		{"query timeout in the policy", "  query_timeout: 200ms", nil, []string{"timeout", "other peer(s) canceled"}},
		{"whole-compile deadline", "", []string{"--timeout", "1s", "--irr-query-timeout", "1m"},
			[]string{"compile timed out after 1s (policy timeout, --timeout)"}},
		{"deadline in the policy", "timeout: 1s", []string{"--irr-query-timeout", "1m"},
			[]string{"compile timed out after 1s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			pol := stallPolicy(srv.Addr, 20, "")
			if strings.HasPrefix(tt.extra, "  ") {
				pol = strings.Replace(pol, "  server: "+srv.Addr+"\n", "  server: "+srv.Addr+"\n"+tt.extra+"\n", 1)
			} else if tt.extra != "" {
				pol = strings.Replace(pol, "routers:", tt.extra+"\nrouters:", 1)
			}
			write(t, dir, "policy.yaml", pol)
			out := filepath.Join(dir, "out")
			start := time.Now()
			code, stdout, stderr := runCLI(t, append([]string{"compile", filepath.Join(dir, "policy.yaml"), "-o", out}, tt.args...)...)
			took := time.Since(start)
			if code != ExitFailure {
				t.Fatalf("exit %d, want 1\nstderr: %s", code, stderr)
			}
			if took > 30*time.Second {
				t.Errorf("took %s against a stalling server", took)
			}
			for _, s := range tt.stderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
			t.Logf("%s: %s", took.Truncate(time.Millisecond), stderr)
			if stdout != "" {
				t.Errorf("stdout: %q", stdout)
			}
			if got := readTree(t, out); len(got) != 0 {
				t.Errorf("%d files written", len(got))
			}
		})
	}
}
