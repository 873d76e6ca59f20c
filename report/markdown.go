package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/internal/asn"
)

// WriteMarkdown writes a short summary in Markdown, for a ticket or an
// e-mail to a peer: the totals, one table row per neighbor, what to fix
// and what changed. With names, only those neighbors are written (an
// unknown name is an error), and the totals are theirs.
func (r *Report) WriteMarkdown(w io.Writer, names ...string) error {
	ns, failed := r.Neighbors, r.Failed
	if len(names) > 0 {
		ns, failed = nil, nil
		for _, name := range names {
			found := false
			for _, n := range r.Neighbors {
				if strings.EqualFold(n.Name, name) {
					ns = append(ns, n)
					found = true
				}
			}
			for _, f := range r.Failed {
				if strings.EqualFold(f.Name, name) {
					failed = append(failed, f)
					found = true
				}
			}
			if !found {
				return fmt.Errorf("report: no neighbor %q", name)
			}
		}
	}
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	sum := summarize(ns)
	p("# MANRS readiness: %s\n\n", asn.Format(r.LocalAS))
	p("Generated %s", r.GeneratedAt.UTC().Format("2006-01-02 15:04 UTC"))
	if r.RPKI != nil && r.RPKI.Updated != nil {
		p(", RPKI data of %s", r.RPKI.Updated.UTC().Format("2006-01-02 15:04 UTC"))
	}
	p(". %d neighbor(s), %s prefixes accepted, %s candidates dropped, %s RPKI invalid.\n\n",
		sum.Neighbors, comma(sum.Accepted), comma(sum.Dropped), comma(sum.Invalid))
	p("| neighbor | ASN | accepted | dropped | RPKI valid (space) | filtering | anti-spoofing | global validation |\n")
	p("| --- | ---: | ---: | ---: | ---: | --- | --- | --- |\n")
	for _, n := range ns {
		var acc, drop, valid []string
		for _, f := range n.Families {
			acc = append(acc, fmt.Sprintf("%s %s", f.Family, comma(f.Accepted)))
			drop = append(drop, comma(f.Dropped))
			if r.RPKI != nil {
				valid = append(valid, fmt.Sprintf("%.1f%%", f.RPKI.ValidSpacePercent))
			} else {
				valid = append(valid, "—")
			}
		}
		p("| %s | %d | %s | %s | %s |", md(n.Name), n.ASN, strings.Join(acc, ", "), strings.Join(drop, " / "), strings.Join(valid, " / "))
		for _, a := range []string{ActionFiltering, ActionAntiSpoofing, ActionGlobalValidation} {
			g := GradeNA
			for _, x := range n.Grades {
				if x.Action == a {
					g = x.Grade
				}
			}
			p(" %s |", strings.ReplaceAll(g, "_", " "))
		}
		p("\n")
	}
	if len(failed) > 0 {
		p("\n## Neighbors that could not be compiled\n\n")
		for _, f := range failed {
			p("- %s: %s\n", md(f.Name), md(f.Error))
		}
	}
	fixes := false
	for _, n := range ns {
		var lines []string
		for _, g := range n.Grades {
			if g.Grade != GradePartial && g.Grade != GradeNotReady {
				continue
			}
			for i, reason := range g.Reasons {
				if i == 5 {
					lines = append(lines, fmt.Sprintf("- %s: and %d more", actionName(g.Action), len(g.Reasons)-5))
					break
				}
				lines = append(lines, fmt.Sprintf("- %s (%s): %s", actionName(g.Action), strings.ReplaceAll(g.Grade, "_", " "), md(reason)))
			}
		}
		for _, f := range n.Families {
			for i, inv := range f.Invalids {
				if i == 5 {
					lines = append(lines, fmt.Sprintf("- %s: and %d more RPKI invalid", f.Family, len(f.Invalids)-5))
					break
				}
				lines = append(lines, fmt.Sprintf("- RPKI invalid: `%s` origin %s%s", inv.Prefix, asn.Format(inv.Origin), sourceText(inv.Source)))
			}
		}
		if len(lines) == 0 {
			continue
		}
		if !fixes {
			p("\n## What to fix\n")
			fixes = true
		}
		p("\n### %s (%s)\n\n%s\n", md(n.Name), asn.Format(n.ASN), strings.Join(lines, "\n"))
	}
	if c := r.Changes; c != nil {
		p("\n## Changes since %s\n\n", c.Previous.UTC().Format("2006-01-02 15:04 UTC"))
		want := map[string]bool{}
		for _, n := range ns {
			want[n.Name] = true
		}
		k := 0
		for _, s := range c.Space {
			if !want[s.Neighbor] {
				continue
			}
			dir := "grew"
			if s.After < s.Before {
				dir = "shrank"
			}
			unit := "addresses"
			if s.Family == filtergen.IPv6 {
				unit = "/64s"
			}
			p("- %s %s: accepted space %s from %s to %s %s (%s to %s prefixes)\n", md(s.Neighbor), s.Family, dir,
				comma(s.Before), comma(s.After), unit, comma(s.AcceptedBefore), comma(s.AcceptedAfter))
			k++
		}
		for _, inv := range c.NewInvalids {
			if !want[inv.Neighbor] {
				continue
			}
			p("- %s: new RPKI invalid `%s` origin %s%s\n", md(inv.Neighbor), inv.Prefix, asn.Format(inv.Origin), sourceText(inv.Source))
			k++
		}
		if len(names) == 0 {
			for _, a := range c.Added {
				p("- new neighbor %s\n", md(a))
				k++
			}
			for _, a := range c.Removed {
				p("- neighbor %s is gone\n", md(a))
				k++
			}
		}
		if k == 0 {
			p("Nothing changed.\n")
		}
	}
	return bw.Flush()
}

func actionName(a string) string {
	return strings.ReplaceAll(a, "_", "-")
}

func sourceText(src string) string {
	if src == "" {
		return ""
	}
	return " (" + md(src) + ")"
}

// md escapes text from registries and policies for Markdown, so that a
// set name cannot become a link, a table cell, a code span or HTML.
// Underscores are left alone: CommonMark never reads them as emphasis
// inside a word, and peer names are full of them.
func md(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch c {
		case '\\', '`', '*', '[', ']', '<', '|', '~':
			b.WriteByte('\\')
			b.WriteRune(c)
		case '\n', '\r':
			b.WriteByte(' ')
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}
