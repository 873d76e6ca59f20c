package templates_test

import (
	"net/netip"
	"slices"

	"github.com/filtergen/filtergen/filtergen"
)

// fixture is a Result with one neighbor of every role, both families,
// exact and ranged entries, an empty list, router-side RPKI, our own
// space and every session setting, for the real-parser checks. Its RTR
// cache is on 127.0.0.1: FRR's dry run opens a real RTR connection.
func fixture(platform string) *filtergen.Result {
	pr := func(s string, min, max uint8) filtergen.PrefixRange {
		return filtergen.PrefixRange{Prefix: netip.MustParsePrefix(s), Min: min, Max: max}
	}
	addr := netip.MustParseAddr
	v4 := []filtergen.PrefixRange{pr("192.0.2.0/24", 24, 24), pr("198.51.100.0/24", 24, 25), pr("203.0.113.0/24", 25, 27)}
	v6 := []filtergen.PrefixRange{pr("2001:db8:1000::/36", 36, 48), pr("2001:db8:2000::/48", 48, 48), pr("2001:db8:3000::/36", 40, 44)}
	const local = 64496
	imp := func(role filtergen.Role) filtergen.ImportPolicy {
		im := filtergen.ImportPolicy{PrefixFilter: true, OriginCheck: true, RejectEmptyPath: true, MaxPathLength: 64,
			RejectASSet: true, EnforceFirstAS: true, RejectOwnPrefixes: true, RejectDefault: true, RejectBogons: true,
			RejectBogonASNs: true, RejectRPKIInvalid: true, GracefulShutdown: true,
			MinLength: [2]int{8, 16}, MaxLength: [2]int{24, 48},
			Tag: filtergen.LargeCommunity{Global: local, Data1: filtergen.CommunityLearnedFrom, Data2: role.Code()}}
		switch role {
		case filtergen.RoleProvider:
			im.PrefixFilter, im.OriginCheck, im.LocalPref = false, false, 50
		case filtergen.RoleRouteServer:
			im.EnforceFirstAS = false
		case filtergen.RoleRSClient:
			im.EnforceNextHop = true
		case filtergen.RoleCustomer:
			im.LocalPref = 200
		}
		return im
	}
	exp := map[filtergen.Role]filtergen.ExportPolicy{
		filtergen.RoleCustomer:    {Own: true, Customers: true, Peers: true, Providers: true, RouteServers: true},
		filtergen.RolePeer:        {Own: true, Customers: true},
		filtergen.RoleProvider:    {Own: true, Customers: true},
		filtergen.RoleRouteServer: {Own: true, Customers: true},
		filtergen.RoleRSClient:    {RSClients: true},
	}
	peer := func(name string, asn uint32, role filtergen.Role, n int, fams ...*filtergen.FamilyResult) *filtergen.PeerResult {
		a4 := netip.AddrFrom4([4]byte{198, 18, 0, byte(2*n + 1)})
		a6 := netip.MustParseAddr("2001:db8:ffff::").Next()
		for range 2 * n {
			a6 = a6.Next()
		}
		l4 := netip.AddrFrom4([4]byte{198, 18, 0, byte(2 * n)})
		p := &filtergen.PeerResult{
			Name: name, Description: "Example " + name, ASN: asn, Role: role, Customer: role == filtergen.RoleCustomer,
			Routers: []string{"r1"}, ASNs: []uint32{asn, asn + 1},
			Attachments: []filtergen.Attachment{{Router: "r1", Neighbors: []netip.Addr{a4, a6}, LocalAddresses: []netip.Addr{l4}}},
			Import:      imp(role), Export: exp[role],
			Session:  filtergen.SessionSettings{MaxPrefixAction: filtergen.MaxPrefixRestart, RestartAfter: 30},
			Families: fams,
		}
		p.Neighbors = p.Attachments[0].Neighbors
		if p.Customer {
			p.Attachments[0].Interface = "eth1"
			p.Settings = filtergen.Settings{Interface: "eth1", URPF: "strict", IngressACL: true}
		}
		return p
	}
	fam := func(f filtergen.Family, es []filtergen.PrefixRange, max int) *filtergen.FamilyResult {
		fr := &filtergen.FamilyResult{Family: f, Entries: es, Count: len(es), MaxPrefix: max}
		for _, e := range es {
			fr.ACL = append(fr.ACL, e.Prefix)
		}
		if f == filtergen.IPv4 {
			fr.URPF = "strict"
		}
		return fr
	}
	cust := peer("CUST", 64500, filtergen.RoleCustomer, 0, fam(filtergen.IPv4, v4, 100), fam(filtergen.IPv6, v6, 50))
	cust.Session.Password = filtergen.NewSecret("s3cr3t-Key.1")
	cust.Session.TTLSecurity = 1
	cust.Session.BFD = platform != "openbgpd"
	peerP := peer("PEER1", 64510, filtergen.RolePeer, 1, fam(filtergen.IPv4, v4[:1], 10), fam(filtergen.IPv6, nil, 10))
	peerP.Session.MaxPrefixAction = filtergen.MaxPrefixWarning
	prov := peer("UPSTREAM", 64520, filtergen.RoleProvider, 2, fam(filtergen.IPv4, nil, 1_000_000), fam(filtergen.IPv6, nil, 200_000))
	prov.Session.Multihop = 2
	prov.Session.MaxPrefixAction = filtergen.MaxPrefixTeardown
	rs := peer("IXP_RS", 64530, filtergen.RoleRouteServer, 3, fam(filtergen.IPv4, v4, 100))
	member := peer("MEMBER", 64540, filtergen.RoleRSClient, 4, fam(filtergen.IPv4, v4[1:], 100), fam(filtergen.IPv6, v6[2:], 100))
	noOrigins := peer("NOROUTES", 64550, filtergen.RolePeer, 5, fam(filtergen.IPv4, nil, 1))
	noOrigins.ASNs = nil
	dflt := peer("STUB", 64560, filtergen.RoleCustomer, 6, fam(filtergen.IPv4, v4[:1], 5))
	dflt.Export = filtergen.ExportPolicy{DefaultOnly: true}
	peers := []*filtergen.PeerResult{cust, peerP, prov, rs, member, noOrigins, dflt}
	if !canRouteServe(platform) {
		peers = slices.DeleteFunc(peers, func(p *filtergen.PeerResult) bool { return p == member })
	}
	return &filtergen.Result{
		LocalAS: local,
		Routers: []filtergen.Router{{Name: "r1", Platform: platform, RouterID: addr("198.18.0.0")}},
		RTR:     []filtergen.RTRCache{{Address: addr("127.0.0.1"), Port: 3323, Preference: 1, Refresh: 300, Retry: 60, Expire: 7200}},
		Own: []filtergen.OwnFamily{
			{Family: filtergen.IPv4, Entries: []filtergen.PrefixRange{pr("198.18.128.0/20", 20, 24)}},
			{Family: filtergen.IPv6, Entries: []filtergen.PrefixRange{pr("2001:db8:8000::/33", 33, 48)}},
		},
		Peers: peers,
	}
}

// canRouteServe reports whether a platform renders rs-client peers;
// IOS-XR and NX-OS refuse them (TestCiscoRefuses).
func canRouteServe(platform string) bool { return platform != "iosxr" && platform != "nxos" }
