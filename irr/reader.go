package irr

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unsafe"
)

// A ParseError reports malformed RPSL. Error reads like
//
//	ripe.db:1042: route 192.0.2.0/24: origin: invalid AS number "ASX"
type ParseError struct {
	File   string // as given to NewReader; may be empty
	Line   int    // 1-based line of the object or attribute
	Object string // class and key, if known
	Err    error  // the cause
}

func (e *ParseError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	b.WriteString(strconv.Itoa(e.Line))
	b.WriteString(": ")
	if e.Object != "" {
		b.WriteString(e.Object)
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the cause.
func (e *ParseError) Unwrap() error { return e.Err }

// ReaderLimits bound what a Reader accepts from hostile or broken input.
type ReaderLimits struct {
	MaxLineBytes   int // longest line; default 64 KiB
	MaxObjectBytes int // largest object; default 16 MiB
}

// DefaultReaderLimits are used for zero fields of ReaderLimits.
var DefaultReaderLimits = ReaderLimits{MaxLineBytes: 64 << 10, MaxObjectBytes: 16 << 20}

// An Attribute is one attribute of an RPSL object: its lowercased name and
// its value with comments removed, continuation lines joined by a space
// and surrounding white space trimmed.
type Attribute struct {
	Name  string
	Value string
	Line  int
}

// An Object is one RPSL object as read from a dump.
type Object struct {
	Class string // the first attribute's name, lowercased
	Key   string // the first attribute's value
	File  string
	Line  int // line of the first attribute
	Attrs []Attribute
}

// Get returns the value of the first attribute called name (lowercase),
// or "" if there is none.
func (o *Object) Get(name string) string {
	for i := range o.Attrs {
		if o.Attrs[i].Name == name {
			return o.Attrs[i].Value
		}
	}
	return ""
}

// Values returns the values of every attribute called name, in order.
func (o *Object) Values(name string) []string {
	var vs []string
	for i := range o.Attrs {
		if o.Attrs[i].Name == name {
			vs = append(vs, o.Attrs[i].Value)
		}
	}
	return vs
}

// String returns the object's class and key, as used in messages.
func (o *Object) String() string { return o.Class + " " + o.Key }

// errorf returns a ParseError for this object.
func (o *Object) errorf(line int, format string, args ...any) *ParseError {
	return &ParseError{File: o.File, Line: line, Object: o.String(), Err: fmt.Errorf(format, args...)}
}

// A Reader reads RPSL objects from a dump, plain or gzip-compressed (detected
// by its magic bytes). Use it like bufio.Scanner:
//
//	r := irr.NewReader(f, "ripe.db.gz")
//	for r.Next() {
//		obj := r.Object()
//		...
//	}
//	if err := r.Err(); err != nil { ... }
//
// Lines starting with '%' or '#' are comments; continuation lines start with
// a space, a tab or '+'; '#' starts a comment inside a value; CRLF is
// accepted; bytes that are not UTF-8 pass through unchanged. A line or
// object over the Limits is reported by Err.
type Reader struct {
	name    string
	src     io.Reader
	br      *bufio.Reader
	line    int
	limits  ReaderLimits
	classes map[string]bool
	obj     Object
	err     error
	started bool
	gz      bool   // the input is gzip: its trailer proves it complete
	buf     []byte // value bytes of the current object
	spans   []span

	onProblem func(*ParseError) error
	raw       bool // leave objects in buf/spans; the Builder reads them there
}

type span struct {
	name       string
	start, end int
	line       int
}

// NewReader returns a Reader over r. name is used in error messages.
func NewReader(r io.Reader, name string) *Reader {
	return &Reader{name: name, src: r, limits: DefaultReaderLimits}
}

// SetLimits sets the reader's limits; zero fields keep the defaults.
func (r *Reader) SetLimits(l ReaderLimits) {
	if l.MaxLineBytes > 0 {
		r.limits.MaxLineBytes = l.MaxLineBytes
	}
	if l.MaxObjectBytes > 0 {
		r.limits.MaxObjectBytes = l.MaxObjectBytes
	}
}

// SetClasses makes the reader skip, cheaply, every object whose class is
// not listed. With no call every object is returned.
func (r *Reader) SetClasses(classes ...string) {
	r.classes = make(map[string]bool, len(classes))
	for _, c := range classes {
		r.classes[strings.ToLower(c)] = true
	}
}

func (r *Reader) start() error {
	r.started = true
	br := bufio.NewReaderSize(r.src, 256<<10)
	magic, _ := br.Peek(2)
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("%s: gzip: %w", r.name, err)
		}
		br = bufio.NewReaderSize(zr, 256<<10)
		r.gz = true
	}
	// A UTF-8 byte order mark is not part of the first line.
	if bom, _ := br.Peek(3); string(bom) == "\ufeff" {
		br.Discard(3)
	}
	r.br = br
	return nil
}

// ErrTruncated reports a dump that ends where no complete dump can: a
// plain-text dump whose last line has no line end (cut mid-attribute),
// or a gzip stream without its trailer. Such a dump is refused whole,
// whatever the reader's problem handler says.
var ErrTruncated = errors.New("input is truncated")

// readLine returns the next line without its line end. The slice is valid
// until the next call. io.EOF ends the input.
func (r *Reader) readLine() ([]byte, error) {
	line, err := r.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull || len(line) > r.limits.MaxLineBytes {
		r.line++
		// Discard the rest of the line; the object holding it is
		// malformed, the input is not.
		for err == bufio.ErrBufferFull {
			_, err = r.br.ReadSlice('\n')
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("%s:%d: %w", r.name, r.line, err)
		}
		return nil, &ParseError{File: r.name, Line: r.line, Err: fmt.Errorf("line longer than %d bytes", r.limits.MaxLineBytes)}
	}
	if err != nil && (err != io.EOF || len(line) == 0) {
		if errors.Is(err, io.ErrUnexpectedEOF) && r.gz {
			return nil, fmt.Errorf("%s:%d: gzip stream ends early: %w", r.name, r.line+1, ErrTruncated)
		}
		if err != io.EOF {
			err = fmt.Errorf("%s:%d: %w", r.name, r.line+1, err)
		}
		return nil, err
	}
	if err == io.EOF && !r.gz {
		// Every line of a dump ends with a line end; a last line without
		// one is a file cut short (gzip has its trailer to prove that).
		return nil, fmt.Errorf("%s:%d: last line has no line end, so the file looks cut short (a complete dump ends with a newline): %w", r.name, r.line+1, ErrTruncated)
	}
	r.line++
	n := len(line)
	if n > 0 && line[n-1] == '\n' {
		n--
		if n > 0 && line[n-1] == '\r' {
			n--
		}
	}
	return line[:n], nil
}

// Next advances to the next object. It returns false at the end of the
// input or on an error, which Err then reports.
func (r *Reader) Next() bool {
	if r.err != nil {
		return false
	}
	if !r.started {
		if err := r.start(); err != nil {
			r.err = err
			return false
		}
	}
	for {
		ok, err := r.next()
		if se, isSkip := err.(*skippedError); isSkip { // no errors.As: it would allocate per call
			if r.onProblem == nil {
				r.err = se.ParseError
				return false
			}
			if err := r.onProblem(se.ParseError); err != nil {
				r.err = err
				return false
			}
			continue
		}
		if err != nil {
			if err != io.EOF {
				r.err = err
			}
			return false
		}
		if ok {
			return true
		}
	}
}

// SetProblemHandler makes the reader lenient: a malformed object is
// skipped and passed to f, and reading goes on unless f returns an error,
// which then stops the reader and is returned by Err. Without a handler
// the first malformed object stops the reader with a *ParseError.
func (r *Reader) SetProblemHandler(f func(*ParseError) error) { r.onProblem = f }

// next reads one paragraph. It returns false, nil for a skipped object.
func (r *Reader) next() (bool, error) {
	// Skip blank and comment lines before the object.
	var line []byte
	var err error
	for {
		line, err = r.readLine()
		if pe, ok := err.(*ParseError); ok {
			return false, r.skipObject(pe)
		}
		if err != nil {
			return false, err
		}
		if len(line) == 0 || line[0] == '%' || line[0] == '#' {
			continue
		}
		break
	}
	first := r.line
	if line[0] == ' ' || line[0] == '\t' || line[0] == '+' {
		// A continuation line with no attribute to continue.
		perr := &ParseError{File: r.name, Line: first, Err: errors.New("continuation line outside an object")}
		return false, r.skipObject(perr)
	}
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 {
		perr := &ParseError{File: r.name, Line: first, Err: fmt.Errorf("not an attribute line: %s", quoteBytes(line, 60))}
		return false, r.skipObject(perr)
	}
	class := attrName(line[:colon])
	if class == "" {
		perr := &ParseError{File: r.name, Line: first, Err: fmt.Errorf("invalid attribute name in %s", quoteBytes(line, 60))}
		return false, r.skipObject(perr)
	}
	if r.classes != nil && !r.classes[class] {
		return false, r.skipObject(nil)
	}
	r.buf = r.buf[:0]
	r.spans = r.spans[:0]
	r.obj = Object{Class: class, File: r.name, Line: first}
	size := 0
	cur := -1
	for {
		size += len(line)
		if size > r.limits.MaxObjectBytes {
			perr := &ParseError{File: r.name, Line: first, Object: class, Err: fmt.Errorf("object larger than %d bytes", r.limits.MaxObjectBytes)}
			return false, r.skipObject(perr)
		}
		switch c := line[0]; {
		case c == '%' || c == '#':
			// comment line inside an object
		case c == ' ' || c == '\t' || c == '+':
			if cur < 0 {
				break
			}
			v := trimValue(stripComment(line[1:]))
			if len(v) > 0 {
				if r.spans[cur].end > r.spans[cur].start {
					r.buf = append(r.buf, ' ')
				}
				r.buf = append(r.buf, v...)
				r.spans[cur].end = len(r.buf)
			}
		default:
			colon := bytes.IndexByte(line, ':')
			if colon <= 0 {
				perr := &ParseError{File: r.name, Line: r.line, Object: class, Err: fmt.Errorf("not an attribute line: %s", quoteBytes(line, 60))}
				return false, r.skipObject(perr)
			}
			name := attrName(line[:colon])
			if name == "" {
				perr := &ParseError{File: r.name, Line: r.line, Object: class, Err: fmt.Errorf("invalid attribute name in %s", quoteBytes(line, 60))}
				return false, r.skipObject(perr)
			}
			v := trimValue(stripComment(line[colon+1:]))
			start := len(r.buf)
			r.buf = append(r.buf, v...)
			r.spans = append(r.spans, span{name: name, start: start, end: len(r.buf), line: r.line})
			cur = len(r.spans) - 1
		}
		line, err = r.readLine()
		if err == io.EOF || (err == nil && len(line) == 0) {
			break
		}
		if pe, ok := err.(*ParseError); ok {
			pe.Object = class
			return false, r.skipObject(pe)
		}
		if err != nil {
			return false, err
		}
	}
	if !r.raw {
		r.materialize()
	}
	return true, nil
}

// materialize builds r.obj's attributes from the raw buffer: one string
// allocation per object, the values being substrings of it.
func (r *Reader) materialize() {
	text := string(r.buf)
	attrs := make([]Attribute, len(r.spans))
	for i, s := range r.spans {
		attrs[i] = Attribute{Name: s.name, Value: text[s.start:s.end], Line: s.line}
	}
	r.obj.Attrs = attrs
	r.obj.Key = attrs[0].Value
}

// rawValue returns the value of span i as a string that shares the
// reader's buffer: valid only until the next call to Next.
func (r *Reader) rawValue(i int) string {
	sp := r.spans[i]
	return unsafe.String(unsafe.SliceData(r.buf[sp.start:]), sp.end-sp.start)
}

// skipObject consumes lines up to the end of the current object and
// returns perr (a *ParseError), or nil when perr is nil.
func (r *Reader) skipObject(perr *ParseError) error {
	for {
		line, err := r.readLine()
		if err == io.EOF || (err == nil && len(line) == 0) {
			break
		}
		if _, long := err.(*ParseError); long {
			continue // a long line inside an object being skipped anyway
		}
		if err != nil {
			return err
		}
	}
	if perr == nil {
		return nil
	}
	return &skippedError{perr}
}

// skippedError marks a malformed object that was skipped; the reader goes
// on after it.
type skippedError struct{ *ParseError }

// Object returns the current object. It stays valid after the next call
// to Next (its strings are not reused).
func (r *Reader) Object() *Object {
	o := r.obj
	return &o
}

// Err returns the first error that stopped the reader, or nil at a clean
// end of input.
func (r *Reader) Err() error { return r.err }

// attrName returns the lowercased attribute name, interned for the names
// filtergen reads so that loading allocates nothing for them.
func attrName(b []byte) string {
	b = trimValue(b)
	// Dumps write names in lowercase: match those without allocating.
	switch string(b) {
	case "route":
		return "route"
	case "route6":
		return "route6"
	case "origin":
		return "origin"
	case "source":
		return "source"
	case "mnt-by":
		return "mnt-by"
	case "member-of":
		return "member-of"
	case "members":
		return "members"
	case "mp-members":
		return "mp-members"
	case "mbrs-by-ref":
		return "mbrs-by-ref"
	case "as-set":
		return "as-set"
	case "route-set":
		return "route-set"
	case "aut-num":
		return "aut-num"
	case "descr":
		return "descr"
	}
	// Otherwise the name must be letters, digits, '-' and '_' (IRRd's
	// ^[a-z0-9_-]+$ after lowercasing); "" means it is not.
	upper := false
	for _, c := range b {
		switch {
		case 'A' <= c && c <= 'Z':
			upper = true
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_':
		default:
			return ""
		}
	}
	if len(b) == 0 {
		return ""
	}
	if upper {
		lower := strings.ToLower(string(b))
		if n := attrName([]byte(lower)); n != lower {
			return n // interned
		}
		return lower
	}
	return string(b)
}

func stripComment(b []byte) []byte {
	if i := bytes.IndexByte(b, '#'); i >= 0 {
		return b[:i]
	}
	return b
}

// trimValue trims spaces, tabs and carriage returns from both ends.
func trimValue(b []byte) []byte {
	i, j := 0, len(b)
	for i < j && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r') {
		i++
	}
	for j > i && (b[j-1] == ' ' || b[j-1] == '\t' || b[j-1] == '\r') {
		j--
	}
	return b[i:j]
}

func quoteBytes(b []byte, max int) string {
	if len(b) > max {
		return strconv.Quote(string(b[:max])) + "..."
	}
	return strconv.Quote(string(b))
}
