package filtergen_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/irr"
)

// stallIRR fails AS-BAD at once and blocks every other expansion until
// its context ends, as a stalling server would.
type stallIRR struct{ fakeIRR }

func (s *stallIRR) ExpandASNs(ctx context.Context, object string, opts *irr.ExpandOptions) ([]uint32, *irr.Report, error) {
	if object == "AS-BAD" {
		return nil, nil, errors.New("server said no")
	}
	<-ctx.Done()
	return nil, nil, ctx.Err()
}

// The first failed peer cancels the rest: the compile ends instead of
// waiting for every stalled peer, and says how many were canceled.
func TestCompileFailFast(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: 2\nlocal_as: 65000\nirr:\n  dumps: [x.rpsl]\nrouters:\n  - {name: r1, platform: bird2}\npeers:\n")
	for i := range 10 {
		fmt.Fprintf(&b, "  - {name: P%d, asn: %d, announce: [AS-P%d]}\n", i, 100+i, i)
	}
	b.WriteString("  - {name: BAD, asn: 99, announce: [AS-BAD]}\n")
	pol := mustPolicy(t, b.String())
	done := make(chan error, 1)
	go func() {
		_, err := filtergen.Compile(context.Background(), pol, filtergen.CompileOptions{IRR: &stallIRR{}, Parallel: 11})
		done <- err
	}()
	select {
	case err := <-done:
		if got := filtergen.FailedPeers(err); len(got) != 1 || got[0] != "BAD" {
			t.Errorf("failed peers %v, want [BAD]: %v", got, err)
		}
		if !errors.Is(err, filtergen.ErrCanceledByFailure) || !strings.Contains(err.Error(), "10 other peer(s) canceled") {
			t.Errorf("error %q does not count the canceled peers", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Compile waited for stalled peers after one failed")
	}
}

// fail_on_missing_set makes a dangling reference fatal for that peer only.
func TestCompileFailOnMissingSet(t *testing.T) {
	f, r := testData() // AS-ACME lists AS-MISSING, which does not exist
	res, err := compileTest(t, mustPolicy(t, basePolicy), f, r, nil)
	if err != nil {
		t.Fatal(err)
	}
	if w := res.Peers[0].Warnings; len(w) != 1 || !strings.Contains(w[0], `"AS-MISSING"`) {
		t.Errorf("warnings %q", w)
	}
	y := strings.Replace(basePolicy, "  - name: ACME\n", "  - name: ACME\n    fail_on_missing_set: true\n", 1)
	_, err = compileTest(t, mustPolicy(t, y), f, r, func(o *filtergen.CompileOptions) { o.KeepGoing = true })
	if !errors.Is(err, filtergen.ErrMissingSet) || strings.Join(filtergen.FailedPeers(err), ",") != "ACME" {
		t.Errorf("got %v, want ACME failed with ErrMissingSet", err)
	}
}
