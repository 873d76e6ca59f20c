package bgpq4

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/filtergen/filtergen/irr"
)

// TestRangeCapWholeRun: MaxRangePrefixes holds for all the ranges of a
// run together. A route-set of ranges each within the cap used to be
// materialised whole (eight just under it took 1.5 GB); the run must fail
// at the range that takes the total past the cap, before expanding it.
func TestRangeCapWholeRun(t *testing.T) {
	// 4,096 prefixes, then seven ranges of 2^21 (each exactly the cap,
	// allowed alone).
	members := []string{"10.0.0.0/8^20-20"}
	for i := range 7 {
		members = append(members, fmt.Sprintf("%d.0.0.0/8^29-29", 11+i))
	}
	rs := "route-set: RS-HOSTILE\nmembers: " + strings.Join(members, ", ") + "\nsource: TEST\n"
	b := irr.NewBuilder(irr.LoadOptions{Strict: true})
	if err := b.ReadFrom(context.Background(), strings.NewReader(rs), "rs.db"); err != nil {
		t.Fatal(err)
	}
	reg, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	out, msg, code := generate(t, reg, "-S", "TEST", "RS-HOSTILE")
	runtime.ReadMemStats(&after)
	if code != 1 || out != "" || !strings.Contains(msg, "11.0.0.0/8^29") || !strings.Contains(msg, "in all") {
		t.Errorf("exit %d, stderr %q, %d bytes out; want exit 1 naming the second range", code, msg, len(out))
	}
	// Only the first range was expanded: a few MB, where expanding the
	// next would take hundreds.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
		t.Errorf("allocated %d MB, want at most 32 MB", alloc>>20)
	}
	// Command-line ranges count towards the same total.
	if _, msg, code := generate(t, noData{}, "10.0.0.0/8^20-20", "11.0.0.0/8^29-29"); code != 1 || !strings.Contains(msg, "11.0.0.0/8^29-29") {
		t.Errorf("two command-line ranges past the cap together: exit %d, %s", code, msg)
	}
}
