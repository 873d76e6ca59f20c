package ixfschema_test

import (
	"bytes"
	"testing"

	"github.com/filtergen/filtergen/internal/ixfschema"
)

// TestSchemaChecker proves the checker can fail: each broken document
// must be rejected.
func TestSchemaChecker(t *testing.T) {
	good := `{"version":"1.0","timestamp":"2026-11-30T12:00:00Z","ixp_list":[{"ixp_id":1,"ixf_id":2,"shortname":"X","vlan":[{"id":10,"ipv4":{"prefix":"203.0.113.0","mask_length":24}}]}],` +
		`"member_list":[{"asnum":64496,"connection_list":[{"ixp_id":1,"state":"active","vlan_list":[{"vlan_id":10,"ipv4":{"address":"203.0.113.1","routeserver":true,"max_prefix":10,"as_macro":"AS-X"}}]}]}]}`
	if errs := ixfschema.Check([]byte(good)); len(errs) > 0 {
		t.Fatalf("good document rejected: %v", errs)
	}
	for name, repl := range map[string][2]string{
		"version":       {`"1.0"`, `"0.9"`},
		"timestamp":     {`2026-11-30T12:00:00Z`, `2026-11-30 12:00`},
		"no ixf_id":     {`"ixf_id":2,`, ``},
		"asnum string":  {`"asnum":64496`, `"asnum":"64496"`},
		"asnum zero":    {`"asnum":64496`, `"asnum":0`},
		"state":         {`"active"`, `"up"`},
		"v6 as v4":      {`"203.0.113.1"`, `"2001:db8::1"`},
		"routeserver":   {`"routeserver":true`, `"routeserver":"yes"`},
		"unknown key":   {`"max_prefix":10`, `"maxprefix":10`},
		"macro":         {`"AS-X"`, `"AS X"`},
		"mask":          {`"mask_length":24`, `"mask_length":33`},
		"no members":    {`"member_list":[`, `"members":[`},
		"no connection": {`"connection_list":[`, `"connections":[`},
	} {
		bad := bytes.Replace([]byte(good), []byte(repl[0]), []byte(repl[1]), 1)
		if bytes.Equal(bad, []byte(good)) {
			t.Fatalf("%s: replacement did not apply", name)
		}
		if errs := ixfschema.Check(bad); len(errs) == 0 {
			t.Errorf("%s: broken document accepted", name)
		}
	}
}
