package lab

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/templates"
)

func init() { Register("bird2", func() Router { return &BIRD{} }) }

// BIRD is the Router adapter for BIRD 2.
type BIRD struct {
	sock      string
	log       string
	roaTables []string
	// tables are the route tables: master4, master6 and those the
	// rendered files define (a route server's).
	tables []string
}

var birdTable = regexp.MustCompile(`(?m)^\s*ipv[46] table (\w+)`)

// Platform implements Router.
func (*BIRD) Platform() string { return "bird2" }

// Commands implements Router.
func (*BIRD) Commands() []string { return []string{"bird", "birdc"} }

var birdROATable = regexp.MustCompile(`(?m)^\s*roa[46] table (\w+);`)

// Needs reads the comment block at the top of the main file. Each
// "filtergen-operator: KEY ..." line names one thing left to the
// operator: router-id (the lab adds a router id), bfd (a protocol bfd)
// and kernel (a protocol kernel: the lab installs the routes its
// anti-spoofing probes need itself, so that it controls the FIB). An
// unknown key is an error, so that the lab learns every new one. Files
// from before the marker say it in prose: "router id", "RPKI protocol".
func (*BIRD) Needs(main templates.File) (Needs, error) {
	var n Needs
	ops, prose, err := operatorLines(main, "#")
	if err != nil {
		return n, err
	}
	marked := len(ops) > 0
	for _, op := range ops {
		n.Lines = append(n.Lines, op.Line)
		switch op.Key {
		case "router-id":
			n.RouterID = true
		case "bfd":
			n.BFD = true
		case "kernel":
			n.Kernel = true
		default:
			return n, unknownNeed(main, op)
		}
	}
	if !marked {
		for _, line := range prose {
			low := strings.ToLower(line)
			hit := false
			if strings.Contains(low, "router id") {
				n.RouterID, hit = true, true
			}
			if strings.Contains(low, "rpki protocol") || strings.Contains(low, "protocol rpki") {
				n.RTR, hit = true, true
			}
			if hit {
				n.Lines = append(n.Lines, line)
			}
		}
	}
	if n.RTR {
		for _, m := range birdROATable.FindAllSubmatch(main.Data, -1) {
			n.ROATables = append(n.ROATables, string(m[1]))
		}
		if len(n.ROATables) == 0 {
			return n, fmt.Errorf("%s: the header asks for an RPKI protocol but the file defines no ROA table", main.Name)
		}
	}
	return n, nil
}

// Start implements Router: bird.conf has the log, the device protocol
// (every BIRD host has one: without it BIRD knows no interface) and
// what Needs found, then includes the main file.
func (b *BIRD) Start(l *Lab, ns, dir string, files []templates.File, env Env) error {
	var main templates.File
	for _, f := range files {
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
		for _, m := range birdROATable.FindAllSubmatch(f.Data, -1) {
			b.roaTables = append(b.roaTables, string(m[1]))
		}
		for _, m := range birdTable.FindAllSubmatch(f.Data, -1) {
			b.tables = append(b.tables, string(m[1]))
		}
	}
	needs, err := b.Needs(main)
	if err != nil {
		return err
	}
	b.tables = append(b.tables, "master4", "master6")
	b.sock = filepath.Join(dir, "bird.ctl")
	b.log = filepath.Join(dir, "bird.log")
	var c strings.Builder
	fmt.Fprintf(&c, "# Written by the filtergen interop lab around %s.\n", main.Name)
	fmt.Fprintf(&c, "log %q all;\n", b.log)
	if needs.RouterID {
		fmt.Fprintf(&c, "router id %s;\n", env.RouterID)
	}
	c.WriteString("protocol device { scan time 10; }\n")
	if needs.BFD {
		c.WriteString("protocol bfd { }\n")
	}
	fmt.Fprintf(&c, "include %q;\n", filepath.Join(dir, main.Name))
	// The ROA tables are defined in the main file, so the RPKI protocol
	// that feeds them can only follow the include.
	if needs.RTR {
		c.WriteString("protocol rpki FG_LAB_RTR {\n")
		for _, t := range needs.ROATables {
			kind := "roa4"
			if strings.HasSuffix(t, "6") {
				kind = "roa6"
			}
			fmt.Fprintf(&c, "  %s { table %s; };\n", kind, t)
		}
		secs := int(env.RTRRefresh / time.Second)
		fmt.Fprintf(&c, "  remote %s port %d;\n  refresh keep %d;\n  retry keep %d;\n  expire keep 600;\n}\n",
			env.RTR.Addr(), env.RTR.Port(), secs, secs)
	}
	conf := filepath.Join(dir, "bird.conf")
	if err := os.WriteFile(conf, []byte(c.String()), 0o644); err != nil {
		return err
	}
	parse := exec.Command("bird", "-p", "-c", conf)
	parse.Dir = dir
	if out, err := parse.CombinedOutput(); err != nil {
		return fmt.Errorf("bird -p rejects the rendered config: %v\n%s\nbird.conf:\n%s", err, out, c.String())
	}
	logf, err := os.Create(filepath.Join(dir, "bird.stderr"))
	if err != nil {
		return err
	}
	if _, err := l.Start(ns, dir, logf, "bird", "-f", "-c", conf, "-s", b.sock); err != nil {
		return err
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := b.birdc("show status"); err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(b.log)
			stderr, _ := os.ReadFile(filepath.Join(dir, "bird.stderr"))
			return fmt.Errorf("bird did not answer on %s within 10s\n%s%s", b.sock, stderr, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (b *BIRD) birdc(cmd string) ([]byte, error) {
	c := exec.Command("birdc", append([]string{"-s", b.sock}, strings.Fields(cmd)...)...)
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	if err := runBounded(c, 20*time.Second); err != nil {
		return nil, fmt.Errorf("birdc %s: %v: %s", cmd, err, out.Bytes())
	}
	return out.Bytes(), nil
}

// ROAs returns the number of ROAs in the rendered files' ROA tables.
func (b *BIRD) ROAs() (int, error) {
	total := 0
	for _, t := range b.roaTables {
		out, err := b.birdc("show route table " + t + " count")
		if err != nil {
			return 0, err
		}
		m := regexp.MustCompile(`(\d+) of \d+ routes`).FindSubmatch(out)
		if m == nil {
			return 0, fmt.Errorf("birdc show route table %s count: %q", t, out)
		}
		n, _ := strconv.Atoi(string(m[1]))
		total += n
	}
	return total, nil
}

// Log returns BIRD's log, for failure messages.
func (b *BIRD) Log() string {
	d, _ := os.ReadFile(b.log)
	return string(d)
}

var (
	birdProtoLine = regexp.MustCompile(`^(\S+)\s+BGP\s+\S+\s+(\S+)\s+\S+\s*(.*)$`)
	birdNumbers   = regexp.MustCompile(`\d+`)
)

// Sessions implements Router from "show protocols all".
func (b *BIRD) Sessions() (map[netip.Addr]SessionState, error) {
	out, err := b.birdc("show protocols all")
	if err != nil {
		return nil, err
	}
	return parseBIRDProtocols(out), nil
}

// parseBIRDProtocols reads the BGP sessions of "show protocols all".
func parseBIRDProtocols(out []byte) map[netip.Addr]SessionState {
	res := map[netip.Addr]SessionState{}
	var cur *SessionState
	flush := func() {
		if cur != nil && cur.Neighbor.IsValid() {
			res[cur.Neighbor] = *cur
		}
		cur = nil
	}
	for _, line := range strings.Split(string(out), "\n") {
		if line == "" {
			continue
		}
		if line[0] != ' ' && line[0] != '\t' {
			flush()
			if m := birdProtoLine.FindStringSubmatch(line); m != nil {
				cur = &SessionState{Name: m[1], Info: strings.TrimSpace(m[3]), Exported: -1}
			}
			continue
		}
		if cur == nil {
			continue
		}
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch k {
		case "BGP state":
			cur.Established = v == "Established"
		case "Neighbor address":
			a, err := netip.ParseAddr(v)
			if err == nil {
				cur.Neighbor = a
			}
		case "Last error":
			cur.Info += " (last error: " + v + ")"
		case "Routes":
			// "3 imported, 0 filtered, 5 exported, 3 preferred"
			for _, part := range strings.Split(v, ",") {
				f := strings.Fields(part)
				if len(f) == 2 {
					n, _ := strconv.Atoi(f[0])
					switch f[1] {
					case "imported":
						cur.Imported = n
					case "exported":
						cur.Exported = n
					}
				}
			}
		case "Import updates", "Import withdraws":
			if n := birdNumbers.FindString(v); n != "" {
				x, _ := strconv.Atoi(n)
				cur.Received += x
			}
		}
	}
	flush()
	return res
}

var birdRouteLine = regexp.MustCompile(`^(\S+)?\s+(?:unicast|unreachable|blackhole|prohibited|\w+) \[(\S+) [^\]]*\]( \*)?`)

// Routes implements Router from "show route all": every route of every
// BGP session, best or not.
func (b *BIRD) Routes() (map[netip.Addr][]Route, error) {
	sess, err := b.Sessions()
	if err != nil {
		return nil, err
	}
	byName := map[string]netip.Addr{}
	for a, s := range sess {
		byName[s.Name] = a
	}
	var out []byte
	for _, t := range b.tables {
		o, err := b.birdc("show route all table " + t)
		if err != nil {
			return nil, err
		}
		out = append(out, o...)
	}
	return parseBIRDRoutes(out, byName)
}

var birdLargeCommunity = regexp.MustCompile(`\((\d+), (\d+), (\d+)\)`)

// parseBIRDRoutes reads "show route all" output; byName maps protocol
// names to neighbor addresses.
func parseBIRDRoutes(out []byte, byName map[string]netip.Addr) (map[netip.Addr][]Route, error) {
	res := map[netip.Addr][]Route{}
	var prefix netip.Prefix
	var cur *Route
	var curNeighbor netip.Addr
	flush := func() {
		if cur != nil && curNeighbor.IsValid() {
			res[curNeighbor] = append(res[curNeighbor], *cur)
		}
		cur = nil
	}
	for _, line := range strings.Split(string(out), "\n") {
		if m := birdRouteLine.FindStringSubmatch(line); m != nil {
			flush()
			if m[1] != "" {
				p, err := netip.ParsePrefix(m[1])
				if err != nil {
					continue
				}
				prefix = p
			}
			cur = &Route{Prefix: prefix, Path: Path{}, Best: m[3] != ""}
			curNeighbor = byName[m[2]]
			continue
		}
		if cur == nil {
			continue
		}
		t := strings.TrimSpace(line)
		if v, ok := strings.CutPrefix(t, "BGP.as_path:"); ok {
			v, cur.PathTruncated = strings.CutSuffix(strings.TrimSpace(v), "...")
			if cur.PathTruncated {
				// Drop the last ASN, which may be cut.
				if i := strings.LastIndexAny(v, " {}"); i >= 0 {
					v = v[:i]
				}
			}
			p, err := ParsePath(v)
			if err != nil {
				return nil, fmt.Errorf("birdc show route all: %s: %w", prefix, err)
			}
			cur.Path = p
		}
		if v, ok := strings.CutPrefix(t, "BGP.large_community:"); ok {
			for _, m := range birdLargeCommunity.FindAllStringSubmatch(v, -1) {
				var c [3]uint64
				for i := range c {
					c[i], _ = strconv.ParseUint(m[i+1], 10, 32)
				}
				cur.LargeCommunities = append(cur.LargeCommunities, filtergen.LargeCommunity{Global: uint32(c[0]), Data1: uint32(c[1]), Data2: uint32(c[2])})
			}
		}
		if v, ok := strings.CutPrefix(t, "BGP.next_hop:"); ok {
			f := strings.Fields(v)
			if len(f) > 0 {
				cur.NextHop, _ = netip.ParseAddr(f[0])
			}
		}
	}
	flush()
	return res, nil
}
