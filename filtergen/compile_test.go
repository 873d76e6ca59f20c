package filtergen_test

import (
	"context"
	"errors"
	"math"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/irr"
)

var cmpNet = cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{})

const basePolicy = `
version: 2
local_as: 65000
irr:
  dumps: [none.rpsl]
rpki:
  vrps: none.json
  max_age: 24h
routers:
  - {name: rs1, platform: bird2}
peers:
  - name: ACME
    asn: 100
    description: ACME Corp (NOC noc@acme.example)
    announce: [AS-ACME]
    neighbors: [192.0.2.1]
  - name: ACME2
    asn: 100
    announce: [AS-ACME-CUST, 198.100.0.0/22^23-24]
    families: [ipv4]
customers:
  - name: CUST
    asn: 500
    announce: [AS500]
    neighbors: [203.0.113.9, 2001:db8::9]
    interface: eth1
`

func testData() (*fakeIRR, *fakeASPA) {
	f := &fakeIRR{
		sets: map[string][]string{
			"AS-ACME":      {"AS100", "AS-ACME-CUST", "AS64512", "AS-MISSING"},
			"AS-ACME-CUST": {"AS200", "AS300", "AS400"},
		},
		routes: []irr.Route{
			route("193.0.0.0/21", 100),
			route("193.0.8.0/22", 100),
			route("193.0.12.0/22", 100),
			route("10.1.0.0/16", 200),
			route("194.0.0.0/25", 200),
			route("195.0.0.0/24", 300),
			route("196.0.0.0/24", 64512),
			route("197.0.0.0/24", 400),
			route("4.0.0.0/7", 300),
			route("2001:67c::/32", 100),
			route("185.20.0.0/22", 500),
			route("185.20.4.0/23", 500),
		},
	}
	r := &fakeASPA{fakeRPKI{
		vrps: []filtergen.VRP{
			vrp("193.0.0.0/21", 24, 100),
			vrp("195.0.0.0/16", 16, 999),
			vrp("198.51.0.0/16", 24, 200), // no route object
			vrp("185.10.0.0/22", 24, 300), // no route object, customer
		},
		updated: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC),
		aspa:    map[uint32][]uint32{400: {999}},
	}}
	return f, r
}

func compileTest(t *testing.T, pol *filtergen.Policy, f *fakeIRR, r filtergen.RPKI, mod func(*filtergen.CompileOptions)) (*filtergen.Result, error) {
	t.Helper()
	opts := filtergen.CompileOptions{IRR: f, RPKI: r, Parallel: 2,
		Now: func() time.Time { return time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC) }}
	if mod != nil {
		mod(&opts)
	}
	return filtergen.Compile(context.Background(), pol, opts)
}

func TestCompileProvenance(t *testing.T) {
	f, r := testData()
	res, err := compileTest(t, mustPolicy(t, basePolicy), f, r, nil)
	if err != nil {
		t.Fatal(err)
	}
	acme := res.Peers[0]
	if acme.Name != "ACME" {
		t.Fatalf("first peer %s", acme.Name)
	}
	if diff := cmp.Diff([]uint32{100, 200, 300, 400}, acme.ASNs); diff != "" {
		t.Errorf("ASNs (-want +got):\n%s", diff)
	}
	if len(acme.DroppedASNs) != 1 || acme.DroppedASNs[0].ASN != 64512 || acme.DroppedASNs[0].Reason != filtergen.DropBogonOrigin {
		t.Errorf("dropped ASNs %+v", acme.DroppedASNs)
	}
	if len(acme.Warnings) != 1 || !strings.Contains(acme.Warnings[0], "AS-MISSING") {
		t.Errorf("warnings %q", acme.Warnings)
	}
	v4 := acme.Family(filtergen.IPv4)
	var gotEntries []string
	for _, e := range v4.Entries {
		gotEntries = append(gotEntries, e.String())
	}
	// 193.0.8.0/22 and 193.0.12.0/22 are siblings: one entry.
	if diff := cmp.Diff([]string{"193.0.0.0/21", "193.0.8.0/21^22"}, gotEntries); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	if v4.Count != 3 {
		t.Errorf("count %d, want 3", v4.Count)
	}
	drops := map[string]filtergen.DropReason{}
	for _, d := range v4.Dropped {
		drops[d.Range.Prefix.String()] = d.Reason
	}
	want := map[string]filtergen.DropReason{
		"10.1.0.0/16":  filtergen.DropBogon,
		"194.0.0.0/25": filtergen.DropTooLong,
		"195.0.0.0/24": filtergen.DropRPKIInvalid,
		"196.0.0.0/24": filtergen.DropBogonOrigin,
		"197.0.0.0/24": filtergen.DropASPA,
		"4.0.0.0/7":    filtergen.DropTooShort,
	}
	if diff := cmp.Diff(want, drops); diff != "" {
		t.Errorf("drops (-want +got):\n%s", diff)
	}
	for _, a := range v4.Accepted {
		if a.Range.Prefix.String() == "193.0.0.0/21" {
			if a.RPKI != filtergen.RPKIValid || a.Origin != 100 || a.Source != "TEST" {
				t.Errorf("provenance %+v", a)
			}
			if diff := cmp.Diff([]string{"AS-ACME"}, a.Chain); diff != "" {
				t.Errorf("chain: %s", diff)
			}
		}
	}
	for _, d := range v4.Dropped {
		if d.Range.Prefix.String() == "195.0.0.0/24" {
			if diff := cmp.Diff([]string{"AS-ACME", "AS-ACME-CUST"}, d.Chain); diff != "" {
				t.Errorf("chain of a nested ASN: %s", diff)
			}
		}
	}
	if v6 := acme.Family(filtergen.IPv6); v6 == nil || len(v6.Entries) != 1 || v6.MaxPrefix != 10 {
		t.Errorf("v6 %+v", v6)
	}
	// max-prefix computed: 3 accepted * 1.2 = 4 (ceil 3.6), but minimum 10.
	if v4.MaxPrefix != 10 {
		t.Errorf("max-prefix %d", v4.MaxPrefix)
	}

	acme2 := res.Peers[1]
	if len(acme2.Families) != 1 {
		t.Fatalf("families %d", len(acme2.Families))
	}
	var lit []string
	for _, e := range acme2.Families[0].Entries {
		lit = append(lit, e.String())
	}
	if !strings.Contains(strings.Join(lit, " "), "198.100.0.0/22^23-24") {
		t.Errorf("literal prefix missing: %v", lit)
	}

	cust := res.Peers[2]
	if !cust.Customer || cust.Family(filtergen.IPv4).URPF != "strict" {
		t.Errorf("customer %+v", cust)
	}
	wantACL := []netip.Prefix{netip.MustParsePrefix("185.20.0.0/22"), netip.MustParsePrefix("185.20.4.0/23"), netip.MustParsePrefix("203.0.113.9/32")}
	if diff := cmp.Diff(wantACL, cust.Family(filtergen.IPv4).ACL, cmpNet); diff != "" {
		t.Errorf("ACL v4: %s", diff)
	}
	if diff := cmp.Diff([]netip.Prefix{netip.MustParsePrefix("2001:db8::9/128"), netip.MustParsePrefix("fe80::/10")}, cust.Family(filtergen.IPv6).ACL, cmpNet); diff != "" {
		t.Errorf("ACL v6: %s", diff)
	}
}

func TestCompileSharedExpansionOnce(t *testing.T) {
	f, r := testData()
	y := strings.Replace(basePolicy, "announce: [AS-ACME-CUST, 198.100.0.0/22^23-24]", "announce: [AS-ACME]", 1)
	if _, err := compileTest(t, mustPolicy(t, y), f, r, nil); err != nil {
		t.Fatal(err)
	}
	if n := f.calls["asns AS-ACME"]; n != 1 {
		t.Errorf("AS-ACME expanded %d times, want once", n)
	}
}

func TestCompileRPKIOptions(t *testing.T) {
	f, r := testData()
	y := strings.Replace(basePolicy, "routers:", "defaults:\n  rpki_accept_valid: true\n  rpki_tighten_max_length: true\nrouters:", 1)
	y = strings.Replace(y, "announce: [AS-ACME]", "announce: [AS-ACME, 193.0.0.0/21^+]", 1)
	res, err := compileTest(t, mustPolicy(t, y), f, r, nil)
	if err != nil {
		t.Fatal(err)
	}
	v4 := res.Peers[0].Family(filtergen.IPv4)
	var got []string
	for _, a := range v4.Accepted {
		got = append(got, a.Range.String()+" "+a.Source+" "+a.RPKI.String())
	}
	want := []string{
		"193.0.0.0/21 TEST valid",
		"193.0.0.0/21^21-24 policy valid", // ^+ tightened to the ROA's maxLength 24
		"193.0.8.0/22 TEST not-found",
		"193.0.12.0/22 TEST not-found",
		"185.10.0.0/22^22-24 RPKI valid",
		"198.51.0.0/16^16-24 RPKI valid",
	}
	if diff := cmp.Diff(want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("accepted (-want +got):\n%s", diff)
	}
}

func TestCompileFailures(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(f *fakeIRR, r *fakeASPA, y *string)
		wantIs  error
		wantMsg string
		peers   []string
	}{
		{"missing root AS-SET", func(f *fakeIRR, r *fakeASPA, y *string) { delete(f.sets, "AS-ACME-CUST") },
			irr.ErrNotFound, `peer "ACME2": expand AS-ACME-CUST`, []string{"ACME2"}},
		{"IRR failure", func(f *fakeIRR, r *fakeASPA, y *string) { f.fail = errors.New("connection refused") },
			nil, "connection refused", []string{"ACME", "ACME2", "CUST"}},
		{"stale RPKI", func(f *fakeIRR, r *fakeASPA, y *string) { r.updated = r.updated.Add(-48 * time.Hour) },
			filtergen.ErrStale, "more than the maximum age 24h0m0s", []string{"ACME", "ACME2", "CUST"}},
		{"empty filter", func(f *fakeIRR, r *fakeASPA, y *string) {
			f.routes = f.routes[:1]
			f.routes[0].Origin = 999
		}, filtergen.ErrEmptyFilter, `peer "CUST"`, []string{"ACME", "CUST"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, r := testData()
			y := basePolicy
			tt.mutate(f, r, &y)
			res, err := compileTest(t, mustPolicy(t, y), f, r, nil)
			if err == nil || res != nil {
				t.Fatalf("got result %v, err %v; want only an error", res, err)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v is not %v", err, tt.wantIs)
			}
			// Fail fast: the first failure is reported and cancels the
			// rest, so the failed peers are among the expected ones.
			failed := filtergen.FailedPeers(err)
			if len(failed) == 0 {
				t.Errorf("no failed peer in %v", err)
			}
			for _, p := range failed {
				if !slices.Contains(tt.peers, p) {
					t.Errorf("peer %s failed; want one of %v", p, tt.peers)
				}
			}
			// KeepGoing compiles every peer: all failures, and the others.
			res, err = compileTest(t, mustPolicy(t, y), f, r, func(o *filtergen.CompileOptions) { o.KeepGoing = true })
			if err == nil || res == nil || len(res.Peers)+len(tt.peers) != 3 {
				t.Errorf("keep-going: %v peers, err %v", res, err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not contain %q", err, tt.wantMsg)
			}
			if diff := cmp.Diff(tt.peers, filtergen.FailedPeers(err)); diff != "" {
				t.Errorf("keep-going: failed peers (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCompileNoRPKIGiven(t *testing.T) {
	f, _ := testData()
	_, err := compileTest(t, mustPolicy(t, basePolicy), f, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "RPKI") {
		t.Fatalf("err %v", err)
	}
}

func TestExplain(t *testing.T) {
	f, r := testData()
	res, err := compileTest(t, mustPolicy(t, basePolicy), f, r, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ prefix, want string }{
		{"193.0.9.0/22", "ACCEPTED for peer ACME by filter entry 193.0.8.0/21^22"},
		{"195.0.0.0/24", "dropped  195.0.0.0/24 (rpki-invalid) origin AS300 source TEST via AS-ACME > AS-ACME-CUST rpki invalid"},
		{"8.8.8.0/24", "no route object or other source lists it"},
	} {
		e, err := res.Explain("acme", netip.MustParsePrefix(tt.prefix))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(e.String(), tt.want) {
			t.Errorf("%s: explanation\n%s\ndoes not contain %q", tt.prefix, e, tt.want)
		}
	}
	if _, err := res.Explain("nobody", netip.MustParsePrefix("193.0.0.0/21")); err == nil {
		t.Error("unknown peer: no error")
	}
}

func TestCheckShrink(t *testing.T) {
	type m = map[filtergen.Family]int
	tests := []struct {
		name     string
		old, new m
		guard    float64
		fail     filtergen.Family // family expected to fail, 0 for none
	}{
		{"51% passes the default guard", m{filtergen.IPv4: 100}, m{filtergen.IPv4: 49}, 0, filtergen.IPv4},
		{"50% is within the default guard", m{filtergen.IPv4: 100}, m{filtergen.IPv4: 50}, 0, 0},
		{"21% fails a 20% guard", m{filtergen.IPv4: 100}, m{filtergen.IPv4: 79}, 0.2, filtergen.IPv4},
		{"nothing before", m{filtergen.IPv4: 0}, m{filtergen.IPv4: 0}, 0, 0},
		{"a new family", m{}, m{filtergen.IPv6: 5}, 0, 0},
		{"families apart: v4 to 0, v6 from 0", m{filtergen.IPv4: 100, filtergen.IPv6: 0}, m{filtergen.IPv4: 0, filtergen.IPv6: 100}, 0, filtergen.IPv4},
		{"a family removed has fallen to 0", m{filtergen.IPv4: 10, filtergen.IPv6: 10}, m{filtergen.IPv4: 10}, 0, filtergen.IPv6},
		{"NaN guard means the default", m{filtergen.IPv6: 100}, m{filtergen.IPv6: 10}, math.NaN(), filtergen.IPv6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := filtergen.CheckShrink("X", tt.old, tt.new, tt.guard)
			var se *filtergen.ShrinkError
			switch {
			case tt.fail == 0 && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tt.fail != 0 && !errors.As(err, &se):
				t.Errorf("got %v, want a *ShrinkError", err)
			case tt.fail != 0 && se.Family != tt.fail:
				t.Errorf("family %s failed, want %s", se.Family, tt.fail)
			case tt.fail != 0 && strings.Contains(err.Error(), "peer"):
				t.Errorf("message %q names the peer; PeerError does that", err)
			}
		})
	}
}

func TestCompileNoAcceptedProvenance(t *testing.T) {
	f, r := testData()
	// rpki_accept_valid reads the accepted candidates before they are let go.
	y := strings.Replace(basePolicy, "routers:", "defaults:\n  rpki_accept_valid: true\nrouters:", 1)
	full, err := compileTest(t, mustPolicy(t, y), f, r, nil)
	if err != nil {
		t.Fatal(err)
	}
	lean, err := compileTest(t, mustPolicy(t, y), f, r, func(o *filtergen.CompileOptions) { o.NoAcceptedProvenance = true })
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range full.Peers {
		for _, fr := range p.Families {
			n += len(fr.Accepted)
			fr.Accepted = nil
		}
	}
	if n == 0 {
		t.Fatal("the full compile accepted nothing")
	}
	if diff := cmp.Diff(full, lean, cmpNet); diff != "" {
		t.Errorf("without accepted provenance, the rest differs (-full +lean):\n%s", diff)
	}
}

func TestCompileSharedRoutesOnce(t *testing.T) {
	// Three peers reach the same cone; its route list is looked up once
	// per family however the peers interleave, and released after them.
	y := strings.Replace(basePolicy, "announce: [AS-ACME-CUST, 198.100.0.0/22^23-24]", "announce: [AS-ACME]", 1)
	y = strings.Replace(y, "customers:", "  - name: ACME3\n    asn: 100\n    announce: [AS-ACME]\ncustomers:", 1)
	for _, par := range []int{1, 3} {
		f, r := testData()
		res, err := compileTest(t, mustPolicy(t, y), f, r, func(o *filtergen.CompileOptions) { o.Parallel = par })
		if err != nil {
			t.Fatal(err)
		}
		// ACME, ACME2 and ACME3 share one list per family; CUST (AS500)
		// has its own in each.
		if n := f.calls["routes"]; n != 4 {
			t.Errorf("parallel %d: routes looked up %d times, want 4", par, n)
		}
		want := res.Peers[0].Family(filtergen.IPv4).Entries
		for _, i := range []int{1, 2} {
			if diff := cmp.Diff(want, res.Peers[i].Family(filtergen.IPv4).Entries, cmpNet); diff != "" {
				t.Errorf("parallel %d: peer %s (-ACME +got):\n%s", par, res.Peers[i].Name, diff)
			}
		}
	}
}
