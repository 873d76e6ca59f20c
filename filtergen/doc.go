// Package filtergen compiles a routing policy into vendor-neutral filters
// with provenance for every prefix.
//
// A policy with a peeringdb or members_from section (IXP onboarding) is
// resolved once between loading and compiling:
//
//	pol, err := filtergen.LoadPolicy("rs.yaml")
//	err = filtergen.Resolve(ctx, pol, filtergen.ResolveOptions{Getenv: os.Getenv})
//	res, err := filtergen.Compile(ctx, pol, opts)
//
// Resolve fills what peers leave out from PeeringDB and builds route-server
// member lists from IX-F exports or PeeringDB; Compile refuses such a
// policy until Resolve has succeeded.
package filtergen
