package lab

import (
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/rpki"
)

// exportAllowed says whether recv's export policy lets a route learned
// from src reach recv.
func (m *Model) exportAllowed(recv, src *filtergen.PeerResult, r Route) (bool, string) {
	if recv == src {
		return false, "learned from the receiver itself"
	}
	e := recv.Export
	if e.DefaultOnly {
		return false, "the receiver gets a default route only"
	}
	origin, has := r.Path.Origin()
	switch src.Role {
	case filtergen.RoleCustomer:
		if e.Customers {
			return true, ""
		}
	case filtergen.RolePeer:
		if e.Peers {
			return true, ""
		}
	case filtergen.RoleProvider:
		if e.Providers {
			return true, ""
		}
	case filtergen.RoleRouteServer:
		if e.RouteServers {
			return true, ""
		}
	case filtergen.RoleRSClient:
		if e.RSClients && recv.Role == filtergen.RoleRSClient {
			if m.rpkiState(r.Prefix, origin, has) == rpki.Invalid {
				return false, "RPKI invalid (never propagated by a route server)"
			}
			return true, ""
		}
	}
	return false, fmt.Sprintf("learned from a %s, the %s's export does not allow it", orNone(string(src.Role)), recv.Role)
}

// CheckExport compares what every speaker received from the router with
// the export policy of its neighbor: each route the router accepted from
// another neighbor whose relationship the policy allows must arrive
// (with our AS prepended, or, from a route server to its members, with
// AS path and next hop untouched), and nothing else may: no route of a
// peer or provider ever reaches another peer or provider. Run it after
// RunImport, with the accepted routes installed.
func (tp *Topology) CheckExport() (*Report, error) {
	rep := &Report{Check: "export"}
	table, err := tp.Router.Routes()
	if err != nil {
		return rep, err
	}
	byPrefix := map[netip.Prefix][]learned{}
	for _, s := range tp.Sessions() {
		for _, r := range table[s.Addr] {
			// Only the best route of a prefix is exported.
			if r.Best {
				byPrefix[r.Prefix] = append(byPrefix[r.Prefix], learned{s, r})
			}
		}
	}
	received, err := tp.settledReceived(10 * time.Second)
	if err != nil {
		return rep, err
	}
	own := func(p netip.Prefix) bool {
		for _, o := range tp.Sc.Result.Own {
			for _, e := range o.Entries {
				if e.Contains(p) {
					return true
				}
			}
		}
		return false
	}
	returned := map[*Neighbor]int{}
	for _, s := range tp.Sessions() {
		recv := s.N.Peer
		got := map[netip.Prefix]Route{}
		for _, r := range received[s] {
			got[r.Prefix] = r
		}
		// Expected: every installed route of the receiver's family that
		// some allowed source holds.
		for p, ls := range byPrefix {
			if famOf(p) != s.Family {
				continue
			}
			var allowed []learned
			why := ""
			for _, l := range ls {
				ok, w := tp.Model.exportAllowed(recv, l.s.N.Peer, l.r)
				if ok {
					allowed = append(allowed, l)
				} else {
					why = w
				}
			}
			r, present := got[p]
			rep.Cases++
			mm := Mismatch{Neighbor: s.String(), Prefix: p.String()}
			switch {
			case len(allowed) > 0 && !present:
				mm.Case = "from " + string(allowed[0].s.N.Peer.Role)
				mm.Path = allowed[0].r.Path.String()
				mm.Expected, mm.Got = "received (from "+allowed[0].s.String()+")", "missing"
				rep.add(mm)
			case len(allowed) == 0 && present && !own(p) && returnedToSender(s, ls, r):
				// RFC 4271 lets a router send a route back to the
				// neighbor it came from (FRR and Cisco do, BIRD does
				// not): with the neighbor's AS in the path, its loop
				// detection (§9.1.2) drops it. Not a leak.
				returned[s.N]++
			case len(allowed) == 0 && present && !own(p):
				mm.Case = "leak from " + string(ls[0].s.N.Peer.Role)
				mm.Path = r.Path.String()
				mm.Expected, mm.Got = "not received ("+why+")", "received"
				rep.add(mm)
			case len(allowed) > 0 && present:
				if msg := tp.checkExportAttrs(s, r, allowed); msg != "" {
					mm.Case = "attributes"
					mm.Path = r.Path.String()
					mm.Expected, mm.Got = msg, "path "+r.Path.String()+" next hop "+r.NextHop.String()
					rep.add(mm)
				}
			}
			delete(got, p)
		}
		// Our own space: every aggregate, originated by the router.
		if recv.Export.Own && !recv.Export.DefaultOnly {
			for _, o := range tp.Sc.Result.Own {
				if o.Family != s.Family {
					continue
				}
				for _, e := range o.Entries {
					rep.Cases++
					r, present := got[e.Prefix]
					want := Seq(tp.Sc.Result.LocalAS).String()
					switch {
					case !present:
						rep.add(Mismatch{Neighbor: s.String(), Case: "own space", Prefix: e.Prefix.String(), Path: want,
							Expected: "received (our own space)", Got: "missing"})
					case r.Path.String() != want:
						rep.add(Mismatch{Neighbor: s.String(), Case: "own space", Prefix: e.Prefix.String(), Path: r.Path.String(),
							Expected: "path " + want, Got: "path " + r.Path.String()})
					}
				}
			}
		}
		if recv.Export.DefaultOnly {
			def := netip.MustParsePrefix("0.0.0.0/0")
			if s.Family == filtergen.IPv6 {
				def = netip.MustParsePrefix("::/0")
			}
			rep.Cases++
			if _, ok := got[def]; !ok {
				rep.add(Mismatch{Neighbor: s.String(), Case: "default", Prefix: def.String(),
					Expected: "received (default route only)", Got: "missing"})
			}
			delete(got, def)
		}
		for p, r := range got {
			if own(p) {
				// Counted above for a receiver of our space; anyone else
				// (route-server clients, default-only customers) must
				// not get it.
				if !recv.Export.Own || recv.Export.DefaultOnly {
					rep.Cases++
					rep.add(Mismatch{Neighbor: s.String(), Case: "own space", Prefix: p.String(), Path: r.Path.String(),
						Expected: "not received (" + string(recv.Role) + " does not receive our own space)", Got: "received"})
				}
				continue
			}
			rep.Cases++
			rep.add(Mismatch{Neighbor: s.String(), Case: "unknown", Prefix: p.String(), Path: r.Path.String(),
				Expected: "not received (not in the router's table from any lab neighbor)", Got: "received"})
		}
	}
	for _, n := range tp.Neighbors {
		if returned[n] > 0 {
			rep.note("%s: %d of its own routes came back with AS%d in the path (dropped by its AS loop detection; not a leak)",
				n.Peer.Name, returned[n], n.Peer.ASN)
		}
	}
	return rep, nil
}

// returnedToSender reports whether r, received by s, is a route only
// s's neighbor announced, sent back with the neighbor's AS in the path.
func returnedToSender(s *Session, from []learned, r Route) bool {
	for _, l := range from {
		if l.s.N != s.N {
			return false
		}
	}
	return slices.Contains(r.Path.All(), s.N.Peer.ASN)
}

// learned is a route in the router's table and the session it came from.
type learned struct {
	s *Session
	r Route
}

// checkExportAttrs checks the path and next hop of a route exported to
// session s: a route server passes a member's route to the other members
// with AS path and next hop untouched; every other export prepends our
// AS and sets the next hop to the router's own address on the link.
func (tp *Topology) checkExportAttrs(s *Session, r Route, from []learned) string {
	recv := s.N.Peer
	for _, l := range from {
		if recv.Role == filtergen.RoleRSClient && l.s.N.Peer.Role == filtergen.RoleRSClient {
			nh := l.r.NextHop
			if !nh.IsValid() {
				nh = l.s.Addr
			}
			if r.Path.String() == l.r.Path.String() && (r.NextHop == nh || !r.NextHop.IsValid()) {
				return ""
			}
			continue
		}
		want := append(Path{{ASNs: []uint32{tp.Sc.Result.LocalAS}}}, l.r.Path...)
		// Between two neighbors on one LAN (the router has the same
		// address towards both) the router may keep the original next
		// hop: RFC 4271 §5.1.3's third-party next hop.
		sameLAN := l.s.Router == s.Router && (r.NextHop == l.s.Addr || r.NextHop == l.r.NextHop)
		if w, _ := ParsePath(want.String()); r.Path.String() == w.String() && (r.NextHop == s.Router || sameLAN) {
			return ""
		}
	}
	l := from[0]
	if recv.Role == filtergen.RoleRSClient && l.s.N.Peer.Role == filtergen.RoleRSClient {
		return fmt.Sprintf("path %s, next hop %s (untouched by the route server)", l.r.Path, l.s.Addr)
	}
	return fmt.Sprintf("path %d %s, next hop %s", tp.Sc.Result.LocalAS, l.r.Path, s.Router)
}

// settledReceived waits until every speaker has received as many
// routes as the router says it exports to it, and the counts hold for
// half a second, bounded by d; then it returns what each received.
func (tp *Topology) settledReceived(d time.Duration) (map[*Session][]Route, error) {
	deadline := time.Now().Add(d)
	var last map[*Session]int
	stableSince := time.Now()
	for {
		st, err := tp.Router.Sessions()
		if err != nil {
			return nil, err
		}
		counts := map[*Session]int{}
		caughtUp := true
		for _, s := range tp.Sessions() {
			sp, err := s.status(false)
			if err != nil {
				return nil, err
			}
			counts[s] = sp.ReceivedCount
			if x := st[s.Addr]; x.Exported >= 0 && x.Exported != sp.ReceivedCount {
				caughtUp = false
			}
		}
		if last == nil || !mapsEqual(last, counts) {
			last, stableSince = counts, time.Now()
		}
		if caughtUp && time.Since(stableSince) >= 500*time.Millisecond || time.Now().After(deadline) {
			cur := map[*Session][]Route{}
			for _, s := range tp.Sessions() {
				sp, err := s.status(true)
				if err != nil {
					return nil, err
				}
				cur[s] = sp.Received
			}
			return cur, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func mapsEqual(a, b map[*Session]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
