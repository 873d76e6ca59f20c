package peeringdb_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/filtergen/filtergen/peeringdb"
	"github.com/google/go-cmp/cmp"
)

// combined builds the one-file form of the fixture snapshot.
func combined(t *testing.T) []byte {
	t.Helper()
	all := map[string]json.RawMessage{}
	for _, obj := range peeringdb.Objects {
		data, err := os.ReadFile(filepath.Join("testdata", "snapshot", obj+".json"))
		if err != nil {
			t.Fatal(err)
		}
		all[obj] = data
	}
	out, err := json.Marshal(all)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// TestSnapshotForms checks that the directory, combined and gzip forms
// and the API agree.
func TestSnapshotForms(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	gzdir := filepath.Join(dir, "gz")
	os.Mkdir(gzdir, 0o755)
	for _, obj := range peeringdb.Objects {
		data, _ := os.ReadFile(filepath.Join("testdata", "snapshot", obj+".json"))
		os.WriteFile(filepath.Join(gzdir, obj+".json.gz"), gz(data), 0o644)
	}
	f := newFakeAPI(t)
	sources := map[string]peeringdb.Source{"api": newClient(f, nil)}
	for name, path := range map[string]string{
		"dir":         filepath.Join("testdata", "snapshot"),
		"gzip dir":    gzdir,
		"combined":    write("all.json", combined(t)),
		"combined gz": write("all.json.gz", gz(combined(t))),
	} {
		s, err := peeringdb.LoadSnapshot(path, peeringdb.SnapshotOptions{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		sources[name] = s
	}
	type answer struct {
		Nets    map[uint32]peeringdb.Net
		IX      *peeringdb.Exchange
		Members []peeringdb.NetIXLan
	}
	var want *answer
	for _, name := range []string{"api", "dir", "gzip dir", "combined", "combined gz"} {
		s := sources[name]
		var a answer
		var err error
		if a.Nets, err = s.Nets(ctx, []uint32{64496, 64497, 64498, 64499, 65551}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if a.IX, err = s.IX(ctx, 4242); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if a.Members, err = s.NetIXLans(ctx, 4242); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(a.Nets) != 3 || len(a.Members) != 4 {
			t.Errorf("%s: %d nets, %d members; want 3 and 4 (deleted objects skipped)", name, len(a.Nets), len(a.Members))
		}
		if want == nil {
			want = &a
			continue
		}
		if d := cmp.Diff(want, &a, cmpOpts...); d != "" {
			t.Errorf("%s differs from the API (-api +%s):\n%s", name, name, d)
		}
	}
}

func TestSnapshotErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"empty dir", map[string]string{}, "no net.json"},
		{"truncated", map[string]string{"net.json": `{"data": [{"asn": 1`}, "net.json: malformed data: unexpected EOF"},
		{"garbage", map[string]string{"net.json": `<html>`}, "malformed data"},
		{"trailing", map[string]string{"net.json": `{"data": []} {}`}, "data after the JSON value"},
		{"no data", map[string]string{"ix.json": `{"meta": {}}`}, `no "data" list`},
		{"bad prefix", map[string]string{"ixpfx.json": `[{"id": 1, "prefix": "203.0.113.0/33"}]`}, "malformed data"},
		{"duplicate asn", map[string]string{"net.json": `[{"id": 1, "asn": 64500}, {"id": 2, "asn": 64500}]`}, "AS64500 in net 1 and net 2"},
		{"both forms", map[string]string{"net.json": `[]`, "net.json.gz": `[]`}, "both net.json and net.json.gz"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := filepath.Join(dir, string(rune('a'+i)))
			os.Mkdir(d, 0o755)
			for n, c := range tt.files {
				os.WriteFile(filepath.Join(d, n), []byte(c), 0o644)
			}
			s, err := peeringdb.LoadSnapshot(d, peeringdb.SnapshotOptions{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, %v; want error containing %q", s, err, tt.want)
			}
		})
	}
	t.Run("size limit", func(t *testing.T) {
		_, err := peeringdb.LoadSnapshot(filepath.Join("testdata", "snapshot"), peeringdb.SnapshotOptions{MaxBytes: 100})
		if !errors.Is(err, peeringdb.ErrTooLarge) {
			t.Errorf("error %v, want ErrTooLarge", err)
		}
	})
	t.Run("missing object type", func(t *testing.T) {
		d := filepath.Join(dir, "netonly")
		os.Mkdir(d, 0o755)
		os.WriteFile(filepath.Join(d, "net.json"), []byte(`[]`), 0o644)
		s, err := peeringdb.LoadSnapshot(d, peeringdb.SnapshotOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.NetIXLans(context.Background(), 1); err == nil || !strings.Contains(err.Error(), "no netixlan objects") {
			t.Errorf("error %v, want one naming netixlan", err)
		}
	})
}

// FuzzSnapshot feeds arbitrary bytes as a combined snapshot: loading
// returns a snapshot or an error, and a loaded one answers every query.
func FuzzSnapshot(f *testing.F) {
	f.Add([]byte(`{"net": {"data": [{"id": 1, "asn": 64500, "irr_as_set": "AS-X"}]}}`))
	f.Add([]byte(`{"netixlan": [{"ix_id": 1, "asn": 64500, "ipaddr4": "192.0.2.1", "ipaddr6": null}]}`))
	f.Add([]byte(`{"ixpfx": [{"ixlan_id": 1, "prefix": "2001:db8::/64"}], "ixlan": [{"id": 1, "ix_id": 1}], "ix": [{"id": 1}]}`))
	f.Add([]byte(`{"net": null}`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "s.json")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := peeringdb.LoadSnapshot(p, peeringdb.SnapshotOptions{MaxBytes: 1 << 20})
		if err != nil {
			return
		}
		ctx := context.Background()
		s.Nets(ctx, []uint32{64500})
		s.IX(ctx, 1)
		s.NetIXLans(ctx, 1)
	})
}
