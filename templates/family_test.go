package templates_test

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/templates"
)

// TestOverrideFamilies checks what a user template sees of families: a
// Family prints as "ipv4"/"ipv6", the functions take one (ipv4, ipv6,
// families), and an override that still compares .Family with a string
// fails to render, naming the place, instead of silently taking its else
// branch.
func TestOverrideFamilies(t *testing.T) {
	tests := []struct {
		name, peer string
		want       string // the peer file, or a substring of the error
		fails      bool
	}{
		{"prints as text", `{{ range .Peer.Families }}{{ .Family }} {{ printf "%s" .Family }}{{ end }}`, "ipv4 ipv4\n", false},
		{"functions", `{{ range $f := families }}{{ $f }} {{ suffix $f }} {{ famIndex $f }} {{ is4 $f }}; {{ end }}`,
			"ipv4 V4 0 true; ipv6 V6 1 false; \n", false},
		{"compare with a constant", `{{ range .Peer.Families }}{{ if eq .Family ipv4 }}v4{{ else }}v6{{ end }}{{ end }}`, "v4\n", false},
		{"constants as arguments", `{{ len (bogons ipv4) }} {{ len (bogons ipv6) }}`, "", false},
		{"string comparison refused", `{{ range .Peer.Families }}{{ if eq .Family "ipv4" }}v4{{ else }}v6{{ end }}{{ end }}`,
			`router r1: peer TRANSIT: template: peer.tmpl:1:32: executing "peer.tmpl" at <eq .Family "ipv4">: error calling eq: incompatible types for comparison`, true},
		{"string argument refused", `{{ bogons "ipv4" }}`, `expected unsigned integer; found "ipv4"`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := benchResult(1)
			over := fstest.MapFS{"bird2/peer.tmpl": {Data: []byte(tt.peer)}}
			files, err := templates.Render(res, filtergen.Router{Name: "r1", Platform: "bird2"}, templates.Options{Overrides: over})
			if tt.fails {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("Render = %v, want an error containing %s", err, tt.want)
				}
				if len(files) != 0 {
					t.Errorf("a failed Render returned %d files", len(files))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got string
			for _, f := range files {
				if f.Name == "r1.d/TRANSIT.conf" {
					got = string(f.Data)
				}
			}
			if tt.want == "" {
				// bogons: both families have some, and they differ.
				var n4, n6 int
				if _, err := fmt.Sscan(got, &n4, &n6); err != nil || n4 == 0 || n6 == 0 {
					t.Fatalf("bogons ipv4, ipv6: %q", got)
				}
				return
			}
			if got != tt.want {
				t.Errorf("peer file %q, want %q", got, tt.want)
			}
		})
	}
}
