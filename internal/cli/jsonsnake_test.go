package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"testing"
	"time"
)

func TestSnakeCase(t *testing.T) {
	tests := map[string]string{
		"LocalAS": "local_as", "DroppedASNs": "dropped_asns", "ASNs": "asns", "ASN": "asn",
		"RPKIAcceptValid": "rpki_accept_valid", "MaxLen": "max_len", "VRPs": "vrps",
		"URPF": "urpf", "IngressACL": "ingress_acl", "ACL": "acl", "MaxPrefix": "max_prefix",
		"Updated": "updated", "already_snake": "already_snake", "error": "error",
		"DropRPKIInvalid": "drop_rpki_invalid", "RPKITightenMaxLength": "rpki_tighten_max_length",
		"MinLength": "min_length", "FailOnMissingSet": "fail_on_missing_set", "IPv4": "ipv4", "MaxIPv6": "max_ipv6",
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

// snakeJSON, the reference for the Result (which has no maps), rewrites the object keys of the JSON document in to
// snakeCase, leaving values alone, and returns it compact. Keys already
// in snake_case are unchanged.
func snakeJSON(in []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(in))
	dec.UseNumber()
	var out bytes.Buffer
	out.Grow(len(in))
	// Per open container: whether it is an object, and whether the next
	// token in it is a key; and whether an element was written.
	type frame struct{ object, key, any bool }
	var stack []frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			out.WriteByte(byte(d))
			stack = stack[:len(stack)-1]
			if n := len(stack); n > 0 && stack[n-1].object {
				stack[n-1].key = true
			}
			continue
		}
		isKey := false
		if n := len(stack); n > 0 {
			f := &stack[n-1]
			if f.object && f.key {
				isKey = true
				if f.any {
					out.WriteByte(',')
				}
			} else if f.object {
				out.WriteByte(':')
			} else if f.any {
				out.WriteByte(',')
			}
			f.any = true
		}
		switch v := tok.(type) {
		case json.Delim:
			out.WriteByte(byte(v))
			stack = append(stack, frame{object: v == '{', key: v == '{'})
			continue
		case string:
			if isKey {
				v = snakeCase(v)
			}
			b, _ := json.Marshal(v)
			out.Write(b)
		case json.Number:
			out.WriteString(v.String())
		case bool:
			fmt.Fprint(&out, v)
		case nil:
			out.WriteString("null")
		}
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].key = !isKey
		}
	}
	return out.Bytes(), nil
}

func TestMarshalJSON(t *testing.T) {
	type inner struct{ MaxLen uint8 }
	type embed struct{ Origin uint32 }
	type doc struct {
		embed
		LocalAS uint32
		Tagged  string `json:"as_tagged"`
		Skip    string `json:"-"`
		Omit    []int  `json:",omitempty"`
		Prefix  netip.Prefix
		When    time.Time
		Sets    map[string]string
		Nested  []inner
		Ptr     *inner
		Nil     []string
		ASNs    []uint32
		private int
	}
	d := doc{embed: embed{Origin: 7}, LocalAS: 1, Tagged: "x", Prefix: netip.MustParsePrefix("192.0.2.0/24"),
		When: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Sets: map[string]string{"AS-MID": "A", "ACME": "B"},
		Nested: []inner{{MaxLen: 24}}, ASNs: []uint32{64500}}
	got, err := marshalJSON(d)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"origin":7,"local_as":1,"as_tagged":"x","prefix":"192.0.2.0/24","when":"2026-01-02T03:04:05Z","sets":{"ACME":"B","AS-MID":"A"},"nested":[{"max_len":24}],"ptr":null,"nil":null,"asns":[64500]}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	_ = d.private
}
