// Package report builds the MANRS readiness report of a compiled policy:
// for every neighbor, what its registry data is worth (route objects per
// source, RPKI coverage by count and address space, the AS-SET tree with
// its missing sets and loops, ASPA consistency, max-prefix fit) and a
// grade per MANRS action; for every router, whether its customers are
// filtered and protected against spoofing and how close it is to its
// platform's limits; and what changed since the previous report.
//
// It sees only the filtergen.Result, like the templates, and needs the
// provenance of accepted prefixes (compile without
// CompileOptions.NoAcceptedProvenance):
//
//	res, err := filtergen.Compile(ctx, pol, opts)
//	rep, err := report.Build(res, report.Options{Previous: prev})
//	err = rep.WriteHTML(w)     // one self-contained page
//	err = rep.WriteMarkdown(w) // a short summary for a ticket or an e-mail
//	err = rep.WriteJSON(w)     // the schema of docs/report.md
//
// The JSON of a report reads back with ReadJSON (LoadLatest finds the
// latest in a directory); Build compares the new report with the
// previous one given and continues its history.
package report
