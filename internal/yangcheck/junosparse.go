package yangcheck

import (
	"fmt"
	"strings"
)

// Junos curly-brace configuration syntax, as "show configuration" prints it
// and "load merge|replace|override" reads it:
//
//	statement  = { annotation } word { word } ( ";" | "{" { statement } "}" )
//	annotation = "replace:" | "delete:" | "inactive:" | "active:" | "protect:" | "unprotect:"
//	word       = bare | '"' quoted '"' | "[" { bare | quoted } "]"
//
// Comments are /* ... */ anywhere and # to the end of the line where a
// token could start.

type jword struct {
	text   string
	quoted bool
	list   []string // the values of a [ ... ] list
	isList bool
	line   int
}

func (w jword) String() string {
	if w.isList {
		return "[ " + strings.Join(w.list, " ") + " ]"
	}
	if w.quoted {
		return fmt.Sprintf("%q", w.text)
	}
	return w.text
}

type jstmt struct {
	line     int
	ann      []string
	words    []jword
	block    []*jstmt
	hasBlock bool
}

var junosAnnotations = map[string]bool{
	"replace:": true, "delete:": true, "inactive:": true,
	"active:": true, "protect:": true, "unprotect:": true,
}

type jtokKind uint8

const (
	jtWord jtokKind = iota + 1
	jtQuoted
	jtLBrace
	jtRBrace
	jtSemi
	jtLBrack
	jtRBrack
	jtEOF
)

type jtok struct {
	kind jtokKind
	text string
	line int
}

type jlexer struct {
	src  []byte
	i    int
	line int
	err  *Error
}

func (l *jlexer) fail(line int, format string, args ...any) jtok {
	if l.err == nil {
		l.err = &Error{Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	return jtok{kind: jtEOF, line: line}
}

func (l *jlexer) next() jtok {
	for l.i < len(l.src) {
		c := l.src[l.i]
		switch {
		case c == '\n':
			l.line++
			l.i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			l.i++
		case c == '#':
			for l.i < len(l.src) && l.src[l.i] != '\n' {
				l.i++
			}
		case c == '/' && l.i+1 < len(l.src) && l.src[l.i+1] == '*':
			start := l.line
			l.i += 2
			for {
				if l.i+1 >= len(l.src) {
					return l.fail(start, "unterminated /* comment")
				}
				if l.src[l.i] == '*' && l.src[l.i+1] == '/' {
					l.i += 2
					break
				}
				if l.src[l.i] == '\n' {
					l.line++
				}
				l.i++
			}
		case c == '{':
			l.i++
			return jtok{jtLBrace, "{", l.line}
		case c == '}':
			l.i++
			return jtok{jtRBrace, "}", l.line}
		case c == ';':
			l.i++
			return jtok{jtSemi, ";", l.line}
		case c == '[':
			l.i++
			return jtok{jtLBrack, "[", l.line}
		case c == ']':
			l.i++
			return jtok{jtRBrack, "]", l.line}
		case c == '"':
			start := l.line
			var b strings.Builder
			l.i++
			for {
				if l.i >= len(l.src) {
					return l.fail(start, "unterminated quoted string")
				}
				c := l.src[l.i]
				if c == '"' {
					l.i++
					return jtok{jtQuoted, b.String(), start}
				}
				if c == '\\' && l.i+1 < len(l.src) {
					l.i++
					c = l.src[l.i]
				}
				if c == '\n' {
					l.line++
				}
				b.WriteByte(c)
				l.i++
			}
		default:
			start := l.i
			for l.i < len(l.src) {
				c := l.src[l.i]
				if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '{' || c == '}' || c == ';' || c == '"' || c == '[' || c == ']' {
					break
				}
				l.i++
			}
			return jtok{jtWord, string(l.src[start:l.i]), l.line}
		}
	}
	return jtok{kind: jtEOF, line: l.line}
}

// parseJunos parses a Junos configuration into statements. On a syntax
// error it returns the statements completed before it and the error.
func parseJunos(src []byte, maxDepth int) ([]*jstmt, *Error) {
	l := &jlexer{src: src, line: 1}
	type frame struct {
		st    *jstmt
		stmts []*jstmt
	}
	stack := []frame{{}}
	var cur *jstmt
	fail := func(line int, format string, args ...any) ([]*jstmt, *Error) {
		return stack[0].stmts, &Error{Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	for {
		t := l.next()
		if l.err != nil {
			return stack[0].stmts, l.err
		}
		switch t.kind {
		case jtEOF:
			if cur != nil {
				return fail(cur.line, "statement %s not terminated by ; or {", describe(cur))
			}
			if len(stack) > 1 {
				return fail(stack[len(stack)-1].st.line, "block of %s not closed (missing })", describe(stack[len(stack)-1].st))
			}
			return stack[0].stmts, nil
		case jtWord, jtQuoted:
			if cur == nil {
				cur = &jstmt{line: t.line}
			}
			if t.kind == jtWord && len(cur.words) == 0 && junosAnnotations[t.text] {
				cur.ann = append(cur.ann, strings.TrimSuffix(t.text, ":"))
				continue
			}
			cur.words = append(cur.words, jword{text: t.text, quoted: t.kind == jtQuoted, line: t.line})
		case jtLBrack:
			if cur == nil || len(cur.words) == 0 {
				return fail(t.line, "[ must follow a keyword")
			}
			w := jword{isList: true, line: t.line}
			for {
				v := l.next()
				if l.err != nil {
					return stack[0].stmts, l.err
				}
				if v.kind == jtRBrack {
					break
				}
				if v.kind != jtWord && v.kind != jtQuoted {
					return fail(v.line, "unterminated [ list (found %q)", v.text)
				}
				w.list = append(w.list, v.text)
			}
			cur.words = append(cur.words, w)
		case jtRBrack:
			return fail(t.line, "] without [")
		case jtSemi:
			if cur == nil || len(cur.words) == 0 {
				return fail(t.line, "empty statement")
			}
			top := &stack[len(stack)-1]
			top.stmts = append(top.stmts, cur)
			cur = nil
		case jtLBrace:
			if cur == nil || len(cur.words) == 0 {
				return fail(t.line, "{ without a statement")
			}
			if len(stack) > maxDepth {
				return fail(t.line, "nesting deeper than %d", maxDepth)
			}
			cur.hasBlock = true
			stack = append(stack, frame{st: cur})
			cur = nil
		case jtRBrace:
			if cur != nil {
				return fail(cur.line, "statement %s not terminated by ; or {", describe(cur))
			}
			if len(stack) == 1 {
				return fail(t.line, "} without {")
			}
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			f.st.block = f.stmts
			top := &stack[len(stack)-1]
			top.stmts = append(top.stmts, f.st)
		}
	}
}

func describe(s *jstmt) string {
	var parts []string
	for i, w := range s.words {
		if i == 4 {
			parts = append(parts, "...")
			break
		}
		parts = append(parts, w.String())
	}
	return fmt.Sprintf("%q", strings.Join(parts, " "))
}
