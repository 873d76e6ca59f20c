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

// parseJunos parses a Junos configuration into statements. On a syntax
// error it returns the statements completed before it and the error.
func parseJunos(src []byte, maxDepth int) ([]*jstmt, *Error) {
	l := &lexer{src: src, line: 1}
	b := newBlocks()
	for {
		t := l.next()
		if l.err != nil {
			return b.stmts(), l.err
		}
		switch t.kind {
		case tEOF:
			if b.cur != nil {
				return b.fail(b.cur.line, "statement %s not terminated by ; or {", describe(b.cur))
			}
			return b.stmts(), b.unclosed()
		case tWord, tQuoted:
			if t.kind == tWord && !b.hasWords() && junosAnnotations[t.text] {
				if b.cur == nil {
					b.cur = &jstmt{line: t.line}
				}
				b.cur.ann = append(b.cur.ann, strings.TrimSuffix(t.text, ":"))
				continue
			}
			b.word(t)
		case tLBrack:
			if err := b.list(l, t.line); err != nil {
				return b.stmts(), err
			}
		case tRBrack:
			return b.fail(t.line, "] without [")
		case tSemi:
			if !b.hasWords() {
				return b.fail(t.line, "empty statement")
			}
			b.end()
		case tLBrace:
			if err := b.open(t.line, maxDepth, "statement"); err != nil {
				return b.stmts(), err
			}
		case tRBrace:
			if b.cur != nil {
				return b.fail(b.cur.line, "statement %s not terminated by ; or {", describe(b.cur))
			}
			if err := b.close(t.line); err != nil {
				return b.stmts(), err
			}
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
