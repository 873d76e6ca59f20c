package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/filtergen/filtergen/internal/ixfschema"
)

const exampleDir = "../../examples/ixp-onboarding"

// copyExample copies the onboarding example's policies and data to a
// temporary directory and returns it.
func copyExample(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "peeringdb"), 0o755)
	for _, f := range []string{"onboarding.yaml", "route-server.yaml", "peeringdb/net.json", "peeringdb/ix.json", "peeringdb/ixlan.json",
		"peeringdb/ixpfx.json", "peeringdb/netixlan.json", "peeringdb/registry.rpsl", "peeringdb/vrps.json"} {
		data, err := os.ReadFile(filepath.Join(exampleDir, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestOnboardWrite(t *testing.T) {
	dir := copyExample(t)
	policy := filepath.Join(dir, "onboarding.yaml")
	before, _ := os.ReadFile(policy)

	code, out, stderr := runCLI(t, "onboard", policy, "AS64500", "--ix", "4242")
	if code != 0 {
		t.Fatalf("onboard: exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		`# AS64500 "Epsilon Fibre Ltd." (PeeringDB net 2004`,
		"#   IRR: AS-EPSILON expands to 1 ASNs",
		"#   ipv4: 1 prefixes (1 filter entries), max-prefix 10; RPKI 1 valid, 0 not found, 1 invalid dropped (100% covered)",
		// rs-client: the role every listed peer has.
		"  - name: AS64500\n    asn: 64500\n    role: rs-client\n    description: \"Epsilon Fibre Ltd.\"\n    announce: [\"AS-EPSILON\"]\n" +
			"    neighbors: [\"203.0.113.14\", \"2001:db8:4242::14\"]\n    max_prefix: {ipv4: 10, ipv6: 10}\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("onboard output lacks %q:\n%s", want, out)
		}
	}
	if now, _ := os.ReadFile(policy); !bytes.Equal(now, before) {
		t.Fatal("onboard without --write changed the policy")
	}

	if code, _, stderr := runCLI(t, "onboard", policy, "64500", "--ix", "4242", "--write"); code != 0 {
		t.Fatalf("onboard --write: exit %d: %s", code, stderr)
	}
	after, _ := os.ReadFile(policy)
	entry := out[strings.Index(out, "  - name: AS64500"):]
	if string(after) != string(before)+entry {
		t.Errorf("--write did not append exactly the entry:\n%s", after)
	}
	out1 := t.TempDir()
	if code, _, stderr := runCLI(t, "compile", policy, "-o", out1); code != 0 {
		t.Fatalf("compile after --write: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out1, "rs1.d", "AS64500.conf")); err != nil {
		t.Errorf("onboarded peer not compiled: %v", err)
	}
	if code, _, stderr := runCLI(t, "onboard", policy, "AS64500", "--write"); code != 1 || !strings.Contains(stderr, `already in the policy as peer "AS64500"`) {
		t.Errorf("second onboard: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "onboard", policy, "AS-FOO"); code != 2 {
		t.Errorf("bad ASN: exit %d: %s", code, stderr)
	}
}

func TestIXFExportExample(t *testing.T) {
	code, out, stderr := runCLI(t, "ixf-export", filepath.Join(exampleDir, "route-server.yaml"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if errs := ixfschema.Check([]byte(out)); len(errs) > 0 {
		t.Fatalf("export fails the IX-F 1.0 schema: %v", errors.Join(errs...))
	}
	var doc struct {
		MemberList []struct{ ASNum uint32 } `json:"member_list"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	var got []uint32
	for _, m := range doc.MemberList {
		got = append(got, m.ASNum)
	}
	// 64498 is excluded locally, 64499 is never via route servers.
	if fmt.Sprint(got) != "[64496 64497 64500]" {
		t.Errorf("members %v, want [64496 64497 64500]", got)
	}
	if !strings.Contains(stderr, "AS64499 is marked info_never_via_route_servers") {
		t.Errorf("no warning for AS64499: %s", stderr)
	}
}

// fakePeeringDB serves the example snapshot as the PeeringDB API does,
// or a fault.
type fakePeeringDB struct {
	objects map[string][]map[string]any
	mode    atomic.Value // string
	auth    atomic.Value // string
}

func newFakePeeringDB(t *testing.T) (*fakePeeringDB, *httptest.Server) {
	f := &fakePeeringDB{objects: map[string][]map[string]any{}}
	f.mode.Store("")
	for _, obj := range []string{"net", "ix", "ixlan", "ixpfx", "netixlan"} {
		data, err := os.ReadFile(filepath.Join(exampleDir, "peeringdb", obj+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var env struct{ Data []map[string]any }
		json.Unmarshal(data, &env)
		f.objects[obj] = env.Data
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakePeeringDB) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.auth.Store(r.Header.Get("Authorization"))
	switch f.mode.Load().(string) {
	case "down":
		panic(http.ErrAbortHandler) // the connection dies without a reply
	case "garbage":
		fmt.Fprint(w, "<html>maintenance</html>")
		return
	case "429":
		w.Header().Set("Retry-After", "86400")
		w.WriteHeader(http.StatusTooManyRequests)
		return
	case "slow":
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
		return
	}
	var out []map[string]any
	for _, o := range f.objects[strings.TrimPrefix(r.URL.Path, "/api/")] {
		ok := true
		for k, v := range r.URL.Query() {
			field, in := strings.CutSuffix(k, "__in")
			got := fmt.Sprint(o[field])
			if in {
				ok = ok && strings.Contains(","+v[0]+",", ","+got+",")
			} else {
				ok = ok && got == v[0]
			}
		}
		if ok {
			out = append(out, o)
		}
	}
	body, _ := json.Marshal(map[string]any{"data": out, "meta": map[string]any{}})
	if f.mode.Load().(string) == "truncated" {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		body = body[:len(body)/2]
	}
	w.Write(body)
}

// TestCompilePeeringDBAPI compiles the route-server example against a
// local PeeringDB API that is up, down, slow, rate limiting, or answering
// garbage or half a body: each run ends in complete output or exit 1 with
// nothing written.
func TestCompilePeeringDBAPI(t *testing.T) {
	const key = "pdb-test-key-123"
	dir := copyExample(t)
	fake, srv := newFakePeeringDB(t)
	cache := filepath.Join(dir, "cache")
	data, _ := os.ReadFile(filepath.Join(dir, "route-server.yaml"))
	pol := strings.Replace(string(data), "  snapshot: peeringdb/\n",
		"  url: "+srv.URL+"/api\n  api_key_env: PDB_KEY\n  cache: cache\n  timeout: 1s\n", 1)
	policy := filepath.Join(dir, "api.yaml")
	os.WriteFile(policy, []byte(pol), 0o644)
	run := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		f := &factory{streams: streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut},
			Getenv: func(k string) string {
				if k == "PDB_KEY" {
					return key
				}
				return ""
			}}
		return run(context.Background(), f, args), out.String(), errOut.String()
	}

	for _, tt := range []struct {
		mode, cache string // cache: "keep", "none", "stale"
		ok          bool
		stderr      string
	}{
		{mode: "", cache: "none", ok: true},
		{mode: "garbage", cache: "aged", ok: true, stderr: "using a cached response 2h0m0s old"},
		{mode: "down", cache: "stale", stderr: "older than 24h0m0s"},
		{mode: "garbage", cache: "none", stderr: "malformed data"},
		{mode: "truncated", cache: "none", stderr: "unexpected EOF"},
		{mode: "429", cache: "none", stderr: "rate limited"},
		{mode: "slow", cache: "none", stderr: "deadline exceeded"},
	} {
		t.Run(tt.mode+" cache "+tt.cache, func(t *testing.T) {
			switch tt.cache {
			case "none":
				os.RemoveAll(cache)
			case "stale", "aged":
				old := time.Now().Add(-30 * time.Hour)
				if tt.cache == "aged" {
					old = time.Now().Add(-2 * time.Hour)
				}
				filepath.Walk(cache, func(p string, _ os.FileInfo, _ error) error {
					if strings.HasSuffix(p, ".json") {
						b, _ := os.ReadFile(p)
						var e map[string]json.RawMessage
						json.Unmarshal(b, &e)
						e["fetched"], _ = json.Marshal(old)
						b, _ = json.Marshal(e)
						os.WriteFile(p, b, 0o600)
					}
					return nil
				})
			}
			fake.mode.Store(tt.mode)
			out := t.TempDir()
			code, _, stderr := run("compile", policy, "-o", out)
			entries, _ := os.ReadDir(out)
			if tt.ok {
				if code != 0 {
					t.Fatalf("exit %d: %s", code, stderr)
				}
				if _, err := os.Stat(filepath.Join(out, "rs1.d", "AS64496.conf")); err != nil {
					t.Errorf("member AS64496 not written: %v", err)
				}
			} else {
				if code != 1 || len(entries) != 0 {
					t.Errorf("exit %d with %d files written, want exit 1 and nothing: %s", code, len(entries), stderr)
				}
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr lacks %q: %s", tt.stderr, stderr)
			}
			if strings.Contains(stderr, key) {
				t.Errorf("the API key leaked to stderr: %s", stderr)
			}
		})
	}
	if got, _ := fake.auth.Load().(string); got != "Api-Key "+key {
		t.Errorf("Authorization header %q", got)
	}
}

// TestOnboardingExamplesCompile compiles both onboarding example policies
// from the bundled snapshot and checks the BIRD output with bird -p.
func TestOnboardingExamplesCompile(t *testing.T) {
	for policy, want := range map[string][]string{
		"onboarding.yaml":   {"ALPHA", "BETA", "GAMMA"},
		"route-server.yaml": {"AS64496", "AS64497", "EPSILON"},
	} {
		t.Run(policy, func(t *testing.T) {
			out := t.TempDir()
			code, _, stderr := runCLI(t, "compile", filepath.Join(exampleDir, policy), "-o", out)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if policy == "onboarding.yaml" && !strings.Contains(stderr, `announce falls back to AS64498 itself" peer=GAMMA`) {
				t.Errorf("the fallback warning is not on stderr: %s", stderr)
			}
			entries, _ := os.ReadDir(filepath.Join(out, "rs1.d"))
			var got []string
			for _, e := range entries {
				got = append(got, strings.TrimSuffix(e.Name(), ".conf"))
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("peers %v, want %v", got, want)
			}
			bird, err := exec.LookPath("bird")
			if err != nil {
				t.Skip("bird not installed (make deps installs bird2)")
			}
			conf := filepath.Join(out, "bird-check.conf")
			os.WriteFile(conf, []byte("log stderr all;\nrouter id 192.0.2.1;\nprotocol device {}\ninclude \"rs1.conf\";\n"), 0o644)
			if b, err := exec.Command(bird, "-p", "-c", conf).CombinedOutput(); err != nil {
				t.Errorf("bird -p: %v\n%s", err, b)
			}
		})
	}
}
