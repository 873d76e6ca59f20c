// Package filtergen compiles a routing policy into vendor-neutral filters
// with provenance for every prefix.
//
// A policy with a peeringdb or members_from section (IXP onboarding) is
// resolved once between loading and compiling:
//
//	pol, err := filtergen.LoadPolicy("rs.yaml")
//	err = filtergen.Populate(ctx, pol, filtergen.PopulateOptions{Getenv: os.Getenv})
//	res, err := filtergen.Compile(ctx, pol, opts)
//
// Populate fills what peers leave out from PeeringDB and builds route-server
// member lists from IX-F exports or PeeringDB; Compile refuses such a
// policy until Populate has succeeded.
package filtergen
