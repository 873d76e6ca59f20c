package peeringdb

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
)

// DefaultMaxSnapshot is the default limit on one snapshot file, after
// decompression. PeeringDB's complete data is about a tenth of it.
const DefaultMaxSnapshot = 1 << 30

// Objects names the PeeringDB object types a snapshot holds, in the
// order they are read.
var Objects = []string{"net", "ix", "ixlan", "ixpfx", "netixlan"}

// A Snapshot is PeeringDB data loaded from files, indexed for the
// queries of Source. It is safe for concurrent use once loaded.
type Snapshot struct {
	nets     map[uint32]Net
	ixs      map[int]IX
	lans     map[int][]IXLan // by ix id
	pfx      map[int][]IXPfx // by ixlan id
	netixlan map[int][]NetIXLan
	has      map[string]bool
	name     string
}

// SnapshotOptions bound snapshot loading.
type SnapshotOptions struct {
	// MaxBytes limits each file after decompression; 0 means
	// DefaultMaxSnapshot.
	MaxBytes int64
}

// LoadSnapshot reads a snapshot: a directory holding one file per object
// type (net.json, ix.json, ixlan.json, ixpfx.json, netixlan.json, each
// optionally .gz), or one combined file {"net": {"data": [...]}, "ix":
// …}. Each per-object file is an API response ({"data": [...]}) or a
// bare list. Files may be gzip-compressed (detected by content). An
// object type missing from the snapshot is an error for the queries
// that need it, not for loading.
func LoadSnapshot(path string, opts SnapshotOptions) (*Snapshot, error) {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxSnapshot
	}
	s := newSnapshot(path)
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("peeringdb: snapshot: %w", err)
	}
	if !st.IsDir() {
		data, err := readMaybeGzip(path, opts.MaxBytes)
		if err != nil {
			return nil, err
		}
		var all map[string]json.RawMessage
		if err := strictJSON(data, &all); err != nil {
			return nil, fmt.Errorf("peeringdb: snapshot %s: %w: %v", path, ErrMalformed, err)
		}
		found := false
		for _, obj := range Objects {
			raw, ok := all[obj]
			if !ok {
				continue
			}
			found = true
			if err := s.add(obj, raw); err != nil {
				return nil, fmt.Errorf("peeringdb: snapshot %s: %s: %w", path, obj, err)
			}
		}
		if !found {
			return nil, fmt.Errorf("peeringdb: snapshot %s: %w: none of the keys %v", path, ErrMalformed, Objects)
		}
		return s, nil
	}
	found := false
	for _, obj := range Objects {
		var name string
		for _, n := range []string{obj + ".json", obj + ".json.gz"} {
			if _, err := os.Stat(filepath.Join(path, n)); err == nil {
				if name != "" {
					return nil, fmt.Errorf("peeringdb: snapshot %s: both %s and %s", path, name, n)
				}
				name = n
			} else if !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("peeringdb: snapshot: %w", err)
			}
		}
		if name == "" {
			continue
		}
		found = true
		file := filepath.Join(path, name)
		data, err := readMaybeGzip(file, opts.MaxBytes)
		if err != nil {
			return nil, err
		}
		if err := s.add(obj, data); err != nil {
			return nil, fmt.Errorf("peeringdb: snapshot %s: %w", file, err)
		}
	}
	if !found {
		return nil, fmt.Errorf("peeringdb: snapshot %s: no net.json, ix.json, ixlan.json, ixpfx.json or netixlan.json", path)
	}
	return s, nil
}

func newSnapshot(name string) *Snapshot {
	return &Snapshot{
		nets: map[uint32]Net{}, ixs: map[int]IX{}, lans: map[int][]IXLan{},
		pfx: map[int][]IXPfx{}, netixlan: map[int][]NetIXLan{}, has: map[string]bool{}, name: name,
	}
}

func readMaybeGzip(name string, max int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("peeringdb: snapshot: %w", err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	var r io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("peeringdb: snapshot %s: %w", name, err)
		}
		defer zr.Close()
		r = zr
	}
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("peeringdb: snapshot %s: %w", name, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("peeringdb: snapshot %s: %w: more than %d bytes", name, ErrTooLarge, max)
	}
	return data, nil
}

// strictJSON decodes exactly one JSON value, with nothing after it.
func strictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}

// decodeList decodes {"data": [...]} or a bare list into a slice of T.
func decodeList[T any](raw []byte) ([]T, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '{' {
		var env struct {
			Data *[]T `json:"data"`
		}
		if err := strictJSON(raw, &env); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		if env.Data == nil {
			return nil, fmt.Errorf("%w: no \"data\" list", ErrMalformed)
		}
		return *env.Data, nil
	}
	var list []T
	if err := strictJSON(raw, &list); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if list == nil {
		return nil, fmt.Errorf("%w: want a list, got null", ErrMalformed)
	}
	return list, nil
}

func (s *Snapshot) add(obj string, raw []byte) error {
	s.has[obj] = true
	switch obj {
	case "net":
		l, err := decodeList[Net](raw)
		if err != nil {
			return err
		}
		for _, n := range l {
			if !usable(n.Status) {
				continue
			}
			if n.ASN == 0 {
				return fmt.Errorf("%w: net id %d has no ASN", ErrMalformed, n.ID)
			}
			if o, dup := s.nets[n.ASN]; dup {
				return fmt.Errorf("%w: AS%d in net %d and net %d", ErrMalformed, n.ASN, o.ID, n.ID)
			}
			s.nets[n.ASN] = n
		}
	case "ix":
		l, err := decodeList[IX](raw)
		if err != nil {
			return err
		}
		for _, x := range l {
			if usable(x.Status) {
				s.ixs[x.ID] = x
			}
		}
	case "ixlan":
		l, err := decodeList[IXLan](raw)
		if err != nil {
			return err
		}
		for _, x := range l {
			if usable(x.Status) {
				s.lans[x.IXID] = append(s.lans[x.IXID], x)
			}
		}
	case "ixpfx":
		l, err := decodeList[IXPfx](raw)
		if err != nil {
			return err
		}
		for _, x := range l {
			if usable(x.Status) {
				s.pfx[x.IXLanID] = append(s.pfx[x.IXLanID], x)
			}
		}
	case "netixlan":
		l, err := decodeList[NetIXLan](raw)
		if err != nil {
			return err
		}
		for _, x := range l {
			if usable(x.Status) {
				s.netixlan[x.IXID] = append(s.netixlan[x.IXID], x)
			}
		}
		for _, v := range s.netixlan {
			sortNetIXLans(v)
		}
	}
	return nil
}

func (s *Snapshot) need(obj string) error {
	if !s.has[obj] {
		return fmt.Errorf("peeringdb: snapshot %s has no %s objects", s.name, obj)
	}
	return nil
}

// Nets implements Source.
func (s *Snapshot) Nets(ctx context.Context, asns []uint32) (map[uint32]Net, error) {
	if err := s.need("net"); err != nil {
		return nil, err
	}
	out := make(map[uint32]Net, len(asns))
	for _, a := range asns {
		if n, ok := s.nets[a]; ok {
			out[a] = n
		}
	}
	return out, nil
}

// IX implements Source.
func (s *Snapshot) IX(ctx context.Context, id int) (*Exchange, error) {
	for _, o := range []string{"ix", "ixlan", "ixpfx"} {
		if err := s.need(o); err != nil {
			return nil, err
		}
	}
	x, ok := s.ixs[id]
	if !ok {
		return nil, fmt.Errorf("peeringdb: ix %d: %w", id, ErrNotFound)
	}
	e := &Exchange{IX: x, LANs: slices.Clone(s.lans[id])}
	slices.SortFunc(e.LANs, func(a, b IXLan) int { return a.ID - b.ID })
	for _, l := range e.LANs {
		e.Prefixes = append(e.Prefixes, s.pfx[l.ID]...)
	}
	slices.SortFunc(e.Prefixes, func(a, b IXPfx) int { return a.ID - b.ID })
	return e, nil
}

// NetIXLans implements Source.
func (s *Snapshot) NetIXLans(ctx context.Context, ixID int) ([]NetIXLan, error) {
	if err := s.need("netixlan"); err != nil {
		return nil, err
	}
	return slices.Clone(s.netixlan[ixID]), nil
}

// String names the snapshot for messages.
func (s *Snapshot) String() string { return "snapshot " + strconv.Quote(s.name) }
