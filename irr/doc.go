// Package irr reads routing-registry (RPSL) data and expands AS-SETs and
// route-sets into AS numbers and prefixes.
//
// It has three parts that share one expansion interface:
//
//   - a streaming RPSL Reader for registry dumps (plain or gzip),
//   - an in-memory Registry built from dumps, safe for concurrent readers,
//   - an IRRd "!" protocol Client and Server.
//
// Package irr knows nothing of policies or router configuration.
package irr
