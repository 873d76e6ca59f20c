package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/filtergen/filtergen/outdir"
)

// Killing compile at any moment leaves a directory a router can load:
// every file a router file includes exists (peer files are renamed into
// place before the router files that include them). The next run removes
// the temporary files the killed ones left, and ends with a complete,
// current directory.
func TestCompileKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	bin := buildFiltergen(t)
	dir := t.TempDir()
	// Enough work per run that kills land at different stages: 24 peers
	// of 5,000 prefixes, and the registry to load.
	policy := memPolicy(t, dir, 5000, 24)
	out := filepath.Join(dir, "out")
	include := regexp.MustCompile(`include "([^"]+)";`)
	// A first complete run, then the policy changes so that every later
	// run rewrites every file: a kill can land between renames.
	run := func(kill time.Duration) (killed bool) {
		cmd := exec.Command(bin, "compile", policy, "-o", out, "--force", "-q", "--parallel", "2")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if kill > 0 {
			timer := time.AfterFunc(kill, func() { cmd.Process.Signal(syscall.SIGKILL) })
			defer timer.Stop()
		}
		err := cmd.Wait()
		if err != nil && !strings.Contains(err.Error(), "killed") {
			t.Fatalf("compile: %v", err)
		}
		return err != nil
	}
	start := time.Now()
	run(0)
	full := time.Since(start)
	const kills = 10
	killed, leftovers := 0, 0
	db, err := os.ReadFile(filepath.Join(dir, "db.rpsl"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range kills {
		// Every peer announces AS-BIG: one route more or less changes
		// every file.
		data := db
		if i%2 == 0 {
			data = append(slices.Clip(db), "route: 30.0.0.0/24\norigin: AS1000\nsource: TEST\n"...)
		}
		write(t, dir, "db.rpsl", string(data))
		if run(full * time.Duration(i+1) / (kills + 1)) {
			killed++
		}
		for name := range readTree(t, out) {
			if strings.Contains(name, outdir.TempPrefix) {
				leftovers++
			}
		}
		// Whatever the moment: every include of the router file exists.
		conf, err := os.ReadFile(filepath.Join(out, "r1.conf"))
		if err != nil {
			t.Fatalf("kill %d: %v", i, err)
		}
		for _, m := range include.FindAllStringSubmatch(string(conf), -1) {
			if _, err := os.Stat(filepath.Join(out, m[1])); err != nil {
				t.Fatalf("kill %d: r1.conf includes %s, which does not exist", i, m[1])
			}
		}
	}
	if killed == 0 {
		t.Fatal("no run was killed; the test proves nothing")
	}
	// The next run cleans up and completes.
	run(0)
	for name := range readTree(t, out) {
		if strings.Contains(name, outdir.TempPrefix) {
			t.Errorf("%s left after a complete run", name)
		}
	}
	if code, stdout, stderr := runCLI(t, "compile", policy, "-o", out, "--check"); code != 0 {
		t.Errorf("after the runs, --check: exit %d\n%s%s", code, stdout, stderr)
	}
	t.Logf("%d of %d runs killed, leaving %d temporary files in all; a full run takes %s",
		killed, kills, leftovers, full.Truncate(time.Millisecond))
}
