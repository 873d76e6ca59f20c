package irr

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func readAll(t *testing.T, in string) ([]*Object, []*ParseError, error) {
	t.Helper()
	r := NewReader(strings.NewReader(in), "test.db")
	var probs []*ParseError
	r.SetProblemHandler(func(p *ParseError) error { probs = append(probs, p); return nil })
	var objs []*Object
	for r.Next() {
		objs = append(objs, r.Object())
	}
	return objs, probs, r.Err()
}

func TestReaderWorkedExample(t *testing.T) {
	// The worked example of protocols.md §1.1, written again in testdata.
	data, err := os.ReadFile("testdata/worked.rpsl")
	if err != nil {
		t.Fatal(err)
	}
	objs, probs, err := readAll(t, string(data))
	if err != nil || len(probs) > 0 {
		t.Fatalf("err %v, problems %v", err, probs)
	}
	if len(objs) != 6 {
		t.Fatalf("got %d objects, want 6", len(objs))
	}
	o := objs[0]
	if o.Class != "as-set" || o.Key != "as-example" || o.Line != 4 {
		t.Errorf("first object = %s %q line %d", o.Class, o.Key, o.Line)
	}
	want := []string{"AS64500, as64501, AS-OTHER AS64502 AS64503", "AS64504"}
	if diff := cmp.Diff(want, o.Values("members")); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
	if got := o.Get("source"); got != "RADB" {
		t.Errorf("source = %q", got)
	}
	if got := o.Get("descr"); got != "Example" {
		t.Errorf("descr = %q", got)
	}
}

func TestReaderLexical(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		classes []string
		want    []string // class=key of each object
		probs   int
	}{
		{"crlf", "route: 192.0.2.0/24\r\norigin: AS1\r\n\r\nroute6: 2001:db8::/32\r\norigin: AS2\r\n", nil,
			[]string{"route=192.0.2.0/24", "route6=2001:db8::/32"}, 0},
		{"uppercase names", "ROUTE: 192.0.2.0/24\nOrigin: AS1\n", nil, []string{"route=192.0.2.0/24"}, 0},
		{"space-only line continues", "as-set: AS-A\nmembers: AS1\n \n AS2\n", nil, []string{"as-set=AS-A"}, 0},
		{"several blank lines", "\n\n\nas-set: AS-A\n\n\n\nas-set: AS-B\n\n", nil, []string{"as-set=AS-A", "as-set=AS-B"}, 0},
		{"comments between and inside", "# c\n% c\nas-set: AS-A\n# inside\nmembers: AS1\n% x\n", nil, []string{"as-set=AS-A"}, 0},
		{"class filter", "person: X\nnic-hdl: X\n\nroute: 192.0.2.0/24\norigin: AS1\n", []string{"route"}, []string{"route=192.0.2.0/24"}, 0},
		{"continuation outside object", " AS1\n\nas-set: AS-A\n", nil, []string{"as-set=AS-A"}, 1},
		{"no colon", "garbage line\n\nas-set: AS-A\n", nil, []string{"as-set=AS-A"}, 1},
		{"bad line inside object", "as-set: AS-B\nbroken\nmembers: AS1\n\nas-set: AS-A\n", nil, []string{"as-set=AS-A"}, 1},
		{"BOM", "\ufeffas-set: AS-A\nmembers: AS1\n\nas-set: AS-B\n", nil, []string{"as-set=AS-A", "as-set=AS-B"}, 0},
		{"empty", "", nil, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(tt.in), "t")
			if tt.classes != nil {
				r.SetClasses(tt.classes...)
			}
			probs := 0
			r.SetProblemHandler(func(*ParseError) error { probs++; return nil })
			var got []string
			for r.Next() {
				o := r.Object()
				got = append(got, o.Class+"="+o.Key)
			}
			if err := r.Err(); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("objects (-want +got):\n%s", diff)
			}
			if probs != tt.probs {
				t.Errorf("problems = %d, want %d", probs, tt.probs)
			}
		})
	}
}

func TestReaderStrictStops(t *testing.T) {
	r := NewReader(strings.NewReader("as-set: AS-A\n\nbroken\n\nas-set: AS-B\n"), "dump.db")
	n := 0
	for r.Next() {
		n++
	}
	var pe *ParseError
	if !errors.As(r.Err(), &pe) {
		t.Fatalf("Err() = %v, want *ParseError", r.Err())
	}
	if n != 1 || pe.File != "dump.db" || pe.Line != 3 {
		t.Errorf("read %d objects; error %v (line %d)", n, pe, pe.Line)
	}
	if !strings.HasPrefix(pe.Error(), "dump.db:3: ") {
		t.Errorf("message %q lacks file:line", pe.Error())
	}
}

func TestReaderLatin1PassesThrough(t *testing.T) {
	in := "as-set: AS-A\ndescr: G\xf6ttingen\nmembers: AS1\n"
	objs, probs, err := readAll(t, in)
	if err != nil || len(probs) != 0 || len(objs) != 1 {
		t.Fatalf("objs %d probs %v err %v", len(objs), probs, err)
	}
	if got := objs[0].Get("descr"); got != "G\xf6ttingen" {
		t.Errorf("descr = %q", got)
	}
}

func TestReaderGzip(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	io.WriteString(zw, "route: 192.0.2.0/24\norigin: AS1\nsource: RIPE\n")
	zw.Close()
	r := NewReader(&buf, "x.gz")
	var got []string
	for r.Next() {
		got = append(got, r.Object().Key)
	}
	if r.Err() != nil || len(got) != 1 || got[0] != "192.0.2.0/24" {
		t.Fatalf("got %v, err %v", got, r.Err())
	}
	// A truncated gzip stream is an error, not a short read.
	var tr bytes.Buffer
	zw = gzip.NewWriter(&tr)
	for i := 0; i < 2000; i++ {
		io.WriteString(zw, "route: 192.0.2.0/24\norigin: AS1\nsource: RIPE\n\n")
	}
	zw.Close()
	cut := tr.Bytes()[:tr.Len()/2]
	r = NewReader(bytes.NewReader(cut), "cut.gz")
	for r.Next() {
	}
	if r.Err() == nil {
		t.Error("truncated gzip read without error")
	}
}

func TestReaderLimits(t *testing.T) {
	// A long line makes its object malformed; in a skipped class it does
	// not matter; the reader goes on either way. Lines past the bufio
	// buffer (256 KiB) are discarded the same way.
	long := "as-set: AS-A\nmembers: " + strings.Repeat("AS1,", 100) + "\n\n" +
		"filter-set: FLTR-X\nfilter: " + strings.Repeat("x", 300<<10) + "\n\n" +
		"as-set: AS-B\nmembers: AS2\n"
	for _, classes := range [][]string{nil, {"as-set"}} {
		r := NewReader(strings.NewReader(long), "t")
		r.SetLimits(ReaderLimits{MaxLineBytes: 64})
		if classes != nil {
			r.SetClasses(classes...)
		}
		var probs []string
		r.SetProblemHandler(func(p *ParseError) error { probs = append(probs, p.Error()); return nil })
		var keys []string
		for r.Next() {
			keys = append(keys, r.Object().Key)
		}
		if r.Err() != nil || len(keys) != 1 || keys[0] != "AS-B" {
			t.Errorf("classes %v: keys %v err %v", classes, keys, r.Err())
		}
		want := 1 // the as-set with the long members line
		if classes == nil {
			want = 2 // and the filter-set, when it is read at all
		}
		if len(probs) != want || !strings.Contains(probs[0], "t:2: as-set: line longer than 64 bytes") {
			t.Errorf("classes %v: problems %q", classes, probs)
		}
	}
	// Strict: the first long line stops the reader with its position.
	r := NewReader(strings.NewReader(long), "t")
	r.SetLimits(ReaderLimits{MaxLineBytes: 64})
	for r.Next() {
	}
	if r.Err() == nil || !strings.Contains(r.Err().Error(), "line longer") {
		t.Errorf("long line: err = %v", r.Err())
	}
	var big strings.Builder
	big.WriteString("as-set: AS-A\n")
	for i := 0; i < 100; i++ {
		big.WriteString("members: AS1, AS2, AS3\n")
	}
	big.WriteString("\nas-set: AS-B\n")
	r = NewReader(strings.NewReader(big.String()), "t")
	r.SetLimits(ReaderLimits{MaxObjectBytes: 500})
	var probs []*ParseError
	r.SetProblemHandler(func(p *ParseError) error { probs = append(probs, p); return nil })
	var keys []string
	for r.Next() {
		keys = append(keys, r.Object().Key)
	}
	if len(probs) != 1 || len(keys) != 1 || keys[0] != "AS-B" {
		t.Errorf("big object: keys %v problems %v", keys, probs)
	}
}

// TestReaderRealDumps reads the real RIPE split dumps in place and checks
// the object counts recorded in shared/testdata/real/SOURCES.md.
func TestReaderRealDumps(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "testdata", "real", "rpsl", "ripe-split-dump-2023-11")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("shared real data not present beside the project:", err)
	}
	tests := []struct {
		file, class string
		want        int
	}{
		{"ripe.db.as-set.gz", "as-set", 25174},
		{"ripe-nonauth.db.route.gz", "route", 52082},
		{"ripe-nonauth.db.route6.gz", "route6", 1356},
		{"ripe-nonauth.db.aut-num.gz", "aut-num", 2109},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			r := NewReader(f, tt.file)
			var probs []*ParseError
			r.SetProblemHandler(func(p *ParseError) error { probs = append(probs, p); return nil })
			n := 0
			for r.Next() {
				if r.Object().Class == tt.class {
					n++
				}
			}
			if err := r.Err(); err != nil {
				t.Fatal(err)
			}
			if n != tt.want || len(probs) != 0 {
				t.Errorf("%d %s objects, want %d; problems: %v", n, tt.class, tt.want, probs)
			}
		})
	}
}

func FuzzReader(f *testing.F) {
	f.Add([]byte("as-set: AS-A\nmembers: AS1, AS-B\n+ AS2\n\troute: x\n\nroute: 192.0.2.0/24\norigin: AS1\n"))
	f.Add([]byte(" cont\n\n%x\n#y\n:\n\n\r\n"))
	f.Add([]byte("a:b\n\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data), "fuzz")
		r.SetLimits(ReaderLimits{MaxLineBytes: 256, MaxObjectBytes: 1024})
		r.SetProblemHandler(func(p *ParseError) error {
			if p.Line <= 0 || p.Error() == "" {
				t.Fatalf("problem without a line: %v", p)
			}
			return nil
		})
		for r.Next() {
			o := r.Object()
			if o.Class == "" || len(o.Attrs) == 0 || o.Attrs[0].Name != o.Class || o.Key != o.Attrs[0].Value {
				t.Fatalf("inconsistent object %+v", o)
			}
			for _, a := range o.Attrs {
				if strings.ContainsAny(a.Value, "\n#") || strings.Trim(a.Value, " \t\r") != a.Value {
					t.Fatalf("value %q not cleaned", a.Value)
				}
			}
		}
	})
}
