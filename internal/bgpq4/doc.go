// Package bgpq4 reproduces bgpq4 1.9: its command line, its prefix
// processing (-m, -R, -r and -A aggregation, built on the same radix tree
// shape) and every output format, byte for byte. It is filtergen's
// drop-in for bgpq4 and the proof that filtergen's expansion and
// aggregation agree with it.
//
//	o, err := bgpq4.Parse(os.Args[1:], os.Getenv)   // getopt-style, bgpq4's checks and exit codes
//	err = bgpq4.Generate(ctx, expander, o, stdout, stderr)
//
// Data comes from an irr.Expander, so the same code runs offline on an
// irr.Registry and online on an irr.Client.
//
// Deliberate differences from bgpq4 1.9 (each has a test):
//   - a root object that does not exist, or a failing query, is an error
//     (bgpq4 prints an empty or partial filter and exits 0);
//   - private and reserved origin ASNs are rejected (unless -p) whether or
//     not the server would expand sets itself;
//   - "x/y^n" means lengths n to n (bgpq4 1.9 adds nothing);
//   - prefix ranges expanding to more than MaxRangePrefixes prefixes in all are
//     an error (bgpq4 materialises them and runs out of memory on IPv6);
//   - -h accepts IPv6 literals; -w drops ASNs without routes.
package bgpq4
