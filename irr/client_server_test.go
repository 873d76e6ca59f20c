package irr_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/filtergen/filtergen/irr"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/sync/errgroup"
)

// demoObjects lists every set, aut-num and origin ASN in an RPSL file.
func demoObjects(t testing.TB, path string) (sets []string, asns []uint32) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := map[string]bool{}
	seenASN := map[uint32]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch k {
		case "as-set", "route-set":
			if !seen[v] {
				seen[v] = true
				sets = append(sets, v)
			}
		case "aut-num", "origin":
			var n uint32
			if _, err := fmt.Sscanf(v, "AS%d", &n); err == nil && !seenASN[n] {
				seenASN[n] = true
				asns = append(asns, n)
			}
		}
	}
	return sets, asns
}

// sameOutcome compares a client result with the registry's: equal values,
// or errors of the same kind.
func sameOutcome[T any](t *testing.T, what string, want T, wantErr error, got T, gotErr error) {
	t.Helper()
	if (wantErr == nil) != (gotErr == nil) {
		t.Errorf("%s: registry error %v, client error %v", what, wantErr, gotErr)
		return
	}
	if wantErr != nil {
		for _, sentinel := range []error{irr.ErrNotFound, irr.ErrForbiddenMember, irr.ErrLimit} {
			if errors.Is(wantErr, sentinel) != errors.Is(gotErr, sentinel) {
				t.Errorf("%s: registry error %v, client error %v", what, wantErr, gotErr)
			}
		}
		return
	}
	if diff := cmp.Diff(want, got, cmpNet, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("%s (-registry +client):\n%s", what, diff)
	}
}

// outcome is one expansion's result or error.
type outcome struct {
	asns     []uint32
	asnErr   error
	missing  []string
	prefixes [2][]irr.PrefixRange
	pfxErr   [2]error
}

// crossCheck expands each object offline and through the client against
// a filtergen server over the same registry, in every client mode.
func crossCheck(t *testing.T, reg *irr.Registry, objects []string, asns []uint32, optsList []*irr.ExpandOptions) {
	ctx := context.Background()
	fams := [2]irr.Family{irr.IPv4, irr.IPv6}
	want := make([][]outcome, len(optsList))
	wantRoutes := make([][2][]irr.Route, len(optsList))
	for i, opts := range optsList {
		want[i] = make([]outcome, len(objects))
		for j, obj := range objects {
			o := &want[i][j]
			var rep *irr.Report
			o.asns, rep, o.asnErr = reg.ExpandASNs(ctx, obj, opts)
			if o.asnErr == nil {
				o.missing = missingNames(rep)
			}
			for k, fam := range fams {
				o.prefixes[k], _, o.pfxErr[k] = reg.ExpandPrefixes(ctx, obj, fam, opts)
			}
		}
		for k, fam := range fams {
			rs, err := reg.Routes(ctx, asns, fam, opts)
			if err != nil {
				t.Fatal(err)
			}
			wantRoutes[i][k] = withoutSources(rs)
		}
	}
	for _, noA := range []bool{false, true} {
		_, addr := startServer(t, reg, func(s *irr.Server) { s.NoA = noA })
		for _, walk := range []bool{false, true} {
			t.Run(fmt.Sprintf("noA=%v/walk=%v", noA, walk), func(t *testing.T) {
				c := &irr.Client{Servers: []string{addr}, ServerRecursion: !walk, Timeout: time.Minute}
				defer c.Close()
				for i, opts := range optsList {
					for j, obj := range objects {
						w := want[i][j]
						what := fmt.Sprintf("%s %+v", obj, opts)
						ga, grep, gerr := c.ExpandASNs(ctx, obj, opts)
						sameOutcome(t, "ASNs of "+what, w.asns, w.asnErr, ga, gerr)
						if walk && w.asnErr == nil && gerr == nil {
							sameOutcome(t, "missing sets of "+what, w.missing, nil, missingNames(grep), nil)
						}
						for k, fam := range fams {
							gp, _, gerr := c.ExpandPrefixes(ctx, obj, fam, opts)
							sameOutcome(t, fmt.Sprintf("%v prefixes of %s", fam, what), w.prefixes[k], w.pfxErr[k], gp, gerr)
						}
					}
					if len(asns) > 0 {
						for k, fam := range fams {
							gr, gerr := c.Routes(ctx, asns, fam, opts)
							sameOutcome(t, fmt.Sprintf("%v routes %+v", fam, opts), wantRoutes[i][k], nil, gr, gerr)
						}
					}
				}
			})
		}
	}
}

func missingNames(r *irr.Report) []string {
	var out []string
	for _, m := range r.Missing {
		out = append(out, m.Name)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// withoutSources drops Route.Source, which IRRd does not send, and the
// duplicates that leaves.
func withoutSources(rs []irr.Route) []irr.Route {
	out := make([]irr.Route, 0, len(rs))
	for _, r := range rs {
		r.Source = ""
		if len(out) == 0 || out[len(out)-1] != r {
			out = append(out, r)
		}
	}
	return out
}

// TestClientServerDemo: for every object of the demo data, the client
// against a filtergen server (with and without !a, server-side and
// client-side recursion) gives the offline registry's expansion.
func TestClientServerDemo(t *testing.T) {
	leakCheck(t)
	reg := srvLoadDemo(t)
	sets, asns := demoObjects(t, srvDemoPath)
	objects := append([]string{}, sets...)
	for _, s := range sets {
		objects = append(objects, "RIPE::"+s, "RADB::"+s)
	}
	for _, a := range asns {
		objects = append(objects, fmt.Sprintf("AS%d", a))
	}
	objects = append(objects, "AS-NOSUCH", "RS-NOSUCH", "192.0.2.0/24^+")
	crossCheck(t, reg, objects, asns, []*irr.ExpandOptions{
		nil,
		{Sources: []string{"RIPE"}},
		{Sources: []string{"RADB", "RIPE"}},
		{Sources: []string{"RIPE"}, RouteSources: []string{"RADB"}},
		{MaxDepth: 1},
		{MaxDepth: 2},
		{Exclude: []string{"AS-CUST", "AS200"}},
	})
}

// genDataset runs shared/tools/gen-rpsl.py into a temporary directory
// (small: 2,000 ASNs and 40,000 routes, under a second, so that -race
// runs stay short) and returns the dump.
func genDataset(t testing.TB) string {
	t.Helper()
	tool := filepath.Join("..", "..", "shared", "tools", "gen-rpsl.py")
	if _, err := os.Stat(tool); err != nil {
		t.Skip("shared/tools/gen-rpsl.py not present beside the project:", err)
	}
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	path := filepath.Join(t.TempDir(), "gen.rpsl")
	out, err := exec.Command("python3", tool, "--seed", "7", "--asns", "2000", "--routes", "40000",
		"--out", path).CombinedOutput()
	if err != nil {
		t.Fatalf("gen-rpsl.py: %v\n%s", err, out)
	}
	return path
}

func loadGenerated(t testing.TB) *irr.Registry {
	t.Helper()
	path := genDataset(t)
	reg, err := irr.LoadFiles(context.Background(), irr.LoadOptions{}, path)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// TestGenerated runs the cross-check and the load test on a generated
// dataset.
func TestGenerated(t *testing.T) {
	leakCheck(t)
	reg := loadGenerated(t)
	t.Run("cross-check", func(t *testing.T) {
		objects := []string{"AS-TOP"}
		for i, s := range sets(reg) {
			if i%100 == 1 {
				objects = append(objects, s)
			}
		}
		crossCheck(t, reg, objects, nil, []*irr.ExpandOptions{nil, {MaxDepth: 3}})
	})
	t.Run("load", func(t *testing.T) { loadTest(t, reg, 100) })
}

// sets lists the as-set names reachable from AS-TOP.
func sets(reg *irr.Registry) []string {
	_, rep, err := reg.ExpandASNs(context.Background(), "AS-TOP", nil)
	if err != nil {
		return nil
	}
	var out []string
	for s := range rep.Sets {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// loadTest has n clients, each with its own connection, expand AS-TOP
// (v4 and v6) at once against one server: all must succeed with the
// registry's answer, and afterwards the server must hold no more than its
// bounded cache. (The server process's peak RSS under this load is measured
// by bench/irrd.sh; in one process the clients' own results dominate.)
func loadTest(t *testing.T, reg *irr.Registry, n int) {
	ctx := context.Background()
	want4, _, err := reg.ExpandPrefixes(ctx, "AS-TOP", irr.IPv4, nil)
	if err != nil {
		t.Fatal(err)
	}
	want6, _, err := reg.ExpandPrefixes(ctx, "AS-TOP", irr.IPv6, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv, addr := startServer(t, reg, nil)
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var peak uint64
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Add(1)
	go func() {
		defer sampler.Done()
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
		}
	}()
	var g errgroup.Group
	for i := range n {
		g.Go(func() error {
			c := &irr.Client{Servers: []string{addr}, Conns: 1, Timeout: 2 * time.Minute, Retries: -1}
			defer c.Close()
			got4, _, err := c.ExpandPrefixes(ctx, "AS-TOP", irr.IPv4, nil)
			if err != nil {
				return fmt.Errorf("client %d: %w", i, err)
			}
			got6, _, err := c.ExpandPrefixes(ctx, "AS-TOP", irr.IPv6, nil)
			if err != nil {
				return fmt.Errorf("client %d: %w", i, err)
			}
			if !slices.Equal(got4, want4) || !slices.Equal(got6, want6) {
				return fmt.Errorf("client %d: %d/%d prefixes, want %d/%d", i, len(got4), len(got6), len(want4), len(want6))
			}
			return nil
		})
	}
	err = g.Wait()
	close(stop)
	sampler.Wait()
	if err != nil {
		t.Fatal(err)
	}
	// Every client has closed; the server must let go of their
	// connections and keep only its bounded answer cache.
	for i := 0; i < 200 && srv.Conns() > 0; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if srv.Conns() != 0 {
		t.Errorf("%d connections still open after the clients closed", srv.Conns())
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapInuse) - int64(before.HeapInuse); grown > 64<<20 {
		t.Errorf("server retains %d MB more heap after %d clients", grown>>20, n)
	}
	t.Logf("%d clients x %d+%d prefixes; heap in use before %d MB, peak %d MB (clients included), after %d MB",
		n, len(want4), len(want6), before.HeapInuse>>20, peak>>20, after.HeapInuse>>20)
}
