package platform_test

import (
	"fmt"

	"github.com/filtergen/filtergen/internal/platform"
)

func ExamplePlatform_Require() {
	obgpd, _ := platform.Lookup("openbgpd")
	fmt.Println(obgpd.Require("7.7", platform.FeatureASPASet))
	fmt.Println(obgpd.Require("8.2", platform.FeatureASPASet))
	t, _ := obgpd.Text("AS64500 \"Example\"\nCorp; }")
	fmt.Println(t)
	// Output:
	// aspa-set needs OpenBGPD 8.0 or later; the router runs 7.7
	// <nil>
	// "AS64500 Example Corp"
}
