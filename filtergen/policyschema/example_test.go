package policyschema_test

import (
	"fmt"
	"log"

	"github.com/filtergen/filtergen/filtergen/policyschema"
)

// Schema returns the policy file's JSON Schema as a Go value; JSON
// returns it as the document `filtergen policy schema` prints.
func Example() {
	s, err := policyschema.Schema()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s["$schema"])
	fmt.Println(s["required"])
	role := s["$defs"].(map[string]any)["Peer"].(map[string]any)["properties"].(map[string]any)["role"]
	fmt.Println(role.(map[string]any)["enum"])
	// Output:
	// https://json-schema.org/draft/2020-12/schema
	// [version local_as irr routers]
	// [customer peer provider rs-client route-server]
}
