package cli

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// ask sends one query in persistent mode and returns the answer.
func ask(t *testing.T, addr, q string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "!!\n"+q+"\n!q\n")
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestServeReload(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "db.rpsl")
	write := func(s string) {
		if err := os.WriteFile(db, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("route: 192.0.2.0/24\norigin: AS1\nsource: RIPE\n")

	logs := &lockedBuffer{}
	f := &factory{Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))}
	addrc := make(chan string, 1)
	reload := make(chan os.Signal, 1)
	opts := &serveOptions{
		listen: "127.0.0.1:0", files: []string{db}, sources: "ripe", noA: true,
		onListen: func(a net.Addr) { addrc <- a.String() },
		reload:   reload,
	}
	ctx, cancel := context.WithCancel(context.Background())
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

	if got := ask(t, addr, "!gAS1"); got != "A13\n192.0.2.0/24\nC\n" {
		t.Errorf("before reload: %q", got)
	}
	if got := ask(t, addr, "!a"); got != "F Unrecognised command: a\n" {
		t.Errorf("--no-a: %q", got)
	}

	waitLog := func(s string) {
		t.Helper()
		for i := 0; i < 500 && !strings.Contains(logs.String(), s); i++ {
			time.Sleep(10 * time.Millisecond)
		}
		if !strings.Contains(logs.String(), s) {
			t.Fatalf("no %q in logs:\n%s", s, logs)
		}
	}
	write("route: 198.51.100.0/24\norigin: AS1\nsource: RIPE\n")
	reload <- os.Interrupt
	waitLog("msg=reloaded")
	if got := ask(t, addr, "!gAS1"); got != "A16\n198.51.100.0/24\nC\n" {
		t.Errorf("after reload: %q", got)
	}

	// A reload that fails (the default source is gone) keeps the old data.
	write("route: 203.0.113.0/24\norigin: AS1\nsource: RADB\n")
	reload <- os.Interrupt
	waitLog("reload failed")
	if got := ask(t, addr, "!gAS1"); got != "A16\n198.51.100.0/24\nC\n" {
		t.Errorf("after a failed reload: %q", got)
	}

	// Nor does one that loads nothing (a truncated or garbled dump).
	write("garbage\n")
	reload <- os.Interrupt
	waitLog("no objects loaded")
	if got := ask(t, addr, "!gAS1"); got != "A16\n198.51.100.0/24\nC\n" {
		t.Errorf("after an empty reload: %q", got)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v after cancel", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func TestServeUsage(t *testing.T) {
	code, _, stderr := runCLI(t, "serve")
	if code != ExitUsage {
		t.Errorf("serve without files: exit %d, want %d; %s", code, ExitUsage, stderr)
	}
	code, _, stderr = runCLI(t, "serve", "--listen", "127.0.0.1:0", "/nonexistent/db.rpsl")
	if code != ExitFailure || !strings.Contains(stderr, "nonexistent") {
		t.Errorf("missing file: exit %d, stderr %q", code, stderr)
	}
}
