// Package templates renders a compiled filtergen result as router
// configuration for each supported platform.
//
// # What the operator adds
//
// A router's main file ("ROUTER.conf") starts with a header comment. Each
// thing filtergen leaves to the operator has one line there of the form
//
//	<comment> filtergen-operator: KEY free text
//
// where <comment> is the platform's comment start ("#" for BIRD, SR OS
// and nftables, "/*" for Junos, "!" for Cisco-style platforms and EOS), KEY is one
// of the keys below, and the free text (which the parser ignores) tells
// a human what to do. A missing line means nothing of that kind is left
// to do. Tools (the interop lab) parse these lines; every platform uses
// the same keys (OperatorMarker):
//
//	router-id  the policy sets no router_id: configure the BGP router ID
//	bfd        some sessions use BFD and the platform needs it enabled
//	           separately (BIRD: "protocol bfd {}")
//	kernel     the routes the router forwards must be exported to the
//	           forwarding plane by the operator (BIRD: "protocol kernel")
//	gtsm       some sessions use TTL security and the platform only sends
//	           TTL 255; the receive check is a filter of the operator's
//	           (Junos: lo0 input filter)
//	rpki-module  the RTR session needs a daemon module loaded (FRR: bgpd
//	           started with "-M rpki", package frr-rpki-rtrlib)
//	workdir    the file includes others by relative path: run the daemon
//	           in the file's directory (OpenBGPD)
//	removed-peers  loading the files only adds or replaces: neighbors and
//	           objects of peers removed from the policy are removed by the
//	           operator (Cisco, EOS, SR OS)
//	soft-clear a changed inbound policy may apply to new updates only
//	           until the session is soft-cleared (IOS-XE, NX-OS)
//	cleanup    earlier versions of generated objects stay behind,
//	           unreferenced, and may be removed (IOS-XE, NX-OS)
//	as-path-names  the as-path access-lists are named, which the release
//	           must support (IOS-XE)
//	update-source  a session has a local address but no interface: the
//	           platform binds sessions to interfaces (Cisco)
//	urpf       interface uRPF needs a global switch first (NX-OS 9000)
//	rpki-nxos  router-side RPKI syntax is not confirmed on every release
//	           (NX-OS)
//	rpl-limits the platform caps its policy lines (IOS-XR "show rpl
//	           maximum"); larger configurations are refused
//	route-server  the platform has no route-server client mode: it
//	           prepends our AS and sets its own next hop towards rs
//	           clients (EOS, SR OS)
//	filters    replaced ingress filters stay behind under their old ID
//	           and are deleted by the operator (SR OS classic CLI); with
//	           the previous filters known (Options.Filters), the peer
//	           files delete what they replace and the line lists the
//	           filters no longer generated, whose IDs stay reserved
//	local-address  a session's source address needs the interface
//	           that holds it (EOS update-source)
//
// Header comments contain only names that the policy validated (router and
// peer names, platform versions); free text such as descriptions goes
// through the platform's quoting and never into a comment.
//
// # Replacing what was generated before
//
// BIRD objects are named FG_... or after a peer, in files that a reload
// re-reads. Junos objects live in the configuration group FILTERGEN,
// which ROUTER.conf replaces ("replace:") and the peer files extend: a
// "load replace" of ROUTER.conf then of every file of ROUTER.d/, in one
// commit, leaves nothing of a peer removed from the policy. FRR's
// frr.conf is ROUTER.conf followed by every ROUTER.d/*.conf; applied with
// frr-reload.py it removes what a removed peer had. OpenBGPD's
// ROUTER.conf includes every ROUTER.d/*.conf and "bgpctl reload" replaces
// the whole configuration. IOS-XR: ROUTER.conf and every ROUTER.d/*.conf
// are loaded into one commit; prefix-sets, as-path-sets and route-policies
// are redefined whole, ACLs are deleted and redefined in the same commit.
// IOS-XE and NX-OS have no commit that covers a file, so every generated
// list, route-map and ACL whose content can change carries a six-digit
// digest of its content in its name: a changed object is built under a
// new name before the neighbor or interface statement points at it
// (make-before-break, vendors.md §1.4), and an unchanged one is re-entered
// as it is. Earlier versions are left unreferenced ("cleanup").
//
// # Template data
//
// The router template (router.tmpl) and the host template (host/nft.tmpl)
// execute on the router's data: .Result, .Router, .Platform, .Peers (the
// *filtergen.PeerResult on the router) and flags such as .RSClients; a
// peer template (peer.tmpl) on .Result, .Router, .Platform, .Peer and
// .RPKI. Templates written out by "filtergen templates --write" and
// overridden file by file see the same data and functions.
//
// An address family is a filtergen.Family (irr.Family), not a string:
// FamilyResult.Family, AntiSpoof.Family, OwnFamily.Family and the
// policy's Settings.Families. It prints as "ipv4" or "ipv6" ({{ .Family }}),
// and the functions that take a family (bogons, own, ownEntries,
// ownPrefixes, sessions, localAddress, suffix, famIndex, is4, the
// prefix-list and ACL renderers) take one: is4 tests it, ipv4 and ipv6
// are the two families and families is both, IPv4 first:
//
//	{{ if is4 .Family }}inet{{ else }}inet6{{ end }}
//	{{ bogons ipv4 }}   {{ range $fam := families }}...{{ end }}
//
// Earlier versions passed families as the strings "ipv4" and "ipv6". An
// override that still compares with a string ({{ if eq .Family "ipv4" }})
// or passes one ({{ bogons "ipv4" }}) no longer renders: text/template
// refuses to compare a Family with a string, and Render fails with the
// template's name, line and column rather than take the else branch.
// Write is4 .Family (or eq .Family ipv4) and bogons ipv4 instead.
//
// # Platforms
//
// internal/platform's table says which platforms render, how they quote
// text, their limits and the versions their features need. Templates
// reach it through functions bound to the router's platform: ident
// (object names), text (descriptions), comment, supports, require and
// versionAtLeast (features and versions by the router's declared version,
// the platform's baseline when it declares none), and aspaSet. Render
// refuses unsafe names, lists over the platform's limit, an unreadable
// version and router-side ASPA (Router.ASPA) the platform or version
// lacks before any template runs; junosRanges checks the limit again on
// the list it renders, which Junos's longest-match rewrite can lengthen.
// A refused router gets no file at all.
//
// # Rendering a piece at a time
//
// Render renders a router from a whole Result. A Renderer renders the
// same files a piece at a time, for a write path (package outdir) that
// stages each peer's file as soon as the peer is compiled and then lets
// go of its filter: each peer's file (Renderer.Peer), then the router's
// own files (Renderer.Router), which read the peers' settings, counts and
// ACLs but not their filter entries. Render is itself a Renderer run over
// the whole Result, so both give the same bytes.
//
// SR OS classic-CLI ip-filters are not transactional, so each customer's
// filter is built under an ID derived from its content (peer, family and
// permitted prefixes; 10000 to 59999) and swapped on the interface in one
// command. Two filters of one router must never share an ID (their
// entries would merge), so a router's filters are numbered together:
// taking the peers in name order, a filter whose preferred ID is taken
// gets the next free one. A customer's file therefore depends on the
// router's other peers: Renderer.Waits reports such a file, and it renders
// from Renderer.Whole once every peer is compiled. A write path holds
// those customers' filters until then, as Render holds a whole router;
// other peers, and other platforms, stream.
//
// A render knows only its own filters, but the router may still hold
// those of earlier renders: "ip-filter N create" on an existing filter
// N enters it, and a customer whose filter landed on another's old one
// would be permitted the other's sources. A write path therefore keeps
// the list of filters each render numbered (Renderer.Filters: peer,
// family, interface, ID, a digest of the content, and old IDs) and
// passes it to the next render of the router (Options.Filters; package
// outdir keeps it in its state file). Given it, a filter whose peer,
// family, interface and content are unchanged keeps its ID, so an
// unchanged policy renders the same bytes; every other filter avoids
// each ID of the list. A changed filter's file creates the new filter,
// points the interface at it, and only then deletes the versions it
// replaced ("configure filter", "no ip-filter N": a filter an interface
// uses cannot be deleted); their IDs stay reserved for the file's last
// MaxOldFilterIDs versions, so that a written file that was never
// applied is cleaned up by the next one. A filter of the list that the
// render no longer has (a peer left the router, a family is no longer
// filtered, the interface changed) may still be in use on an interface
// filtergen no longer manages: it is not deleted but listed, with its
// removal commands, in the router's "filters" header line, and its IDs
// stay reserved. The numbering assumes the router holds no filter in
// the ID range that the list does not name. Without the list (a first
// run, Render from a library caller), the output is as it was before
// the list existed, and the operator deletes the unreferenced filters.
package templates
