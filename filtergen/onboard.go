package filtergen

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/filtergen/filtergen/internal/asn"
	"github.com/filtergen/filtergen/peeringdb"
)

// OnboardOptions are the inputs of Onboard.
type OnboardOptions struct {
	PopulateOptions
	// Role is the new peer's role; empty means the role every listed
	// peer has, if they agree (a route server's rs-client), else none
	// (the default, peer).
	Role Role
	// IXID is the PeeringDB exchange whose netixlan gives the neighbor
	// addresses; 0 means the policy's members_from.peeringdb.ix_id, if
	// any.
	IXID int
	// Compile holds the IRR and RPKI data the proposed entry is compiled
	// with, so that a human sees what it would accept.
	Compile CompileOptions
}

// An Onboarding is the policy entry proposed for a new member, with what
// PeeringDB and the IRR say about it, for a human to review.
type Onboarding struct {
	// Peer is the entry to add to the policy's peers.
	Peer Peer
	// Net is the member's PeeringDB record; nil when PeeringDB has none.
	Net *peeringdb.Net
	// Connections are its netixlan rows at the exchange, if one was named.
	Connections []peeringdb.NetIXLan
	// Result is the compiled entry; nil when CompileErr is set.
	Result     *PeerResult
	CompileErr error
	// RPKI counts accepted prefixes per family ([0] IPv4) and state.
	RPKI [2]map[RPKIState]int
	// Warnings are the fallbacks taken and what a reviewer should know.
	Warnings []string
}

// Onboard proposes the policy entry for a new member asn from PeeringDB
// (announce, max-prefix, description, and with an exchange the neighbor
// addresses) and compiles it with the policy's IRR and RPKI data. pol
// must have a peeringdb section and no peer with that ASN. A compile
// failure (such as an AS-SET with no routes) is reported in the
// Onboarding, not as an error: it is what the reviewer must see.
func Onboard(ctx context.Context, pol *Policy, member uint32, opts OnboardOptions) (*Onboarding, error) {
	if pol.PeeringDB == nil && opts.Source == nil {
		return nil, fmt.Errorf("%w: onboarding needs a peeringdb section (snapshot or url)", ErrPolicy)
	}
	if member == 0 {
		return nil, errors.New("filtergen: onboard AS0")
	}
	for _, p := range pol.AllPeers() {
		if uint32(p.ASN) == member {
			return nil, fmt.Errorf("filtergen: %s is already in the policy as peer %s", asn.Format(member), strconv.Quote(p.Name))
		}
	}
	r := &resolver{pol: pol, opts: opts.PopulateOptions, warn: map[string][]string{}}
	src, err := r.source()
	if err != nil {
		return nil, err
	}
	r.src = src
	name := "AS" + strconv.FormatUint(uint64(member), 10)
	role := opts.Role
	if role == "" {
		for i, p := range pol.Peers {
			if i == 0 {
				role = p.Role
			} else if p.Role != role {
				role = ""
				break
			}
		}
		if pol.MembersFrom != nil && len(pol.Peers) == 0 {
			role = RoleRSClient
		}
	}
	o := &Onboarding{Peer: Peer{Name: name, ASN: ASN(member), Role: role}}
	ixID := opts.IXID
	if ixID == 0 && pol.MembersFrom != nil && pol.MembersFrom.PeeringDB != nil {
		ixID = pol.MembersFrom.PeeringDB.IXID
	}
	if ixID != 0 {
		ix, err := src.IX(ctx, ixID)
		if err != nil {
			return nil, err
		}
		rows, err := src.NetIXLans(ctx, ixID)
		if err != nil {
			return nil, err
		}
		for _, row := range rows {
			if row.ASN != member {
				continue
			}
			o.Connections = append(o.Connections, row)
			if !row.IsRSPeer {
				r.warnf(name, "connection %d (%s) has is_rs_peer false: its addresses are left out", row.ID, addrs(row))
				continue
			}
			for _, a := range []netip.Addr{row.IPAddr4, row.IPAddr6} {
				if a.IsValid() && inLAN(ix, a.Unmap()) && !slices.Contains(o.Peer.Neighbors, a.Unmap()) {
					o.Peer.Neighbors = append(o.Peer.Neighbors, a.Unmap())
				}
			}
		}
		if len(o.Connections) == 0 {
			r.warnf(name, "%s has no connection to %s (ix %d) in PeeringDB: add neighbors by hand", asn.Format(member), ix.IX.Name, ixID)
		}
	}
	nets, netErr := src.Nets(ctx, []uint32{member})
	if netErr != nil {
		return nil, netErr
	}
	if n, ok := nets[member]; ok {
		o.Net = &n
		if n.InfoNeverViaRouteServers {
			r.warnf(name, "info_never_via_route_servers is set: the member asks not to be peered with through route servers")
		}
	}
	if err := r.fill(&o.Peer, nil, nets, nil); err != nil {
		return nil, err
	}
	o.Warnings = append(o.Warnings, r.warn[name]...)
	o.Warnings = append(o.Warnings, r.warn[""]...)

	// Compile the entry alone, with the policy's data and defaults.
	cp := *pol
	cp.Peers, cp.Customers = []Peer{o.Peer}, nil
	cp.PeeringDB, cp.MembersFrom, cp.IXFExport = nil, nil, nil
	cp.populated, cp.broken, cp.peerWarnings, cp.pos = false, false, nil, nil
	if err := cp.Validate(); err != nil {
		return nil, fmt.Errorf("the proposed entry is invalid: %w", err)
	}
	co := opts.Compile
	co.Peers, co.KeepGoing, co.Progress = nil, false, nil
	res, err := Compile(ctx, &cp, co)
	if err != nil {
		o.CompileErr = err
		return o, nil
	}
	o.Result = res.Peers[0]
	for _, f := range o.Result.Families {
		fi := 0
		if f.Family == IPv6 {
			fi = 1
		}
		o.RPKI[fi] = map[RPKIState]int{}
		for _, a := range f.Accepted {
			o.RPKI[fi][a.RPKI]++
		}
		for _, d := range f.Dropped {
			if d.Reason == DropRPKIInvalid {
				o.RPKI[fi][RPKIInvalid]++
			}
		}
	}
	return o, nil
}

// YAML returns the entry as a block-sequence item indented by indent
// spaces, every string quoted. It is what --write appends.
func (p *Peer) YAML(indent int) string {
	pad := strings.Repeat(" ", indent)
	var b strings.Builder
	fmt.Fprintf(&b, "%s- name: %s\n", pad, p.Name)
	pad += "  "
	fmt.Fprintf(&b, "%sasn: %d\n", pad, p.ASN)
	if p.Role != "" {
		fmt.Fprintf(&b, "%srole: %s\n", pad, p.Role)
	}
	if p.Description != "" {
		fmt.Fprintf(&b, "%sdescription: %s\n", pad, strconv.Quote(p.Description))
	}
	list := func(key string, items []string) {
		q := make([]string, len(items))
		for i, s := range items {
			q[i] = strconv.Quote(s)
		}
		fmt.Fprintf(&b, "%s%s: [%s]\n", pad, key, strings.Join(q, ", "))
	}
	list("announce", p.Announce)
	if len(p.Neighbors) > 0 {
		n := make([]string, len(p.Neighbors))
		for i, a := range p.Neighbors {
			n[i] = a.String()
		}
		list("neighbors", n)
	}
	if m := p.MaxPrefix; m != nil {
		var f []string
		for _, kv := range []struct {
			k string
			v int
		}{{"limit", m.Limit}, {"ipv4", m.IPv4}, {"ipv6", m.IPv6}, {"minimum", m.Minimum}} {
			if kv.v != 0 {
				f = append(f, fmt.Sprintf("%s: %d", kv.k, kv.v))
			}
		}
		if m.Headroom != 0 {
			f = append(f, "headroom: "+strconv.FormatFloat(m.Headroom, 'f', -1, 64))
		}
		fmt.Fprintf(&b, "%smax_prefix: {%s}\n", pad, strings.Join(f, ", "))
	}
	return b.String()
}

// AppendPeer returns the policy text data with p appended to its peers,
// leaving every other byte (comments, formatting) as it was. The peers
// list must be a block sequence or absent. The result is parsed back and
// must hold p unchanged, or AppendPeer fails.
func AppendPeer(name string, data []byte, p *Peer) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 ||
		doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: not a YAML mapping", name)
	}
	root := doc.Content[0]
	lines := strings.SplitAfter(string(data), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if n := len(lines); n > 0 && !strings.HasSuffix(lines[n-1], "\n") {
		lines[n-1] += "\n"
	}
	var out string
	found := false
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Value != "peers" {
			continue
		}
		found = true
		if k.Column != 1 {
			return nil, fmt.Errorf("%s:%d: peers is not a top-level key at column 1", name, k.Line)
		}
		if v.Kind != yaml.SequenceNode || v.Style&yaml.FlowStyle != 0 || len(v.Content) == 0 {
			return nil, fmt.Errorf("%s:%d: peers is not a block list (\"- name: …\" items): add the entry by hand", name, k.Line)
		}
		// The block ends before the next line that starts a top-level
		// key; top-level comments just before that key stay with it.
		end := len(lines)
		for j := k.Line; j < len(lines); j++ {
			l := lines[j]
			if len(l) > 0 && l[0] != ' ' && l[0] != '\t' && l[0] != '#' && l[0] != '\n' && l[0] != '\r' {
				end = j
				break
			}
		}
		for end > k.Line {
			t := strings.TrimSpace(lines[end-1])
			if t == "" || strings.HasPrefix(lines[end-1], "#") {
				end--
				continue
			}
			break
		}
		entry := p.YAML(v.Content[0].Column - 3)
		if v.Content[0].Column < 3 {
			return nil, fmt.Errorf("%s:%d: cannot tell the indentation of peers", name, k.Line)
		}
		out = strings.Join(lines[:end], "") + entry + strings.Join(lines[end:], "")
	}
	if !found {
		out = strings.Join(lines, "") + "peers:\n" + p.YAML(2)
	}
	// Parse back: the file must still be a policy and hold p unchanged.
	got, err := ParsePolicy(name, []byte(out))
	if err != nil {
		return nil, fmt.Errorf("%s: appending %s would break the policy: %w", name, p.Name, err)
	}
	i := slices.IndexFunc(got.Peers, func(q Peer) bool { return q.Name == p.Name })
	if i < 0 {
		return nil, fmt.Errorf("%s: appended entry %s not found when read back", name, p.Name)
	}
	q := got.Peers[i]
	if q.ASN != p.ASN || q.Role != p.Role || q.Description != p.Description || !slices.Equal(q.Announce, p.Announce) ||
		!slices.Equal(q.Neighbors, p.Neighbors) || (q.MaxPrefix == nil) != (p.MaxPrefix == nil) ||
		q.MaxPrefix != nil && *q.MaxPrefix != *p.MaxPrefix {
		return nil, fmt.Errorf("%s: appended entry %s reads back differently", name, p.Name)
	}
	return []byte(out), nil
}

func addrs(row peeringdb.NetIXLan) string {
	var s []string
	for _, a := range []netip.Addr{row.IPAddr4, row.IPAddr6} {
		if a.IsValid() {
			s = append(s, a.String())
		}
	}
	return strings.Join(s, " ")
}
