package lab

import (
	"net/netip"
	"time"

	"github.com/filtergen/filtergen/templates"
)

// A Router is a routing daemon under test: it runs inside the router's
// namespace, loaded with filtergen's rendered files unchanged plus only
// what the main file's header comment tells the operator to add. BIRD 2
// is the first adapter; an FRR adapter would read "vtysh -c 'show bgp
// ipv4 unicast json'" and an OpenBGPD one "bgpctl -j show rib", mapping
// their output onto the same types.
type Router interface {
	// Platform is the filtergen platform name ("bird2").
	Platform() string
	// Commands lists the executables the adapter needs, for Require.
	Commands() []string
	// Needs reads the main file's header and says what the operator must
	// add: the lab supplies exactly that.
	Needs(main templates.File) (Needs, error)
	// Start writes the files into dir and runs the daemon in ns.
	Start(l *Lab, ns, dir string, files []templates.File, env Env) error
	// Sessions reports every BGP session by neighbor address.
	Sessions() (map[netip.Addr]SessionState, error)
	// Routes returns the routes the router accepted, by neighbor address.
	Routes() (map[netip.Addr][]Route, error)
	// ROAs returns how many ROAs the router holds from its RTR session.
	ROAs() (int, error)
	// Log returns the daemon's log, for failure messages.
	Log() string
}

// Needs is what a rendered file asks the operator to add.
type Needs struct {
	RouterID bool
	// RTR is set when the file needs an RTR session the operator
	// configures (BIRD: a protocol rpki feeding the ROA tables).
	RTR bool
	// ROATables are the ROA tables the RTR session must feed.
	ROATables []string
	// BFD asks for the BFD protocol; Kernel for routes exported to the
	// kernel (the lab installs the FIB routes its probes need itself).
	BFD, Kernel bool
	// Lines are the header lines the needs were read from, for messages.
	Lines []string
}

// Env is what the lab provides for the Needs.
type Env struct {
	RouterID netip.Addr
	// RTR is the lab's RTR cache; RTRRefresh the refresh interval the
	// lab configures on the router's RTR session.
	RTR        netip.AddrPort
	RTRRefresh time.Duration
}

// SessionState is one BGP session as the router sees it.
type SessionState struct {
	// Name is the router's name for the session (a BIRD protocol).
	Name        string
	Neighbor    netip.Addr
	Established bool
	// Received counts the route announcements and withdrawals the router
	// has received on the session since it last came up.
	Received int
	// Imported is the number of routes accepted; Exported the number
	// the router announces to the neighbor now (-1 when unknown).
	Imported, Exported int
	// Info is the router's last error or state message.
	Info string
}
