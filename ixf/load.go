package ixf

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// DefaultTimeout bounds fetching an export over HTTP.
const DefaultTimeout = 60 * time.Second

// LoadOptions say how Load reads an export.
type LoadOptions struct {
	Limits
	// Timeout bounds an HTTP fetch, body included; 0 means DefaultTimeout.
	Timeout time.Duration
	// HTTPClient does HTTP fetches; nil means http.DefaultClient.
	HTTPClient *http.Client
}

// Load reads an export from a file or an http(s) URL. Anything but a
// complete 200 response that parses is an error.
func Load(ctx context.Context, src string, opts LoadOptions) (*Export, error) {
	if !strings.HasPrefix(src, "http://") && !strings.HasPrefix(src, "https://") {
		f, err := os.Open(src)
		if err != nil {
			return nil, fmt.Errorf("ixf: %w", err)
		}
		defer f.Close()
		e, err := Parse(f, opts.Limits)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", src, err)
		}
		return e, nil
	}
	u, err := url.Parse(src)
	if err != nil {
		return nil, fmt.Errorf("ixf: bad URL")
	}
	name := u.Redacted()
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
	if err != nil {
		return nil, fmt.Errorf("ixf: %s: %w", name, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "filtergen")
	hc := opts.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		if ue, ok := err.(*url.Error); ok {
			err = ue.Err // its URL may carry credentials
		}
		return nil, fmt.Errorf("ixf: %s: %w", name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("ixf: %s: HTTP %d", name, resp.StatusCode)
	}
	max := opts.MaxBytes
	if max <= 0 {
		max = DefaultMaxBytes
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("ixf: %s: %w: reading body: %v", name, ErrMalformed, err)
	}
	e, err := Parse(bytes.NewReader(data), opts.Limits)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return e, nil
}
