package cli

import (
	"encoding/json"
	"testing"
)

func TestSnakeCase(t *testing.T) {
	tests := map[string]string{
		"LocalAS": "local_as", "DroppedASNs": "dropped_asns", "ASNs": "asns", "ASN": "asn",
		"RPKIAcceptValid": "rpki_accept_valid", "MaxLen": "max_len", "VRPs": "vrps",
		"URPF": "urpf", "IngressACL": "ingress_acl", "ACL": "acl", "MaxPrefix": "max_prefix",
		"Updated": "updated", "already_snake": "already_snake", "error": "error",
		"DropRPKIInvalid": "drop_rpki_invalid", "RPKITightenMaxLength": "rpki_tighten_max_length",
		"MinLength": "min_length", "FailOnMissingSet": "fail_on_missing_set",
	}
	for in, want := range tests {
		if got := snakeCase(in); got != want {
			t.Errorf("snakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSnakeJSON(t *testing.T) {
	in := `{"LocalAS":1,"Peers":[{"Name":"A","ASNs":[1,2],"Families":[{"Family":"ipv4","Chain":["AS-X"]}],"Empty":{},"None":[]}],"Deep":{"A":{"B":"KeyLike"}},"N":null,"T":true}`
	want := `{"local_as":1,"peers":[{"name":"A","asns":[1,2],"families":[{"family":"ipv4","chain":["AS-X"]}],"empty":{},"none":[]}],"deep":{"a":{"b":"KeyLike"}},"n":null,"t":true}`
	got, err := snakeJSON([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if !json.Valid(got) {
		t.Error("invalid JSON")
	}
}
