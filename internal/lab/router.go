package lab

import (
	"bufio"
	"bytes"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/filtergen/filtergen/templates"
)

// A Router is a routing daemon under test: it runs inside the router's
// namespace, loaded with filtergen's rendered files unchanged plus only
// what the main file's header comment tells the operator to add. Each
// adapter (BIRD, FRR, OpenBGPD) lives in its own file and registers itself by
// platform name; it maps its daemon's output onto the same types.
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

var (
	adaptersMu sync.Mutex
	adapters   = map[string]func() Router{}
)

// Register makes an adapter available for a filtergen platform name;
// each adapter registers itself from its own file's init.
func Register(platform string, newRouter func() Router) {
	adaptersMu.Lock()
	defer adaptersMu.Unlock()
	if _, dup := adapters[platform]; dup {
		panic("lab: two adapters for platform " + platform)
	}
	adapters[platform] = newRouter
}

// NewRouter returns a new adapter for the platform, nil when the lab
// has none (Junos and the other platforms have no daemon here).
func NewRouter(platform string) Router {
	adaptersMu.Lock()
	defer adaptersMu.Unlock()
	if f := adapters[platform]; f != nil {
		return f()
	}
	return nil
}

// Platforms lists the platforms the lab has an adapter for, sorted.
func Platforms() []string {
	adaptersMu.Lock()
	defer adaptersMu.Unlock()
	var out []string
	for p := range adapters {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// A ReceivedLimiter is a Router whose max-prefix limit counts every
// prefix received on a session, filtered or not, rather than the routes
// its import filter accepts (OpenBGPD counts its Adj-RIB-In: "the
// maximum number of prefixes received"). The import check then keeps
// each session at or below its limit, in more rounds, so that the limit
// trips only in the max-prefix check; with any filtered prefix the
// limit counts, a session of such a router trips below the accepted
// count a post-policy limit allows.
type ReceivedLimiter interface {
	MaxPrefixCountsReceived() bool
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
	// has received on the session since it last came up; with
	// ReceivedMessages, the UPDATE messages instead (FRR counts no
	// routes).
	Received         int
	ReceivedMessages bool
	// Imported is the number of routes accepted; Exported the number
	// the router announces to the neighbor now (-1 when unknown).
	Imported, Exported int
	// Info is the router's last error or state message.
	Info string
}

// An operatorLine is one "filtergen-operator: KEY ..." line of a rendered
// file's header: something the file leaves to the operator.
type operatorLine struct {
	Key  string // the first word after the marker
	Line string // the whole line, for messages and Needs.Lines
}

// operatorLines reads the comment block at the top of main (the lines
// that start with comment) and returns its operator lines, and the
// other comment lines for adapters that also read older prose headers.
// A marker with no key is an error naming the file.
func operatorLines(main templates.File, comment string) (ops []operatorLine, prose []string, err error) {
	sc := bufio.NewScanner(bytes.NewReader(main.Data))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, comment) {
			break
		}
		i := strings.Index(line, templates.OperatorMarker)
		if i < 0 {
			prose = append(prose, line)
			continue
		}
		f := strings.Fields(line[i+len(templates.OperatorMarker):])
		if len(f) == 0 {
			return nil, nil, fmt.Errorf("%s: empty %s line", main.Name, templates.OperatorMarker)
		}
		ops = append(ops, operatorLine{Key: f[0], Line: line})
	}
	return ops, prose, sc.Err()
}

// unknownNeed is the error for an operator line an adapter cannot
// provide: the lab must learn every new key rather than skip it.
func unknownNeed(main templates.File, op operatorLine) error {
	return fmt.Errorf("%s: the header leaves %q to the operator, which the lab does not know how to provide: %s", main.Name, op.Key, op.Line)
}
