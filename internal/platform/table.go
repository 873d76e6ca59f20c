package platform

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
)

// A Platform is one router platform a policy may name: how its
// configuration writes names and free text, the limits it imposes
// (vendors.md §5) and the software versions its features need. Table is
// the one list of them; the policy loader, the templates and the CLI all
// read it.
type Platform struct {
	// Name is the value of routers[].platform in a policy, and the
	// directory of the platform's templates ("templates/NAME/").
	Name string
	// Title names the platform in rendered headers ("BIRD 2").
	Title string
	// Daemon names the routing software in prose ("BIRD").
	Daemon string
	// Templates is set when the platform renders: filtergen ships
	// templates/NAME/router.tmpl and peer.tmpl. A policy naming a
	// platform without templates is refused when it is loaded.
	Templates bool
	// HostFilters is set for routing daemons that cannot filter packets:
	// their customers' anti-spoofing (uRPF, BCP 38 ACLs) goes to the
	// host's nftables, rendered by the shared host/nft.tmpl.
	HostFilters bool
	// MaxName is the longest object name the platform takes. Generated
	// names also pass ValidName, which is stricter everywhere.
	MaxName int
	// MaxText is the longest description the platform takes; QuoteText
	// says whether free text is written in double quotes (Junos, SR OS,
	// BIRD, OpenBGPD) or bare to the end of the line (Cisco, EOS, FRR).
	MaxText   int
	QuoteText bool
	// MaxListEntries is the most entries one prefix list may hold; 0
	// when no limit is known. A longer list fails the router, naming the
	// list and the limit.
	MaxListEntries int
	// MaxConfigLines is the most lines the router's rendered policy may
	// hold (IOS-XR's default RPL limit); 0 when no limit is known.
	MaxConfigLines int
	// Baseline is the version assumed for a router that declares none:
	// the oldest release filtergen renders for and validates against.
	// A feature newer than it must be enabled by declaring the version.
	Baseline string
	// Features maps a feature to the first version that has it.
	Features map[string]string
}

// The features whose availability depends on the router's version.
const (
	// FeatureASPACheck is BIRD's aspa_check() and ASPA tables.
	FeatureASPACheck = "aspa_check"
	// FeatureASPASet is OpenBGPD's aspa-set block and "avs" filters.
	FeatureASPASet = "aspa-set"
	// FeatureRoleKeyword is OpenBGPD's per-neighbor "role" statement;
	// older releases name the RFC 9234 role in "announce policy ROLE".
	FeatureRoleKeyword = "role"
	// FeatureRPKICacheTCP is FRR's "rpki cache tcp HOST PORT" form;
	// older releases write "rpki cache HOST PORT".
	FeatureRPKICacheTCP = "rpki-cache-tcp"
)

// Table lists every platform, in documentation order.
var Table = []Platform{
	{Name: "bird2", Title: "BIRD 2", Daemon: "BIRD", Templates: true, HostFilters: true,
		MaxName: 64, MaxText: MaxText, QuoteText: true, Baseline: "2.0.12",
		Features: map[string]string{FeatureASPACheck: "2.16"}},
	{Name: "junos", Title: "Junos", Daemon: "Junos", Templates: true,
		MaxName: 255, MaxText: MaxText, QuoteText: true, MaxListEntries: 85325},
	{Name: "iosxe", Title: "Cisco IOS-XE", Daemon: "IOS-XE", Templates: true, MaxName: 32, MaxText: MaxText},
	{Name: "iosxr", Title: "Cisco IOS-XR", Daemon: "IOS-XR", Templates: true, MaxName: 32, MaxText: MaxText, MaxConfigLines: 131072},
	{Name: "nxos", Title: "Cisco NX-OS", Daemon: "NX-OS", Templates: true, MaxName: 63, MaxText: MaxText},
	{Name: "eos", Title: "Arista EOS", Daemon: "EOS", Templates: true, MaxName: 32, MaxText: MaxText},
	{Name: "sros-classic", Title: "Nokia SR OS (classic CLI)", Daemon: "SR OS", Templates: true, MaxName: 32, MaxText: MaxTextSROS, QuoteText: true},
	{Name: "sros-mdcli", Title: "Nokia SR OS (MD-CLI)", Daemon: "SR OS", Templates: true, MaxName: 32, MaxText: MaxTextSROS, QuoteText: true},
	{Name: "frr", Title: "FRR", Daemon: "FRR", Templates: true, HostFilters: true,
		MaxName: 128, MaxText: MaxText, Baseline: "8.4",
		Features: map[string]string{FeatureRPKICacheTCP: "10.0"}},
	{Name: "openbgpd", Title: "OpenBGPD", Daemon: "OpenBGPD", Templates: true, HostFilters: true,
		MaxName: 127, MaxText: MaxTextOpenBGPD, QuoteText: true, Baseline: "7.7",
		Features: map[string]string{FeatureASPASet: "8.0", FeatureRoleKeyword: "8.0"}},
}

// ASPAFeature returns the feature that verifies AS paths against ASPA
// records on p (FeatureASPACheck on BIRD, FeatureASPASet on OpenBGPD),
// or "" when filtergen renders no router-side ASPA for p.
func (p *Platform) ASPAFeature() string {
	for _, f := range []string{FeatureASPACheck, FeatureASPASet} {
		if _, ok := p.Features[f]; ok {
			return f
		}
	}
	return ""
}

// AtLeast reports whether version (empty for p.Baseline) is min or
// newer. A platform without a baseline answers false for an empty
// version, as does a version that does not parse: a template then keeps
// to the syntax older releases take.
func (p *Platform) AtLeast(version, min string) bool {
	if version == "" {
		version = p.Baseline
	}
	if version == "" {
		return false
	}
	h, err := ParseVersion(version)
	if err != nil {
		return false
	}
	m, err := ParseVersion(min)
	if err != nil {
		return false
	}
	return h.Compare(m) >= 0
}

// Lookup returns the platform called name.
func Lookup(name string) (*Platform, bool) {
	for i := range Table {
		if Table[i].Name == name {
			return &Table[i], true
		}
	}
	return nil, false
}

// Names lists the names of every platform; with templates set, only of
// those that render.
func Names(templates bool) []string {
	var out []string
	for _, p := range Table {
		if !templates || p.Templates {
			out = append(out, p.Name)
		}
	}
	return out
}

// A Version is a parsed software version: the runs of digits in it, so
// that "2.0.12", "8.4.4", "24.4R1" and "7.7p0" compare numerically.
type Version []int

// ParseVersion parses s, which must start with a digit and hold at most
// eight numbers.
func ParseVersion(s string) (Version, error) {
	if s == "" || s[0] < '0' || s[0] > '9' || len(s) > 32 {
		return nil, fmt.Errorf("version %s: want numbers separated by dots, such as 8.4 or 24.4R1", strconv.Quote(s))
	}
	var v Version
	n, in := 0, false
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] >= '0' && s[i] <= '9' {
			n, in = n*10+int(s[i]-'0'), true
			if n > 1_000_000 {
				return nil, fmt.Errorf("version %s: number too large", strconv.Quote(s))
			}
			continue
		}
		if i < len(s) && !strings.ContainsRune(".-_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", rune(s[i])) {
			return nil, fmt.Errorf("version %s: character %q not allowed", strconv.Quote(s), s[i])
		}
		if in {
			v = append(v, n)
			n, in = 0, false
		}
	}
	if len(v) > 8 {
		return nil, fmt.Errorf("version %s: too many parts", strconv.Quote(s))
	}
	return v, nil
}

// Compare returns -1, 0 or +1 as v is older than, the same as or newer
// than o; missing trailing numbers count as 0.
func (v Version) Compare(o Version) int {
	for i := range max(len(v), len(o)) {
		a, b := 0, 0
		if i < len(v) {
			a = v[i]
		}
		if i < len(o) {
			b = o[i]
		}
		if c := cmp.Compare(a, b); c != 0 {
			return c
		}
	}
	return 0
}

// CheckVersion reports whether version (empty for the baseline) is a
// version filtergen can read for p.
func (p *Platform) CheckVersion(version string) error {
	if version == "" {
		return nil
	}
	if _, err := ParseVersion(version); err != nil {
		return fmt.Errorf("%s: %w", p.Title, err)
	}
	return nil
}

// Supports reports whether version (empty for p.Baseline) has feature.
// A feature the table does not list for p is not supported.
func (p *Platform) Supports(version, feature string) bool {
	return p.Require(version, feature) == nil
}

// Require returns nil when version (empty for p.Baseline) has feature,
// and otherwise an error that says which version is needed.
func (p *Platform) Require(version, feature string) error {
	need, ok := p.Features[feature]
	if !ok {
		return fmt.Errorf("%s has no %s", p.Title, feature)
	}
	declared := version
	if declared == "" {
		declared = p.Baseline
	}
	have, err := ParseVersion(declared)
	if err != nil {
		return fmt.Errorf("%s: %w", p.Title, err)
	}
	if have.Compare(Version(mustVersion(need))) < 0 {
		if version == "" {
			return fmt.Errorf("%s needs %s %s or later; the router declares no version, so %s is assumed (set version: in the router entry)",
				feature, p.Title, need, p.Baseline)
		}
		return fmt.Errorf("%s needs %s %s or later; the router runs %s", feature, p.Title, need, version)
	}
	return nil
}

func mustVersion(s string) Version {
	v, err := ParseVersion(s)
	if err != nil {
		panic(err) // the table is constant
	}
	return v
}

// Text returns free text s in p's form: sanitised (SanitizeText) to
// p.MaxText, in double quotes where the platform quotes strings. It
// returns an error when nothing printable is left, so that a template
// never writes an empty description.
func (p *Platform) Text(s string) (string, error) {
	t := SanitizeText(s, p.MaxText)
	if t == "" {
		return "", fmt.Errorf("free text %s has nothing printable for %s", strconv.Quote(s), p.Title)
	}
	if p.QuoteText {
		return `"` + t + `"`, nil
	}
	return t, nil
}

// ValidName checks an object name for p: the portable rule (ValidName) and
// p.MaxName.
func (p *Platform) ValidName(s string) error {
	if err := ValidName(s); err != nil {
		return err
	}
	if p.MaxName > 0 && len(s) > p.MaxName {
		return fmt.Errorf("%w %s: longer than %d characters (%s)", ErrInvalidName, strconv.Quote(s), p.MaxName, p.Title)
	}
	return nil
}
