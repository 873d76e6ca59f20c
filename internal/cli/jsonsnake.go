package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// The JSON contract of every --json output (docs/json.md): object keys are
// snake_case, AS numbers are JSON numbers (asplain), prefixes and
// addresses are strings, times are RFC 3339. The library's types carry no
// JSON tags; the CLI derives each key from the Go field name with
// snakeCase, so that a field added to the Result appears in the output at
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

// snakeJSON rewrites the object keys of the JSON document in to
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

// marshalJSON marshals v under the contract: snake_case keys.
func marshalJSON(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return snakeJSON(b)
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
