package lab

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/templates"
)

// OpenBGPD is the Router adapter for OpenBGPD 7 (bgpd, bgpctl). The lab
// writes lab.conf next to the rendered files: the control socket, the
// router id when the header asks for one, and an include of the main
// file; bgpd runs in that directory (the header's "workdir": the main
// file includes its peer files by relative path). The RTR sessions are
// the rendered file's own "rtr" blocks; their timers come from the
// cache (RTR version 1 End of Data), so the lab's stayrtr sets them.
type OpenBGPD struct {
	dir, sock, log string
}

func init() { Register("openbgpd", func() Router { return &OpenBGPD{} }) }

// Platform implements Router.
func (*OpenBGPD) Platform() string { return "openbgpd" }

// Commands implements Router.
func (*OpenBGPD) Commands() []string { return []string{"bgpd", "bgpctl"} }

// Needs reads the "filtergen-operator:" lines of the main file's header:
// router-id (the lab adds "router-id") and workdir (the lab runs bgpd in
// the files' directory). An unknown key is an error, so that the lab
// learns every new one. OpenBGPD has no BFD; the router's own "rtr"
// blocks need nothing from the operator.
func (*OpenBGPD) Needs(main templates.File) (Needs, error) {
	var n Needs
	ops, _, err := operatorLines(main, "#")
	if err != nil {
		return n, err
	}
	workdir := false
	for _, op := range ops {
		n.Lines = append(n.Lines, op.Line)
		switch op.Key {
		case "router-id":
			n.RouterID = true
		case "workdir":
			workdir = true
		default:
			return n, unknownNeed(main, op)
		}
	}
	if !workdir && bytes.Contains(main.Data, []byte("\ninclude \"")) {
		return n, fmt.Errorf("%s: includes files by relative path but its header does not say where bgpd must run (%s workdir)", main.Name, templates.OperatorMarker)
	}
	return n, nil
}

// Start implements Router: it writes the files, checks them with
// "bgpd -n" and runs "bgpd -d -f lab.conf" in dir.
func (o *OpenBGPD) Start(l *Lab, ns, dir string, files []templates.File, env Env) error {
	var main templates.File
	for _, f := range files {
		if strings.HasSuffix(f.Name, ".nft") {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return err
		}
		if f.Peer == "" && strings.HasSuffix(f.Name, ".conf") {
			main = f
		}
	}
	needs, err := o.Needs(main)
	if err != nil {
		return err
	}
	// bgpd chroots its session engine and RDE into the _openbgpd user's
	// home.
	if err := os.MkdirAll("/run/openbgpd", 0o755); err != nil {
		return err
	}
	o.dir = dir
	o.sock = filepath.Join(dir, "bgpd.sock")
	o.log = filepath.Join(dir, "bgpd.log")
	var c strings.Builder
	fmt.Fprintf(&c, "# Written by the filtergen interop lab around %s.\n", main.Name)
	fmt.Fprintf(&c, "socket %q\n", o.sock)
	if needs.RouterID {
		fmt.Fprintf(&c, "router-id %s\n", env.RouterID)
	}
	fmt.Fprintf(&c, "include %q\n", main.Name)
	conf := filepath.Join(dir, "lab.conf")
	if err := os.WriteFile(conf, []byte(c.String()), 0o644); err != nil {
		return err
	}
	parse := exec.Command("bgpd", "-n", "-f", "lab.conf")
	parse.Dir = dir
	if out, err := runOutput(parse, 30*time.Second); err != nil {
		return fmt.Errorf("bgpd -n rejects the rendered config: %v\n%s\nlab.conf:\n%s", err, out, c.String())
	}
	logf, err := os.Create(o.log)
	if err != nil {
		return err
	}
	l.addCleanup(func() { logf.Close() })
	if _, err := l.Start(ns, dir, logf, "bgpd", "-d", "-f", "lab.conf"); err != nil {
		return err
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := o.bgpctl("show", "summary"); err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("bgpd did not answer on %s within 10s\n%s", o.sock, o.Log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func runOutput(c *exec.Cmd, d time.Duration) ([]byte, error) {
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	err := runBounded(c, d)
	return out.Bytes(), err
}

// bgpctl runs bgpctl on the lab's control socket. The socket is a file
// path, so bgpctl needs no namespace.
func (o *OpenBGPD) bgpctl(args ...string) ([]byte, error) {
	c := exec.Command("bgpctl", append([]string{"-s", o.sock}, args...)...)
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	if err := runBounded(c, 30*time.Second); err != nil {
		return nil, fmt.Errorf("bgpctl %s: %v: %s%s", strings.Join(args, " "), err, errb.Bytes(), out.Bytes())
	}
	return out.Bytes(), nil
}

func (o *OpenBGPD) bgpctlJSON(v any, args ...string) error {
	out, err := o.bgpctl(append([]string{"-j"}, args...)...)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(out, v); err != nil {
		return fmt.Errorf("bgpctl -j %s: %v: %.300s", strings.Join(args, " "), err, out)
	}
	return nil
}

// MaxPrefixCountsReceived implements ReceivedLimiter: bgpd's max-prefix
// counts the Adj-RIB-In, filtered prefixes included (7.7 has no
// post-policy limit).
func (*OpenBGPD) MaxPrefixCountsReceived() bool { return true }

// Log returns bgpd's log, for failure messages.
func (o *OpenBGPD) Log() string {
	d, _ := os.ReadFile(o.log)
	return string(d)
}

// ROAs returns the number of ROAs bgpd holds from its RTR sessions
// ("show sets": the "RPKI ROA" set).
func (o *OpenBGPD) ROAs() (int, error) {
	var v struct {
		Sets []struct {
			Name string `json:"name"`
			Type string `json:"type"`
			IPv4 int    `json:"num_IPv4"`
			IPv6 int    `json:"num_IPv6"`
		} `json:"sets"`
	}
	if err := o.bgpctlJSON(&v, "show", "sets"); err != nil {
		return 0, err
	}
	for _, s := range v.Sets {
		if s.Type == "ROA" && s.Name == "RPKI ROA" {
			return s.IPv4 + s.IPv6, nil
		}
	}
	return 0, nil
}

// obgpdNeighbor is one neighbor of "bgpctl -j show neighbor".
type obgpdNeighbor struct {
	RemoteAddr  string `json:"remote_addr"`
	Description string `json:"description"`
	State       string `json:"state"`
	// The last NOTIFICATION sent and received (a max-prefix trip).
	LastErrorSent     json.RawMessage `json:"last_error_sent"`
	LastErrorReceived json.RawMessage `json:"last_error_received"`
	Stats             struct {
		Prefixes struct {
			Sent     int `json:"sent"`
			Received int `json:"received"`
		} `json:"prefixes"`
		Update struct {
			Received struct {
				Updates   int `json:"updates"`
				Withdraws int `json:"withdraws"`
			} `json:"received"`
		} `json:"update"`
	} `json:"stats"`
}

// Sessions implements Router from "bgpctl -j show neighbor": Received
// is the prefix updates and withdrawals the RDE counted, Imported the
// prefixes accepted (what max-prefix counts), Exported those announced.
func (o *OpenBGPD) Sessions() (map[netip.Addr]SessionState, error) {
	out, err := o.bgpctl("-j", "show", "neighbor")
	if err != nil {
		return nil, err
	}
	return parseOpenBGPDNeighbors(out)
}

func parseOpenBGPDNeighbors(out []byte) (map[netip.Addr]SessionState, error) {
	var v struct {
		Neighbors []obgpdNeighbor `json:"neighbors"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return nil, fmt.Errorf("bgpctl -j show neighbor: %v: %.300s", err, out)
	}
	res := map[netip.Addr]SessionState{}
	for _, n := range v.Neighbors {
		a, err := netip.ParseAddr(n.RemoteAddr)
		if err != nil {
			return nil, fmt.Errorf("bgpctl -j show neighbor: neighbor %q: %v", n.RemoteAddr, err)
		}
		st := SessionState{Name: n.Description, Neighbor: a, Established: n.State == "Established",
			Received: n.Stats.Update.Received.Updates + n.Stats.Update.Received.Withdraws,
			Imported: n.Stats.Prefixes.Received, Exported: n.Stats.Prefixes.Sent, Info: n.State}
		for _, e := range []json.RawMessage{n.LastErrorSent, n.LastErrorReceived} {
			if len(e) > 0 && string(e) != "null" && string(e) != `""` {
				var c bytes.Buffer
				if json.Compact(&c, e) == nil {
					st.Info += " (last error: " + c.String() + ")"
				}
			}
		}
		res[a] = st
	}
	return res, nil
}

// obgpdRoute is one path of "bgpctl -j show rib detail".
type obgpdRoute struct {
	Prefix      string `json:"prefix"`
	ASPath      string `json:"aspath"`
	ExitNexthop string `json:"exit_nexthop"`
	Neighbor    struct {
		RemoteAddr string `json:"remote_addr"`
	} `json:"neighbor"`
	Best             bool     `json:"best"`
	LargeCommunities []string `json:"large_communities"`
}

// Routes implements Router from "bgpctl -j show rib detail": the
// Loc-RIB, every path of every neighbor (the Adj-RIB-In's filtered
// paths are not in it).
func (o *OpenBGPD) Routes() (map[netip.Addr][]Route, error) {
	out, err := o.bgpctl("-j", "show", "rib", "detail")
	if err != nil {
		return nil, err
	}
	return parseOpenBGPDRib(out)
}

func parseOpenBGPDRib(out []byte) (map[netip.Addr][]Route, error) {
	var v struct {
		Rib []obgpdRoute `json:"rib"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return nil, fmt.Errorf("bgpctl -j show rib detail: %v: %.300s", err, out)
	}
	res := map[netip.Addr][]Route{}
	for _, r := range v.Rib {
		p, err := netip.ParsePrefix(r.Prefix)
		if err != nil {
			return nil, fmt.Errorf("bgpctl -j show rib: prefix %q: %v", r.Prefix, err)
		}
		n, err := netip.ParseAddr(r.Neighbor.RemoteAddr)
		if err != nil {
			// bgpd's own networks have no neighbor.
			continue
		}
		path, err := ParsePath(r.ASPath)
		if err != nil {
			return nil, fmt.Errorf("bgpctl -j show rib: %s from %s: %w", p, n, err)
		}
		rt := Route{Prefix: p, Path: path, Best: r.Best}
		rt.NextHop, _ = netip.ParseAddr(r.ExitNexthop)
		for _, c := range r.LargeCommunities {
			f := strings.Split(c, ":")
			if len(f) != 3 {
				return nil, fmt.Errorf("bgpctl -j show rib: %s from %s: large community %q", p, n, c)
			}
			var x [3]uint64
			for i := range x {
				if x[i], err = strconv.ParseUint(f[i], 10, 32); err != nil {
					return nil, fmt.Errorf("bgpctl -j show rib: %s from %s: large community %q", p, n, c)
				}
			}
			rt.LargeCommunities = append(rt.LargeCommunities, filtergen.LargeCommunity{Global: uint32(x[0]), Data1: uint32(x[1]), Data2: uint32(x[2])})
		}
		res[n] = append(res[n], rt)
	}
	return res, nil
}
