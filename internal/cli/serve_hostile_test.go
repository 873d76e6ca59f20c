package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// routes returns n route objects of AS1.
func routes(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "route: 10.0.%d.0/24\norigin: AS1\nsource: RIPE\n\n", i)
	}
	return b.String()
}

// TestServeReloadShrinkGuard: a reload that would drop much of the data
// (a dump cut at a line end still parses) is refused and the old data
// kept; a small change goes through.
func TestServeReloadShrinkGuard(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "db.rpsl")
	write := func(s string) {
		if err := os.WriteFile(db, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(routes(100))
	logs := &lockedBuffer{}
	f := &factory{Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))}
	addrc := make(chan string, 1)
	reload := make(chan os.Signal, 1)
	opts := &serveOptions{
		listen: "127.0.0.1:0", files: []string{db}, shrink: defaultReloadShrink,
		onListen: func(a net.Addr) { addrc <- a.String() }, reload: reload,
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, f, opts) }()
	var addr string
	select {
	case addr = <-addrc:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("not listening after 10 s")
	}
	count := func() int {
		return strings.Count(ask(t, addr, "!gAS1"), "/24")
	}
	waitLog := func(s string, n int) {
		t.Helper()
		for i := 0; i < 500 && strings.Count(logs.String(), s) < n; i++ {
			time.Sleep(10 * time.Millisecond)
		}
		if strings.Count(logs.String(), s) < n {
			t.Fatalf("no %q in logs:\n%s", s, logs)
		}
	}
	write(routes(69))
	reload <- syscall.SIGHUP
	waitLog("reload refused: IPv4 routes fell from 100 to 69", 1)
	if n := count(); n != 100 {
		t.Errorf("after a refused reload: %d routes, want the old 100", n)
	}
	write(routes(95))
	reload <- syscall.SIGHUP
	waitLog("msg=reloaded", 1)
	if n := count(); n != 95 {
		t.Errorf("after a 5%% shrink: %d routes, want 95", n)
	}
	// A dump cut mid-line is refused as truncated.
	full := routes(95)
	write(full[:len(full)-20])
	reload <- syscall.SIGHUP
	waitLog("truncated", 1)
	if n := count(); n != 95 {
		t.Errorf("after a truncated dump: %d routes, want 95", n)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
}

// TestServeRejectsBadShrinkGuard: the guard is a fraction.
func TestServeRejectsBadShrinkGuard(t *testing.T) {
	for _, v := range []string{"-0.1", "1.5", "NaN"} {
		code, _, stderr := runCLI(t, "serve", "--listen", "127.0.0.1:0", "--reload-shrink-guard", v, "x.db")
		if code != ExitFailure && code != ExitUsage || !strings.Contains(stderr, "reload-shrink-guard") {
			t.Errorf("--reload-shrink-guard %s: exit %d, %q", v, code, stderr)
		}
	}
}

// TestServeNotRegularFile: a FIFO given as a dump is refused at once.
func TestServeNotRegularFile(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "db.rpsl")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	code, _, stderr := runCLI(t, "serve", "--listen", "127.0.0.1:0", fifo)
	if code != ExitFailure || !strings.Contains(stderr, "not a regular file") {
		t.Errorf("FIFO: exit %d, %q", code, stderr)
	}
}
