package cli

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/filtergen/filtergen/irr"
)

// TestRenderedListsMatchBgpq4 checks, for every FRR, OpenBGPD, BIRD,
// Arista EOS and Nokia SR OS (classic and MD-CLI) router of the bundled
// examples, that the prefix-list part of the
// rendered configuration has exactly the entries the real bgpq4 1.9
// prints for the same prefixes: each peer's filter entries become the
// members (with RPSL range operators) of a route-set served by
// filtergen's IRRd server on 127.0.0.1, and bgpq4 expands it in the
// Cisco format FRR takes (-l), OpenBGPD's prefix-set (-B -E), BIRD's
// (-b), EOS's (-e), SR OS classic's (-N) and MD-CLI's (-n). SR OS entries
// are read into the Cisco form before they are compared. Only the entry lines are compared: names, sequence numbers and
// framing differ by design.
func TestRenderedListsMatchBgpq4(t *testing.T) {
	bin, err := exec.LookPath("bgpq4")
	if err != nil {
		t.Skip("bgpq4 is not installed (make test installs it)")
	}
	formats := map[string]struct {
		args []string
		// entry extracts the entry of one line of bgpq4's output or of
		// the rendered file, "" for other lines.
		entry func(line string) string
	}{
		"frr": {nil, func(l string) string {
			m := ciscoEntry.FindStringSubmatch(l)
			if m == nil {
				return ""
			}
			return m[1]
		}},
		// IOS-XE and NX-OS take bgpq4's default (IOS) format.
		"iosxe": {nil, func(l string) string {
			m := ciscoEntry.FindStringSubmatch(l)
			if m == nil {
				return ""
			}
			return m[1]
		}},
		"nxos": {nil, func(l string) string {
			m := ciscoEntry.FindStringSubmatch(l)
			if m == nil {
				return ""
			}
			return m[1]
		}},
		// IOS-XR prefix-set elements, "P[ ge A][ le B]" with a comma
		// after all but the last.
		"iosxr": {[]string{"-X"}, func(l string) string {
			l = strings.TrimSuffix(strings.TrimSpace(l), ",")
			if !xrEntry.MatchString(l) {
				return ""
			}
			return l
		}},
		"openbgpd": {[]string{"-B", "-E"}, func(l string) string {
			if !strings.HasPrefix(l, "\t") || strings.HasSuffix(l, "or-longer") {
				return ""
			}
			return strings.TrimSpace(l)
		}},
		"bird2": {[]string{"-b"}, func(l string) string {
			l = strings.TrimSuffix(strings.TrimSpace(l), ",")
			if !birdEntry.MatchString(l) {
				return ""
			}
			return l
		}},
		"eos": {[]string{"-e"}, func(l string) string {
			m := eosEntry.FindStringSubmatch(l)
			if m == nil {
				return ""
			}
			return m[1]
		}},
		"sros-classic": {[]string{"-N"}, srosEntry},
		// MD-CLI blocks are first joined into one line each (listOf
		// and mdcliLines), then read like classic entries.
		"sros-mdcli": {[]string{"-n"}, srosEntry},
	}
	compared, same := 0, 0
	comparedOn := map[string]int{}
	for _, ex := range examples {
		policy := filepath.Join("..", "..", "examples", ex, "filtergen.yaml")
		out := t.TempDir()
		code, _, stderr := runCLI(t, "compile", policy, "-o", out)
		if code != 0 {
			t.Fatalf("%s: compile: exit %d: %s", ex, code, stderr)
		}
		// The Result the files were rendered from (--json prints it under
		// the JSON contract's keys, which are not the Go field names).
		res := *compilePolicy(t, policy)
		// One route-set per peer and family, served once.
		var rpsl strings.Builder
		for _, p := range res.Peers {
			for _, f := range p.Families {
				if len(f.Entries) == 0 {
					continue
				}
				fmt.Fprintf(&rpsl, "route-set: %s\nmembers: ", setName(p.Name, f.Family))
				for i, e := range f.Entries {
					if i > 0 {
						rpsl.WriteString(", ")
					}
					rpsl.WriteString(e.String())
				}
				rpsl.WriteString("\nsource: TEST\n\n")
			}
		}
		db := filepath.Join(t.TempDir(), "sets.rpsl")
		if err := os.WriteFile(db, []byte(rpsl.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		reg, err := irr.LoadFiles(t.Context(), irr.LoadOptions{}, db)
		if err != nil {
			t.Fatal(err)
		}
		addr := startIRRd(t, reg, false)
		for _, r := range res.Routers {
			format, ok := formats[r.Platform]
			if !ok {
				continue
			}
			for _, p := range res.Peers {
				if !slices.ContainsFunc(p.Routers, func(x string) bool { return strings.EqualFold(x, r.Name) }) {
					continue
				}
				data, err := os.ReadFile(filepath.Join(out, r.Name+".d", p.Name+".conf"))
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range p.Families {
					if len(f.Entries) == 0 || !p.Import.PrefixFilter {
						continue
					}
					name := "PL_" + strings.ToUpper(p.Name) + map[irr.Family]string{irr.IPv4: "_V4", irr.IPv6: "_V6"}[f.Family]
					args := append(slices.Clone(format.args), "-A", "-l", name)
					if f.Family == irr.IPv6 {
						args = append(args, "-6")
					}
					want, code := runRealBgpq4(t, bin, addr, append(args, setName(p.Name, f.Family)))
					if code != 0 {
						t.Fatalf("bgpq4 %v: exit %d", args, code)
					}
					got := entriesOf(listOf(string(data), r.Platform, name), format.entry)
					if r.Platform == "sros-mdcli" {
						want = mdcliLines(want)
					}
					wantEntries := entriesOf(want, format.entry)
					switch {
					case len(wantEntries) > 0 && slices.Equal(got, wantEntries):
						same++
					case len(wantEntries) > 0 && sameSet(t, got, wantEntries):
						// filtergen's aggregation and bgpq4 -A may cover
						// the same prefixes with different entries; each
						// line still parses in the platform's format.
						t.Logf("%s router %s peer %s %s: same prefixes, aggregated differently:\n%s\nbgpq4:\n%s",
							ex, r.Name, p.Name, f.Family, strings.Join(got, "\n"), strings.Join(wantEntries, "\n"))
					default:
						t.Errorf("%s router %s peer %s %s: rendered entries\n%s\nbgpq4 %s:\n%s",
							ex, r.Name, p.Name, f.Family, strings.Join(got, "\n"), strings.Join(args, " "), strings.Join(wantEntries, "\n"))
					}
					compared++
					comparedOn[r.Platform]++
				}
			}
		}
	}
	for _, pl := range []string{"eos", "sros-classic", "sros-mdcli"} {
		if comparedOn[pl] == 0 {
			t.Errorf("no %s list compared", pl)
		}
	}
	if compared < 10 || same < compared*3/4 {
		t.Errorf("%d lists compared, %d identical to bgpq4's", compared, same)
	}
	t.Logf("%d lists compared, %d identical to bgpq4's", compared, same)
	// The set comparison can fail.
	if sameSet(t, []string{"192.0.2.0/24"}, []string{"192.0.2.0/24 le 25"}) ||
		!sameSet(t, []string{"10.0.0.0/23{24,24}"}, []string{"10.0.0.0/24", "10.0.1.0/24"}) {
		t.Error("sameSet is wrong")
	}
}

var (
	eosEntry   = regexp.MustCompile(`^ +seq \d+ permit (.+)$`)
	srosLine   = regexp.MustCompile(`^ *prefix (\S+) (?:exact|prefix-length-range (\d+)-(\d+))$`)
	mdcliBlock = regexp.MustCompile(`prefix (\S+) type (?:exact \{\s*\}|through \{\s*through-length (\d+)\s*\}|range \{\s*start-length (\d+)\s*end-length (\d+)\s*\})`)
	ciscoEntry = regexp.MustCompile(`^ipv?6? ?prefix-list \S+ (?:seq \d+ )?permit (.+)$`)
	birdEntry  = regexp.MustCompile(`^[0-9a-f:.]+/\d+(\{\d+,\d+\})?$`)
	xrEntry    = regexp.MustCompile(`^[0-9a-f:.]+/\d+( ge \d+)?( le \d+)?$`)
)

// srosEntry reads a classic "prefix P exact" or "prefix P
// prefix-length-range A-B" line into the Cisco form: "P", "P le B" or
// "P ge A le B".
func srosEntry(l string) string {
	m := srosLine.FindStringSubmatch(l)
	if m == nil {
		return ""
	}
	if m[2] == "" {
		return m[1]
	}
	p := netip.MustParsePrefix(m[1])
	if m[2] == strconv.Itoa(p.Bits()) {
		return m[1] + " le " + m[3]
	}
	return m[1] + " ge " + m[2] + " le " + m[3]
}

// mdcliLines rewrites each MD-CLI prefix block as the classic line with
// the same meaning ("through-length B" is lengths len..B).
func mdcliLines(text string) string {
	var b strings.Builder
	for _, m := range mdcliBlock.FindAllStringSubmatch(text, -1) {
		p := netip.MustParsePrefix(m[1])
		switch {
		case m[2] != "":
			fmt.Fprintf(&b, "prefix %s prefix-length-range %d-%s\n", m[1], p.Bits(), m[2])
		case m[3] != "":
			fmt.Fprintf(&b, "prefix %s prefix-length-range %s-%s\n", m[1], m[3], m[4])
		default:
			fmt.Fprintf(&b, "prefix %s exact\n", m[1])
		}
	}
	return b.String()
}

func setName(peer string, fam irr.Family) string {
	return "RS-FG-" + strings.ReplaceAll(strings.ToUpper(peer), "_", "-") + "-" + strings.ToUpper(fam.String())
}

// listOf returns the lines of the rendered list called name: the lines
// naming it (FRR) or the block it opens (OpenBGPD, BIRD).
func listOf(data, platform, name string) string {
	var b strings.Builder
	in := false
	for _, l := range strings.Split(data, "\n") {
		switch platform {
		case "iosxe", "nxos":
			// IOS-XE and NX-OS names carry a version suffix.
			if regexp.MustCompile(` prefix-list ` + name + `_[0-9A-F]{6} `).MatchString(l) {
				b.WriteString(l + "\n")
			}
			continue
		case "frr":
			if strings.Contains(l, " prefix-list "+name+" ") {
				b.WriteString(l + "\n")
			}
			continue
		case "openbgpd":
			if strings.HasPrefix(l, "prefix-set "+name+" ") {
				in = true
				continue
			}
		case "iosxr":
			if l == "prefix-set "+name {
				in = true
				continue
			}
			if in && l == "end-set" {
				in = false
			}
		case "bird2":
			if strings.HasPrefix(l, "define "+name+" ") {
				in = true
				continue
			}
		case "eos":
			if l == "ip prefix-list "+name || l == "ipv6 prefix-list "+name {
				in = true
				continue
			}
			if in && !strings.HasPrefix(l, "   seq ") {
				in = false
			}
		case "sros-classic":
			if l == `prefix-list "`+name+`"` {
				in = true
				continue
			}
			if in && l == "exit" {
				in = false
			}
		case "sros-mdcli":
			if l == `prefix-list "`+name+`" {` {
				in = true
				continue
			}
		}
		if in && (l == "}" || l == "];") {
			in = false
		}
		if in {
			b.WriteString(l + "\n")
		}
	}
	if platform == "sros-mdcli" {
		return mdcliLines(b.String())
	}
	return b.String()
}

// entriesOf returns the sorted entries of text.
func entriesOf(text string, entry func(string) string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if e := entry(l); e != "" {
			out = append(out, e)
		}
	}
	slices.Sort(out)
	return out
}

// entryRE reads an entry in any of the three formats: FRR "P", "P le B",
// "P ge A le B"; OpenBGPD "P prefixlen = N", "P prefixlen A - B"; BIRD
// "P{A,B}".
var entryRE = regexp.MustCompile(`^(\S+?)(?:\{(\d+),(\d+)\}| ge (\d+) le (\d+)| le (\d+)| prefixlen = (\d+)| prefixlen (\d+) - (\d+))?$`)

// sameSet reports whether two entry lists match the same prefixes.
func sameSet(t *testing.T, a, b []string) bool {
	t.Helper()
	expand := func(es []string) map[netip.Prefix]bool {
		out := map[netip.Prefix]bool{}
		for _, e := range es {
			m := entryRE.FindStringSubmatch(e)
			if m == nil {
				t.Fatalf("cannot read entry %q", e)
			}
			p := netip.MustParsePrefix(m[1])
			lo, hi := p.Bits(), p.Bits()
			num := func(s string) int { n, _ := strconv.Atoi(s); return n }
			switch {
			case m[2] != "":
				lo, hi = num(m[2]), num(m[3])
			case m[4] != "":
				lo, hi = num(m[4]), num(m[5])
			case m[6] != "":
				hi = num(m[6])
			case m[7] != "":
				lo, hi = num(m[7]), num(m[7])
			case m[8] != "":
				lo, hi = num(m[8]), num(m[9])
			}
			for l := lo; l <= hi; l++ {
				if l-p.Bits() > 16 {
					t.Fatalf("entry %q too wide to expand", e)
				}
				for i := 0; i < 1<<(l-p.Bits()); i++ {
					out[nthSubnet(p, l, i)] = true
				}
			}
		}
		return out
	}
	x, y := expand(a), expand(b)
	if len(x) != len(y) {
		return false
	}
	for k := range x {
		if !y[k] {
			return false
		}
	}
	return true
}

// nthSubnet returns the i-th subnet of length l inside p.
func nthSubnet(p netip.Prefix, l, i int) netip.Prefix {
	b := p.Addr().AsSlice()
	shift := len(b)*8 - l
	// add i << shift to the address
	carry := uint(i)
	for pos := shift; carry != 0 && pos < len(b)*8; pos++ {
		if carry&1 == 1 {
			byteIdx := len(b) - 1 - pos/8
			bit := byte(1) << (pos % 8)
			b[byteIdx] |= bit
		}
		carry >>= 1
	}
	a, _ := netip.AddrFromSlice(b)
	return netip.PrefixFrom(a, l)
}
