package templates

import "testing"

func TestVersionAtLeast(t *testing.T) {
	for _, tt := range []struct {
		have, min string
		want      bool
	}{
		{"", "2.0.11", true}, {"2.0.12", "2.0.11", true}, {"2.0.11", "2.0.11", true}, {"2.0.8", "2.0.11", false},
		{"2.16", "2.0.11", true}, {"2.16.1", "2.16", true}, {"24.4R1", "21.1", true}, {"19.4R3", "21.1", false},
		{"2", "2.0.11", false},
	} {
		if got := VersionAtLeast(tt.have, tt.min); got != tt.want {
			t.Errorf("VersionAtLeast(%q, %q) = %v, want %v", tt.have, tt.min, got, tt.want)
		}
	}
}
