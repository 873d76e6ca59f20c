package templates_test

import (
	"errors"
	"io/fs"
	"net/netip"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/internal/platform"
	"github.com/filtergen/filtergen/templates"
)

// TestTemplatesMatchTable keeps platform.Table and the embedded templates
// in step: a platform marked as rendering has both templates, and every
// embedded directory (but the shared host/) belongs to such a platform.
func TestTemplatesMatchTable(t *testing.T) {
	for _, name := range templates.Platforms() {
		for _, f := range []string{"router.tmpl", "peer.tmpl"} {
			if _, err := fs.Stat(templates.Builtin(), name+"/"+f); err != nil {
				t.Errorf("platform %s renders but has no %s: %v", name, f, err)
			}
		}
	}
	dirs, err := fs.ReadDir(templates.Builtin(), ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if pl, ok := platform.Lookup(d.Name()); d.Name() != "host" && (!ok || !pl.Templates) {
			t.Errorf("templates/%s: not a rendering platform in platform.Table", d.Name())
		}
	}
	if _, err := fs.Stat(templates.Builtin(), "host/nft.tmpl"); err != nil {
		t.Errorf("no shared nftables template: %v", err)
	}
}

func TestRenderRefuses(t *testing.T) {
	base := func() *filtergen.Result { return benchResult(3) }
	tests := []struct {
		name   string
		router filtergen.Router
		edit   func(*filtergen.Result)
		want   error
		msg    string
	}{
		{"unknown platform", filtergen.Router{Name: "r1", Platform: "cisco"}, nil, templates.ErrNoTemplates, `"cisco"`},
		{"router name with a slash", filtergen.Router{Name: "../r1", Platform: "bird2"}, nil, templates.ErrUnsafe, `router name "../r1"`},
		{"peer name with a newline", filtergen.Router{Name: "r1", Platform: "junos"},
			func(r *filtergen.Result) { r.Peers[0].Name = "X\nrouter bgp 1" }, templates.ErrUnsafe, `peer name "X\nrouter bgp 1"`},
		{"interface with a quote", filtergen.Router{Name: "r1", Platform: "bird2"},
			func(r *filtergen.Result) {
				r.Peers[0].Attachments = []filtergen.Attachment{{Router: "r1", Interface: `eth0" accept`}}
			}, templates.ErrUnsafe, `interface name "eth0\" accept"`},
		{"junos list over 85,325", filtergen.Router{Name: "r1", Platform: "junos"},
			func(r *filtergen.Result) { *r = *benchResult(85326) }, templates.ErrLimit,
			"peer TRANSIT: the ipv4 prefix list has 85326 entries; Junos takes at most 85325 per list"},
		// 42,665 entries that the longest-match rewrite turns into 85,328:
		// the limit applies to what is rendered.
		{"junos list over 85,325 after the longest-match rewrite", filtergen.Router{Name: "r1", Platform: "junos"},
			func(r *filtergen.Result) { r.Peers[0].Families[0].Entries = growingList(42663) }, templates.ErrLimit,
			"peer TRANSIT: template: peer.tmpl:22:3: executing \"peer.tmpl\" at <junosRanges .Entries \"                \">: error calling junosRanges: templates: over the platform's limit: a prefix list renders 85328 entries (42665 before the rewrite for longest match); Junos takes at most 85325 per list"},
		{"iosxr over 131,072 policy lines", filtergen.Router{Name: "r1", Platform: "iosxr"},
			func(r *filtergen.Result) { *r = *benchResult(131073) }, templates.ErrLimit,
			"router r1: the prefix lists have 131073 entries (the largest, peer TRANSIT ipv4, 131073); Cisco IOS-XR takes at most 131072 policy lines"},
		{"bad version", filtergen.Router{Name: "r1", Platform: "bird2", Version: "eight"}, nil, nil, `BIRD 2: version "eight"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := base()
			if tt.edit != nil {
				tt.edit(res)
			}
			files, err := templates.Render(res, tt.router, templates.Options{})
			if err == nil {
				t.Fatalf("rendered %d files", len(files))
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v is not %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not say %q", err, tt.msg)
			}
		})
	}
	// At the limit, Junos renders.
	if _, err := templates.Render(benchResult(85325), filtergen.Router{Name: "r1", Platform: "junos"}, templates.Options{}); err != nil {
		t.Errorf("85,325 entries: %v", err)
	}
	// Under its line limit, IOS-XR renders.
	if _, err := templates.Render(benchResult(130000), filtergen.Router{Name: "r1", Platform: "iosxr"}, templates.Options{}); err != nil {
		t.Errorf("IOS-XR, 130,000 entries: %v", err)
	}
}

// TestOverrideFileByFile replaces one template and keeps the others.
func TestOverrideFileByFile(t *testing.T) {
	res := benchResult(2)
	res.Peers[0].Customer = true
	res.Peers[0].Settings.Interface = "eth1"
	res.Peers[0].Settings.IngressACL = true
	res.Peers[0].Families[0].ACL = []netip.Prefix{netip.MustParsePrefix("1.0.0.0/23")}
	over := fstest.MapFS{
		"bird2/router.tmpl": {Data: []byte("# overridden router {{ .Router.Name }}\n")},
		"host/nft.tmpl":     {Data: []byte("# overridden nft for {{ .Platform.Title }}\n")},
	}
	files, err := templates.Render(res, filtergen.Router{Name: "r1", Platform: "bird2"}, templates.Options{Overrides: over})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range files {
		got[f.Name] = string(f.Data)
	}
	if got["r1.conf"] != "# overridden router r1\n" || got["r1.nft"] != "# overridden nft for BIRD 2\n" {
		t.Errorf("overrides not used: %q, %q", got["r1.conf"], got["r1.nft"])
	}
	if !strings.Contains(got["r1.d/TRANSIT.conf"], "filter RP_TRANSIT_IN_V4") {
		t.Errorf("the built-in peer template was not used:\n%s", got["r1.d/TRANSIT.conf"])
	}
}

// growingList returns n+2 entries that filtergen.LongestMatchSafe turns
// into 2n+2: 10.0.0.0/8 exactly and with its /24s, and n /24s inside it
// that allow /26s, each of which must also carry its own /24 for Junos.
func growingList(n int) []filtergen.PrefixRange {
	p8 := netip.MustParsePrefix("10.0.0.0/8")
	rs := []filtergen.PrefixRange{{Prefix: p8, Min: 8, Max: 8}, {Prefix: p8, Min: 24, Max: 24}}
	for i := range n {
		a := netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 0})
		rs = append(rs, filtergen.PrefixRange{Prefix: netip.PrefixFrom(a, 24), Min: 26, Max: 26})
	}
	return rs
}

// TestGrowingList checks the premise of the limit test above.
func TestGrowingList(t *testing.T) {
	rs := growingList(3)
	if got := len(filtergen.LongestMatchSafe(rs)); got != 8 {
		t.Fatalf("LongestMatchSafe of %d entries: %d entries, want 8", len(rs), got)
	}
	// Just under the limit after the rewrite, Junos renders.
	res := benchResult(1)
	res.Peers[0].Families[0].Entries = growingList(42661) // 85,324 rendered
	if _, err := templates.Render(res, filtergen.Router{Name: "r1", Platform: "junos"}, templates.Options{}); err != nil {
		t.Errorf("85,324 rendered entries: %v", err)
	}
}
