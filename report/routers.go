package report

import (
	"fmt"
	"strings"

	"github.com/filtergen/filtergen/filtergen"
)

// platformLimits are the documented caps of each platform
// (shared/docs/vendors.md §3, "(8) Limits"): entries in one prefix list,
// and policy lines in all. 0 means none is documented.
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
)

func routers(res *filtergen.Result) []Router {
	out := []Router{}
	for _, rt := range res.Routers {
		r := Router{Name: rt.Name, Platform: rt.Platform}
		importF := Check{Name: CheckImportFilter, Failing: []string{},
			Note: "every customer has a prefix filter in each family it has a session in"}
		spoof := Check{Name: CheckAntiSpoofing, Failing: []string{},
			Note: "every customer has uRPF or an ingress ACL on its interface"}
		rov := Check{Name: CheckROV, Failing: []string{},
			Note: "every neighbor's RPKI-invalid routes are dropped (at compile time, from the policy's RPKI data)"}
		export := Check{Name: CheckExportPolicy, Failing: []string{},
			Note: "the policy has no export model yet: every session is listed until it has one"}
		lim := Limits{}
		pl := platformLimits[rt.Platform]
		lim.PrefixListLimit, lim.TotalLimit = pl.list, pl.total
		for _, p := range res.Peers {
			if !onRouter(p, rt.Name) {
				continue
			}
			r.Neighbors++
			export.Failing = append(export.Failing, p.Name)
			if p.Customer {
				r.Customers++
				for _, fam := range []string{"ipv4", "ipv6"} {
					if hasNeighbor(p, fam) && p.Family(fam) == nil {
						importF.Failing = append(importF.Failing, fmt.Sprintf("%s (%s)", p.Name, fam))
					}
				}
				s := p.Settings
				if s.Interface == "" || (!s.IngressACL && s.URPF != "strict" && s.URPF != "loose") {
					spoof.Failing = append(spoof.Failing, p.Name)
				}
			}
			if res.RPKI == nil || !p.Settings.DropRPKIInvalid {
				rov.Failing = append(rov.Failing, p.Name)
			}
			for _, f := range p.Families {
				lim.TotalEntries += len(f.Entries)
				lim.ACLEntries += len(f.ACL)
				if len(f.Entries) > lim.PrefixListEntries {
					lim.PrefixListEntries = len(f.Entries)
					lim.LargestList = p.Name + " " + f.Family
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
		for _, c := range []*Check{&importF, &spoof, &rov, &export} {
			c.OK = len(c.Failing) == 0
		}
		r.Checks = []Check{importF, spoof, rov, export}
		r.Limits = lim
		out = append(out, r)
	}
	return out
}

func onRouter(p *filtergen.PeerResult, router string) bool {
	for _, r := range p.Routers {
		if strings.EqualFold(r, router) {
			return true
		}
	}
	return false
}
