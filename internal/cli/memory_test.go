package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// buildFiltergen builds the command once, without the race detector
// (whose shadow memory would swamp what is measured, and which makes a
// child ten times slower), for the tests that run it as a child process.
func buildFiltergen(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		gobin, err := exec.LookPath("go")
		if err != nil {
			buildErr = err
			return
		}
		if builtDir, buildErr = os.MkdirTemp("", "filtergen-cli-test"); buildErr != nil {
			return
		}
		builtBin = filepath.Join(builtDir, "filtergen")
		out, err := exec.Command(gobin, "build", "-o", builtBin, "github.com/filtergen/filtergen/cmd/filtergen").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Skipf("cannot build filtergen: %v", buildErr)
	}
	return builtBin
}

var (
	buildOnce          sync.Once
	builtDir, builtBin string // removed by TestMain
	buildErr           error
)

// memPolicy writes a registry of one AS-SET with routes prefixes and a
// policy of peers peers that all announce it: the registry and the
// largest peer stay the same whatever the number of peers.
func memPolicy(t *testing.T, dir string, routes, peers int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("as-set: AS-BIG\nmembers: AS1000\nsource: TEST\n\n")
	for i := range routes {
		// Disjoint /24s that do not aggregate: 20.x.y.0/24 with odd y.
		fmt.Fprintf(&b, "route: %d.%d.%d.0/24\norigin: AS1000\nsource: TEST\n\n", 20+i/32768, (i/128)%256, (i%128)*2+1)
	}
	write(t, dir, "db.rpsl", b.String())
	b.Reset()
	b.WriteString("version: 2\nlocal_as: 3000\nirr:\n  dumps: [db.rpsl]\ndefaults:\n  families: [ipv4]\nrouters:\n  - {name: r1, platform: bird2}\npeers:\n")
	for i := range peers {
		fmt.Fprintf(&b, "  - {name: P%d, asn: 1000, announce: [AS-BIG]}\n", i)
	}
	p := filepath.Join(dir, fmt.Sprintf("policy-%d.yaml", peers))
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// peakRSS runs compile in a child process and returns its peak resident
// set size in bytes.
func peakRSS(t *testing.T, bin string, args ...string) int64 {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "GOGC=50")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Skip("no rusage on this platform")
	}
	return ru.Maxrss * 1024 // kilobytes on Linux
}

// compile's peak memory is bounded by the largest peer plus the
// registry, not by the sum of the peers: each peer's file is staged as
// soon as it is rendered and its filter released. 48 peers of 20,000
// prefixes each (about 0.35 MB of BIRD text per file, 16 MB in all) must
// peak within less than their total output of 8 such peers. Before, each
// peer cost about 3 MB more (its file and its filter, held to the end):
// 140 MB more for 48 peers.
func TestCompilePeakMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	if runtime.GOOS != "linux" {
		t.Skip("ru_maxrss is in kilobytes on Linux only")
	}
	dir := t.TempDir()
	const routes = 20000
	few := memPolicy(t, dir, routes, 8)
	many := memPolicy(t, dir, routes, 48)
	bin := buildFiltergen(t)
	rssFew := peakRSS(t, bin, "compile", few, "-o", filepath.Join(dir, "few"), "--parallel", "2", "-q")
	rssMany := peakRSS(t, bin, "compile", many, "-o", filepath.Join(dir, "many"), "--parallel", "2", "-q")
	st, err := os.Stat(filepath.Join(dir, "many", "r1.d", "P0.conf"))
	if err != nil {
		t.Fatal(err)
	}
	total := st.Size() * 48
	t.Logf("peak RSS: 8 peers %d MB, 48 peers %d MB; output %d MB", rssFew>>20, rssMany>>20, total>>20)
	// Holding every file (or every peer's filter) would add more than
	// the total output; the garbage collector's pacing varies the peak
	// by some megabytes from run to run.
	if rssMany-rssFew > total {
		t.Errorf("peak RSS grew by %d MB from 8 to 48 peers; the output is %d MB: memory follows the sum of the peers",
			(rssMany-rssFew)>>20, total>>20)
	}
}
