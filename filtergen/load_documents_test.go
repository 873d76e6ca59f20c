package filtergen_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/filtergen/filtergen/filtergen"
)

// Extra YAML documents after the policy are an error, not ignored
// (issue 13); a leading "---" before the one document is fine.
func TestParsePolicyDocuments(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("..", "examples", "ixp-onboarding", "filtergen.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := filtergen.ParsePolicy("lead.yaml", append([]byte("---\n"), good...)); err != nil {
		t.Errorf("a leading ---: %v", err)
	}
	for _, tail := range []string{"---\nversion: 1\n", "---\n", "...\n---\npeers: []\n"} {
		data := append(append([]byte{}, good...), tail...)
		_, err := filtergen.ParsePolicy("two.yaml", data)
		var pe *filtergen.PolicyError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), "more than one YAML document") {
			t.Errorf("policy + %q: err = %v, want a PolicyError about a second document", tail, err)
		}
	}
}
