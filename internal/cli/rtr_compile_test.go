package cli

import (
	"bytes"
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
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-exited })
	// The port was free a moment ago; stayrtr binds it some time after
	// it starts (seconds on a loaded machine), or exits if another
	// process took it first: dial until it answers, and stop at once if
	// it is gone.
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		select {
		case <-exited:
			t.Fatalf("stayrtr exited before listening on %s: %v\n%s", addr, cmd.ProcessState, log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("stayrtr did not listen on %s: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	write(t, dir, "policy.yaml", strings.Replace(testPolicy, "  vrps: vrps.json", "  rtr: "+addr, 1))
	code, stdout, stderr := runCLI(t, "explain", filepath.Join(dir, "policy.yaml"), "A", "11.2.0.0/16")
	// explain exits 1 for a prefix that is not accepted.
	if code != 1 || !strings.Contains(stdout, "(rpki-invalid)") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
}
