package rpki

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/filtergen/filtergen/internal/inputfile"
)

// DefaultMaxAge is the oldest data accepted when LoadOptions.MaxAge is
// zero: 24 hours, as stayrtr refuses files older than that.
const DefaultMaxAge = 24 * time.Hour

// NoMaxAge, as LoadOptions.MaxAge, turns the age checks off. It is an
// explicit operator override: stale data is otherwise always refused.
const NoMaxAge time.Duration = -1

// DefaultMaxSize is the largest input accepted when LoadOptions.MaxSize
// is zero. rpki-client's full JSON output is about 100 MB in 2026.
const DefaultMaxSize = 1 << 30

// LoadOptions control loading and the staleness check.
type LoadOptions struct {
	// MaxAge is the oldest data accepted, measured from the time the data
	// was produced (rpki-client's metadata.buildtime, Routinator's
	// metadata.generated; for formats with neither, LoadFile uses the
	// file's modification time). Older data is refused with an error
	// wrapping ErrStale, and so is data with no production time at all.
	// Entries whose own expiry time (rpki-client's "expires") has passed
	// are dropped. Zero means DefaultMaxAge; NoMaxAge turns both checks off.
	MaxAge time.Duration

	// Now returns the current time. Nil means time.Now.
	Now func() time.Time

	// MaxSize is the largest input in bytes; zero means DefaultMaxSize.
	MaxSize int64

	// ClockSkew is how far in the future the production time may be
	// before the data is refused: a build time from the future means a
	// broken clock or forged metadata, and would pass any age check.
	// Zero means DefaultClockSkew. The check applies even with NoMaxAge.
	ClockSkew time.Duration
}

// DefaultClockSkew is the future build time tolerated when
// LoadOptions.ClockSkew is zero.
const DefaultClockSkew = 10 * time.Minute

// ErrFuture reports RPKI data whose production time is in the future
// beyond the allowed clock skew.
var ErrFuture = errors.New("rpki: data built in the future")

func (o *LoadOptions) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// format names an input format recognised by Load.
type format string

// The formats Load recognises by their content.
const (
	formatJSON format = "json" // rpki-client JSON, Routinator json/jsonext, stayrtr's JSON, RIPE validator export
	formatCSV  format = "csv"  // rpki-client and Routinator csv/csvcompat/csvext, RIPE validator CSV, headerless asn,prefix,maxlen
)

// parsed is what a format parser produces before checks.
type parsed struct {
	vrps     []VRP
	aspas    []ASPA
	produced time.Time
	format   format
}

// expiry lets parsers drop expired entries as they go.
type expiry struct {
	check bool
	now   int64 // Unix seconds
}

func (e expiry) expired(t int64, present bool) bool {
	return e.check && present && t < e.now
}

// Load reads VRPs and ASPA records from r, recognising the format by its
// content, and returns them as a Set. name is used in error messages. On
// any malformed entry it returns a *ParseError naming the entry and no
// Set: nothing partial is ever returned. Data older than opts.MaxAge, or
// with no production time, is refused with an error wrapping ErrStale.
func Load(r io.Reader, name string, opts LoadOptions) (*Set, error) {
	return load(r, name, opts, time.Time{})
}

// LoadFile is Load for a named file. For formats that carry no production
// time (CSV, JSON without metadata) the file's modification time stands in.
func LoadFile(name string, opts LoadOptions) (*Set, error) {
	f, err := inputfile.Open(name)
	if err != nil {
		return nil, fmt.Errorf("rpki: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("rpki: %w", err)
	}
	return load(f, name, opts, fi.ModTime())
}

func load(r io.Reader, name string, opts LoadOptions, fallback time.Time) (*Set, error) {
	maxSize := opts.MaxSize
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	var buf bytes.Buffer
	if st, ok := r.(interface{ Stat() (os.FileInfo, error) }); ok {
		if fi, err := st.Stat(); err == nil && fi.Size() > 0 && fi.Size() <= maxSize {
			buf.Grow(int(fi.Size()) + 1)
		}
	} else if l, ok := r.(interface{ Len() int }); ok && int64(l.Len()) <= maxSize {
		buf.Grow(l.Len() + 1)
	}
	_, err := buf.ReadFrom(io.LimitReader(r, maxSize+1))
	data := buf.Bytes()
	if err != nil {
		return nil, fmt.Errorf("rpki: %s: %w", name, err)
	}
	if int64(len(data)) > maxSize {
		return nil, &ParseError{File: name, Err: fmt.Errorf("input larger than %d bytes", maxSize)}
	}
	now := opts.now()
	maxAge := opts.MaxAge
	if maxAge == 0 {
		maxAge = DefaultMaxAge
	}
	exp := expiry{check: maxAge >= 0, now: now.Unix()}
	p, err := parse(data, name, exp)
	if err != nil {
		return nil, err
	}
	if p.produced.IsZero() {
		p.produced = fallback
	}
	skew := opts.ClockSkew
	if skew <= 0 {
		skew = DefaultClockSkew
	}
	if ahead := p.produced.Sub(now); !p.produced.IsZero() && ahead > skew {
		return nil, fmt.Errorf("rpki: %s: data built %s is %s in the future, more than the allowed clock skew %s: %w",
			name, p.produced.UTC().Format(time.RFC3339), ahead.Round(time.Second), skew, ErrFuture)
	}
	if maxAge >= 0 {
		if err := CheckAge(p.produced, now, maxAge); err != nil {
			return nil, fmt.Errorf("rpki: %s: %w", name, err)
		}
	}
	if len(p.vrps) == 0 {
		return nil, &ParseError{File: name, Err: errors.New("no VRPs")}
	}
	return newSet(p.vrps, p.aspas, p.produced), nil
}

// CheckAge is the one RPKI staleness check, used by the loaders here and
// by filtergen.Compile: data built at produced is refused at now when it
// is older than maxAge, or when produced is zero (its age is unknown).
// The error wraps ErrStale and reads "data built ... is ... old, more
// than the maximum age ..."; callers prefix what the data is. A negative
// maxAge is the caller's "any age": do not call CheckAge then.
func CheckAge(produced, now time.Time, maxAge time.Duration) error {
	if produced.IsZero() {
		return fmt.Errorf("data carries no build time, so its age is unknown: %w", ErrStale)
	}
	if age := now.Sub(produced); age > maxAge {
		return fmt.Errorf("data built %s is %s old, more than the maximum age %s: %w",
			produced.UTC().Format(time.RFC3339), age.Round(time.Second), maxAge, ErrStale)
	}
	return nil
}

// parse recognises the format and parses data.
func parse(data []byte, name string, exp expiry) (parsed, error) {
	// A UTF-8 byte order mark, as some editors and Windows tools write,
	// is not part of the data.
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) == 0 {
		return parsed{}, &ParseError{File: name, Err: errors.New("empty input")}
	}
	if trimmed[0] == '{' {
		return parseJSON(data, name, exp)
	}
	return parseCSV(data, name, exp)
}
