package filtergen

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/filtergen/filtergen/ixf"
)

// IXFExport describes our exchange in an IX-F member export of the
// policy's route-server peers.
type IXFExport struct {
	// IXPID numbers the exchange within the export; 0 means 1.
	IXPID int `yaml:"ixp_id"`
	// IXFID is the exchange's ID in the IX-F database. Required.
	IXFID       int    `yaml:"ixf_id"`
	PeeringDBID int    `yaml:"peeringdb_id"`
	Shortname   string `yaml:"shortname"`
	Name        string `yaml:"name"`
	// Country is an ISO 3166-1 alpha-2 code.
	Country      string `yaml:"country"`
	URL          string `yaml:"url"`
	SupportEmail string `yaml:"support_email"`
	// VLANID is the peering LAN's VLAN; IPv4 and IPv6 its prefixes.
	// Neighbors outside them are not listed.
	VLANID int          `yaml:"vlan_id"`
	IPv4   netip.Prefix `yaml:"ipv4"`
	IPv6   netip.Prefix `yaml:"ipv6"`
}

// ExportIXF builds the IX-F member export (schema 1.0) of pol's peers as
// clients of our route server: one member per peer with its neighbors on
// the peering LAN, its max-prefix where fixed, and its first AS-SET as
// as_macro. A policy with onboarding sources must have been resolved.
// The result is validated; now is its timestamp.
func ExportIXF(pol *Policy, now time.Time) (*ixf.Export, error) {
	x := pol.IXFExport
	if x == nil {
		return nil, fmt.Errorf("%w: ixf_export: missing (shortname, ixf_id and the peering LAN are needed)", ErrPolicy)
	}
	if pol.needsPopulate() && (!pol.populated || pol.broken) {
		return nil, errors.New("filtergen: the policy has peeringdb or members_from: Populate must succeed before ExportIXF")
	}
	ixpID := x.IXPID
	if ixpID == 0 {
		ixpID = 1
	}
	vlan := ixf.VLAN{ID: x.VLANID, Name: "peering"}
	if x.IPv4.IsValid() {
		vlan.IPv4 = &ixf.Subnet{Prefix: x.IPv4.Masked().Addr(), MaskLength: x.IPv4.Bits()}
	}
	if x.IPv6.IsValid() {
		vlan.IPv6 = &ixf.Subnet{Prefix: x.IPv6.Masked().Addr(), MaskLength: x.IPv6.Bits()}
	}
	exp := &ixf.Export{
		Version: ixf.Version, Timestamp: now.UTC().Truncate(time.Second),
		IXPList: []ixf.IXP{{IXPID: ixpID, IXFID: x.IXFID, PeeringDBID: x.PeeringDBID, Shortname: x.Shortname,
			Name: x.Name, Country: x.Country, URL: x.URL, SupportEmail: x.SupportEmail, VLAN: []ixf.VLAN{vlan}}},
		MemberList: []ixf.Member{},
	}
	onLAN := func(a netip.Addr) bool {
		if !x.IPv4.IsValid() && !x.IPv6.IsValid() {
			return true
		}
		return x.IPv4.IsValid() && x.IPv4.Contains(a) || x.IPv6.IsValid() && x.IPv6.Contains(a)
	}
	for _, p := range pol.AllPeers() {
		s := p.Settings(pol.Defaults, pol.Routers)
		var v4, v6 []netip.Addr
		for _, a := range p.Neighbors {
			switch {
			case !onLAN(a):
			case a.Is4() && slices.Contains(s.Families, IPv4):
				v4 = append(v4, a)
			case a.Is6() && slices.Contains(s.Families, IPv6):
				v6 = append(v6, a)
			}
		}
		if len(v4)+len(v6) == 0 {
			continue
		}
		macro := ""
		for _, a := range p.Announce {
			if it, err := ParseAnnounce(a); err == nil && it.Kind == KindASSet {
				macro = it.Name
				break
			}
		}
		addr := func(a netip.Addr, fi int) *ixf.Address {
			rs := true
			lim := [2]int{s.MaxPrefix.IPv4, s.MaxPrefix.IPv6}[fi]
			if lim == 0 {
				lim = s.MaxPrefix.Limit
			}
			return &ixf.Address{Address: a, RouteServer: &rs, MaxPrefix: lim, ASMacro: macro}
		}
		var vl []ixf.VLANMember
		for i := 0; i < max(len(v4), len(v6)); i++ {
			vm := ixf.VLANMember{VLANID: x.VLANID}
			if i < len(v4) {
				vm.IPv4 = addr(v4[i], 0)
			}
			if i < len(v6) {
				vm.IPv6 = addr(v6[i], 1)
			}
			vl = append(vl, vm)
		}
		exp.MemberList = append(exp.MemberList, ixf.Member{ASNum: uint32(p.ASN), Name: p.Description, MemberType: "peering",
			ConnectionList: []ixf.Connection{{IXPID: ixpID, State: "active", VLANList: vl}}})
	}
	if err := exp.Validate(); err != nil {
		return nil, err
	}
	return exp, nil
}

// validateOnboarding checks the peeringdb, members_from and ixf_export
// sections.
func (pol *Policy) validateOnboarding(add func(peer, path, format string, args ...any)) {
	if s := pol.PeeringDB; s != nil {
		if s.Snapshot != "" && s.URL != "" {
			add("", "peeringdb", "set snapshot or url, not both")
		}
		if s.APIKeyFile != "" && s.APIKeyEnv != "" {
			add("", "peeringdb", "set api_key_file or api_key_env, not both")
		}
		if s.URL != "" && !strings.HasPrefix(s.URL, "https://") && !strings.HasPrefix(s.URL, "http://") {
			add("", "peeringdb.url", "want an http(s) URL, got %s", strconv.Quote(s.URL))
		}
		if s.APIKeyEnv != "" && !sourceRE.MatchString(s.APIKeyEnv) {
			add("", "peeringdb.api_key_env", "bad environment variable name %s", strconv.Quote(s.APIKeyEnv))
		}
		if h := s.MaxPrefix.Headroom; h != nil && (*h < 0 || *h > 10) {
			add("", "peeringdb.max_prefix.headroom", "want a fraction between 0 and 10, got %v", *h)
		}
		if m := s.MaxPrefix.Minimum; m != nil && *m < 0 {
			add("", "peeringdb.max_prefix.minimum", "want ≥ 0, got %d", *m)
		}
	}
	if m := pol.MembersFrom; m != nil {
		switch {
		case (m.IXF != "") == (m.PeeringDB != nil):
			add("", "members_from", "set exactly one of ixf (a file or URL) and peeringdb: {ix_id: N}")
		case m.PeeringDB != nil && m.PeeringDB.IXID <= 0:
			add("", "members_from.peeringdb.ix_id", "want a positive exchange ID")
		case m.PeeringDB != nil && pol.PeeringDB == nil:
			add("", "members_from.peeringdb", "needs a peeringdb section (snapshot or url)")
		}
		for i, a := range m.Exclude {
			if a == 0 {
				add("", fmt.Sprintf("members_from.exclude[%d]", i), "AS0")
			}
		}
	}
	if x := pol.IXFExport; x != nil {
		if x.IXFID <= 0 {
			add("", "ixf_export.ixf_id", "want the exchange's positive IX-F ID")
		}
		if err := CheckText(x.Shortname, MaxDescription); err != nil || x.Shortname == "" {
			add("", "ixf_export.shortname", "want a short name of letters, digits and . , : / ( ) @ + = _ -")
		}
		if x.IPv4.IsValid() && !x.IPv4.Addr().Is4() || x.IPv6.IsValid() && !x.IPv6.Addr().Is6() {
			add("", "ixf_export", "ipv4 and ipv6 are the peering LAN's prefixes of that family")
		}
		if x.VLANID < 0 || x.VLANID > 4095 {
			add("", "ixf_export.vlan_id", "want 0 to 4095")
		}
	}
}
