package yangcheck

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/openconfig/goyang/pkg/yang"
)

// Dialect says which configuration language a Schema checks.
type Dialect int

const (
	// Junos is Juniper's curly-brace configuration ("show configuration").
	Junos Dialect = iota + 1
	// MDCLI is Nokia SR OS model-driven CLI ("info" and "info flat").
	MDCLI
)

func (d Dialect) String() string {
	switch d {
	case Junos:
		return "junos"
	case MDCLI:
		return "md-cli"
	}
	return fmt.Sprintf("Dialect(%d)", int(d))
}

// A Schema is a loaded, resolved set of vendor YANG modules. It is
// immutable after loading and safe for concurrent use.
type Schema struct {
	dialect Dialect
	dir     string
	root    *node // a container holding the top-level data nodes
	// Dropped lists what the loader removed in memory to make a vendor
	// subset resolve (SR OS: includes of absent submodules, uses of
	// groupings no packaged file defines), one entry per statement.
	Dropped []string
	// SkippedPatterns lists the patterns (YANG or junos:posix-pattern)
	// that Go's regexp cannot compile; values are not checked against
	// them. Sorted.
	SkippedPatterns []string
	nodes           int
	limits          Limits
}

// Dialect reports the configuration language the schema checks.
func (s *Schema) Dialect() Dialect { return s.dialect }

// Nodes reports how many distinct schema nodes the loader built; a
// grouping used in many places counts once.
func (s *Schema) Nodes() int { return s.nodes }

// Top lists the top-level statements the schema knows, sorted.
func (s *Schema) Top() []string {
	var out []string
	for _, c := range s.root.kw {
		out = append(out, c.name)
	}
	sort.Strings(out)
	return out
}

// junosRoot is the module and container every junos-conf-* module augments.
const (
	junosRootModule = "junos-conf-root"
	junosRootNode   = "configuration"
	junosExtModule  = "junos-common-ddl-extensions"
	srosRootModule  = "nokia-conf"
	srosRootNode    = "configure"
)

// LoadJunos loads Juniper's conf-with-extensions models from dir (the
// junos-common-* and junos-conf-* modules of one release), in place and
// read-only. The files are YANG 1.0 and use the escape \' inside
// double-quoted strings, which YANG 1.1 parsers reject; it is rewritten to
// ' in memory.
func LoadJunos(dir string) (*Schema, error) {
	return load(dir, Junos)
}

// LoadSROS loads Nokia's SR OS models from dir: nokia-conf.yang, the
// nokia-conf-* submodules present, and the modules they import. The folder
// may be a subset of the release: the include statements of submodules
// that are absent, and the uses (directly in nokia-conf's container
// configure) of groupings that no file in dir defines, are dropped in
// memory and listed in Schema.Dropped. Anything else that does not resolve
// is an error.
func LoadSROS(dir string) (*Schema, error) {
	return load(dir, MDCLI)
}

// lineStatement returns the argument of a one-line statement "kw ARG;"
// (or "kw ARG {" when open is set) on line, if that is what line holds.
func lineStatement(line, kw string, open bool) (string, bool) {
	t := strings.TrimSpace(line)
	if i := strings.Index(t, "//"); i >= 0 {
		t = strings.TrimSpace(t[:i])
	}
	rest, ok := strings.CutPrefix(t, kw)
	if !ok || rest == "" || (rest[0] != ' ' && rest[0] != '\t') {
		return "", false
	}
	end := ";"
	if open {
		end = "{"
	}
	rest, ok = strings.CutSuffix(rest, end)
	if !ok {
		return "", false
	}
	arg := strings.TrimSpace(rest)
	if arg == "" || strings.ContainsAny(arg, " \t\"'{};") {
		return "", false
	}
	return arg, true
}

// dropLines blanks the one-line "kw ARG;" statements of text whose
// argument drop approves, keeping line numbers intact for goyang's
// messages.
func dropLines(text, kw string, drop func(arg string) bool) string {
	if !strings.Contains(text, kw) {
		return text
	}
	lines := strings.SplitAfter(text, "\n")
	changed := false
	for i, l := range lines {
		if arg, ok := lineStatement(l, kw, false); ok && drop(arg) {
			lines[i] = "\n"
			changed = true
		}
	}
	if !changed {
		return text
	}
	return strings.Join(lines, "")
}

func load(dir string, d Dialect) (*Schema, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("yangcheck: %w", err)
	}
	type file struct {
		path, name string // name: module name without @revision
		text       string
	}
	var files []file
	present := map[string]bool{}
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yang") {
			continue
		}
		if !e.Type().IsRegular() && e.Type()&fs.ModeSymlink == 0 {
			continue
		}
		p := filepath.Join(dir, e.Name())
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("yangcheck: %w", err)
		}
		name := strings.TrimSuffix(e.Name(), ".yang")
		if i := strings.IndexByte(name, '@'); i >= 0 {
			name = name[:i]
		}
		present[name] = true
		files = append(files, file{p, name, string(b)})
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("yangcheck: %s: no .yang files", dir)
	}
	s := &Schema{dialect: d, dir: dir}

	switch d {
	case Junos:
		for i := range files {
			files[i].text = unescapeQuote(files[i].text)
		}
	case MDCLI:
		defined := map[string]bool{}
		for _, f := range files {
			for l := range strings.Lines(f.text) {
				if arg, ok := lineStatement(l, "grouping", true); ok {
					defined[arg] = true
				}
			}
		}
		for i := range files {
			f := &files[i]
			f.text = dropLines(f.text, "include", func(name string) bool {
				if present[name] {
					return false
				}
				s.Dropped = append(s.Dropped, fmt.Sprintf("%s: include %s (submodule not in %s)", filepath.Base(f.path), name, dir))
				return true
			})
			if f.name == srosRootModule {
				f.text = dropTopUses(f.text, srosRootNode, func(name string) bool {
					if defined[name] {
						return false
					}
					s.Dropped = append(s.Dropped, fmt.Sprintf("%s: configure: uses %s (grouping not defined in %s)", filepath.Base(f.path), name, dir))
					return true
				})
			}
		}
	}

	ms := yang.NewModules()
	ms.ParseOptions.IgnoreSubmoduleCircularDependencies = true
	var errs []error
	for _, f := range files {
		if err := ms.Parse(f.text, f.path); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("yangcheck: %s: %w", dir, errors.Join(errs...))
	}
	if err := link(ms); err != nil {
		return nil, fmt.Errorf("yangcheck: %s: %w", dir, err)
	}

	rootMod, rootNode := junosRootModule, junosRootNode
	if d == MDCLI {
		rootMod, rootNode = srosRootModule, srosRootNode
	}
	b := newBuilder(ms, d)
	if err := b.collectAugments(); err != nil {
		return nil, fmt.Errorf("yangcheck: %s: %w", dir, err)
	}
	m := ms.Modules[rootMod]
	if m == nil {
		return nil, fmt.Errorf("yangcheck: %s: module %s not found", dir, rootMod)
	}
	var top *node
	for _, c := range m.Container {
		if c.Name == rootNode {
			top = b.node(c, "/"+rootNode, false)
		}
	}
	if top == nil {
		return nil, fmt.Errorf("yangcheck: %s: %s has no container %s", dir, rootMod, rootNode)
	}
	b.build(top)
	if err := b.unusedAugments(); err != nil {
		b.errs = append(b.errs, err)
	}
	if len(b.errs) > 0 {
		return nil, fmt.Errorf("yangcheck: %s: %w", dir, errors.Join(b.errs...))
	}
	s.root = top
	s.nodes = len(b.memo)
	for p := range b.types.bad {
		s.SkippedPatterns = append(s.SkippedPatterns, p)
	}
	sort.Strings(s.SkippedPatterns)
	b.release()
	return s, nil
}

// link resolves include and import statements the way goyang's Process
// does, without building goyang's Entry trees: those copy every grouping
// at every use, which takes seconds for the Junos models. The checker
// expands groupings itself, once per grouping.
func link(ms *yang.Modules) error {
	var errs []error
	seen := map[*yang.Module]bool{}
	var visit func(m *yang.Module)
	visit = func(m *yang.Module) {
		if seen[m] {
			return
		}
		seen[m] = true
		for _, i := range m.Include {
			im := ms.FindModule(i)
			if im == nil {
				errs = append(errs, fmt.Errorf("%s: no such submodule: %s", yang.Source(i), i.Name))
				continue
			}
			i.Module = im
			visit(im)
		}
		for _, i := range m.Import {
			im := ms.FindModule(i)
			if im == nil {
				errs = append(errs, fmt.Errorf("%s: no such module: %s", yang.Source(i), i.Name))
				continue
			}
			i.Module = im
			visit(im)
		}
	}
	var names []string
	for n := range ms.Modules {
		names = append(names, n)
	}
	for n := range ms.SubModules {
		names = append(names, "\x00"+n)
	}
	sort.Strings(names)
	for _, n := range names {
		if m, ok := ms.Modules[n]; ok {
			visit(m)
		} else {
			visit(ms.SubModules[n[1:]])
		}
	}
	return errors.Join(errs...)
}

// unescapeQuote rewrites the YANG 1.0 escape \' inside double-quoted
// strings to a plain quote. Comments and single-quoted strings (where a
// backslash is literal) are copied unchanged.
func unescapeQuote(s string) string {
	if !strings.Contains(s, `\'`) {
		return s
	}
	const (
		ground = iota
		dquote
		squote
		lineComment
		blockComment
	)
	b := make([]byte, 0, len(s))
	state := ground
	for i := 0; i < len(s); i++ {
		c := s[i]
		next := byte(0)
		if i+1 < len(s) {
			next = s[i+1]
		}
		switch state {
		case ground:
			switch {
			case c == '"':
				state = dquote
			case c == '\'':
				state = squote
			case c == '/' && next == '/':
				state = lineComment
			case c == '/' && next == '*':
				state = blockComment
				b = append(b, c, next)
				i++
				continue
			}
		case dquote:
			if c == '\\' && next != 0 {
				if next == '\'' {
					b = append(b, next)
				} else {
					b = append(b, c, next)
				}
				i++
				continue
			}
			if c == '"' {
				state = ground
			}
		case squote:
			if c == '\'' {
				state = ground
			}
		case lineComment:
			if c == '\n' {
				state = ground
			}
		case blockComment:
			if c == '*' && next == '/' {
				b = append(b, c, next)
				i++
				state = ground
				continue
			}
		}
		b = append(b, c)
	}
	return string(b)
}

// dropTopUses blanks, directly inside the top-level "container NAME" of a
// module, the uses statements drop approves.
func dropTopUses(text, container string, drop func(name string) bool) string {
	start := -1
	off := 0
	for l := range strings.Lines(text) {
		if arg, ok := lineStatement(l, "container", true); ok && arg == container {
			start = off + strings.IndexByte(l, '{')
			break
		}
		off += len(l)
	}
	if start < 0 {
		return text
	}
	// Find the matching brace, skipping strings and comments; the uses
	// statements dropped are one-line statements inside that body.
	depth := 0
	i := start
	body := -1
	end := len(text)
scan:
	for ; i < len(text); i++ {
		switch c := text[i]; c {
		case '{':
			depth++
			if depth == 1 {
				body = i + 1
			}
		case '}':
			depth--
			if depth == 0 {
				end = i
				break scan
			}
		case '"':
			for i++; i < len(text) && text[i] != '"'; i++ {
				if text[i] == '\\' {
					i++
				}
			}
		case '\'':
			for i++; i < len(text) && text[i] != '\''; i++ {
			}
		case '/':
			if i+1 < len(text) && text[i+1] == '/' {
				for ; i < len(text) && text[i] != '\n'; i++ {
				}
			}
		}
	}
	if body < 0 {
		return text
	}
	region := text[body:end]
	var out bytes.Buffer
	out.WriteString(text[:body])
	out.WriteString(dropLines(region, "uses", drop))
	out.WriteString(text[end:])
	return out.String()
}

// keys splits a list's key statement.
func keys(l *yang.List) []string {
	if l.Key == nil {
		return nil
	}
	return strings.Fields(l.Key.Name)
}
