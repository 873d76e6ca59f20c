// Package peeringdb reads PeeringDB objects (net, ix, ixlan, ixpfx,
// netixlan) from the PeeringDB REST API or from an offline snapshot.
//
// Both implement Source:
//
//	c := &peeringdb.Client{BaseURL: "https://www.peeringdb.com/api", Cache: &peeringdb.Cache{Dir: dir}}
//	n, err := c.Net(ctx, 64500)
//
//	snap, err := peeringdb.LoadSnapshot("peeringdb/") // net.json, ix.json, … or one combined file
//	members, err := snap.NetIXLans(ctx, 42)
//
// The Client is bounded: every request has a timeout, every response a
// size limit, 429 replies are retried only while Retry-After stays under
// a cap, and a truncated or malformed body is an error, never part of a
// result. With a Cache, successful responses are kept on disk; when the
// API is down a cached response younger than the cache's MaxAge is used
// and the Warn hook is told its age. An older or missing one is an error
// (ErrUnavailable) for the query that needed it.
//
// The API key is sent in the Authorization header only; it never appears
// in an error, a log line or a cache file.
//
// Package peeringdb knows nothing of policies or router configuration.
package peeringdb
