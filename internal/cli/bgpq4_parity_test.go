package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/filtergen/filtergen/irr"
)

// The bgpq4 parity suite: every line of testdata/bgpq4-parity.txt runs
// the real bgpq4 1.9 and `filtergen bgpq4` against filtergen's own IRRd
// server on 127.0.0.1, once as a server with !a and once without, and
// `filtergen bgpq4 --registry` offline; stdout must be identical byte for
// byte and the exit codes equal, except for the deliberate differences the
// file lists.

const sharedDir = "../../../shared"

type parityLine struct {
	n        int // line number in the file
	data     string
	args     []string
	differs  string // "", "both", "a" or "noa"
	only     bool   // filtergen-only: bgpq4 is not run
	wantExit int
	reason   string
}

var annotation = regexp.MustCompile(`^(differs(?:\[(a|noa)\])?|filtergen-only) exit=(\d+): (.+)$`)

// splitShell splits a line the way sh does for words and single quotes.
func splitShell(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	in, quoted := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quoted && c == '\'':
			quoted = false
		case quoted:
			cur.WriteByte(c)
		case c == '\'':
			quoted, in = true, true
		case c == ' ' || c == '\t':
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteByte(c)
			in = true
		}
	}
	if quoted {
		return nil, errors.New("unterminated quote")
	}
	if in {
		out = append(out, cur.String())
	}
	return out, nil
}

func readParityLines(t *testing.T) []parityLine {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "bgpq4-parity.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []parityLine
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		l := parityLine{n: n}
		if i := strings.Index(text, " # "); i >= 0 {
			m := annotation.FindStringSubmatch(text[i+3:])
			if m == nil {
				t.Fatalf("bgpq4-parity.txt:%d: bad annotation %q", n, text[i+3:])
			}
			if m[1] == "filtergen-only" {
				l.only = true
			} else {
				l.differs = "both"
				if m[2] != "" {
					l.differs = m[2]
				}
			}
			l.wantExit, _ = strconv.Atoi(m[3])
			l.reason = m[4]
			text = text[:i]
		}
		words, err := splitShell(text)
		if err != nil || len(words) < 2 {
			t.Fatalf("bgpq4-parity.txt:%d: %q: %v", n, text, err)
		}
		l.data, l.args = words[0], words[1:]
		lines = append(lines, l)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// parityData is one dataset, loaded once, served twice.
type parityData struct {
	file string
	reg  *irr.Registry
	addr map[string]string // mode ("a", "noa") -> server address
}

func startIRRd(t *testing.T, reg *irr.Registry, noA bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := irr.NewServer(reg)
	srv.NoA = noA
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		srv.Serve(ctx, ln)
	}()
	t.Cleanup(func() { cancel(); wg.Wait() })
	return ln.Addr().String()
}

func loadParityData(t *testing.T, name string) *parityData {
	t.Helper()
	var file string
	switch name {
	case "demo":
		file = filepath.Join(sharedDir, "testdata", "demo", "bgpq4-demo.rpsl")
		if _, err := os.Stat(file); err != nil {
			t.Skipf("shared demo data not available: %v", err)
		}
	case "rs":
		file = filepath.Join("testdata", "bgpq4-parity.rpsl")
	case "gen":
		gen := filepath.Join(sharedDir, "tools", "gen-rpsl.py")
		py, err := exec.LookPath("python3")
		if err != nil {
			t.Skip("python3 not installed: cannot generate the gen dataset")
		}
		if _, err := os.Stat(gen); err != nil {
			t.Skipf("shared gen-rpsl.py not available: %v", err)
		}
		file = filepath.Join(t.TempDir(), "gen.rpsl")
		cmd := exec.Command(py, gen, "--seed", "7", "--asns", "400", "--routes", "5000", "--private", "3",
			"--out", file, "--manifest", file+".json")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("gen-rpsl.py: %v\n%s", err, out)
		}
	default:
		t.Fatalf("unknown dataset %q", name)
	}
	reg, err := irr.LoadFiles(context.Background(), irr.LoadOptions{}, file)
	if err != nil {
		t.Fatal(err)
	}
	return &parityData{file: file, reg: reg, addr: map[string]string{
		"a":   startIRRd(t, reg, false),
		"noa": startIRRd(t, reg, true),
	}}
}

// runRealBgpq4 runs /usr/bin/bgpq4 with IRRD_SOURCES unset.
func runRealBgpq4(t *testing.T, bin, addr string, args []string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"-h", addr}, args...)...)
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "IRRD_SOURCES=") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	var out bytes.Buffer
	cmd.Stdout = &out
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return out.String(), ee.ExitCode()
	case err != nil:
		t.Fatalf("bgpq4 %q: %v", args, err)
	}
	return out.String(), 0
}

// runFiltergen runs `filtergen bgpq4 ARGS` in-process.
func runFiltergen(args []string) (stdout, stderr string, code int) {
	var out, errOut bytes.Buffer
	f := &factory{streams: streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut},
		Getenv: func(string) string { return "" }}
	code = run(context.Background(), f, append([]string{"bgpq4"}, args...))
	return out.String(), errOut.String(), code
}

func TestBgpq4Parity(t *testing.T) {
	bin, err := exec.LookPath("bgpq4")
	if err != nil {
		t.Skip("bgpq4 is not installed (make test installs it): the parity suite needs the oracle")
	}
	if testing.Short() {
		t.Skip("parity suite skipped in -short mode")
	}
	lines := readParityLines(t)
	if len(lines) < 200 {
		t.Fatalf("only %d parity lines", len(lines))
	}
	datasets := map[string]*parityData{}
	passed := map[string]int{}
	differ := 0
	for _, l := range lines {
		d := datasets[l.data]
		if d == nil {
			d = loadParityData(t, l.data)
			datasets[l.data] = d
		}
		name := fmt.Sprintf("%d:%s:%s", l.n, l.data, strings.Join(l.args, " "))
		t.Run(name, func(t *testing.T) {
			if l.differs != "" || l.only {
				differ++
			}
			var noaOut string
			var noaCode int
			for _, mode := range []string{"noa", "a", "offline"} {
				var args []string
				var want string
				var wantCode int
				if mode == "offline" {
					args = append([]string{"--registry", d.file}, l.args...)
					want, wantCode = noaOut, noaCode
				} else {
					args = append([]string{"-h", d.addr[mode]}, l.args...)
					if !l.only {
						want, wantCode = runRealBgpq4(t, bin, d.addr[mode], l.args)
					}
					if mode == "noa" {
						noaOut, noaCode = want, wantCode
					}
				}
				got, stderr, code := runFiltergen(args)
				differs := l.only || l.differs == "both" || l.differs == mode ||
					(mode == "offline" && l.differs == "noa")
				if differs {
					if code != l.wantExit {
						t.Errorf("%s: exit %d, want %d (%s); stderr: %s", mode, code, l.wantExit, l.reason, stderr)
					}
					if code != 0 && got != "" {
						t.Errorf("%s: exit %d but %d bytes on stdout", mode, code, len(got))
					}
					if !l.only && got == want && code == wantCode {
						t.Errorf("%s: listed as a difference (%s) but filtergen matches bgpq4", mode, l.reason)
					}
					continue
				}
				if code != wantCode {
					t.Errorf("%s: exit %d, bgpq4 exit %d; stderr: %s", mode, code, wantCode, stderr)
				}
				if got != want {
					t.Errorf("%s: stdout differs from bgpq4's\n%s", mode, lineDiff(want, got))
				} else if code == wantCode {
					passed[mode]++
				}
			}
		})
	}
	t.Logf("%d lines (%d listed differences): identical to bgpq4 with !a %d, without !a %d, offline %d",
		len(lines), differ, passed["a"], passed["noa"], passed["offline"])
}

// lineDiff shows the first lines where want and got differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 8; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl || i >= len(w) || i >= len(g) {
			fmt.Fprintf(&b, "line %d:\n  bgpq4:     %q\n  filtergen: %q\n", i+1, wl, gl)
			shown++
		}
	}
	fmt.Fprintf(&b, "(%d lines from bgpq4, %d from filtergen)", len(w), len(g))
	return b.String()
}
