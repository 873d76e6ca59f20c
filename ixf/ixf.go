// Package ixf reads and writes IX-F member exports: the JSON an exchange
// publishes about its members (euro-ix json-schemas, version 1.0), which
// route servers such as arouteserver build their client lists from.
//
//	exp, err := ixf.Parse(r, ixf.Limits{})
//	for _, c := range exp.Connections(ixpID) { … c.ASN, c.Addr, c.RouteServer … }
//
//	data, err := exp.Marshal() // validated, deterministic
//
// Parse accepts schema versions 0.6 to 1.0, which share every field read
// here. A document that is not complete JSON, or whose fields have the
// wrong type or an impossible value, is an error naming the field; there
// is no partial result. Package ixf knows nothing of policies.
package ixf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Version is the schema version Marshal writes.
const Version = "1.0"

// An Export is an IX-F member export.
type Export struct {
	Version    string    `json:"version"`
	Timestamp  time.Time `json:"timestamp"`
	IXPList    []IXP     `json:"ixp_list"`
	MemberList []Member  `json:"member_list"`
}

// An IXP describes one exchange (ixp_list[]).
type IXP struct {
	IXPID          int      `json:"ixp_id"`
	IXFID          int      `json:"ixf_id"`
	PeeringDBID    int      `json:"peeringdb_id,omitempty"`
	Shortname      string   `json:"shortname"`
	Name           string   `json:"name,omitempty"`
	Country        string   `json:"country,omitempty"`
	URL            string   `json:"url,omitempty"`
	SupportEmail   string   `json:"support_email,omitempty"`
	SupportPhone   string   `json:"support_phone,omitempty"`
	EmergencyEmail string   `json:"emergency_email,omitempty"`
	VLAN           []VLAN   `json:"vlan,omitempty"`
	Switch         []Switch `json:"switch,omitempty"`
}

// A VLAN is a peering LAN of an exchange.
type VLAN struct {
	ID   int     `json:"id"`
	Name string  `json:"name,omitempty"`
	IPv4 *Subnet `json:"ipv4,omitempty"`
	IPv6 *Subnet `json:"ipv6,omitempty"`
}

// A Subnet is a VLAN's prefix, written as address and mask length.
type Subnet struct {
	Prefix     netip.Addr `json:"prefix"`
	MaskLength int        `json:"mask_length"`
}

// A Switch is a switch of the exchange.
type Switch struct {
	ID      int    `json:"id"`
	Name    string `json:"name,omitempty"`
	Colo    string `json:"colo,omitempty"`
	City    string `json:"city,omitempty"`
	Country string `json:"country,omitempty"`
}

// A Member is one entry of member_list.
type Member struct {
	ASNum          uint32       `json:"asnum"`
	Name           string       `json:"name,omitempty"`
	URL            string       `json:"url,omitempty"`
	MemberType     string       `json:"member_type,omitempty"`
	PeeringPolicy  string       `json:"peering_policy,omitempty"`
	MemberSince    *time.Time   `json:"member_since,omitempty"`
	ContactEmail   []string     `json:"contact_email,omitempty"`
	ContactPhone   []string     `json:"contact_phone,omitempty"`
	ConnectionList []Connection `json:"connection_list"`
}

// A Connection is a member's port(s) at one exchange.
type Connection struct {
	IXPID    int          `json:"ixp_id"`
	State    string       `json:"state,omitempty"`
	IfList   []Interface  `json:"if_list,omitempty"`
	VLANList []VLANMember `json:"vlan_list,omitempty"`
}

// An Interface is a physical port of a connection.
type Interface struct {
	SwitchID int    `json:"switch_id"`
	IfSpeed  int    `json:"if_speed,omitempty"`
	IfType   string `json:"if_type,omitempty"`
}

// A VLANMember is a member's presence on one VLAN.
type VLANMember struct {
	VLANID int      `json:"vlan_id"`
	IPv4   *Address `json:"ipv4,omitempty"`
	IPv6   *Address `json:"ipv6,omitempty"`
}

// An Address is a member's address on a VLAN, with its route-server
// settings.
type Address struct {
	Address      netip.Addr `json:"address"`
	RouteServer  *bool      `json:"routeserver,omitempty"`
	MaxPrefix    int        `json:"max_prefix,omitempty"`
	ASMacro      string     `json:"as_macro,omitempty"`
	MACAddresses []string   `json:"mac_addresses,omitempty"`
}

// Enumerations of schema 1.0.
var (
	MemberTypes    = []string{"peering", "ixp", "routeserver", "probono", "other"}
	PeeringPolicys = []string{"open", "selective", "case-by-case", "mandatory"}
	States         = []string{"active", "inactive", "connected", "operational"}
)

// DefaultMaxBytes is the default limit on an export's size. The largest
// exchanges publish a few megabytes.
const DefaultMaxBytes = 64 << 20

// Limits bound parsing.
type Limits struct {
	// MaxBytes limits the document; 0 means DefaultMaxBytes.
	MaxBytes int64
}

// ErrMalformed is wrapped by every error about a bad export.
var ErrMalformed = errors.New("ixf: malformed member export")

// A FieldError names the field of a bad value, as a JSON path such as
// "member_list[3].connection_list[0].vlan_list[0].ipv4.address".
type FieldError struct {
	Path string
	Err  error
}

func (e *FieldError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

// Parse reads an export and checks it (Validate).
func Parse(r io.Reader, lim Limits) (*Export, error) {
	max := lim.MaxBytes
	if max <= 0 {
		max = DefaultMaxBytes
	}
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrMalformed, max)
	}
	var e Export
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&e); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrMalformed, jsonError(data, err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the JSON document", ErrMalformed)
	}
	if err := e.validate(false); err != nil {
		return nil, err
	}
	return &e, nil
}

// jsonError adds a line number to encoding/json's errors.
func jsonError(data []byte, err error) string {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if off < 0 || off > int64(len(data)) {
		return msg
	}
	return fmt.Sprintf("line %d: %s", bytes.Count(data[:off], []byte("\n"))+1, msg)
}

// Validate checks what the schema requires and what a route server
// relies on: version, timestamp, exchanges, ASNs, addresses of the right
// family inside their VLAN, enumerations. All problems are reported.
func (e *Export) Validate() error { return e.validate(true) }

func (e *Export) validate(strictVersion bool) error {
	var errs []error
	fail := func(path, format string, args ...any) {
		errs = append(errs, &FieldError{Path: path, Err: fmt.Errorf(format, args...)})
	}
	switch {
	case strictVersion && e.Version != Version:
		fail("version", "want %s, got %s", strconv.Quote(Version), strconv.Quote(e.Version))
	case !strictVersion && !slices.Contains([]string{"0.6", "0.7", "0.8", "1.0"}, e.Version):
		fail("version", "unsupported schema version %s (want 0.6 to 1.0)", strconv.Quote(e.Version))
	}
	if e.Timestamp.IsZero() {
		fail("timestamp", "missing")
	}
	if len(e.IXPList) == 0 {
		fail("ixp_list", "no exchange")
	}
	vlans := map[[2]int]*VLAN{}
	ixps := map[int]bool{}
	for i := range e.IXPList {
		x := &e.IXPList[i]
		p := fmt.Sprintf("ixp_list[%d]", i)
		if ixps[x.IXPID] {
			fail(p+".ixp_id", "duplicate ixp_id %d", x.IXPID)
		}
		ixps[x.IXPID] = true
		if x.IXFID <= 0 && strictVersion {
			fail(p+".ixf_id", "missing")
		}
		if x.Shortname == "" {
			fail(p+".shortname", "missing")
		}
		if x.Country != "" && !isCountry(x.Country) {
			fail(p+".country", "want an ISO 3166-1 alpha-2 code, got %s", strconv.Quote(x.Country))
		}
		for j := range x.VLAN {
			v := &x.VLAN[j]
			vp := fmt.Sprintf("%s.vlan[%d]", p, j)
			if _, dup := vlans[[2]int{x.IXPID, v.ID}]; dup {
				fail(vp+".id", "duplicate VLAN %d", v.ID)
			}
			vlans[[2]int{x.IXPID, v.ID}] = v
			for fam, s := range map[int]*Subnet{4: v.IPv4, 6: v.IPv6} {
				if s == nil {
					continue
				}
				if _, err := s.PrefixOf(fam); err != nil {
					fail(fmt.Sprintf("%s.ipv%d", vp, fam), "%v", err)
				}
			}
		}
	}
	for i := range e.MemberList {
		m := &e.MemberList[i]
		p := fmt.Sprintf("member_list[%d]", i)
		if m.ASNum == 0 {
			fail(p+".asnum", "missing or zero")
		}
		if m.MemberType != "" && !slices.Contains(MemberTypes, m.MemberType) {
			fail(p+".member_type", "unknown member type %s", strconv.Quote(m.MemberType))
		}
		if m.PeeringPolicy != "" && !slices.Contains(PeeringPolicys, m.PeeringPolicy) {
			fail(p+".peering_policy", "unknown peering policy %s", strconv.Quote(m.PeeringPolicy))
		}
		if m.ConnectionList == nil {
			fail(p+".connection_list", "missing")
		}
		for j := range m.ConnectionList {
			c := &m.ConnectionList[j]
			cp := fmt.Sprintf("%s.connection_list[%d]", p, j)
			if !ixps[c.IXPID] {
				fail(cp+".ixp_id", "exchange %d is not in ixp_list", c.IXPID)
			}
			if c.State != "" && !slices.Contains(States, c.State) {
				fail(cp+".state", "unknown state %s", strconv.Quote(c.State))
			}
			for k := range c.VLANList {
				vm := &c.VLANList[k]
				vp := fmt.Sprintf("%s.vlan_list[%d]", cp, k)
				v := vlans[[2]int{c.IXPID, vm.VLANID}]
				for fam, a := range map[int]*Address{4: vm.IPv4, 6: vm.IPv6} {
					if a == nil {
						continue
					}
					ap := fmt.Sprintf("%s.ipv%d", vp, fam)
					switch {
					case !a.Address.IsValid():
						fail(ap+".address", "missing")
					case a.Address.Zone() != "" || (fam == 4) != a.Address.Is4():
						fail(ap+".address", "%s is not an IPv%d address", strconv.Quote(a.Address.String()), fam)
					case v != nil:
						s := v.IPv4
						if fam == 6 {
							s = v.IPv6
						}
						if pfx, err := s.PrefixOf(fam); s != nil && err == nil && !pfx.Contains(a.Address) {
							fail(ap+".address", "%s is outside VLAN %d's %s", a.Address, vm.VLANID, pfx)
						}
					}
					if a.MaxPrefix < 0 {
						fail(ap+".max_prefix", "negative")
					}
				}
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrMalformed, errors.Join(errs...))
	}
	return nil
}

// PrefixOf returns s as a prefix of IPv4 (fam 4) or IPv6 (fam 6).
func (s *Subnet) PrefixOf(fam int) (netip.Prefix, error) {
	if s == nil {
		return netip.Prefix{}, errors.New("no subnet")
	}
	if !s.Prefix.IsValid() || (fam == 4) != s.Prefix.Is4() || s.Prefix.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("prefix %s is not an IPv%d address", strconv.Quote(s.Prefix.String()), fam)
	}
	p, err := s.Prefix.Prefix(s.MaskLength)
	if err != nil || s.MaskLength < 0 {
		return netip.Prefix{}, fmt.Errorf("bad mask_length %d", s.MaskLength)
	}
	if p.Addr() != s.Prefix {
		return netip.Prefix{}, fmt.Errorf("%s/%d has host bits set", s.Prefix, s.MaskLength)
	}
	return p, nil
}

func isCountry(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

// A Peering is one member address on one VLAN: a BGP neighbor of the
// exchange's route servers.
type Peering struct {
	ASN  uint32
	Name string
	// Member is the index in MemberList, for messages.
	Member int
	IXPID  int
	VLANID int
	State  string
	Addr   netip.Addr
	// RouteServer is the routeserver flag; nil when the export omits it.
	RouteServer *bool
	MaxPrefix   int
	ASMacro     string
}

// Peerings returns every member address at exchange ixpID (0: every
// exchange), in document order.
func (e *Export) Peerings(ixpID int) []Peering {
	var out []Peering
	for i, m := range e.MemberList {
		for _, c := range m.ConnectionList {
			if ixpID != 0 && c.IXPID != ixpID {
				continue
			}
			for _, v := range c.VLANList {
				for _, a := range []*Address{v.IPv4, v.IPv6} {
					if a == nil {
						continue
					}
					out = append(out, Peering{ASN: m.ASNum, Name: m.Name, Member: i, IXPID: c.IXPID, VLANID: v.VLANID,
						State: c.State, Addr: a.Address, RouteServer: a.RouteServer, MaxPrefix: a.MaxPrefix, ASMacro: a.ASMacro})
				}
			}
		}
	}
	return out
}

// Marshal validates e and writes it as indented JSON, members sorted by
// ASN. The output depends only on e.
func (e *Export) Marshal() ([]byte, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	c := *e
	c.Timestamp = c.Timestamp.UTC().Truncate(time.Second)
	c.MemberList = slices.Clone(e.MemberList)
	slices.SortStableFunc(c.MemberList, func(a, b Member) int {
		switch {
		case a.ASNum < b.ASNum:
			return -1
		case a.ASNum > b.ASNum:
			return 1
		}
		return 0
	})
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&c); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
