package lab

import (
	"fmt"

	"github.com/filtergen/filtergen/filtergen"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

type probe struct {
	n       *Neighbor
	family  filtergen.Family
	class   string
	src     netip.Addr
	forward bool
	why     string
}

// CheckAntiSpoofing loads the rendered nftables file into the router's
// namespace and sends UDP probes from each customer's namespace to the
// sink behind the router, from sources inside and outside the
// customer's permitted space. A probe must reach the sink exactly when
// the Result says: its source is in the family's ACL (when the customer
// has an ingress ACL) and passes the family's uRPF mode against the
// router's FIB (strict: the route back is via the customer interface;
// loose: a route exists). The lab installs the customer's permitted
// prefixes as routes via its link, except one it routes via the sink and
// one it leaves without a route, so that strict and loose differ.
func (tp *Topology) CheckAntiSpoofing() (*Report, error) {
	rep := &Report{Check: "anti-spoofing"}
	var nft *os.File
	for _, f := range tp.Files {
		if strings.HasSuffix(f.Name, ".nft") {
			p := filepath.Join(tp.Lab.Dir(), f.Name)
			if err := os.WriteFile(p, f.Data, 0o644); err != nil {
				return rep, err
			}
			if _, err := tp.Lab.Exec(tp.RouterNS, "nft", "-f", p); err != nil {
				return rep, fmt.Errorf("loading the rendered %s: %w", f.Name, err)
			}
			nft = &os.File{}
		}
	}
	var probes []probe
	for _, n := range tp.Neighbors {
		if !n.Peer.Customer {
			continue
		}
		if nft == nil {
			rep.Cases++
			rep.add(Mismatch{Neighbor: n.Peer.Name, Case: "rules", Expected: "an nftables file for the customer", Got: "none rendered"})
			continue
		}
		if n.IfaceProblem != "" {
			rep.Cases++
			rep.add(Mismatch{Neighbor: n.Peer.Name, Case: "interface", Expected: "rules on the customer's interface", Got: n.IfaceProblem})
			continue
		}
		if attachment(n.Peer, tp.Sc.Router.Name).Interface == "" {
			rep.note("%s: no interface in the policy, no anti-spoofing to test", n.Peer.Name)
			continue
		}
		ps, err := tp.customerProbes(n, rep)
		if err != nil {
			return rep, err
		}
		probes = append(probes, ps...)
	}
	if len(probes) == 0 {
		return rep, nil
	}
	tp.sink.call(request{Op: "udp-seen"}, 5*time.Second) // forget earlier probes
	byNeighbor := map[*Neighbor][]Packet{}
	for i, p := range probes {
		dst := sinkAddr4
		if p.src.Is6() {
			dst = sinkAddr6
		}
		byNeighbor[p.n] = append(byNeighbor[p.n], Packet{Src: p.src, Dst: dst, Tag: fmt.Sprint(i)})
	}
	for n, pk := range byNeighbor {
		if _, err := n.Child.call(request{Op: "udp-send", Packets: pk, Port: udpPort}, 10*time.Second); err != nil {
			return rep, err
		}
	}
	want := 0
	for _, p := range probes {
		if p.forward {
			want++
		}
	}
	seen := map[string]bool{}
	deadline := time.Now().Add(3 * time.Second)
	for {
		r, err := tp.sink.call(request{Op: "udp-seen"}, 5*time.Second)
		if err != nil {
			return rep, err
		}
		for _, tag := range r.Tags {
			seen[tag] = true
		}
		if len(seen) >= want || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	// A short grace period for packets that should not arrive at all.
	time.Sleep(300 * time.Millisecond)
	if r, err := tp.sink.call(request{Op: "udp-seen"}, 5*time.Second); err == nil {
		for _, tag := range r.Tags {
			seen[tag] = true
		}
	}
	for i, p := range probes {
		rep.Cases++
		got := seen[fmt.Sprint(i)]
		if got == p.forward {
			continue
		}
		m := Mismatch{Neighbor: p.n.Peer.Name + " " + p.n.Iface, Case: p.family.String() + " " + p.class, Prefix: p.src.String()}
		if p.forward {
			m.Expected, m.Got = "forwarded ("+p.why+")", "dropped"
		} else {
			m.Expected, m.Got = "dropped ("+p.why+")", "forwarded"
		}
		rep.add(m)
	}
	return rep, nil
}

// antiSpoofing returns what the Result says for the customer on the
// router under test: the attachment's anti-spoofing, else the peer's,
// else (a Result from before the session model) the families' ACL and
// uRPF.
func (tp *Topology) antiSpoofing(n *Neighbor) []filtergen.AntiSpoof {
	if a := n.Peer.Attachment(tp.Sc.Router.Name); a != nil && len(a.AntiSpoofing) > 0 {
		return a.AntiSpoofing
	}
	if len(n.Peer.AntiSpoofing) > 0 {
		return n.Peer.AntiSpoofing
	}
	var out []filtergen.AntiSpoof
	for _, fr := range n.Peer.Families {
		out = append(out, filtergen.AntiSpoof{Family: fr.Family, URPF: fr.URPF, IngressACL: n.Peer.Settings.IngressACL, ACL: fr.ACL})
	}
	return out
}

// customerProbes installs the customer's routes in the router's FIB and
// returns the probes for it, with their expected fate.
func (tp *Topology) customerProbes(n *Neighbor, rep *Report) ([]probe, error) {
	var probes []probe
	var batch []string
	type plan struct {
		family  filtergen.Family
		class   string
		src     netip.Addr
		fr      string // URPF mode
		acl     []netip.Prefix
		hasACL  bool
		denyAll bool
	}
	var plans []plan
	for _, fr := range tp.antiSpoofing(n) {
		var sess *Session
		for _, s := range n.Sessions {
			if s.Family == fr.Family {
				sess = s
			}
		}
		if sess == nil {
			rep.note("%s: no %s session on the link, no %s probe (the Result says: uRPF %s, ACL %v, deny all %v)",
				n.Peer.Name, fr.Family, fr.Family, fr.URPF, fr.IngressACL, fr.DenyAll)
			continue
		}
		var routable []netip.Prefix
		for _, p := range fr.ACL {
			if p.Addr().IsLinkLocalUnicast() || p.Contains(sess.Addr) || p.Contains(sess.Router) {
				continue
			}
			routable = append(routable, p)
		}
		var elsewhere, unrouted netip.Prefix
		if len(routable) >= 3 {
			elsewhere, unrouted = routable[len(routable)-1], routable[len(routable)-2]
			routable = routable[:len(routable)-2]
		}
		sinkGW := sinkAddr4
		if fr.Family == filtergen.IPv6 {
			sinkGW = sinkAddr6
		}
		for _, p := range routable {
			batch = append(batch, fmt.Sprintf("route replace %s via %s dev %s", p, sess.Addr, n.Iface))
		}
		if elsewhere.IsValid() {
			batch = append(batch, fmt.Sprintf("route replace %s via %s dev %s", elsewhere, sinkGW, sinkIface))
		}
		add := func(class string, a netip.Addr) {
			plans = append(plans, plan{family: fr.Family, class: class, src: a, fr: fr.URPF, acl: fr.ACL,
				hasACL: fr.IngressACL, denyAll: fr.DenyAll})
		}
		for i, p := range routable {
			if i >= 3 {
				break
			}
			add("in-acl", hostIn(p))
		}
		add("neighbor-address", sess.Addr)
		if elsewhere.IsValid() {
			add("in-acl-routed-elsewhere", hostIn(elsewhere))
			add("in-acl-unrouted", hostIn(unrouted))
		}
		outside := netip.MustParseAddr("198.51.100.77")
		if fr.Family == filtergen.IPv6 {
			outside = netip.MustParseAddr("2001:db8:5177::77")
		}
		add("outside-routed-elsewhere", outside)
		if u, ok := unregistered(fr.Family, n.Peer.Family(fr.Family), nil); ok {
			add("outside-unrouted", hostIn(u))
		}
	}
	if err := tp.Lab.Batch(tp.RouterNS, batch); err != nil {
		return nil, err
	}
	for _, pl := range plans {
		inACL := slices.ContainsFunc(pl.acl, func(p netip.Prefix) bool { return p.Contains(pl.src) })
		out, _ := tp.Lab.Exec(tp.RouterNS, "ip", "route", "get", pl.src.String())
		dev := ""
		if f := strings.Fields(string(out)); slices.Contains(f, "dev") && !strings.HasPrefix(string(out), "unreachable") {
			dev = f[slices.Index(f, "dev")+1]
		}
		pr := probe{n: n, family: pl.family, class: pl.class, src: pl.src, forward: true}
		switch {
		case pl.denyAll:
			pr.forward, pr.why = false, "the family is denied outright"
		case pl.hasACL && !inACL:
			pr.forward, pr.why = false, "source outside the ACL"
		case pl.fr == "strict" && dev != n.Iface:
			pr.forward, pr.why = false, "strict uRPF: route back via "+orNone(dev)
		case pl.fr == "loose" && dev == "":
			pr.forward, pr.why = false, "loose uRPF: no route back"
		default:
			pr.why = fmt.Sprintf("ACL %v, uRPF %s, route back via %s", inACL, pl.fr, orNone(dev))
		}
		probes = append(probes, pr)
	}
	return probes, nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// hostIn returns an address inside p that is not its first.
func hostIn(p netip.Prefix) netip.Addr {
	if p.Bits() == p.Addr().BitLen() {
		return p.Addr()
	}
	return p.Masked().Addr().Next()
}
