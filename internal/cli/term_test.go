package cli

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

func TestTermSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"AS-FOO", "AS-FOO"},
		{"Zürich", "Zürich"},
		{"AS-\x1b[2J\x1b[31mEVIL", `AS-\x1b[2J\x1b[31mEVIL`},
		{"a\rb\nc\td\x7f", `a\x0db\x0ac\x09d\x7f`},
		{"x\u202eevil", `x\u202eevil`},
		{"\u0085next", `\u0085next`},
		{"bad\xffutf8", `bad\xffutf8`},
	}
	for _, tt := range tests {
		if got := termSafe(tt.in); got != tt.want {
			t.Errorf("termSafe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestErrorsEscaped: an error carrying an IRR server's F message reaches
// the terminal escaped.
func TestErrorsEscaped(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for range 4 {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(5 * time.Second))
				sc := bufio.NewScanner(c)
				for sc.Scan() {
					if sc.Text() == "!!" {
						continue
					}
					io.WriteString(c, "F \x1b]0;owned\x07\x1b[2J server says no\n")
				}
			}()
		}
	}()
	code, _, stderr := runCLI(t, "bgpq4", "-h", ln.Addr().String(), "AS-FOO")
	if code == 0 || strings.ContainsAny(stderr, "\x1b\x07") || !strings.Contains(stderr, `\x1b[2J server says no`) {
		t.Errorf("exit %d, stderr %q: want the server's message escaped", code, stderr)
	}
	if got := termSafeLines("line one\x1b\n\tline two"); got != "line one\\x1b\n\tline two" {
		t.Errorf("termSafeLines = %q", got)
	}
}
