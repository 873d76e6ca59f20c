package templates_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/filtergen/filtergen/internal/platform"
	"github.com/filtergen/filtergen/templates"
)

// TestSROSNameLimit checks that a generated name over SR OS's 32
// characters (as-path-group, match-list; the portable rule is as strict)
// fails the router with an error naming the object and the limit
// (a capital and up to 31 more), on both CLIs and EOS alike.
func TestSROSNameLimit(t *testing.T) {
	for _, name := range []string{"sros-classic", "sros-mdcli", "eos"} {
		res := fixture(name)
		res.Peers[0].Name = "A_VERY_LONG_CUSTOMER_NAME_X"
		files, err := templates.Render(res, res.Routers[0], templates.Options{})
		if !errors.Is(err, platform.ErrInvalidName) || !strings.Contains(err.Error(), "up to 31") ||
			!strings.Contains(err.Error(), `"AP_A_VERY_LONG_CUSTOMER_NAME_X_ORIGINS"`) {
			t.Errorf("%s: got %d files, error %v; want an invalid-name error naming the object and the limit", name, len(files), err)
		}
	}
}
