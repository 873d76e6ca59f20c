package ixf_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/filtergen/filtergen/internal/ixfschema"
	"github.com/filtergen/filtergen/ixf"
)

func TestParse(t *testing.T) {
	e, err := ixf.Load(context.Background(), "testdata/export.json", ixf.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range e.Peerings(1) {
		rs := "?"
		if p.RouteServer != nil {
			rs = fmt.Sprint(*p.RouteServer)
		}
		got = append(got, fmt.Sprintf("AS%d %s rs=%s max=%d macro=%q", p.ASN, p.Addr, rs, p.MaxPrefix, p.ASMacro))
	}
	want := []string{
		`AS64496 203.0.113.10 rs=true max=50 macro="RIPE::AS-EXAMPLE"`,
		`AS64496 2001:db8:4242::10 rs=true max=20 macro="AS-EXAMPLE-V6"`,
		`AS64497 203.0.113.11 rs=false max=0 macro=""`,
		`AS64498 203.0.113.12 rs=? max=0 macro=""`,
		`AS64498 2001:db8:4242::12 rs=true max=0 macro=""`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("peerings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(e.Peerings(2)) != 0 {
		t.Error("peerings of an exchange not in the export")
	}
}

func TestParseErrors(t *testing.T) {
	good, err := os.ReadFile("testdata/export.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, from, to, want string
	}{
		{"truncated", "", "", "unexpected EOF"},
		{"version", `"version": "1.0"`, `"version": "2.0"`, `version: unsupported schema version "2.0"`},
		{"no timestamp", `"timestamp": "2026-11-30T12:00:00Z",`, ``, "timestamp: missing"},
		{"bad timestamp", `2026-11-30T12:00:00Z`, `yesterday`, `parsing time "yesterday"`},
		{"asn as string", `"asnum": 64497`, `"asnum": "64497"`, "asnum"},
		{"zero asn", `"asnum": 64497`, `"asnum": 0`, "member_list[1].asnum: missing or zero"},
		{"v6 in v4", `"address": "203.0.113.11"`, `"address": "2001:db8:4242::11"`, "member_list[1].connection_list[0].vlan_list[0].ipv4.address: \"2001:db8:4242::11\" is not an IPv4 address"},
		{"outside vlan", `"address": "203.0.113.11"`, `"address": "198.51.100.11"`, "198.51.100.11 is outside VLAN 10's 203.0.113.0/24"},
		{"bad address", `"address": "203.0.113.11"`, `"address": "203.0.113.300"`, "ParseAddr"},
		{"unknown ixp", `{"ixp_id": 1, "state": "active",
        "vlan_list"`, `{"ixp_id": 7, "state": "active",
        "vlan_list"`, "member_list[1].connection_list[0].ixp_id: exchange 7 is not in ixp_list"},
		{"state", `"state": "active",
        "vlan_list"`, `"state": "up",
        "vlan_list"`, `unknown state "up"`},
		{"routeserver type", `"routeserver": false`, `"routeserver": "no"`, "routeserver"},
		{"negative max", `"max_prefix": 50`, `"max_prefix": -5`, "max_prefix: negative"},
		{"host bits", `"prefix": "203.0.113.0", "mask_length": 24`, `"prefix": "203.0.113.1", "mask_length": 24`, "host bits"},
		{"trailing", `}
  ]
}`, `}
  ]
} {}`, "data after the JSON document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := string(good)
			if tt.from == "" {
				doc = doc[:len(doc)/2]
			} else {
				if !strings.Contains(doc, tt.from) {
					t.Fatalf("fixture lacks %q", tt.from)
				}
				doc = strings.Replace(doc, tt.from, tt.to, 1)
			}
			e, err := ixf.Parse(strings.NewReader(doc), ixf.Limits{})
			if err == nil || !errors.Is(err, ixf.ErrMalformed) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, error %v; want ErrMalformed containing %q", e, err, tt.want)
			}
		})
	}
	if _, err := ixf.Parse(strings.NewReader(string(good)), ixf.Limits{MaxBytes: 100}); err == nil || !strings.Contains(err.Error(), "larger than 100 bytes") {
		t.Errorf("size limit: %v", err)
	}
}

func TestLoadHTTP(t *testing.T) {
	good, _ := os.ReadFile("testdata/export.json")
	mux := http.NewServeMux()
	mux.HandleFunc("/good", func(w http.ResponseWriter, r *http.Request) { w.Write(good) })
	mux.HandleFunc("/cut", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(len(good)))
		w.Write(good[:len(good)/2])
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "gone", http.StatusGone) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	ctx := context.Background()
	opts := ixf.LoadOptions{Timeout: 300 * time.Millisecond}
	if e, err := ixf.Load(ctx, srv.URL+"/good", opts); err != nil || len(e.MemberList) != 3 {
		t.Fatalf("good: %v", err)
	}
	for path, want := range map[string]string{"/cut": "unexpected EOF", "/slow": "deadline exceeded", "/gone": "HTTP 410"} {
		if _, err := ixf.Load(ctx, srv.URL+path, opts); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want error containing %q", path, err, want)
		}
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	e, err := ixf.Load(context.Background(), "testdata/export.json", ixf.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if errs := ixfschema.Check(out); len(errs) > 0 {
		t.Errorf("re-exported fixture fails the schema checks:\n%v", errors.Join(errs...))
	}
	e2, err := ixf.Parse(strings.NewReader(string(out)), ixf.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	out2, _ := e2.Marshal()
	if string(out) != string(out2) {
		t.Error("Marshal(Parse(Marshal(e))) differs from Marshal(e)")
	}
	if e2.Peerings(0)[1].Addr != netip.MustParseAddr("2001:db8:4242::10") {
		t.Error("round trip lost an address")
	}
	bad := *e2
	bad.Version = "0.6"
	if _, err := bad.Marshal(); err == nil {
		t.Error("Marshal wrote a version other than 1.0")
	}
}

func FuzzParse(f *testing.F) {
	good, _ := os.ReadFile("testdata/export.json")
	f.Add(good)
	f.Add([]byte(`{"version":"1.0","timestamp":"2026-01-01T00:00:00Z","ixp_list":[{"ixp_id":1,"ixf_id":1,"shortname":"X"}],"member_list":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := ixf.Parse(strings.NewReader(string(data)), ixf.Limits{MaxBytes: 1 << 20})
		if err != nil {
			if e != nil {
				t.Fatal("result with error")
			}
			return
		}
		for _, p := range e.Peerings(0) {
			if !p.Addr.IsValid() || p.ASN == 0 {
				t.Fatalf("accepted peering %+v", p)
			}
		}
		if e.Version == ixf.Version && e.IXPList[0].IXFID > 0 {
			out, err := e.Marshal()
			if err != nil {
				return // Marshal is stricter (ixf_id on every exchange)
			}
			if _, err := ixf.Parse(strings.NewReader(string(out)), ixf.Limits{}); err != nil {
				t.Fatalf("Marshal output does not parse: %v", err)
			}
		}
	})
}
