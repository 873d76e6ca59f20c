// Package irr reads routing-registry (RPSL) data and expands AS-SETs and
// route-sets into AS numbers and prefixes.
//
// It has three parts that share one expansion interface, Expander:
//
//   - Reader, a streaming RPSL reader for registry dumps (plain or gzip),
//   - Registry, an in-memory index built from dumps, safe for concurrent
//     readers, and
//   - the IRRd "!" protocol Client and Server.
//
// Loading dumps and expanding a set:
//
//	b := irr.NewBuilder(irr.LoadOptions{})
//	if err := b.ReadFile(ctx, "ripe.db.gz"); err != nil { ... }
//	reg, err := b.Build()
//	prefixes, report, err := reg.ExpandPrefixes(ctx, "AS-EXAMPLE", irr.IPv4, nil)
//
// Malformed objects in a dump are skipped and reported (Builder.Problems)
// unless LoadOptions.Strict is set. An expansion returns either its
// complete result with a Report (missing sets, loops, ASNs without routes,
// the source of each set) or an error: a root object that does not exist
// (ErrNotFound), a limit exceeded (ErrLimit), or a member that would permit
// everything (ErrForbiddenMember). It never returns part of a result.
//
// Package irr knows nothing of policies or router configuration.
package irr
