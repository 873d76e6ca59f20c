package report

import (
	"time"

	"github.com/filtergen/filtergen/filtergen"
)

// SchemaVersion is the version of the JSON schema (docs/report.md). It
// changes only when a field is removed or changes meaning; new fields may
// be added within a version.
const SchemaVersion = 1

// A Report is the readiness report of one compiled policy.
type Report struct {
	SchemaVersion int       `json:"schema_version"`
	GeneratedAt   time.Time `json:"generated_at"`
	LocalAS       uint32    `json:"local_as"`
	// RPKI describes the RPKI data of the compile; nil without.
	RPKI *RPKIData `json:"rpki,omitempty"`
	// Summary counts grades and prefixes over all neighbors.
	Summary   Summary    `json:"summary"`
	Neighbors []Neighbor `json:"neighbors"`
	// Failed lists the neighbors that could not be compiled at all (a
	// root AS-SET that does not exist, nothing accepted): the worst
	// readiness of all.
	Failed  []Failure `json:"failed"`
	Routers []Router  `json:"routers"`
	// Changes compares the report with the previous one; nil when there
	// is none.
	Changes *Changes `json:"changes,omitempty"`
	// History holds the totals of up to MaxHistory earlier reports,
	// oldest first, and of this one last; empty when there is no earlier
	// report.
	History []HistoryPoint `json:"history"`
}

// A Failure is a neighbor whose compile failed, and why.
type Failure struct {
	Name  string `json:"name"`
	Error string `json:"error"`
}

// RPKIData describes the RPKI snapshot a Result was compiled with.
type RPKIData struct {
	// Updated is when the VRP data was generated; absent when unknown.
	Updated *time.Time `json:"updated,omitempty"`
	VRPs    int        `json:"vrps"`
}

// A Summary totals a report.
type Summary struct {
	Neighbors int `json:"neighbors"`
	// Failed counts the neighbors that could not be compiled.
	Failed   int `json:"failed"`
	Accepted int `json:"accepted"`
	Dropped  int `json:"dropped"`
	// Invalid counts the distinct (prefix, origin) pairs of all
	// neighbors' candidates that are RPKI invalid.
	Invalid int `json:"invalid"`
	// Grades counts, per MANRS action, the neighbors of each grade.
	Grades []GradeCount `json:"grades"`
}

// GradeCount counts the neighbors of each grade for one action.
type GradeCount struct {
	Action   string `json:"action"`
	Ready    int    `json:"ready"`
	Partial  int    `json:"partial"`
	NotReady int    `json:"not_ready"`
	NA       int    `json:"not_applicable"`
}

// A Neighbor is the report of one peer or customer.
type Neighbor struct {
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	ASN         uint32   `json:"asn"`
	Role        string   `json:"role"`
	Routers     []string `json:"routers"`
	// ConeASNs counts the origin ASNs the neighbor may announce.
	ConeASNs int      `json:"cone_asns"`
	Families []Family `json:"families"`
	// Sources counts route objects per registry, and says which count as
	// authoritative.
	Sources          []SourceCount `json:"sources"`
	RouteObjects     int           `json:"route_objects"`
	NonAuthoritative int           `json:"non_authoritative"`
	// NonAuthoritativePercent is NonAuthoritative over RouteObjects, in
	// percent rounded to one decimal.
	NonAuthoritativePercent float64 `json:"non_authoritative_percent"`
	ASSets                  []ASSet `json:"as_sets"`
	// NoRoutes lists the ASNs of the cone that have no route object in
	// any of the neighbor's families.
	NoRoutes []ConeASN `json:"no_routes"`
	// ASPA is nil without RPKI data.
	ASPA     *ASPA    `json:"aspa,omitempty"`
	Warnings []string `json:"warnings"`
	Grades   []Grade  `json:"grades"`
}

// A Family is a neighbor's report in one address family.
type Family struct {
	Family filtergen.Family `json:"family"`
	// Candidates counts every candidate record: route objects, route-set
	// members, literal prefixes and RPKI-valid prefixes added by policy.
	Candidates int `json:"candidates"`
	// Registered counts the distinct prefixes among the candidates,
	// bogons left out.
	Registered int `json:"registered"`
	// Accepted counts the distinct prefix ranges accepted before
	// aggregation: what max-prefix is compared with.
	Accepted int `json:"accepted"`
	// Dropped counts the dropped candidate records, per reason in
	// DropReasons.
	Dropped       int           `json:"dropped"`
	DropReasons   []ReasonCount `json:"drop_reasons"`
	FilterEntries int           `json:"filter_entries"`
	MaxPrefix     int           `json:"max_prefix"`
	// MaxPrefixUsedPercent is Accepted over MaxPrefix, in percent
	// rounded to one decimal.
	MaxPrefixUsedPercent float64 `json:"max_prefix_used_percent"`
	// SpaceUnit is the unit of every *_space field: "addresses" for
	// IPv4, "/64s" for IPv6.
	SpaceUnit string `json:"space_unit"`
	// AcceptedSpace is the address space the accepted prefixes cover.
	AcceptedSpace uint64   `json:"accepted_space"`
	RPKI          Coverage `json:"rpki"`
	// Invalids lists the RPKI-invalid candidates.
	Invalids []Invalid `json:"invalids"`
	// URPF and ACLEntries are set for customers.
	URPF       string `json:"urpf,omitempty"`
	ACLEntries int    `json:"acl_entries"`
}

// ReasonCount counts the candidates dropped for one reason.
type ReasonCount struct {
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

// Coverage is the RPKI state of what a neighbor announces: its
// candidates (bogon prefixes and bogon origins left out: they are never
// routable), by distinct (prefix, origin) pair and by address space.
// Candidates without an origin (route-set members) are unchecked. A prefix with several origins counts in the space of
// its best state (valid, then not-found, then invalid); an address
// counts under the most specific prefix that covers it, so the four
// spaces add up to the space of all candidates.
type Coverage struct {
	Valid     int `json:"valid"`
	Invalid   int `json:"invalid"`
	NotFound  int `json:"not_found"`
	Unchecked int `json:"unchecked"`

	ValidSpace     uint64 `json:"valid_space"`
	InvalidSpace   uint64 `json:"invalid_space"`
	NotFoundSpace  uint64 `json:"not_found_space"`
	UncheckedSpace uint64 `json:"unchecked_space"`
	// ValidPercent and ValidSpacePercent are the valid shares by count
	// and by space, in percent rounded to one decimal.
	ValidPercent      float64 `json:"valid_percent"`
	ValidSpacePercent float64 `json:"valid_space_percent"`
}

// An Invalid is an RPKI-invalid candidate.
type Invalid struct {
	Prefix string   `json:"prefix"`
	Origin uint32   `json:"origin"`
	Source string   `json:"source,omitempty"`
	Chain  []string `json:"chain,omitempty"`
	// Accepted is true when the policy kept it (drop_rpki_invalid off).
	Accepted bool `json:"accepted"`
}

// SourceCount counts the route objects of one registry.
type SourceCount struct {
	Source        string `json:"source"`
	RouteObjects  int    `json:"route_objects"`
	Authoritative bool   `json:"authoritative"`
}

// An ASSet is the tree of one AS-SET the neighbor announces.
type ASSet struct {
	Root  string `json:"root"`
	Depth int    `json:"depth"`
	// Sets lists every set of the tree: the root first, then by depth
	// and name.
	Sets     []SetNode    `json:"sets"`
	Missing  []MissingSet `json:"missing"`
	Loops    [][]string   `json:"loops"`
	Warnings []string     `json:"warnings"`
}

// A SetNode is one set of an AS-SET tree.
type SetNode struct {
	Name   string `json:"name"`
	Source string `json:"source,omitempty"`
	Parent string `json:"parent,omitempty"`
	Depth  int    `json:"depth"`
	ASNs   int    `json:"asns"`
}

// A MissingSet is a referenced set that does not exist.
type MissingSet struct {
	Name string   `json:"name"`
	Path []string `json:"path"`
}

// A ConeASN is an ASN of the cone with the chain of sets to it.
type ConeASN struct {
	ASN   uint32   `json:"asn"`
	Chain []string `json:"chain,omitempty"`
}

// ASPA is the check of the cone's origins against ASPA records.
type ASPA struct {
	// Origins counts the origins of the cone with an ASPA record.
	Origins int `json:"origins"`
	// NotInCone lists the origins none of whose providers is in the
	// neighbor's cone.
	NotInCone []ASPAOrigin `json:"not_in_cone"`
}

// An ASPAOrigin is an origin whose providers are all outside the cone.
type ASPAOrigin struct {
	ASN       uint32   `json:"asn"`
	Providers []uint32 `json:"providers"`
	Chain     []string `json:"chain,omitempty"`
}

// A Grade is the readiness for one MANRS action, with the reasons that
// kept it from a better grade.
type Grade struct {
	Action  string   `json:"action"`
	Grade   string   `json:"grade"`
	Reasons []string `json:"reasons"`
}

// The MANRS actions graded, and the grades.
const (
	ActionFiltering        = "filtering"         // MANRS action 1
	ActionAntiSpoofing     = "anti_spoofing"     // MANRS action 2
	ActionGlobalValidation = "global_validation" // MANRS action 4

	GradeReady    = "ready"
	GradePartial  = "partial"
	GradeNotReady = "not_ready"
	GradeNA       = "not_applicable"
)

// A Router is the report of one router.
type Router struct {
	Name     string `json:"name"`
	Platform string `json:"platform"`
	// Neighbors and Customers count the neighbors on the router.
	Neighbors int `json:"neighbors"`
	Customers int `json:"customers"`
	// Checks lists each router-wide check with the neighbors that fail it.
	Checks []Check `json:"checks"`
	Limits Limits  `json:"limits"`
}

// A Check is a router-wide check: OK when no neighbor fails it.
type Check struct {
	Name    string   `json:"name"`
	OK      bool     `json:"ok"`
	Failing []string `json:"failing"`
	// Note says what the check looked at.
	Note string `json:"note,omitempty"`
}

// Limits compares a router's largest lists with its platform's limits.
type Limits struct {
	// PrefixListEntries is the size of the largest prefix list (a
	// neighbor's filter in one family), LargestList names it.
	PrefixListEntries int    `json:"prefix_list_entries"`
	LargestList       string `json:"largest_list,omitempty"`
	// PrefixListLimit is the platform's cap on one prefix list; 0 when
	// none is known.
	PrefixListLimit int `json:"prefix_list_limit"`
	// TotalEntries sums every prefix-list entry on the router;
	// TotalLimit is the platform's cap on all policy lines (0: none
	// known).
	TotalEntries int `json:"total_entries"`
	TotalLimit   int `json:"total_limit"`
	// HeadroomPercent is the smallest headroom left under a known
	// limit, in percent rounded to one decimal; 100 when no limit is
	// known. Negative means a limit is exceeded.
	HeadroomPercent float64 `json:"headroom_percent"`
	// ACLEntries sums the anti-spoofing ACL entries on the router.
	ACLEntries int `json:"acl_entries"`
}

// Changes compares a report with the previous one.
type Changes struct {
	Previous time.Time `json:"previous"`
	// Space lists the neighbors whose accepted address space grew or
	// shrank, per family.
	Space []SpaceChange `json:"space"`
	// NewInvalids lists invalid candidates not in the previous report.
	NewInvalids []NeighborInvalid `json:"new_invalids"`
	// Added and Removed name neighbors new or gone since.
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
}

// A SpaceChange is a change of one neighbor's accepted space.
type SpaceChange struct {
	Neighbor       string           `json:"neighbor"`
	Family         filtergen.Family `json:"family"`
	Before         uint64           `json:"before"`
	After          uint64           `json:"after"`
	AcceptedBefore int              `json:"accepted_before"`
	AcceptedAfter  int              `json:"accepted_after"`
}

// A NeighborInvalid is an invalid candidate of one neighbor.
type NeighborInvalid struct {
	Neighbor string `json:"neighbor"`
	Invalid
}

// A HistoryPoint is the totals of one report.
type HistoryPoint struct {
	GeneratedAt time.Time `json:"generated_at"`
	Accepted    int       `json:"accepted"`
	Invalid     int       `json:"invalid"`
	// Neighbors maps each neighbor to its accepted prefix count.
	Neighbors map[string]int `json:"neighbors"`
}
