package peeringdb_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/filtergen/filtergen/peeringdb"
	"go.uber.org/goleak"
)

const testKey = "s3cret-api-key-do-not-leak"

func newClient(f *fakeAPI, cache *peeringdb.Cache) *peeringdb.Client {
	return &peeringdb.Client{BaseURL: f.URL(), APIKey: testKey, Timeout: 300 * time.Millisecond, Cache: cache}
}

func TestClientUp(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	f := newFakeAPI(t)
	ctx := context.Background()
	dir := t.TempDir()
	c := newClient(f, &peeringdb.Cache{Dir: dir})

	nets, err := c.Nets(ctx, []uint32{64496, 64497, 64498, 64499, 65551})
	if err != nil {
		t.Fatal(err)
	}
	if len(nets) != 3 {
		t.Errorf("got %d nets, want 3 (64499 is deleted, 65551 unknown)", len(nets))
	}
	n := nets[64496]
	if n.IRRASSet != "RIPE::AS-EXAMPLE" || n.Prefixes(false) != 40 || n.Prefixes(true) != 10 || n.Name != "Example Networks & Co" {
		t.Errorf("net 64496 = %+v", n)
	}
	if p6 := nets[64497].InfoPrefixes6; p6 != nil {
		t.Errorf("null info_prefixes6 read as %d", *p6)
	}
	if got := f.lastAuth.Load(); got != "Api-Key "+testKey {
		t.Errorf("Authorization = %q", got)
	}

	ix, err := c.IX(ctx, 4242)
	if err != nil {
		t.Fatal(err)
	}
	if ix.IX.Name != "Example-IX" || len(ix.LANs) != 1 || *ix.LANs[0].RSASN != 64510 || len(ix.Prefixes) != 2 ||
		ix.Prefixes[1].Prefix != netip.MustParsePrefix("2001:db8:4242::/64") {
		t.Errorf("IX = %+v", ix)
	}
	if _, err := c.IX(ctx, 1); !errors.Is(err, peeringdb.ErrNotFound) {
		t.Errorf("IX(1): %v, want ErrNotFound", err)
	}

	members, err := c.NetIXLans(ctx, 4242)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range members {
		got = append(got, m.IPAddr4.String()+"/"+m.IPAddr6.String())
	}
	want := "203.0.113.10/2001:db8:4242::10 203.0.113.13/invalid IP 203.0.113.11/invalid IP 203.0.113.12/2001:db8:4242::12"
	if strings.Join(got, " ") != want {
		t.Errorf("netixlans:\n got %s\nwant %s", strings.Join(got, " "), want)
	}

	// The cache holds the responses, never the key.
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) == 0 {
		t.Fatal("nothing cached")
	}
	for _, file := range files {
		data, _ := os.ReadFile(file)
		if strings.Contains(string(data), testKey) {
			t.Errorf("%s contains the API key", file)
		}
	}

	// A fresh cache answers without asking.
	before := f.requests.Load()
	if _, err := c.Nets(ctx, []uint32{64496, 64497, 64498, 64499, 65551}); err != nil {
		t.Fatal(err)
	}
	if f.requests.Load() != before {
		t.Error("fresh cache entry not used")
	}
}

func TestClientFaults(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	tests := []struct {
		name    string
		mode    string
		retries int
		want    error // errors.Is
		text    string
		maxTime time.Duration
	}{
		{name: "garbage", mode: "garbage", want: peeringdb.ErrMalformed},
		{name: "no data key", mode: "nodata", want: peeringdb.ErrMalformed, text: `no "data" list`},
		{name: "slow", mode: "slow", want: context.DeadlineExceeded, maxTime: 3 * time.Second},
		{name: "truncated connection", mode: "truncated", want: peeringdb.ErrMalformed},
		{name: "truncated JSON", mode: "cut", want: peeringdb.ErrMalformed, text: "unexpected EOF"},
		{name: "server error", mode: "500", want: peeringdb.ErrUnavailable, text: "HTTP 500"},
		{name: "429 forever", mode: "429", retries: 100, want: peeringdb.ErrRateLimited, text: "after 2 retries"},
		{name: "429 too long", mode: "429-long", want: peeringdb.ErrRateLimited, text: "Retry-After 1h0m0s exceeds", maxTime: 2 * time.Second},
		{name: "bad key", mode: "403", text: `HTTP 403: "Invalid API key"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.set(tt.mode, tt.retries)
			c := newClient(f, &peeringdb.Cache{Dir: t.TempDir()})
			c.MaxRetries = 2
			start := time.Now()
			nets, err := c.Nets(context.Background(), []uint32{64496})
			if err == nil {
				t.Fatalf("got %d nets and no error", len(nets))
			}
			if nets != nil {
				t.Errorf("partial result %v with error", nets)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("error %q does not contain %q", err, tt.text)
			}
			if !strings.Contains(err.Error(), "net?asn__in=64496") {
				t.Errorf("error %q does not name the query", err)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Errorf("error leaks the API key: %v", err)
			}
			if tt.maxTime > 0 && time.Since(start) > tt.maxTime {
				t.Errorf("took %s, bound %s", time.Since(start), tt.maxTime)
			}
		})
	}
}

func TestClient429Retry(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	f := newFakeAPI(t)
	f.set("429", 2)
	c := newClient(f, nil)
	nets, err := c.Nets(context.Background(), []uint32{64496})
	if err != nil {
		t.Fatal(err)
	}
	if len(nets) != 1 || f.requests.Load() != 3 {
		t.Errorf("got %d nets after %d requests, want 1 after 3", len(nets), f.requests.Load())
	}
}

func TestClientTooLarge(t *testing.T) {
	f := newFakeAPI(t)
	c := newClient(f, nil)
	c.MaxResponse = 100
	if _, err := c.Nets(context.Background(), []uint32{64496}); !errors.Is(err, peeringdb.ErrTooLarge) {
		t.Errorf("error %v, want ErrTooLarge", err)
	}
}

func TestClientCacheWhenDown(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	ctx := context.Background()
	dir := t.TempDir()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	cache := &peeringdb.Cache{Dir: dir, FreshFor: -1, Now: func() time.Time { return now }}

	f := newFakeAPI(t)
	if _, err := newClient(f, cache).Nets(ctx, []uint32{64496}); err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		name  string
		age   time.Duration
		ok    bool
		fault string // "down" closes the server; other values are fakeAPI modes
	}{
		{"down, cache 3h old", 3 * time.Hour, true, "down"},
		{"garbage, cache 3h old", 3 * time.Hour, true, "garbage"},
		{"down, cache 25h old", 25 * time.Hour, false, "down"},
		{"bad key, cache fresh", time.Minute, false, "403"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f.set(tt.fault, 0)
			c := newClient(f, cache)
			var staleAge time.Duration
			c.Stale = func(q string, age time.Duration, cause error) { staleAge = age }
			now = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC).Add(tt.age)
			nets, err := c.Nets(ctx, []uint32{64496})
			switch {
			case tt.ok && err != nil:
				t.Fatalf("cache not used: %v", err)
			case tt.ok && (len(nets) != 1 || staleAge != tt.age):
				t.Errorf("got %d nets, stale age %s; want 1 net, age %s", len(nets), staleAge, tt.age)
			case !tt.ok && err == nil:
				t.Fatalf("got %d nets from a cache that must not be used", len(nets))
			case !tt.ok && tt.fault == "down" && (!errors.Is(err, peeringdb.ErrUnavailable) || !strings.Contains(err.Error(), "25h0m0s old")):
				t.Errorf("error %v: want ErrUnavailable naming the cache age", err)
			}
		})
	}

	// No cache at all with the API down.
	g := newFakeAPI(t)
	g.srv.Close()
	c := newClient(g, &peeringdb.Cache{Dir: t.TempDir()})
	if _, err := c.IX(ctx, 4242); !errors.Is(err, peeringdb.ErrUnavailable) {
		t.Errorf("error %v, want ErrUnavailable", err)
	}
}

func TestClientCacheKeyedByAPI(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	f := newFakeAPI(t)
	if _, err := newClient(f, &peeringdb.Cache{Dir: dir}).Nets(ctx, []uint32{64496}); err != nil {
		t.Fatal(err)
	}
	// Another API with the same query must not get the first one's data.
	g := newFakeAPI(t)
	g.set("garbage", 0)
	if _, err := newClient(g, &peeringdb.Cache{Dir: dir}).Nets(ctx, []uint32{64496}); !errors.Is(err, peeringdb.ErrUnavailable) {
		t.Errorf("error %v: another API's cache entry was used", err)
	}
}

func TestClientRefusesCrossHostRedirect(t *testing.T) {
	f := newFakeAPI(t)
	redir := httptest.NewServer(http.RedirectHandler(strings.Replace(f.URL(), "127.0.0.1", "localhost", 1)+"/net", http.StatusFound))
	defer redir.Close()
	c := &peeringdb.Client{BaseURL: redir.URL, APIKey: testKey, Timeout: time.Second}
	_, err := c.Nets(context.Background(), []uint32{64496})
	if err == nil || !strings.Contains(err.Error(), "redirect to another host") {
		t.Errorf("error %v, want the redirect refused", err)
	}
	if f.requests.Load() != 0 {
		t.Error("the key followed a redirect to another host")
	}
}
