package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/filtergen/filtergen/outdir"
)

// runCLIAt is runCLI with the clock at now.
func runCLIAt(t *testing.T, now time.Time, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	f := &factory{
		streams: streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut},
		Getenv:  func(string) string { return "" },
		Now:     func() time.Time { return now },
	}
	code := run(context.Background(), f, args)
	return code, out.String(), errOut.String()
}

// TestReportCommand writes two reports of the IXP example into one
// directory: the second keeps the first's JSON, compares with it and
// draws the history; both print the Markdown summary.
func TestReportCommand(t *testing.T) {
	policy := filepath.Join("..", "..", "examples", "ixp-onboarding", "filtergen.yaml")
	dir := filepath.Join(t.TempDir(), "reports")
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	code, stdout, stderr := runCLIAt(t, t0, "report", policy, "-o", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "# MANRS readiness: AS59900") || !strings.Contains(stdout, "| COLOCLUE | 8283 |") {
		t.Errorf("stdout is not the summary:\n%s", stdout)
	}
	files := readTree(t, dir)
	for _, name := range []string{"report.html", "report.md", "report-20261201T120000Z.json"} {
		if len(files[name]) == 0 {
			t.Errorf("%s not written (have %v)", name, len(files))
		}
	}
	if string(files["report.md"]) != stdout {
		t.Error("report.md is not what was printed")
	}
	code, stdout, stderr = runCLIAt(t, t0.Add(time.Hour), "report", policy, "-o", dir, "--json")
	if code != 0 {
		t.Fatalf("second run: exit %d: %s", code, stderr)
	}
	var rep struct {
		Changes *struct {
			Previous time.Time `json:"previous"`
		} `json:"changes"`
		History []json.RawMessage `json:"history"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("--json: %v\n%s", err, stdout)
	}
	if rep.Changes == nil || !rep.Changes.Previous.Equal(t0) || len(rep.History) != 2 {
		t.Errorf("second report: changes %+v, %d history points", rep.Changes, len(rep.History))
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "report-20261201T130000Z.json")); string(b) != stdout {
		t.Error("the kept JSON is not what --json printed")
	}
	// A report not later than the latest in the directory is refused.
	if code, _, stderr := runCLIAt(t, t0, "report", policy, "-o", dir); code != ExitFailure || !strings.Contains(stderr, "latest report") {
		t.Errorf("a report older than the latest: exit %d, %s", code, stderr)
	}
	// --peer limits the summary; an unknown one is a usage error.
	code, stdout, _ = runCLIAt(t, t0, "report", policy, "--peer", "COLOCLUE")
	if code != 0 || strings.Contains(stdout, "RIPE_NCC") || !strings.Contains(stdout, "AS-DOES-NOT-EXIST") {
		t.Errorf("--peer COLOCLUE: exit %d\n%s", code, stdout)
	}
	if code, _, _ := runCLIAt(t, t0, "report", policy, "--peer", "NOPE"); code != ExitUsage {
		t.Errorf("--peer NOPE: exit %d, want %d", code, ExitUsage)
	}
}

// A peer that cannot be compiled is in the report as failed, and the
// exit code says so.
func TestReportFailedPeer(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("..", "..", "examples", "ixp-onboarding", "filtergen.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(filepath.Join("..", "..", "examples", "ixp-onboarding", "data"))
	y := strings.ReplaceAll(string(src), "data/", abs+"/")
	y = strings.Replace(y, "announce: [AS-CLOUDFLARE]", "announce: [AS-NO-SUCH-SET]", 1)
	policy := filepath.Join(dir, "p.yaml")
	if err := os.WriteFile(policy, []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLIAt(t, time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC), "report", policy, "--json")
	if code != ExitFailure || !strings.Contains(stderr, "CLOUDFLARE") {
		t.Errorf("exit %d, stderr %s", code, stderr)
	}
	var rep struct {
		Failed []struct{ Name, Error string } `json:"failed"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Failed) != 1 || rep.Failed[0].Name != "CLOUDFLARE" || !strings.Contains(rep.Failed[0].Error, "AS-NO-SUCH-SET") {
		t.Errorf("failed %+v", rep.Failed)
	}
}

// A report directory keeps the newest --keep-reports JSON reports, this
// one included; older ones go once the new report is in place, files
// that are not reports stay, and --keep-reports 0 keeps every report.
// The writes go through outdir, which removes a killed run's leftovers.
func TestReportRetention(t *testing.T) {
	policy := filepath.Join("..", "..", "examples", "ixp-onboarding", "filtergen.yaml")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	// What a run killed while writing leaves: outdir removes it.
	if err := os.WriteFile(filepath.Join(dir, outdir.TempPrefix+"report.html-0123"), []byte("half"), 0o644); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	jsonFiles := func() []string {
		var names []string
		for name := range readTree(t, dir) {
			if strings.HasSuffix(name, ".json") {
				names = append(names, name)
			}
		}
		slices.Sort(names)
		return names
	}
	steps := []struct {
		keep string
		want []string
	}{
		{"2", []string{"report-20261201T120000Z.json"}},
		{"2", []string{"report-20261201T120000Z.json", "report-20261201T130000Z.json"}},
		{"2", []string{"report-20261201T130000Z.json", "report-20261201T140000Z.json"}},
		{"0", []string{"report-20261201T130000Z.json", "report-20261201T140000Z.json", "report-20261201T150000Z.json"}},
		{"1", []string{"report-20261201T160000Z.json"}},
	}
	for i, s := range steps {
		code, _, stderr := runCLIAt(t, t0.Add(time.Duration(i)*time.Hour), "report", policy, "-o", dir, "--keep-reports", s.keep)
		if code != 0 {
			t.Fatalf("run %d: exit %d: %s", i, code, stderr)
		}
		if got := jsonFiles(); !slices.Equal(got, s.want) {
			t.Errorf("run %d (--keep-reports %s): %v, want %v", i, s.keep, got, s.want)
		}
	}
	files := readTree(t, dir)
	if string(files["notes.txt"]) != "mine" || len(files["report.html"]) == 0 || len(files["report.md"]) == 0 {
		t.Errorf("after the runs: %d files; notes.txt %q", len(files), files["notes.txt"])
	}
	for name := range files {
		if strings.Contains(name, outdir.TempPrefix) {
			t.Errorf("%s left behind", name)
		}
	}
	// The last report still compares with the one before it, removed
	// since: its history carries the chart.
	var rep struct {
		History []json.RawMessage `json:"history"`
	}
	if err := json.Unmarshal(files["report-20261201T160000Z.json"], &rep); err != nil || len(rep.History) != 5 {
		t.Errorf("history of the last report: %d points (%v), want 5", len(rep.History), err)
	}
}
