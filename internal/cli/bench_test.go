package cli

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkCompileIXP runs the whole compile (registry load, expansion,
// rendering for BIRD and Junos, writing) for the policy named by
// FILTERGEN_BENCH_POLICY, such as the 1,000-member IXP over the
// gen-rpsl.py --asns 100000 --routes 2000000 dataset that
// bench/ixp-policy.py writes. Without the variable it is skipped.
func BenchmarkCompileIXP(b *testing.B) {
	policy := os.Getenv("FILTERGEN_BENCH_POLICY")
	if policy == "" {
		b.Skip("FILTERGEN_BENCH_POLICY not set")
	}
	b.ReportAllocs()
	for b.Loop() {
		out := filepath.Join(b.TempDir(), "out")
		if code, _, stderr := runCLI(b, "compile", policy, "-o", out); code != 0 {
			b.Fatalf("exit %d: %s", code, stderr)
		}
	}
}
