// Package ixfschema checks a document against the euro-ix IX-F member
// export JSON schema 1.0, independently of package ixf, for tests.
package ixfschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"time"
)

// The checks below restate the euro-ix IX-F member export JSON schema,
// version 1.0 (github.com/euro-ix/json-schemas, ixp-member-list.schema.json),
// as far as an export can use it: the required properties, the type of
// every property, the formats (date-time, ipv4, ipv6, e-mail, uri), the
// enumerations and the numeric bounds. It is independent of package ixf's
// own Validate, so the two check each other. Unknown properties are
// reported too: the schema allows few, and a misspelt key is a bug.

type schema struct {
	typ      string // "object", "array", "string", "integer", "boolean"
	format   string // "date-time", "ipv4", "ipv6", "email", "uri", "country"
	pattern  string
	enum     []string
	min, max float64 // integers; both 0 means unbounded
	required []string
	props    map[string]*schema
	items    *schema
}

func obj(required []string, props map[string]*schema) *schema {
	return &schema{typ: "object", required: required, props: props}
}
func arr(items *schema) *schema        { return &schema{typ: "array", items: items} }
func str(format string) *schema        { return &schema{typ: "string", format: format} }
func enum(v ...string) *schema         { return &schema{typ: "string", enum: v} }
func integer(min, max float64) *schema { return &schema{typ: "integer", min: min, max: max} }
func boolean() *schema                 { return &schema{typ: "boolean"} }
func pattern(p string) *schema         { return &schema{typ: "string", pattern: p} }

var (
	subnet = func(f string, maxLen float64) *schema {
		return obj([]string{"prefix", "mask_length"}, map[string]*schema{"prefix": str(f), "mask_length": integer(1, maxLen)})
	}
	vlanAddress = func(f string) *schema {
		return obj([]string{"address"}, map[string]*schema{
			"address": str(f), "routeserver": boolean(), "max_prefix": integer(0, 4294967295),
			"as_macro": pattern(`^[A-Za-z0-9_:.-]+$`), "mac_addresses": arr(pattern(`^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$`)),
			"services": arr(obj(nil, nil)),
		})
	}
	ixfSchema = obj([]string{"version", "timestamp", "ixp_list", "member_list"}, map[string]*schema{
		"version":   enum("1.0"),
		"timestamp": str("date-time"),
		"ixp_list": arr(obj([]string{"ixp_id", "ixf_id", "shortname"}, map[string]*schema{
			"ixp_id": integer(0, 0), "ixf_id": integer(1, 0), "peeringdb_id": integer(1, 0),
			"shortname": str(""), "name": str(""), "country": str("country"), "url": str("uri"),
			"support_email": str("email"), "support_phone": str(""), "emergency_email": str("email"),
			"vlan": arr(obj([]string{"id"}, map[string]*schema{
				"id": integer(0, 4095), "name": str(""), "ipv4": subnet("ipv4", 32), "ipv6": subnet("ipv6", 128),
			})),
			"switch": arr(obj([]string{"id"}, map[string]*schema{
				"id": integer(0, 0), "name": str(""), "colo": str(""), "city": str(""), "country": str("country"),
				"pdb_facility_id": integer(1, 0), "manufacturer": str(""), "model": str(""), "software": str(""),
			})),
		})),
		"member_list": arr(obj([]string{"asnum", "connection_list"}, map[string]*schema{
			"asnum": integer(1, 4294967295), "member_since": str("date-time"), "url": str("uri"), "name": str(""),
			"peering_policy": enum("open", "selective", "case-by-case", "mandatory"),
			"member_type":    enum("peering", "ixp", "routeserver", "probono", "other"),
			"contact_email":  arr(str("email")), "contact_phone": arr(str("")), "contact_hours": str(""),
			"connection_list": arr(obj([]string{"ixp_id"}, map[string]*schema{
				"ixp_id": integer(0, 0),
				"state":  enum("active", "inactive", "connected", "operational"),
				"if_list": arr(obj(nil, map[string]*schema{
					"switch_id": integer(0, 0), "if_speed": integer(0, 0), "if_type": str(""),
				})),
				"vlan_list": arr(obj(nil, map[string]*schema{
					"vlan_id": integer(0, 4095), "ipv4": vlanAddress("ipv4"), "ipv6": vlanAddress("ipv6"),
				})),
			})),
		})),
	})
)

var emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

// Check returns every schema violation in doc.
func Check(doc []byte) []error {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return []error{err}
	}
	var errs []error
	walk(ixfSchema, v, "$", &errs)
	return errs
}

func walk(s *schema, v any, path string, errs *[]error) {
	fail := func(format string, args ...any) {
		*errs = append(*errs, fmt.Errorf("%s: "+format, append([]any{path}, args...)...))
	}
	switch s.typ {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			fail("want an object, got %T", v)
			return
		}
		for _, r := range s.required {
			if _, ok := m[r]; !ok {
				fail("required property %q missing", r)
			}
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			sub, ok := s.props[k]
			if !ok {
				if s.props != nil {
					fail("unknown property %q", k)
				}
				continue
			}
			walk(sub, m[k], path+"."+k, errs)
		}
	case "array":
		a, ok := v.([]any)
		if !ok {
			fail("want an array, got %T", v)
			return
		}
		for i, e := range a {
			walk(s.items, e, fmt.Sprintf("%s[%d]", path, i), errs)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			fail("want a boolean, got %T", v)
		}
	case "integer":
		n, ok := v.(json.Number)
		if !ok {
			fail("want an integer, got %T", v)
			return
		}
		i, err := n.Int64()
		if err != nil {
			fail("want an integer, got %s", n)
			return
		}
		if (s.min != 0 || s.max != 0) && (float64(i) < s.min || s.max != 0 && float64(i) > s.max) {
			fail("%d outside [%v, %v]", i, s.min, s.max)
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			fail("want a string, got %T", v)
			return
		}
		if s.enum != nil && !slices.Contains(s.enum, str) {
			fail("%q not one of %v", str, s.enum)
		}
		if s.pattern != "" && !regexp.MustCompile(s.pattern).MatchString(str) {
			fail("%q does not match %s", str, s.pattern)
		}
		switch s.format {
		case "date-time":
			if _, err := time.Parse(time.RFC3339, str); err != nil {
				fail("not an RFC 3339 date-time: %q", str)
			}
		case "ipv4", "ipv6":
			a, err := netip.ParseAddr(str)
			if err != nil || a.Is4() != (s.format == "ipv4") || a.Is4In6() {
				fail("not an %s address: %q", s.format, str)
			}
		case "email":
			if !emailRE.MatchString(str) {
				fail("not an e-mail address: %q", str)
			}
		case "uri":
			if !regexp.MustCompile(`^https?://[^\s]+$`).MatchString(str) {
				fail("not a URI: %q", str)
			}
		case "country":
			if !regexp.MustCompile(`^[A-Z]{2}$`).MatchString(str) {
				fail("not an ISO 3166-1 alpha-2 code: %q", str)
			}
		}
	}
}
