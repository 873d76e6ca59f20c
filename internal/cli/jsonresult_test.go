package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/filtergen/filtergen/filtergen"
)

// encoderJSON is the reference: what 'compile --json' printed before it
// streamed, one json.Encoder call on the whole Result.
func encoderJSON(t *testing.T, res *filtergen.Result) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	if err := enc.Encode(res); err != nil {
		t.Fatal(err)
	}
	// The contract's keys are snake_case.
	snake, err := snakeJSON(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	b.Reset()
	if err := json.Indent(&b, snake, "", jsonIndent); err != nil {
		t.Fatal(err)
	}
	b.WriteByte('\n')
	return b.Bytes()
}

// checkSameJSON fails unless writeResultJSON writes exactly what the
// Encoder does, and the Encoder output is MarshalIndent's plus a newline.
func checkSameJSON(t *testing.T, res *filtergen.Result) {
	t.Helper()
	want := encoderJSON(t, res)
	var got bytes.Buffer
	if err := writeResultJSON(&got, res); err != nil {
		t.Fatalf("writeResultJSON: %v", err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("streamed JSON differs from json.Encoder at byte %d of %d (want %d bytes)\n got: %q\nwant: %q",
			firstDiff(got.Bytes(), want), got.Len(), len(want), around(got.Bytes(), want), around(want, got.Bytes()))
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// around returns a's bytes around the first difference with b.
func around(a, b []byte) []byte {
	i := firstDiff(a, b)
	return a[max(0, i-80):min(len(a), i+80)]
}

// compilePolicy compiles a policy file with provenance, as --json does.
func compilePolicy(t *testing.T, policy string) *filtergen.Result {
	t.Helper()
	f := &factory{Logger: slog.New(slog.DiscardHandler), Getenv: func(string) string { return "" }}
	pol, co, err := loadInputs(context.Background(), f, policy)
	if err != nil {
		t.Fatal(err)
	}
	defer closeInputs(co)
	res, err := filtergen.Compile(context.Background(), pol, co)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// bigRPSL and bigPolicy give peers whose lists span several chunks, with
// drops of every kind, customers (ACL, uRPF) and warnings.
func bigRPSL(n int) string {
	var b strings.Builder
	b.WriteString("as-set: AS-BIG\nmembers: AS1000, AS1001, AS-MISSING\nsource: TEST\n\n")
	for i := range n {
		fmt.Fprintf(&b, "route: 20.%d.%d.0/24\norigin: AS%d\nsource: TEST\n\n", i/256, i%256, 1000+i%2)
		fmt.Fprintf(&b, "route6: 2001:db8:%x::/48\norigin: AS1000\nsource: TEST\n\n", i)
	}
	// Dropped: bogon, too long, RPKI invalid (11.0.0.0/15 is AS1000's).
	b.WriteString("route: 10.0.0.0/8\norigin: AS1000\nsource: TEST\n\n")
	b.WriteString("route: 21.0.0.0/25\norigin: AS1000\nsource: TEST\n\n")
	b.WriteString("route: 11.0.0.0/16\norigin: AS1001\nsource: TEST\n\n")
	b.WriteString("route: 11.1.0.0/16\norigin: AS1000\nsource: TEST\n\n")
	b.WriteString("as-set: AS-SMALL\nmembers: AS2000, AS64512\nsource: TEST\n\n")
	b.WriteString("route: 12.0.0.0/16\norigin: AS2000\nsource: TEST\n\n")
	b.WriteString("route: 12.1.0.0/16\norigin: AS64512\nsource: TEST\n\n")
	return b.String()
}

const bigPolicy = `version: 2
local_as: 3000
irr:
  dumps: [db.rpsl]
rpki:
  vrps: vrps.json
  max_age: 87600h
routers:
  - {name: r1, platform: bird2}
  - {name: r2, platform: junos}
peers:
  - name: BIG
    asn: 1000
    description: "peer BIG (co)"
    announce: [AS-BIG]
    neighbors: [192.0.2.1, 2001:db8::1]
  - name: SMALL
    asn: 2000
    announce: [AS-SMALL]
    neighbors: [192.0.2.2]
    aggregate: false
  - name: EMPTY6
    asn: 2000
    announce: [AS2000]
    neighbors: [192.0.2.3]
    families: [ipv4]
customers:
  - name: CUST
    asn: 1000
    announce: [AS-BIG]
    attach:
      - {router: r1, neighbors: [198.18.0.1, 2001:db8:ffff::1], interface: eth1}
      - {router: r2, neighbors: [198.18.0.5, 2001:db8:ffff::5], interface: xe-0/0/1.100}
    urpf: strict
`

// TestResultJSONSameAsEncoder checks the streamed --json output against
// json.Encoder on real compiles: the bundled examples and a policy with
// several peers, customers and lists longer than a chunk.
func TestResultJSONSameAsEncoder(t *testing.T) {
	for _, ex := range examples {
		t.Run(ex, func(t *testing.T) {
			res := compilePolicy(t, filepath.Join("..", "..", "examples", ex, "filtergen.yaml"))
			if len(res.Peers) < 2 {
				t.Fatalf("example has %d peers; want several", len(res.Peers))
			}
			checkSameJSON(t, res)
		})
	}
	t.Run("several-peers", func(t *testing.T) {
		dir := t.TempDir()
		write(t, dir, "db.rpsl", bigRPSL(3*jsonChunk+7))
		write(t, dir, "vrps.json", testVRPs)
		write(t, dir, "policy.yaml", bigPolicy)
		res := compilePolicy(t, filepath.Join(dir, "policy.yaml"))
		// The policy must reach the paths it is here for.
		var big, dropped, acl, warned bool
		for _, p := range res.Peers {
			warned = warned || len(p.Warnings) > 0
			for _, fr := range p.Families {
				big = big || len(fr.Accepted) > 2*jsonChunk
				dropped = dropped || len(fr.Dropped) > 0
				acl = acl || len(fr.ACL) > 0
			}
		}
		if len(res.Peers) != 4 || res.RPKI == nil || !big || !dropped || !acl || !warned {
			t.Fatalf("policy misses a case: %d peers, RPKI %v, long list %v, dropped %v, ACL %v, warnings %v",
				len(res.Peers), res.RPKI != nil, big, dropped, acl, warned)
		}
		checkSameJSON(t, res)
	})
}

// TestResultJSONEveryField checks Results built by reflection, with every
// field of every type set, and with every field zero, so that a field
// added to Result, PeerResult or FamilyResult and not to the writer fails
// here even if no policy produces it yet.
func TestResultJSONEveryField(t *testing.T) {
	full := &filtergen.Result{}
	fill(reflect.ValueOf(full).Elem(), 2)
	if len(full.Peers) == 0 || len(full.Peers[0].Families) == 0 || len(full.Peers[0].Families[0].Dropped) == 0 {
		t.Fatal("fill left lists empty")
	}
	long := longResult()

	// A family is never zero (the zero Family does not marshal; see
	// TestResultJSONBadFamily): the rest of the FamilyResult is.
	zeroPeer := &filtergen.Result{Peers: []*filtergen.PeerResult{{}, nil, {Families: []*filtergen.FamilyResult{{Family: filtergen.IPv4}, nil}}}}
	empties := &filtergen.Result{
		Routers: []filtergen.Router{},
		Peers: []*filtergen.PeerResult{{
			Routers: []string{}, Neighbors: []netip.Addr{}, ASNs: []uint32{},
			DroppedASNs: []filtergen.DroppedASN{}, Warnings: []string{},
			Families: []*filtergen.FamilyResult{{
				Family:  filtergen.IPv6,
				Entries: []filtergen.PrefixRange{}, Accepted: []filtergen.Accepted{},
				Dropped: []filtergen.Dropped{}, ACL: []netip.Prefix{},
			}},
		}},
	}
	exact := &filtergen.Result{Peers: []*filtergen.PeerResult{{ASNs: make([]uint32, jsonChunk)}}}

	tests := []struct {
		name string
		res  *filtergen.Result
	}{
		{"nil", nil},
		{"zero", &filtergen.Result{}},
		{"no-peers", &filtergen.Result{Peers: []*filtergen.PeerResult{}}},
		{"zero-peers", zeroPeer},
		{"empty-lists", empties},
		{"exactly-one-chunk", exact},
		{"every-field", full},
		{"every-field-long", long},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkSameJSON(t, tt.res)
		})
	}
}

// TestResultJSONBadFamily: a Result whose family is neither IPv4 nor
// IPv6 (a zero FamilyResult built in Go) is an error naming the value,
// as it is for json.Encoder, never a family written as something else.
func TestResultJSONBadFamily(t *testing.T) {
	for _, f := range []filtergen.Family{0, 5} {
		res := &filtergen.Result{Peers: []*filtergen.PeerResult{{Name: "P", Families: []*filtergen.FamilyResult{{Family: f}}}}}
		if err := json.NewEncoder(io.Discard).Encode(res); err == nil {
			t.Errorf("json.Encoder wrote family %d", uint8(f))
		}
		var b bytes.Buffer
		err := writeResultJSON(&b, res)
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("family(%d)", uint8(f))) {
			t.Errorf("writeResultJSON of family %d: %v, want an error naming it", uint8(f), err)
		}
	}
}

// fill sets every exported field reachable from v to a non-zero value,
// with n elements in each slice. Strings hold characters JSON escapes.
func fill(v reflect.Value, n int) {
	switch x := v.Addr().Interface().(type) {
	case *netip.Addr:
		*x = netip.MustParseAddr("2001:db8::1")
		return
	case *netip.Prefix:
		*x = netip.MustParsePrefix("192.0.2.0/24")
		return
	case *time.Time:
		*x = time.Date(2026, 11, 23, 12, 0, 0, 5, time.FixedZone("X", 3600))
		return
	case *filtergen.Family: // only IPv4 and IPv6 marshal
		*x = filtergen.IPv6
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n)
			}
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		for i := range n {
			fill(v.Index(i), n)
		}
	case reflect.Array:
		for i := range v.Len() {
			fill(v.Index(i), n)
		}
	case reflect.String:
		v.SetString("a<b>&\"c\"\u2028\n")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(n))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(n % 3)) // RPKIState has four values
	case reflect.Float32, reflect.Float64:
		v.SetFloat(0.5)
	default:
		panic("fill: no case for " + v.Type().String())
	}
}

// longResult is a filled Result whose leaf lists are longer than a
// chunk. (Filling with that many elements everywhere would nest a chunk
// of peers of a chunk of families of a chunk of prefixes.)
func longResult() *filtergen.Result {
	res := &filtergen.Result{}
	fill(reflect.ValueOf(res).Elem(), 2)
	n := jsonChunk + 1
	for _, p := range res.Peers {
		p.ASNs = repeat(p.ASNs, n)
		p.DroppedASNs = repeat(p.DroppedASNs, n)
		for _, fr := range p.Families {
			fr.Entries = repeat(fr.Entries, n)
			fr.Accepted = repeat(fr.Accepted, n)
			fr.Dropped = repeat(fr.Dropped, n)
			fr.ACL = repeat(fr.ACL, n)
		}
	}
	return res
}

// repeat returns n elements, s's repeated.
func repeat[T any](s []T, n int) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = s[i%len(s)]
	}
	return out
}

// failWriter fails every write after the first ok bytes.
type failWriter struct{ ok int }

var errClosed = errors.New("stdout closed")

func (w *failWriter) Write(p []byte) (int, error) {
	if len(p) <= w.ok {
		w.ok -= len(p)
		return len(p), nil
	}
	n := w.ok
	w.ok = 0
	return n, errClosed
}

func TestResultJSONWriteError(t *testing.T) {
	res := longResult()
	size := len(encoderJSON(t, res))
	if size < 2<<20 {
		t.Fatalf("result is %d bytes; want more than the buffer so writes fail midway", size)
	}
	for _, ok := range []int{0, 100, 1 << 20, size - 1} {
		t.Run(fmt.Sprint(ok), func(t *testing.T) {
			if err := writeResultJSON(&failWriter{ok: ok}, res); !errors.Is(err, errClosed) {
				t.Errorf("error = %v; want %v", err, errClosed)
			}
		})
	}
	if err := writeResultJSON(&failWriter{ok: size}, res); err != nil {
		t.Errorf("writer with room for all %d bytes: %v", size, err)
	}
}

// TestCompileJSONWriteError: when stdout fails, compile --json exits 1,
// says so on stderr and writes no files.
func TestCompileJSONWriteError(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "db.rpsl", testRPSL)
	write(t, dir, "vrps.json", testVRPs)
	write(t, dir, "policy.yaml", testPolicy)
	out := filepath.Join(dir, "out")
	var errOut bytes.Buffer
	f := &factory{
		streams: streams{In: strings.NewReader(""), Out: &failWriter{ok: 10}, ErrOut: &errOut},
		Getenv:  func(string) string { return "" },
	}
	code := run(context.Background(), f, []string{"compile", filepath.Join(dir, "policy.yaml"), "-o", out, "--json"})
	if code != ExitFailure {
		t.Errorf("exit %d; want %d", code, ExitFailure)
	}
	var je jsonError
	if err := json.Unmarshal(errOut.Bytes(), &je); err != nil || !strings.Contains(je.Error, errClosed.Error()) || je.Exit != ExitFailure {
		t.Errorf("stderr = %q; want a JSON error naming %q with exit 1", errOut.String(), errClosed)
	}
	if files := readTree(t, out); len(files) != 0 {
		t.Errorf("wrote %d files after the write error", len(files))
	}
}

// BenchmarkResultJSON compares the streaming writer with the json.Encoder
// it replaced, on a Result with long lists.
func BenchmarkResultJSON(b *testing.B) {
	res := longResult()
	b.Run("encoder", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			enc := json.NewEncoder(io.Discard)
			enc.SetIndent("", jsonIndent)
			if err := enc.Encode(res); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("stream", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := writeResultJSON(io.Discard, res); err != nil {
				b.Fatal(err)
			}
		}
	})
}
