package filtergen_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/irr"
)

func TestOpen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "db.rpsl"), []byte("route: 192.0.2.0/24\norigin: AS64500\nsource: TEST\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "vrps.json"), []byte(`{"metadata": {"buildtime": "2026-11-23T12:00:00Z"}, "roas": [{"asn": "AS64500", "prefix": "192.0.2.0/24", "maxLength": 24, "ta": "test"}]}`), 0o644)
	base := &filtergen.Policy{Version: 1, Dir: dir, IRR: filtergen.IRRSource{Dumps: []string{"db.rpsl"}},
		RPKI: filtergen.RPKISource{VRPs: "vrps.json"}}

	t.Run("dumps and VRPs", func(t *testing.T) {
		src, err := filtergen.Open(ctx, base, filtergen.OpenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		if _, ok := src.IRR.(*irr.Registry); !ok {
			t.Errorf("IRR is %T, want *irr.Registry", src.IRR)
		}
		if src.RPKI == nil || src.RPKI.Updated().IsZero() {
			t.Error("no RPKI data")
		}
		co := src.CompileOptions()
		if co.IRR != src.IRR || co.RPKI != src.RPKI {
			t.Error("CompileOptions does not carry the sources")
		}
	})
	t.Run("servers: timeouts from policy, options override, safe walk", func(t *testing.T) {
		pol := *base
		pol.IRR = filtergen.IRRSource{Servers: []string{"127.0.0.1:1", "127.0.0.1:2"},
			QueryTimeout: filtergen.Duration(3 * time.Second), Timeout: filtergen.Duration(time.Minute)}
		pol.RPKI = filtergen.RPKISource{}
		src, err := filtergen.Open(ctx, &pol, filtergen.OpenOptions{IRRTimeout: 2 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		c, ok := src.IRR.(*irr.Client)
		if !ok {
			t.Fatalf("IRR is %T, want *irr.Client", src.IRR)
		}
		if len(c.Servers) != 2 || c.QueryTimeout != 3*time.Second || c.Timeout != 2*time.Minute || c.ServerRecursion {
			t.Errorf("client %+v", c)
		}
		pol.IRR.QueryTimeout = 0
		src2, _ := filtergen.Open(ctx, &pol, filtergen.OpenOptions{})
		defer src2.Close()
		if c := src2.IRR.(*irr.Client); c.QueryTimeout != filtergen.DefaultIRRQueryTimeout || c.Timeout != time.Minute {
			t.Errorf("defaults: query %s, timeout %s", c.QueryTimeout, c.Timeout)
		}
	})
	t.Run("a missing dump names the key and the file", func(t *testing.T) {
		pol := *base
		pol.IRR.Dumps = []string{"nope.rpsl"}
		_, err := filtergen.Open(ctx, &pol, filtergen.OpenOptions{})
		if err == nil || !strings.Contains(err.Error(), "irr.dumps") || !strings.Contains(err.Error(), "nope.rpsl") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("a bad VRP file names the key", func(t *testing.T) {
		pol := *base
		pol.RPKI.VRPs = "db.rpsl"
		_, err := filtergen.Open(ctx, &pol, filtergen.OpenOptions{})
		if err == nil || !strings.Contains(err.Error(), "rpki.vrps") {
			t.Errorf("got %v", err)
		}
	})
}

// --router r1 compiles only r1's peers: a peer only on r2 cannot fail it,
// and the Result lists r1 alone.
func TestCompileRouterSelection(t *testing.T) {
	b := irr.NewBuilder(irr.LoadOptions{})
	b.ReadFrom(context.Background(), strings.NewReader("route: 193.0.0.0/21\norigin: AS3333\nsource: TEST\n"), "x.rpsl")
	reg, _ := b.Build()
	pol := &filtergen.Policy{Version: 2, LocalAS: 65000, IRR: filtergen.IRRSource{Dumps: []string{"x.rpsl"}},
		Routers: []filtergen.Router{{Name: "r1", Platform: "bird2"}, {Name: "r2", Platform: "junos"}},
		Peers: []filtergen.Peer{
			{Name: "A", ASN: 3333, Announce: []string{"AS3333"}},
			{Name: "B", ASN: 64500, Announce: []string{"AS-MISSING"}, PeerOptions: filtergen.PeerOptions{Routers: []string{"r2"}}},
		}}
	res, err := filtergen.Compile(context.Background(), pol, filtergen.CompileOptions{IRR: reg, Routers: []string{"R1"}})
	if err != nil {
		t.Fatalf("--router r1 failed on a peer of r2: %v", err)
	}
	if len(res.Routers) != 1 || res.Routers[0].Name != "r1" || len(res.Peers) != 1 || res.Peers[0].Name != "A" {
		t.Errorf("routers %v, %d peers", res.Routers, len(res.Peers))
	}
	if _, err := filtergen.Compile(context.Background(), pol, filtergen.CompileOptions{IRR: reg, Routers: []string{"r9"}}); err == nil {
		t.Error("unknown router: no error")
	}
	if _, err := filtergen.Compile(context.Background(), pol, filtergen.CompileOptions{IRR: reg}); err == nil {
		t.Error("all routers: peer B should fail")
	}
}
