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
// the whole router's. The files are the same as Render's, byte for byte
// (TestRendererMatchesRender), and so are the checks: each peer's when
// its file renders, the router's with its own files, and the platform's
// line limit through CheckLines. A Renderer is safe for concurrent use.
type Renderer struct {
	tmpl   *template.Template
	router filtergen.Router
	pl     *platform.Platform
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
	return &Renderer{tmpl: tmpl, router: router, pl: pl}, nil
}

// PeerFile returns the name of peer's file for the router,
// "ROUTER.d/PEER.conf", relative to the output directory.
func PeerFile(router, peer string) string { return router + ".d/" + peer + ".conf" }

// Peer renders the file of peer p, which must be on the router.
func (r *Renderer) Peer(res *filtergen.Result, p *filtergen.PeerResult) (File, error) {
	if err := check(res, r.router, r.pl, []*filtergen.PeerResult{p}); err != nil {
		return File{}, err
	}
	var buf bytes.Buffer
	d := peerData{Result: res, Router: r.router, Platform: r.pl, Peer: p, RPKI: res.RPKI != nil}
	if err := r.tmpl.ExecuteTemplate(&buf, "peer.tmpl", d); err != nil {
		return File{}, fmt.Errorf("templates: router %s: peer %s: %w", r.router.Name, p.Name, err)
	}
	data := buf.Bytes()
	if len(data) > 0 && data[len(data)-1] != '\n' {
		data = append(data, '\n')
	}
	return File{Name: PeerFile(r.router.Name, p.Name), Data: data, Peer: p.Name}, nil
}

// Router renders the router's own files: "ROUTER.conf", which includes
// the peer files, and "ROUTER.nft" where the platform filters packets on
// the host and the router has customers. They read the peers' names,
// settings, sessions, counts and anti-spoofing, not their filter entries,
// so they render from a Result whose peers' entries a write path has
// already released.
func (r *Renderer) Router(res *filtergen.Result) ([]File, error) {
	var peers []*filtergen.PeerResult
	for _, p := range res.Peers {
		if slices.ContainsFunc(p.Routers, func(x string) bool { return strings.EqualFold(x, r.router.Name) }) {
			peers = append(peers, p)
		}
	}
	if err := check(res, r.router, r.pl, peers); err != nil {
		return nil, err
	}
	rd := newRouterData(res, r.router, r.pl, peers)
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
func ParseAcceptedFamilies(data []byte) (map[string]int, bool) {
	i := bytes.Index(data, []byte(AcceptedMarker))
	if i < 0 {
		return nil, false
	}
	line := data[i+len(AcceptedMarker):]
	if j := bytes.IndexByte(line, '\n'); j >= 0 {
		line = line[:j]
	}
	m := map[string]int{}
	for _, f := range strings.Fields(string(line)) {
		k, v, ok := strings.Cut(f, "=")
		if !ok || (k != "ipv4" && k != "ipv6") {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			continue
		}
		m[k] = n
	}
	return m, len(m) > 0
}
