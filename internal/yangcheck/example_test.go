package yangcheck_test

import (
	"fmt"
	"path/filepath"

	"github.com/filtergen/filtergen/internal/yangcheck"
)

// A Junos configuration is checked against the models; every problem
// comes back with its line and schema path. (The schema here is the small
// test model in testdata; use yangcheck.SharedJunos or LoadJunos on the
// vendor folder for real checks.)
func ExampleSchema_CheckJunos() {
	s, err := yangcheck.LoadJunos(filepath.Join("testdata", "junos-mini"))
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg := `policy-options {
    replace:
    route-filter-list RFL_AS64500_V4 {
        192.0.2.0/24 exact;
        198.51.100.0/24 upto /33;
        203.0.113.0/24 exactly;
    }
}
protocols { bgp { group G { type externa; } } }
`
	for _, e := range s.CheckJunos("edge1.conf", []byte(cfg)) {
		fmt.Println(e)
	}
	// Output:
	// edge1.conf:5: /configuration/policy-options/route-filter-list/rf_list/choice-value: "/33": prefix length out of range 0..32
	// edge1.conf:6: /configuration/policy-options/route-filter-list/rf_list/choice-ident: "exactly": not one of exact, longer, orlonger, upto, through, prefix-length-range, address-mask
	// edge1.conf:9: /configuration/protocols/bgp/group/type: "externa": not one of internal, external
}

// SR OS MD-CLI in the layout bgpq4 -n prints.
func ExampleSchema_CheckMDCLI() {
	s, err := yangcheck.LoadSROS(filepath.Join("testdata", "sros-mini"))
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg := `/configure policy-options
delete prefix-list "PL_AS64500_V4"
prefix-list "PL_AS64500_V4" {
    prefix 192.0.2.0/24 type exact {
    }
    prefix 198.51.100.0/24 type thru {
        through-length 25
    }
}
`
	for _, e := range s.CheckMDCLI("pl.cfg", []byte(cfg)) {
		fmt.Println(e)
	}
	// Output:
	// pl.cfg:6: /configure/policy-options/prefix-list/prefix/type: "thru": not one of exact, longer, through, range
}
