package yangcheck

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// An Error is one problem in a checked configuration. Error() reads like
//
//	rs2.conf:42: /configuration/policy-options/route-filter-list/rf_list/choice-ident: "exactly": not one of exact, longer, ...
type Error struct {
	File string // as given to the Check method; may be empty
	Line int    // 1-based
	// Path is the schema path of the node the problem is at (or under),
	// YANG node names separated by "/"; empty for syntax errors.
	Path string
	Msg  string
}

func (e Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	b.WriteString(strconv.Itoa(e.Line))
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Limits bound the work done on one input. The zero value means the
// defaults.
type Limits struct {
	// MaxBytes is the largest input accepted (default 64 MiB).
	MaxBytes int
	// MaxDepth is the deepest block nesting accepted (default 64).
	MaxDepth int
	// MaxErrors stops checking after this many errors (default 1000).
	MaxErrors int
}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = 64 << 20
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = 64
	}
	if l.MaxErrors <= 0 {
		l.MaxErrors = 1000
	}
	return l
}

type reporter struct {
	file   string
	max    int
	errs   []Error
	capped bool
}

func (r *reporter) add(line int, path, format string, args ...any) {
	if len(r.errs) >= r.max {
		r.capped = true
		return
	}
	r.errs = append(r.errs, Error{File: r.file, Line: line, Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (r *reporter) result() []Error {
	slices.SortStableFunc(r.errs, func(a, b Error) int { return cmp.Compare(a.Line, b.Line) })
	if r.capped {
		last := 0
		if len(r.errs) > 0 {
			last = r.errs[len(r.errs)-1].Line
		}
		r.errs = append(r.errs, Error{File: r.file, Line: last, Msg: fmt.Sprintf("too many errors (limit %d), stopped", r.max)})
	}
	return r.errs
}
