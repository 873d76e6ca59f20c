package policyschema

import (
	"bytes"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
)

// Markers delimit the generated reference in docs/policy.md; the text
// around them is written by hand.
const (
	BeginMarker = "<!-- BEGIN GENERATED REFERENCE: go test ./filtergen/policyschema -update; edit filtergen/policyschema/fields.go, not this -->"
	EndMarker   = "<!-- END GENERATED REFERENCE -->"
)

var mdLink = regexp.MustCompile(`\[([^\]]+)\]\(#[A-Za-z]+\)`)

// plain turns the Markdown of a field's text into the plain text of a
// schema description: links lose their target, code its backquotes.
func plain(s string) string {
	s = mdLink.ReplaceAllString(s, "$1")
	return strings.ReplaceAll(s, "`", "")
}

// Markdown returns the key reference of docs/policy.md, between
// BeginMarker and EndMarker: one section per policy type, one entry per
// key with its type, default, allowed values and an example.
func Markdown() ([]byte, error) {
	if err := checkSections(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(BeginMarker + "\n\nSections:")
	for i, name := range sections {
		sep := " ·"
		if i == len(sections)-1 {
			sep = "."
		}
		fmt.Fprintf(&b, " [%s](#%s)%s", typeDocs[name].Title, name, sep)
	}
	b.WriteString("\n")
	for _, name := range sections {
		t := typeByName(name)
		td := typeDocs[name]
		fmt.Fprintf(&b, "\n<a id=\"%s\"></a>\n\n## %s\n\n%s\n", name, td.Title, td.Intro)
		if r := required[name]; r != nil {
			fmt.Fprintf(&b, "\nRequired: %s.\n", codeList(r))
		}
		for _, k := range ownKeys(t) {
			f, id, ok := docOf(k)
			if !ok {
				return nil, fmt.Errorf("policyschema: key %s has no entry in the field table", id)
			}
			fmt.Fprintf(&b, "\n### `%s%s`\n\n%s\n\n", td.Path, k.Name, oneLine(f.Doc))
			fmt.Fprintf(&b, "- Type: %s\n", typeText(k.Field.Type))
			def := f.DefaultText
			if def == "" {
				def = "none"
				if slices.Contains(required[name], k.Name) {
					def = "none (required)"
				}
			}
			fmt.Fprintf(&b, "- Default: %s\n", def)
			if r := f.rangeText(); r != "" {
				fmt.Fprintf(&b, "- Allowed: %s\n", r)
			}
			fmt.Fprintf(&b, "- Example: `%s`\n", f.Example)
		}
	}
	b.WriteString("\n" + EndMarker + "\n")
	return b.Bytes(), nil
}

func codeList(s []string) string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = "`" + x + "`"
	}
	return strings.Join(out, ", ")
}

// checkSections verifies that sections names every policy type once.
func checkSections() error {
	var have []string
	for _, t := range types() {
		have = append(have, t.Name())
	}
	a, b := slices.Sorted(slices.Values(have)), slices.Sorted(slices.Values(sections))
	if !slices.Equal(a, b) {
		return fmt.Errorf("policyschema: sections lists %v, the policy types are %v", b, a)
	}
	for _, n := range sections {
		if _, ok := typeDocs[n]; !ok {
			return fmt.Errorf("policyschema: no typeDocs entry for %s", n)
		}
	}
	return nil
}

func typeByName(name string) reflect.Type {
	for _, t := range types() {
		if t.Name() == name {
			return t
		}
	}
	return nil
}

// typeText names a Go type as the docs do.
func typeText(t reflect.Type) string {
	switch t {
	case asnType:
		return "ASN (`64500`, `AS64500`)"
	case durationType:
		return "duration (`90s`, `30m`, `24h`)"
	case addrType:
		return "IP address"
	case prefixType:
		return "IP prefix"
	case roleType, exportType, actionType, familyType:
		return "string"
	case maxPrefixType:
		return "number, or mapping ([max_prefix](#MaxPrefix))"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return typeText(t.Elem())
	case reflect.Slice:
		return "list of " + plural(typeText(t.Elem()))
	case reflect.Struct:
		return fmt.Sprintf("mapping ([%s](#%s))", typeDocs[t.Name()].Title, t.Name())
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int64, reflect.Uint16, reflect.Uint32:
		return "integer"
	case reflect.Float64:
		return "number"
	}
	return t.String()
}

func plural(s string) string {
	switch {
	case strings.HasPrefix(s, "mapping"):
		return "mappings" + strings.TrimPrefix(s, "mapping")
	case strings.HasPrefix(s, "ASN"):
		return "ASNs" + strings.TrimPrefix(s, "ASN")
	case strings.HasPrefix(s, "IP address"):
		return "IP addresses"
	}
	return s + "s"
}
