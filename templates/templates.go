package templates

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
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

//go:embed bird2/*.tmpl junos/*.tmpl
var builtin embed.FS

// Builtin returns the embedded templates, "PLATFORM/router.tmpl" and
// "PLATFORM/peer.tmpl" for each supported platform, for a user to copy and
// override.
func Builtin() fs.FS { return builtin }

// Platforms lists the platforms that have templates.
func Platforms() []string { return []string{"bird2", "junos"} }

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

func funcMap() template.FuncMap {
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
	return fm
}

var ownFuncs = template.FuncMap{
	// ident joins parts with "_" into an object name and refuses it unless
	// it passes platform.ValidName.
	"ident": func(parts ...string) (string, error) {
		s := strings.ToUpper(strings.Join(parts, "_"))
		if err := platform.ValidName(s); err != nil {
			return "", err
		}
		return s, nil
	},
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
	// attachment returns the peer's attachment on the router (never nil).
	"attachment": func(p *filtergen.PeerResult, router string) *filtergen.Attachment {
		if a := p.Attachment(router); a != nil {
			return a
		}
		return &filtergen.Attachment{Router: router}
	},
	"bogons": bogons,
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
	// own returns our own space in family fam ("ipv4", "ipv6").
	"own": func(res *filtergen.Result, fam string) []filtergen.PrefixRange {
		for _, o := range res.Own {
			if o.Family == fam {
				return o.Entries
			}
		}
		return nil
	},
	// orLonger widens entries to all their more-specifics.
	"orLonger": func(rs []filtergen.PrefixRange) []filtergen.PrefixRange {
		out := make([]filtergen.PrefixRange, len(rs))
		for i, r := range rs {
			out[i] = filtergen.PrefixRange{Prefix: r.Prefix, Min: uint8(r.Prefix.Bits()), Max: uint8(r.Prefix.Addr().BitLen())}
		}
		return out
	},
	// prefixes returns the prefixes of entries, without their ranges.
	"prefixes": func(rs []filtergen.PrefixRange) []netip.Prefix {
		var out []netip.Prefix
		for i, r := range rs {
			if i == 0 || r.Prefix != rs[i-1].Prefix {
				out = append(out, r.Prefix)
			}
		}
		return out
	},
	"lc": func(c filtergen.LargeCommunity, sep string) string {
		return strconv.FormatUint(uint64(c.Global), 10) + sep + strconv.FormatUint(uint64(c.Data1), 10) + sep +
			strconv.FormatUint(uint64(c.Data2), 10)
	},
	// roleCode is the DATA2 of the relationship community of a role.
	"roleCode": func(r string) uint32 { return filtergen.Role(r).Code() },
	// birdRole is the BIRD "local role" keyword for a session with a
	// neighbor of role r.
	"birdRole": func(r filtergen.Role) string { return strings.ReplaceAll(r.RFC9234(), "-", "_") },
	// secret reveals a session password for the configuration; the
	// characters were checked when it was read.
	"secret":   func(s filtergen.Secret) string { return s.Reveal() },
	"is16":     func(n uint32) bool { return n <= 65535 },
	"junosIFD": func(name string) (string, error) { ifd, _, err := platform.JunosInterface(name); return ifd, err },
	"junosUnit": func(name string) (int, error) {
		_, u, err := platform.JunosInterface(name)
		return u, err
	},
	// localAddr returns the attachment's local address in the family,
	// or an invalid address.
	"localAddr": func(a *filtergen.Attachment, fam string) netip.Addr {
		for _, l := range a.LocalAddresses {
			if l.Is4() == (fam == "ipv4") {
				return l
			}
		}
		return netip.Addr{}
	},
	"antiSpoof": func(p *filtergen.PeerResult, fam string) *filtergen.AntiSpoof {
		for i := range p.AntiSpoofing {
			if p.AntiSpoofing[i].Family == fam {
				return &p.AntiSpoofing[i]
			}
		}
		return nil
	},
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

// neighbors returns the peer's addresses of family fam on the router.
func neighbors(p *filtergen.PeerResult, router, fam string) []netip.Addr {
	var out []netip.Addr
	a := p.Attachment(router)
	if a == nil {
		return nil
	}
	for _, a := range a.Neighbors {
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
	Result *filtergen.Result
	Router filtergen.Router
	Peers  []*filtergen.PeerResult
	// Operator lists what is left to the operator, one OperatorMarker
	// line each (see the package documentation).
	Operator []string
	// RSClients, DefaultExport and BFD say whether any peer on the
	// router is a route-server client, gets a default route only, or
	// uses BFD.
	RSClients, DefaultExport, BFD bool
	// GTSM says whether any session asks for TTL security.
	GTSM bool
	// ROV says whether any import on the router validates origins
	// against the RTR caches.
	ROV bool
}

// OperatorMarker starts each header line of a router's main file that
// names something filtergen leaves to the operator; see the package
// documentation for the keys.
const OperatorMarker = "filtergen-operator:"

// newRouterData computes what the router templates need besides the
// result.
func newRouterData(res *filtergen.Result, router filtergen.Router, peers []*filtergen.PeerResult) routerData {
	d := routerData{Result: res, Router: router, Peers: peers}
	for _, p := range peers {
		d.RSClients = d.RSClients || p.Role == filtergen.RoleRSClient
		d.DefaultExport = d.DefaultExport || p.Export.DefaultOnly
		d.BFD = d.BFD || p.Session.BFD
		d.ROV = d.ROV || p.Import.RejectRPKIInvalid
		d.GTSM = d.GTSM || p.Session.TTLSecurity > 0
	}
	if !router.RouterID.IsValid() {
		d.Operator = append(d.Operator, "router-id")
	}
	if d.BFD {
		d.Operator = append(d.Operator, "bfd")
	}
	if router.Platform == "bird2" {
		d.Operator = append(d.Operator, "kernel")
	}
	if router.Platform == "junos" && d.GTSM {
		d.Operator = append(d.Operator, "gtsm")
	}
	return d
}

type peerData struct {
	Result *filtergen.Result
	Router filtergen.Router
	Peer   *filtergen.PeerResult
	// RPKI is set when RPKI data was used, so that router-side checks
	// are rendered.
	RPKI bool
}

// ErrNoTemplates reports a platform without templates.
var ErrNoTemplates = errors.New("templates: no templates for platform")

// Render renders res for one router: "ROUTER.conf" and one
// "ROUTER.d/PEER.conf" per peer on the router. A platform whose routing
// daemon cannot filter packets (bird2) has an "nft.tmpl": for a router
// with customers it renders "ROUTER.nft", their anti-spoofing rules for
// the host's nftables. The output depends only on res, so rendering twice
// gives identical bytes.
func Render(res *filtergen.Result, router filtergen.Router, opts Options) ([]File, error) {
	if !slices.Contains(Platforms(), router.Platform) {
		return nil, fmt.Errorf("%w %s (router %s)", ErrNoTemplates, strconv.Quote(router.Platform), strconv.Quote(router.Name))
	}
	tmpl, err := load(router.Platform, opts.Overrides)
	if err != nil {
		return nil, err
	}
	var peers []*filtergen.PeerResult
	for _, p := range res.Peers {
		if slices.ContainsFunc(p.Routers, func(r string) bool { return strings.EqualFold(r, router.Name) }) {
			peers = append(peers, p)
		}
	}
	var files []File
	var buf bytes.Buffer
	rd := newRouterData(res, router, peers)
	if err := tmpl.ExecuteTemplate(&buf, "router.tmpl", rd); err != nil {
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
				d := peerData{Result: res, Router: router, Peer: p, RPKI: res.RPKI != nil}
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
	if tmpl.Lookup("nft.tmpl") != nil && slices.ContainsFunc(peers, func(p *filtergen.PeerResult) bool { return p.Customer }) {
		var buf bytes.Buffer
		if err := tmpl.ExecuteTemplate(&buf, "nft.tmpl", rd); err != nil {
			return nil, fmt.Errorf("templates: router %s: %w", router.Name, err)
		}
		files = append(files, File{Name: router.Name + ".nft", Data: buf.Bytes()})
	}
	return files, nil
}

// load parses a platform's templates, each from overrides when it has the
// file and from the built-in set otherwise. nft.tmpl is optional: only
// platforms that need host packet filters have it.
func load(platform string, overrides fs.FS) (*template.Template, error) {
	root := template.New(platform).Option("missingkey=error").Funcs(funcMap())
	for _, name := range []string{"router.tmpl", "peer.tmpl", "nft.tmpl"} {
		path := platform + "/" + name
		var data []byte
		var err error
		if overrides != nil {
			data, err = fs.ReadFile(overrides, path)
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("templates: %s: %w", path, err)
			}
		}
		if data == nil {
			data, err = fs.ReadFile(builtin, path)
			if errors.Is(err, fs.ErrNotExist) && name == "nft.tmpl" {
				continue
			}
			if err != nil {
				return nil, err
			}
		}
		if _, err := root.New(name).Parse(string(data)); err != nil {
			return nil, fmt.Errorf("templates: %w", err)
		}
	}
	return root, nil
}
