package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// runCLI runs the command line in-process and returns its exit code,
// stdout and stderr.
func runCLI(t testing.TB, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	f := &factory{
		streams: streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut},
		Getenv:  func(string) string { return "" },
	}
	code := run(context.Background(), f, args)
	return code, out.String(), errOut.String()
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"unknown flag", []string{"--no-such-flag"}, ExitUsage},
		{"unknown command", []string{"no-such-command"}, ExitUsage},
		{"bad log format", []string{"--log-format", "xml"}, ExitUsage},
		{"help", []string{"--help"}, ExitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != tt.want {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.want, stderr)
			}
		})
	}
}

// Every command's help has an Examples section.
func TestEveryCommandHasExamples(t *testing.T) {
	f := &factory{streams: streams{In: strings.NewReader(""), Out: io.Discard, ErrOut: io.Discard}}
	var walk func(c *cobra.Command)
	n := 0
	walk = func(c *cobra.Command) {
		if !c.Hidden && c.Name() != "help" {
			n++
			if strings.TrimSpace(c.Example) == "" {
				t.Errorf("%s: no Examples in its help", c.CommandPath())
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd(f))
	if n < 8 {
		t.Errorf("only %d commands seen", n)
	}
	_, out, _ := runCLI(t, "compile", "--help")
	if !strings.Contains(out, "Examples:\n  # Write the configuration") {
		t.Errorf("compile --help has no Examples section:\n%s", out)
	}
}

func TestDidYouMean(t *testing.T) {
	code, _, stderr := runCLI(t, "compiel", "x.yaml")
	if code != ExitUsage || !strings.Contains(stderr, `unknown command "compiel"; did you mean "compile"?`) {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = runCLI(t, "rpki", "chek")
	if code != ExitUsage || !strings.Contains(stderr, `unknown command "chek" for "filtergen rpki"; did you mean "check"?`) {
		t.Errorf("rpki chek: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = runCLI(t, "zzzzzz")
	if code != ExitUsage || strings.Contains(stderr, "did you mean") {
		t.Errorf("no suggestion expected: exit %d, stderr %q", code, stderr)
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runCLI(t, "--version")
	if code != 0 || !strings.HasPrefix(out, "filtergen ") || !strings.Contains(out, runtime.Version()) {
		t.Errorf("--version: exit %d, %q", code, out)
	}
	bi := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.3"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"},
			{Key: "vcs.time", Value: "2026-12-01T10:00:00Z"}}}
	if got := formatVersion(bi); !strings.HasPrefix(got, "filtergen v1.2.3 revision 0123456789ab+dirty (2026-12-01T10:00:00Z) go1.26.0") {
		t.Errorf("formatVersion = %q", got)
	}
}

// A message never repeats its own prefix.
func TestNoRepeatedPrefix(t *testing.T) {
	dir := setup(t)
	// A shrink: the peer is named once.
	b, _ := os.ReadFile(filepath.Join(dir, "db.rpsl"))
	write(t, dir, "db.rpsl", strings.Replace(string(b), "members: AS1000, AS1001", "members: AS2000", 1))
	_, _, stderr := runCLI(t, "compile", filepath.Join(dir, "policy.yaml"), "-o", filepath.Join(dir, "out"))
	if strings.Count(stderr, `peer "A"`) != 1 || strings.Contains(stderr, "filtergen: filtergen:") {
		t.Errorf("shrink message repeats itself:\n%s", stderr)
	}
	// An error from the library that carries its package's name.
	_, _, stderr = runCLI(t, "explain", filepath.Join(dir, "policy.yaml"), "NOBODY", "11.0.0.0/16")
	if !strings.Contains(stderr, `no peer "NOBODY"`) || strings.Contains(stderr, "filtergen: filtergen:") {
		t.Errorf("unknown peer: %q", stderr)
	}
}
