package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/filtergen/filtergen/internal/asn"
)

//go:embed report.html.tmpl
var htmlText string

// maxTreeRows bounds the rows of one AS-SET tree drawn on the page; the
// JSON has every set.
const maxTreeRows = 60

// maxListed bounds the items of one list shown on the page or in the
// Markdown (missing sets, ASNs without routes, invalids); the JSON has
// all of them.
const maxListed = 20

// html/template escapes every string it inserts for its context (text,
// attribute, URL), so a set name or description from a registry can
// never become markup: no function below returns template.HTML.
var htmlTmpl = template.Must(template.New("report").Option("missingkey=error").Funcs(template.FuncMap{
	"comma":  comma,
	"pct":    func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) + "%" },
	"asn":    asn.Format,
	"join":   strings.Join,
	"time":   func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"bar":    coverageBar,
	"tree":   treeRows,
	"chart":  historyChart,
	"first":  firstN,
	"more":   func(n int) int { return max(n-maxListed, 0) },
	"anchor": func(name string) string { return "n-" + name },
	"add":    func(a, b int) int { return a + b },
	"mul":    func(a, b int) int { return a * b },
	"famTotal": func(fs []Family, field string) int {
		t := 0
		for _, f := range fs {
			switch field {
			case "accepted":
				t += f.Accepted
			case "dropped":
				t += f.Dropped
			}
		}
		return t
	},
	"gradeOf": func(gs []Grade, action string) Grade {
		for _, g := range gs {
			if g.Action == action {
				return g
			}
		}
		return Grade{Action: action, Grade: GradeNA}
	},
	"actions":     func() []string { return []string{ActionFiltering, ActionAntiSpoofing, ActionGlobalValidation} },
	"actionTitle": actionTitle,
	"gradeText":   func(g string) string { return strings.ReplaceAll(g, "_", " ") },
}).Parse(htmlText))

// WriteHTML writes the report as one self-contained HTML page: inline
// CSS and SVG, no script, no external asset.
func (r *Report) WriteHTML(w io.Writer) error {
	return htmlTmpl.Execute(w, r)
}

func actionTitle(a string) string {
	switch a {
	case ActionFiltering:
		return "Filtering (action 1)"
	case ActionAntiSpoofing:
		return "Anti-spoofing (action 2)"
	case ActionGlobalValidation:
		return "Global validation (action 4)"
	}
	return a
}

// comma formats an integer with thousands separators.
func comma(v any) string {
	var s string
	switch n := v.(type) {
	case int:
		s = strconv.Itoa(n)
	case uint64:
		s = strconv.FormatUint(n, 10)
	case uint32:
		s = strconv.FormatUint(uint64(n), 10)
	default:
		s = fmt.Sprint(v)
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func firstN(v any) any {
	switch s := v.(type) {
	case []ConeASN:
		return s[:min(len(s), maxListed)]
	case []MissingSet:
		return s[:min(len(s), maxListed)]
	case []Invalid:
		return s[:min(len(s), maxListed)]
	case []ASPAOrigin:
		return s[:min(len(s), maxListed)]
	case []NeighborInvalid:
		return s[:min(len(s), maxListed)]
	case [][]string:
		return s[:min(len(s), maxListed)]
	}
	return v
}

// A segment is one part of a coverage bar.
type segment struct {
	X, W  float64
	Class string
	Title string
}

const barWidth = 240.0

// coverageBar splits a bar of barWidth into the RPKI states by space.
func coverageBar(c Coverage, unit string) []segment {
	parts := []struct {
		v     uint64
		class string
		name  string
	}{
		{c.ValidSpace, "valid", "valid"},
		{c.NotFoundSpace, "notfound", "not found"},
		{c.InvalidSpace, "invalid", "invalid"},
		{c.UncheckedSpace, "unchecked", "unchecked"},
	}
	var tot float64
	for _, p := range parts {
		tot += float64(p.v)
	}
	var out []segment
	x := 0.0
	for _, p := range parts {
		if p.v == 0 || tot == 0 {
			continue
		}
		w := math.Round(barWidth*float64(p.v)/tot*10) / 10
		out = append(out, segment{X: x, W: w, Class: p.class,
			Title: fmt.Sprintf("%s: %s %s (%.1f%%)", p.name, comma(p.v), unit, 100*float64(p.v)/tot)})
		x += w
	}
	return out
}

// A treeRow is one row of a drawn AS-SET tree.
type treeRow struct {
	Y, X, PX, PY int // position, and the parent's elbow
	HasParent    bool
	Label        string
	Class        string // set, missing, loop, more
}

type treeDrawing struct {
	Rows   []treeRow
	Height int
	Width  int
}

// treeRows lays an AS-SET tree out as an indented outline: the sets in
// depth-first order, each under the set it was first reached through,
// missing sets (red) and loops (orange) under the set that references
// them. At most maxTreeRows rows are drawn.
func treeRows(s ASSet) treeDrawing {
	const rowH, indent = 18, 16
	children := map[string][]SetNode{}
	for _, n := range s.Sets[min(1, len(s.Sets)):] {
		children[n.Parent] = append(children[n.Parent], n)
	}
	missing := map[string][]string{}
	for _, m := range s.Missing {
		if len(m.Path) > 0 {
			p := m.Path[len(m.Path)-1]
			missing[p] = append(missing[p], m.Name)
		}
	}
	loops := map[string][]string{}
	for _, l := range s.Loops {
		if len(l) >= 2 {
			loops[l[len(l)-2]] = append(loops[l[len(l)-2]], l[len(l)-1])
		}
	}
	var d treeDrawing
	total := len(s.Sets) + len(s.Missing) + len(s.Loops)
	visited := map[string]bool{}
	row := func(depth int, parentRow int, label, class string) int {
		r := treeRow{Y: len(d.Rows)*rowH + 14, X: depth*indent + 6, Label: label, Class: class}
		if parentRow >= 0 {
			p := d.Rows[parentRow]
			r.HasParent, r.PX, r.PY = true, p.X+4, p.Y+4
		}
		d.Rows = append(d.Rows, r)
		d.Width = max(d.Width, r.X+8*len(label)+24)
		return len(d.Rows) - 1
	}
	var walk func(n SetNode, depth, parentRow int)
	walk = func(n SetNode, depth, parentRow int) {
		if len(d.Rows) >= maxTreeRows || visited[n.Name] {
			return
		}
		visited[n.Name] = true
		label := n.Name
		if n.Source != "" {
			label += " (" + n.Source + ")"
		}
		if n.ASNs > 0 {
			label += fmt.Sprintf(" · %s ASN", comma(n.ASNs))
		}
		me := row(depth, parentRow, label, "set")
		for _, c := range children[n.Name] {
			walk(c, depth+1, me)
		}
		for _, m := range missing[n.Name] {
			if len(d.Rows) < maxTreeRows {
				row(depth+1, me, m+" — missing", "missing")
			}
		}
		for _, l := range loops[n.Name] {
			if len(d.Rows) < maxTreeRows {
				row(depth+1, me, "↻ "+l+" — loop", "loop")
			}
		}
	}
	if len(s.Sets) > 0 {
		walk(s.Sets[0], 0, -1)
	}
	if shown := len(d.Rows); shown < total {
		row(0, -1, fmt.Sprintf("… %s more (all of them are in the JSON)", comma(total-shown)), "more")
	}
	d.Height = len(d.Rows)*18 + 8
	d.Width = max(d.Width, 200)
	return d
}

// A chartDrawing is a line chart of totals over the history.
type chartDrawing struct {
	Accepted, Invalid string // polyline points
	Labels            []chartLabel
	MaxAccepted       int
	MaxInvalid        int
}

type chartLabel struct {
	X    float64
	Text string
}

const chartW, chartH = 600.0, 160.0

// historyChart draws accepted prefixes (left scale) and invalid routes
// (right scale) for each report of the history.
func historyChart(h []HistoryPoint) chartDrawing {
	var c chartDrawing
	for _, p := range h {
		c.MaxAccepted = max(c.MaxAccepted, p.Accepted)
		c.MaxInvalid = max(c.MaxInvalid, p.Invalid)
	}
	var acc, inv []string
	for i, p := range h {
		x := 40.0
		if len(h) > 1 {
			x += (chartW - 80) * float64(i) / float64(len(h)-1)
		}
		y := func(v, m int) float64 {
			if m == 0 {
				return chartH - 20
			}
			return math.Round((chartH-20-(chartH-40)*float64(v)/float64(m))*10) / 10
		}
		acc = append(acc, fmt.Sprintf("%.1f,%.1f", x, y(p.Accepted, c.MaxAccepted)))
		inv = append(inv, fmt.Sprintf("%.1f,%.1f", x, y(p.Invalid, c.MaxInvalid)))
		if i == 0 || i == len(h)-1 || len(h) <= 6 {
			c.Labels = append(c.Labels, chartLabel{X: x, Text: p.GeneratedAt.UTC().Format("01-02 15:04")})
		}
	}
	c.Accepted = strings.Join(acc, " ")
	c.Invalid = strings.Join(inv, " ")
	return c
}
