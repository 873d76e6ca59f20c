package templates

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/template"
	"time"

	"github.com/Masterminds/sprig/v3"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/internal/platform"
)

//go:embed */*.tmpl
var builtin embed.FS

// Builtin returns the embedded templates, "PLATFORM/router.tmpl" and
// "PLATFORM/peer.tmpl" for each platform that renders, and
// "host/nft.tmpl", the nftables anti-spoofing shared by the platforms
// whose daemon cannot filter packets, for a user to copy and override.
func Builtin() fs.FS { return builtin }

// Platforms lists the platforms that have templates (platform.Table).
func Platforms() []string { return platform.Names(true) }

// A File is one rendered configuration file, its Name relative to the
// output directory.
type File struct {
	Name string
	Data []byte
	// Peer is the peer the file belongs to; empty for a router's main file.
	Peer string
}

// Options tune rendering.
type Options struct {
	// Overrides, if set, holds templates that replace the built-in ones
	// with the same path ("bird2/peer.tmpl"). Open it with os.Root.FS so
	// that a template name cannot reach outside the directory.
	Overrides fs.FS
}

// sprigAllowed is the allow-list of sprig functions templates may use:
// pure string and list helpers only. Anything random, time-dependent,
// cryptographic or that reads the environment or network stays out, so
// that output is repeatable (--diff) and templates cannot read the machine.
var sprigAllowed = []string{
	"upper", "lower", "trim", "trimPrefix", "trimSuffix", "hasPrefix", "hasSuffix",
	"contains", "replace", "repeat", "indent", "nindent", "join", "default", "empty",
	"add", "sub", "mul", "div", "mod", "max", "min", "list", "first", "last", "has",
	"ternary", "toString", "int",
}

// funcMap returns the functions of pl's templates for router r: the
// allowed sprig helpers, ownFuncs, and the functions bound to the
// platform, so that a template cannot escape text or check a name for the
// wrong platform.
func funcMap(pl *platform.Platform, r filtergen.Router) template.FuncMap {
	sp := sprig.TxtFuncMap()
	fm := template.FuncMap{}
	for _, name := range sprigAllowed {
		f, ok := sp[name]
		if !ok {
			panic("sprig has no " + name) // programmer error: the list is constant
		}
		fm[name] = f
	}
	for k, v := range ownFuncs {
		fm[k] = v
	}
	for k, v := range platformFuncs(pl, r) {
		fm[k] = v
	}
	return fm
}

// platformFuncs are the template functions that depend on the platform
// and the router's declared version.
func platformFuncs(pl *platform.Platform, r filtergen.Router) template.FuncMap {
	return template.FuncMap{
		// ident joins parts with "_" into an object name and refuses it
		// unless it passes the portable rule and the platform's limit.
		"ident": func(parts ...string) (string, error) {
			s := strings.ToUpper(strings.Join(parts, "_"))
			if err := pl.ValidName(s); err != nil {
				return "", err
			}
			return s, nil
		},
		// text writes free text (descriptions) in the platform's form:
		// sanitised, cut to its limit, quoted where it quotes strings.
		"text": pl.Text,
		// comment sanitises text for a comment line: nothing in it can
		// end the comment or start a command.
		"comment": func(s string) string { return platform.SanitizeText(s, 200) },
		// supports reports whether the router's declared version (or the
		// platform's baseline) has a feature; require fails the render
		// with an error saying which version is needed.
		"supports": func(feature string) bool { return pl.Supports(r.Version, feature) },
		"require": func(feature string) (string, error) {
			if err := pl.Require(r.Version, feature); err != nil {
				return "", fmt.Errorf("router %s: %w", r.Name, err)
			}
			return "", nil
		},
	}
}

var ownFuncs = template.FuncMap{
	"quote":  func(s string) string { return platform.Quote(s, platform.MaxText) },
	"asn":    func(n uint32) string { return "AS" + strconv.FormatUint(uint64(n), 10) },
	"suffix": func(fam string) string { return map[string]string{"ipv4": "V4", "ipv6": "V6"}[fam] },
	"rfc3339": func(t time.Time) string {
		if t.IsZero() {
			return "unknown"
		}
		return t.UTC().Format(time.RFC3339)
	},
	"accepted":  acceptedLine,
	"neighbors": neighbors,
	"bogons":    bogons,
	// hasACL reports whether a peer gets ingress ACLs: every family of a
	// customer with ingress_acl on, an empty ACL included (deny all), so
	// that no configured family is left unfiltered.
	"hasACL": func(p *filtergen.PeerResult) bool {
		return p.Customer && p.Settings.IngressACL && len(p.Families) > 0
	},
	"birdRanges": func(rs []filtergen.PrefixRange, indent string) (string, error) {
		return lines(rs, indent, ",", "", platform.AppendBIRD)
	},
	"birdSet": func(ps []netip.Prefix, indent string) (string, error) {
		rs := make([]filtergen.PrefixRange, len(ps))
		for i, p := range ps {
			rs[i] = filtergen.PrefixRange{Prefix: p, Min: uint8(p.Bits()), Max: uint8(p.Addr().BitLen())}
		}
		return lines(rs, indent, ",", "", platform.AppendBIRD)
	},
	"birdInts": func(ns []uint32, indent string) string {
		var b []byte
		for i, n := range ns {
			if i%10 == 0 {
				if i > 0 {
					b = append(b, ",\n"...)
				}
				b = append(b, indent...)
			} else {
				b = append(b, ", "...)
			}
			b = strconv.AppendUint(b, uint64(n), 10)
		}
		return string(b)
	},
	"birdBogonASNs": func() string {
		var parts []string
		for _, r := range filtergen.BogonASNs {
			if r.First == r.Last {
				parts = append(parts, strconv.FormatUint(uint64(r.First), 10))
			} else {
				parts = append(parts, fmt.Sprintf("%d..%d", r.First, r.Last))
			}
		}
		return strings.Join(parts, ", ")
	},
	// junosRanges renders a route-filter-list body. Junos tests a route
	// only against the entries with the longest covering prefix, so the
	// list is first rewritten with filtergen.LongestMatchSafe.
	"junosRanges": func(rs []filtergen.PrefixRange, indent string) (string, error) {
		return lines(filtergen.LongestMatchSafe(rs), indent, "", ";", platform.AppendJunos)
	},
	"junosBogons": func(fam string, indent string) (string, error) {
		var rs []filtergen.PrefixRange
		for _, p := range bogons(fam) {
			rs = append(rs, filtergen.PrefixRange{Prefix: p, Min: uint8(p.Bits()), Max: uint8(p.Addr().BitLen())})
		}
		return lines(rs, indent, "", ";", platform.AppendJunos)
	},
	"junosPrefixes": func(ps []netip.Prefix, indent string) string {
		var b []byte
		for i, p := range ps {
			if i > 0 {
				b = append(b, '\n')
			}
			b = append(b, indent...)
			b = p.AppendTo(b)
			b = append(b, ';')
		}
		return string(b)
	},
	"junosBogonASNs": func() string {
		var parts []string
		for _, r := range filtergen.BogonASNs {
			if r.First == r.Last {
				parts = append(parts, strconv.FormatUint(uint64(r.First), 10))
			} else {
				parts = append(parts, fmt.Sprintf("%d-%d", r.First, r.Last))
			}
		}
		return "(.)* (" + strings.Join(parts, "|") + ") (.)*"
	},
	"junosPaths": junosPaths,
	// nftElements renders the elements of an nftables interval set, one
	// per line.
	"nftElements": func(ps []netip.Prefix, indent string) string {
		var b []byte
		for i, p := range ps {
			if i > 0 {
				b = append(b, ",\n"...)
			}
			b = append(b, indent...)
			b = p.AppendTo(b)
		}
		return string(b)
	},
}

// lines renders entries one per line through a vendor function, with
// sep after every line but the last and term after each.
//
// A full table makes a string of 50 MB, so it is built in a
// strings.Builder, whose String does not copy it again.
func lines(rs []filtergen.PrefixRange, indent, sep, term string, f func([]byte, platform.Entry) []byte) (string, error) {
	var sb strings.Builder
	sb.Grow(len(rs) * (len(indent) + len(sep) + len(term) + 28))
	var line []byte
	for i, r := range rs {
		e := platform.EntryFrom(r.Prefix, r.Min, r.Max)
		if !e.IsValid() {
			return "", fmt.Errorf("templates: invalid filter entry %s", r)
		}
		line = line[:0]
		if i > 0 {
			line = append(line, sep...)
			line = append(line, '\n')
		}
		line = append(line, indent...)
		line = f(line, e)
		line = append(line, term...)
		sb.Write(line)
	}
	return sb.String(), nil
}

// junosPaths renders the as-path-group members: "^P(P)*$" when the peer
// originates its own routes, then "^P(.)*(O1|…)$" (or, without first-AS
// enforcement, "^(.)*(O1|…)$") in groups of 8 origins, as bgpq4 does.
func junosPaths(p *filtergen.PeerResult, indent string) string {
	var b []byte
	n := 0
	line := func(re []byte) {
		if n > 0 {
			b = append(b, '\n')
		}
		b = append(b, indent...)
		b = append(b, "as-path a"...)
		b = strconv.AppendInt(b, int64(n), 10)
		b = append(b, " \""...)
		b = append(b, re...)
		b = append(b, "\";"...)
		n++
	}
	others := make([]uint32, 0, len(p.ASNs))
	for _, a := range p.ASNs {
		if a != p.ASN || !p.Settings.EnforceFirstAS {
			others = append(others, a)
		}
	}
	if p.Settings.EnforceFirstAS && slices.Contains(p.ASNs, p.ASN) {
		line(platform.AppendJunosPathOnly(nil, p.ASN))
	}
	for chunk := range slices.Chunk(others, 8) {
		if p.Settings.EnforceFirstAS {
			line(platform.AppendJunosPathVia(nil, p.ASN, chunk))
		} else {
			line(platform.AppendJunosPathOriginated(nil, chunk))
		}
	}
	return string(b)
}

func neighbors(p *filtergen.PeerResult, fam string) []netip.Addr {
	var out []netip.Addr
	for _, a := range p.Neighbors {
		if a.Unmap().Is4() == (fam == "ipv4") {
			out = append(out, a.Unmap())
		}
	}
	return out
}

func bogons(fam string) []netip.Prefix {
	var out []netip.Prefix
	for _, p := range filtergen.BogonPrefixes {
		if p.Addr().Is4() == (fam == "ipv4") {
			out = append(out, p)
		}
	}
	return out
}

// AcceptedMarker starts the line in every peer file that records how many
// prefixes were accepted per family, which the shrink guard reads back.
const AcceptedMarker = "filtergen-accepted:"

func acceptedLine(p *filtergen.PeerResult) string {
	var b strings.Builder
	b.WriteString(AcceptedMarker)
	b.WriteString(" peer=")
	b.WriteString(p.Name)
	for _, f := range p.Families {
		fmt.Fprintf(&b, " %s=%d", f.Family, f.Count)
	}
	return b.String()
}

// ParseAccepted reads the accepted count back from a rendered peer file:
// the sum over families, and whether the marker was found.
func ParseAccepted(data []byte) (int, bool) {
	i := bytes.Index(data, []byte(AcceptedMarker))
	if i < 0 {
		return 0, false
	}
	line := data[i+len(AcceptedMarker):]
	if j := bytes.IndexByte(line, '\n'); j >= 0 {
		line = line[:j]
	}
	total, found := 0, false
	for _, f := range strings.Fields(string(line)) {
		k, v, ok := strings.Cut(f, "=")
		if !ok || (k != "ipv4" && k != "ipv6") {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			continue
		}
		total += n
		found = true
	}
	return total, found
}

type routerData struct {
	Result   *filtergen.Result
	Router   filtergen.Router
	Platform *platform.Platform
	Peers    []*filtergen.PeerResult
}

type peerData struct {
	Result   *filtergen.Result
	Router   filtergen.Router
	Platform *platform.Platform
	Peer     *filtergen.PeerResult
	// RPKI is set when RPKI data was used, so that router-side checks
	// are rendered.
	RPKI bool
}

// ErrNoTemplates reports a platform without templates.
var ErrNoTemplates = errors.New("templates: no templates for platform")

// ErrLimit reports a list or a configuration larger than the platform
// takes (vendors.md §5).
var ErrLimit = errors.New("templates: over the platform's limit")

// ErrUnsafe reports a name that cannot be written into a configuration
// or a file name as it is.
var ErrUnsafe = errors.New("templates: unsafe name")

// Names written into configurations and file names bare: router and peer
// names (the policy allows less), and interface names, which go in
// quotes or stand alone as a token.
var (
	safeName  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,31}$`)
	safeIface = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_./:-]{0,63}$`)
)

// check refuses, before anything renders, what no template can write
// safely or what the platform cannot take: names outside the safe rules,
// a version the platform table cannot read, and prefix lists longer than
// the platform's limit. Descriptions are escaped by the text and quote
// functions instead.
func check(res *filtergen.Result, router filtergen.Router, pl *platform.Platform, peers []*filtergen.PeerResult) error {
	if !safeName.MatchString(router.Name) {
		return fmt.Errorf("%w: router name %s", ErrUnsafe, strconv.Quote(router.Name))
	}
	if err := pl.CheckVersion(router.Version); err != nil {
		return fmt.Errorf("templates: router %s: %w", router.Name, err)
	}
	for _, p := range peers {
		if !safeName.MatchString(p.Name) {
			return fmt.Errorf("%w: router %s: peer name %s", ErrUnsafe, router.Name, strconv.Quote(p.Name))
		}
		ifaces := []string{p.Settings.Interface}
		for _, a := range p.Attachments {
			ifaces = append(ifaces, a.Interface)
		}
		for _, i := range ifaces {
			if i != "" && !safeIface.MatchString(i) {
				return fmt.Errorf("%w: router %s: peer %s: interface name %s", ErrUnsafe, router.Name, p.Name, strconv.Quote(i))
			}
		}
		if pl.MaxListEntries == 0 {
			continue
		}
		for _, f := range p.Families {
			if len(f.Entries) > pl.MaxListEntries {
				return fmt.Errorf("%w: router %s: peer %s: the %s prefix list has %d entries; %s takes at most %d per list",
					ErrLimit, router.Name, p.Name, f.Family, len(f.Entries), pl.Title, pl.MaxListEntries)
			}
		}
	}
	return nil
}

// Render renders res for one router: "ROUTER.conf" and one
// "ROUTER.d/PEER.conf" per peer on the router. A platform whose routing
// daemon cannot filter packets (bird2) has an "nft.tmpl": for a router
// with customers it renders "ROUTER.nft", their anti-spoofing rules for
// the host's nftables. The output depends only on res, so rendering twice
// gives identical bytes.
func Render(res *filtergen.Result, router filtergen.Router, opts Options) ([]File, error) {
	pl, ok := platform.Lookup(router.Platform)
	if !ok || !pl.Templates {
		return nil, fmt.Errorf("%w %s (router %s)", ErrNoTemplates, strconv.Quote(router.Platform), strconv.Quote(router.Name))
	}
	var peers []*filtergen.PeerResult
	for _, p := range res.Peers {
		if slices.ContainsFunc(p.Routers, func(r string) bool { return strings.EqualFold(r, router.Name) }) {
			peers = append(peers, p)
		}
	}
	if err := check(res, router, pl, peers); err != nil {
		return nil, err
	}
	tmpl, err := load(pl, router, opts.Overrides)
	if err != nil {
		return nil, err
	}
	var files []File
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, "router.tmpl", routerData{Result: res, Router: router, Platform: pl, Peers: peers}); err != nil {
		return nil, fmt.Errorf("templates: router %s: %w", router.Name, err)
	}
	files = append(files, File{Name: router.Name + ".conf", Data: bytes.Clone(buf.Bytes())})
	// Peers render side by side (a template is safe for concurrent
	// use); each worker reuses one buffer, and files keep policy order.
	// The error reported is the first peer's in policy order, as before.
	files = append(files, make([]File, len(peers))...)
	errs := make([]error, len(peers))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(peers)) {
		wg.Go(func() {
			var buf bytes.Buffer
			for i := range next {
				p := peers[i]
				buf.Reset()
				d := peerData{Result: res, Router: router, Platform: pl, Peer: p, RPKI: res.RPKI != nil}
				if err := tmpl.ExecuteTemplate(&buf, "peer.tmpl", d); err != nil {
					errs[i] = fmt.Errorf("templates: router %s: peer %s: %w", router.Name, p.Name, err)
					continue
				}
				data := buf.Bytes()
				if len(data) > 0 && data[len(data)-1] != '\n' {
					data = append(data, '\n')
				}
				files[1+i] = File{Name: router.Name + ".d/" + p.Name + ".conf", Data: bytes.Clone(data), Peer: p.Name}
			}
		})
	}
	for i := range peers {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if pl.HostFilters && slices.ContainsFunc(peers, func(p *filtergen.PeerResult) bool { return p.Customer }) {
		var buf bytes.Buffer
		if err := tmpl.ExecuteTemplate(&buf, "nft.tmpl", routerData{Result: res, Router: router, Platform: pl, Peers: peers}); err != nil {
			return nil, fmt.Errorf("templates: router %s: %w", router.Name, err)
		}
		files = append(files, File{Name: router.Name + ".nft", Data: buf.Bytes()})
	}
	if pl.MaxConfigLines > 0 {
		n := 0
		for _, f := range files {
			n += bytes.Count(f.Data, []byte{'\n'})
		}
		if n > pl.MaxConfigLines {
			return nil, fmt.Errorf("%w: router %s: the configuration has %d lines; %s takes at most %d",
				ErrLimit, router.Name, n, pl.Title, pl.MaxConfigLines)
		}
	}
	return files, nil
}

// load parses a platform's templates, each from overrides when it has the
// file and from the built-in set otherwise. A platform with host filters
// also gets nft.tmpl: "PLATFORM/nft.tmpl" or "host/nft.tmpl" from the
// overrides, else the built-in "host/nft.tmpl".
func load(pl *platform.Platform, r filtergen.Router, overrides fs.FS) (*template.Template, error) {
	root := template.New(pl.Name).Option("missingkey=error").Funcs(funcMap(pl, r))
	type file struct{ name, builtin string }
	files := []file{{"router.tmpl", pl.Name + "/router.tmpl"}, {"peer.tmpl", pl.Name + "/peer.tmpl"}}
	if pl.HostFilters {
		files = append(files, file{"nft.tmpl", "host/nft.tmpl"})
	}
	for _, f := range files {
		var data []byte
		var path string
		var err error
		for _, candidate := range []string{pl.Name + "/" + f.name, f.builtin} {
			if overrides == nil || data != nil {
				break
			}
			data, err = fs.ReadFile(overrides, candidate)
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("templates: %s: %w", candidate, err)
			}
			path = candidate
		}
		if data == nil {
			path = f.builtin
			if data, err = fs.ReadFile(builtin, path); err != nil {
				return nil, fmt.Errorf("templates: %s: %w", path, err)
			}
		}
		if _, err := root.New(f.name).Parse(string(data)); err != nil {
			return nil, fmt.Errorf("templates: %s: %w", path, err)
		}
	}
	return root, nil
}
