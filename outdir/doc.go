// Package outdir compiles a policy into a directory of router
// configuration files, with the guarantees an unattended pipeline needs:
// plan, check, diff, shrink guard and atomic write.
//
//	pol, _ := filtergen.LoadPolicy("filtergen.yaml")
//	src, _ := filtergen.Open(ctx, pol, filtergen.OpenOptions{})
//	defer src.Close()
//	sum, _, err := outdir.Compile(ctx, pol, src.CompileOptions(), "out", outdir.Options{})
//
// Compile renders each peer's file as soon as the peer is compiled and
// stages it in a temporary file beside its target, so that memory holds
// one peer's filter at a time. The exception is a file that depends on
// the router's other peers (templates.Renderer.Waits: a customer with
// anti-spoofing filters on an SR OS classic-CLI router, whose filter IDs
// are numbered across the router): it renders once every peer is
// compiled, and memory holds those customers' filters until then, as
// templates.Render holds a whole router; a failure there fails the
// customer as a compile error would.
//
// When every peer has succeeded Compile renames the peer files into
// place, then the router files that include them (a crash in between
// leaves a router file whose includes all exist), then removes the files
// of peers no longer in the policy. An interrupted run leaves the old
// files in place; its temporary files are removed by the next run.
// Nothing is written when a peer fails, unless KeepGoing.
//
// The state file also records, for each SR OS classic-CLI router, the
// ingress filters a run wrote and their IDs (templates.Renderer.Filters),
// which the next run passes to the router's renderer
// (templates.Options.Filters): a changed filter then takes an ID that no
// filter still possibly on the router holds, and its peer file deletes
// the filter it replaced. For a peer whose file is not written (a failed
// peer with KeepGoing) the record keeps its previous filters.
//
// The shrink guard compares each peer's accepted prefix count, per
// family, with the count recorded when its file was last written (the
// state file ".filtergen-state.json" in the directory). The new count
// comes from the compiled Result, never from rendered text, so a
// template of one's own cannot switch the guard off. In a directory written
// before the state file existed, the old side is read from the files'
// marker lines, and stale files are found from the next run on.
//
// WriteFiles gives a set of named files that is not a compiled policy (a
// report, an export) the same write path: plan, check or diff, staging
// beside the targets, the lock, temporary files cleaned up.
package outdir
