package policyschema

import (
	"fmt"
	"strings"
	"time"

	"github.com/filtergen/filtergen/filtergen"
)

// A field documents one key: the single source of its description in
// the schema and in docs/policy.md. Constraints here become schema
// keywords; they restate filtergen's own validation (LoadPolicy stays
// the authority), and the tests check every example against the schema.
type field struct {
	Doc         string // what the key means, in sentences
	DefaultText string // the default as docs say it; "" when none
	Default     any    // the schema default, when it is a literal
	Min, Max    any
	Enum        []any
	Pattern     string
	Format      string // overrides the type's format ("ipv4")
	MaxLength   int
	MinItems    int
	MaxItems    int
	Unique      bool
	Number      bool           // a string that may be written as a bare number
	AnyAge      bool           // a duration that may be "any"
	Range       string         // the allowed values as docs say them, when the keywords do not
	Example     string         // YAML: the key and an example value
	Item        *field         // constraints of a list's items
	Extra       map[string]any // more schema keywords beside a mapping's $ref
}

func (f field) itemField() field {
	if f.Item != nil {
		return *f.Item
	}
	return field{}
}

// rangeText says which values are allowed, from Range or the keywords.
func (f field) rangeText() string {
	if f.Range != "" {
		return f.Range
	}
	g := f
	if f.Item != nil {
		g = *f.Item
	}
	switch {
	case g.Enum != nil:
		var s []string
		for _, e := range g.Enum {
			s = append(s, fmt.Sprintf("`%v`", e))
		}
		return "one of " + strings.Join(s, ", ")
	case g.Min != nil && g.Max != nil:
		return fmt.Sprintf("%v to %v", g.Min, g.Max)
	case g.Min != nil:
		return fmt.Sprintf("%v or more", g.Min)
	}
	return ""
}

// A typeDoc introduces the section of one policy type.
type typeDoc struct {
	Title string // the section heading
	Path  string // the prefix of its keys' paths in the docs ("irr.")
	Intro string
	Extra map[string]any // schema keywords of the object (exclusive keys)
}

const (
	maxU32     = 4294967295
	textRE     = `^[A-Za-z0-9 .,:/()@+=_-]*$`
	hostPortRE = `^[A-Za-z0-9.:\[\]-]{1,255}$`
	sourceRE   = `^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`
	ifaceRE    = `^[A-Za-z][A-Za-z0-9/._:-]{0,63}$`
)

func oneOfRequired(keys ...string) map[string]any {
	var alts []any
	for _, k := range keys {
		alts = append(alts, map[string]any{"required": []any{k}})
	}
	return map[string]any{"oneOf": alts}
}

// sections lists the policy types in the order docs/policy.md documents
// them.
var sections = []string{
	"Policy", "IRRSource", "RPKISource", "RTRCacheConfig", "Router", "Peer", "AttachConfig", "PeerOptions",
	"MaxPrefix", "Lengths", "ImportOptions", "SessionOptions", "PasswordSource", "PeeringDBSource",
	"PeeringDBMaxPrefix", "MembersFrom", "PeeringDBMembers", "IXFExport",
}

// required lists each type's required keys.
var required = map[string][]string{
	"Policy":           {"version", "local_as", "irr", "routers"},
	"RTRCacheConfig":   {"address"},
	"Router":           {"name", "platform"},
	"Peer":             {"name", "asn"},
	"AttachConfig":     {"router"},
	"PeeringDBMembers": {"ix_id"},
	"IXFExport":        {"ixf_id", "shortname"},
}

var typeDocs = map[string]typeDoc{
	"Policy": {Title: "Top level", Path: "",
		Intro: "The policy file is one YAML mapping. `version`, `local_as`, `irr` and `routers` are required, and at least one peer or customer (or `members_from`)."},
	"IRRSource": {Title: "irr", Path: "irr.",
		Intro: "Where routing-registry (IRR) data comes from: RPSL dump files or IRRd whois servers. Set exactly one of `dumps`, `server` and `servers`.",
		Extra: oneOfRequired("dumps", "server", "servers")},
	"RPKISource": {Title: "rpki", Path: "rpki.",
		Intro: "Where validated ROA payloads come from (a VRP file or an RTR cache, at most one), and the RTR caches the routers themselves validate against. Without `vrps` or `rtr` there is no RPKI data, which fails every peer that asks for an RPKI check (`drop_rpki_invalid`, the default).",
		Extra: map[string]any{"not": map[string]any{"required": []any{"vrps", "rtr"}}}},
	"RTRCacheConfig": {Title: "rpki.caches[]", Path: "rpki.caches[].",
		Intro: "An RPKI-to-Router cache the routers validate against (router-side origin validation, RFC 8210). An empty list renders no router-side validation."},
	"Router": {Title: "routers[]", Path: "routers[].",
		Intro: "A router filtergen writes configuration for. Names are unique, compared case-insensitively."},
	"Peer": {Title: "peers[] and customers[]", Path: "peers[].",
		Intro: "A BGP neighbor whose announcements are filtered. Entries of `customers` are neighbors of role customer, which also get anti-spoofing (uRPF and a BCP 38 ingress ACL); entries of `peers` have any other role. Both take the keys below and every peer option (next sections); names are unique across both lists, compared case-insensitively."},
	"AttachConfig": {Title: "peers[].attach[]", Path: "peers[].attach[].",
		Intro: "Where a peer meets one router, when its addresses or interface differ per router. With `attach`, the peer's routers are those of its attachments."},
	"PeerOptions": {Title: "Peer options: defaults, peers[], customers[]", Path: "peers[].",
		Intro: "Per-peer settings. Under `defaults:` they apply to every peer and customer; a peer's own value overrides the default (`max_prefix`, `import` and `session` key by key). `urpf`, `interface` and `ingress_acl` apply to customers only, and `interface` is never a default."},
	"MaxPrefix": {Title: "max_prefix", Path: "peers[].max_prefix.",
		Intro: "The maximum-prefix limit per family. `max_prefix: 200` is short for `{limit: 200}`. The limit of a family is `ipv4`/`ipv6` when set, else `limit`, else for a provider without `announce` the full table (" + fmt.Sprint(filtergen.DefaultFullTableV4) + " IPv4, " + fmt.Sprint(filtergen.DefaultFullTableV6) + " IPv6), else the accepted prefix count times 1+`headroom`, at least `minimum`. A peer's setting overrides the defaults key by key; 0 inherits."},
	"Lengths": {Title: "ipv4, ipv6", Path: "peers[].ipv4.",
		Intro: "The prefix lengths accepted in one family, under `ipv4:` or `ipv6:` of a peer or the defaults; `ipv6` takes the same keys. Defaults: /8 to /24 for IPv4, /12 to /48 for IPv6."},
	"ImportOptions": {Title: "import", Path: "peers[].import.",
		Intro: "The import hygiene every route from the neighbor passes on the router, besides the prefix and origin filter. Unset keys keep the defaults."},
	"SessionOptions": {Title: "session", Path: "peers[].session.",
		Intro: "Transport settings of the peer's BGP sessions. Unset keys keep the defaults."},
	"PasswordSource": {Title: "session.password", Path: "peers[].session.password.",
		Intro: "Where the TCP MD5 password is read from at compile time: a file or an environment variable, exactly one. The password itself never appears in the policy, a log, `--json`, `explain` or an error.",
		Extra: oneOfRequired("file", "env")},
	"PeeringDBSource": {Title: "peeringdb", Path: "peeringdb.",
		Intro: "With `peeringdb:`, what peers leave out (`announce` from the network's IRR AS-SET, `max_prefix` from its prefix counts, `description` from its name) is filled in from PeeringDB: an offline snapshot, or the API (`url`, at most one of them) with an optional cache."},
	"PeeringDBMaxPrefix": {Title: "peeringdb.max_prefix", Path: "peeringdb.max_prefix.",
		Intro: "How PeeringDB's prefix counts (info_prefixes4/6) become limits: max(`minimum`, ceil(count × (1 + `headroom`))). A count of 0 or none leaves the family to the peer's own `max_prefix`, with a warning."},
	"MembersFrom": {Title: "members_from", Path: "members_from.",
		Intro: "Adds an exchange's route-server members as peers of role rs-client, from an IX-F member export or from PeeringDB (exactly one). A peer listed in the policy with the same ASN overrides the generated entry.",
		Extra: oneOfRequired("ixf", "peeringdb")},
	"PeeringDBMembers": {Title: "members_from.peeringdb", Path: "members_from.peeringdb.",
		Intro: "An exchange in PeeringDB, whose netixlan objects list the members. Needs a top-level `peeringdb` section."},
	"IXFExport": {Title: "ixf_export", Path: "ixf_export.",
		Intro: "Describes our exchange for `filtergen ixf-export`, which writes an IX-F member export (schema 1.0) of the policy's route-server peers."},
}

var boolOn = field{DefaultText: "`true`", Default: true}

func on(doc, example string) field {
	f := boolOn
	f.Doc, f.Example = doc, example
	return f
}

func off(doc, example string) field {
	return field{Doc: doc, DefaultText: "`false`", Default: false, Example: example}
}

// fields documents every key, by "Type.key".
var fields = map[string]field{
	// Policy
	"Policy.version": {Doc: "The policy format version. Only version 2 is read; a version 1 file is refused with what to change.",
		Enum: []any{2}, Example: "version: 2"},
	"Policy.local_as": {Doc: "Our own AS number: `64496`, `\"64496\"`, `AS64496` or asdot `AS1.10`. Used by the router templates and as GLOBAL of our large communities. Not 0, 23456 (AS_TRANS), 65535 or 4294967295.",
		Example: "local_as: 64496"},
	"Policy.originate": {Doc: "Our own address space: prefixes (with an optional range operator such as `^+` or `^24-32`), ASNs (`AS64496`), AS-SETs and route-sets, expanded like a peer's `announce`. Announced to every neighbor but route-server clients, originated (network statements, discard routes) on each router with such a neighbor, and rejected from every neighbor (`import.reject_own_prefixes`).",
		DefaultText: "none", Example: "originate: [192.0.2.0/24, 2001:db8:1000::/36]"},
	"Policy.irr":      {Doc: "Where IRR data comes from; see [irr](#IRRSource).", Example: "irr: {dumps: [data/registry.rpsl]}"},
	"Policy.rpki":     {Doc: "Where RPKI data comes from; see [rpki](#RPKISource).", DefaultText: "no RPKI data", Example: "rpki: {vrps: data/vrps.json}"},
	"Policy.defaults": {Doc: "Peer options applied to every peer and customer; see [peer options](#PeerOptions).", DefaultText: "the built-in default of each option", Example: "defaults: {max_prefix: {action: restart, restart_after: 30m}}"},
	"Policy.shrink_guard": {Doc: "The largest fraction by which a peer's accepted prefix count may fall compared with the output on disk before `compile` refuses to write; 0 means the default.",
		DefaultText: fmt.Sprintf("`%v`", filtergen.DefaultShrinkGuard), Default: filtergen.DefaultShrinkGuard, Min: 0, Max: 1, Example: "shrink_guard: 0.3"},
	"Policy.routers": {Doc: "The routers filtergen writes configuration for; see [routers](#Router). At least one.",
		MinItems: 1, Example: "routers: [{name: edge1, platform: junos, router_id: 192.0.2.1}]"},
	"Policy.peers": {Doc: "Neighbors that are not customers: peers, providers, route servers and route-server clients; see [peers](#Peer).",
		DefaultText: "none", Example: "peers: [{name: PEERNET, asn: 64510, announce: [AS-PEERNET], neighbors: [198.51.100.2]}]"},
	"Policy.customers": {Doc: "Neighbors of role customer, which also get anti-spoofing; see [peers and customers](#Peer).",
		DefaultText: "none", Example: "customers: [{name: CUST, asn: 64511, announce: [AS-CUST], interface: eth1, neighbors: [198.18.0.1]}]"},
	"Policy.timeout": {Doc: "Bounds a whole compile (data sources, peers, writing); 0 means the default. Applied by whoever runs the compile (the CLI, outdir.Compile).",
		DefaultText: "`" + shortDuration(filtergen.DefaultCompileTimeout) + "`", Range: "a Go duration (`10m`, `1h`)", Example: "timeout: 10m"},
	"Policy.peeringdb":    {Doc: "Fill in what peers leave out from PeeringDB; see [peeringdb](#PeeringDBSource).", DefaultText: "off", Example: "peeringdb: {snapshot: peeringdb}"},
	"Policy.members_from": {Doc: "Add an exchange's route-server members as peers; see [members_from](#MembersFrom).", DefaultText: "off", Example: "members_from: {ixf: data/members.json}"},
	"Policy.ixf_export":   {Doc: "Our exchange, for an IX-F member export of the policy; see [ixf_export](#IXFExport).", DefaultText: "none (`ixf-export` refuses to run)", Example: "ixf_export: {ixf_id: 999, shortname: EXAMPLE-IX}"},

	// IRRSource
	"IRRSource.dumps": {Doc: "RPSL dump files (plain or gzip), relative to the policy file's directory.",
		Example: "dumps: [data/ripe.db.route.gz, data/ripe.db.as-set.gz]"},
	"IRRSource.server": {Doc: "One IRRd whois server, `host:port`.", Pattern: hostPortRE, Example: "server: rr.ntt.net:43"},
	"IRRSource.servers": {Doc: "IRRd servers, `host:port`, tried in order: when one is down, refuses or resets, the next is used. Use it instead of `server` for failover.",
		MinItems: 1, Unique: true, Item: &field{Pattern: hostPortRE}, Example: "servers: [rr.ntt.net:43, whois.radb.net:43]"},
	"IRRSource.sources": {Doc: "The sources searched for sets, in priority order.", DefaultText: "every source (dumps) or the server's default",
		Item: &field{Pattern: sourceRE}, Range: "source names: a letter or digit, then letters, digits, `_` or `-`, at most 32",
		Example: "sources: [RIPE, ARIN, RADB]"},
	"IRRSource.route_sources": {Doc: "The sources whose route objects count. Sets are never taken from them unless they are also in `sources`. With an IRRd server the selection is made with `!s`, and IRRd's replies do not say which source a route object came from.",
		DefaultText: "`sources`", Item: &field{Pattern: sourceRE}, Range: "source names, as `sources`",
		Example: "route_sources: [RIPE, ARIN]"},

	"IRRSource.query_timeout": {Doc: "Bounds the wait for one answer of an IRRd server; 0 means the default. The command line's `--irr-query-timeout` overrides it.",
		DefaultText: "`" + shortDuration(filtergen.DefaultIRRQueryTimeout) + "`", Range: "a Go duration", Example: "query_timeout: 30s"},
	"IRRSource.timeout": {Doc: "Bounds one expansion against IRRd servers, failover and retries included; 0 means the default. The command line's `--irr-timeout` overrides it.",
		DefaultText: "`" + shortDuration(filtergen.DefaultIRRTimeout) + "`", Range: "a Go duration", Example: "timeout: 2m"},
	// RPKISource
	"RPKISource.vrps": {Doc: "A VRP file (rpki-client JSON, Routinator CSV or JSON, stayrtr JSON), relative to the policy file's directory.",
		Example: "vrps: data/vrps.json"},
	"RPKISource.rtr": {Doc: "An RTR cache filtergen reads VRPs from at compile time, `host:port`.", Pattern: hostPortRE, Example: "rtr: 127.0.0.1:3323"},
	"RPKISource.max_age": {Doc: "The oldest the VRP data may be (by the validator's build time, or the file's modification time for CSV); peers that use RPKI fail on older data. `0` means the default; `any` accepts data of any age.",
		DefaultText: "`" + shortDuration(filtergen.DefaultRPKIMaxAge) + "`", AnyAge: true, Range: "a Go duration (`90m`, `24h`) or `any`", Example: "max_age: 12h"},
	"RPKISource.caches": {Doc: "The RTR caches the routers validate against (router-side origin validation); see [rpki.caches](#RTRCacheConfig).",
		DefaultText: "none: no router-side validation", Example: "caches: [{address: 192.0.2.10, port: 3323, preference: 1}]"},

	// RTRCacheConfig
	"RTRCacheConfig.address": {Doc: "The cache's IP address.", Example: "address: 192.0.2.10"},
	"RTRCacheConfig.port":    {Doc: "The cache's RTR port; 0 means the default.", DefaultText: "`323` (RFC 6810 rpki-rtr)", Min: 0, Max: 65535, Example: "port: 3323"},
	"RTRCacheConfig.preference": {Doc: "Orders the caches, lowest first (RFC 8210 §10); 0 means the cache's position in the list.",
		DefaultText: "the position in the list", Min: 0, Max: 255, Example: "preference: 1"},
	"RTRCacheConfig.refresh": {Doc: "Overrides the cache's RTR refresh interval.", DefaultText: "the cache's own", Range: "whole seconds, 1s to 86400s", Example: "refresh: 5m"},
	"RTRCacheConfig.retry":   {Doc: "Overrides the cache's RTR retry interval.", DefaultText: "the cache's own", Range: "whole seconds, 1s to 7200s", Example: "retry: 10m"},
	"RTRCacheConfig.expire":  {Doc: "Overrides the cache's RTR expire interval.", DefaultText: "the cache's own", Range: "whole seconds, 600s to 172800s", Example: "expire: 2h"},

	// Router
	"Router.name": {Doc: "The router's name; output file names derive from it.", Pattern: `^[A-Za-z][A-Za-z0-9_-]{0,31}$`,
		Range: "a letter, then letters, digits, `_` or `-`, at most 32", Example: "name: edge1"},
	"Router.platform": {Doc: "The router's platform, which selects the templates.", Enum: platforms(), Example: "platform: junos"},
	"Router.version": {Doc: "The software version the router runs. Rendering refuses a feature the version lacks.",
		DefaultText: "the oldest release filtergen renders for", Number: true, Pattern: `^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`,
		Range: "letters, digits and `.` `-` `_`, at most 32; a bare number such as `7.7` is read as text", Example: "version: 24.4R1"},
	"Router.router_id": {Doc: "The BGP router ID, rendered where the platform needs one in the generated file. Unset leaves it to the operator, and the rendered header says so.",
		DefaultText: "unset", Format: "ipv4", Range: "a non-zero IPv4 address", Example: "router_id: 192.0.2.1"},
	"Router.aspa": {Doc: "Turns on router-side AS path verification (ASPA, draft-ietf-sidrops-aspa-verification): every import rejects ASPA-invalid routes, checked upstream for routes from customers, peers, route servers and route-server clients, downstream for routes from providers. BIRD 2.16 or later reads the ASPA records over RTR from `rpki.caches`; OpenBGPD 8.0 or later gets an aspa-set written from the RPKI data filtergen loaded (`rpki.vrps` or `rpki.rtr`). Other platforms, and a router whose `version` lacks it, refuse it.",
		DefaultText: "`false`", Default: false, Example: "aspa: true"},

	// Peer
	"Peer.name": {Doc: "Identifies the peer; router object names and output file names derive from it.", Pattern: `^[A-Za-z][A-Za-z0-9_]{0,19}$`,
		Range: "a letter, then letters, digits or `_`, at most 20", Example: "name: EXAMPLENET"},
	"Peer.asn": {Doc: "The peer's AS number, written as `local_as`. Not 0.", Example: "asn: 64510"},
	"Peer.description": {Doc: "Free text for the router configuration. Filled in from PeeringDB when empty and `peeringdb` is set.",
		DefaultText: "empty", MaxLength: 64, Pattern: textRE,
		Range: "at most 64 characters: letters, digits, space and `. , : / ( ) @ + = _ -`", Example: "description: ExampleNet B.V. (NOC noc@examplenet.example)"},
	"Peer.announce": {Doc: "What the peer may announce: AS-SETs (`AS-FOO`, `AS64500:AS-CUSTOMERS`, `RIPE::AS-FOO`), route-sets (`RS-FOO`), ASNs (`AS64500`, the prefixes it originates) and literal prefixes with an optional range operator (`192.0.2.0/24^24-32`). Required except for providers (whose routes then pass every check but the prefix filter) and when PeeringDB fills it in.",
		Example: "announce: [AS-EXAMPLENET, AS64510, 198.51.100.0/24]"},
	"Peer.role": {Doc: "The relationship, in RFC 9234's vocabulary seen from our side: `peer` (settlement-free), `provider` (sells us transit), `rs-client` (a member of the route server we run), `route-server` (an IXP route server we peer with). Entries of `customers` have role `customer`, which only they may have.",
		DefaultText: "`peer`; `customer` under `customers`", Example: "role: provider"},
	"Peer.neighbors": {Doc: "The peer's session addresses on every router it is on (an IXP LAN); each gets a session in its address family. Use `attach` for addresses that differ per router.",
		DefaultText: "none", Example: "neighbors: [198.51.100.2, 2001:db8:100::2]"},
	"Peer.attach": {Doc: "Per router: the neighbor addresses, our local addresses and the customer interface there; see [attach](#AttachConfig). The peer's routers are then those of `attach`.",
		DefaultText: "none", Example: "attach: [{router: edge1, neighbors: [198.18.0.1], interface: xe-0/0/1.100}]"},
	"Peer.export": {Doc: "What a customer receives: `full` (the full table), `default` (a default route only) or `own-and-customers`. Other roles receive what their role says: our own and our customers' routes, or for rs-client the other members' routes.",
		DefaultText: "`full` for customers", Example: "export: default"},

	// AttachConfig
	"AttachConfig.router":    {Doc: "The router, one of `routers`.", Example: "router: edge1"},
	"AttachConfig.neighbors": {Doc: "The peer's addresses on this router, besides `neighbors` of the peer.", DefaultText: "none", Example: "neighbors: [198.18.0.1, 2001:db8:ffff::1]"},
	"AttachConfig.local_addresses": {Doc: "Our source addresses on this router, at most one per family.", DefaultText: "none: the router chooses",
		MaxItems: 2, Example: `local_addresses: [198.18.0.0, "2001:db8:ffff::"]`},
	"AttachConfig.interface": {Doc: "The customer interface on this router (uRPF and ingress ACL), named as the router's platform names it: Junos `xe-0/0/1.100`, Linux `eth1`.",
		DefaultText: "none", Pattern: ifaceRE, Range: "a letter, then letters, digits and `/ . _ : -`, at most 64", Example: "interface: xe-0/0/1.100"},

	// Options
	"PeerOptions.families": {Doc: "The address families the peer is filtered and has sessions in.", DefaultText: "both",
		MinItems: 1, Unique: true, Item: &field{Enum: []any{filtergen.IPv4.String(), filtergen.IPv6.String()}}, Example: "families: [ipv4]"},
	"PeerOptions.routers": {Doc: "The routers the peer is on (ignored with `attach`).", DefaultText: "every router",
		Example: "routers: [edge1, edge2]"},
	"PeerOptions.max_prefix": {Doc: "The maximum-prefix limit per family: a number, or a mapping; see [max_prefix](#MaxPrefix).",
		DefaultText: fmt.Sprintf("accepted count × %v, at least %d; restart after %s", 1+filtergen.DefaultHeadroom, filtergen.DefaultMinimumMax, shortDuration(filtergen.DefaultRestartAfter)), Example: "max_prefix: 200"},
	"PeerOptions.ipv4": {Doc: "Bounds IPv4 prefix lengths; see [ipv4, ipv6](#Lengths).", DefaultText: "/8 to /24", Example: "ipv4: {max_length: 24}",
		Extra: map[string]any{"properties": map[string]any{"min_length": map[string]any{"maximum": 32}, "max_length": map[string]any{"maximum": 32}}}},
	"PeerOptions.ipv6":              {Doc: "Bounds IPv6 prefix lengths; see [ipv4, ipv6](#Lengths).", DefaultText: "/12 to /48", Example: "ipv6: {min_length: 16, max_length: 48}"},
	"PeerOptions.drop_rpki_invalid": on("Drops IRR prefixes whose origin is RPKI invalid, and renders a router-side check where the platform has one (with `rpki.caches`).", "drop_rpki_invalid: true"),
	"PeerOptions.drop_bogons":       on("Drops bogon prefixes (reserved, private, documentation space).", "drop_bogons: true"),
	"PeerOptions.drop_bogon_asns":   on("Drops prefixes with a bogon origin AS and renders a bogon-AS path check.", "drop_bogon_asns: true"),
	"PeerOptions.aggregate":         on("Merges the prefix filter losslessly (same accepted set, fewer entries).", "aggregate: false"),
	"PeerOptions.enforce_first_as": {Doc: "Requires the peer's AS first in the AS path.", DefaultText: "`true`; `false` for role route-server",
		Example: "enforce_first_as: false"},
	"PeerOptions.rpki_accept_valid":       off("Adds the RPKI-valid prefixes of the peer's ASNs that have no route object.", "rpki_accept_valid: true"),
	"PeerOptions.rpki_tighten_max_length": off("Lowers a filter entry's upper length to the maxLength of the ROAs that make it valid.", "rpki_tighten_max_length: true"),
	"PeerOptions.urpf": {Doc: "The uRPF mode on a customer's interface. Customers only.", DefaultText: "`strict` for customers",
		Enum: []any{"strict", "loose", "none"}, Example: "urpf: loose"},
	"PeerOptions.interface": {Doc: "The customer-facing interface (uRPF and ingress ACL) of a customer on exactly one router; use `attach` otherwise. Customers only, never under `defaults`.",
		DefaultText: "none", Pattern: ifaceRE, Range: "a letter, then letters, digits and `/ . _ : -`, at most 64", Example: "interface: eth1"},
	"PeerOptions.ingress_acl": {Doc: "Renders a BCP 38 source-address ACL on the customer's interface. Customers only.",
		DefaultText: "`true` for customers", Example: "ingress_acl: false"},
	"PeerOptions.fail_on_missing_set": off("Fails the peer when a set nested in one of its AS-SETs or route-sets does not exist, instead of a warning. Off by default: public registries hold many dangling references.", "fail_on_missing_set: true"),
	"PeerOptions.import":              {Doc: "Import hygiene; see [import](#ImportOptions).", DefaultText: "each check's default", Example: "import: {max_path_length: 32}"},
	"PeerOptions.session":             {Doc: "Session transport settings; see [session](#SessionOptions).", DefaultText: "none", Example: "session: {bfd: true}"},

	// MaxPrefix
	"MaxPrefix.limit": {Doc: "A fixed limit for both families; 0 inherits.", DefaultText: "computed", Min: 0, Max: maxU32, Example: "limit: 200"},
	"MaxPrefix.ipv4":  {Doc: "A fixed IPv4 limit; 0 inherits.", DefaultText: "`limit`, or computed", Min: 0, Max: maxU32, Example: "ipv4: 1000"},
	"MaxPrefix.ipv6":  {Doc: "A fixed IPv6 limit; 0 inherits.", DefaultText: "`limit`, or computed", Min: 0, Max: maxU32, Example: "ipv6: 200"},
	"MaxPrefix.headroom": {Doc: "The fraction added to the accepted prefix count for a computed limit; 0 inherits.",
		DefaultText: fmt.Sprintf("`%v`", filtergen.DefaultHeadroom), Min: 0, Max: 10, Example: "headroom: 0.5"},
	"MaxPrefix.minimum": {Doc: "The lowest computed limit; 0 inherits.", DefaultText: fmt.Sprintf("`%v`", filtergen.DefaultMinimumMax), Min: 0, Max: maxU32, Example: "minimum: 50"},
	"MaxPrefix.action": {Doc: "What happens when a limit trips: `restart` tears the session down and restarts it after `restart_after`, `teardown` until an operator clears it, `warning` only logs.",
		DefaultText: "`restart`", Default: "restart", Example: "action: teardown"},
	"MaxPrefix.restart_after": {Doc: "The wait before a restart (Junos idle-timeout's range).", DefaultText: "`" + shortDuration(filtergen.DefaultRestartAfter) + "`", Default: shortDuration(filtergen.DefaultRestartAfter),
		Range: "whole minutes, 1m to 2400m", Example: "restart_after: 60m"},

	// Lengths
	"Lengths.min_length": {Doc: "The shortest prefix length accepted.", DefaultText: "8 (IPv4), 12 (IPv6)", Min: 0, Max: 128,
		Range: "0 to 32 (IPv4), 0 to 128 (IPv6); at most `max_length`", Example: "min_length: 16"},
	"Lengths.max_length": {Doc: "The longest prefix length accepted.", DefaultText: "24 (IPv4), 48 (IPv6)", Min: 0, Max: 128,
		Range: "0 to 32 (IPv4), 0 to 128 (IPv6); at least `min_length`", Example: "max_length: 24"},

	// ImportOptions
	"ImportOptions.max_path_length":   {Doc: "Paths with more ASes are rejected.", DefaultText: fmt.Sprintf("`%d`", filtergen.DefaultMaxPathLength), Default: filtergen.DefaultMaxPathLength, Min: 1, Max: 255, Example: "max_path_length: 32"},
	"ImportOptions.reject_as_set":     on("Rejects paths containing an AS_SET (RFC 9774).", "reject_as_set: true"),
	"ImportOptions.reject_empty_path": on("Rejects routes with an empty AS path.", "reject_empty_path: true"),
	"ImportOptions.enforce_next_hop": {Doc: "Requires the next hop to be the neighbor's own address.",
		DefaultText: "`true` for role rs-client, `false` otherwise", Example: "enforce_next_hop: true"},
	"ImportOptions.reject_own_prefixes": on("Rejects our own space (`originate`) and its more-specifics.", "reject_own_prefixes: true"),
	"ImportOptions.reject_default":      on("Rejects the default routes 0.0.0.0/0 and ::/0.", "reject_default: true"),
	"ImportOptions.graceful_shutdown":   on("Gives routes tagged GRACEFUL_SHUTDOWN (65535:0, RFC 8326) local preference 0.", "graceful_shutdown: true"),
	"ImportOptions.local_pref": {Doc: "The local preference of accepted routes.",
		DefaultText: "per role: customer 200, peer 150, route-server 140, provider 100, rs-client the platform's default",
		Min:         1, Max: maxU32, Example: "local_pref: 120"},

	// SessionOptions
	"SessionOptions.password": {Doc: "The TCP MD5 password's source; see [session.password](#PasswordSource). At most 80 characters.",
		DefaultText: "none", Example: "password: {env: EXAMPLENET_MD5}"},
	"SessionOptions.ttl_security": {Doc: "Enables GTSM (RFC 5082), accepting packets this many hops away. Exclusive with `multihop`.",
		DefaultText: "off", Min: 1, Max: 255, Example: "ttl_security: 1"},
	"SessionOptions.multihop": {Doc: "The eBGP multihop TTL.", DefaultText: "off: a directly connected neighbor", Min: 1, Max: 255, Example: "multihop: 2"},
	"SessionOptions.bfd":      off("Enables BFD on the sessions.", "bfd: true"),

	// PasswordSource
	"PasswordSource.file": {Doc: "A file holding the password, relative to the policy file's directory; a trailing newline is removed.", Example: "file: secrets/examplenet.md5"},
	"PasswordSource.env": {Doc: "An environment variable holding the password.", Pattern: `^[A-Za-z_][A-Za-z0-9_]{0,127}$`,
		Range: "a letter or `_`, then letters, digits or `_`, at most 128", Example: "env: EXAMPLENET_MD5"},

	// PeeringDBSource
	"PeeringDBSource.snapshot": {Doc: "A directory of PeeringDB dumps (`net.json`, `ix.json`, …) or one combined file (gzip accepted), relative to the policy file's directory. Exclusive with `url`.",
		Example: "snapshot: peeringdb"},
	"PeeringDBSource.url": {Doc: "The API root.", DefaultText: "`https://www.peeringdb.com/api` when there is no `snapshot`", Pattern: `^https?://`,
		Range: "an http(s) URL", Example: "url: https://www.peeringdb.com/api"},
	"PeeringDBSource.api_key_file": {Doc: "A file holding the API key, relative to the policy file's directory. Exclusive with `api_key_env`.",
		DefaultText: "none: anonymous, rate-limited", Example: "api_key_file: secrets/peeringdb.key"},
	"PeeringDBSource.api_key_env": {Doc: "An environment variable holding the API key.", DefaultText: "none", Pattern: sourceRE,
		Range: "a letter or digit, then letters, digits, `_` or `-`, at most 32", Example: "api_key_env: PEERINGDB_API_KEY"},
	"PeeringDBSource.cache": {Doc: "A directory for API responses, relative to the policy file's directory. Without one, the API being down fails the peers that need it.",
		DefaultText: "no cache", Example: "cache: cache/peeringdb"},
	"PeeringDBSource.cache_max_age": {Doc: "How old a cached response may be to stand in for the API; 0 means the default.", DefaultText: "`24h`", Example: "cache_max_age: 72h"},
	"PeeringDBSource.timeout":       {Doc: "Bounds each API request; 0 means the default.", DefaultText: "`30s`", Example: "timeout: 10s"},
	"PeeringDBSource.max_prefix": {Doc: "How prefix counts become limits; see [peeringdb.max_prefix](#PeeringDBMaxPrefix).",
		DefaultText: fmt.Sprintf("headroom %v, minimum %d", filtergen.DefaultHeadroom, filtergen.DefaultMinimumMax), Example: "max_prefix: {headroom: 0.5, minimum: 20}"},

	// PeeringDBMaxPrefix
	"PeeringDBMaxPrefix.headroom": {Doc: "The fraction added to the count.", DefaultText: fmt.Sprintf("`%v`", filtergen.DefaultHeadroom), Min: 0, Max: 10, Example: "headroom: 0.5"},
	"PeeringDBMaxPrefix.minimum":  {Doc: "The lowest limit.", DefaultText: fmt.Sprintf("`%v`", filtergen.DefaultMinimumMax), Min: 0, Example: "minimum: 20"},

	// MembersFrom
	"MembersFrom.ixf": {Doc: "An IX-F member export (JSON): a file relative to the policy file's directory, or an http(s) URL.",
		Example: "ixf: data/ixf-members.json"},
	"MembersFrom.ixp_id": {Doc: "Picks the exchange in an IX-F export that lists several; 0 requires the export to list exactly one.",
		DefaultText: "`0`", Min: 0, Example: "ixp_id: 1"},
	"MembersFrom.peeringdb": {Doc: "Takes the members from PeeringDB's netixlan objects of one exchange; see [members_from.peeringdb](#PeeringDBMembers).",
		Example: "peeringdb: {ix_id: 26}"},
	"MembersFrom.exclude": {Doc: "ASNs never made peers (our own route server, test members).", DefaultText: "none", Example: "exclude: [AS64500]"},

	// PeeringDBMembers
	"PeeringDBMembers.ix_id": {Doc: "The exchange's PeeringDB ix ID.", Min: 1, Example: "ix_id: 26"},

	// IXFExport
	"IXFExport.ixp_id":        {Doc: "Numbers the exchange within the export; 0 means the default.", DefaultText: "`1`", Min: 0, Example: "ixp_id: 1"},
	"IXFExport.ixf_id":        {Doc: "The exchange's ID in the IX-F database.", Min: 1, Example: "ixf_id: 999"},
	"IXFExport.peeringdb_id":  {Doc: "The exchange's PeeringDB ix ID.", DefaultText: "none", Min: 0, Example: "peeringdb_id: 26"},
	"IXFExport.shortname":     {Doc: "The exchange's short name.", MaxLength: 64, Pattern: `^[A-Za-z0-9 .,:/()@+=_-]+$`, Range: "1 to 64 characters: letters, digits, space and `. , : / ( ) @ + = _ -`", Example: "shortname: EXAMPLE-IX"},
	"IXFExport.name":          {Doc: "The exchange's full name.", DefaultText: "none", Example: "name: Example Internet Exchange"},
	"IXFExport.country":       {Doc: "The exchange's country, an ISO 3166-1 alpha-2 code.", DefaultText: "none", Example: "country: NL"},
	"IXFExport.url":           {Doc: "The exchange's web site.", DefaultText: "none", Example: "url: https://ix.example"},
	"IXFExport.support_email": {Doc: "The exchange's support address.", DefaultText: "none", Example: "support_email: noc@ix.example"},
	"IXFExport.vlan_id":       {Doc: "The peering LAN's VLAN ID.", DefaultText: "`0`", Min: 0, Max: 4095, Example: "vlan_id: 100"},
	"IXFExport.ipv4":          {Doc: "The peering LAN's IPv4 prefix; neighbors outside it are not listed.", DefaultText: "none: every neighbor listed", Example: "ipv4: 198.51.100.0/24"},
	"IXFExport.ipv6":          {Doc: "The peering LAN's IPv6 prefix; neighbors outside it are not listed.", DefaultText: "none: every neighbor listed", Example: "ipv6: 2001:db8:100::/64"},
}

// shortDuration formats d as a policy file writes it: "30m", "24h".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}
