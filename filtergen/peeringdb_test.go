package filtergen_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/internal/ixfschema"
	"github.com/filtergen/filtergen/irr"
	"github.com/filtergen/filtergen/peeringdb"
	"github.com/google/go-cmp/cmp"
)

func loadRegistry(t *testing.T, file string) *irr.Registry {
	t.Helper()
	b := irr.NewBuilder(irr.LoadOptions{Strict: true})
	if err := b.ReadFile(context.Background(), file); err != nil {
		t.Fatal(err)
	}
	reg, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

type peerSummary struct {
	Name, Description string
	ASN               filtergen.ASN
	Announce          []string
	Neighbors         []string
	MaxPrefix         filtergen.MaxPrefix
}

func summarize(pol *filtergen.Policy) []peerSummary {
	var out []peerSummary
	for _, p := range pol.Peers {
		s := peerSummary{Name: p.Name, Description: p.Description, ASN: p.ASN, Announce: p.Announce}
		for _, a := range p.Neighbors {
			s.Neighbors = append(s.Neighbors, a.String())
		}
		if p.MaxPrefix != nil {
			s.MaxPrefix = *p.MaxPrefix
		}
		out = append(out, s)
	}
	return out
}

func TestResolveCompile(t *testing.T) {
	ctx := context.Background()
	pol, err := filtergen.LoadPolicy("testdata/onboarding/policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	reg := loadRegistry(t, "testdata/onboarding/registry.rpsl")
	if _, err := filtergen.Compile(ctx, pol, filtergen.CompileOptions{IRR: reg}); err == nil || !strings.Contains(err.Error(), "Populate must succeed") {
		t.Fatalf("Compile before Resolve: %v", err)
	}
	if err := filtergen.Populate(ctx, pol, filtergen.PopulateOptions{}); err != nil {
		t.Fatal(err)
	}
	want := []peerSummary{
		{Name: "SECOND", ASN: 64497, Description: "Unicode Quoted Net", Announce: []string{"AS64497"},
			Neighbors: []string{"203.0.113.11"}, MaxPrefix: filtergen.MaxPrefix{}},
		{Name: "AS64496", ASN: 64496, Description: "Example Networks and Co", Announce: []string{"RIPE::AS-EXAMPLE"},
			Neighbors: []string{"203.0.113.10", "2001:db8:4242::10"},
			MaxPrefix: filtergen.MaxPrefix{IPv4: 48, IPv6: 12}},
	}
	if d := cmp.Diff(want, summarize(pol)); d != "" {
		t.Errorf("resolved peers (-want +got):\n%s", d)
	}
	if w := strings.Join(pol.Warnings(), "\n"); !strings.Contains(w, "AS64498 is marked info_never_via_route_servers") {
		t.Errorf("policy warnings %q lack the never-via-route-servers member", w)
	}

	res, err := filtergen.Compile(ctx, pol, filtergen.CompileOptions{IRR: reg})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range res.Peers {
		for _, f := range p.Families {
			var e []string
			for _, r := range f.Entries {
				e = append(e, r.String())
			}
			got[p.Name+" "+f.Family.String()] = strings.Join(e, " ") + " max " + itoa(f.MaxPrefix)
		}
	}
	wantF := map[string]string{
		// RIPE::AS-EXAMPLE: RADB's AS64511 (203.0.113.0/24) stays out.
		"AS64496 ipv4": "198.51.100.0/24 max 48",
		"AS64496 ipv6": "2001:db8:100::/48 max 12",
		// info_prefixes4 is 0: the policy's own max_prefix applies.
		"SECOND ipv4": "192.0.2.0/24 max 20",
		"SECOND ipv6": " max 20",
	}
	if d := cmp.Diff(wantF, got); d != "" {
		t.Errorf("compiled families (-want +got):\n%s", d)
	}
	for _, p := range res.Peers {
		if p.Role != filtergen.RoleRSClient {
			t.Errorf("peer %s from the member list has role %q, want rs-client", p.Name, p.Role)
		}
	}
	second := res.Peers[0]
	if w := strings.Join(second.Warnings, "\n"); !strings.Contains(w, "info_prefixes4 is 0 or unset") || !strings.Contains(w, "info_prefixes6 is 0 or unset") {
		t.Errorf("SECOND warnings %q lack the max-prefix fallbacks", w)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// writeSnapshot writes a one-file snapshot and returns its path.
func writeSnapshot(t *testing.T, doc string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "pdb.json")
	if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func onboardingPolicy(t *testing.T, extra string) *filtergen.Policy {
	t.Helper()
	doc := `version: 2
local_as: 64510
irr: {dumps: [x.rpsl]}
routers: [{name: rs1, platform: bird2}]
` + extra
	pol, err := filtergen.ParsePolicy("test.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return pol
}

func TestResolveErrors(t *testing.T) {
	ctx := context.Background()
	down := httptest.NewServer(nil)
	down.Close()
	tests := []struct {
		name   string
		policy string
		source peeringdb.Source
		want   []string
	}{
		{
			name:   "invalid irr_as_set",
			policy: "peeringdb: {snapshot: %SNAP%}\npeers: [{name: A, asn: 64496, neighbors: [203.0.113.10]}]\n",
			want:   []string{`peer "A": AS64496: PeeringDB irr_as_set "AS-GOOD, AS-BAD/SET"`, "invalid character '/'"},
		},
		{
			name:   "API down, no cache",
			policy: "peeringdb: {url: 'http://127.0.0.1:1'}\npeers: [{name: A, asn: 64496}, {name: FULL, asn: 64497, announce: [AS64497], max_prefix: 10, description: x}, {name: NODESC, asn: 64498, announce: [AS64498], max_prefix: 10}]\n",
			source: &peeringdb.Client{BaseURL: down.URL, Timeout: time.Second},
			want:   []string{`peer "A": AS64496: peeringdb: net?asn__in=64496`, "PeeringDB unavailable and no usable cached response"},
		},
		{
			name:   "member list from an exchange PeeringDB lacks",
			policy: "peeringdb: {snapshot: %SNAP%}\nmembers_from: {peeringdb: {ix_id: 9}}\n",
			want:   []string{"members_from.peeringdb: peeringdb: ix 9: not found"},
		},
	}
	snap := writeSnapshot(t, `{"net": [{"id": 1, "asn": 64496, "name": "A", "irr_as_set": "AS-GOOD, AS-BAD/SET"}], "ix": [], "ixlan": [], "ixpfx": [], "netixlan": []}`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pol := onboardingPolicy(t, strings.ReplaceAll(tt.policy, "%SNAP%", snap))
			err := filtergen.Populate(ctx, pol, filtergen.PopulateOptions{Source: tt.source})
			if err == nil {
				t.Fatalf("no error; peers %+v", summarize(pol))
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "FULL") || strings.Contains(err.Error(), "NODESC") {
				t.Errorf("a peer that needs nothing from PeeringDB failed: %v", err)
			}
			if _, err := filtergen.Compile(ctx, pol, filtergen.CompileOptions{IRR: loadRegistry(t, "testdata/onboarding/registry.rpsl")}); err == nil {
				t.Error("Compile accepted a policy whose Resolve failed")
			}
		})
	}
}

func TestResolveCachedWhenDown(t *testing.T) {
	ctx := context.Background()
	var down atomic.Bool
	serve := httpServeNets()
	f := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			panic(http.ErrAbortHandler) // the connection dies without a reply
		}
		serve.ServeHTTP(w, r)
	}))
	defer f.Close()
	dir := t.TempDir()
	now := time.Now()
	// Fill the cache as a run 5 hours ago would have.
	c := &peeringdb.Client{BaseURL: f.URL, Cache: &peeringdb.Cache{Dir: dir, Now: func() time.Time { return now.Add(-5 * time.Hour) }}}
	if _, err := c.Nets(ctx, []uint32{64496}); err != nil {
		t.Fatal(err)
	}
	down.Store(true)
	pol := onboardingPolicy(t, "peeringdb: {url: "+f.URL+", cache: "+dir+", timeout: 1s}\npeers: [{name: A, asn: 64496, neighbors: [203.0.113.10]}]\n")
	if err := filtergen.Populate(ctx, pol, filtergen.PopulateOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := pol.Peers[0].Announce; len(got) != 1 || got[0] != "AS-EXAMPLE" {
		t.Errorf("announce %v from the cache, want [AS-EXAMPLE]", got)
	}
	if w := strings.Join(pol.Warnings(), "\n"); !strings.Contains(w, "using a cached response 5h0m0s old") {
		t.Errorf("warnings %q do not name the cache's age", w)
	}

	// Older than cache_max_age: the peer fails.
	pol = onboardingPolicy(t, "peeringdb: {url: "+f.URL+", cache: "+dir+", cache_max_age: 4h, timeout: 1s}\npeers: [{name: A, asn: 64496}]\n")
	err := filtergen.Populate(ctx, pol, filtergen.PopulateOptions{})
	if !errors.Is(err, peeringdb.ErrUnavailable) || !strings.Contains(err.Error(), `peer "A"`) || !strings.Contains(err.Error(), "5h0m0s old") {
		t.Errorf("stale cache: %v", err)
	}
}

func TestResolveIXF(t *testing.T) {
	ctx := context.Background()
	exp, _ := filepath.Abs("../ixf/testdata/export.json")
	pol := onboardingPolicy(t, "members_from: {ixf: "+exp+"}\n")
	if err := filtergen.Populate(ctx, pol, filtergen.PopulateOptions{}); err != nil {
		t.Fatal(err)
	}
	want := []peerSummary{
		{Name: "AS64496", ASN: 64496, Description: "Example Networks and Co", Announce: []string{"RIPE::AS-EXAMPLE"},
			Neighbors: []string{"203.0.113.10", "2001:db8:4242::10"}, MaxPrefix: filtergen.MaxPrefix{IPv4: 50, IPv6: 20}},
		// Only its IPv6 address has routeserver: true; no as_macro and no
		// PeeringDB source: it announces its own AS.
		{Name: "AS64498", ASN: 64498, Announce: []string{"AS64498"}, Neighbors: []string{"2001:db8:4242::12"},
			MaxPrefix: filtergen.MaxPrefix{}},
	}
	if d := cmp.Diff(want, summarize(pol)); d != "" {
		t.Errorf("IX-F members (-want +got):\n%s", d)
	}
}

func TestExportIXF(t *testing.T) {
	ctx := context.Background()
	pol, err := filtergen.LoadPolicy("testdata/onboarding/policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	pol.IXFExport = &filtergen.IXFExport{IXFID: 9999, Shortname: "Example-IX", Country: "NL", VLANID: 10,
		IPv4: netip.MustParsePrefix("203.0.113.0/24"), IPv6: netip.MustParsePrefix("2001:db8:4242::/64")}
	if _, err := filtergen.ExportIXF(pol, time.Now()); err == nil {
		t.Error("ExportIXF before Resolve")
	}
	if err := filtergen.Populate(ctx, pol, filtergen.PopulateOptions{}); err != nil {
		t.Fatal(err)
	}
	exp, err := filtergen.ExportIXF(pol, time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	out, err := exp.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if errs := ixfschema.Check(out); len(errs) > 0 {
		t.Fatalf("export fails the IX-F 1.0 schema:\n%v\n%s", errors.Join(errs...), out)
	}
	for _, w := range []string{`"asnum": 64496`, `"address": "2001:db8:4242::10"`, `"max_prefix": 48`, `"as_macro": "RIPE::AS-EXAMPLE"`, `"routeserver": true`, `"asnum": 64497`} {
		if !strings.Contains(string(out), w) {
			t.Errorf("export lacks %s:\n%s", w, out)
		}
	}
}

func TestAnnounceFromASSet(t *testing.T) {
	for _, tt := range []struct{ in, want, err string }{
		{in: "AS-FOO", want: "AS-FOO"},
		{in: "RIPE::AS-FOO", want: "RIPE::AS-FOO"},
		{in: "ripe::as-foo, AS-BAR  AS-FOO;RS-BAZ", want: "RIPE::AS-FOO AS-BAR AS-FOO RS-BAZ"},
		{in: "AS64500:AS-CUST AS64501", want: "AS64500:AS-CUST AS64501"},
		{in: "RADB::AS64500", want: "AS64500"},
		{in: " , ", err: "empty"},
		{in: "AS-FOO BAR", err: `"BAR" is not an AS-SET`},
		{in: "AS-FOO/24", err: "invalid character"},
		{in: "BAD SOURCE::AS-X", err: `"BAD" is not`},
		{in: "BAD!::AS-X", err: "invalid source"},
	} {
		got, err := filtergen.AnnounceFromASSet(tt.in)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%q: got %v, %v; want error %q", tt.in, got, err, tt.err)
		case tt.err == "" && (err != nil || strings.Join(got, " ") != tt.want):
			t.Errorf("%q: got %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

func TestSafeText(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`Example Networks & Co`, "Example Networks and Co"},
		{`Ünïcode "Quoted" Net`, "Unicode Quoted Net"},
		{`Telefónica Germany GmbH & Co. OHG`, "Telefonica Germany GmbH and Co. OHG"},
		{`Straße Øresund Łódź`, "Strasse Oresund Lodz"},
		{"evil\nnewline; drop table'", "evil newline drop table"},
		{`日本ネット`, ""},
		{strings.Repeat("x", 100), strings.Repeat("x", 64)},
	} {
		got := filtergen.SafeText(tt.in, filtergen.MaxDescription)
		if got != tt.want {
			t.Errorf("SafeText(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if err := filtergen.CheckText(got, filtergen.MaxDescription); err != nil {
			t.Errorf("SafeText(%q) = %q fails CheckText: %v", tt.in, got, err)
		}
	}
}

func FuzzSafeText(f *testing.F) {
	f.Add(`Ünïcode "Quoted" & Net`)
	f.Fuzz(func(t *testing.T, s string) {
		if err := filtergen.CheckText(filtergen.SafeText(s, filtergen.MaxDescription), filtergen.MaxDescription); err != nil {
			t.Fatal(err)
		}
	})
}

// httpServeNets answers net queries with one network, AS64496.
func httpServeNets() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"data": [{"id": 1, "asn": 64496, "name": "Example", "irr_as_set": "AS-EXAMPLE", "info_prefixes4": 5, "info_prefixes6": 1, "status": "ok"}], "meta": {}}`))
	})
}

func TestAppendPeer(t *testing.T) {
	p := &filtergen.Peer{Name: "AS64500", ASN: 64500, Description: "Epsilon", Announce: []string{"RIPE::AS-EPS"},
		Neighbors: []netip.Addr{netip.MustParseAddr("203.0.113.14")}}
	p.MaxPrefix = &filtergen.MaxPrefix{IPv4: 10, Headroom: 0.5, Minimum: 20}
	head := `# top comment
version: 2   # trailing comment
local_as: 64510
irr: {dumps: [x.rpsl]}
routers: [{name: rs1, platform: bird2}]
peers:
    # indented by four
    - name: A
      asn: 64496   # keep me
      announce: [AS64496]

    # a comment inside the block, after the last item
`
	tail := `# the customers section's own comment
customers:
    - name: C
      asn: 64497
      announce: [AS64497]
      interface: eth0
`
	got, err := filtergen.AppendPeer("p.yaml", []byte(head+tail), p)
	if err != nil {
		t.Fatal(err)
	}
	entry := "    - name: AS64500\n      asn: 64500\n      description: \"Epsilon\"\n      announce: [\"RIPE::AS-EPS\"]\n" +
		"      neighbors: [\"203.0.113.14\"]\n      max_prefix: {ipv4: 10, minimum: 20, headroom: 0.5}\n"
	// Indented comments belong to the block and stay above the entry;
	// the top-level comment stays with customers.
	want := head + entry + tail
	if string(got) != want {
		t.Errorf("AppendPeer:\n%s\nwant:\n%s", got, want)
	}

	// No peers key: one is added at the end.
	got, err = filtergen.AppendPeer("p.yaml", []byte("version: 2\nlocal_as: 64510\nirr: {dumps: [x]}\nrouters: [{name: r, platform: bird2}]\n"+tail), p)
	if err != nil || !strings.Contains(string(got), tail+"peers:\n  - name: AS64500\n") {
		t.Errorf("AppendPeer without peers: %v\n%s", err, got)
	}

	for name, doc := range map[string]string{
		"flow list": "version: 2\nlocal_as: 1\nirr: {dumps: [x]}\nrouters: [{name: r, platform: bird2}]\npeers: [{name: A, asn: 1, announce: [AS1]}]\n",
		"duplicate": "version: 2\nlocal_as: 1\nirr: {dumps: [x]}\nrouters: [{name: r, platform: bird2}]\npeers:\n  - name: AS64500\n    asn: 1\n    announce: [AS1]\n",
		"not yaml":  "version: [\n",
	} {
		if out, err := filtergen.AppendPeer("p.yaml", []byte(doc), p); err == nil {
			t.Errorf("%s: appended:\n%s", name, out)
		}
	}
}

// FuzzAnnounceFromASSet: whatever PeeringDB holds, the result is an error
// or announce items the policy accepts.
func FuzzAnnounceFromASSet(f *testing.F) {
	for _, s := range []string{"AS-FOO", "RIPE::AS-FOO, AS-BAR", "AS64500:AS-CUST AS64501", "RADB::AS64500", "AS-FOO/BAR", "ripe::as-x;rs-y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		items, err := filtergen.AnnounceFromASSet(s)
		if err != nil {
			return
		}
		if len(items) == 0 {
			t.Fatal("no items and no error")
		}
		for _, it := range items {
			if _, err := filtergen.ParseAnnounce(it); err != nil {
				t.Fatalf("%q gave %q: %v", s, it, err)
			}
		}
	})
}

func TestAPIKeyFile(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "key")
	os.WriteFile(bad, []byte("secret-one\nsecret-two\n"), 0o600)
	pol := onboardingPolicy(t, "peeringdb: {url: 'http://127.0.0.1:1', api_key_file: "+bad+"}\npeers: [{name: A, asn: 64496}]\n")
	err := filtergen.Populate(context.Background(), pol, filtergen.PopulateOptions{})
	if err == nil || !strings.Contains(err.Error(), "want one API key on one line") || strings.Contains(err.Error(), "secret") {
		t.Errorf("error %v: want a key-file error that does not quote the file", err)
	}
	pol = onboardingPolicy(t, "peeringdb: {url: 'http://127.0.0.1:1', api_key_env: PDB_KEY}\npeers: [{name: A, asn: 64496}]\n")
	err = filtergen.Populate(context.Background(), pol, filtergen.PopulateOptions{Getenv: func(string) string { return "" }})
	if err == nil || !strings.Contains(err.Error(), "PDB_KEY is empty or unset") {
		t.Errorf("error %v: want the unset variable named", err)
	}
	if _, err := filtergen.ParsePolicy("p.yaml", []byte("version: 2\nlocal_as: 1\nirr: {dumps: [x]}\nrouters: [{name: r, platform: bird2}]\n"+
		"peeringdb: {snapshot: s, url: 'https://x', api_key_file: k, api_key_env: E}\nmembers_from: {ixf: f, peeringdb: {ix_id: 1}}\n")); err == nil ||
		!strings.Contains(err.Error(), "set snapshot or url, not both") || !strings.Contains(err.Error(), "api_key_file or api_key_env") ||
		!strings.Contains(err.Error(), "exactly one of ixf") {
		t.Errorf("policy errors: %v", err)
	}
}

// BenchmarkResolve1000 resolves a 1,000-member route server from a
// snapshot: loading the snapshot, the member list, announce and
// max-prefix for every member. bench/ixp-onboarding.sh times the whole
// compile on top of it.
func BenchmarkResolve1000(b *testing.B) {
	dir := b.TempDir()
	var nets, rows []string
	for i := range 1000 {
		nets = append(nets, fmt.Sprintf(`{"id": %d, "asn": %d, "name": "Member %d & Co", "irr_as_set": "RIPE::AS-M%d, AS-N%d", "info_prefixes4": %d, "info_prefixes6": %d, "status": "ok"}`,
			i+1, 65536+i, i, i, i, 10+i, 5+i%7))
		rows = append(rows, fmt.Sprintf(`{"id": %d, "net_id": %d, "ix_id": 1, "ixlan_id": 1, "asn": %d, "ipaddr4": "10.%d.%d.1", "ipaddr6": "2001:db8::%x", "is_rs_peer": true, "operational": true, "status": "ok"}`,
			i+1, i+1, 65536+i, i/250, i%250, i+1))
	}
	files := map[string]string{
		"net.json":      `{"data": [` + strings.Join(nets, ",\n") + `]}`,
		"netixlan.json": `{"data": [` + strings.Join(rows, ",\n") + `]}`,
		"ix.json":       `{"data": [{"id": 1, "name": "Bench-IX", "status": "ok"}]}`,
		"ixlan.json":    `{"data": [{"id": 1, "ix_id": 1, "status": "ok"}]}`,
		"ixpfx.json":    `{"data": [{"id": 1, "ixlan_id": 1, "prefix": "10.0.0.0/8", "status": "ok"}, {"id": 2, "ixlan_id": 1, "prefix": "2001:db8::/32", "status": "ok"}]}`,
	}
	for n, d := range files {
		os.WriteFile(filepath.Join(dir, n), []byte(d), 0o644)
	}
	doc := []byte("version: 2\nlocal_as: 64510\nirr: {dumps: [x.rpsl]}\nrouters: [{name: rs1, platform: bird2}]\n" +
		"peeringdb: {snapshot: " + dir + "}\nmembers_from: {peeringdb: {ix_id: 1}}\n")
	b.ReportAllocs()
	for b.Loop() {
		pol, err := filtergen.ParsePolicy("bench.yaml", doc)
		if err != nil {
			b.Fatal(err)
		}
		if err := filtergen.Populate(context.Background(), pol, filtergen.PopulateOptions{}); err != nil {
			b.Fatal(err)
		}
		if len(pol.Peers) != 1000 {
			b.Fatalf("%d peers", len(pol.Peers))
		}
	}
}
