package lab

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/templates"
)

func init() { Register("frr", func() Router { return &FRR{} }) }

// FRR daemons and their modules, as Debian installs them.
const (
	frrZebra = "/usr/lib/frr/zebra"
	frrBGPd  = "/usr/lib/frr/bgpd"
	frrBFDd  = "/usr/lib/frr/bfdd"
	frrRun   = "/var/run/frr"
)

// FRR is the Router adapter for FRR 8 (zebra and bgpd, and bfdd when the
// header asks for it). The daemons run in the router's namespace under
// their own pathspace ("-N", the namespace's name), so that vtysh -N
// reaches them and several labs can run at once, and as the frr user,
// as a packaged FRR does.
//
// frr.conf is what the main file's header tells the operator to load:
// the main file, then every ROUTER.d/*.conf in name order, unchanged;
// when the header leaves the router id to the operator, the lab adds
// "bgp router-id" under "router bgp" after them. FRR counts UPDATE
// messages per session rather than routes, so its SessionState counts
// messages (ReceivedMessages) and the barrier compares them with the
// UPDATE messages each speaker wrote.
type FRR struct {
	name string // the FRR pathspace (-N)
	dir  string // config and logs, readable by the frr user
	logs []string
}

// Platform implements Router.
func (*FRR) Platform() string { return "frr" }

// Commands implements Router.
func (*FRR) Commands() []string { return []string{"vtysh", frrZebra, frrBGPd} }

// frrNeeds is what an FRR header asks for beyond Needs.
type frrNeeds struct {
	Needs
	rpkiModule bool
}

// Needs reads the "! filtergen-operator: KEY" lines at the top of the
// main file: router-id (the lab adds "bgp router-id"), bfd (the lab runs
// bfdd) and rpki-module (bgpd runs with "-M rpki"). An unknown key is an
// error, so that the lab learns every new one.
func (f *FRR) Needs(main templates.File) (Needs, error) {
	n, err := f.needs(main)
	return n.Needs, err
}

func (*FRR) needs(main templates.File) (frrNeeds, error) {
	var n frrNeeds
	ops, _, err := operatorLines(main, "!")
	if err != nil {
		return n, err
	}
	for _, op := range ops {
		n.Lines = append(n.Lines, op.Line)
		switch op.Key {
		case "router-id":
			n.RouterID = true
		case "bfd":
			n.BFD = true
		case "rpki-module":
			n.rpkiModule = true
		default:
			return n, unknownNeed(main, op)
		}
	}
	return n, nil
}

var frrRouterBGP = regexp.MustCompile(`(?m)^router bgp (\d+)\s*$`)

// frrConfig concatenates the rendered files as the main file's header
// says (the main file, then ROUTER.d/*.conf in name order) and returns
// it with the main file.
func frrConfig(files []templates.File) (string, templates.File, error) {
	var main templates.File
	var peers []templates.File
	for _, f := range files {
		switch {
		case f.Peer == "" && strings.HasSuffix(f.Name, ".conf") && !strings.Contains(f.Name, "/"):
			main = f
		case strings.HasSuffix(f.Name, ".conf") && strings.Contains(f.Name, ".d/"):
			peers = append(peers, f)
		}
	}
	if main.Name == "" {
		return "", main, fmt.Errorf("frr: no main .conf file among the %d rendered files", len(files))
	}
	slices.SortFunc(peers, func(a, b templates.File) int { return strings.Compare(a.Name, b.Name) })
	var b strings.Builder
	b.Write(main.Data)
	for _, p := range peers {
		if !strings.HasPrefix(p.Name, strings.TrimSuffix(main.Name, ".conf")+".d/") {
			return "", main, fmt.Errorf("frr: %s is not in %s's directory", p.Name, main.Name)
		}
		b.Write(p.Data)
	}
	return b.String(), main, nil
}

// Start implements Router.
func (f *FRR) Start(l *Lab, ns, dir string, files []templates.File, env Env) error {
	conf, main, err := frrConfig(files)
	if err != nil {
		return err
	}
	needs, err := f.needs(main)
	if err != nil {
		return err
	}
	if needs.RouterID {
		m := frrRouterBGP.FindStringSubmatch(conf)
		if m == nil {
			return fmt.Errorf("%s: the header asks for a router id but the file has no \"router bgp\"", main.Name)
		}
		conf += fmt.Sprintf("! Added by the filtergen interop lab, as the header asks.\nrouter bgp %s\n bgp router-id %s\nexit\n", m[1], env.RouterID)
	}
	frrUser, err := user.Lookup("frr")
	if err != nil {
		return fmt.Errorf("frr: the frr user the daemons run as: %w", err)
	}
	uid, _ := strconv.Atoi(frrUser.Uid)
	gid, _ := strconv.Atoi(frrUser.Gid)
	// The daemons drop privileges to frr: their files go into a
	// directory of their own in os.TempDir (the lab's is private), and
	// their pathspace under /var/run/frr.
	f.name = filepath.Base(ns)
	if f.dir, err = os.MkdirTemp("", "fglab-frr-"); err != nil {
		return err
	}
	run := filepath.Join(frrRun, f.name)
	l.addCleanup(func() { os.RemoveAll(f.dir); os.RemoveAll(run) })
	for _, d := range []string{f.dir, run} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		if err := os.Chown(d, uid, gid); err != nil {
			return err
		}
		if err := os.Chmod(d, 0o755); err != nil {
			return err
		}
	}
	// The rendered files themselves, for whoever debugs a mismatch.
	for _, x := range files {
		p := filepath.Join(dir, filepath.FromSlash(x.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, x.Data, 0o644); err != nil {
			return err
		}
	}
	write := func(name, data string) (string, error) {
		p := filepath.Join(f.dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			return "", err
		}
		return p, nil
	}
	confFile, err := write("frr.conf", conf)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "frr.conf"), []byte(conf), 0o644); err != nil {
		return err
	}
	empty, err := write("empty.conf", "")
	if err != nil {
		return err
	}
	daemon := func(bin string, args ...string) error {
		base := filepath.Base(bin)
		logPath := filepath.Join(f.dir, base+".log")
		f.logs = append(f.logs, logPath)
		out, err := os.Create(filepath.Join(f.dir, base+".stdout"))
		if err != nil {
			return err
		}
		l.addCleanup(func() { out.Close() })
		args = append([]string{"-N", f.name, "--log", "file:" + logPath}, args...)
		_, err = l.Start(ns, f.dir, out, bin, args...)
		return err
	}
	if err := daemon(frrZebra, "-f", empty); err != nil {
		return err
	}
	if err := waitFile(filepath.Join(run, "zserv.api"), 10*time.Second); err != nil {
		return fmt.Errorf("zebra: %w\n%s", err, f.Log())
	}
	if needs.BFD {
		if err := daemon(frrBFDd, "-f", empty); err != nil {
			return err
		}
	}
	args := []string{"-f", confFile}
	if needs.rpkiModule {
		args = append(args, "-M", "rpki")
	}
	if err := daemon(frrBGPd, args...); err != nil {
		return err
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		if _, err := f.vtysh("show bgp summary json"); err == nil {
			break
		} else if time.Now().After(deadline) {
			return fmt.Errorf("bgpd did not answer within 15s: %v\n%s", err, f.Log())
		}
		time.Sleep(100 * time.Millisecond)
	}
	// bgpd logs the configuration lines it refused and runs on: a
	// refused line is a template bug.
	if bad := frrRejected(f.Log()); len(bad) > 0 {
		return fmt.Errorf("bgpd refused lines of the rendered %s:\n  %s", main.Name, strings.Join(bad, "\n  "))
	}
	return nil
}

// frrRejectedLine matches what bgpd logs for a configuration line it
// refused while reading its file.
var frrRejectedLine = regexp.MustCompile(`EC 100663304|No such command|Config Failed|Unknown command|Unsatisfied length|% Ambiguous command`)

func frrRejected(log string) []string {
	var bad []string
	for _, l := range strings.Split(log, "\n") {
		if frrRejectedLine.MatchString(l) {
			bad = append(bad, l)
		}
	}
	return bad
}

func waitFile(p string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		if _, err := os.Stat(p); err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not appear within %s", p, d)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// vtysh runs one command against the lab's bgpd; stdout only (vtysh
// complains on stderr about the pathspace's missing vtysh.conf).
func (f *FRR) vtysh(cmd string) ([]byte, error) {
	c := exec.Command("vtysh", "-N", f.name, "-c", cmd)
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	if err := runBounded(c, 30*time.Second); err != nil {
		return nil, fmt.Errorf("vtysh -N %s -c %q: %v: %s%s", f.name, cmd, err, out.Bytes(), errb.Bytes())
	}
	if bytes.HasPrefix(out.Bytes(), []byte("%")) {
		return nil, fmt.Errorf("vtysh -N %s -c %q: %s", f.name, cmd, bytes.TrimSpace(out.Bytes()))
	}
	return out.Bytes(), nil
}

// Log returns the daemons' logs, bgpd's last, for failure messages.
func (f *FRR) Log() string {
	var b strings.Builder
	for _, p := range f.logs {
		d, _ := os.ReadFile(p)
		fmt.Fprintf(&b, "== %s\n%s", filepath.Base(p), d)
	}
	return b.String()
}

// MaxPrefixLate says that FRR 8.4's "maximum-prefix N" trips at N+2:
// bgp_update checks the count before it adds the new route, so the
// route that brings the count to N+1 is accepted and only the next one
// trips the limit (measured by the lab; FRR's bgp_maximum_prefix_overflow
// compares pcount > N before bgp_path_info_add).
func (*FRR) MaxPrefixLate() (int, string) {
	return 1, "FRR 8.4 checks maximum-prefix before it counts the new route, so it holds N+1 routes"
}

// frrNeighbor is the part of "show bgp neighbors json" the lab reads.
type frrNeighbor struct {
	BGPState     string `json:"bgpState"`
	LastReset    string `json:"lastResetDueTo"`
	LastNotify   string `json:"lastNotificationReason"`
	MessageStats struct {
		UpdatesRecv int `json:"updatesRecv"`
	} `json:"messageStats"`
	AF map[string]struct {
		Accepted *int `json:"acceptedPrefixCounter"`
		Sent     *int `json:"sentPrefixCounter"`
	} `json:"addressFamilyInfo"`
}

// Sessions implements Router from "show bgp neighbors json": Received
// is the UPDATE messages received (FRR counts no routes), Imported the
// accepted prefixes, Exported the prefixes sent.
func (f *FRR) Sessions() (map[netip.Addr]SessionState, error) {
	out, err := f.vtysh("show bgp neighbors json")
	if err != nil {
		return nil, err
	}
	return parseFRRNeighbors(out)
}

func parseFRRNeighbors(out []byte) (map[netip.Addr]SessionState, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(out, &raw); err != nil {
		return nil, fmt.Errorf("show bgp neighbors json: %w", err)
	}
	res := map[netip.Addr]SessionState{}
	for k, v := range raw {
		a, err := netip.ParseAddr(k)
		if err != nil {
			continue // not a neighbor (FRR adds no other keys today)
		}
		var n frrNeighbor
		if err := json.Unmarshal(v, &n); err != nil {
			return nil, fmt.Errorf("show bgp neighbors json: %s: %w", k, err)
		}
		st := SessionState{Name: k, Neighbor: a, Established: n.BGPState == "Established",
			Received: n.MessageStats.UpdatesRecv, ReceivedMessages: true, Exported: -1,
			Info: n.BGPState}
		if n.LastReset != "" && !st.Established {
			st.Info += " (last reset: " + n.LastReset
			if n.LastNotify != "" {
				st.Info += ", " + n.LastNotify
			}
			st.Info += ")"
		}
		sent, known := 0, false
		for _, af := range n.AF {
			if af.Accepted != nil {
				st.Imported += *af.Accepted
			}
			if af.Sent != nil {
				sent += *af.Sent
				known = true
			}
		}
		if known {
			st.Exported = sent
		}
		res[a] = st
	}
	return res, nil
}

// frrPath is one path of "show bgp ipv4 unicast json detail".
type frrPath struct {
	ASPath *struct {
		Segments []struct {
			Type string   `json:"type"`
			List []uint32 `json:"list"`
		} `json:"segments"`
	} `json:"aspath"`
	LargeCommunity *struct {
		String string `json:"string"`
	} `json:"largeCommunity"`
	BestPath *struct {
		Overall bool `json:"overall"`
	} `json:"bestpath"`
	Local    bool `json:"local"`
	Sourced  bool `json:"sourced"`
	Nexthops []struct {
		IP    string `json:"ip"`
		Scope string `json:"scope"`
	} `json:"nexthops"`
	Peer *struct {
		PeerID string `json:"peerId"`
	} `json:"peer"`
}

// Routes implements Router from "show bgp ipv4 unicast json detail" and
// its IPv6 twin: every path learned from a neighbor, best or not.
func (f *FRR) Routes() (map[netip.Addr][]Route, error) {
	res := map[netip.Addr][]Route{}
	for _, fam := range []filtergen.Family{filtergen.IPv4, filtergen.IPv6} {
		out, err := f.vtysh("show bgp " + fam.String() + " unicast json detail")
		if err != nil {
			return nil, err
		}
		if err := parseFRRRoutes(out, res); err != nil {
			return nil, fmt.Errorf("show bgp %s unicast json detail: %w", fam, err)
		}
	}
	return res, nil
}

var frrLargeCommunity = regexp.MustCompile(`^(\d+):(\d+):(\d+)$`)

func parseFRRRoutes(out []byte, res map[netip.Addr][]Route) error {
	var doc struct {
		Routes map[string][]json.RawMessage `json:"routes"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return err
	}
	for k, paths := range doc.Routes {
		pfx, err := netip.ParsePrefix(k)
		if err != nil {
			return fmt.Errorf("prefix %q: %w", k, err)
		}
		// The first element describes the prefix; the paths follow.
		for _, raw := range paths {
			var p frrPath
			if err := json.Unmarshal(raw, &p); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			if p.Peer == nil || p.ASPath == nil || p.Local || p.Sourced {
				continue
			}
			from, err := netip.ParseAddr(p.Peer.PeerID)
			if err != nil {
				continue
			}
			r := Route{Prefix: pfx, Path: Path{}, Best: p.BestPath != nil && p.BestPath.Overall}
			for _, s := range p.ASPath.Segments {
				switch s.Type {
				case "as-sequence":
					r.Path = append(r.Path, Segment{ASNs: slices.Clone(s.List)})
				case "as-set":
					r.Path = append(r.Path, Segment{Set: true, ASNs: slices.Clone(s.List)})
				default:
					return fmt.Errorf("%s: AS path segment type %q", k, s.Type)
				}
			}
			for _, nh := range p.Nexthops {
				if a, err := netip.ParseAddr(nh.IP); err == nil && !a.IsLinkLocalUnicast() {
					r.NextHop = a
					break
				}
			}
			if p.LargeCommunity != nil {
				for _, c := range strings.Fields(p.LargeCommunity.String) {
					m := frrLargeCommunity.FindStringSubmatch(c)
					if m == nil {
						return fmt.Errorf("%s: large community %q", k, c)
					}
					var v [3]uint64
					for i := range v {
						v[i], _ = strconv.ParseUint(m[i+1], 10, 32)
					}
					r.LargeCommunities = append(r.LargeCommunities, filtergen.LargeCommunity{Global: uint32(v[0]), Data1: uint32(v[1]), Data2: uint32(v[2])})
				}
			}
			res[from.Unmap()] = append(res[from.Unmap()], r)
		}
	}
	return nil
}

var frrPrefixCount = regexp.MustCompile(`(?m)^Number of IPv[46] Prefixes: (\d+)`)

// ROAs returns the number of ROAs bgpd holds from its RTR caches ("show
// rpki prefix-table").
func (f *FRR) ROAs() (int, error) {
	out, err := f.vtysh("show rpki prefix-table")
	if err != nil {
		return 0, err
	}
	if bytes.Contains(out, []byte("No connection to RPKI cache server")) {
		return 0, nil
	}
	total, found := 0, false
	for _, m := range frrPrefixCount.FindAllSubmatch(out, -1) {
		n, _ := strconv.Atoi(string(m[1]))
		total += n
		found = true
	}
	if !found {
		return 0, fmt.Errorf("show rpki prefix-table: no prefix count in %q", firstLines(out, 5))
	}
	return total, nil
}

func firstLines(b []byte, n int) string {
	lines := strings.SplitN(string(b), "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "\n")
}
