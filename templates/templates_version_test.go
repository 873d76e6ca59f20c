package templates

import (
	"testing"

	"github.com/filtergen/filtergen/internal/platform"
)

func TestVersionAtLeast(t *testing.T) {
	for _, tt := range []struct {
		plat, have, min string
		want            bool
	}{
		// An empty version is the platform's baseline (BIRD 2.0.12,
		// FRR 8.4, OpenBGPD 7.7), as the policy documents.
		{"bird2", "", "2.0.11", true}, {"bird2", "", "2.0.12", true}, {"bird2", "", "2.16", false},
		{"frr", "", "8.4", true}, {"frr", "", "10.0", false},
		{"openbgpd", "", "7.7", true}, {"openbgpd", "", "8.0", false},
		// Junos has no baseline: an undeclared version answers false.
		{"junos", "", "21.1", false},
		{"nosuch", "2.16", "2.0", false},
		{"bird2", "2.0.12", "2.0.11", true}, {"bird2", "2.0.11", "2.0.11", true}, {"bird2", "2.0.8", "2.0.11", false},
		{"bird2", "2.16", "2.0.11", true}, {"bird2", "2.16.1", "2.16", true}, {"junos", "24.4R1", "21.1", true},
		{"junos", "19.4R3", "21.1", false}, {"bird2", "2", "2.0.11", false}, {"bird2", "x", "2.0", false},
	} {
		if got := VersionAtLeast(tt.plat, tt.have, tt.min); got != tt.want {
			t.Errorf("VersionAtLeast(%q, %q, %q) = %v, want %v", tt.plat, tt.have, tt.min, got, tt.want)
		}
	}
}

// TestVersionBaselineAgrees checks that an undeclared version means the
// same in the templates' versionAtLeast as in supports/require: the
// platform's baseline.
func TestVersionBaselineAgrees(t *testing.T) {
	for _, pl := range platform.Table {
		for f, need := range pl.Features {
			if got, want := VersionAtLeast(pl.Name, "", need), pl.Supports("", f); got != want {
				t.Errorf("%s: VersionAtLeast(\"\", %s) = %v, Supports(\"\", %s) = %v", pl.Name, need, got, f, want)
			}
			if pl.Baseline != "" && VersionAtLeast(pl.Name, "", need) != VersionAtLeast(pl.Name, pl.Baseline, need) {
				t.Errorf("%s: an empty version and the baseline %s disagree about %s", pl.Name, pl.Baseline, need)
			}
		}
	}
}
