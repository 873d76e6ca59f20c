package cli

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCompileFromRTR compiles with rpki.rtr pointing at a stayrtr cache
// on 127.0.0.1 (FILTERGEN_STAYRTR, which make test sets) and checks that
// the cache's VRPs decide an RPKI drop.
func TestCompileFromRTR(t *testing.T) {
	bin := os.Getenv("FILTERGEN_STAYRTR")
	if bin == "" {
		t.Skip("FILTERGEN_STAYRTR not set (make test builds bin/stayrtr)")
	}
	dir := setup(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	// 11.2.0.0/16 is registered with origin AS1001; the cache says AS9.
	write(t, dir, "cache.json", fmt.Sprintf(`{"metadata":{"buildtime":%q},"roas":[{"prefix":"11.2.0.0/16","maxLength":16,"asn":"AS9","ta":"t"}]}`,
		time.Now().UTC().Format(time.RFC3339)))
	cmd := exec.Command(bin, "-cache", filepath.Join(dir, "cache.json"), "-bind", addr, "-checktime=false", "-metrics.addr", "")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for i := 0; ; i++ {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		if i > 50 {
			t.Fatalf("stayrtr did not listen on %s", addr)
		}
		time.Sleep(100 * time.Millisecond)
	}
	write(t, dir, "policy.yaml", strings.Replace(testPolicy, "  vrps: vrps.json", "  rtr: "+addr, 1))
	code, stdout, stderr := runCLI(t, "explain", filepath.Join(dir, "policy.yaml"), "A", "11.2.0.0/16")
	// explain exits 1 for a prefix that is not accepted.
	if code != 1 || !strings.Contains(stdout, "(rpki-invalid)") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
}
