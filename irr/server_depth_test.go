package irr_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/filtergen/filtergen/irr"
)

// sharedPath finds rel under the shared reference directory, beside the
// checkout (../../shared from a package of /work/main) or beside the
// worktrees (../../../shared from /work/wt/NAME/pkg), or skips.
func sharedPath(t testing.TB, rel ...string) string {
	t.Helper()
	for _, up := range []string{filepath.Join("..", ".."), filepath.Join("..", "..", "..")} {
		p := filepath.Join(append([]string{up, "shared"}, rel...)...)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skipf("shared reference data %s not present beside the project", filepath.Join(rel...))
	return ""
}

// chain returns an as-set chain AS-L<n> -> AS-L<n-1> -> ... -> AS-L1 ->
// AS64500, with a route for AS64500.
func chain(n int) string {
	var b strings.Builder
	for i := n; i >= 1; i-- {
		member := fmt.Sprintf("AS-L%d", i-1)
		if i == 1 {
			member = "AS64500"
		}
		fmt.Fprintf(&b, "as-set: AS-L%d\nmembers: %s\nsource: TEST\n\n", i, member)
	}
	b.WriteString("route: 192.0.2.0/24\norigin: AS64500\nsource: TEST\n")
	return b.String()
}

// TestServerDeepSets: the server answers sets nested deeper than the
// library's default depth cap, as IRRd does, while the library keeps
// the cap for its own callers and ServerLimits.MaxDepth restores one.
func TestServerDeepSets(t *testing.T) {
	reg := srvLoadString(t, chain(200))
	_, addr := startServer(t, reg, nil)
	if got, want := converse(t, addr, "!!", "!iAS-L200,1", "!aAS-L200", "!q"), "A8\nAS64500\nC\nA13\n192.0.2.0/24\nC\n"; got != want {
		t.Errorf("deep chain: got %q, want %q", got, want)
	}
	_, addr = startServer(t, reg, func(s *irr.Server) { s.Limits.MaxDepth = 100 })
	if got := converse(t, addr, "!iAS-L200,1"); !strings.HasPrefix(got, "F ") || !strings.Contains(got, "depth") {
		t.Errorf("with MaxDepth 100: got %q, want an F answer about depth", got)
	}
	_, _, err := reg.ExpandASNs(context.Background(), "AS-L200", nil)
	if !errors.Is(err, irr.ErrLimit) {
		t.Errorf("library default: ExpandASNs = %v, want the depth limit", err)
	}
	asns, _, err := reg.ExpandASNs(context.Background(), "AS-L200", &irr.ExpandOptions{Limits: irr.Limits{MaxDepth: irr.NoDepthLimit}})
	if err != nil || len(asns) != 1 || asns[0] != 64500 {
		t.Errorf("NoDepthLimit: ExpandASNs = %v, %v", asns, err)
	}
}

// TestServerRealDeepChain: Job Snijders' test chain in the RIPE dump of
// 2023-11, read in place; IRRd 4.5.3 answers these with AS15562.
func TestServerRealDeepChain(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a 26 MB dump")
	}
	path := sharedPath(t, "testdata", "real", "rpsl", "ripe-split-dump-2023-11", "ripe.db.as-set.gz")
	reg, err := irr.LoadFiles(context.Background(), irr.LoadOptions{}, path)
	if err != nil {
		t.Fatal(err)
	}
	_, addr := startServer(t, reg, nil)
	for _, level := range []int{108, 198, 261, 286} {
		name := fmt.Sprintf("AS15562:AS-LEVEL%d", level)
		if _, ok := reg.LookupSet(name, nil); !ok {
			t.Fatalf("%s not in the dump", name)
		}
		if got := converse(t, addr, "!i"+name+",1"); got != "A8\nAS15562\nC\n" {
			t.Errorf("!i%s,1 = %q, want AS15562", name, got)
		}
	}
}
