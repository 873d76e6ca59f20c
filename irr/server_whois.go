package irr

import (
	"net/netip"
	"slices"
	"strings"
)

// whois answers the RIPE-style queries IRR scripts send (protocols.md §2.3):
// -k (keep the connection open), -s <sources>, -a, -T <classes>,
// -i origin <asn>, -V <id> (ignored, with a "!" query after it run as such),
// -r and -F (ignored), and a plain key lookup. Answers are object texts
// separated by an empty line and ended by two; errors start with "%%".
func (ss *session) whois(q string) {
	st := ss.srv.state.Load()
	toks := strings.Fields(q)
	srcs := ss.srcs(st)
	var classes []string
	var attr, key string
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		next := func() (string, bool) {
			if i+1 >= len(toks) {
				ss.whoisError("Missing argument for flag " + t)
				return "", false
			}
			i++
			return toks[i], true
		}
		switch {
		case t == "-k":
			ss.persistent = true
		case t == "-r" || t == "-F":
		case t == "-a":
			srcs = st.b.Sources()
		case t == "-s":
			v, ok := next()
			if !ok {
				return
			}
			known := st.b.Sources()
			srcs = nil
			for s := range strings.SplitSeq(strings.ToUpper(v), ",") {
				if !slices.Contains(known, s) {
					ss.whoisError("One or more selected sources are unavailable.")
					return
				}
				srcs = append(srcs, s)
			}
		case t == "-T":
			v, ok := next()
			if !ok {
				return
			}
			classes = strings.Split(strings.ToLower(v), ",")
		case t == "-i":
			v, ok := next()
			if !ok {
				return
			}
			attr = strings.ToLower(v)
		case t == "-V":
			if _, ok := next(); !ok {
				return
			}
			if rest := strings.Join(toks[i+1:], " "); strings.HasPrefix(rest, "!") {
				ss.query(rest)
				return
			}
		case strings.HasPrefix(t, "-"):
			ss.whoisError("Unrecognised flag: " + t)
			return
		default:
			if key != "" {
				ss.whoisError("Only one search key is supported")
				return
			}
			key = t
		}
	}
	if key == "" {
		for _, t := range toks {
			if t != "-k" {
				ss.whoisError("Missing search key")
				return
			}
		}
		return // "-k" alone: no answer
	}
	want := func(class string) bool { return len(classes) == 0 || slices.Contains(classes, class) }
	var objs []string
	switch attr {
	case "":
		up := strings.ToUpper(key)
		switch {
		case strings.Contains(key, "/"):
			p, err := netip.ParsePrefix(key)
			if err != nil {
				ss.whoisError("Invalid prefix " + key)
				return
			}
			var rs []Route
			for _, r := range st.b.LookupRoutes(p.Masked(), MatchExact, srcs) {
				if want(routeClass(r.Prefix)) {
					rs = append(rs, r)
				}
			}
			objs = ss.routeObjects(st, rs)
		default:
			for _, class := range []string{"aut-num", "as-set", "route-set"} {
				if !want(class) {
					continue
				}
				if text, ok := st.b.Object(class, up, srcs); ok {
					objs = append(objs, text)
				}
			}
		}
	case "origin":
		n, err := wireParseASN([]byte(key))
		if err != nil {
			ss.whoisError("Invalid AS number " + key)
			return
		}
		for _, fam := range []Family{IPv4, IPv6} {
			class := "route"
			if fam == IPv6 {
				class = "route6"
			}
			if !want(class) {
				continue
			}
			rs, err := st.b.Routes(ss.ctx, []uint32{n}, fam, &ExpandOptions{Sources: srcs})
			if err != nil {
				ss.whoisError("An internal error occurred while processing this query.")
				return
			}
			objs = append(objs, ss.routeObjects(st, rs)...)
		}
	default:
		ss.whoisError("Inverse lookup on attribute " + attr + " is not supported")
		return
	}
	if len(objs) == 0 {
		ss.bw.WriteString("%  No entries found for the selected source(s).\n\n\n")
		return
	}
	for _, o := range objs {
		ss.bw.WriteString(o)
		if !strings.HasSuffix(o, "\n") {
			ss.bw.WriteByte('\n')
		}
		ss.bw.WriteByte('\n')
	}
	ss.bw.WriteByte('\n')
}

func (ss *session) whoisError(msg string) {
	ss.bw.WriteString("%% ERROR: " + strings.ReplaceAll(msg, "\n", " ") + "\n\n\n")
}

func routeClass(p netip.Prefix) string {
	if p.Addr().Is4() {
		return "route"
	}
	return "route6"
}
