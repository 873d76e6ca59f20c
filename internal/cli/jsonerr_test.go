package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestJSONErrors: every command with --json reports a failure on stderr as
// exactly one JSON object with the message and the exit code, and prints
// nothing on stdout.
func TestJSONErrors(t *testing.T) {
	dir := setup(t)
	policy := filepath.Join(dir, "policy.yaml")
	write(t, dir, "bad-set.yaml", strings.Replace(testPolicy, "announce: [AS-B]", "announce: [AS-NOPE]", 1))
	tests := []struct {
		name   string
		args   []string
		exit   int
		msg    string   // the error must contain this
		failed []string // failed_peers
	}{
		{name: "compile, missing set", args: []string{"compile", filepath.Join(dir, "bad-set.yaml"), "-o", filepath.Join(dir, "out2"), "--json"},
			exit: 1, msg: `peer "B": expand AS-NOPE`, failed: []string{"B"}},
		{name: "compile, no policy file", args: []string{"compile", filepath.Join(dir, "nope.yaml"), "--json"},
			exit: 1, msg: "nope.yaml"},
		{name: "compile, usage", args: []string{"compile", policy, "--json", "--check", "--diff"},
			exit: 2, msg: "--check and --diff are exclusive"},
		{name: "compile, unknown flag before --json", args: []string{"compile", "--bogus", policy, "--json"},
			exit: 2, msg: "unknown flag: --bogus"},
		{name: "explain, usage", args: []string{"explain", policy, "A", "not-a-prefix", "--json"},
			exit: 2, msg: `"not-a-prefix" is not a prefix`},
		{name: "explain, unknown peer", args: []string{"explain", policy, "Z", "11.0.0.0/16", "--json"},
			exit: 1, msg: `no peer "Z"`},
		{name: "expand, missing set", args: []string{"expand", "--registry", filepath.Join(dir, "db.rpsl"), "--json", "AS-NOPE"},
			exit: 1, msg: "AS-NOPE"},
		{name: "rpki check, missing file", args: []string{"rpki", "check", "--vrps", filepath.Join(dir, "nope.json"), "--json", "11.0.0.0/16", "AS1000"},
			exit: 1, msg: "nope.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != tt.exit {
				t.Errorf("exit %d, want %d", code, tt.exit)
			}
			if stdout != "" {
				t.Errorf("stdout not empty: %q", stdout)
			}
			dec := json.NewDecoder(strings.NewReader(stderr))
			var got jsonError
			dec.DisallowUnknownFields()
			if err := dec.Decode(&got); err != nil {
				t.Fatalf("stderr is not a JSON error object: %v\n%s", err, stderr)
			}
			if dec.More() {
				t.Errorf("more than one JSON value on stderr:\n%s", stderr)
			}
			if !strings.HasSuffix(stderr, "}\n") || strings.Count(stderr, "\n") != 1 {
				t.Errorf("stderr is not one line:\n%s", stderr)
			}
			if got.Exit != code || !strings.Contains(got.Error, tt.msg) {
				t.Errorf("got %+v, want exit %d and an error containing %q", got, code, tt.msg)
			}
			if diff := cmp.Diff(tt.failed, got.FailedPeers); diff != "" {
				t.Errorf("failed_peers (-want +got):\n%s", diff)
			}
		})
	}
	// Without --json the same failure is plain text.
	code, _, stderr := runCLI(t, "expand", "--registry", filepath.Join(dir, "db.rpsl"), "AS-NOPE")
	if code != 1 || !strings.HasPrefix(stderr, "filtergen: ") || strings.HasPrefix(stderr, "{") {
		t.Errorf("without --json: exit %d, stderr %q", code, stderr)
	}
	// --check with --json and changes: exit 3, no error object.
	write(t, dir, "db.rpsl", strings.Replace(testRPSL, "route:   11.3.0.0/16", "route:   11.4.0.0/16", 1))
	code, _, stderr = runCLI(t, "compile", policy, "-o", filepath.Join(dir, "out"), "--check", "--json")
	if code != ExitChanged || stderr != "" {
		t.Errorf("--check --json with changes: exit %d, stderr %q", code, stderr)
	}
}

// TestProgress: the progress line appears on a terminal, and not with
// --quiet or --json.
func TestProgress(t *testing.T) {
	dir := setup(t)
	run1 := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		f := &factory{
			streams:    streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut},
			Getenv:     func(string) string { return "" },
			IsTerminal: true,
		}
		return run(context.Background(), f, args), errOut.String()
	}
	base := []string{"compile", filepath.Join(dir, "policy.yaml"), "-o", filepath.Join(dir, "out")}
	for _, tt := range []struct {
		name  string
		args  []string
		shown bool
	}{
		{"terminal", nil, true},
		{"quiet", []string{"--quiet"}, false},
		{"quiet short", []string{"-q"}, false},
		{"json", []string{"--json"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stderr := run1(append(append([]string{}, base...), tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if got := strings.Contains(stderr, "compiling: 2/2 peers"); got != tt.shown {
				t.Errorf("progress shown %v, want %v; stderr %q", got, tt.shown, stderr)
			}
			// The last thing drawn is the final count, ended by a newline;
			// the summary line follows.
			if tt.shown && !regexp.MustCompile(`compiling: 2/2 peers \([^)]*\)\x1b\[K\nfiltergen: compiled 2 peers[^\n]*\n$`).MatchString(stderr) {
				t.Errorf("progress does not end with the final count: %q", stderr)
			}
		})
	}
}
