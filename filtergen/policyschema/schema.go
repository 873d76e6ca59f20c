// Package policyschema describes the filtergen policy file: a JSON Schema
// (draft 2020-12) for editors and validators, and the Markdown reference
// docs/policy.md. Both are generated from the same two sources: the Go
// types of package filtergen, read by reflection through their yaml tags
// (which keys exist, their types, what nests where), and the table in
// fields.go (what each key means, its default, range and an example).
// A key added to the types without an entry in the table fails the tests,
// and so does an entry for a key that no longer exists.
package policyschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/internal/platform"
)

// ID is the schema's $id.
const ID = "https://github.com/filtergen/filtergen/docs/policy.schema.json"

// A key is one yaml key of one policy type, in the order of the type's
// fields (inline fields expanded in place).
type key struct {
	Type  reflect.Type // the struct the key belongs to
	Name  string       // the yaml key
	Field reflect.StructField
}

// id names a key in the field table: "Type.key".
func (k key) id() string { return k.Type.Name() + "." + k.Name }

var (
	asnType       = reflect.TypeFor[filtergen.ASN]()
	durationType  = reflect.TypeFor[filtergen.Duration]()
	addrType      = reflect.TypeFor[netip.Addr]()
	prefixType    = reflect.TypeFor[netip.Prefix]()
	roleType      = reflect.TypeFor[filtergen.Role]()
	exportType    = reflect.TypeFor[filtergen.CustomerExport]()
	actionType    = reflect.TypeFor[filtergen.MaxPrefixAction]()
	familyType    = reflect.TypeFor[filtergen.Family]()
	maxPrefixType = reflect.TypeFor[filtergen.MaxPrefix]()
	policyType    = reflect.TypeFor[filtergen.Policy]()
)

// keysOf returns the yaml keys of struct type t, as filtergen's decoder
// reads them: exported fields, "-" skipped, ",inline" expanded.
func keysOf(t reflect.Type) []key {
	var out []key
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if tag == "-" || !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if opts == "inline" {
			out = append(out, keysOf(f.Type)...)
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out = append(out, key{Type: t, Name: name, Field: f})
	}
	return out
}

// structOf returns the struct type under pointers and slices of t, if any
// that the schema describes with a definition of its own.
func structOf(t reflect.Type) (reflect.Type, bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || isScalar(t) {
		return nil, false
	}
	return t, true
}

// isScalar reports whether t reads from a single YAML scalar.
func isScalar(t reflect.Type) bool {
	switch t {
	case asnType, durationType, addrType, prefixType, roleType, exportType, actionType, familyType:
		return true
	}
	return t.Kind() != reflect.Struct && t.Kind() != reflect.Slice && t.Kind() != reflect.Pointer
}

// types returns every struct type of the policy, Policy first, each once,
// in the order a reader meets them. Options' keys are Peer's too (inline);
// it is listed for defaults.
func types() []reflect.Type {
	var out []reflect.Type
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		if slices.Contains(out, t) {
			return
		}
		out = append(out, t)
		for _, k := range keysOf(t) {
			if s, ok := structOf(k.Field.Type); ok {
				walk(s)
			}
		}
	}
	walk(policyType)
	return out
}

// Keys returns the ids ("Type.key") of every key of the policy file, from
// the Go types. Options' keys appear under Options only (Peer inlines
// them).
func Keys() []string {
	var out []string
	for _, t := range types() {
		for _, k := range ownKeys(t) {
			out = append(out, k.id())
		}
	}
	return out
}

// ownKeys returns the keys documented under t: for Peer, those not
// inlined from Options (keysOf gives those Options as their type).
func ownKeys(t reflect.Type) []key {
	var out []key
	for _, k := range keysOf(t) {
		if k.Type == t {
			out = append(out, k)
		}
	}
	return out
}

// docOf returns the table entry of k.
func docOf(k key) (field, string, bool) {
	f, ok := fields[k.id()]
	return f, k.id(), ok
}

// Schema returns the JSON Schema of the policy file.
func Schema() (map[string]any, error) {
	g := &gen{}
	defs := map[string]any{}
	for _, t := range types() {
		if t == policyType {
			continue
		}
		d, err := g.object(t)
		if err != nil {
			return nil, err
		}
		defs[t.Name()] = d
	}
	root, err := g.object(policyType)
	if err != nil {
		return nil, err
	}
	root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	root["$id"] = ID
	root["title"] = "filtergen policy"
	root["$defs"] = defs
	return root, nil
}

// JSON returns the schema as indented JSON, ending in a newline.
func JSON() ([]byte, error) {
	s, err := Schema()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

type gen struct{}

func (g *gen) object(t reflect.Type) (map[string]any, error) {
	props := map[string]any{}
	var order []string
	for _, k := range keysOf(t) {
		f, id, ok := docOf(k)
		if !ok {
			return nil, fmt.Errorf("policyschema: key %s (field %s.%s) has no entry in the field table", id, t.Name(), k.Field.Name)
		}
		s, err := g.value(k.Field.Type, f)
		if err != nil {
			return nil, fmt.Errorf("policyschema: %s: %w", id, err)
		}
		s["description"] = f.description()
		s["markdownDescription"] = f.markdown()
		if f.Default != nil {
			s["default"] = f.Default
		}
		ex, err := f.exampleValue(k.Name)
		if err != nil {
			return nil, fmt.Errorf("policyschema: %s: %w", id, err)
		}
		s["examples"] = []any{ex}
		props[k.Name] = s
		order = append(order, k.Name)
	}
	o := map[string]any{
		"type":                 "object",
		"properties":           props,
		"additionalProperties": false,
	}
	if d, ok := typeDocs[t.Name()]; ok {
		o["description"] = plain(oneLine(d.Intro))
	}
	if r := required[t.Name()]; r != nil {
		o["required"] = r
	}
	for kw, v := range typeDocs[t.Name()].Extra {
		o[kw] = v
	}
	return o, nil
}

// value returns the schema of a value of Go type t with the constraints
// of f.
func (g *gen) value(t reflect.Type, f field) (map[string]any, error) {
	if t.Kind() == reflect.Pointer {
		// The decoder leaves a pointer nil for an empty value ("key:").
		inner, err := g.value(t.Elem(), f)
		if err != nil {
			return nil, err
		}
		return map[string]any{"anyOf": []any{inner, map[string]any{"type": "null"}}}, nil
	}
	var s map[string]any
	switch {
	case t == asnType:
		s = map[string]any{"anyOf": []any{
			map[string]any{"type": "integer", "minimum": 0, "maximum": uint32(1<<32 - 1)},
			map[string]any{"type": "string", "pattern": `^([Aa][Ss])?([0-9]+|[0-9]+\.[0-9]+)$`},
		}}
	case t == durationType:
		p := `^(0|([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$`
		if f.AnyAge {
			p = `^(any|0|([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$`
		}
		s = map[string]any{"type": "string", "pattern": p}
	case t == addrType:
		s = map[string]any{"type": "string", "anyOf": []any{
			map[string]any{"format": "ipv4"}, map[string]any{"format": "ipv6"}}}
	case t == prefixType:
		s = map[string]any{"type": "string", "pattern": `^[0-9A-Fa-f.:]+/[0-9]{1,3}$`}
	case t == roleType:
		s = map[string]any{"type": "string", "enum": enumOf(filtergen.Roles)}
	case t == exportType:
		s = map[string]any{"type": "string", "enum": []any{
			string(filtergen.ExportFull), string(filtergen.ExportDefault), string(filtergen.ExportOwnAndCustomers)}}
	case t == familyType:
		s = map[string]any{"type": "string", "enum": []any{filtergen.IPv4.String(), filtergen.IPv6.String()}}
	case t == actionType:
		s = map[string]any{"type": "string", "enum": []any{
			string(filtergen.MaxPrefixRestart), string(filtergen.MaxPrefixTeardown), string(filtergen.MaxPrefixWarning)}}
	case t == maxPrefixType:
		// "max_prefix: 200" reads as {limit: 200}.
		return map[string]any{"anyOf": []any{
			map[string]any{"type": "integer", "minimum": 1, "maximum": uint32(1<<32 - 1)},
			map[string]any{"$ref": "#/$defs/" + t.Name()},
		}}, nil
	case t.Kind() == reflect.Struct:
		s = map[string]any{"$ref": "#/$defs/" + t.Name()}
		for kw, v := range f.Extra {
			s[kw] = v
		}
		return s, nil
	case t.Kind() == reflect.Slice:
		item, err := g.value(t.Elem(), f.itemField())
		if err != nil {
			return nil, err
		}
		s = map[string]any{"type": "array", "items": item}
		if f.MinItems > 0 {
			s["minItems"] = f.MinItems
		}
		if f.MaxItems > 0 {
			s["maxItems"] = f.MaxItems
		}
		if f.Unique {
			s["uniqueItems"] = true
		}
		return s, nil
	case t.Kind() == reflect.String:
		s = map[string]any{"type": "string"}
		if f.Number {
			// The decoder takes an unquoted number as its text
			// ("version: 7.7").
			s["type"] = []any{"string", "number"}
		}
	case t.Kind() == reflect.Bool:
		s = map[string]any{"type": "boolean"}
	case t.Kind() == reflect.Int || t.Kind() == reflect.Int64 || t.Kind() == reflect.Uint16 || t.Kind() == reflect.Uint32:
		s = map[string]any{"type": "integer"}
		if t.Kind() == reflect.Uint16 {
			s["minimum"], s["maximum"] = 0, 65535
		}
	case t.Kind() == reflect.Float64:
		s = map[string]any{"type": "number"}
	default:
		return nil, fmt.Errorf("no schema for Go type %s", t)
	}
	if f.Min != nil {
		s["minimum"] = f.Min
	}
	if f.Max != nil {
		s["maximum"] = f.Max
	}
	if f.Enum != nil {
		s["enum"] = f.Enum
	}
	if f.Pattern != "" {
		s["pattern"] = f.Pattern
	}
	if f.MaxLength > 0 {
		s["maxLength"] = f.MaxLength
	}
	if f.Format != "" {
		delete(s, "anyOf")
		s["format"] = f.Format
	}
	return s, nil
}

func enumOf[T ~string](v []T) []any {
	out := make([]any, len(v))
	for i, x := range v {
		out[i] = string(x)
	}
	return out
}

// platforms lists the platform names a router may have.
func platforms() []any { return enumOf(platform.Names(true)) }

// description is the schema description of f: its text, then its
// default and range.
func (f field) description() string {
	var b strings.Builder
	b.WriteString(plain(oneLine(f.Doc)))
	if f.DefaultText != "" {
		fmt.Fprintf(&b, " Default: %s.", plain(strings.TrimSuffix(f.DefaultText, ".")))
	}
	if r := f.rangeText(); r != "" {
		fmt.Fprintf(&b, " Allowed: %s.", plain(strings.TrimSuffix(r, ".")))
	}
	return b.String()
}

// markdown is the description for editors that show Markdown on hover
// (the YAML language server's markdownDescription): code stays code.
func (f field) markdown() string {
	var b strings.Builder
	b.WriteString(mdLink.ReplaceAllString(oneLine(f.Doc), "$1"))
	if f.DefaultText != "" {
		fmt.Fprintf(&b, "\n\nDefault: %s.", mdLink.ReplaceAllString(strings.TrimSuffix(f.DefaultText, "."), "$1"))
	}
	if r := f.rangeText(); r != "" {
		fmt.Fprintf(&b, "\n\nAllowed: %s.", strings.TrimSuffix(r, "."))
	}
	fmt.Fprintf(&b, "\n\nExample: `%s`", f.Example)
	return b.String()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// exampleValue returns the value of the key in f's YAML example.
func (f field) exampleValue(name string) (any, error) {
	var m map[string]any
	if err := yaml.Unmarshal([]byte(f.Example), &m); err != nil {
		return nil, fmt.Errorf("example %q: %w", f.Example, err)
	}
	v, ok := m[name]
	if !ok || len(m) != 1 {
		return nil, fmt.Errorf("example %q: want exactly the key %s", f.Example, name)
	}
	return v, nil
}
