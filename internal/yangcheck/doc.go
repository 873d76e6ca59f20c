// Package yangcheck checks router configuration that filtergen renders
// against the vendors' own YANG models: Junos curly-brace configuration
// against Juniper's conf-with-extensions models, and Nokia SR OS MD-CLI
// (info, info flat, and bgpq4 -n output) against Nokia's nokia-conf
// models. It catches what a template can get wrong and a unit test of the
// template cannot: an unknown keyword, a statement at the wrong level, a
// missing value, an enum value or number the router refuses, a route
// filter with a bad match type.
//
//	s, err := yangcheck.LoadJunos("shared/yang/junos-24.4R1") // once; about 1 s of CPU
//	for _, e := range s.CheckJunos("edge1.conf", cfg) {
//	    fmt.Println(e) // edge1.conf:42: /configuration/protocols/bgp/group/type: "externa": not one of internal, external
//	}
//
// From the tests of any package (models found through ../shared/yang
// beside the module root or $FILTERGEN_SHARED, loaded once per test
// binary; the test skips when they are absent):
//
//	files := map[string][]byte{"edge1.conf": cfg, "edge1.d/PEER.conf": peer}
//	yangcheck.TestJunos(t, files) // t.Error for every problem in every file
//	yangcheck.TestMDCLI(t, map[string][]byte{"pl.cfg": mdcli})
//
// # Models
//
// The model folders are read in place and never modified. Juniper's files
// are YANG 1.0 with \' escapes that goyang (YANG 1.1) rejects; LoadJunos
// rewrites them in memory. The SR OS folder is a subset of the release:
// LoadSROS drops in memory the includes of absent submodules and the uses
// of undefined groupings directly in container configure, and lists them
// in Schema.Dropped; anything else that does not resolve is a load error,
// so a folder trimmed too far is noticed.
//
// goyang parses the modules and resolves imports, includes and types.
// The checker then builds its own schema graph, expanding each grouping
// once (goyang's Entry trees copy a grouping at every use, which takes
// seconds and hundreds of MB for Junos). Augments are applied at their
// target; augmenting into a grouping is not supported and is a load error.
//
// # What is checked
//
// Junos: containers, lists and their keys (the key value follows the
// keyword: group NAME), the junos:cli-feature extensions (nokeyword
// leaves and lists such as "192.0.2.0/24 exact;" in a route-filter-list,
// homogeneous lists given as a block of entries, oneliner attributes on
// one line), choices (two cases of one choice in one block are an error),
// leaf-lists with [ a b ], the replace:/delete:/inactive: annotations,
// and values: enumerations, integer and decimal ranges, string length,
// YANG patterns and junos:posix-pattern (with the model's message). Beyond
// the models, which type addresses and prefixes as plain strings, the
// checker parses values of Junos's address and prefix typedefs, checks
// route-filter match types (upto /N, prefix-length-range /N-/M, through
// PREFIX against the prefix) and rejects a physical interface name
// carrying a unit ("interfaces { xe-0/0/1.100 ...").
//
// SR OS MD-CLI: absolute paths (/configure ...) that navigate, relative
// commands and blocks, delete, list keys (the first unnamed or named,
// the others as "name value"), quoted values, leaf-lists with [ ], the
// session commands (edit-config, begin, commit, exit [all], top, ...), and
// the same value checks.
//
// Not checked: mandatory nodes, min/max-elements, must and when
// expressions, and leafref targets (a leafref takes any value).
// Statements under a top-level element the loaded subset leaves out are
// reported as unknown, naming the elements it covers.
package yangcheck
