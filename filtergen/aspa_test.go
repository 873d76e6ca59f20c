package filtergen_test

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/rpki"
)

// aspaPolicy is basePolicy with an OpenBGPD 8.0 router asking for
// router-side ASPA, whose aspa-set comes from the RPKI data.
var aspaPolicy = strings.Replace(basePolicy, "  - {name: rs1, platform: bird2}\n",
	"  - {name: ob1, platform: openbgpd, version: \"8.0\", aspa: true}\n", 1)

func TestCompileASPARecords(t *testing.T) {
	f, _ := testData()
	produced := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	set, err := rpki.NewSet([]rpki.VRP{{Prefix: netip.MustParsePrefix("193.0.0.0/21"), MaxLen: 24, ASN: 100}},
		[]rpki.ASPA{{Customer: 300, Providers: []uint32{64500, 100}}, {Customer: 200, Providers: []uint32{0}}, {Customer: 23456, Providers: []uint32{1}}},
		produced)
	if err != nil {
		t.Fatal(err)
	}
	res, err := compileTest(t, mustPolicy(t, aspaPolicy), f, filtergen.RPKIFromSet(set), nil)
	if err != nil {
		t.Fatal(err)
	}
	// Ordered by customer; AS_TRANS, which no path holds, left out.
	want := []filtergen.ASPARecord{{Customer: 200, Providers: []uint32{0}}, {Customer: 300, Providers: []uint32{100, 64500}}}
	if diff := cmp.Diff(want, res.ASPA); diff != "" {
		t.Errorf("ASPA records (-want +got):\n%s", diff)
	}

	// Without a router that writes the records, the Result carries none.
	res, err = compileTest(t, mustPolicy(t, basePolicy), f, filtergen.RPKIFromSet(set), nil)
	if err != nil || res.ASPA != nil {
		t.Errorf("no aspa router: ASPA %v, err %v", res.ASPA, err)
	}

	// Data without ASPA records, data that cannot list them and stale
	// data fail the compile, naming the router: an empty or old aspa-set
	// would verify nothing while the policy asks for verification.
	noASPA, _ := rpki.NewSet(nil, nil, produced)
	_, fake := testData()
	for _, tt := range []struct {
		name string
		data filtergen.RPKI
		now  time.Time
		msg  string
	}{
		{"no records", filtergen.RPKIFromSet(noASPA), time.Time{}, "router ob1: aspa: the RPKI data has no ASPA records"},
		{"cannot list", fake, time.Time{}, "router ob1: aspa: the RPKI data cannot list its ASPA records"},
		{"stale", filtergen.RPKIFromSet(set), produced.Add(48 * time.Hour), "router ob1: aspa: RPKI data built "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := compileTest(t, mustPolicy(t, aspaPolicy), f, tt.data, func(o *filtergen.CompileOptions) {
				if !tt.now.IsZero() {
					o.Now = func() time.Time { return tt.now }
				}
			})
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("got %v, want %q", err, tt.msg)
			}
		})
	}
}

func TestRoleASPAUpstream(t *testing.T) {
	for _, r := range filtergen.Roles {
		if got, want := r.ASPAUpstream(), r != filtergen.RoleProvider; got != want {
			t.Errorf("%s: upstream %v, want %v", r, got, want)
		}
	}
}
