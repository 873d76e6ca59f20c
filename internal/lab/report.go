package lab

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// A Mismatch is one case where the router did not do what the compiled
// Result says.
type Mismatch struct {
	Check    string // import, export, max-prefix, anti-spoofing, rpki-revalidation
	Neighbor string // peer name and address
	Case     string // the class of the generated route or probe
	Prefix   string
	Path     string
	Expected string
	Got      string
}

// A Report collects the mismatches of one check, and notes on cases
// that could not be generated.
type Report struct {
	Check      string
	Cases      int // cases compared
	Mismatches []Mismatch
	Notes      []string
	// Took is how long the check ran, for the summary.
	Took time.Duration
}

func (r *Report) add(m Mismatch) {
	m.Check = r.Check
	r.Mismatches = append(r.Mismatches, m)
}

func (r *Report) note(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

// Counts returns the number of mismatches per case class.
func (r *Report) Counts() map[string]int {
	out := map[string]int{}
	for _, m := range r.Mismatches {
		out[m.Case]++
	}
	return out
}

// Table formats the mismatches as an aligned table.
func (r *Report) Table() string {
	if len(r.Mismatches) == 0 {
		return fmt.Sprintf("%s: %d cases, no mismatch\n", r.Check, r.Cases)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d of %d cases mismatch\n", r.Check, len(r.Mismatches), r.Cases)
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "NEIGHBOR\tCASE\tPREFIX\tPATH\tEXPECTED\tGOT")
	ms := slices.Clone(r.Mismatches)
	slices.SortStableFunc(ms, func(a, b Mismatch) int {
		return strings.Compare(a.Neighbor+a.Case+a.Prefix, b.Neighbor+b.Case+b.Prefix)
	})
	const maxRows = 60
	for i, m := range ms {
		if i == maxRows {
			fmt.Fprintf(w, "… and %d more\n", len(ms)-maxRows)
			break
		}
		path := m.Path
		if len(path) > 40 {
			path = path[:37] + "..."
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", m.Neighbor, m.Case, m.Prefix, path, m.Expected, m.Got)
	}
	w.Flush()
	return b.String()
}

// Summary is one line: the count per case class.
func (r *Report) Summary() string {
	c := r.Counts()
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%d", k, c[k]))
	}
	return fmt.Sprintf("%s: %d cases, %d mismatches [%s] in %.1fs", r.Check, r.Cases, len(r.Mismatches), strings.Join(parts, " "), r.Took.Seconds())
}
