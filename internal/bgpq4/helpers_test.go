package bgpq4

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/filtergen/filtergen/irr"
)

// noData is an Expander for command lines made of prefixes only: any
// query is a test failure.
type noData struct{}

var errNoData = errors.New("test: no data behind this expander")

func (noData) ExpandASNs(context.Context, string, *irr.ExpandOptions) ([]uint32, *irr.Report, error) {
	return nil, nil, errNoData
}
func (noData) ExpandPrefixes(context.Context, string, irr.Family, *irr.ExpandOptions) ([]irr.PrefixRange, *irr.Report, error) {
	return nil, nil, errNoData
}
func (noData) Routes(context.Context, []uint32, irr.Family, *irr.ExpandOptions) ([]irr.Route, error) {
	return nil, errNoData
}

// generate runs a bgpq4 command line against exp and returns stdout,
// stderr and the exit code bgpq4 would use.
func generate(t *testing.T, exp irr.Expander, args ...string) (string, string, int) {
	t.Helper()
	o, err := Parse(args, nil)
	if err == nil {
		var out, errOut bytes.Buffer
		err = Generate(context.Background(), exp, o, &out, &errOut)
		if err == nil {
			return out.String(), errOut.String(), 0
		}
		if out.Len() != 0 {
			t.Errorf("%q: error %v after writing %d bytes", args, err, out.Len())
		}
	}
	var e *Error
	if errors.As(err, &e) {
		return "", e.Msg, e.Code
	}
	return "", err.Error(), 1
}

// handshakeServer answers bgpq4's session setup and nothing else (every
// query is "D"): enough to run bgpq4 on command lines made only of
// prefixes, which need no data, so that golden files can be checked
// against it. It returns the address.
func handshakeServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					var reply string
					switch q := strings.TrimSpace(line); {
					case q == "!!":
						continue
					case q == "!q":
						return
					case q == "!s-lc":
						reply = "A5\nTEST\nC\n"
					case strings.HasPrefix(q, "!n"), strings.HasPrefix(q, "!s"):
						reply = "C\n"
					default:
						reply = "D\n"
					}
					if _, err := c.Write([]byte(reply)); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// runBgpq4 runs the real bgpq4 with -h addr and returns stdout and the
// exit code.
func runBgpq4(t *testing.T, bin, addr string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"-h", addr}, args...)...)
	var out bytes.Buffer
	cmd.Stdout = &out
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("bgpq4 %q: %v", args, err)
	}
	return out.String(), code
}

func bgpq4Path(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("bgpq4")
	if err != nil {
		t.Skip("bgpq4 is not installed (apt-get install bgpq4; make test does it): cannot compare against the oracle")
	}
	return p
}
