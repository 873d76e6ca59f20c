package lab

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/rpki"
	"github.com/filtergen/filtergen/templates"
)

// A Scenario is what one lab run tests: a compiled Result, the VRPs it
// was compiled with, and the router of it under test.
type Scenario struct {
	Name   string
	Result *filtergen.Result
	VRPs   *rpki.Set
	Router filtergen.Router
	// Overrides replace built-in templates (templates.Options.Overrides).
	Overrides fs.FS
}

// Topology is a running lab: the router under test in its namespace,
// one namespace per neighbor with a lab speaker, a sink behind the router
// for anti-spoofing, and the RTR cache.
type Topology struct {
	T      testing.TB
	Lab    *Lab
	Sc     Scenario
	Router Router
	Model  *Model
	Files  []templates.File
	Needs  Needs

	RouterNS  string
	Neighbors []*Neighbor
	// RTRRefresh is the refresh interval the lab configures.
	RTRRefresh time.Duration

	vrpFile string
	sink    *Child
	sinkNS  string
}

// A Neighbor is one neighbor of the policy on the router under test.
type Neighbor struct {
	Peer  *filtergen.PeerResult
	NS    string
	Child *Child
	// Iface is the router-side interface: the policy's interface for a
	// customer that has one Linux accepts, else the shared LAN bridge.
	Iface string
	// IfaceProblem says why a customer's interface could not be used.
	IfaceProblem string
	Sessions     []*Session
}

// A Session is one BGP session between a lab speaker and the router.
type Session struct {
	N      *Neighbor
	ID     string
	Addr   netip.Addr // the neighbor's address (the policy's)
	Router netip.Addr // the router's address on the link
	Family filtergen.Family
	// sent is what the speaker announces now.
	sent map[netip.Prefix]Route
}

func (s *Session) String() string { return s.N.Peer.Name + " " + s.Addr.String() }

const (
	lanBridge = "fglan"
	sinkIface = "fgup"
	udpPort   = 9099
)

// Sink addresses: documentation space, never in any filter.
var (
	sinkNet4    = netip.MustParsePrefix("198.51.100.0/24")
	sinkNet6    = netip.MustParsePrefix("2001:db8:5177::/64")
	sinkAddr4   = netip.MustParseAddr("198.51.100.1")
	sinkAddr6   = netip.MustParseAddr("2001:db8:5177::1")
	sinkRouter4 = netip.MustParseAddr("198.51.100.254")
	sinkRouter6 = netip.MustParseAddr("2001:db8:5177::fe")
)

// stayRTR returns a stayrtr v0.6.0 binary: $FILTERGEN_STAYRTR (make test
// builds bin/stayrtr), else the module's tool dependency.
func stayRTR() (string, error) {
	if p := os.Getenv("FILTERGEN_STAYRTR"); p != "" {
		return p, nil
	}
	out, err := exec.Command("go", "tool", "-n", "stayrtr").Output()
	if err != nil {
		return "", fmt.Errorf("stayrtr v0.6.0 not available: set FILTERGEN_STAYRTR or run make test (%v)", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// validLinuxIface reports whether Linux accepts name for an interface.
func validLinuxIface(name string) error {
	if name == "" || len(name) > 15 || name == "." || name == ".." || strings.ContainsAny(name, "/: \t\n") {
		return fmt.Errorf("interface %q is not a valid Linux interface name (at most 15 characters, no '/', ':' or space): the nftables rules can never match", name)
	}
	return nil
}

// Build renders the scenario, creates the namespaces, starts the RTR
// cache, the router and one speaker per neighbor, and waits until every
// session is established.
func Build(t testing.TB, sc Scenario, r Router) (*Topology, error) {
	t.Helper()
	Require(t, r.Commands()...)
	l := New(t)
	tp := &Topology{T: t, Lab: l, Sc: sc, Router: r, Model: &Model{Result: sc.Result, VRPs: sc.VRPs}, RTRRefresh: 5 * time.Second}
	files, err := templates.Render(sc.Result, sc.Router, templates.Options{Overrides: sc.Overrides})
	if err != nil {
		return nil, err
	}
	tp.Files = files
	var main templates.File
	for _, f := range files {
		if f.Peer == "" && strings.HasSuffix(f.Name, ".conf") {
			main = f
		}
	}
	if tp.Needs, err = r.Needs(main); err != nil {
		return nil, err
	}
	if tp.RouterNS, err = l.Netns("r"); err != nil {
		return nil, err
	}
	rns := tp.RouterNS
	if err := l.IP(rns, "link", "add", lanBridge, "type", "bridge", "forward_delay", "0"); err != nil {
		return nil, err
	}
	if err := l.IP(rns, "link", "set", lanBridge, "up"); err != nil {
		return nil, err
	}
	used := map[netip.Addr]bool{}
	var peers []*filtergen.PeerResult
	for _, p := range sc.Result.Peers {
		if att := attachment(p, sc.Router.Name); att != nil {
			peers = append(peers, p)
			for _, a := range att.Neighbors {
				used[a.Unmap()] = true
			}
		}
	}
	lanAddrs := map[netip.Prefix]netip.Addr{} // LAN subnet -> router address
	var routerBatch []string
	for i, p := range peers {
		att := attachment(p, sc.Router.Name)
		ns, err := l.Netns(fmt.Sprintf("n%d", i+1))
		if err != nil {
			return nil, err
		}
		n := &Neighbor{Peer: p, NS: ns}
		tp.Neighbors = append(tp.Neighbors, n)
		ptp := false
		if p.Customer && att.Interface != "" {
			if err := validLinuxIface(att.Interface); err != nil {
				n.IfaceProblem = err.Error()
			} else {
				ptp = true
			}
		}
		if ptp {
			n.Iface = att.Interface
			if err := l.Veth(rns, n.Iface, ns, "eth0"); err != nil {
				return nil, err
			}
		} else {
			n.Iface = lanBridge
			port := fmt.Sprintf("fgp%d", i+1)
			if err := l.Veth(rns, port, ns, "eth0"); err != nil {
				return nil, err
			}
			routerBatch = append(routerBatch, fmt.Sprintf("link set %s master %s", port, lanBridge))
		}
		var nbatch []string
		for j, a := range att.Neighbors {
			a = a.Unmap()
			var local netip.Addr
			var bits int
			if ptp {
				// A point-to-point link: /31 or /127, the router on the
				// other address.
				bits = a.BitLen() - 1
				local = flipLast(a)
				if used[local] {
					return nil, fmt.Errorf("peer %s: cannot address the link: %s is another neighbor", p.Name, local)
				}
				used[local] = true
				routerBatch = append(routerBatch, fmt.Sprintf("addr add %s/%d dev %s nodad", local, bits, n.Iface))
			} else {
				bits = 24
				if a.Is6() {
					bits = 64
				}
				subnet := netip.PrefixFrom(a, bits).Masked()
				var ok bool
				if local, ok = lanAddrs[subnet]; !ok {
					local = subnet.Addr().Next()
					for used[local] && subnet.Contains(local) {
						local = local.Next()
					}
					used[local] = true
					lanAddrs[subnet] = local
					routerBatch = append(routerBatch, fmt.Sprintf("addr add %s/%d dev %s nodad", local, bits, lanBridge))
				}
			}
			nbatch = append(nbatch, fmt.Sprintf("addr add %s/%d dev eth0 nodad", a, bits))
			if !slices.ContainsFunc(n.Sessions, func(s *Session) bool { return s.Router.Is4() == local.Is4() }) {
				nbatch = append(nbatch, fmt.Sprintf("route add default via %s", local))
			}
			fam := filtergen.IPv4
			if a.Is6() {
				fam = filtergen.IPv6
			}
			n.Sessions = append(n.Sessions, &Session{N: n, ID: fmt.Sprintf("%s-%d", p.Name, j), Addr: a, Router: local,
				Family: fam, sent: map[netip.Prefix]Route{}})
		}
		if err := l.Batch(ns, nbatch); err != nil {
			return nil, err
		}
	}
	// The sink, behind the router, receives the anti-spoofing probes.
	if tp.sinkNS, err = l.Netns("sink"); err != nil {
		return nil, err
	}
	if err := l.Veth(rns, sinkIface, tp.sinkNS, "eth0"); err != nil {
		return nil, err
	}
	routerBatch = append(routerBatch,
		fmt.Sprintf("addr add %s/24 dev %s nodad", sinkRouter4, sinkIface),
		fmt.Sprintf("addr add %s/64 dev %s nodad", sinkRouter6, sinkIface))
	if err := l.Batch(tp.sinkNS, []string{
		fmt.Sprintf("addr add %s/24 dev eth0 nodad", sinkAddr4),
		fmt.Sprintf("addr add %s/64 dev eth0 nodad", sinkAddr6),
		fmt.Sprintf("route add default via %s", sinkRouter4),
		fmt.Sprintf("route add default via %s", sinkRouter6),
	}); err != nil {
		return nil, err
	}
	env := Env{RouterID: sinkRouter4, RTRRefresh: tp.RTRRefresh}
	// The RTR caches: at the addresses the Result names (router-side
	// RPKI rendered by filtergen), else on the router's loopback for the
	// protocol the header asks the operator to add.
	var caches []netip.AddrPort
	if sc.Result.RPKI != nil && sc.VRPs != nil {
		if tp.Needs.RTR {
			env.RTR = netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), 8282)
			caches = append(caches, env.RTR)
		}
		for i, c := range sc.Result.RTR {
			caches = append(caches, netip.AddrPortFrom(c.Address, c.Port))
			if i == 0 && c.Refresh > 0 {
				tp.RTRRefresh = time.Duration(c.Refresh) * time.Second
			}
			if !c.Address.IsLoopback() {
				bits := 32
				if c.Address.Is6() {
					bits = 128
				}
				routerBatch = append(routerBatch, fmt.Sprintf("addr add %s/%d dev lo nodad", c.Address, bits))
			}
		}
	}
	if err := l.Batch(rns, routerBatch); err != nil {
		return nil, err
	}
	for i, c := range caches {
		if err := tp.startRTR(c, i); err != nil {
			return nil, err
		}
	}
	if err := r.Start(l, rns, filepath.Join(l.Dir(), "router"), files, env); err != nil {
		return nil, err
	}
	// Routes are announced only once the router has the VRPs: a route
	// validated against an empty ROA table would pass.
	if len(caches) > 0 {
		if err := tp.waitROAs(tp.vrpCount(), 20*time.Second); err != nil {
			return nil, err
		}
	}
	for _, n := range tp.Neighbors {
		c, err := l.startChild(n.NS, n.Peer.Name)
		if err != nil {
			return nil, err
		}
		n.Child = c
		for _, s := range n.Sessions {
			cfg := sessionConfig{ID: s.ID, Local: s.Addr, Remote: s.Router, ASN: n.Peer.ASN, Family: s.Family,
				RouteID:  netip.AddrFrom4([4]byte{10, 0, byte(len(s.ID)), byte(n.Peer.ASN)}),
				Password: n.Peer.Session.Password.Reveal()}
			if _, err := c.call(request{Op: "session", Session: &cfg}, 5*time.Second); err != nil {
				return nil, err
			}
		}
	}
	if tp.sink, err = l.startChild(tp.sinkNS, "sink"); err != nil {
		return nil, err
	}
	if _, err := tp.sink.call(request{Op: "udp-listen", Port: udpPort}, 5*time.Second); err != nil {
		return nil, err
	}
	return tp, tp.waitEstablished(30 * time.Second)
}

func attachment(p *filtergen.PeerResult, router string) *filtergen.Attachment {
	if a := p.Attachment(router); a != nil {
		return a
	}
	if len(p.Attachments) == 0 && slices.ContainsFunc(p.Routers, func(r string) bool { return strings.EqualFold(r, router) }) {
		return &filtergen.Attachment{Router: router, Neighbors: p.Neighbors, Interface: p.Settings.Interface}
	}
	return nil
}

// flipLast returns a with its last bit flipped: the other end of a /31
// or /127.
func flipLast(a netip.Addr) netip.Addr {
	b := a.AsSlice()
	b[len(b)-1] ^= 1
	x, _ := netip.AddrFromSlice(b)
	return x
}

// Sessions returns every session of every neighbor.
func (tp *Topology) Sessions() []*Session {
	var out []*Session
	for _, n := range tp.Neighbors {
		out = append(out, n.Sessions...)
	}
	return out
}

func (tp *Topology) waitEstablished(d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		st, err := tp.Router.Sessions()
		if err != nil {
			return err
		}
		var down []string
		for _, s := range tp.Sessions() {
			if x, ok := st[s.Addr]; !ok || !x.Established {
				down = append(down, fmt.Sprintf("%s (router: %s %s)", s, x.Name, x.Info))
			}
		}
		if len(down) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("sessions not established within %s: %s\n%s", d, strings.Join(down, "; "), tp.routerLog())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (tp *Topology) routerLog() string {
	log := tp.Router.Log()
	if len(log) > 4000 {
		log = "…" + log[len(log)-4000:]
	}
	return "router log (end):\n" + log
}

// waitROAs waits until the router holds n ROAs from the lab's cache.
func (tp *Topology) waitROAs(n int, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		got, err := tp.Router.ROAs()
		if err != nil {
			return err
		}
		if got >= n {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("router holds %d of the %d ROAs the RTR cache serves after %s\n%s", got, n, d, tp.routerLog())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (tp *Topology) vrpCount() int {
	n := len(tp.Model.Extra)
	if tp.Model.VRPs != nil {
		n += tp.Model.VRPs.Len()
	}
	return n
}

// startRTR runs stayrtr in the router's namespace serving the model's
// VRPs at addr.
func (tp *Topology) startRTR(addr netip.AddrPort, i int) error {
	bin, err := stayRTR()
	if err != nil {
		return err
	}
	if tp.vrpFile == "" {
		tp.vrpFile = filepath.Join(tp.Lab.Dir(), "vrps.json")
		if err := tp.writeVRPs(); err != nil {
			return err
		}
	}
	logf, err := os.Create(filepath.Join(tp.Lab.Dir(), fmt.Sprintf("stayrtr%d.log", i)))
	if err != nil {
		return err
	}
	tp.Lab.addCleanup(func() { logf.Close() })
	if _, err := tp.Lab.Start(tp.RouterNS, tp.Lab.Dir(), logf, bin, "-bind", addr.String(),
		"-metrics.addr", fmt.Sprintf("127.0.0.1:%d", 9847+i), "-cache", tp.vrpFile, "-refresh", "1", "-checktime=false",
		"-rtr.refresh", fmt.Sprint(int(tp.RTRRefresh/time.Second)), "-rtr.retry", "2", "-rtr.expire", "600"); err != nil {
		return err
	}
	// stayrtr logs "started" before it binds: wait until it listens.
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, _ := tp.Lab.Exec(tp.RouterNS, "ss", "-Hltn", "sport", "= :"+fmt.Sprint(addr.Port()))
		if len(strings.TrimSpace(string(out))) > 0 {
			return nil
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logf.Name())
			return fmt.Errorf("stayrtr did not listen on %s within 10s:\n%s", addr, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// writeVRPs writes the model's VRPs (and extra ones) for stayrtr,
// atomically.
func (tp *Topology) writeVRPs() error {
	type roa struct {
		ASN       uint32 `json:"asn"`
		Prefix    string `json:"prefix"`
		MaxLength uint8  `json:"maxLength"`
		TA        string `json:"ta"`
	}
	var roas []roa
	add := func(v rpki.VRP) {
		roas = append(roas, roa{v.ASN, v.Prefix.String(), v.MaxLen, "lab"})
	}
	if tp.Model.VRPs != nil {
		for v := range tp.Model.VRPs.VRPs() {
			add(v)
		}
	}
	for _, v := range tp.Model.Extra {
		add(v)
	}
	if roas == nil {
		roas = []roa{}
	}
	b, err := json.Marshal(map[string]any{
		"metadata": map[string]any{"buildtime": time.Now().UTC().Format(time.RFC3339)},
		"roas":     roas,
	})
	if err != nil {
		return err
	}
	tmp := tp.vrpFile + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, tp.vrpFile)
}

// errSkip marks a check that cannot run for a reason worth reporting.
var errSkip = errors.New("skipped")
