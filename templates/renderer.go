package templates

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/template"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/internal/platform"
)

// A Renderer renders one router's files a piece at a time: each peer's
// file as soon as the peer is compiled, and the router's own files last.
// A write path that stages each peer file and then lets go of the peer's
// filter holds one peer's output in memory at a time, where Render holds
// the whole router's. Render itself is a Renderer run over a whole
// Result, so the files are the same, byte for byte, and so are the
// checks: each peer's when its file renders, the router's with its own
// files, and the platform's line limit through CheckLines.
//
// One kind of peer file depends on the other peers of its router: on the
// SR OS classic CLI, the file of a peer with anti-spoofing filters
// (Waits), because filter IDs are numbered across the whole router (see
// the package documentation). Such a file waits until the router's peers
// are all compiled and renders from the Renderer that Whole returns. A
// write path then holds the filters of those peers until the end, as
// Render holds a whole router; every other file streams. Given the
// router's previous filters (Options.Filters), Whole numbers around them
// as Render does, and its Filters is the list to keep for the next run.
//
// A Renderer is safe for concurrent use.
type Renderer struct {
	tmpl   *template.Template
	router filtergen.Router
	pl     *platform.Platform
	// whole is set on a Renderer from Whole: its template numbers the
	// router's classic-CLI filters across every peer of one Result.
	whole bool
	// prev is the router's classic-CLI filters as the previous render
	// left them (Options.Filters); num is Whole's numbering.
	prev []FilterID
	num  *srosNumbering
}

// NewRenderer parses the templates of router's platform, with overrides.
func NewRenderer(router filtergen.Router, opts Options) (*Renderer, error) {
	pl, ok := platform.Lookup(router.Platform)
	if !ok || !pl.Templates {
		return nil, fmt.Errorf("%w %s (router %s)", ErrNoTemplates, strconv.Quote(router.Platform), strconv.Quote(router.Name))
	}
	tmpl, err := load(pl, router, opts.Overrides)
	if err != nil {
		return nil, err
	}
	if pl.Name == "sros-classic" {
		// No filter is numbered before Whole: a peer that has one
		// waits, and a template asking for another peer's ID fails as
		// it does in Render. The previous filters are checked now.
		num, err := srosFilterIDs(nil, router.Name, opts.Filters)
		if err != nil {
			return nil, err
		}
		tmpl.Funcs(num.funcs())
	}
	return &Renderer{tmpl: tmpl, router: router, pl: pl, prev: slices.Clone(opts.Filters)}, nil
}

// Waits reports whether the file of peer p depends on the other peers of
// the router, and so renders only from the Renderer that Whole returns,
// once every peer of the router is compiled: on the SR OS classic CLI, a
// peer with an anti-spoofing filter on the router, whose ID is numbered
// across all of the router's filters.
func (r *Renderer) Waits(p *filtergen.PeerResult) bool {
	return r.pl.Name == "sros-classic" && slices.ContainsFunc(antiSpoofing(p, r.router.Name), srosFiltered)
}

// Whole returns a Renderer for the files that depend on every peer of the
// router: its Peer renders the peers that wait (Waits) too. It numbers
// the router's SR OS classic-CLI filters across res's peers on the
// router, as Render does, so res must hold every one of them, as the
// Result of a finished compile does; their filter entries may already be
// released (the numbering reads the peers' anti-spoofing ACLs only).
func (r *Renderer) Whole(res *filtergen.Result) (*Renderer, error) {
	return r.wholeOf(r.peers(res))
}

func (r *Renderer) wholeOf(peers []*filtergen.PeerResult) (*Renderer, error) {
	w := &Renderer{tmpl: r.tmpl, router: r.router, pl: r.pl, whole: true, prev: r.prev}
	if r.pl.Name != "sros-classic" {
		return w, nil
	}
	num, err := srosFilterIDs(peers, r.router.Name, r.prev)
	if err != nil {
		return nil, err
	}
	t, err := r.tmpl.Clone()
	if err != nil {
		return nil, fmt.Errorf("templates: router %s: %w", r.router.Name, err)
	}
	w.tmpl = t.Funcs(num.funcs())
	w.num = num
	return w, nil
}

// Filters returns the router's SR OS classic-CLI filters after this
// render, for the next render of the router (Options.Filters): each
// filter of its peers with its ID, content digest and the old IDs its
// peer's file deletes, then the filters of the previous render
// (Options.Filters) that this one no longer has, which may still be on
// the router. It is nil but on a Renderer from Whole for a classic-CLI
// router.
//
// A write path that does not write some peers' files (their render
// failed) names them in unwritten: their filters are those of the
// previous render, as the router still has them.
func (r *Renderer) Filters(unwritten ...string) []FilterID {
	if r.num == nil {
		return nil
	}
	out := slices.DeleteFunc(slices.Clone(r.num.filters), func(f FilterID) bool { return slices.Contains(unwritten, f.Peer) })
	for _, f := range r.prev {
		if slices.Contains(unwritten, f.Peer) && !slices.ContainsFunc(out, func(o FilterID) bool {
			return o.Peer == f.Peer && o.Family == f.Family && o.Interface == f.Interface
		}) {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, compareFilterIDs)
	for i := range out {
		out[i].Old = slices.Clone(out[i].Old)
	}
	return out
}

// peers returns res's peers on the router, in policy order.
func (r *Renderer) peers(res *filtergen.Result) []*filtergen.PeerResult {
	var peers []*filtergen.PeerResult
	for _, p := range res.Peers {
		if slices.ContainsFunc(p.Routers, func(x string) bool { return strings.EqualFold(x, r.router.Name) }) {
			peers = append(peers, p)
		}
	}
	return peers
}

// PeerFile returns the name of peer's file for the router,
// "ROUTER.d/PEER.conf", relative to the output directory.
func PeerFile(router, peer string) string { return router + ".d/" + peer + ".conf" }

// Peer renders the file of peer p, which must be on the router. A peer
// that waits (Waits) is refused unless r came from Whole.
func (r *Renderer) Peer(res *filtergen.Result, p *filtergen.PeerResult) (File, error) {
	if err := check(res, r.router, r.pl, []*filtergen.PeerResult{p}); err != nil {
		return File{}, err
	}
	if !r.whole && r.Waits(p) {
		return File{}, fmt.Errorf("templates: router %s: peer %s: its file numbers SR OS classic filters across the router's peers: render it with Renderer.Whole once every peer is compiled",
			r.router.Name, p.Name)
	}
	var buf bytes.Buffer
	return r.peer(res, p, &buf)
}

// peer renders p's file in buf, which it resets, and returns a copy; the
// caller has checked p.
func (r *Renderer) peer(res *filtergen.Result, p *filtergen.PeerResult, buf *bytes.Buffer) (File, error) {
	buf.Reset()
	d := peerData{Result: res, Router: r.router, Platform: r.pl, Peer: p, RPKI: res.RPKI != nil}
	if err := r.tmpl.ExecuteTemplate(buf, "peer.tmpl", d); err != nil {
		return File{}, fmt.Errorf("templates: router %s: peer %s: %w", r.router.Name, p.Name, err)
	}
	data := buf.Bytes()
	if len(data) > 0 && data[len(data)-1] != '\n' {
		data = append(data, '\n')
	}
	return File{Name: PeerFile(r.router.Name, p.Name), Data: bytes.Clone(data), Peer: p.Name}, nil
}

// Router renders the router's own files: "ROUTER.conf", which includes
// the peer files, and "ROUTER.nft" where the platform filters packets on
// the host and the router has customers. They read the peers' names,
// settings, sessions, counts and anti-spoofing, not their filter entries,
// so they render from a Result whose peers' entries a write path has
// already released. A write path renders them from Whole's Renderer, as
// Render does, so that a template of one's own may number filters there.
func (r *Renderer) Router(res *filtergen.Result) ([]File, error) {
	peers := r.peers(res)
	if err := check(res, r.router, r.pl, peers); err != nil {
		return nil, err
	}
	return r.routerFiles(res, peers)
}

// routerFiles renders the router's own files; the caller has checked
// peers.
func (r *Renderer) routerFiles(res *filtergen.Result, peers []*filtergen.PeerResult) ([]File, error) {
	rd := newRouterData(res, r.router, r.pl, peers)
	if r.pl.Name == "sros-classic" {
		num := r.num
		if num == nil {
			var err error
			if num, err = srosFilterIDs(peers, r.router.Name, r.prev); err != nil {
				return nil, err
			}
		}
		rd.SROSOrphans = num.orphans
	}
	var buf bytes.Buffer
	if err := r.tmpl.ExecuteTemplate(&buf, "router.tmpl", rd); err != nil {
		return nil, fmt.Errorf("templates: router %s: %w", r.router.Name, err)
	}
	files := []File{{Name: r.router.Name + ".conf", Data: bytes.Clone(buf.Bytes())}}
	if r.pl.HostFilters && slices.ContainsFunc(peers, func(p *filtergen.PeerResult) bool { return p.Customer }) {
		buf.Reset()
		if err := r.tmpl.ExecuteTemplate(&buf, "nft.tmpl", rd); err != nil {
			return nil, fmt.Errorf("templates: router %s: %w", r.router.Name, err)
		}
		files = append(files, File{Name: r.router.Name + ".nft", Data: bytes.Clone(buf.Bytes())})
	}
	return files, nil
}

// CheckLines returns an error wrapping ErrLimit when lines, the lines of
// all the router's files together, exceed what the platform takes.
func (r *Renderer) CheckLines(lines int) error {
	if r.pl.MaxConfigLines > 0 && lines > r.pl.MaxConfigLines {
		return fmt.Errorf("%w: router %s: the configuration has %d lines; %s takes at most %d",
			ErrLimit, r.router.Name, lines, r.pl.Title, r.pl.MaxConfigLines)
	}
	return nil
}

// ParseAcceptedFamilies reads the accepted count per family back from the
// marker line of a rendered peer file, and whether the marker was found.
// It is the old side of the shrink guard only for output written before
// the output directory kept its own record (outdir's state file).
func ParseAcceptedFamilies(data []byte) (map[filtergen.Family]int, bool) {
	i := bytes.Index(data, []byte(AcceptedMarker))
	if i < 0 {
		return nil, false
	}
	line := data[i+len(AcceptedMarker):]
	if j := bytes.IndexByte(line, '\n'); j >= 0 {
		line = line[:j]
	}
	m := map[filtergen.Family]int{}
	for _, f := range strings.Fields(string(line)) {
		k, v, ok := strings.Cut(f, "=")
		var fam filtergen.Family
		if !ok || fam.UnmarshalText([]byte(k)) != nil {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			continue
		}
		m[fam] = n
	}
	return m, len(m) > 0
}
