package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/filtergen/filtergen/filtergen"
)

// WriteJSON writes the report as indented JSON (docs/report.md).
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// ReadJSON reads a report written by WriteJSON. It refuses another
// schema version and unknown fields, so that a report is never compared
// with one it misreads.
func ReadJSON(rd io.Reader) (*Report, error) {
	var head struct {
		SchemaVersion int `json:"schema_version"`
	}
	b, err := io.ReadAll(io.LimitReader(rd, maxReportBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxReportBytes {
		return nil, fmt.Errorf("report: larger than %d bytes", maxReportBytes)
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	if head.SchemaVersion != SchemaVersion {
		return nil, fmt.Errorf("%w: schema version %d, this filtergen reads %d", ErrSchemaVersion, head.SchemaVersion, SchemaVersion)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	r := &Report{}
	if err := dec.Decode(r); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	// A family that is absent decodes as the zero Family, which is no
	// family: refuse it, as the decoder refuses any other text.
	for i, n := range r.Neighbors {
		for j, f := range n.Families {
			if f.Family != filtergen.IPv4 && f.Family != filtergen.IPv6 {
				return nil, fmt.Errorf("report: neighbors[%d].families[%d]: no family", i, j)
			}
		}
	}
	if r.Changes != nil {
		for i, s := range r.Changes.Space {
			if s.Family != filtergen.IPv4 && s.Family != filtergen.IPv6 {
				return nil, fmt.Errorf("report: changes.space[%d]: no family", i)
			}
		}
	}
	return r, nil
}

// maxReportBytes bounds a report read back: a 1,000-member IXP's is
// about 10 MB.
const maxReportBytes = 256 << 20

// FilePrefix and FileSuffix frame the names of the JSON reports kept in
// a report directory: report-20261203T162500Z.json.
const (
	FilePrefix = "report-"
	FileSuffix = ".json"
	fileTime   = "20060102T150405Z"
)

// FileName returns the name of the JSON report of r in a report
// directory.
func (r *Report) FileName() string {
	return FilePrefix + r.GeneratedAt.UTC().Format(fileTime) + FileSuffix
}

// ErrSchemaVersion reports a JSON report of another schema version,
// which is not read: comparisons start over from the next report.
var ErrSchemaVersion = errors.New("report: another schema version")

// LoadLatest reads the latest JSON report of a report directory (by the
// time in its name), or returns nil when there is none. Files whose name
// is not a report's are ignored; a report that cannot be read is an error
// naming it, wrapping ErrSchemaVersion when it is of another version.
func LoadLatest(fsys fs.FS) (*Report, error) {
	names, err := reportNames(fsys)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, nil
	}
	latest := names[0]
	f, err := fsys.Open(latest)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := ReadJSON(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path.Clean(latest), err)
	}
	return r, nil
}

// DefaultKeep is how many JSON reports a report directory keeps by
// default: as many as the history chart shows.
const DefaultKeep = MaxHistory

// Expired returns the names of the JSON reports in a report directory
// beyond the newest keep (by the time in their names), newest first, for
// a caller to remove. adding names the reports about to be written, which
// count among the kept. keep < 1 keeps all: Expired returns none. A
// report's history travels in the newest report, so the chart needs only
// that one; the others are kept for a person to read.
func Expired(fsys fs.FS, keep int, adding ...string) ([]string, error) {
	if keep < 1 {
		return nil, nil
	}
	names, err := reportNames(fsys)
	if err != nil {
		return nil, err
	}
	for _, a := range adding {
		if isReportName(a) && !slices.Contains(names, a) {
			names = append(names, a)
		}
	}
	slices.SortFunc(names, func(a, b string) int { return strings.Compare(b, a) })
	var out []string
	for _, n := range names[min(keep, len(names)):] {
		if !slices.Contains(adding, n) {
			out = append(out, n)
		}
	}
	return out, nil
}

// reportNames lists the JSON reports of a report directory, newest first
// (the time format sorts as text).
func reportNames(fsys fs.FS) ([]string, error) {
	ents, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range ents {
		if !e.IsDir() && isReportName(e.Name()) {
			names = append(names, e.Name())
		}
	}
	slices.SortFunc(names, func(a, b string) int { return strings.Compare(b, a) })
	return names, nil
}

// isReportName reports whether name is a JSON report's (FileName).
func isReportName(name string) bool {
	ts, ok := strings.CutPrefix(name, FilePrefix)
	ts, ok2 := strings.CutSuffix(ts, FileSuffix)
	if !ok || !ok2 {
		return false
	}
	_, err := time.Parse(fileTime, ts)
	return err == nil
}

// compare lists what changed from prev to cur.
func compare(prev, cur *Report) *Changes {
	c := &Changes{Previous: prev.GeneratedAt, Space: []SpaceChange{}, NewInvalids: []NeighborInvalid{},
		Added: []string{}, Removed: []string{}}
	old := map[string]*Neighbor{}
	for i := range prev.Neighbors {
		old[prev.Neighbors[i].Name] = &prev.Neighbors[i]
	}
	seen := map[string]bool{}
	for i := range cur.Neighbors {
		n := &cur.Neighbors[i]
		seen[n.Name] = true
		o := old[n.Name]
		if o == nil {
			c.Added = append(c.Added, n.Name)
			continue
		}
		oldInv := map[[2]string]bool{}
		for _, f := range o.Families {
			for _, inv := range f.Invalids {
				oldInv[[2]string{inv.Prefix, fmt.Sprint(inv.Origin)}] = true
			}
		}
		for _, f := range n.Families {
			var before Family
			for _, of := range o.Families {
				if of.Family == f.Family {
					before = of
				}
			}
			if before.AcceptedSpace != f.AcceptedSpace {
				c.Space = append(c.Space, SpaceChange{Neighbor: n.Name, Family: f.Family,
					Before: before.AcceptedSpace, After: f.AcceptedSpace,
					AcceptedBefore: before.Accepted, AcceptedAfter: f.Accepted})
			}
			for _, inv := range f.Invalids {
				if !oldInv[[2]string{inv.Prefix, fmt.Sprint(inv.Origin)}] {
					c.NewInvalids = append(c.NewInvalids, NeighborInvalid{Neighbor: n.Name, Invalid: inv})
				}
			}
		}
	}
	for _, o := range prev.Neighbors {
		if !seen[o.Name] {
			c.Removed = append(c.Removed, o.Name)
		}
	}
	return c
}

func point(r *Report) HistoryPoint {
	p := HistoryPoint{GeneratedAt: r.GeneratedAt, Accepted: r.Summary.Accepted, Invalid: r.Summary.Invalid,
		Neighbors: map[string]int{}}
	for _, n := range r.Neighbors {
		t := 0
		for _, f := range n.Families {
			t += f.Accepted
		}
		p.Neighbors[n.Name] = t
	}
	return p
}
