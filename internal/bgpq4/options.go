package bgpq4

import (
	"fmt"
	"net"
	"strings"
)

// Vendor is an output dialect, as selected by bgpq4's vendor flags.
type Vendor int

// The vendors, in bgpq4's order. Cisco IOS is the default.
const (
	Cisco     Vendor = iota // default
	Juniper                 // -J
	CiscoXR                 // -X
	JSON                    // -j
	BIRD                    // -b
	OpenBGPD                // -B
	Format                  // -F
	Nokia                   // -N
	Huawei                  // -U
	HuaweiXPL               // -u
	MikroTik6               // -K
	MikroTik7               // -K7
	NokiaMD                 // -n
	Arista                  // -e
)

// Generation is what bgpq4 generates.
type Generation int

// The generations, in bgpq4's order: the ones before PrefixList produce
// AS lists, the others prefix lists.
const (
	genNone         Generation = iota
	ASPath                     // -f ASN
	OriginASPath               // -G ASN
	ASList                     // -H ASN
	ASSet                      // -t
	PrefixList                 // default
	ExtendedACL                // -E
	RouteFilterList            // -z
)

// Options is a parsed bgpq4 command line.
type Options struct {
	IPv6      bool // -6
	Vendor    Vendor
	Gen       Generation
	Aggregate bool   // -A
	Refine    uint8  // -R, or the family maximum when -r is given without -R
	RefineLow uint8  // -r
	MaxLen    uint8  // -m, or the family maximum
	Name      string // -l, default "NN"
	Match     string // -M, escapes decoded
	Format    string // -F
	ASNumber  uint32 // -a, -f, -G, -H
	ASWidth   int    // -W, or the vendor's default
	Sequence  bool   // -s (and -e)
	Sources   string // -S, or IRRD_SOURCES
	Host      string // -h, default rr.ntt.net
	Port      string // default 43
	NoPipe    bool   // -T (accepted; the client always pipelines)
	Validate  bool   // -w
	Private   bool   // -p: accept private and reserved ASNs
	MaxDepth  int    // -L
	Debug     int    // -d (accepted, no effect)

	Objects  []string // objects before EXCEPT
	Except   []string // objects after EXCEPT
	Registry []string // --registry FILE (filtergen's own flag)
	Help     bool     // --help or -?
	Version  bool     // -v
}

// An Error is a failure bgpq4 reports with a particular exit code: 255
// for its "FATAL ERROR:" checks, 1 for usage and input errors. Msg is the
// message without bgpq4's "FATAL ERROR:"/"ERROR:" prefix.
type Error struct {
	Code int
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

func fatalf(format string, args ...any) error {
	return &Error{Code: 255, Msg: fmt.Sprintf(format, args...)}
}

func failf(format string, args ...any) error {
	return &Error{Code: 1, Msg: fmt.Sprintf(format, args...)}
}

// A UsageError is a command line bgpq4 rejects with its usage text
// (exit 1): an unknown option or a missing argument.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

const optstring = "467a:AbBdDEeF:S:jJKf:l:L:m:M:NnpW:r:R:G:H:tTh:UuwXsvz"

type opt struct {
	c   byte
	arg string
}

// getopt splits args like glibc's getopt(3) with optstring: options may
// follow objects (arguments are permuted), "--" ends the options, "-xyz"
// bundles options and "-lNAME" or "-l NAME" gives an argument. filtergen's
// own long options (--registry FILE, --registry=FILE, --help) are taken
// out first.
func getopt(args []string) (opts []opt, rest []string, registry []string, help bool, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			rest = append(rest, args[i+1:]...)
			return
		case a == "--help":
			help = true
		case a == "--registry":
			if i+1 >= len(args) {
				return nil, nil, nil, false, &UsageError{"option '--registry' requires an argument"}
			}
			i++
			registry = append(registry, args[i])
		case strings.HasPrefix(a, "--registry="):
			registry = append(registry, strings.TrimPrefix(a, "--registry="))
		case strings.HasPrefix(a, "--"):
			return nil, nil, nil, false, &UsageError{fmt.Sprintf("unrecognized option '%s'", a)}
		case len(a) < 2 || a[0] != '-':
			rest = append(rest, a)
		default:
			for j := 1; j < len(a); j++ {
				c := a[j]
				k := strings.IndexByte(optstring, c)
				if c == ':' || k < 0 {
					if c == '?' {
						help = true
						continue
					}
					return nil, nil, nil, false, &UsageError{fmt.Sprintf("invalid option -- '%c'", c)}
				}
				if k+1 < len(optstring) && optstring[k+1] == ':' {
					if j+1 < len(a) {
						opts = append(opts, opt{c, a[j+1:]})
					} else if i+1 < len(args) {
						i++
						opts = append(opts, opt{c, args[i]})
					} else {
						return nil, nil, nil, false, &UsageError{fmt.Sprintf("option requires an argument -- '%c'", c)}
					}
					break
				}
				opts = append(opts, opt{c, ""})
			}
		}
	}
	return
}

// strtoul mimics C's strtoul(s, NULL, 10) for the non-negative values the
// flags take: leading space, an optional sign, then digits; anything after
// them is ignored. A value that does not fit saturates.
func strtoul(s string) uint64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var n uint64
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if n > (1<<64-1)/10 {
			return 1<<64 - 1
		}
		n = n*10 + uint64(s[i]-'0')
	}
	if neg {
		n = -n
	}
	return n
}

// atoi mimics C's atoi for -W.
func atoi(s string) int {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	n := 0
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9' && n < 1<<31; i++ {
		n = n*10 + int(s[i]-'0')
	}
	if neg {
		return -n
	}
	return int(int32(n))
}

// parseASNumber parses the ASN argument of -a, -f, -G and -H as bgpq4
// does: asplain, or asdot "A.B".
func parseASNumber(s string) (uint32, error) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	v := strtoul(s)
	if v < 1 || v > 65535*65535 {
		return 0, fatalf("Invalid AS number: %s", s)
	}
	rest := s[i:]
	if strings.HasPrefix(rest, ".") {
		j := 1
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		lo := strtoul(rest[1:j])
		if v > 65535 || lo < 1 || lo > 65535 {
			return 0, fatalf("Invalid AS number: %s", s)
		}
		if j < len(rest) {
			return 0, fatalf("Invalid symbol in AS number: %c (%s)", rest[j], s)
		}
		return uint32(v<<16 + lo), nil
	}
	if rest != "" {
		return 0, fatalf("Invalid symbol in AS number: %c (%s)", rest[0], s)
	}
	return uint32(v), nil
}

const vendorExclusive = "-b (BIRD), -B (OpenBGPD), -F (formatted), -J (Junos), -j (JSON), -K[7] (Microtik ROS), -N (Nokia SR OS Classic), -n (Nokia SR OS MD-CLI), -U (Huawei), -u (Huawei XPL),-e (Arista) and -X (IOS XR) options are mutually exclusive"

const exclusive = "-E, -F, -K , -f <asnum>, -G <asnum>, and -t are mutually exclusive"

// Parse parses a bgpq4 1.9 command line (without the program name) and
// applies bgpq4's checks in bgpq4's order, so that the first problem
// reported, and its exit code, are bgpq4's. getenv supplies IRRD_SOURCES.
func Parse(args []string, getenv func(string) string) (*Options, error) {
	o := &Options{Name: "NN", Host: "rr.ntt.net", Port: "43", ASWidth: 8}
	if getenv != nil {
		if s := getenv("IRRD_SOURCES"); s != "" {
			o.Sources = s
		}
	}
	flags, rest, registry, help, err := getopt(args)
	if err != nil {
		return nil, err
	}
	o.Registry = registry
	if help {
		o.Help = true
		return o, nil
	}
	vendorSet := false
	selected4 := false
	widthSet := false
	var refine, refineLow, maxlen uint64
	setVendor := func(v Vendor) error {
		if vendorSet {
			return failf("%s", vendorExclusive)
		}
		vendorSet = true
		o.Vendor = v
		return nil
	}
	setGen := func(g Generation) error {
		if o.Gen != genNone {
			return failf("%s", exclusive)
		}
		o.Gen = g
		return nil
	}
	for _, f := range flags {
		var err error
		switch f.c {
		case '4':
			if o.IPv6 {
				return nil, fatalf("-4 and -6 are mutually exclusive")
			}
			selected4 = true
		case '6':
			if selected4 {
				return nil, fatalf("-4 and -6 are mutually exclusive")
			}
			o.IPv6 = true
		case '7':
			if !vendorSet || o.Vendor != MikroTik6 {
				return nil, fatalf("'7' can only be used after -K")
			}
			o.Vendor = MikroTik7
		case 'a':
			o.ASNumber, err = parseASNumber(f.arg)
		case 'A':
			o.Aggregate = true
		case 'b':
			err = setVendor(BIRD)
		case 'B':
			err = setVendor(OpenBGPD)
		case 'd':
			o.Debug++
		case 'D':
			// accepted by bgpq4 1.9's getopt string, no effect
		case 'E':
			err = setGen(ExtendedACL)
		case 'e':
			err = setVendor(Arista)
			o.Sequence = true
		case 'F':
			if vendorSet {
				return nil, failf("%s", exclusive)
			}
			vendorSet = true
			o.Vendor = Format
			o.Format = f.arg
		case 'f', 'G', 'H':
			g := map[byte]Generation{'f': ASPath, 'G': OriginASPath, 'H': ASList}[f.c]
			if err = setGen(g); err == nil {
				o.ASNumber, err = parseASNumber(f.arg)
			}
		case 'h':
			o.Host, o.Port = splitHostPort(f.arg, o.Port)
		case 'J':
			err = setVendor(Juniper)
		case 'j':
			err = setVendor(JSON)
		case 'K':
			err = setVendor(MikroTik6)
		case 'r':
			if refineLow = strtoul(f.arg); refineLow == 0 {
				return nil, fatalf("Invalid refineLow value: %s", f.arg)
			}
		case 'R':
			if refine = strtoul(f.arg); refine == 0 {
				return nil, fatalf("Invalid refine length: %s", f.arg)
			}
		case 'l':
			o.Name = f.arg
		case 'L':
			d := int64(strtoul(f.arg))
			if d < 1 || d > 1<<31 {
				return nil, fatalf("Invalid maximum recursion (-L): %s", f.arg)
			}
			o.MaxDepth = int(d)
		case 'm':
			if maxlen = strtoul(f.arg); maxlen == 0 {
				return nil, fatalf("Invalid maxlen (-m): %s", f.arg)
			}
		case 'M':
			o.Match, err = unescapeMatch(f.arg)
		case 'N':
			err = setVendor(Nokia)
		case 'n':
			err = setVendor(NokiaMD)
		case 'p':
			o.Private = true
		case 't':
			err = setGen(ASSet)
		case 'T':
			o.NoPipe = true
		case 's':
			o.Sequence = true
		case 'S':
			o.Sources = f.arg
		case 'U':
			if vendorSet {
				return nil, failf("%s", exclusive)
			}
			vendorSet = true
			o.Vendor = Huawei
		case 'u':
			if vendorSet {
				return nil, failf("%s", exclusive)
			}
			vendorSet = true
			o.Vendor = HuaweiXPL
		case 'W':
			if o.ASWidth = atoi(f.arg); o.ASWidth < 0 {
				return nil, fatalf("Invalid as-width: %s", f.arg)
			}
			widthSet = true
		case 'w':
			o.Validate = true
		case 'X':
			err = setVendor(CiscoXR)
		case 'v':
			o.Version = true
			return o, nil
		case 'z':
			err = setGen(RouteFilterList)
		}
		if err != nil {
			return nil, err
		}
	}
	if !widthSet {
		o.ASWidth = defaultWidth(o.Gen, o.Vendor, o.ASWidth)
	}
	if o.Gen == genNone {
		o.Gen = PrefixList
	}
	if err := o.check(refine, refineLow, maxlen); err != nil {
		return nil, err
	}
	if len(rest) == 0 {
		return nil, &UsageError{"no objects given"}
	}
	except := false
	for _, a := range rest {
		switch {
		case a == "EXCEPT":
			except = true
		case except:
			o.Except = append(o.Except, a)
		default:
			o.Objects = append(o.Objects, a)
		}
	}
	return o, nil
}

func defaultWidth(g Generation, v Vendor, w int) int {
	switch g {
	case ASPath:
		switch v {
		case Arista, Cisco, MikroTik6, MikroTik7:
			return 4
		case CiscoXR:
			return 6
		case Juniper, Nokia, NokiaMD:
			return 8
		case BIRD:
			return 10
		}
	case OriginASPath:
		switch v {
		case Arista, Cisco:
			return 5
		case CiscoXR:
			return 7
		case Juniper, Nokia, NokiaMD:
			return 8
		}
	case ASList:
		if v == Juniper {
			return 8
		}
	}
	return w
}

// check applies bgpq4's flag-combination checks after option parsing, in
// its order.
func (o *Options) check(refine, refineLow, maxlen uint64) error {
	g, v := o.Gen, o.Vendor
	switch {
	case v == CiscoXR && g != PrefixList && g != ASPath && g != OriginASPath:
		return fatalf("Sorry, only prefix-sets and as-paths supported for IOS XR")
	case v == BIRD && g != PrefixList && g != ASPath && g != ASSet:
		return fatalf("Sorry, only prefix-lists and as-paths/as-sets supported for BIRD output")
	case v == JSON && g != PrefixList && g != ASPath && g != ASSet:
		return fatalf("Sorry, only prefix-lists and as-paths/as-sets supported for JSON output")
	case v == Format && g != PrefixList:
		return fatalf("Sorry, only prefix-lists supported in formatted output")
	case v == Huawei && g != ASPath && g != OriginASPath && g != PrefixList:
		return fatalf("Sorry, only as-paths and prefix-lists supported for Huawei output")
	case g == RouteFilterList && v != Juniper:
		return fatalf("Route-filter-lists (-z) supported for Juniper (-J) output only")
	case g == ASSet && v != JSON && v != OpenBGPD && v != BIRD:
		return fatalf("As-Sets (-t) supported for JSON (-j), OpenBGPD (-B) and BIRD (-b) output only")
	case o.Aggregate && v == Juniper && g == PrefixList:
		return fatalf("Sorry, aggregation (-A) does not work in Juniper prefix-lists\nYou can try route-filters (-E) or route-filter-lists (-z) instead of prefix-lists\n.")
	case o.Aggregate && (v == NokiaMD || v == Nokia) && g != PrefixList:
		return fatalf("Sorry, aggregation (-A) is not supported with ip-prefix-lists (-E) on Nokia.")
	case refine != 0 && (v == NokiaMD || v == Nokia) && g != PrefixList:
		return fatalf("Sorry, more-specifics (-R) is not supported with ip-prefix-lists (-E) on Nokia.")
	case refineLow != 0 && (v == NokiaMD || v == Nokia) && g != PrefixList:
		return fatalf("Sorry, more-specifics (-r) is not supported with ip-prefix-lists (-E) on Nokia.")
	case o.Aggregate && g < PrefixList:
		return fatalf("Sorry, aggregation (-A) used only for prefix-lists, extended access-lists and route-filters")
	case o.Sequence && v != Cisco && v != Arista:
		return fatalf("Sorry, prefix-lists sequencing (-s) supported only for IOS and EOS")
	case o.Sequence && g < PrefixList:
		return fatalf("Sorry, prefix-lists sequencing (-s) can't be  used for non prefix-list")
	}
	maxBits := uint64(32)
	if o.IPv6 {
		maxBits = 128
	}
	if refineLow != 0 && refine == 0 {
		refine = maxBits
	}
	if refineLow != 0 && refineLow > refine {
		return fatalf("Incompatible values for -r %d and -R %d", uint32(refineLow), uint32(refine))
	}
	if refine != 0 || refineLow != 0 {
		fam := "IPv4"
		if o.IPv6 {
			fam = "IPv6"
		}
		switch {
		case refine > maxBits:
			return fatalf("Invalid value for refine(-R): %d (1-%d for %s)", uint32(refine), maxBits, fam)
		case refineLow > maxBits:
			return fatalf("Invalid value for refineLow(-r): %d (1-%d for %s)", uint32(refineLow), maxBits, fam)
		}
		if v == Juniper && g == PrefixList {
			if refine != 0 {
				return fatalf("Sorry, more-specific filters (-R %d) is not supported for Juniper prefix-lists.\nUse router-filters (-E) or route-filter-lists (-z) instead", uint32(refine))
			}
		}
		if g < PrefixList {
			return fatalf("Sorry, more-specific filter (-R %d) supported only with prefix-list generation", uint32(refine))
		}
	}
	o.Refine, o.RefineLow = uint8(refine), uint8(refineLow)
	o.MaxLen = uint8(maxBits)
	if maxlen != 0 {
		if maxlen > maxBits {
			return fatalf("Invalid value for max-prefixlen: %d (1-128 for IPv6, 1-32 for IPv4)", maxlen)
		}
		o.MaxLen = uint8(maxlen)
	}
	switch {
	case g == ExtendedACL && v == Cisco && o.IPv6:
		return fatalf("Sorry, ipv6 access-lists not supported for Cisco yet.")
	case o.Match != "" && (v != Juniper || g != ExtendedACL):
		return fatalf("Sorry, extra match conditions (-M) can be used only with Juniper route-filters")
	case (g == ASPath || g == OriginASPath || g == ASList) && o.IPv6 && !o.Validate:
		return fatalf("Sorry, -6 makes no sense with as-path (-f/-G) or as-list (-H) generation")
	case o.Validate && g != ASPath && g != OriginASPath && g != ASList:
		return fatalf("Sorry, -w makes sense only for as-path (-f/-G) generation")
	}
	return nil
}

// unescapeMatch decodes -M's escapes as bgpq4 does: backslash followed by
// a newline, r, t or a backslash.
func unescapeMatch(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 >= len(s) {
			return "", fatalf("Unsupported escape \\ (0x00) in '%s'", s)
		}
		switch s[i+1] {
		case '\n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case '\\':
			b.WriteByte('\\')
		default:
			return "", fatalf("Unsupported escape \\%c (0x%02x) in '%s'", s[i+1], s[i+1], s)
		}
		i++
	}
	return b.String(), nil
}

// splitHostPort splits -h's argument. bgpq4 1.9 splits at the first colon,
// which makes IPv6 literals unusable; filtergen also accepts "[::1]:43"
// and a bare IPv6 address ("::1", default port).
func splitHostPort(s, defPort string) (host, port string) {
	if strings.HasPrefix(s, "[") {
		if h, p, err := net.SplitHostPort(s); err == nil {
			return h, p
		}
		if strings.HasSuffix(s, "]") {
			return s[1 : len(s)-1], defPort
		}
	}
	if strings.Count(s, ":") > 1 {
		return s, defPort
	}
	if i := strings.IndexByte(s, ':'); i >= 0 {
		return s[:i], s[i+1:]
	}
	return s, defPort
}

// Addr returns the server address for net.Dial.
func (o *Options) Addr() string { return net.JoinHostPort(o.Host, o.Port) }
