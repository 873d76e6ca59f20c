// Package lab is the interop lab: it proves on real routing daemons, in
// network namespaces, that a rendered configuration filters exactly what
// the compiled filtergen.Result says. Tests use it like this:
//
//	func TestMain(m *testing.M) { lab.Main(); os.Exit(m.Run()) }
//
//	tp, err := lab.Build(t, scenario, &lab.BIRD{})
//	obs, notes, err := tp.RunImport()
//	rep := tp.Model.CompareImport(obs, notes) // rep.Table() on mismatch
//
// # Topology
//
// Build creates, with iproute2 and as root, one namespace for the router
// under test, one per neighbor of the policy on that router and a sink
// behind the router, joined by veth pairs. Neighbors that are not
// customers with an interface share a bridge (a LAN, /24 and /64 per
// subnet of their addresses, so third-party next hops are reachable);
// a customer with an interface gets a point-to-point link (/31, /127)
// named as in the policy, because its nftables rules match that name.
// All addresses live inside the namespaces. Every namespace, daemon and
// child is removed by t.Cleanup; namespaces are named
// "fglab-PID-N-ROLE", and a later run deletes those whose process is
// gone (a test binary killed by -timeout runs no cleanup), while
// children and daemons die with the test process (PR_SET_PDEATHSIG).
//
// # Router under test
//
// A Router adapter runs the daemon loaded with the rendered files
// unchanged, plus only what the main file's header comment asks the
// operator to add (Router.Needs reads it: a router id, an RPKI protocol
// for the file's ROA tables), and reads back sessions and routes. BIRD 2
// is implemented; FRR ("vtysh -c 'show bgp ipv4 unicast json'") and
// OpenBGPD ("bgpctl -j show rib") plug in the same way once filtergen
// renders them. The lab's bird.conf adds a log and "protocol device",
// which every BIRD host has.
//
// # Neighbors
//
// A network namespace belongs to an OS thread, and Go moves goroutines
// between threads, so the test process never enters a namespace: each
// neighbor is the test binary re-executed under "ip netns exec NS" (Main
// runs it), driven over a pipe with JSON lines (open a session, announce
// and withdraw these routes, report what you sent and received, send
// these UDP probes). Its BGP messages are encoded and decoded with gobgp's
// packet library (github.com/osrg/gobgp/v4/pkg/packet/bgp) under a
// minimal session loop: gobgp's BgpServer always prepends its AS on eBGP
// and sends no local route to route-server clients, so it cannot send
// the empty, wrong-first-AS or third-party next-hop paths the checks need.
//
// # Checks
//
// Routes are generated from the Result (Generate): every accepted
// prefix, every dropped candidate, one step too long and too short,
// bogon, unregistered, RPKI invalid, wrong origin, bogon ASN in the path,
// wrong first AS, empty path, overlong path, AS_SET at the end and in the
// middle, and a foreign next hop for route-server members. A Model
// (PeerResult.Import, bogons, RFC 6811 against the VRPs the lab's
// stayrtr serves) says what each neighbor's filter must accept. The
// checks are import (the router's table per neighbor equals the accepted
// set), export (each neighbor receives what its relationship allows, with
// the right path and next hop, and no leak), RPKI re-validation (a ROA
// added while routes are installed removes the route it invalidates
// within the refresh interval), anti-spoofing (the rendered nftables in
// the router's namespace, UDP probes from the customer's namespace with
// sources inside and outside its space, strict and loose uRPF) and
// max-prefix (holds at N, trips at N+1). Each returns a Report whose
// Table lists the mismatches: neighbor, case, prefix, path, expected,
// got. Waits are bounded and end with an error that says what was
// missing.
package lab
