package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"strings"

	"github.com/filtergen/filtergen/filtergen"
)

// jsonIndent is the indent of 'compile --json'.
const jsonIndent = "  "

// jsonChunk is how many elements of a long list are marshalled at once.
// It bounds the memory of one piece to a few hundred kilobytes.
const jsonChunk = 1024

// writeResultJSON writes res to w exactly as a json.Encoder with
// SetIndent("", jsonIndent) would after snakeJSON (the JSON contract:
// snake_case keys), byte for byte, but a piece at a time:
// the Encoder builds the whole document twice in memory (compact, then
// indented) before writing, which for a large IXP was 23 GB for a Result
// of a few. Here the Result, its peers and families are walked by hand
// and only leaf values go through json.Marshal and json.Indent (with the
// depth's indentation as prefix, which gives what indenting the whole
// document gives), so memory is the Result plus a buffer and a chunk.
//
// The walk mirrors the field order and omitempty tags of Result,
// PeerResult and FamilyResult; TestResultJSONMatchesEncoder fails when
// one of them gains a field this does not know.
func writeResultJSON(w io.Writer, res *filtergen.Result) error {
	return writeResultJSONWith(w, res, nil)
}

// writeResultJSONWith is writeResultJSON with more members after the
// Result's own, written by extra.
func writeResultJSONWith(w io.Writer, res *filtergen.Result, extra func(o *jsonObject)) error {
	jw := &jsonWriter{bw: bufio.NewWriterSize(w, 1<<20)}
	jw.result(0, res, extra)
	jw.str("\n")
	if jw.err != nil {
		return jw.err
	}
	return jw.bw.Flush()
}

// A jsonWriter writes indented JSON. The first error sticks and turns
// every later call into a no-op.
type jsonWriter struct {
	bw      *bufio.Writer
	scratch bytes.Buffer
	leaf    []byte // reused by each leaf value's encoding
	err     error
}

func (w *jsonWriter) str(s string) {
	if w.err == nil {
		_, w.err = w.bw.WriteString(s)
	}
}

func (w *jsonWriter) newline(depth int) {
	w.str("\n")
	for range depth {
		w.str(jsonIndent)
	}
}

// value writes v, marshalled and indented for the given depth.
func (w *jsonWriter) value(depth int, v any) {
	if w.err != nil {
		return
	}
	b, err := appendValue(w.leaf[:0], reflect.ValueOf(v))
	w.leaf = b
	if err != nil {
		w.err = err
		return
	}
	w.indented(depth, b)
}

func (w *jsonWriter) indented(depth int, b []byte) {
	w.scratch.Reset()
	if err := json.Indent(&w.scratch, b, strings.Repeat(jsonIndent, depth), jsonIndent); err != nil {
		w.err = err
		return
	}
	if w.err == nil {
		_, w.err = w.bw.Write(w.scratch.Bytes())
	}
}

// A jsonObject writes the members of one object.
type jsonObject struct {
	w     *jsonWriter
	depth int
	n     int
}

func (w *jsonWriter) object(depth int) *jsonObject {
	w.str("{")
	return &jsonObject{w: w, depth: depth}
}

// key starts the member called name; its value follows at depth+1.
func (o *jsonObject) key(name string) {
	if o.n > 0 {
		o.w.str(",")
	}
	o.n++
	o.w.newline(o.depth + 1)
	o.w.str(`"` + snakeCase(name) + `": `)
}

// field writes the member name: v.
func (o *jsonObject) field(name string, v any) {
	o.key(name)
	o.w.value(o.depth+1, v)
}

func (o *jsonObject) end() {
	if o.n > 0 {
		o.w.newline(o.depth)
	}
	o.w.str("}")
}

// array writes s with elem writing each element, as encoding/json does:
// null for a nil slice, [] for an empty one.
func array[T any](w *jsonWriter, depth int, s []T, elem func(depth int, e T)) {
	switch {
	case s == nil:
		w.str("null")
		return
	case len(s) == 0:
		w.str("[]")
		return
	}
	w.str("[")
	for i, e := range s {
		if i > 0 {
			w.str(",")
		}
		w.newline(depth + 1)
		elem(depth+1, e)
	}
	w.newline(depth)
	w.str("]")
}

// leafArray writes s, a list of values without nested lists that grow
// with the input, in chunks of jsonChunk elements. Each chunk is
// marshalled and indented as an array of its own, "[\n  a,\n  b\n]",
// and its brackets and the line before the closing one are cut, so the
// chunks join into the indented form of the whole list.
func leafArray[T any](w *jsonWriter, depth int, s []T) {
	if len(s) == 0 {
		w.value(depth, s) // null or []
		return
	}
	closing := len("\n") + depth*len(jsonIndent) + len("]")
	for i := 0; i < len(s) && w.err == nil; i += jsonChunk {
		b, err := appendValue(w.leaf[:0], reflect.ValueOf(s[i:min(i+jsonChunk, len(s))]))
		w.leaf = b
		if err != nil {
			w.err = err
			return
		}
		w.scratch.Reset()
		if err := json.Indent(&w.scratch, b, strings.Repeat(jsonIndent, depth), jsonIndent); err != nil {
			w.err = err
			return
		}
		if i == 0 {
			w.str("[")
		} else {
			w.str(",")
		}
		if w.err == nil {
			ind := w.scratch.Bytes()
			_, w.err = w.bw.Write(ind[1 : len(ind)-closing])
		}
	}
	w.newline(depth)
	w.str("]")
}

func (w *jsonWriter) result(depth int, r *filtergen.Result, extra func(o *jsonObject)) {
	if r == nil {
		w.str("null")
		return
	}
	o := w.object(depth)
	o.field("LocalAS", r.LocalAS)
	o.field("Routers", r.Routers)
	if r.RPKI != nil {
		o.field("RPKI", r.RPKI)
	}
	if len(r.RTR) > 0 {
		o.field("RTR", r.RTR)
	}
	if len(r.Own) > 0 {
		o.field("Own", r.Own)
	}
	o.key("Peers")
	array(w, depth+1, r.Peers, w.peer)
	if len(r.ASPA) > 0 {
		o.field("ASPA", r.ASPA)
	}
	if extra != nil {
		extra(o)
	}
	o.end()
}

func (w *jsonWriter) peer(depth int, p *filtergen.PeerResult) {
	if p == nil {
		w.str("null")
		return
	}
	o := w.object(depth)
	o.field("Name", p.Name)
	o.field("Description", p.Description)
	o.field("ASN", p.ASN)
	o.field("Customer", p.Customer)
	o.field("Role", p.Role)
	o.field("Routers", p.Routers)
	o.field("Neighbors", p.Neighbors)
	o.field("Attachments", p.Attachments)
	o.field("Settings", p.Settings)
	o.field("Import", p.Import)
	o.field("Export", p.Export)
	o.field("Session", p.Session)
	o.key("ASNs")
	leafArray(w, depth+1, p.ASNs)
	if len(p.DroppedASNs) > 0 {
		o.key("DroppedASNs")
		leafArray(w, depth+1, p.DroppedASNs)
	}
	o.key("Families")
	array(w, depth+1, p.Families, w.family)
	if len(p.AntiSpoofing) > 0 {
		o.field("AntiSpoofing", p.AntiSpoofing)
	}
	if len(p.Warnings) > 0 {
		o.field("Warnings", p.Warnings)
	}
	if p.Expansion != nil {
		o.field("Expansion", p.Expansion)
	}
	o.end()
}

func (w *jsonWriter) family(depth int, f *filtergen.FamilyResult) {
	if f == nil {
		w.str("null")
		return
	}
	o := w.object(depth)
	o.field("Family", f.Family)
	o.key("Entries")
	leafArray(w, depth+1, f.Entries)
	o.field("Count", f.Count)
	o.field("MaxPrefix", f.MaxPrefix)
	o.key("Accepted")
	leafArray(w, depth+1, f.Accepted)
	if len(f.Dropped) > 0 {
		o.key("Dropped")
		leafArray(w, depth+1, f.Dropped)
	}
	if len(f.ACL) > 0 {
		o.key("ACL")
		leafArray(w, depth+1, f.ACL)
	}
	if f.URPF != "" {
		o.field("URPF", f.URPF)
	}
	o.end()
}
