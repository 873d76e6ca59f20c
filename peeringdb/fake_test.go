package peeringdb_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeAPI serves the fixture snapshot the way the PeeringDB API does,
// with list filters (field=v, field__in=a,b) and injectable faults.
type fakeAPI struct {
	t       *testing.T
	objects map[string][]map[string]any
	srv     *httptest.Server

	mu       sync.Mutex
	mode     string // "", "garbage", "slow", "429", "429-long", "truncated", "cut", "500", "403", "nodata"
	retries  int    // remaining 429 replies before answering normally (mode "429")
	requests atomic.Int32
	lastAuth atomic.Value // string
}

func newFakeAPI(t *testing.T) *fakeAPI {
	t.Helper()
	f := &fakeAPI{t: t, objects: map[string][]map[string]any{}}
	for _, obj := range []string{"net", "ix", "ixlan", "ixpfx", "netixlan"} {
		data, err := os.ReadFile(filepath.Join("testdata", "snapshot", obj+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var env struct{ Data []map[string]any }
		if err := json.Unmarshal(data, &env); err != nil {
			t.Fatalf("%s: %v", obj, err)
		}
		f.objects[obj] = env.Data
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) URL() string { return f.srv.URL + "/api" }

func (f *fakeAPI) set(mode string, retries int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mode, f.retries = mode, retries
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	f.lastAuth.Store(r.Header.Get("Authorization"))
	f.mu.Lock()
	mode := f.mode
	if mode == "429" {
		if f.retries > 0 {
			f.retries--
		} else {
			mode = ""
		}
	}
	f.mu.Unlock()
	switch mode {
	case "down":
		panic(http.ErrAbortHandler) // the connection dies without a reply
	case "garbage":
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body>502 Bad Gateway (cloudflare)</body></html>")
		return
	case "slow":
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
		return
	case "429":
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"meta": {"error": "Request was throttled."}}`)
		return
	case "429-long":
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
		return
	case "500":
		w.WriteHeader(http.StatusInternalServerError)
		return
	case "403":
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"meta": {"error": "Invalid API key"}}`)
		return
	case "nodata":
		fmt.Fprint(w, `{"meta": {}}`)
		return
	}
	obj := strings.TrimPrefix(r.URL.Path, "/api/")
	list, ok := f.objects[obj]
	if !ok {
		http.NotFound(w, r)
		return
	}
	out := []map[string]any{}
	for _, o := range list {
		if o["status"] != "ok" || !matches(o, r.URL.Query()) {
			continue
		}
		out = append(out, o)
	}
	body, _ := json.Marshal(map[string]any{"data": out, "meta": map[string]any{}})
	switch mode {
	case "truncated": // the connection dies mid-body
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body[:len(body)/2])
		return
	case "cut": // a complete HTTP response holding half a JSON document
		body = body[:len(body)/2]
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

func matches(o map[string]any, q map[string][]string) bool {
	for k, v := range q {
		field, in := strings.CutSuffix(k, "__in")
		got := fmt.Sprint(o[field])
		if in {
			found := false
			for _, want := range strings.Split(v[0], ",") {
				found = found || got == want
			}
			if !found {
				return false
			}
		} else if got != v[0] {
			return false
		}
	}
	return true
}
