package policyschema

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/filtergen/filtergen/filtergen"
)

var update = flag.Bool("update", false, "rewrite docs/policy.md's reference and docs/policy.schema.json")

const (
	docsFile   = "../../docs/policy.md"
	schemaFile = "../../docs/policy.schema.json"
)

// TestFieldTableMatchesTypes fails when a yaml key of the policy types has
// no entry in the field table, or the table documents a key that does not
// exist.
func TestFieldTableMatchesTypes(t *testing.T) {
	keys := Keys()
	if len(keys) < 100 {
		t.Fatalf("only %d keys found by reflection; the walk over the types is broken", len(keys))
	}
	for _, k := range keys {
		if _, ok := fields[k]; !ok {
			t.Errorf("key %s exists in the Go types but not in fields.go", k)
		}
	}
	for k := range fields {
		if !slices.Contains(keys, k) {
			t.Errorf("fields.go documents %s, which is not a key of the Go types", k)
		}
	}
	for k, f := range fields {
		if strings.TrimSpace(f.Doc) == "" || f.Example == "" {
			t.Errorf("%s: needs a description and an example", k)
		}
	}
}

// TestDocs compares docs/policy.md with the generated reference and
// checks, independently of the generator, that its key headings are
// exactly the keys of the Go types.
func TestDocs(t *testing.T) {
	md, err := Markdown()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(docsFile)
	if err != nil {
		t.Fatal(err)
	}
	i, j := bytes.Index(doc, []byte(BeginMarker)), bytes.Index(doc, []byte(EndMarker))
	if i < 0 || j < i {
		t.Fatalf("%s: no generated reference between %q and %q", docsFile, BeginMarker, EndMarker)
	}
	cur := doc[i : j+len(EndMarker)+1]
	if *update {
		out := slices.Concat(doc[:i], md, doc[j+len(EndMarker)+1:])
		if err := os.WriteFile(docsFile, out, 0o644); err != nil {
			t.Fatal(err)
		}
		doc = out
	} else if !bytes.Equal(cur, md) {
		t.Errorf("%s is out of date with the policy types or fields.go: run go test ./filtergen/policyschema -update", docsFile)
	}

	// Every key, by its documented path, from the types alone.
	want := map[string]bool{}
	for _, ty := range types() {
		for _, k := range ownKeys(ty) {
			want["`"+typeDocs[ty.Name()].Path+k.Name+"`"] = true
		}
	}
	got := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^### (`[^`]+`)$").FindAllSubmatch(doc, -1) {
		if got[string(m[1])] {
			t.Errorf("%s documents %s twice", docsFile, m[1])
		}
		got[string(m[1])] = true
	}
	for k := range want {
		if !got[k] {
			t.Errorf("key %s is in the Go types but not in %s", k, docsFile)
		}
	}
	for k := range got {
		if !want[k] {
			t.Errorf("%s documents %s, which is not a key of the Go types", docsFile, k)
		}
	}
}

// TestSchemaKeys checks, from the generated schema alone, that its
// properties are exactly the keys of the Go types, and that every object
// refuses unknown keys.
func TestSchemaKeys(t *testing.T) {
	s, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	add := func(name string, obj map[string]any) {
		if obj["additionalProperties"] != false {
			t.Errorf("schema of %s allows unknown keys", name)
		}
		for k := range obj["properties"].(map[string]any) {
			got[name+"."+k] = true
		}
	}
	add("Policy", s)
	for name, d := range s["$defs"].(map[string]any) {
		add(name, d.(map[string]any))
	}
	var want []string
	for _, ty := range types() {
		for _, k := range keysOf(ty) { // Peer's own and inlined keys
			want = append(want, ty.Name()+"."+k.Name)
			if !got[ty.Name()+"."+k.Name] {
				t.Errorf("key %s.%s is in the Go types but not in the schema", ty.Name(), k.Name)
			}
		}
	}
	for k := range got {
		if !slices.Contains(want, k) {
			t.Errorf("schema has %s, which is not a key of the Go types", k)
		}
	}
}

// TestSchemaFile keeps docs/policy.schema.json, the file editors point
// to, equal to what `filtergen policy schema` prints.
func TestSchemaFile(t *testing.T) {
	js, err := JSON()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(schemaFile, js, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cur, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(cur, js) {
		t.Errorf("%s is out of date: run go test ./filtergen/policyschema -update", schemaFile)
	}
}

// compile compiles the generated schema with a full draft 2020-12
// validator, formats asserted, and returns the schema at ptr ("" for the
// root).
func compile(t *testing.T, ptr string) *jsonschema.Schema {
	t.Helper()
	return newCompiler(t)(ptr)
}

// newCompiler returns a function that compiles schemas at pointers into
// the generated schema, sharing one compiler.
func newCompiler(t *testing.T) func(ptr string) *jsonschema.Schema {
	t.Helper()
	js, err := JSON()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(ID, doc); err != nil {
		t.Fatal(err)
	}
	return func(ptr string) *jsonschema.Schema {
		sch, err := c.Compile(ID + ptr)
		if err != nil {
			t.Fatal(err)
		}
		return sch
	}
}

// instance turns YAML into what a JSON Schema validator sees, as the
// YAML language server does.
func instance(t *testing.T, y []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(y, &v); err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

var examplePolicies = []string{
	"../../examples/transit-customer/filtergen.yaml",
	"../../examples/ixp-onboarding/filtergen.yaml",
	"../../examples/ixp-onboarding/onboarding.yaml",
	"../../examples/ixp-onboarding/route-server.yaml",
}

// TestExamplesValidate validates every bundled example policy against
// the schema; each also loads with filtergen.
func TestExamplesValidate(t *testing.T) {
	all, err := filepath.Glob("../../examples/*/filtergen.yaml")
	if err != nil || len(all) < 2 {
		t.Fatalf("example policies: %v %v", all, err)
	}
	for _, p := range all {
		if !slices.Contains(examplePolicies, p) {
			t.Errorf("%s is not in examplePolicies", p)
		}
	}
	sch := compile(t, "")
	for _, p := range examplePolicies {
		t.Run(filepath.Base(filepath.Dir(p))+"/"+filepath.Base(p), func(t *testing.T) {
			y, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(instance(t, y)); err != nil {
				t.Errorf("schema rejects %s:\n%v", p, err)
			}
			checkPortable(t, p, y)
			if _, err := filtergen.LoadPolicy(p); err != nil {
				t.Errorf("filtergen rejects %s: %v", p, err)
			}
		})
	}
}

// TestFieldExamplesValidate validates each key's example, the one the
// docs show, against the schema of that key.
func TestFieldExamplesValidate(t *testing.T) {
	compile := newCompiler(t)
	for _, ty := range types() {
		for _, k := range ownKeys(ty) {
			f := fields[k.id()]
			ptr := "#/$defs/" + ty.Name() + "/properties/" + k.Name
			if ty == policyType {
				ptr = "#/properties/" + k.Name
			}
			v, err := f.exampleValue(k.Name)
			if err != nil {
				t.Errorf("%s: %v", k.id(), err)
				continue
			}
			checkPortable(t, k.id(), []byte(f.Example))
			js, _ := json.Marshal(v)
			inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(js))
			if err := compile(ptr).Validate(inst); err != nil {
				t.Errorf("%s: example %q fails the schema: %v", k.id(), f.Example, err)
			}
		}
	}
}

// set sets the value at a dotted path ("customers.0.session.bfd") of a
// decoded YAML document; a nil value deletes the key.
func set(t *testing.T, doc any, path string, v any) {
	t.Helper()
	parts := strings.Split(path, ".")
	cur := doc
	for i, p := range parts {
		last := i == len(parts)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				if v == nil {
					delete(c, p)
				} else {
					c[p] = v
				}
				return
			}
			if c[p] == nil {
				c[p] = map[string]any{}
			}
			cur = c[p]
		case []any:
			var n int
			if _, err := fmt.Sscan(p, &n); err != nil || n >= len(c) {
				t.Fatalf("%s: bad index %s", path, p)
			}
			if last {
				c[n] = v
				return
			}
			cur = c[n]
		default:
			t.Fatalf("%s: %s is not a mapping or list", path, p)
		}
	}
}

// TestMistakes shows that the typical mistakes fail the schema at the
// place they are made, and that filtergen refuses them too: the schema is
// never more lenient than the loader on them.
func TestMistakes(t *testing.T) {
	base, err := os.ReadFile("../../examples/transit-customer/filtergen.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sch := compile(t, "")
	tests := []struct {
		name, path string
		value      any
		at         string // the JSON pointer the schema reports
	}{
		{"unknown top-level key", "local_asn", 64496, "''"},
		{"unknown peer key", "customers.0.anounce", []any{"AS-FOO"}, "'/customers/0'"},
		{"unknown nested key", "defaults.max_prefix.head_room", 0.5, "'/defaults/max_prefix'"},
		{"wrong type: list for ASN", "local_as", []any{64496}, "'/local_as'"},
		{"wrong type: text for boolean", "customers.0.session.bfd", "maybe", "'/customers/0/session/bfd'"},
		{"wrong type: mapping for list", "routers", map[string]any{"name": "edge1"}, "'/routers'"},
		{"wrong type: text for number", "defaults.import.max_path_length", "many", "'/defaults/import/max_path_length'"},
		{"bad enum: role transit", "peers.0.role", "transit", "'/peers/0/role'"},
		{"bad enum: platform", "routers.0.platform", "cisco", "'/routers/0/platform'"},
		{"bad enum: max_prefix action", "defaults.max_prefix.action", "reboot", "'/defaults/max_prefix"},
		{"bad enum: family", "defaults.families", []any{"ipv5"}, "'/defaults/families/0'"},
		{"out of range: max_path_length", "defaults.import.max_path_length", 300, "'/defaults/import/max_path_length'"},
		{"out of range: IPv4 length", "defaults.ipv4", map[string]any{"max_length": 33}, "'/defaults/ipv4/max_length'"},
		{"out of range: IPv6 length", "defaults.ipv6.max_length", 129, "'/defaults/ipv6/max_length'"},
		{"out of range: shrink_guard", "shrink_guard", 1.5, "'/shrink_guard'"},
		{"out of range: cache preference", "rpki.caches.0.preference", 256, "'/rpki/caches/0/preference'"},
		{"out of range: ttl_security", "customers.0.session.ttl_security", 0, "'/customers/0/session/ttl_security'"},
		{"old version", "version", 1, "'/version'"},
		{"bad duration", "rpki.max_age", "1 day", "'/rpki/max_age'"},
		{"bad address", "routers.0.router_id", "192.0.2.300", "'/routers/0/router_id'"},
		{"missing required key", "routers.0.platform", nil, "'/routers/0'"},
		{"both irr dumps and server", "irr.server", "rr.example:43", "'/irr'"},
		{"description too long", "customers.0.description", strings.Repeat("x", 65), "'/customers/0/description'"},
		{"bad peer name", "customers.0.name", "1BAD", "'/customers/0/name'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc any
			if err := yaml.Unmarshal(base, &doc); err != nil {
				t.Fatal(err)
			}
			set(t, doc, tt.path, tt.value)
			y, err := yaml.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			err = sch.Validate(instance(t, y))
			if err == nil {
				t.Fatalf("schema accepts %s: %v", tt.path, tt.value)
			}
			if !strings.Contains(err.Error(), "at "+tt.at) {
				t.Errorf("schema error does not point at %s:\n%v", tt.at, err)
			}
			dir := t.TempDir()
			p := filepath.Join(dir, "p.yaml")
			if err := os.WriteFile(p, y, 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := filtergen.ParsePolicy("p.yaml", y); err == nil {
				t.Errorf("filtergen accepts %s: %v, which the schema refuses", tt.path, tt.value)
			}
		})
	}
	// The unmodified policy passes both, so the failures above are the
	// mistakes'.
	if err := sch.Validate(instance(t, base)); err != nil {
		t.Fatal(err)
	}
	if _, err := filtergen.ParsePolicy("p.yaml", base); err != nil {
		t.Fatal(err)
	}
}

// TestDocsExample checks that the policy shown at the top of
// docs/policy.md passes the schema and loads.
func TestDocsExample(t *testing.T) {
	doc, err := os.ReadFile(docsFile)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindSubmatch(doc)
	if m == nil {
		t.Fatalf("%s: no YAML example", docsFile)
	}
	if err := compile(t, "").Validate(instance(t, m[1])); err != nil {
		t.Errorf("schema rejects the example of %s:\n%v", docsFile, err)
	}
	checkPortable(t, docsFile, m[1])
	if _, err := filtergen.ParsePolicy("policy.md", m[1]); err != nil {
		t.Errorf("filtergen rejects the example of %s: %v", docsFile, err)
	}
}

// checkPortable fails on a plain scalar ending in ':' inside [ ] or { }
// ("[2001:db8::]"): go-yaml reads it as text, but YAML 1.2 and the
// parsers editors use read the final ':' as a mapping indicator, so the
// YAML language server would flag a correct policy. Such values need
// quotes.
func checkPortable(t *testing.T, name string, y []byte) {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(y, &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(n *yaml.Node, flow bool)
	walk = func(n *yaml.Node, flow bool) {
		flow = flow || n.Style&yaml.FlowStyle != 0
		if n.Kind == yaml.ScalarNode && flow && n.Style == 0 && strings.HasSuffix(n.Value, ":") {
			t.Errorf("%s:%d:%d: %s in [ ] or { } needs quotes: YAML 1.2 parsers (editors) read its last ':' as a mapping",
				name, n.Line, n.Column, n.Value)
		}
		for _, c := range n.Content {
			walk(c, flow)
		}
	}
	walk(&doc, false)
}

func TestShortDuration(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{{30 * time.Minute, "30m"}, {24 * time.Hour, "24h"}, {90 * time.Minute, "1h30m"}, {30 * time.Second, "30s"},
		{time.Hour + time.Second, "1h0m1s"}} {
		if got := shortDuration(tt.d); got != tt.want {
			t.Errorf("shortDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}
