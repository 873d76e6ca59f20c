package lab

import (
	"fmt"
	"slices"
	"time"

	"github.com/filtergen/filtergen/rpki"
)

// CheckRevalidation adds a ROA while routes are installed (after
// RunImport) and checks that the router re-validates: an accepted route
// the new ROA makes invalid must leave the table within the RTR refresh
// interval the lab configures (plus BIRD's settle time), when the Model
// says the router rejects RPKI invalid routes.
func (tp *Topology) CheckRevalidation(obs []Observation) (*Report, error) {
	rep := &Report{Check: "rpki-revalidation"}
	if tp.vrpFile == "" {
		rep.note("no RTR cache in this scenario")
		return rep, nil
	}
	var pick *Observation
	var vrp rpki.VRP
	for i, o := range obs {
		if o.Class != ClassAccepted || !o.Present {
			continue
		}
		origin, ok := o.Route.Path.Origin()
		if !ok {
			continue
		}
		if ok, _ := tp.Model.Expect(o.S.N.Peer, o.S.Addr, o.Route); !ok {
			continue
		}
		if tp.Model.rpkiState(o.Route.Prefix, origin, true) != rpki.NotFound {
			continue
		}
		v := rpki.VRP{Prefix: o.Route.Prefix, MaxLen: uint8(o.Route.Prefix.Bits()), ASN: foreignASN(origin)}
		tp.Model.Extra = append(tp.Model.Extra, v)
		after, _ := tp.Model.Expect(o.S.N.Peer, o.S.Addr, o.Route)
		tp.Model.Extra = tp.Model.Extra[:len(tp.Model.Extra)-1]
		if !after {
			pick, vrp = &obs[i], v
			break
		}
	}
	if pick == nil {
		rep.note("no accepted, RPKI not-found route that a new ROA would make the model reject")
		return rep, nil
	}
	rep.Cases = 1
	tp.Model.Extra = append(tp.Model.Extra, vrp)
	if err := tp.writeVRPs(); err != nil {
		return rep, err
	}
	start := time.Now()
	// The router polls at its refresh interval; stayrtr also sends a
	// Serial Notify at once, so a long interval is capped.
	bound := min(tp.RTRRefresh, 30*time.Second) + 10*time.Second
	if err := tp.waitROAs(tp.vrpCount(), bound); err != nil {
		return rep, fmt.Errorf("the new ROA %s did not reach the router: %w", vrp, err)
	}
	synced := time.Since(start)
	for {
		table, err := tp.Router.Routes()
		if err != nil {
			return rep, err
		}
		if !slices.ContainsFunc(table[pick.S.Addr], func(r Route) bool { return r.Prefix == pick.Route.Prefix }) {
			rep.note("%s %s left the table %.1fs after ROA %s was added (router had it after %.1fs)",
				pick.S, pick.Route.Prefix, time.Since(start).Seconds(), vrp, synced.Seconds())
			return rep, nil
		}
		if time.Since(start) > bound {
			rep.add(Mismatch{Neighbor: pick.S.String(), Case: "new-roa", Prefix: pick.Route.Prefix.String(),
				Path: pick.Route.Path.String(), Expected: "rejected (RPKI invalid after ROA " + vrp.String() + ")",
				Got: fmt.Sprintf("still accepted %.0fs later (router had the ROA after %.1fs)", bound.Seconds(), synced.Seconds())})
			return rep, nil
		}
		time.Sleep(200 * time.Millisecond)
	}
}
