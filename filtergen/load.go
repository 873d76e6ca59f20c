package filtergen

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/filtergen/filtergen/internal/inputfile"

	"github.com/filtergen/filtergen/internal/platform"
)

// MaxPolicySize caps a policy file, checked before it is read into memory.
const MaxPolicySize = 16 << 20

// A PolicyError reports one problem in a policy. Error() reads like
//
//	policy.yaml:12:18: peer "ACME": description: character '"' not allowed
type PolicyError struct {
	File   string // as given to LoadPolicy; may be empty
	Line   int    // 1-based; 0 when unknown (a policy built in Go)
	Column int    // 1-based
	Peer   string // the peer or customer the problem belongs to, if any
	Path   string // the field, such as "peers[2].max_prefix"
	Err    error
}

func (e *PolicyError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "%d:%d:", e.Line, e.Column)
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	if e.Peer != "" {
		fmt.Fprintf(&b, "peer %s: ", strconv.Quote(e.Peer))
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *PolicyError) Unwrap() error { return e.Err }

// ErrPolicy is wrapped by every error that reports a bad policy.
var ErrPolicy = errors.New("invalid policy")

// LoadPolicy reads and validates a policy file. Relative paths in it
// resolve against the file's directory. All problems are reported
// together, each as a *PolicyError.
func LoadPolicy(name string) (*Policy, error) {
	f, err := inputfile.Open(name) // a FIFO or device fails at once instead of hanging
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > MaxPolicySize {
		return nil, fmt.Errorf("%s: policy larger than %d bytes", name, MaxPolicySize)
	}
	data := make([]byte, st.Size())
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, err
	}
	pol, err := ParsePolicy(name, data)
	if err != nil {
		return nil, err
	}
	pol.Dir = filepath.Dir(name)
	return pol, nil
}

// ParsePolicy parses and validates a policy from YAML. name is used in
// messages only.
func ParsePolicy(name string, data []byte) (*Policy, error) {
	if len(data) > MaxPolicySize {
		return nil, fmt.Errorf("%s: policy larger than %d bytes", name, MaxPolicySize)
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &PolicyError{File: name, Err: fmt.Errorf("%w: empty policy", ErrPolicy)}
		}
		return nil, &PolicyError{File: name, Err: fmt.Errorf("%w: %s", ErrPolicy, strings.TrimPrefix(err.Error(), "yaml: "))}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, &PolicyError{File: name, Err: fmt.Errorf("%w: empty policy", ErrPolicy)}
	}
	// A second document ("---") would be silently ignored by a plain
	// Unmarshal: a policy split in two by a stray separator must not
	// compile from its first half.
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		line := 0
		if len(extra.Content) > 0 {
			line = extra.Content[0].Line
		}
		return nil, &PolicyError{File: name, Line: line, Column: 1,
			Err: fmt.Errorf("%w: more than one YAML document: a policy is one document (remove the \"---\" before line %d)", ErrPolicy, line)}
	} else if !errors.Is(err, io.EOF) {
		return nil, &PolicyError{File: name, Err: fmt.Errorf("%w: %s", ErrPolicy, strings.TrimPrefix(err.Error(), "yaml: "))}
	}
	d := &decoder{file: name, pos: map[string]*yaml.Node{}}
	pol := &Policy{File: name}
	d.decode(doc.Content[0], reflect.ValueOf(pol).Elem(), "", "")
	if len(d.errs) > 0 {
		return nil, errors.Join(d.errs...)
	}
	for i := range pol.Customers {
		pol.Customers[i].Customer = true
	}
	pol.pos = d.position
	if _, err := pol.resolve(d.position); err != nil {
		return nil, err
	}
	return pol, nil
}

func (pol *Policy) positionOf() func(string) (int, int) {
	if pol.pos != nil {
		return pol.pos
	}
	return func(string) (int, int) { return 0, 0 }
}

// Validate checks a policy built in Go as LoadPolicy checks a file: both
// run the same checks (Resolve), so a policy built in Go skips none.
func (pol *Policy) Validate() error {
	_, err := pol.Resolve()
	return err
}

// Resolve validates the policy and returns its normalized form: defaults
// merged, announce items parsed, attachments per router. Compile reads
// only that.
func (pol *Policy) Resolve() (*ResolvedPolicy, error) {
	return pol.resolve(func(string) (int, int) { return 0, 0 })
}

// decoder walks a YAML node tree and a Go value together, so that every
// unknown key, wrong type and bad value is reported with its position and
// the peer it belongs to. yaml.v3's own KnownFields reports neither the
// column nor the peer.
type decoder struct {
	file string
	errs []error
	pos  map[string]*yaml.Node // field path -> value node
}

func (d *decoder) position(path string) (int, int) {
	if n, ok := d.pos[path]; ok {
		return n.Line, n.Column
	}
	return 0, 0
}

func (d *decoder) fail(n *yaml.Node, peer, path string, format string, args ...any) {
	d.errs = append(d.errs, &PolicyError{File: d.file, Line: n.Line, Column: n.Column, Peer: peer, Path: path,
		Err: fmt.Errorf("%w: "+format, append([]any{ErrPolicy}, args...)...)})
}

var (
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	maxPrefixType       = reflect.TypeFor[MaxPrefix]()
)

const maxYAMLDepth = 32

func (d *decoder) decode(n *yaml.Node, v reflect.Value, peer, path string) {
	if strings.Count(path, ".") > maxYAMLDepth {
		d.fail(n, peer, path, "nested too deeply")
		return
	}
	if n.Kind == yaml.AliasNode {
		d.fail(n, peer, path, "YAML aliases are not allowed")
		return
	}
	d.pos[path] = n
	t := v.Type()
	if t.Kind() == reflect.Pointer {
		if n.Tag == "!!null" {
			return
		}
		p := reflect.New(t.Elem())
		d.decode(n, p.Elem(), peer, path)
		v.Set(p)
		return
	}
	if reflect.PointerTo(t).Implements(textUnmarshalerType) {
		if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
			d.fail(n, peer, path, "want a single value, got %s", kindName(n))
			return
		}
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(n.Value)); err != nil {
			d.fail(n, peer, path, "%v", err)
		}
		return
	}
	if t == maxPrefixType && n.Kind == yaml.ScalarNode {
		lim, err := strconv.Atoi(n.Value)
		if err != nil || lim <= 0 {
			d.fail(n, peer, path, "want a positive number or {headroom: …, minimum: …}, got %s", strconv.Quote(n.Value))
			return
		}
		v.Set(reflect.ValueOf(MaxPrefix{Limit: lim}))
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			d.fail(n, peer, path, "want a mapping, got %s", kindName(n))
			return
		}
		fields := map[string][]int{}
		collectFields(t, nil, fields)
		if peer == "" && (strings.HasPrefix(path, "peers[") || strings.HasPrefix(path, "customers[")) {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == "name" && n.Content[i+1].Kind == yaml.ScalarNode {
					peer = n.Content[i+1].Value
				}
			}
			if peer == "" {
				peer = path
			}
		}
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			sub := k.Value
			if path != "" {
				sub = path + "." + k.Value
			}
			if seen[k.Value] {
				d.fail(k, peer, sub, "duplicate key")
				continue
			}
			seen[k.Value] = true
			idx, ok := fields[k.Value]
			if !ok {
				d.fail(k, peer, sub, "unknown key %s", strconv.Quote(k.Value))
				continue
			}
			d.decode(val, v.FieldByIndex(idx), peer, sub)
		}
	case reflect.Slice:
		if n.Tag == "!!null" {
			return
		}
		if n.Kind != yaml.SequenceNode {
			d.fail(n, peer, path, "want a list, got %s", kindName(n))
			return
		}
		s := reflect.MakeSlice(t, len(n.Content), len(n.Content))
		for i, e := range n.Content {
			d.decode(e, s.Index(i), peer, fmt.Sprintf("%s[%d]", path, i))
		}
		v.Set(s)
	default:
		if n.Kind != yaml.ScalarNode {
			d.fail(n, peer, path, "want a single value, got %s", kindName(n))
			return
		}
		if t.Kind() == reflect.String && n.Tag != "!!str" && n.Tag != "!!int" && n.Tag != "!!float" {
			d.fail(n, peer, path, "want a string, got %s", strconv.Quote(n.Value))
			return
		}
		if err := n.Decode(v.Addr().Interface()); err != nil {
			d.fail(n, peer, path, "want %s, got %s", typeName(t), strconv.Quote(n.Value))
		}
	}
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	if n.Tag == "!!null" {
		return "nothing"
	}
	return strconv.Quote(n.Value)
}

func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64, reflect.Uint32:
		return "a whole number"
	case reflect.Float64:
		return "a number"
	}
	return "a " + t.String()
}

// collectFields maps yaml keys to field indexes, following inline fields.
func collectFields(t reflect.Type, prefix []int, out map[string][]int) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if tag == "-" || !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		idx := append(append([]int(nil), prefix...), i)
		if opts == "inline" {
			collectFields(f.Type, idx, out)
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = idx
	}
}

var (
	peerNameRE   = tokenRule{first: letters, rest: "_", max: 20}
	routerNameRE = tokenRule{first: letters, rest: "_-", max: 32}
	ifaceRE      = tokenRule{first: letters, rest: "/._:-", max: 64}
	sourceRE     = tokenRule{first: alnum, rest: "_-", max: 32}
	hostPortRE   = tokenRule{first: alnum + ".:[]-", rest: ".:[]-", max: 255}
	versionRE    = tokenRule{first: alnum, rest: ".-_", max: 32}
	envRE        = tokenRule{first: letters + "_", rest: "_", max: 128}
)

// MaxDescription is the longest description allowed (vendors.md §4.2).
const MaxDescription = 64

// CheckText reports why s may not appear as free text in router
// configuration: only ASCII letters, digits, space and . , : / ( ) @ + = _ -
// are allowed, at most max bytes. Rejecting (rather than cleaning) makes
// the operator fix the policy instead of shipping a surprise.
func CheckText(s string, max int) error {
	for i, r := range s {
		ok := r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			strings.ContainsRune(" .,:/()@+=_-", r))
		if !ok {
			return fmt.Errorf("character %s at offset %d not allowed (allowed: letters, digits, space and . , : / ( ) @ + = _ -)", strconv.QuoteRune(r), i)
		}
	}
	if len(s) > max {
		return fmt.Errorf("%d characters, more than %d", len(s), max)
	}
	return nil
}

func (pol *Policy) resolve(pos func(path string) (int, int)) (*ResolvedPolicy, error) {
	var errs []error
	add := func(peer, path string, format string, args ...any) {
		l, c := pos(path)
		errs = append(errs, &PolicyError{File: pol.File, Line: l, Column: c, Peer: peer, Path: path,
			Err: fmt.Errorf("%w: "+format, append([]any{ErrPolicy}, args...)...)})
	}
	switch pol.Version {
	case PolicyVersion:
	case 1:
		add("", "version", "policy version 1 is no longer read: set version: 2. In version 2 a peer has a role "+
			"(peer by default; provider, rs-client, route-server), a customer or peer on several routers lists its "+
			"per-router neighbors and interface under attach: [{router, neighbors, interface}], and max_prefix "+
			"trips restart after 30m unless its action says otherwise (README, \"Policy version 2\")")
	default:
		add("", "version", "want version: %d, got %d", PolicyVersion, pol.Version)
	}
	if pol.LocalAS == 0 {
		add("", "local_as", "missing or zero local_as: set our own AS number")
	} else if n := uint32(pol.LocalAS); n == 23456 || n == 65535 || n == math.MaxUint32 {
		add("", "local_as", "%s is reserved (AS_TRANS or last AS) and cannot be our AS", pol.LocalAS)
	}
	switch {
	case pol.IRR.Server != "" && pol.IRR.Servers != nil:
		add("", "irr", "set server or servers, not both")
	case len(pol.IRR.Dumps) > 0 && pol.IRR.Server != "":
		add("", "irr", "set dumps or server, not both")
	case len(pol.IRR.Dumps) > 0 && len(pol.IRR.Servers) > 0:
		add("", "irr", "set dumps or servers, not both")
	case pol.IRR.Servers != nil && len(pol.IRR.Servers) == 0:
		add("", "irr.servers", "empty list of servers")
	case len(pol.IRR.Dumps) == 0 && pol.IRR.Server == "" && len(pol.IRR.Servers) == 0:
		add("", "irr", "set dumps (RPSL files), server (host:port) or servers (a list of host:port)")
	}
	if pol.IRR.Server != "" && !hostPortRE.MatchString(pol.IRR.Server) {
		add("", "irr.server", "want host:port, got %s", strconv.Quote(pol.IRR.Server))
	}
	seenServer := map[string]bool{}
	for i, s := range pol.IRR.Servers {
		path := fmt.Sprintf("irr.servers[%d]", i)
		switch {
		case !hostPortRE.MatchString(s):
			add("", path, "want host:port, got %s", strconv.Quote(s))
		case seenServer[strings.ToLower(s)]:
			add("", path, "duplicate server %s", strconv.Quote(s))
		}
		seenServer[strings.ToLower(s)] = true
	}
	for _, l := range []struct {
		name string
		v    []string
	}{{"irr.sources", pol.IRR.Sources}, {"irr.route_sources", pol.IRR.RouteSources}} {
		for i, s := range l.v {
			if !sourceRE.MatchString(s) {
				add("", fmt.Sprintf("%s[%d]", l.name, i), "bad source name %s", strconv.Quote(s))
			}
		}
	}
	for i, f := range pol.IRR.Dumps {
		if f == "" || strings.ContainsRune(f, 0) {
			add("", fmt.Sprintf("irr.dumps[%d]", i), "bad file name %s", strconv.Quote(f))
		}
	}
	if pol.RPKI.VRPs != "" && pol.RPKI.RTR != "" {
		add("", "rpki", "set vrps or rtr, not both")
	}
	if pol.RPKI.RTR != "" && !hostPortRE.MatchString(pol.RPKI.RTR) {
		add("", "rpki.rtr", "want host:port, got %s", strconv.Quote(pol.RPKI.RTR))
	}
	if pol.RPKI.MaxAge < 0 && pol.RPKI.MaxAge != AnyAge {
		add("", "rpki.max_age", "negative max_age: use \"any\" to accept data of any age")
	}
	if math.IsNaN(pol.ShrinkGuard) || pol.ShrinkGuard < 0 || pol.ShrinkGuard > 1 {
		add("", "shrink_guard", "want a fraction between 0 and 1, got %v", pol.ShrinkGuard)
	}
	if len(pol.Routers) == 0 {
		add("", "routers", "no routers")
	}
	routers := map[string]bool{}
	platformOf := map[string]string{}
	for i, r := range pol.Routers {
		p := fmt.Sprintf("routers[%d]", i)
		if !routerNameRE.MatchString(r.Name) {
			add("", p+".name", "router name %s: want a letter, then letters, digits, _ or -, at most 32", strconv.Quote(r.Name))
		} else if routers[strings.ToLower(r.Name)] {
			add("", p+".name", "duplicate router %s", strconv.Quote(r.Name))
		}
		routers[strings.ToLower(r.Name)] = true
		switch pl, ok := platform.Lookup(r.Platform); {
		case !ok:
			add("", p+".platform", "router %s: unknown platform %s (want one of %s)", strconv.Quote(r.Name),
				strconv.Quote(r.Platform), strings.Join(platform.Names(false), ", "))
		case !pl.Templates:
			add("", p+".platform", "router %s: platform %s has no templates yet (platforms that render: %s)",
				strconv.Quote(r.Name), strconv.Quote(r.Platform), strings.Join(platform.Names(true), ", "))
		default:
			if err := pl.CheckVersion(r.Version); err != nil {
				add("", p+".version", "router %s: %v", strconv.Quote(r.Name), err)
				break
			}
			if !r.ASPA {
				break
			}
			switch f := pl.ASPAFeature(); {
			case f == "":
				add("", p+".aspa", "router %s: filtergen renders no router-side ASPA verification for %s (it does for BIRD 2.16 and OpenBGPD 8.0 or later)",
					strconv.Quote(r.Name), pl.Title)
			case pl.Require(r.Version, f) != nil:
				add("", p+".aspa", "router %s: %v", strconv.Quote(r.Name), pl.Require(r.Version, f))
			case f == platform.FeatureASPACheck && len(pol.RPKI.Caches) == 0:
				add("", p+".aspa", "router %s: %s reads ASPA records over RTR (version 2): list the caches under rpki.caches",
					strconv.Quote(r.Name), pl.Daemon)
			case f == platform.FeatureASPASet && pol.RPKI.VRPs == "" && pol.RPKI.RTR == "":
				add("", p+".aspa", "router %s: the %s aspa-set is written from the RPKI data filtergen loads: set rpki.vrps (rpki-client JSON with aspas) or rpki.rtr",
					strconv.Quote(r.Name), pl.Daemon)
			}
		}
		platformOf[strings.ToLower(r.Name)] = r.Platform
		if r.Version != "" && !versionRE.MatchString(r.Version) {
			add("", p+".version", "bad version %s: want letters, digits and . - _, at most 32", strconv.Quote(r.Version))
		}
		if r.RouterID.IsValid() && (!r.RouterID.Is4() || r.RouterID.IsUnspecified()) {
			add("", p+".router_id", "want a non-zero IPv4 address (the BGP identifier is 32 bits), got %s", r.RouterID)
		}
	}
	res := &ResolvedPolicy{Policy: pol}
	res.MaxAge = time.Duration(pol.RPKI.MaxAge)
	switch {
	case pol.RPKI.MaxAge == AnyAge:
		res.MaxAge = -1
	case res.MaxAge == 0:
		res.MaxAge = DefaultRPKIMaxAge
	}
	for i, a := range pol.Originate {
		it, err := ParseAnnounce(a)
		if err != nil {
			add("", fmt.Sprintf("originate[%d]", i), "%v", err)
			continue
		}
		res.Originate = append(res.Originate, it)
	}
	res.RTR = pol.resolveCaches(add)
	pol.validatePeerOptions(&pol.Defaults, "", "defaults", false, routers, add)
	if pol.Defaults.Interface != "" {
		add("", "defaults.interface", "an interface belongs to one customer on one router: set it per customer or in attach")
	}
	// Before Populate, peers may leave out what PeeringDB and the member
	// list fill in; Populate checks again without this leniency.
	pending := pol.needsPopulate() && !pol.populated
	pol.validateOnboarding(add)
	if len(pol.Peers)+len(pol.Customers) == 0 && !(pending && pol.MembersFrom != nil) {
		add("", "peers", "no peers or customers")
	}
	names := map[string]bool{}
	for _, list := range []struct {
		key   string
		peers []Peer
	}{{"peers", pol.Peers}, {"customers", pol.Customers}} {
		for i := range list.peers {
			pc := list.peers[i] // a copy: resolving never writes to the policy
			p := &pc
			path := fmt.Sprintf("%s[%d]", list.key, i)
			peer := p.Name
			if peer == "" {
				peer = path
			}
			if !peerNameRE.MatchString(p.Name) {
				add(peer, path+".name", "peer name %s: want a letter, then letters, digits or _, at most 20", strconv.Quote(p.Name))
			} else if names[strings.ToUpper(p.Name)] {
				add(peer, path+".name", "duplicate peer name (names compare case-insensitively)")
			}
			names[strings.ToUpper(p.Name)] = true
			if p.ASN == 0 {
				add(peer, path+".asn", "missing or zero ASN")
			}
			if err := CheckText(p.Description, MaxDescription); err != nil {
				add(peer, path+".description", "%v", err)
			}
			if list.key == "customers" {
				p.Customer = true
				if p.Role != "" && p.Role != RoleCustomer {
					add(peer, path+".role", "an entry of customers has role customer: move it to peers for role %s", p.Role)
				}
			} else if p.Role == RoleCustomer {
				add(peer, path+".role", "list customers under customers:, where they get anti-spoofing")
			}
			role := p.role()
			if len(p.Announce) == 0 && role != RoleProvider && !pending {
				add(peer, path+".announce", "nothing to announce: list AS-SETs, route-sets, ASNs or prefixes")
			}
			var items []AnnounceItem
			for j, a := range p.Announce {
				it, err := ParseAnnounce(a)
				if err != nil {
					add(peer, fmt.Sprintf("%s.announce[%d]", path, j), "%v", err)
					continue
				}
				items = append(items, it)
			}
			pol.validatePeerOptions(&p.PeerOptions, peer, path, list.key == "customers", routers, add)
			if rp, ok := pol.resolvePeer(p, items, peer, path, platformOf, add); ok {
				res.Peers = append(res.Peers, rp)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return res, nil
}

func (pol *Policy) validatePeerOptions(o *PeerOptions, peer, path string, customer bool, routers map[string]bool,
	add func(peer, path, format string, args ...any)) {
	sub := func(s string) string {
		if path == "" {
			return s
		}
		return path + "." + s
	}
	seen := map[Family]bool{}
	for i, f := range o.Families {
		// A family read from YAML is valid (Family.UnmarshalText); one
		// set in Go may be any number.
		if f != IPv4 && f != IPv6 {
			add(peer, fmt.Sprintf("%s[%d]", sub("families"), i), "unknown family %s (want ipv4 or ipv6)", f)
		} else if seen[f] {
			add(peer, fmt.Sprintf("%s[%d]", sub("families"), i), "duplicate family %s", f)
		}
		seen[f] = true
	}
	if o.Families != nil && len(o.Families) == 0 {
		add(peer, sub("families"), "empty list of families")
	}
	for i, r := range o.Routers {
		if !routers[strings.ToLower(r)] {
			add(peer, fmt.Sprintf("%s[%d]", sub("routers"), i), "unknown router %s", strconv.Quote(r))
		}
	}
	if m := o.MaxPrefix; m != nil {
		for _, f := range []struct {
			name string
			v    int
		}{{"limit", m.Limit}, {"ipv4", m.IPv4}, {"ipv6", m.IPv6}, {"minimum", m.Minimum}} {
			if f.v < 0 || f.v > math.MaxUint32 {
				add(peer, sub("max_prefix."+f.name), "want 0 to %d, got %d", uint32(math.MaxUint32), f.v)
			}
		}
		if math.IsNaN(m.Headroom) || math.IsInf(m.Headroom, 0) || m.Headroom < 0 || m.Headroom > 10 {
			add(peer, sub("max_prefix.headroom"), "want a fraction between 0 and 10, got %v", m.Headroom)
		}
		switch m.Action {
		case "", MaxPrefixRestart, MaxPrefixTeardown, MaxPrefixWarning:
		default:
			add(peer, sub("max_prefix.action"), "want restart, teardown or warning, got %s", strconv.Quote(string(m.Action)))
		}
		if ra := time.Duration(m.RestartAfter); ra != 0 && (ra < time.Minute || ra > 2400*time.Minute || ra%time.Minute != 0) {
			add(peer, sub("max_prefix.restart_after"), "want whole minutes from 1m to 2400m, got %s", ra)
		}
	}
	if im := o.Import; im != nil {
		if v := im.MaxPathLength; v != nil && (*v < 1 || *v > 255) {
			add(peer, sub("import.max_path_length"), "want 1 to 255, got %d", *v)
		}
		if v := im.LocalPref; v != nil && (*v < 1 || *v > math.MaxUint32) {
			add(peer, sub("import.local_pref"), "want 1 to %d, got %d", uint32(math.MaxUint32), *v)
		}
	}
	if se := o.Session; se != nil {
		if v := se.TTLSecurity; v != nil && (*v < 1 || *v > 255) {
			add(peer, sub("session.ttl_security"), "want 1 to 255 hops, got %d", *v)
		}
		if v := se.Multihop; v != nil && (*v < 1 || *v > 255) {
			add(peer, sub("session.multihop"), "want a TTL of 1 to 255, got %d", *v)
		}
		if pw := se.Password; pw != nil {
			switch {
			case (pw.File == "") == (pw.Env == ""):
				add(peer, sub("session.password"), "set file (a path relative to the policy) or env (a variable name), one of them")
			case pw.File != "" && strings.ContainsRune(pw.File, 0):
				add(peer, sub("session.password.file"), "bad file name")
			case pw.Env != "" && !envRE.MatchString(pw.Env):
				add(peer, sub("session.password.env"), "bad environment variable name %s", strconv.Quote(pw.Env))
			}
		}
	}
	for i, l := range []*Lengths{o.IPv4, o.IPv6} {
		if l == nil {
			continue
		}
		name, bits := "ipv4", 32
		if i == 1 {
			name, bits = "ipv6", 128
		}
		if l.Min != nil && (*l.Min < 0 || *l.Min > bits) {
			add(peer, sub(name+".min_length"), "want 0 to %d, got %d", bits, *l.Min)
		}
		if l.Max != nil && (*l.Max < 0 || *l.Max > bits) {
			add(peer, sub(name+".max_length"), "want 0 to %d, got %d", bits, *l.Max)
		}
		if l.Min != nil && l.Max != nil && *l.Min > *l.Max {
			add(peer, sub(name), "min_length %d is longer than max_length %d", *l.Min, *l.Max)
		}
	}
	switch o.URPF {
	case "", "strict", "loose", "none":
	default:
		add(peer, sub("urpf"), "want strict, loose or none, got %s", strconv.Quote(o.URPF))
	}
	if customer && o.Interface != "" && !ifaceRE.MatchString(o.Interface) {
		add(peer, sub("interface"), "bad interface name %s", strconv.Quote(o.Interface))
	}
	if peer != "" && !customer && (o.URPF != "" || o.Interface != "" || o.IngressACL != nil) {
		add(peer, path, "urpf, interface and ingress_acl apply to customers only")
	}
}

const (
	letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	alnum   = letters + "0123456789"
)

// A tokenRule accepts 1 to max bytes: the first from first, the others
// letters, digits or from rest. It replaces regular expressions that cost
// every start of the program (filtergen bgpq4 included) a millisecond to
// compile.
type tokenRule struct {
	first, rest string
	max         int
}

// MatchString reports whether s follows the rule.
func (r tokenRule) MatchString(s string) bool {
	if len(s) == 0 || len(s) > r.max || strings.IndexByte(r.first, s[0]) < 0 {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; strings.IndexByte(alnum, c) < 0 && strings.IndexByte(r.rest, c) < 0 {
			return false
		}
	}
	return true
}
