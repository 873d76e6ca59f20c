package bgpq4

import (
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"

	"github.com/filtergen/filtergen/internal/platform"
)

// A printer renders a generation into a buffer, in bgpq4 1.9's formats,
// byte for byte. The prefix-entry syntax comes from internal/platform; what
// is here is bgpq4's framing around it (headers, separators, empty-list
// forms) and its quirks, each one noted where it is reproduced.
type printer struct {
	o    *Options
	b    []byte
	w    io.Writer
	err  error
	warn io.Writer // bgpq4's "ERROR:" lines; nil discards them
	tree *tree
	asns []uint32
}

// flushAt is the buffer size at which output is written out: large, so
// that the caller needs no buffering of its own and a million-line list
// takes a few dozen writes.
const flushAt = 256 << 10

func (p *printer) s(s string) { p.b = append(p.b, s...) }

func (p *printer) u(v uint32) { p.b = strconv.AppendUint(p.b, uint64(v), 10) }

func (p *printer) maybeFlush() {
	if len(p.b) >= flushAt {
		p.flush()
	}
}

func (p *printer) flush() {
	if p.err == nil && len(p.b) > 0 {
		_, p.err = p.w.Write(p.b)
	}
	p.b = p.b[:0]
}

// entry converts a printed node to a vendor entry: exact unless the node
// is a range; a range starting above the prefix length is "ge low le hi",
// one starting at it is "le hi" (bgpq4 keeps that form even when hi is
// the prefix length).
func (t *tree) entry(n *node) platform.Entry {
	e := platform.Entry{Prefix: t.prefixOf(n)}
	if n.aggregate {
		e.LE = n.hi
		if n.low > n.len {
			e.GE = n.low
		}
	}
	return e
}

func (p *printer) ip() string {
	if p.o.IPv6 {
		return "ipv6"
	}
	return "ip"
}

func (p *printer) defaultRoute() string {
	if p.o.IPv6 {
		return "::/0"
	}
	return "0.0.0.0/0"
}

// each calls f for every printed entry, flushing as it goes.
func (p *printer) each(f func(e platform.Entry)) {
	p.tree.entries(func(n *node) {
		f(p.tree.entry(n))
		p.maybeFlush()
	})
}

// print writes the output for the options' generation and vendor.
func (p *printer) print() error {
	o := p.o
	switch o.Gen {
	case ASPath:
		p.asPath()
	case OriginASPath:
		p.originASPath()
	case ASList:
		if o.Vendor != Juniper {
			return fatalf("Unknown vendor %d", int(o.Vendor))
		}
		p.juniperASList()
	case ASSet:
		p.asSet()
	case PrefixList:
		p.prefixList()
	case ExtendedACL:
		p.eacl()
	case RouteFilterList:
		p.juniperRouteFilterList()
	}
	p.flush()
	return p.err
}

// checkPrintable reports the errors bgpq4 raises only when it prints
// (after querying): combinations its printers do not handle.
func (o *Options) checkPrintable() error {
	switch o.Gen {
	case ASPath, OriginASPath:
		switch o.Vendor {
		case MikroTik6, MikroTik7, Format:
			return fatalf("Unknown vendor %d", int(o.Vendor))
		case JSON, BIRD:
			if o.Gen == OriginASPath {
				return fatalf("Unknown vendor %d", int(o.Vendor))
			}
		}
	case ASList:
		if o.Vendor != Juniper {
			return fatalf("Unknown vendor %d", int(o.Vendor))
		}
	case ExtendedACL:
		switch o.Vendor {
		case Juniper, Cisco, Arista, OpenBGPD, Nokia, NokiaMD:
		default:
			return fatalf("unreachable point")
		}
	}
	return nil
}

// chunks splits asns into lines of width entries (0: one line).
func chunks(asns []uint32, width int) [][]uint32 {
	if width <= 0 {
		width = len(asns)
	}
	var out [][]uint32
	for len(asns) > 0 {
		n := min(width, len(asns))
		out = append(out, asns[:n])
		asns = asns[n:]
	}
	return out
}

// takeOwn removes o.ASNumber from the ASN list and reports whether it was
// there: bgpq4 prints it on a line of its own.
func (p *printer) takeOwn() bool {
	for i, a := range p.asns {
		if a == p.o.ASNumber {
			p.asns = append(p.asns[:i:i], p.asns[i+1:]...)
			return true
		}
	}
	return false
}

// pathChunk writes one AS-path regex for a chunk of listed ASNs.
type pathChunk func(b []byte, asns []uint32) []byte

// asPath prints -f: paths from the peer (o.ASNumber) through the listed
// ASNs. originASPath prints -G: paths originated by them. The two share
// the per-vendor layouts below; what differs is the regex of each chunk
// and a few of bgpq4 1.9's byte-level quirks, kept where they are.
func (p *printer) asPath() {
	o, name := p.o, p.o.Name
	via := func(f func([]byte, uint32, []uint32) []byte) pathChunk {
		return func(b []byte, c []uint32) []byte { return f(b, o.ASNumber, c) }
	}
	ios := via(platform.AppendIOSPathVia)
	switch o.Vendor {
	case Juniper:
		p.junosPaths(via(platform.AppendJunosPathVia), "  as-path aNone \"!.*\";\n")
	case Cisco, Arista:
		p.ciscoPaths(platform.AppendIOSPathOnly, ios)
	case CiscoXR:
		// bgpq4 1.9 starts with comma = 1, so without the own-AS line the
		// first entry follows "as-path-set NAME," (fixed in 1.13).
		p.s("as-path-set " + name)
		if p.takeOwn() {
			p.s("\n  ios-regex '")
			p.b = platform.AppendIOSPathOnly(p.b, o.ASNumber)
			p.s("'")
		}
		for _, c := range chunks(p.asns, o.ASWidth) {
			p.s(",\n  ios-regex '")
			p.b = ios(p.b, c)
			p.s("'")
		}
		p.s("\nend-set\n")
	case JSON:
		p.jsonASNs()
	case BIRD:
		p.birdASNs()
	case OpenBGPD:
		p.openBGPDPaths("from")
	case Nokia:
		p.nokiaPaths("no as-path-group \""+name+"\"\n", via(platform.AppendSROSPathVia), "exit\ncommit\n")
	case NokiaMD:
		p.nokiaMDPaths(via(platform.AppendSROSPathVia))
	case Huawei:
		p.s("undo ip as-path-filter " + name + "\n")
		if len(p.asns) == 0 {
			p.s("ip as-path-filter " + name + " deny .*\n")
			return
		}
		if p.takeOwn() {
			p.s("ip as-path-filter " + name + " permit ")
			p.b = platform.AppendIOSPathOnly(p.b, o.ASNumber)
			p.s("\n")
		}
		for _, c := range chunks(p.asns, o.ASWidth) {
			p.s("ip as-path-filter " + name + " permit ")
			p.b = ios(p.b, c)
			p.s("\n")
		}
	case HuaweiXPL:
		p.s("xpl as-path-list " + name)
		if p.takeOwn() {
			p.s("\n  regular ")
			p.b = platform.AppendIOSPathOnly(p.b, o.ASNumber)
		}
		for _, c := range chunks(p.asns, o.ASWidth) {
			p.s(",\n  regular ")
			p.b = ios(p.b, c)
		}
		p.s("\nend-list\n")
	}
}

func (p *printer) originASPath() {
	o, name := p.o, p.o.Name
	switch o.Vendor {
	case Juniper:
		// one space: bgpq4 1.9's -G differs from -f here
		p.junosPaths(platform.AppendJunosPathOriginated, " as-path aNone \"!.*\";\n")
	case Cisco, Arista:
		p.ciscoPaths(platform.AppendIOSPathOnlyAny, platform.AppendIOSPathOriginated)
	case CiscoXR:
		p.s("as-path-set " + name)
		comma := false
		if p.takeOwn() {
			p.s("\n  ios-regex '")
			p.b = platform.AppendIOSPathOnlyAny(p.b, o.ASNumber)
			p.s("'")
			comma = true
		}
		for _, c := range chunks(p.asns, o.ASWidth) {
			if comma {
				p.s(",")
			}
			p.s("\n  ios-regex '")
			p.b = platform.AppendIOSPathOriginated(p.b, c)
			p.s("'")
			comma = true
		}
		p.s("\nend-set\n")
	case OpenBGPD:
		p.openBGPDPaths("to")
	case Nokia:
		// bgpq4 1.9: no space before the name, and no exit/commit.
		p.nokiaPaths("no as-path-group\""+name+"\"\n", platform.AppendSROSPathOriginated, "")
	case NokiaMD:
		p.nokiaMDPaths(platform.AppendSROSPathOriginated)
	case Huawei:
		p.s("undo ip as-path-filter " + name + "\n")
		if p.takeOwn() {
			p.s("ip as-path-filter " + name + " permit ")
			p.b = platform.AppendIOSPathOnlyAny(p.b, o.ASNumber)
			p.s("\n")
		}
		if len(p.asns) == 0 {
			p.s("ip as-path-filter " + name + " deny .*\n")
			return
		}
		for _, c := range chunks(p.asns, o.ASWidth) {
			p.s("ip as-path-filter " + name + " permit ")
			p.b = platform.AppendIOSPathOriginated(p.b, c)
			p.s("\n")
		}
	case HuaweiXPL:
		p.s("xpl as-path-list " + name)
		comma := false
		if p.takeOwn() {
			p.s("\n  regular ")
			p.b = platform.AppendIOSPathOnlyAny(p.b, o.ASNumber)
			comma = true
		}
		for _, c := range chunks(p.asns, o.ASWidth) {
			if comma {
				p.s(",")
			}
			p.s("\n  regular ")
			p.b = platform.AppendIOSPathOriginated(p.b, c)
			comma = true
		}
		p.s("\nend-list\n")
	}
}

// junosPaths writes a Junos as-path-group; none is the line for a group
// with no entry.
func (p *printer) junosPaths(chunk pathChunk, none string) {
	o := p.o
	p.s("policy-options {\nreplace:\n as-path-group " + o.Name + " {\n")
	line := 0
	if p.takeOwn() {
		p.s("  as-path a0 \"")
		p.b = platform.AppendJunosPathOnly(p.b, o.ASNumber)
		p.s("\";\n")
		line++
	}
	cs := chunks(p.asns, o.ASWidth)
	for _, c := range cs {
		p.s("  as-path a")
		p.u(uint32(line))
		p.s(" \"")
		p.b = chunk(p.b, c)
		p.s("\";\n")
		line++
	}
	if len(cs) == 0 && line == 0 {
		p.s(none)
	}
	p.s(" }\n}\n")
}

// ciscoPaths writes a Cisco or Arista as-path access-list.
func (p *printer) ciscoPaths(own func([]byte, uint32) []byte, chunk pathChunk) {
	o, name := p.o, p.o.Name
	p.s("no ip as-path access-list " + name + "\n")
	if len(p.asns) == 0 {
		p.s("ip as-path access-list " + name + " deny .*\n")
		return
	}
	if p.takeOwn() {
		p.s("ip as-path access-list " + name + " permit ")
		p.b = own(p.b, o.ASNumber)
		p.s("\n")
	}
	for _, c := range chunks(p.asns, o.ASWidth) {
		p.s("ip as-path access-list " + name + " permit ")
		p.b = chunk(p.b, c)
		p.s("\n")
		p.maybeFlush()
	}
}

// openBGPDPaths writes OpenBGPD "allow from/to AS" rules (dir is "from"
// or "to").
func (p *printer) openBGPDPaths(dir string) {
	o := p.o
	if len(p.asns) == 0 {
		p.s("deny " + dir + " AS ")
		p.u(o.ASNumber)
		p.s("\n")
		return
	}
	for _, a := range p.asns {
		p.s("allow " + dir + " AS ")
		p.u(o.ASNumber)
		p.s(" AS ")
		p.u(a)
		p.s("\n")
		p.maybeFlush()
	}
}

// nokiaPaths writes an SR OS classic as-path-group; noGroup is the line
// that removes the old group and trailer ends the block.
func (p *printer) nokiaPaths(noGroup string, chunk pathChunk, trailer string) {
	o, name := p.o, p.o.Name
	p.s("configure router policy-options\nbegin\n" + noGroup)
	p.s("as-path-group \"" + name + "\"\n")
	line := uint32(1)
	if p.takeOwn() {
		p.s("  entry ")
		p.u(line)
		p.s(" expression \"")
		p.b = platform.AppendSROSPathOnly(p.b, o.ASNumber)
		p.s("\"\n")
		line++
	}
	for _, c := range chunks(p.asns, o.ASWidth) {
		p.s("  entry ")
		p.u(line)
		p.s(" expression \"")
		p.b = chunk(p.b, c)
		p.s("\"\n")
		line++
	}
	p.s(trailer)
}

// nokiaMDPaths writes an SR OS MD-CLI as-path-group.
func (p *printer) nokiaMDPaths(chunk pathChunk) {
	o, name := p.o, p.o.Name
	p.s("/configure policy-options\ndelete as-path-group \"" + name + "\"\n")
	p.s("as-path-group \"" + name + "\" {\n")
	line := uint32(1)
	if p.takeOwn() {
		p.s("  entry ")
		p.u(line)
		p.s(" {\n    expression \"")
		p.b = platform.AppendSROSPathOnly(p.b, o.ASNumber)
		p.s("\"\n  }\n")
		line++
	}
	for _, c := range chunks(p.asns, o.ASWidth) {
		p.s("  entry ")
		p.u(line)
		p.s(" {\n    expression \"")
		p.b = chunk(p.b, c)
		p.s("\"\n  }\n")
		line++
	}
	p.s("}\n")
}

func (p *printer) juniperASList() {
	o := p.o
	p.s("policy-options {\nreplace:\n as-list-group " + o.Name + " {\n")
	line := uint32(0)
	if p.takeOwn() {
		p.s("  as-list a0 members ")
		p.u(o.ASNumber)
		p.s(";\n")
		line++
	}
	for _, c := range chunks(p.asns, o.ASWidth) {
		p.s("  as-list a")
		p.u(line)
		p.s(" members [")
		for _, a := range c {
			p.s(" ")
			p.u(a)
		}
		p.s(" ];\n")
		line++
	}
	p.s(" }\n}\n")
}

func (p *printer) asSet() {
	switch p.o.Vendor {
	case JSON:
		p.jsonASNs()
	case BIRD:
		p.birdASNs()
	case OpenBGPD:
		p.s("as-set " + p.o.Name + " {")
		for _, c := range chunks(p.asns, p.o.ASWidth) {
			for i, a := range c {
				if i == 0 {
					p.s("\n\t")
				} else {
					p.s(" ")
				}
				p.u(a)
			}
			p.maybeFlush()
		}
		p.s("\n}\n")
	}
}

func (p *printer) jsonASNs() {
	p.s("{\"" + p.o.Name + "\": [")
	for i, c := range chunks(p.asns, p.o.ASWidth) {
		for j, a := range c {
			if i > 0 || j > 0 {
				p.s(",")
			}
			if j == 0 {
				p.s("\n  ")
			}
			p.u(a)
		}
		p.maybeFlush()
	}
	p.s("\n]}\n")
}

func (p *printer) birdASNs() {
	p.s(p.o.Name + " = [")
	if len(p.asns) == 0 {
		p.s("];\n")
		return
	}
	for i, c := range chunks(p.asns, p.o.ASWidth) {
		for j, a := range c {
			if j == 0 {
				if i > 0 {
					p.s(",")
				}
				p.s("\n    ")
			} else {
				p.s(", ")
			}
			p.u(a)
		}
		p.maybeFlush()
	}
	p.s("\n];\n")
}

func (p *printer) prefixList() {
	o, name := p.o, p.o.Name
	t := p.tree
	switch o.Vendor {
	case Juniper:
		p.s("policy-options {\nreplace:\n prefix-list " + name + " {\n")
		// bgpq4's Junos prefix-list printer skips sons and ignores
		// ranges; -A, -R and -r are refused there, so there are none.
		p.each(func(e platform.Entry) {
			p.s("    ")
			p.b = platform.AppendPrefix(p.b, e.Prefix)
			p.s(";\n")
		})
		p.s(" }\n}\n")
	case Cisco:
		p.s("no " + p.ip() + " prefix-list " + name + "\n")
		if t.empty() {
			p.s("! generated prefix-list " + name + " is empty\n")
			p.s(p.ip() + " prefix-list " + name)
			if o.Sequence {
				p.s(" seq 1")
			}
			p.s(" deny " + p.defaultRoute() + "\n")
			return
		}
		seq := uint32(1)
		head := p.ip() + " prefix-list " + name // once, not per entry
		p.each(func(e platform.Entry) {
			p.s(head)
			if o.Sequence {
				p.s(" seq ")
				p.u(seq)
				seq++
			}
			p.s(" permit ")
			p.b = platform.AppendIOS(p.b, e)
			p.s("\n")
		})
	case Arista:
		p.s("no " + p.ip() + " prefix-list " + name + "\n")
		if t.empty() {
			// three spaces here, four for entries: bgpq4 1.9
			p.s("! generated prefix-list " + name + " is empty\n")
			p.s(p.ip() + " prefix-list " + name + "\n   seq 1 deny " + p.defaultRoute() + "\n")
			return
		}
		p.s(p.ip() + " prefix-list " + name + "\n")
		seq := uint32(1)
		p.each(func(e platform.Entry) {
			p.s("    seq ")
			p.u(seq)
			seq++
			p.s(" permit ")
			p.b = platform.AppendIOS(p.b, e)
			p.s("\n")
		})
	case CiscoXR:
		p.s("no prefix-set " + name + "\nprefix-set " + name + "\n")
		first := true
		p.each(func(e platform.Entry) {
			if first {
				p.s(" ")
				first = false
			} else {
				p.s(",\n ")
			}
			p.b = platform.AppendIOS(p.b, e)
		})
		p.s("\nend-set\n")
	case JSON:
		p.s("{ \"" + name + "\": [")
		first := true
		p.each(func(e platform.Entry) {
			if !first {
				p.s(",")
			}
			first = false
			p.s("\n    { \"prefix\": \"")
			p.b = platform.AppendAddr(p.b, e.Prefix.Addr())
			p.s("\\/")
			p.u(uint32(e.Prefix.Bits()))
			switch {
			case e.IsExact():
				p.s("\", \"exact\": true }")
			case e.GE != 0:
				p.s("\", \"exact\": false,\n      \"greater-equal\": ")
				p.u(uint32(e.GE))
				p.s(", \"less-equal\": ")
				p.u(uint32(e.LE))
				p.s(" }")
			default:
				p.s("\", \"exact\": false, \"less-equal\": ")
				p.u(uint32(e.LE))
				p.s(" }")
			}
		})
		p.s("\n] }\n")
	case BIRD:
		if t.empty() {
			return // bgpq4 prints nothing for an empty BIRD list
		}
		p.s(name + " = [")
		first := true
		p.each(func(e platform.Entry) {
			if !first {
				p.s(",")
			}
			first = false
			p.s("\n    ")
			p.b = platform.AppendBIRD(p.b, e)
		})
		p.s("\n];\n")
	case OpenBGPD:
		if t.empty() {
			p.s("# generated prefix-list " + name + " (AS ")
			p.u(o.ASNumber)
			p.s(") is empty\n")
			if o.ASNumber == 0 {
				p.s("# use -a <asn> to generate \"deny from ASN <asn>\" instead of this list\n")
			}
		}
		if !t.empty() || o.ASNumber == 0 {
			if name != "NN" {
				p.s(name + "=\"")
			}
			p.s("prefix { ")
			p.each(func(e platform.Entry) {
				p.s("\n\t")
				p.b = platform.AppendOpenBGPD(p.b, e)
			})
			p.s("\n\t}")
			if name != "NN" {
				p.s("\"")
			}
			p.s("\n")
		} else {
			p.s("deny from AS ")
			p.u(o.ASNumber)
			p.s("\n")
		}
	case Format:
		p.each(func(e platform.Entry) { p.format(e) })
		if !strings.HasSuffix(o.Format, `\n`) || len(o.Format) < 2 {
			p.s("\n")
		}
	case Nokia:
		p.s("configure router policy-options\nbegin\nno prefix-list \"" + name + "\"\n")
		p.s("prefix-list \"" + name + "\"\n")
		p.each(func(e platform.Entry) {
			p.s("    prefix ")
			p.b = platform.AppendSROS(p.b, e)
			p.s("\n")
		})
		p.s("exit\ncommit\n")
	case NokiaMD:
		p.s("/configure policy-options\ndelete prefix-list \"" + name + "\"\n")
		p.s("prefix-list \"" + name + "\" {\n")
		p.each(func(e platform.Entry) { p.b = platform.AppendMDCLI(p.b, e, "    ") })
		p.s("}\n")
	case Huawei:
		p.s("undo ip " + p.ip() + "-prefix " + name + "\n")
		if t.empty() {
			p.s("ip " + p.ip() + "-prefix " + name + " deny " + p.defaultRoute() + "\n")
			return
		}
		head := "ip " + p.ip() + "-prefix " + name + " permit "
		p.each(func(e platform.Entry) {
			p.s(head)
			p.b = platform.AppendHuawei(p.b, e)
			p.s("\n")
		})
	case HuaweiXPL:
		p.s("no xpl " + p.ip() + "-prefix-list " + name + "\nxpl " + p.ip() + "-prefix-list " + name + "\n")
		first := true
		p.each(func(e platform.Entry) {
			if first {
				p.s("  ")
				first = false
			} else {
				p.s(",\n  ")
			}
			p.b = platform.AppendHuaweiXPL(p.b, e)
		})
		p.s("\nend-list\n")
	case MikroTik6, MikroTik7:
		if t.empty() {
			p.s("# generated prefix-list " + name + " is empty\n")
			return
		}
		chain := name + "-V4"
		if o.IPv6 {
			chain = name + "-V6"
		}
		// The line heads, built once rather than per entry.
		add6 := "/routing filter add action=accept chain=\"" + chain + "\" "
		rule7 := "/routing filter rule add chain=\"" + chain + "\" rule=\"if ("
		range7 := "/routing filter rule add chain=\"" + chain + "\"  rule=\"if ("
		p.each(func(e platform.Entry) {
			switch {
			case o.Vendor == MikroTik6:
				p.s(add6)
				p.b = platform.AppendMikroTik6(p.b, e)
			case e.IsExact():
				p.s(rule7)
				p.b = platform.AppendMikroTik7(p.b, e)
				p.s(") {accept}\"")
			default:
				// two spaces before rule=: bgpq4 1.9
				p.s(range7)
				p.b = platform.AppendMikroTik7(p.b, e)
				p.s(") {accept}\"")
			}
			p.s("\n")
		})
	}
}

func (p *printer) eacl() {
	o, name := p.o, p.o.Name
	t := p.tree
	switch o.Vendor {
	case Juniper:
		p.juniperRouteFilter()
	case Cisco, Arista:
		p.s("no ip access-list extended " + name + "\n")
		if t.empty() {
			p.s("! generated access-list " + name + " is empty\n")
			p.s("ip access-list extended " + name + " deny any any\n")
			return
		}
		p.s("ip access-list extended " + name + "\n")
		p.each(func(e platform.Entry) {
			p.s(" permit ip ")
			switch {
			case e.IsExact() && e.Prefix.Bits() == 32:
				// bgpq4 1.9 writes the mask of an exact /32 as 0.0.0.0.
				p.s("host ")
				p.b = platform.AppendAddr(p.b, e.Prefix.Addr())
				p.s(" host 0.0.0.0")
			case e.IsExact() && e.Prefix.Bits() == 0:
				// and the mask of an exact /0 as 255.255.255.255 (a
				// 32-bit shift by 32 leaves the mask unchanged on x86).
				p.s("host 0.0.0.0 host 255.255.255.255")
			default:
				p.b = platform.AppendIOSACL(p.b, e)
			}
			p.s("\n")
		})
	case OpenBGPD:
		p.s("prefix-set " + name + " {")
		p.each(func(e platform.Entry) {
			p.s("\n\t")
			p.b = platform.AppendOpenBGPD(p.b, e)
		})
		p.s("\n}\n")
	case Nokia:
		p.s("configure filter match-list\nno " + p.ip() + "-prefix-list \"" + name + "\"\n")
		p.s(p.ip() + "-prefix-list \"" + name + "\" create\n")
		if t.empty() {
			p.s("# generated ip-prefix-list " + name + " is empty\n")
		}
		p.each(func(e platform.Entry) {
			p.s("    prefix ")
			p.b = platform.AppendPrefix(p.b, e.Prefix)
			p.s("\n")
		})
		p.s("exit\n")
	case NokiaMD:
		p.s("/configure filter match-list\ndelete " + p.ip() + "-prefix-list \"" + name + "\"\n")
		p.s(p.ip() + "-prefix-list \"" + name + "\" {\n")
		if t.empty() {
			p.s("# generated " + p.ip() + "-prefix-list " + name + " is empty\n")
		}
		p.each(func(e platform.Entry) {
			p.s("    prefix ")
			p.b = platform.AppendPrefix(p.b, e.Prefix)
			p.s(" { }\n")
		})
		p.s("}\n")
	}
}

func (p *printer) juniperRouteFilter() {
	o := p.o
	policy, term, hasTerm := strings.Cut(o.Name, "/")
	if hasTerm {
		p.s("policy-options {\n policy-statement " + policy + " {\n  term " + term + " {\nreplace:\n   from {\n")
	} else {
		p.s("policy-options {\n policy-statement " + o.Name + " { \nreplace:\n  from {\n")
	}
	if o.Match != "" {
		p.s("    " + o.Match + ";\n")
	}
	if p.tree.empty() {
		p.s("    route-filter " + p.defaultRoute() + " orlonger reject;\n")
	} else {
		p.each(func(e platform.Entry) {
			p.s("    route-filter ")
			p.b = platform.AppendJunos(p.b, e)
			p.s(";\n")
		})
	}
	if hasTerm {
		p.s("   }\n  }\n }\n}\n")
	} else {
		p.s("  }\n }\n}\n")
	}
}

func (p *printer) juniperRouteFilterList() {
	p.s("policy-options {\nreplace:\n  route-filter-list " + p.o.Name + " {\n")
	if p.tree.empty() {
		p.s("    " + p.defaultRoute() + " orlonger reject;\n")
	} else {
		p.each(func(e platform.Entry) {
			p.s("    ")
			p.b = platform.AppendJunos(p.b, e)
			p.s(";\n")
		})
	}
	p.s("  }\n}\n")
}

// format renders one entry with the -F format string: %n (or %r) the
// address, %l the length, %a and %A the range, %N the name, %m the mask,
// %i the inverse mask, %% a percent sign; \n, \t and \\ escapes, any other
// escaped character stands for itself. An unknown % sequence ends the
// entry, as in bgpq4 (which also reports it on stderr).
func (p *printer) format(e platform.Entry) {
	f := p.o.Format
	for i := 0; i < len(f); i++ {
		c := f[i]
		switch {
		case c == '%' && i+1 < len(f):
			i++
			switch f[i] {
			case 'r', 'n':
				p.b = platform.AppendAddr(p.b, e.Prefix.Addr())
			case 'l':
				p.u(uint32(e.Prefix.Bits()))
			case 'a':
				p.u(uint32(e.Low()))
			case 'A':
				p.u(uint32(e.High()))
			case '%':
				p.s("%")
			case 'N':
				p.s(p.o.Name)
			case 'm':
				p.b = platform.AppendAddr(p.b, maskAddr(e.Prefix, false))
			case 'i':
				p.b = platform.AppendAddr(p.b, maskAddr(e.Prefix, true))
			default:
				p.warnf("Unknown format char '%c'", f[i])
				return
			}
		case c == '%':
			p.warnf("Unknown format char '\x00'")
			return
		case c == '\\' && i+1 < len(f):
			i++
			switch f[i] {
			case 'n':
				p.s("\n")
			case 't':
				p.s("\t")
			default:
				p.b = append(p.b, f[i])
			}
		default:
			p.b = append(p.b, c)
		}
	}
}

// warnings collects bgpq4's non-fatal "ERROR:" messages for stderr.
func (p *printer) warnf(format string, args ...any) {
	if p.warn != nil {
		fmt.Fprintf(p.warn, "ERROR:"+format+"\n", args...)
	}
}

// maskAddr returns the netmask of p, or its inverse (wildcard) mask.
func maskAddr(p netip.Prefix, inverse bool) netip.Addr {
	n := p.Bits()
	if p.Addr().Is4() {
		m := uint32(0xffffffff) << (32 - n)
		if n == 0 {
			m = 0
		}
		if inverse {
			m = ^m
		}
		return netip.AddrFrom4([4]byte{byte(m >> 24), byte(m >> 16), byte(m >> 8), byte(m)})
	}
	var b [16]byte
	for i := range b {
		bitsLeft := n - 8*i
		var v byte
		switch {
		case bitsLeft >= 8:
			v = 0xff
		case bitsLeft > 0:
			v = byte(0xff << (8 - bitsLeft))
		}
		if inverse {
			v = ^v
		}
		b[i] = v
	}
	return netip.AddrFrom16(b)
}
