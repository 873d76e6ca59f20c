package peeringdb

import (
	"net/netip"
	"time"
)

// Net is a PeeringDB network (object "net"): one AS.
type Net struct {
	ID                       int       `json:"id"`
	OrgID                    int       `json:"org_id"`
	Name                     string    `json:"name"`
	AKA                      string    `json:"aka"`
	NameLong                 string    `json:"name_long"`
	Website                  string    `json:"website"`
	ASN                      uint32    `json:"asn"`
	LookingGlass             string    `json:"looking_glass"`
	RouteServer              string    `json:"route_server"`
	IRRASSet                 string    `json:"irr_as_set"`
	InfoType                 string    `json:"info_type"`
	InfoPrefixes4            *int      `json:"info_prefixes4"`
	InfoPrefixes6            *int      `json:"info_prefixes6"`
	InfoTraffic              string    `json:"info_traffic"`
	InfoRatio                string    `json:"info_ratio"`
	InfoScope                string    `json:"info_scope"`
	InfoUnicast              bool      `json:"info_unicast"`
	InfoMulticast            bool      `json:"info_multicast"`
	InfoIPv6                 bool      `json:"info_ipv6"`
	InfoNeverViaRouteServers bool      `json:"info_never_via_route_servers"`
	Notes                    string    `json:"notes"`
	PolicyURL                string    `json:"policy_url"`
	PolicyGeneral            string    `json:"policy_general"`
	PolicyLocations          string    `json:"policy_locations"`
	PolicyRatio              bool      `json:"policy_ratio"`
	PolicyContracts          string    `json:"policy_contracts"`
	AllowIXPUpdate           bool      `json:"allow_ixp_update"`
	Created                  time.Time `json:"created"`
	Updated                  time.Time `json:"updated"`
	Status                   string    `json:"status"`
}

// IX is a PeeringDB exchange (object "ix").
type IX struct {
	ID              int       `json:"id"`
	OrgID           int       `json:"org_id"`
	Name            string    `json:"name"`
	AKA             string    `json:"aka"`
	NameLong        string    `json:"name_long"`
	City            string    `json:"city"`
	Country         string    `json:"country"`
	RegionContinent string    `json:"region_continent"`
	Media           string    `json:"media"`
	Notes           string    `json:"notes"`
	ProtoUnicast    bool      `json:"proto_unicast"`
	ProtoMulticast  bool      `json:"proto_multicast"`
	ProtoIPv6       bool      `json:"proto_ipv6"`
	Website         string    `json:"website"`
	URLStats        string    `json:"url_stats"`
	TechEmail       string    `json:"tech_email"`
	TechPhone       string    `json:"tech_phone"`
	PolicyEmail     string    `json:"policy_email"`
	PolicyPhone     string    `json:"policy_phone"`
	Created         time.Time `json:"created"`
	Updated         time.Time `json:"updated"`
	Status          string    `json:"status"`
}

// IXLan is a peering LAN of an exchange (object "ixlan").
type IXLan struct {
	ID                         int       `json:"id"`
	IXID                       int       `json:"ix_id"`
	Name                       string    `json:"name"`
	Descr                      string    `json:"descr"`
	MTU                        *int      `json:"mtu"`
	Dot1QSupport               bool      `json:"dot1q_support"`
	RSASN                      *uint32   `json:"rs_asn"`
	ARPSponge                  *string   `json:"arp_sponge"`
	IXFIXPMemberListURLVisible string    `json:"ixf_ixp_member_list_url_visible"`
	IXFIXPImportEnabled        bool      `json:"ixf_ixp_import_enabled"`
	Created                    time.Time `json:"created"`
	Updated                    time.Time `json:"updated"`
	Status                     string    `json:"status"`
}

// IXPfx is a prefix of a peering LAN (object "ixpfx").
type IXPfx struct {
	ID       int          `json:"id"`
	IXLanID  int          `json:"ixlan_id"`
	Protocol string       `json:"protocol"` // "IPv4" or "IPv6"
	Prefix   netip.Prefix `json:"prefix"`
	InDFZ    bool         `json:"in_dfz"`
	Created  time.Time    `json:"created"`
	Updated  time.Time    `json:"updated"`
	Status   string       `json:"status"`
}

// NetIXLan is one network's connection to a peering LAN (object
// "netixlan"). IPAddr4 and IPAddr6 are the zero Addr when PeeringDB has
// null.
type NetIXLan struct {
	ID          int        `json:"id"`
	NetID       int        `json:"net_id"`
	IXID        int        `json:"ix_id"`
	IXLanID     int        `json:"ixlan_id"`
	Name        string     `json:"name"`
	Notes       string     `json:"notes"`
	Speed       int        `json:"speed"`
	ASN         uint32     `json:"asn"`
	IPAddr4     netip.Addr `json:"ipaddr4"`
	IPAddr6     netip.Addr `json:"ipaddr6"`
	IsRSPeer    bool       `json:"is_rs_peer"`
	BFDSupport  bool       `json:"bfd_support"`
	Operational bool       `json:"operational"`
	NetSideID   *int       `json:"net_side_id"`
	IXSideID    *int       `json:"ix_side_id"`
	Created     time.Time  `json:"created"`
	Updated     time.Time  `json:"updated"`
	Status      string     `json:"status"`
}

// Prefixes returns n's advertised prefix count for IPv4 (v6 false) or
// IPv6; 0 when PeeringDB has none.
func (n *Net) Prefixes(v6 bool) int {
	p := n.InfoPrefixes4
	if v6 {
		p = n.InfoPrefixes6
	}
	if p == nil || *p < 0 {
		return 0
	}
	return *p
}
