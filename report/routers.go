package report

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/filtergen/filtergen/filtergen"
)

// platformLimits are the documented caps of each platform
// (shared/docs/vendors.md §3, "(8) Limits"; issue 11): entries in one
// prefix list, and policy lines in all. 0 means none is documented.
var platformLimits = map[string]struct{ list, total int }{
	"junos": {list: 85_325},
	"iosxr": {total: 131_072}, // default `rpl maximum lines`
}

// The router checks.
const (
	CheckImportFilter = "import_filter"
	CheckAntiSpoofing = "anti_spoofing"
	CheckROV          = "rov"
	CheckExportPolicy = "export_policy"
	CheckLimits       = "limits"
)

func routers(res *filtergen.Result) []Router {
	out := []Router{}
	for _, rt := range res.Routers {
		r := Router{Name: rt.Name, Platform: rt.Platform}
		importF := Check{Name: CheckImportFilter, Failing: []string{},
			Note: "every customer's routes pass its registered prefix filter and origin check, in every family it has a session in"}
		spoof := Check{Name: CheckAntiSpoofing, Failing: []string{},
			Note: "every customer has an interface on this router with uRPF or an ingress ACL"}
		rov := Check{Name: CheckROV, Failing: []string{},
			Note: "every neighbor's RPKI-invalid routes are dropped: in the compiled filter (RPKI data) or on the router (RTR caches)"}
		export := Check{Name: CheckExportPolicy, Failing: []string{},
			Note: "every session has an export policy, and none sends routes from peers, providers or route servers to a peer, provider or route server (a route leak)"}
		limits := Check{Name: CheckLimits, Failing: []string{},
			Note: "no prefix list and no router's total is above the platform's known limit (Limits)"}
		lim := Limits{}
		pl := platformLimits[rt.Platform]
		lim.PrefixListLimit, lim.TotalLimit = pl.list, pl.total
		for _, p := range res.Peers {
			att := attachment(p, rt.Name)
			if att == nil {
				continue
			}
			r.Neighbors++
			if isCustomer(p) {
				r.Customers++
				if !p.Import.PrefixFilter || !p.Import.OriginCheck {
					importF.Failing = append(importF.Failing, p.Name)
				} else {
					for _, fam := range []filtergen.Family{filtergen.IPv4, filtergen.IPv6} {
						if hasAddr(att.Neighbors, fam) && p.Family(fam) == nil {
							importF.Failing = append(importF.Failing, fmt.Sprintf("%s (%s)", p.Name, fam))
						}
					}
				}
				s := p.Settings
				if att.Interface == "" || (!s.IngressACL && s.URPF != "strict" && s.URPF != "loose") {
					spoof.Failing = append(spoof.Failing, p.Name)
				}
			}
			compiled := res.RPKI != nil && p.Settings.DropRPKIInvalid
			onRouter := p.Import.RejectRPKIInvalid && len(res.RTR) > 0
			if !compiled && !onRouter {
				rov.Failing = append(rov.Failing, p.Name)
			}
			if why := exportProblem(p); why != "" {
				export.Failing = append(export.Failing, p.Name+" ("+why+")")
			}
			for _, f := range p.Families {
				lim.TotalEntries += len(f.Entries)
				lim.ACLEntries += len(f.ACL)
				if pl.list > 0 && len(f.Entries) > pl.list {
					limits.Failing = append(limits.Failing, fmt.Sprintf("%s %s (%d entries)", p.Name, f.Family, len(f.Entries)))
				}
				if len(f.Entries) > lim.PrefixListEntries {
					lim.PrefixListEntries = len(f.Entries)
					lim.LargestList = p.Name + " " + f.Family.String()
				}
			}
		}
		lim.HeadroomPercent = 100
		if lim.PrefixListLimit > 0 {
			lim.HeadroomPercent = min(lim.HeadroomPercent, 100-percent(lim.PrefixListEntries, lim.PrefixListLimit))
		}
		if lim.TotalLimit > 0 {
			lim.HeadroomPercent = min(lim.HeadroomPercent, 100-percent(lim.TotalEntries, lim.TotalLimit))
		}
		if pl.total > 0 && lim.TotalEntries > pl.total {
			limits.Failing = append(limits.Failing, fmt.Sprintf("all lists (%d entries)", lim.TotalEntries))
		}
		for _, c := range []*Check{&importF, &spoof, &rov, &export, &limits} {
			c.OK = len(c.Failing) == 0
		}
		r.Checks = []Check{importF, spoof, rov, export, limits}
		r.Limits = lim
		out = append(out, r)
	}
	return out
}

// exportProblem says what is wrong with a neighbor's export policy, or
// returns "".
func exportProblem(p *filtergen.PeerResult) string {
	e := p.Export
	if e == (filtergen.ExportPolicy{}) {
		return "no export policy"
	}
	switch p.Role {
	case filtergen.RolePeer, filtergen.RoleProvider, filtergen.RoleRouteServer:
		var leak []string
		if e.Peers {
			leak = append(leak, "peers'")
		}
		if e.Providers {
			leak = append(leak, "providers'")
		}
		if e.RouteServers {
			leak = append(leak, "route servers'")
		}
		if len(leak) > 0 {
			return "a " + string(p.Role) + " receives " + strings.Join(leak, " and ") + " routes"
		}
	}
	return ""
}

// attachment returns p's attachment on router; a Result from before
// attachments existed falls back to Routers and Neighbors.
func attachment(p *filtergen.PeerResult, router string) *filtergen.Attachment {
	if len(p.Attachments) > 0 {
		return p.Attachment(router)
	}
	for _, r := range p.Routers {
		if strings.EqualFold(r, router) {
			return &filtergen.Attachment{Router: r, Neighbors: p.Neighbors, Interface: p.Settings.Interface}
		}
	}
	return nil
}

func isCustomer(p *filtergen.PeerResult) bool {
	return p.Role == filtergen.RoleCustomer || p.Role == "" && p.Customer
}

func hasAddr(addrs []netip.Addr, fam filtergen.Family) bool {
	for _, a := range addrs {
		if a.Unmap().Is4() == (fam == filtergen.IPv4) {
			return true
		}
	}
	return false
}
