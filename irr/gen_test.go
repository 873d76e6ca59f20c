package irr

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// genManifest is the part of gen-rpsl.py's manifest we check against.
type genManifest struct {
	Top struct {
		Name             string `json:"name"`
		ASNsReachable    int    `json:"asns_reachable"`
		UniqueV4Prefixes int    `json:"unique_v4_prefixes"`
		UniqueV6Prefixes int    `json:"unique_v6_prefixes"`
	} `json:"top"`
}

var genTool = filepath.Join("..", "..", "shared", "tools", "gen-rpsl.py")

// generate runs shared/tools/gen-rpsl.py into dir and returns the dump
// path and its manifest, skipping the test when the tool or python3 is
// absent.
func generate(tb testing.TB, dir string, args ...string) (string, genManifest) {
	tb.Helper()
	if _, err := os.Stat(genTool); err != nil {
		tb.Skip("shared/tools/gen-rpsl.py not present beside the project:", err)
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		tb.Skip("python3 not installed:", err)
	}
	out := filepath.Join(dir, "gen.rpsl")
	man := filepath.Join(dir, "gen.json")
	cmd := exec.Command(py, append([]string{genTool, "--out", out, "--manifest", man}, args...)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("gen-rpsl.py: %v\n%s", err, b)
	}
	var m genManifest
	b, err := os.ReadFile(man)
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		tb.Fatal(err)
	}
	return out, m
}

// TestGeneratedGroundTruth checks expansion against the generator's own
// count of what AS-TOP reaches, which our code did not compute.
func TestGeneratedGroundTruth(t *testing.T) {
	for _, seed := range []string{"1", "7"} {
		t.Run("seed"+seed, func(t *testing.T) {
			path, m := generate(t, t.TempDir(), "--seed", seed, "--asns", "2000", "--routes", "30000")
			reg, err := LoadFiles(context.Background(), LoadOptions{Strict: true}, path)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			asns, rep, err := reg.ExpandASNs(ctx, m.Top.Name, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(asns) != m.Top.ASNsReachable {
				t.Errorf("ASNs = %d, manifest %d", len(asns), m.Top.ASNsReachable)
			}
			if len(rep.Missing)+len(rep.Loops) == 0 {
				t.Errorf("generated data has dangling references or loops; the report has none")
			}
			v4, _, err := reg.ExpandPrefixes(ctx, m.Top.Name, IPv4, nil)
			if err != nil {
				t.Fatal(err)
			}
			v6, _, err := reg.ExpandPrefixes(ctx, m.Top.Name, IPv6, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(v4) != m.Top.UniqueV4Prefixes || len(v6) != m.Top.UniqueV6Prefixes {
				t.Errorf("prefixes v4 %d v6 %d, manifest %d %d", len(v4), len(v6), m.Top.UniqueV4Prefixes, m.Top.UniqueV6Prefixes)
			}
			for i := 1; i < len(v4); i++ {
				if comparePrefix(v4[i-1].Prefix, v4[i].Prefix) >= 0 {
					t.Fatalf("v4 not sorted or not unique at %d: %v %v", i, v4[i-1], v4[i])
				}
			}
		})
	}
}

// benchData is a generated dataset shared by the benchmarks. Set
// FILTERGEN_BENCH_RPSL to a dump (for example the 100k-ASN/2M-route one)
// to measure at full size; by default a 20k-ASN/400k-route one is made.
var benchData struct {
	once sync.Once
	path string
	man  genManifest
	dir  string
}

func benchDataset(b *testing.B) string {
	benchData.once.Do(func() {
		if p := os.Getenv("FILTERGEN_BENCH_RPSL"); p != "" {
			benchData.path = p
			benchData.man.Top.Name = "AS-TOP"
			return
		}
		dir, err := os.MkdirTemp("", "filtergen-bench")
		if err != nil {
			b.Fatal(err)
		}
		benchData.dir = dir
		benchData.path, benchData.man = generate(b, dir, "--seed", "1", "--asns", "20000", "--routes", "400000")
	})
	if benchData.path == "" {
		b.Skip("no benchmark dataset")
	}
	return benchData.path
}

// cpuTime returns the process's user plus system CPU time. Benchmarks
// report it per operation beside wall time because this machine is
// shared: CPU time is what a target "on one core" is about.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU runs f as the benchmark loop and reports CPU ns per op and,
// when bytes > 0, the CPU-time throughput in MB/s.
func reportCPU(b *testing.B, bytes int64, f func()) {
	start := cpuTime()
	n := 0
	for b.Loop() {
		f()
		n++
	}
	cpu := cpuTime() - start
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(n), "cpu-ns/op")
	if bytes > 0 {
		b.ReportMetric(float64(bytes)*float64(n)/cpu.Seconds()/1e6, "cpu-MB/s")
	}
}

func BenchmarkLoad(b *testing.B) {
	path := benchDataset(b)
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	b.ReportAllocs()
	reportCPU(b, st.Size(), func() {
		if _, err := LoadFiles(context.Background(), LoadOptions{}, path); err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkExpand(b *testing.B) {
	path := benchDataset(b)
	reg, err := LoadFiles(context.Background(), LoadOptions{}, path)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, fam := range []Family{IPv4, IPv6} {
		b.Run("prefixes-"+fam.String(), func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			reportCPU(b, 0, func() {
				prs, _, err := reg.ExpandPrefixes(ctx, "AS-TOP", fam, nil)
				if err != nil {
					b.Fatal(err)
				}
				n = len(prs)
			})
			b.ReportMetric(float64(n), "prefixes")
		})
	}
	b.Run("asns", func(b *testing.B) {
		b.ReportAllocs()
		reportCPU(b, 0, func() {
			if _, _, err := reg.ExpandASNs(ctx, "AS-TOP", nil); err != nil {
				b.Fatal(err)
			}
		})
	})
}

func BenchmarkReader(b *testing.B) {
	path := benchDataset(b)
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		r := NewReader(f, path)
		r.SetClasses("aut-num", "as-set", "route-set", "route", "route6")
		for r.Next() {
		}
		f.Close()
		if r.Err() != nil {
			b.Fatal(r.Err())
		}
	}
}
