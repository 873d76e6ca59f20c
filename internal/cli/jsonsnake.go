package cli

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
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
// "rpki_accept_valid", "MaxLen" -> "max_len". A lower-case "s" after an
// initialism is its plural ("ASNs", "VRPs"), not a new word.
func snakeCase(s string) string {
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
// Map keys are data and stay as they are.
func marshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := encodeValue(&b, reflect.ValueOf(v)); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

var (
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

func encodeValue(b *bytes.Buffer, v reflect.Value) error {
	if !v.IsValid() {
		b.WriteString("null")
		return nil
	}
	t := v.Type()
	if t.Implements(jsonMarshalerType) || t.Implements(textMarshalerType) ||
		(t.Kind() != reflect.Pointer && (reflect.PointerTo(t).Implements(jsonMarshalerType) || reflect.PointerTo(t).Implements(textMarshalerType))) {
		if t.Kind() == reflect.Pointer && v.IsNil() {
			b.WriteString("null")
			return nil
		}
		if !v.CanAddr() && t.Kind() != reflect.Pointer && !t.Implements(jsonMarshalerType) && !t.Implements(textMarshalerType) {
			p := reflect.New(t)
			p.Elem().Set(v)
			v = p
		} else if v.CanAddr() && t.Kind() != reflect.Pointer {
			v = v.Addr()
		}
		out, err := json.Marshal(v.Interface())
		if err != nil {
			return err
		}
		b.Write(out)
		return nil
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			b.WriteString("null")
			return nil
		}
		return encodeValue(b, v.Elem())
	case reflect.Struct:
		b.WriteByte('{')
		n := 0
		if err := encodeFields(b, v, &n); err != nil {
			return err
		}
		b.WriteByte('}')
		return nil
	case reflect.Slice:
		if v.IsNil() {
			b.WriteString("null")
			return nil
		}
		fallthrough
	case reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && t.Kind() == reflect.Slice {
			out, err := json.Marshal(v.Interface())
			if err != nil {
				return err
			}
			b.Write(out)
			return nil
		}
		b.WriteByte('[')
		for i := range v.Len() {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := encodeValue(b, v.Index(i)); err != nil {
				return err
			}
		}
		b.WriteByte(']')
		return nil
	case reflect.Map:
		if v.IsNil() {
			b.WriteString("null")
			return nil
		}
		// Keys as encoding/json writes them, sorted; values under the
		// contract.
		type kv struct {
			k string
			v reflect.Value
		}
		var kvs []kv
		for it := v.MapRange(); it.Next(); {
			k, err := mapKey(it.Key())
			if err != nil {
				return err
			}
			kvs = append(kvs, kv{k, it.Value()})
		}
		slices.SortFunc(kvs, func(a, b kv) int { return strings.Compare(a.k, b.k) })
		b.WriteByte('{')
		for i, e := range kvs {
			if i > 0 {
				b.WriteByte(',')
			}
			kb, _ := json.Marshal(e.k)
			b.Write(kb)
			b.WriteByte(':')
			if err := encodeValue(b, e.v); err != nil {
				return err
			}
		}
		b.WriteByte('}')
		return nil
	}
	out, err := json.Marshal(v.Interface())
	if err != nil {
		return err
	}
	b.Write(out)
	return nil
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

// encodeFields writes the fields of struct v, flattening embedded
// structs as encoding/json does.
func encodeFields(b *bytes.Buffer, v reflect.Value, n *int) error {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		fv := v.Field(i)
		if sf.Anonymous && name == "" {
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				if fv.IsNil() {
					continue
				}
				fv, ft = fv.Elem(), ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				if err := encodeFields(b, fv, n); err != nil {
					return err
				}
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		if strings.Contains(","+opts+",", ",omitempty,") && isEmptyValue(fv) {
			continue
		}
		if name == "" {
			name = snakeCase(sf.Name)
		}
		if *n > 0 {
			b.WriteByte(',')
		}
		*n++
		kb, _ := json.Marshal(name)
		b.Write(kb)
		b.WriteByte(':')
		if err := encodeValue(b, fv); err != nil {
			return err
		}
	}
	return nil
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
