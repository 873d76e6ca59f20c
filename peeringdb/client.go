package peeringdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Client defaults.
const (
	DefaultBaseURL       = "https://www.peeringdb.com/api"
	DefaultTimeout       = 30 * time.Second
	DefaultMaxResponse   = 64 << 20
	DefaultMaxRetries    = 3
	DefaultMaxRetryAfter = 60 * time.Second
	// netsPerQuery bounds asn__in lists so URLs stay short.
	netsPerQuery = 100
)

// A Client queries the PeeringDB REST API. The zero value queries
// DefaultBaseURL anonymously, without a cache. A Client is safe for
// concurrent use.
type Client struct {
	// BaseURL is the API root, such as "https://www.peeringdb.com/api";
	// empty means DefaultBaseURL.
	BaseURL string
	// APIKey, if set, is sent as "Authorization: Api-Key …". It never
	// appears in errors, logs or the cache.
	APIKey string
	// HTTPClient does the requests; nil means a client with no redirect
	// to another host. Its own Timeout, if any, also applies.
	HTTPClient *http.Client
	// Timeout bounds each request, body included; 0 means DefaultTimeout.
	Timeout time.Duration
	// MaxResponse limits a response body; 0 means DefaultMaxResponse.
	MaxResponse int64
	// MaxRetries is how many times a 429 reply is retried; 0 means
	// DefaultMaxRetries, negative means never.
	MaxRetries int
	// MaxRetryAfter is the longest Retry-After the client waits; a 429
	// asking for longer fails at once with ErrRateLimited. 0 means
	// DefaultMaxRetryAfter.
	MaxRetryAfter time.Duration
	// Cache, if set, keeps responses on disk and stands in for the API
	// when it is unavailable.
	Cache *Cache
	// Stale, if set, is called when a cached response is used because
	// the API was unavailable, with the query and the response's age.
	Stale func(query string, age time.Duration, cause error)
	// Logger receives debug logs; nil discards.
	Logger *slog.Logger
}

func (c *Client) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Logger
}

// An APIError is an HTTP error status from the API.
type APIError struct {
	Query  string // such as "net?asn__in=64500"
	Status int
	Msg    string // the API's message, quoted and shortened
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("peeringdb: %s: HTTP %d", e.Query, e.Status)
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	return s
}

// Nets implements Source with net?asn__in=…, in batches.
func (c *Client) Nets(ctx context.Context, asns []uint32) (map[uint32]Net, error) {
	asns = slices.Clone(asns)
	slices.Sort(asns)
	asns = slices.Compact(asns)
	out := make(map[uint32]Net, len(asns))
	for chunk := range slices.Chunk(asns, netsPerQuery) {
		list := make([]string, len(chunk))
		for i, a := range chunk {
			list[i] = strconv.FormatUint(uint64(a), 10)
		}
		nets, err := get[Net](ctx, c, "net", url.Values{"asn__in": {strings.Join(list, ",")}})
		if err != nil {
			return nil, err
		}
		for _, n := range nets {
			if usable(n.Status) && slices.Contains(chunk, n.ASN) {
				out[n.ASN] = n
			}
		}
	}
	return out, nil
}

// IX implements Source with ix, ixlan and ixpfx queries.
func (c *Client) IX(ctx context.Context, id int) (*Exchange, error) {
	ixs, err := get[IX](ctx, c, "ix", url.Values{"id": {strconv.Itoa(id)}})
	if err != nil {
		return nil, err
	}
	if len(ixs) != 1 || ixs[0].ID != id {
		return nil, fmt.Errorf("peeringdb: ix %d: %w", id, ErrNotFound)
	}
	e := &Exchange{IX: ixs[0]}
	if e.LANs, err = get[IXLan](ctx, c, "ixlan", url.Values{"ix_id": {strconv.Itoa(id)}}); err != nil {
		return nil, err
	}
	slices.SortFunc(e.LANs, func(a, b IXLan) int { return a.ID - b.ID })
	if len(e.LANs) > 0 {
		ids := make([]string, len(e.LANs))
		for i, l := range e.LANs {
			ids[i] = strconv.Itoa(l.ID)
		}
		if e.Prefixes, err = get[IXPfx](ctx, c, "ixpfx", url.Values{"ixlan_id__in": {strings.Join(ids, ",")}}); err != nil {
			return nil, err
		}
		slices.SortFunc(e.Prefixes, func(a, b IXPfx) int { return a.ID - b.ID })
	}
	return e, nil
}

// NetIXLans implements Source with netixlan?ix_id=….
func (c *Client) NetIXLans(ctx context.Context, ixID int) ([]NetIXLan, error) {
	l, err := get[NetIXLan](ctx, c, "netixlan", url.Values{"ix_id": {strconv.Itoa(ixID)}})
	if err != nil {
		return nil, err
	}
	l = slices.DeleteFunc(l, func(n NetIXLan) bool { return !usable(n.Status) || n.IXID != ixID })
	sortNetIXLans(l)
	return l, nil
}

// get runs one list query and decodes its data. The body is validated
// completely before anything is cached or returned.
func get[T any](ctx context.Context, c *Client, obj string, q url.Values) ([]T, error) {
	query := obj + "?" + q.Encode()
	body, err := c.query(ctx, query, func(b []byte) error {
		_, err := decodeList[T](b)
		return err
	})
	if err != nil {
		return nil, err
	}
	l, err := decodeList[T](body)
	if err != nil { // a cache file damaged on disk
		return nil, fmt.Errorf("peeringdb: %s: %w", query, err)
	}
	return l, nil
}

// query returns the body for query: from a fresh cache entry, from the
// API, or, when the API fails, from a cache entry not yet expired.
func (c *Client) query(ctx context.Context, query string, check func([]byte) error) ([]byte, error) {
	var cached *cacheEntry
	key := c.cacheKey(query)
	if c.Cache != nil {
		e, err := c.Cache.load(key)
		if err != nil {
			c.logger().Debug("peeringdb cache unreadable", "query", query, "err", err)
		}
		if e != nil && check(e.Body) == nil {
			cached = e
			if age := c.Cache.now().Sub(e.Fetched); age >= 0 && age < c.Cache.freshFor() {
				c.logger().Debug("peeringdb cache hit", "query", query, "age", age)
				return e.Body, nil
			}
		}
	}
	body, err := c.fetch(ctx, query, check)
	if err == nil {
		if c.Cache != nil {
			if err := c.Cache.store(key, body); err != nil {
				return nil, fmt.Errorf("peeringdb: cache: %w", err)
			}
		}
		return body, nil
	}
	var ae *APIError
	if errors.As(err, &ae) && ae.Status != http.StatusTooManyRequests && ae.Status < 500 || ctx.Err() != nil {
		return nil, err // our request is wrong (or we were cancelled): the cache cannot help
	}
	if cached != nil {
		age := c.Cache.now().Sub(cached.Fetched)
		if age < c.Cache.maxAge() {
			if c.Stale != nil {
				c.Stale(query, age, err)
			}
			c.logger().Warn("PeeringDB unavailable, using cached response", "query", query, "age", age.Round(time.Second), "err", err)
			return cached.Body, nil
		}
		return nil, fmt.Errorf("%w: %w (cached response is %s old, older than %s)",
			err, ErrUnavailable, age.Round(time.Second), c.Cache.maxAge())
	}
	return nil, fmt.Errorf("%w: %w", err, ErrUnavailable)
}

// cacheKey is the base URL, without user info, and the query.
func (c *Client) cacheKey(query string) string {
	base := c.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	if u, err := url.Parse(base); err == nil {
		u.User = nil
		base = u.String()
	}
	return strings.TrimSuffix(base, "/") + "/" + query
}

// fetch asks the API, retrying 429 replies within bounds.
func (c *Client) fetch(ctx context.Context, query string, check func([]byte) error) ([]byte, error) {
	maxRetries := c.MaxRetries
	if maxRetries == 0 {
		maxRetries = DefaultMaxRetries
	}
	maxWait := c.MaxRetryAfter
	if maxWait <= 0 {
		maxWait = DefaultMaxRetryAfter
	}
	for attempt := 0; ; attempt++ {
		body, wait, err := c.fetchOnce(ctx, query)
		if err == nil {
			if err := check(body); err != nil {
				return nil, fmt.Errorf("peeringdb: %s: %w", query, err)
			}
			return body, nil
		}
		if wait < 0 { // not a 429
			return nil, err
		}
		if attempt >= maxRetries {
			return nil, fmt.Errorf("%w: %w after %d retries", err, ErrRateLimited, attempt)
		}
		if wait > maxWait {
			return nil, fmt.Errorf("%w: %w: Retry-After %s exceeds %s", err, ErrRateLimited, wait, maxWait)
		}
		c.logger().Debug("peeringdb rate limited", "query", query, "retry_after", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// fetchOnce does one request. wait is the Retry-After of a 429 reply
// (≥ 0), or -1 for every other outcome.
func (c *Client) fetchOnce(ctx context.Context, query string) (body []byte, wait time.Duration, err error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	base := c.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(strings.TrimSuffix(base, "/") + "/" + query)
	if err != nil {
		return nil, -1, fmt.Errorf("peeringdb: bad base URL: %v", redactErr(err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, -1, fmt.Errorf("peeringdb: %s: %v", query, redactErr(err))
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "filtergen")
	if c.APIKey != "" {
		req.Header.Set("Authorization", "Api-Key "+c.APIKey)
	}
	hc := c.HTTPClient
	if hc == nil {
		hc = &http.Client{CheckRedirect: sameHostRedirect}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, -1, fmt.Errorf("peeringdb: %s: %w", query, redactErr(err))
	}
	defer resp.Body.Close()
	max := c.MaxResponse
	if max <= 0 {
		max = DefaultMaxResponse
	}
	if resp.ContentLength > max {
		return nil, -1, fmt.Errorf("peeringdb: %s: %w: Content-Length %d exceeds %d", query, ErrTooLarge, resp.ContentLength, max)
	}
	body, err = io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, -1, fmt.Errorf("peeringdb: %s: reading body: %w: %w", query, ErrMalformed, redactErr(err))
	}
	if int64(len(body)) > max {
		return nil, -1, fmt.Errorf("peeringdb: %s: %w: more than %d bytes", query, ErrTooLarge, max)
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return nil, retryAfter(resp.Header.Get("Retry-After"), time.Now()), &APIError{Query: query, Status: resp.StatusCode, Msg: apiMessage(body)}
	case resp.StatusCode != http.StatusOK:
		return nil, -1, &APIError{Query: query, Status: resp.StatusCode, Msg: apiMessage(body)}
	}
	return body, -1, nil
}

// retryAfter parses a Retry-After header (seconds or an HTTP date);
// absent or unparsable means one second.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if n, err := strconv.ParseInt(h, 10, 64); err == nil && n >= 0 {
		if n > 1<<30 {
			n = 1 << 30
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
		return 0
	}
	return time.Second
}

// apiMessage extracts PeeringDB's {"meta": {"error": "…"}} message.
func apiMessage(body []byte) string {
	var env struct {
		Meta struct {
			Error string `json:"error"`
		} `json:"meta"`
	}
	if json.Unmarshal(body, &env) != nil || env.Meta.Error == "" {
		return ""
	}
	m := env.Meta.Error
	if len(m) > 200 {
		m = m[:200] + "…"
	}
	return strconv.Quote(m)
}

// redactErr strips the URL's user info from *url.Error, so credentials
// written into BaseURL do not leak into messages.
func redactErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			return &url.Error{Op: ue.Op, URL: u.Redacted(), Err: ue.Err}
		}
		return &url.Error{Op: ue.Op, URL: "(url)", Err: ue.Err}
	}
	return err
}

func sameHostRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("too many redirects")
	}
	if req.URL.Host != via[0].URL.Host {
		// The Authorization header must not follow to another host.
		return fmt.Errorf("redirect to another host %s refused", strconv.Quote(req.URL.Host))
	}
	return nil
}
