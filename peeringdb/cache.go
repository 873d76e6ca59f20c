package peeringdb

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/google/renameio/v2"
)

// Cache defaults.
const (
	DefaultCacheMaxAge   = 24 * time.Hour
	DefaultCacheFreshFor = time.Hour
)

// A Cache keeps API responses on disk, one file per query, written
// atomically. Only complete, validated responses are stored. The API key
// is not part of a query and never reaches the cache.
type Cache struct {
	// Dir holds the cache files; it is created when missing.
	Dir string
	// MaxAge is how long a response may stand in for an unavailable
	// API; 0 means DefaultCacheMaxAge (24h). Older responses are never
	// used.
	MaxAge time.Duration
	// FreshFor is how long a response is used without asking the API
	// at all; 0 means DefaultCacheFreshFor, negative means always ask.
	FreshFor time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

type cacheEntry struct {
	Query   string          `json:"query"`
	Fetched time.Time       `json:"fetched"`
	Body    json.RawMessage `json:"body"`
}

func (c *Cache) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

func (c *Cache) maxAge() time.Duration {
	if c.MaxAge <= 0 {
		return DefaultCacheMaxAge
	}
	return c.MaxAge
}

func (c *Cache) freshFor() time.Duration {
	switch {
	case c.FreshFor < 0:
		return 0
	case c.FreshFor == 0:
		return min(DefaultCacheFreshFor, c.maxAge())
	}
	return min(c.FreshFor, c.maxAge())
}

// file names the entry of a query; query includes the API's base URL
// (Client.cacheKey), so that two APIs never share entries.
func (c *Cache) file(query string) string {
	h := sha256.Sum256([]byte(query))
	return filepath.Join(c.Dir, hex.EncodeToString(h[:16])+".json")
}

// load returns the entry for query; nil, nil when there is none.
func (c *Cache) load(query string) (*cacheEntry, error) {
	f, err := os.Open(c.file(query))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, DefaultMaxResponse*2))
	if err != nil {
		return nil, err
	}
	var e cacheEntry
	if err := strictJSON(data, &e); err != nil {
		return nil, fmt.Errorf("%s: %w", c.file(query), err)
	}
	if e.Query != query || e.Fetched.IsZero() {
		return nil, fmt.Errorf("%s: not the entry for %s", c.file(query), query)
	}
	return &e, nil
}

func (c *Cache) store(query string, body []byte) error {
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return err
	}
	data, err := json.Marshal(cacheEntry{Query: query, Fetched: c.now().UTC(), Body: body})
	if err != nil {
		return err
	}
	return renameio.WriteFile(c.file(query), data, 0o600)
}
