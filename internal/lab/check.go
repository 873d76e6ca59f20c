package lab

import (
	"fmt"

	"github.com/filtergen/filtergen/filtergen"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// announce makes each session's speaker announce exactly routes[s]:
// new and changed routes are sent, prefixes no longer listed withdrawn.
func (tp *Topology) announce(routes map[*Session][]Route) error {
	for _, s := range tp.Sessions() {
		want := map[netip.Prefix]Route{}
		for _, r := range routes[s] {
			want[r.Prefix] = r
		}
		var ann []Route
		var wd []netip.Prefix
		for p, r := range want {
			if old, ok := s.sent[p]; !ok || old.Path.String() != r.Path.String() || old.NextHop != r.NextHop {
				ann = append(ann, r)
			}
		}
		for p := range s.sent {
			if _, ok := want[p]; !ok {
				wd = append(wd, p)
			}
		}
		if len(ann) == 0 && len(wd) == 0 {
			continue
		}
		if _, err := s.N.Child.call(request{Op: "send", ID: s.ID, Announce: ann, Withdraw: wd}, 20*time.Second); err != nil {
			return err
		}
		s.sent = want
	}
	return nil
}

// status asks the speaker about a session; with routes, for the routes
// it received too.
func (s *Session) status(routes bool) (*SessionStatus, error) {
	rep, err := s.N.Child.call(request{Op: "status", ID: s.ID, Routes: routes}, 10*time.Second)
	if err != nil {
		return nil, err
	}
	return rep.Status, nil
}

// barrier waits until the router has received every announcement and
// withdrawal the speakers sent: its per-session counters catch up with
// the speakers' own.
func (tp *Topology) barrier(d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		st, err := tp.Router.Sessions()
		if err != nil {
			return err
		}
		var behind []string
		for _, s := range tp.Sessions() {
			sp, err := s.status(false)
			if err != nil {
				return err
			}
			x := st[s.Addr]
			if sent := sp.SentUpdates + sp.SentWithdraws; x.Received < sent || !sp.Established {
				behind = append(behind, fmt.Sprintf("%s: router received %d of %d (established %v, %s %s)",
					s, x.Received, sent, sp.Established, sp.Err, x.Info))
			}
		}
		if len(behind) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("router did not receive all updates within %s:\n  %s\n%s", d, strings.Join(behind, "\n  "), tp.routerLog())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// An Observation is one case and what the router did with it.
type Observation struct {
	Case
	Present bool
	Got     Route // the route in the router's table, when Present
	// Unexpected marks a route in the table the speaker did not send in
	// this round.
	Unexpected bool
}

// CheckImport announces every generated case and compares the router's
// table with the Model, session by session.
func (tp *Topology) CheckImport() (*Report, error) {
	obs, rep, err := tp.RunImport()
	if err != nil {
		return rep, err
	}
	return tp.Model.CompareImport(obs, rep), nil
}

// RunImport announces every generated case and records what the router
// accepted. Cases that reuse a prefix on the same session go into later
// rounds; each round is observed separately. Afterwards the accepted
// routes are announced again, which CheckRevalidation relies on. The
// returned Report holds the generator's notes.
func (tp *Topology) RunImport() ([]Observation, *Report, error) {
	rep := &Report{Check: "import"}
	var obs []Observation
	var rounds []map[*Session][]Case
	for _, s := range tp.Sessions() {
		for _, c := range tp.Generate(s, rep) {
			i := 0
			for ; i < len(rounds); i++ {
				if !slices.ContainsFunc(rounds[i][s], func(x Case) bool { return x.Route.Prefix == c.Route.Prefix }) {
					break
				}
			}
			if i == len(rounds) {
				rounds = append(rounds, map[*Session][]Case{})
			}
			rounds[i][s] = append(rounds[i][s], c)
		}
	}
	install := func(round map[*Session][]Case) error {
		routes := map[*Session][]Route{}
		for s, cs := range round {
			for _, c := range cs {
				routes[s] = append(routes[s], c.Route)
			}
		}
		if err := tp.announce(routes); err != nil {
			return err
		}
		return tp.barrier(30 * time.Second)
	}
	for _, round := range rounds {
		if err := install(round); err != nil {
			return obs, rep, err
		}
		table, err := tp.Router.Routes()
		if err != nil {
			return obs, rep, err
		}
		for _, s := range tp.Sessions() {
			got := map[netip.Prefix]Route{}
			for _, r := range table[s.Addr] {
				got[r.Prefix] = r
			}
			listed := map[netip.Prefix]bool{}
			for _, c := range round[s] {
				listed[c.Route.Prefix] = true
				r, present := got[c.Route.Prefix]
				obs = append(obs, Observation{Case: c, Present: present, Got: r})
			}
			for p, r := range got {
				if !listed[p] {
					obs = append(obs, Observation{Case: Case{Class: "unexpected", S: s, Route: r}, Present: true, Got: r, Unexpected: true})
				}
			}
		}
	}
	if len(rounds) > 0 {
		if err := install(rounds[0]); err != nil {
			return obs, rep, err
		}
	}
	return obs, rep, nil
}

// CompareImport compares observations with what m expects; rep may hold
// notes already.
func (m *Model) CompareImport(obs []Observation, rep *Report) *Report {
	if rep == nil {
		rep = &Report{Check: "import"}
	}
	out := &Report{Check: rep.Check, Notes: rep.Notes}
	for _, o := range obs {
		out.Cases++
		s := o.S
		mm := Mismatch{Neighbor: s.String(), Case: o.Class, Prefix: o.Route.Prefix.String(), Path: o.Route.Path.String()}
		if o.Route.NextHop.IsValid() {
			mm.Path += " nh " + o.Route.NextHop.String()
		}
		if o.Unexpected {
			mm.Expected, mm.Got = "absent (not announced)", "in table"
			out.add(mm)
			continue
		}
		want, why := m.Expect(s.N.Peer, s.Addr, o.Route)
		switch {
		case want && !o.Present:
			mm.Expected, mm.Got = "accepted", "missing"
			out.add(mm)
		case !want && o.Present:
			mm.Expected, mm.Got = "rejected ("+why+")", "accepted"
			out.add(mm)
		case want && o.Present && !o.Got.PathTruncated && o.Got.Path.String() != o.Route.Path.String():
			mm.Expected, mm.Got = "accepted", "accepted with path "+o.Got.Path.String()
			out.add(mm)
		case want && o.Present && !m.Legacy && s.N.Peer.Import.Tag != (filtergen.LargeCommunity{}) &&
			!slices.Contains(o.Got.LargeCommunities, s.N.Peer.Import.Tag):
			mm.Expected = "accepted, tagged " + s.N.Peer.Import.Tag.String()
			mm.Got = fmt.Sprintf("accepted with large communities %v", o.Got.LargeCommunities)
			out.add(mm)
		}
	}
	return out
}
