package cli

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
)

// The JSON contract of every --json output (docs/json.md): object keys are
// snake_case, AS numbers are JSON numbers (asplain), prefixes and
// addresses are strings, times are RFC 3339. The library's types carry no
// JSON tags; the CLI derives each key from the Go field name with
// snakeCase (marshalJSON), so that a field added to the Result appears in the output at
// once, and TestJSONDocumented fails until docs/json.md describes it.

// snakeCase turns a Go field name into its JSON key: "LocalAS" ->
// "local_as", "DroppedASNs" -> "dropped_asns", "RPKIAcceptValid" ->
// "rpki_accept_valid", "MaxLen" -> "max_len", "IPv4" -> "ipv4". A lower-case "s" after an
// initialism is its plural ("ASNs", "VRPs"), not a new word.
func snakeCase(s string) string {
	// "IPv4" is one word, not "I" and "Pv4".
	s = strings.ReplaceAll(s, "IPv", "Ipv")
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) && i > 0 {
			prev := r[i-1]
			nextLower := i+1 < len(r) && unicode.IsLower(r[i+1])
			plural := nextLower && r[i+1] == 's' && (i+2 == len(r) || unicode.IsUpper(r[i+2]))
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower && !plural) {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}

// marshalJSON marshals v as encoding/json does, compact, except that a
// struct field without a json tag name takes snakeCase of its Go name.
// Map keys are data and stay as they are. Each struct type's field list
// is worked out once; numbers, plain strings and text-marshalled values
// (prefixes, ranges) are appended without a trip through encoding/json,
// which keeps 'compile --json' of a full table as fast as the encoder's.
func marshalJSON(v any) ([]byte, error) {
	return appendValue(nil, reflect.ValueOf(v))
}

var (
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// A jsonField is one member of a struct's JSON object.
type jsonField struct {
	index     []int
	key       []byte // `"name":`
	omitEmpty bool
}

var structPlans sync.Map // reflect.Type -> []jsonField

func structPlan(t reflect.Type) []jsonField {
	if p, ok := structPlans.Load(t); ok {
		return p.([]jsonField)
	}
	var fields []jsonField
	var walk func(t reflect.Type, prefix []int)
	walk = func(t reflect.Type, prefix []int) {
		for i := range t.NumField() {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			idx := append(slices.Clone(prefix), i)
			if sf.Anonymous && name == "" {
				switch {
				case sf.Type.Kind() == reflect.Struct:
					walk(sf.Type, idx)
					continue
				case sf.Type.Kind() == reflect.Pointer && sf.Type.Elem().Kind() == reflect.Struct:
					walk(sf.Type.Elem(), idx) // skipped when the pointer is nil
					continue
				}
			}
			if !sf.IsExported() {
				continue
			}
			if name == "" {
				name = snakeCase(sf.Name)
			}
			k, _ := json.Marshal(name)
			fields = append(fields, jsonField{index: idx, key: append(k, ':'), omitEmpty: strings.Contains(","+opts+",", ",omitempty,")})
		}
	}
	walk(t, nil)
	structPlans.Store(t, fields)
	return fields
}

func appendValue(b []byte, v reflect.Value) ([]byte, error) {
	if !v.IsValid() {
		return append(b, "null"...), nil
	}
	t := v.Type()
	switch t.Kind() {
	case reflect.Bool:
		return strconv.AppendBool(b, v.Bool()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if !t.Implements(textMarshalerType) && !t.Implements(jsonMarshalerType) {
			return strconv.AppendUint(b, v.Uint(), 10), nil
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if !t.Implements(textMarshalerType) && !t.Implements(jsonMarshalerType) {
			return strconv.AppendInt(b, v.Int(), 10), nil
		}
	case reflect.String:
		if !t.Implements(textMarshalerType) && !t.Implements(jsonMarshalerType) {
			return appendJSONString(b, v.String()), nil
		}
	}
	if t.Implements(jsonMarshalerType) || t.Implements(textMarshalerType) {
		if t.Kind() == reflect.Pointer && v.IsNil() {
			return append(b, "null"...), nil
		}
		// A pointer to an addressable value boxes without allocating.
		var iv any
		if v.CanAddr() && t.Kind() != reflect.Pointer {
			iv = v.Addr().Interface()
		} else {
			iv = v.Interface()
		}
		start := len(b)
		var err error
		switch m := iv.(type) {
		case json.Marshaler:
			out, err := json.Marshal(m)
			return append(b, out...), err
		case interface{ AppendTo([]byte) []byte }: // netip, irr.PrefixRange
			b = m.AppendTo(append(b, '"'))
		case encoding.TextAppender:
			b, err = m.AppendText(append(b, '"'))
		case encoding.TextMarshaler:
			var txt []byte
			txt, err = m.MarshalText()
			b = append(append(b, '"'), txt...)
		default: // unreachable: t implements one of the above
			out, err := json.Marshal(iv)
			return append(b, out...), err
		}
		if err != nil {
			return b[:start], err
		}
		if !plainJSON(b[start+1:]) {
			txt := string(b[start+1:])
			return appendJSONString(b[:start], txt), nil
		}
		return append(b, '"'), nil
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return append(b, "null"...), nil
		}
		return appendValue(b, v.Elem())
	case reflect.Struct:
		b = append(b, '{')
		n := 0
		for _, f := range structPlan(t) {
			fv, err := v.FieldByIndexErr(f.index)
			if err != nil {
				continue // through a nil embedded pointer
			}
			if f.omitEmpty && isEmptyValue(fv) {
				continue
			}
			if n > 0 {
				b = append(b, ',')
			}
			n++
			b = append(b, f.key...)
			if b, err = appendValue(b, fv); err != nil {
				return b, err
			}
		}
		return append(b, '}'), nil
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && v.IsNil() {
			return append(b, "null"...), nil
		}
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			out, err := json.Marshal(v.Interface())
			return append(b, out...), err
		}
		b = append(b, '[')
		for i := range v.Len() {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendValue(b, v.Index(i)); err != nil {
				return b, err
			}
		}
		return append(b, ']'), nil
	case reflect.Map:
		if v.IsNil() {
			return append(b, "null"...), nil
		}
		type kv struct {
			k string
			v reflect.Value
		}
		var kvs []kv
		for it := v.MapRange(); it.Next(); {
			k, err := mapKey(it.Key())
			if err != nil {
				return b, err
			}
			kvs = append(kvs, kv{k, it.Value()})
		}
		slices.SortFunc(kvs, func(a, b kv) int { return strings.Compare(a.k, b.k) })
		b = append(b, '{')
		for i, e := range kvs {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, e.k)
			b = append(b, ':')
			var err error
			if b, err = appendValue(b, e.v); err != nil {
				return b, err
			}
		}
		return append(b, '}'), nil
	}
	out, err := json.Marshal(v.Interface())
	return append(b, out...), err
}

// plainJSON reports whether s needs no escaping in a JSON string.
func plainJSON[S ~string | ~[]byte](s S) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// appendJSONString appends s quoted as encoding/json quotes it: plain
// ASCII directly, anything that needs escaping (control characters, <, >,
// &, invalid UTF-8, U+2028/9) through encoding/json.
func appendJSONString(b []byte, s string) []byte {
	if !plainJSON(s) {
		out, _ := json.Marshal(s)
		return append(b, out...)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func mapKey(k reflect.Value) (string, error) {
	if k.Kind() == reflect.String {
		return k.String(), nil
	}
	if tm, ok := k.Interface().(encoding.TextMarshaler); ok {
		t, err := tm.MarshalText()
		return string(t), err
	}
	return fmt.Sprint(k.Interface()), nil
}

// isEmptyValue is encoding/json's definition, for omitempty.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// writeJSON writes v indented under the contract, with a final newline.
func writeJSON(w io.Writer, v any) error {
	b, err := marshalJSON(v)
	if err != nil {
		return err
	}
	var ind bytes.Buffer
	if err := json.Indent(&ind, b, "", jsonIndent); err != nil {
		return err
	}
	ind.WriteByte('\n')
	_, err = w.Write(ind.Bytes())
	return err
}
