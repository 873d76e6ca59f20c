package filtergen

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// TestTokenRulesMatchRegexps checks the hand-written name rules against
// the regular expressions they replace, on random strings over an
// alphabet that reaches every branch.
func TestTokenRulesMatchRegexps(t *testing.T) {
	rules := []struct {
		name string
		rule tokenRule
		re   *regexp.Regexp
	}{
		{"peer", peerNameRE, regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,19}$`)},
		{"router", routerNameRE, regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,31}$`)},
		{"iface", ifaceRE, regexp.MustCompile(`^[A-Za-z][A-Za-z0-9/._:-]{0,63}$`)},
		{"source", sourceRE, regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`)},
		{"hostport", hostPortRE, regexp.MustCompile(`^[A-Za-z0-9.:\[\]-]{1,255}$`)},
	}
	const alphabet = "aZ09_-/.:[] \n;{é"
	rng := rand.New(rand.NewPCG(7, 9))
	for _, r := range rules {
		for i := 0; i < 20000; i++ {
			b := make([]byte, rng.IntN(70))
			for j := range b {
				b[j] = alphabet[rng.IntN(len(alphabet))]
			}
			s := string(b)
			if got, want := r.rule.MatchString(s), r.re.MatchString(s); got != want {
				t.Fatalf("%s: MatchString(%q) = %v, regexp says %v", r.name, s, got, want)
			}
		}
		for _, n := range []int{1, r.rule.max, r.rule.max + 1} {
			s := strings.Repeat("a", n)
			if got, want := r.rule.MatchString(s), r.re.MatchString(s); got != want {
				t.Errorf("%s: %d letters: %v, regexp says %v", r.name, n, got, want)
			}
		}
	}
}
