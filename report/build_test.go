package report_test

import (
	"bytes"
	"errors"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/report"
)

func pv(p string, origin uint32, src string, st filtergen.RPKIState) filtergen.Provenance {
	pp := netip.MustParsePrefix(p)
	return filtergen.Provenance{Range: filtergen.PrefixRange{Prefix: pp, Min: uint8(pp.Bits()), Max: uint8(pp.Bits())},
		Origin: origin, Source: src, RPKI: st}
}

func acc(p string, origin uint32, src string, st filtergen.RPKIState) filtergen.Accepted {
	return filtergen.Accepted{Provenance: pv(p, origin, src, st)}
}

func drop(p string, origin uint32, src string, st filtergen.RPKIState, r filtergen.DropReason) filtergen.Dropped {
	return filtergen.Dropped{Provenance: pv(p, origin, src, st), Reason: r}
}

const (
	valid    = filtergen.RPKIValid
	invalid  = filtergen.RPKIInvalid
	notFound = filtergen.RPKINotFound
)

// handResult is a Result built by hand, with one peer whose numbers are
// worked out in the comments of TestBuildNumbers.
func handResult() *filtergen.Result {
	v4 := &filtergen.FamilyResult{
		Family: filtergen.IPv4,
		Accepted: []filtergen.Accepted{
			acc("11.0.0.0/8", 100, "RIPE", valid),
			acc("11.2.0.0/16", 100, "RADB", notFound),
			acc("11.3.0.0/16", 200, "RIPE-NONAUTH", valid),
			acc("12.0.0.0/24", 100, "policy", notFound),
		},
		Dropped: []filtergen.Dropped{
			drop("10.0.0.0/8", 100, "RIPE", notFound, filtergen.DropBogon),
			drop("11.1.0.0/16", 300, "RIPE", invalid, filtergen.DropRPKIInvalid),
			drop("11.3.0.0/16", 300, "RADB", invalid, filtergen.DropRPKIInvalid),
			drop("11.4.0.0/25", 100, "RIPE", notFound, filtergen.DropTooLong),
		},
		Count: 4, MaxPrefix: 4,
	}
	v4.Entries = []filtergen.PrefixRange{v4.Accepted[0].Range, v4.Accepted[1].Range, v4.Accepted[2].Range, v4.Accepted[3].Range}
	return &filtergen.Result{
		LocalAS: 65000,
		Routers: []filtergen.Router{{Name: "r1", Platform: "junos"}},
		RPKI:    &filtergen.RPKIInfo{Updated: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), VRPs: 3},
		Peers: []*filtergen.PeerResult{{
			Name: "P", ASN: 100, Role: filtergen.RolePeer, Routers: []string{"r1"},
			Attachments: []filtergen.Attachment{{Router: "r1", Neighbors: []netip.Addr{netip.MustParseAddr("192.0.2.1")}}},
			Import:      filtergen.ImportPolicy{PrefixFilter: true, OriginCheck: true},
			Export:      filtergen.ExportPolicy{Own: true, Customers: true, Peers: true},
			Settings:    filtergen.Settings{DropRPKIInvalid: true},
			ASNs:        []uint32{100, 200, 300, 400},
			Families:    []*filtergen.FamilyResult{v4},
			Expansion: &filtergen.Expansion{
				Sets: []*filtergen.SetTree{{Root: "AS-P", Depth: 1,
					Sets:    []filtergen.SetNode{{Name: "AS-P", Source: "RIPE", ASNs: 4}},
					Missing: []filtergen.MissingSet{{Name: "AS-GONE", Path: []string{"AS-P"}}}}},
				NoRoutes: []filtergen.ConeASN{{ASN: 400, Chain: []string{"AS-P"}}},
				ASPA: &filtergen.ASPACheck{Origins: 2, NotInCone: []filtergen.ASPAOrigin{
					{ASN: 300, Providers: []uint32{999}, Chain: []string{"AS-P"}}}},
			},
		}},
	}
}

func TestBuildNumbers(t *testing.T) {
	r, err := report.Build(handResult(), report.Options{Now: func() time.Time { return reportTime }})
	if err != nil {
		t.Fatal(err)
	}
	n := r.Neighbors[0]
	f := n.Families[0]
	// The bogon 10.0.0.0/8 is left out of the coverage; 11.3.0.0/16 has
	// two origins, one valid: its space counts as valid. Space under the
	// most specific prefix: 11/8 keeps 2^24 - 4*2^16 (11.1, 11.2, 11.3
	// and the /25's /16-less remainder are carved out: 11.4.0.0/25 is
	// 128 addresses).
	want := report.Coverage{
		Valid: 2, Invalid: 2, NotFound: 3,
		ValidSpace:    1<<24 - 3<<16 - 128 + 1<<16,
		InvalidSpace:  1 << 16,
		NotFoundSpace: 1<<16 + 256 + 128,
		ValidPercent:  28.6,
	}
	tot := want.ValidSpace + want.InvalidSpace + want.NotFoundSpace
	want.ValidSpacePercent = float64(int(1000*float64(want.ValidSpace)/float64(tot)+0.5)) / 10
	if diff := cmp.Diff(want, f.RPKI); diff != "" {
		t.Errorf("coverage (-want +got):\n%s", diff)
	}
	if tot != 1<<24+256 {
		t.Errorf("spaces add up to %d, want the /8 and the /24", tot)
	}
	if f.Registered != 6 || f.Candidates != 8 || f.Accepted != 4 || f.Dropped != 4 {
		t.Errorf("registered %d candidates %d accepted %d dropped %d", f.Registered, f.Candidates, f.Accepted, f.Dropped)
	}
	if f.AcceptedSpace != 1<<24+256 {
		t.Errorf("accepted space %d", f.AcceptedSpace)
	}
	wantReasons := []report.ReasonCount{{Reason: "rpki-invalid", Count: 2}, {Reason: "bogon", Count: 1}, {Reason: "too-long", Count: 1}}
	if diff := cmp.Diff(wantReasons, f.DropReasons); diff != "" {
		t.Errorf("drop reasons (-want +got):\n%s", diff)
	}
	// Route objects: the literal prefix is not one. RIPE 4 (the bogon
	// included), RADB 2, RIPE-NONAUTH 1: 3 of 7 non-authoritative.
	wantSrc := []report.SourceCount{{Source: "RIPE", RouteObjects: 4, Authoritative: true},
		{Source: "RADB", RouteObjects: 2}, {Source: "RIPE-NONAUTH", RouteObjects: 1}}
	if diff := cmp.Diff(wantSrc, n.Sources); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
	if n.RouteObjects != 7 || n.NonAuthoritative != 3 || n.NonAuthoritativePercent != 42.9 {
		t.Errorf("route objects %d, non-authoritative %d (%v%%)", n.RouteObjects, n.NonAuthoritative, n.NonAuthoritativePercent)
	}
	if len(f.Invalids) != 2 || f.Invalids[0].Prefix != "11.1.0.0/16" || f.Invalids[0].Accepted {
		t.Errorf("invalids %+v", f.Invalids)
	}
	if f.MaxPrefixUsedPercent != 100 {
		t.Errorf("max-prefix used %v%%", f.MaxPrefixUsedPercent)
	}
	grades := map[string]report.Grade{}
	for _, g := range n.Grades {
		grades[g.Action] = g
	}
	for _, tt := range []struct {
		action, grade string
		reasons       []string
	}{
		{report.ActionFiltering, report.GradePartial, []string{"max-prefix", "AS-GONE", "AS400", "non-authoritative", "ASPA"}},
		{report.ActionAntiSpoofing, report.GradeNA, []string{"not a customer"}},
		{report.ActionGlobalValidation, report.GradeNotReady, []string{"2 route(s) RPKI invalid", "28.6% of 7"}},
	} {
		g := grades[tt.action]
		if g.Grade != tt.grade {
			t.Errorf("%s: grade %s, want %s (%q)", tt.action, g.Grade, tt.grade, g.Reasons)
		}
		all := strings.Join(g.Reasons, "\n")
		for _, w := range tt.reasons {
			if !strings.Contains(all, w) {
				t.Errorf("%s: no reason mentions %q:\n%s", tt.action, w, all)
			}
		}
	}
	// The router: a peer that receives peers' routes is a leak.
	rt := r.Routers[0]
	checks := map[string]report.Check{}
	for _, c := range rt.Checks {
		checks[c.Name] = c
	}
	if c := checks[report.CheckExportPolicy]; c.OK || len(c.Failing) != 1 || !strings.Contains(c.Failing[0], "peers'") {
		t.Errorf("export check %+v", c)
	}
	if c := checks[report.CheckROV]; !c.OK {
		t.Errorf("rov check %+v", c)
	}
	if rt.Limits.PrefixListEntries != 4 || rt.Limits.PrefixListLimit != 85_325 || rt.Limits.HeadroomPercent != 100 {
		t.Errorf("limits %+v", rt.Limits)
	}
	if c := checks[report.CheckLimits]; !c.OK {
		t.Errorf("limits check %+v", c)
	}
}

// A prefix list above Junos's 85,325 entries fails the router's limits
// check, with negative headroom.
func TestBuildLimits(t *testing.T) {
	res := bigResult(100_000)
	r, err := report.Build(res, report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rt := r.Routers[0]
	c := rt.Checks[len(rt.Checks)-1]
	if c.Name != report.CheckLimits || c.OK || len(c.Failing) != 1 || !strings.Contains(c.Failing[0], "T ipv4") {
		t.Errorf("limits check %+v", c)
	}
	if rt.Limits.HeadroomPercent >= 0 {
		t.Errorf("headroom %v%% over the limit", rt.Limits.HeadroomPercent)
	}
}

func TestBuildCustomerChecks(t *testing.T) {
	tests := []struct {
		name       string
		iface      string
		urpf       string
		acl        bool
		grade      string
		spoofingOK bool
	}{
		{"strict and ACL", "xe-0/0/1", "strict", true, report.GradeReady, true},
		{"loose and ACL", "xe-0/0/1", "loose", true, report.GradePartial, true},
		{"ACL only", "xe-0/0/1", "none", true, report.GradePartial, true},
		{"nothing", "xe-0/0/1", "none", false, report.GradeNotReady, false},
		{"no interface", "", "strict", true, report.GradeNotReady, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := handResult()
			p := res.Peers[0]
			p.Role, p.Customer = filtergen.RoleCustomer, true
			p.Export = filtergen.ExportPolicy{Own: true, Customers: true, Peers: true, Providers: true, RouteServers: true}
			p.Attachments[0].Interface = tt.iface
			p.Settings.URPF, p.Settings.IngressACL = tt.urpf, tt.acl
			r, err := report.Build(res, report.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if g := r.Neighbors[0].Grades[1]; g.Grade != tt.grade {
				t.Errorf("anti-spoofing %s, want %s: %q", g.Grade, tt.grade, g.Reasons)
			}
			for _, c := range r.Routers[0].Checks {
				switch c.Name {
				case report.CheckAntiSpoofing:
					if c.OK != tt.spoofingOK {
						t.Errorf("router anti-spoofing check %+v", c)
					}
				case report.CheckExportPolicy:
					if !c.OK {
						t.Errorf("a customer's full table is no leak: %+v", c)
					}
				}
			}
		})
	}
}

func TestBuildErrors(t *testing.T) {
	res := handResult()
	res.Peers[0].Families[0].Accepted = nil
	if _, err := report.Build(res, report.Options{}); !errors.Is(err, report.ErrNoProvenance) {
		t.Errorf("without provenance: %v", err)
	}
	// A compile with KeepGoing: the failed peers are listed.
	cerr := errors.Join(&filtergen.PeerError{Peer: "GONE", Err: errors.New(`expand AS-GONE: irr: "AS-GONE" not found`)})
	r, err := report.Build(handResult(), report.Options{CompileErr: cerr})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]report.Failure{{Name: "GONE", Error: `expand AS-GONE: irr: "AS-GONE" not found`}}, r.Failed); diff != "" {
		t.Errorf("failed (-want +got):\n%s", diff)
	}
	if r.Summary.Failed != 1 {
		t.Errorf("summary failed %d", r.Summary.Failed)
	}
}

func TestChanges(t *testing.T) {
	at := func(d time.Duration) report.Options {
		return report.Options{Now: func() time.Time { return reportTime.Add(d) }}
	}
	prev, err := report.Build(handResult(), at(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	res := handResult()
	// Now: 12.0.0.0/24 is gone, 11.5.0.0/16 is a new invalid, and a
	// neighbor Q is new.
	f := res.Peers[0].Families[0]
	f.Accepted = f.Accepted[:3]
	f.Count = 3
	f.Dropped = append(f.Dropped, drop("11.5.0.0/16", 500, "RIPE", invalid, filtergen.DropRPKIInvalid))
	q := *res.Peers[0]
	q.Name = "Q"
	res.Peers = append(res.Peers, &q)
	cur, err := report.Build(res, report.Options{Now: at(0).Now, Previous: prev})
	if err != nil {
		t.Fatal(err)
	}
	c := cur.Changes
	want := &report.Changes{
		Previous: reportTime.Add(-time.Hour),
		Space: []report.SpaceChange{{Neighbor: "P", Family: filtergen.IPv4, Before: 1<<24 + 256, After: 1 << 24,
			AcceptedBefore: 4, AcceptedAfter: 3}},
		NewInvalids: []report.NeighborInvalid{{Neighbor: "P", Invalid: report.Invalid{Prefix: "11.5.0.0/16", Origin: 500, Source: "RIPE"}}},
		Added:       []string{"Q"},
		Removed:     []string{},
	}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if len(cur.History) != 2 || cur.History[0].Accepted != 4 || cur.History[1].Neighbors["Q"] != 3 {
		t.Errorf("history %+v", cur.History)
	}
	// Reports read back from JSON compare the same.
	var b bytes.Buffer
	if err := prev.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	back, err := report.ReadJSON(&b)
	if err != nil {
		t.Fatal(err)
	}
	cur2, err := report.Build(res, report.Options{Now: at(0).Now, Previous: back})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(cur.Changes, cur2.Changes); diff != "" {
		t.Errorf("changes against the JSON (-direct +json):\n%s", diff)
	}
}

func TestReadJSONRefuses(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"other version", `{"schema_version": 2}`, "schema version 2"},
		{"unknown field", `{"schema_version": 1, "surprise": 1}`, "unknown field"},
		{"not JSON", `{"schema_version": 1`, "unexpected end of JSON input"},
		{"bad family", `{"schema_version": 1, "neighbors": [{"name": "X", "families": [{"family": "ipv5"}]}]}`, `unknown family "ipv5"`},
		{"no family", `{"schema_version": 1, "neighbors": [{"name": "X", "families": [{"accepted": 1}]}]}`, "neighbors[0].families[0]: no family"},
		{"space without family", `{"schema_version": 1, "changes": {"space": [{"neighbor": "X"}]}}`, "changes.space[0]: no family"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := report.ReadJSON(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

// Strings from registries reach the page and the summary escaped.
func TestEscaping(t *testing.T) {
	res := handResult()
	evil := `AS-EVIL<script>alert(1)</script>|[x](javascript:y)`
	res.Peers[0].Expansion.Sets[0].Missing[0].Name = evil
	res.Peers[0].Warnings = []string{evil}
	r, err := report.Build(res, report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var html, md bytes.Buffer
	if err := r.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html.String(), "<script>") || !strings.Contains(html.String(), "&lt;script&gt;") {
		t.Errorf("the HTML does not escape %q", evil)
	}
	m := md.String()
	if regexp.MustCompile(`(^|[^\\])[<\[]`).MatchString(m) || !strings.Contains(m, `\<script>`) {
		t.Errorf("the Markdown does not escape %q:\n%s", evil, m)
	}
	for _, line := range strings.Split(m, "\n") {
		if strings.HasPrefix(line, "| P |") && strings.Count(line, "|")-strings.Count(line, `\|`) != 9 {
			t.Errorf("table row broken: %s", line)
		}
	}
	if err := r.WriteMarkdown(&md, "NOPE"); err == nil {
		t.Error("an unknown neighbor name is no error")
	}
}

func TestLoadLatest(t *testing.T) {
	r, err := report.Build(handResult(), report.Options{Now: func() time.Time { return reportTime }})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{
		"report-20261101T000000Z.json": {Data: []byte(`not read: older`)},
		r.FileName():                   {Data: b.Bytes()},
		"report-latest.json":           {Data: []byte(`not a report's name`)},
		"report.html":                  {Data: []byte(`<html>`)},
	}
	got, err := report.LoadLatest(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if got == nil || !got.GeneratedAt.Equal(reportTime) {
		t.Fatalf("latest %+v", got)
	}
	if got, err := report.LoadLatest(fstest.MapFS{"x": {}}); got != nil || err != nil {
		t.Errorf("empty directory: %v, %v", got, err)
	}
	fsys["report-20270101T000000Z.json"] = &fstest.MapFile{Data: []byte(`{"schema_version": 9}`)}
	if _, err := report.LoadLatest(fsys); !errors.Is(err, report.ErrSchemaVersion) || !strings.Contains(err.Error(), "report-20270101T000000Z.json") {
		t.Errorf("another version: %v", err)
	}
}
