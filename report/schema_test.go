package report_test

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/filtergen/filtergen/report"
)

// TestJSONSchemaDocumented checks docs/report.md against the types: every
// object of the JSON has a section named after its Go type, whose table
// lists exactly its keys, so a field cannot be added, renamed or removed
// without the documentation.
func TestJSONSchemaDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/report.md")
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string][]string{} // type name -> keys in its table
	cur := ""
	for _, line := range strings.Split(string(doc), "\n") {
		if name, ok := strings.CutPrefix(line, "### "); ok {
			cur = strings.TrimSpace(name)
			sections[cur] = []string{}
			continue
		}
		if k, ok := strings.CutPrefix(line, "| `"); ok && cur != "" {
			key, _, _ := strings.Cut(k, "`")
			sections[cur] = append(sections[cur], key)
		}
	}
	types := map[string][]string{}
	var walk func(reflect.Type)
	walk = func(rt reflect.Type) {
		for rt.Kind() == reflect.Pointer || rt.Kind() == reflect.Slice || rt.Kind() == reflect.Map {
			rt = rt.Elem()
		}
		if rt.Kind() != reflect.Struct || rt == reflect.TypeFor[time.Time]() {
			return
		}
		if _, seen := types[rt.Name()]; seen {
			return
		}
		owner := rt.Name()
		types[owner] = []string{}
		var fields func(reflect.Type)
		fields = func(rt reflect.Type) {
			for f := range rt.Fields() {
				if f.Anonymous {
					fields(f.Type)
					walk(f.Type)
					continue
				}
				name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				if name == "" || name == "-" {
					t.Errorf("%s.%s has no JSON name", owner, f.Name)
					continue
				}
				if name != strings.ToLower(name) {
					t.Errorf("%s.%s: key %q is not snake_case", owner, f.Name, name)
				}
				types[owner] = append(types[owner], name)
				walk(f.Type)
			}
		}
		fields(rt)
	}
	walk(reflect.TypeFor[report.Report]())
	if len(types) < 20 {
		t.Fatalf("only %d object types found", len(types))
	}
	for name, keys := range types {
		doc, ok := sections[name]
		if !ok {
			t.Errorf("docs/report.md has no section for %s (keys %s)", name, strings.Join(keys, ", "))
			continue
		}
		slices.Sort(keys)
		slices.Sort(doc)
		if diff := cmp.Diff(keys, doc); diff != "" {
			t.Errorf("docs/report.md, %s: keys differ (-type +doc):\n%s", name, diff)
		}
	}
	for name := range sections {
		if _, ok := types[name]; !ok {
			t.Errorf("docs/report.md documents %s, which the report does not have", name)
		}
	}
}
