package templates_test

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/templates"
)

func ExampleRender() {
	pfx := netip.MustParsePrefix("193.0.0.0/21")
	res := &filtergen.Result{
		LocalAS: 59900,
		Peers: []*filtergen.PeerResult{{
			Name: "RIPE_NCC", ASN: 3333, Role: filtergen.RolePeer, Routers: []string{"rs1"}, ASNs: []uint32{3333},
			Attachments: []filtergen.Attachment{{Router: "rs1", Neighbors: []netip.Addr{netip.MustParseAddr("193.239.116.10")}}},
			Settings:    filtergen.Settings{EnforceFirstAS: true},
			Import:      filtergen.ImportPolicy{PrefixFilter: true, OriginCheck: true, EnforceFirstAS: true, MaxPathLength: 64},
			Export:      filtergen.ExportPolicy{Own: true, Customers: true},
			Session:     filtergen.SessionSettings{MaxPrefixAction: filtergen.MaxPrefixRestart},
			Families: []*filtergen.FamilyResult{{
				Family: filtergen.IPv4, Count: 1, MaxPrefix: 10,
				Entries: []filtergen.PrefixRange{{Prefix: pfx, Min: 21, Max: 22}},
			}},
		}},
	}
	files, err := templates.Render(res, filtergen.Router{Name: "rs1", Platform: "bird2"}, templates.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range files {
		fmt.Println("==", f.Name)
	}
	peer := string(files[1].Data)
	fmt.Println(peer[strings.Index(peer, "define PL_") : strings.Index(peer, "];")+2])
	// Output:
	// == rs1.conf
	// == rs1.d/RIPE_NCC.conf
	// define PL_RIPE_NCC_V4 = [
	//   193.0.0.0/21{21,22}
	// ];
}
