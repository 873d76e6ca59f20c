package filtergen_test

import (
	"testing"

	"github.com/filtergen/filtergen/filtergen"
)

func TestRPKIStateTextRoundTrip(t *testing.T) {
	for _, s := range []filtergen.RPKIState{filtergen.RPKIUnchecked, filtergen.RPKINotFound, filtergen.RPKIValid, filtergen.RPKIInvalid} {
		b, err := s.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var got filtergen.RPKIState
		if err := got.UnmarshalText(b); err != nil || got != s {
			t.Errorf("%s: read back %v, %v", b, got, err)
		}
	}
	var s filtergen.RPKIState
	if err := s.UnmarshalText([]byte("bogus")); err == nil {
		t.Error("bogus state: no error")
	}
}
