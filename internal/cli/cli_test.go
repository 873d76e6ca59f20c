package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
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
