package yangcheck

import (
	"fmt"
	"strings"
)

// The lexer and the block assembly shared by the Junos and the MD-CLI
// parsers. The two syntaxes have the same words, quoted strings,
// # comments, braces and [ ] lists; they differ in what ends a statement:
//
//	Junos   ";"; a line end is space, a quoted string may span lines,
//	        /* */ comments
//	MD-CLI  the line end, a token of its own; a quoted string ends on its
//	        line, ";" is part of a word, "/" starts one (/configure)

type tokKind uint8

const (
	tWord tokKind = iota + 1
	tQuoted
	tLBrace
	tRBrace
	tLBrack
	tRBrack
	tSemi    // Junos only
	tNewline // MD-CLI only
	tEOF
)

// punct maps the bytes that are tokens by themselves to their kind.
var punct = [256]tokKind{'{': tLBrace, '}': tRBrace, '[': tLBrack, ']': tRBrack, ';': tSemi}

type tok struct {
	kind tokKind
	text string
	line int
}

type lexer struct {
	src  []byte
	i    int
	line int
	err  *Error
	// lines selects MD-CLI: line ends are tokens, quoted strings end on
	// their line, no ";" and no /* */ comments. Otherwise Junos.
	lines bool
}

func (l *lexer) fail(line int, format string, args ...any) tok {
	if l.err == nil {
		l.err = &Error{Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	return tok{kind: tEOF, line: line}
}

func (l *lexer) next() tok {
	for l.i < len(l.src) {
		c := l.src[l.i]
		switch {
		case c == '\n':
			l.i++
			l.line++
			if l.lines {
				return tok{tNewline, "\n", l.line - 1}
			}
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			l.i++
		case c == '#':
			for l.i < len(l.src) && l.src[l.i] != '\n' {
				l.i++
			}
		case !l.lines && c == '/' && l.i+1 < len(l.src) && l.src[l.i+1] == '*':
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
		case punct[c] != 0 && (c != ';' || !l.lines):
			l.i++
			return tok{punct[c], string(c), l.line}
		case c == '"':
			return l.quoted()
		default:
			start := l.i
			for l.i < len(l.src) {
				c := l.src[l.i]
				if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '{' || c == '}' || c == '"' || c == '[' || c == ']' ||
					(!l.lines && c == ';') {
					break
				}
				l.i++
			}
			return tok{tWord, string(l.src[start:l.i]), l.line}
		}
	}
	return tok{kind: tEOF, line: l.line}
}

// quoted reads a quoted string; l.src[l.i] is its opening quote. A
// backslash takes the next byte as it is (in MD-CLI, not a line end).
func (l *lexer) quoted() tok {
	start := l.line
	var b strings.Builder
	for l.i++; ; l.i++ {
		if l.i >= len(l.src) || (l.lines && l.src[l.i] == '\n') {
			return l.fail(start, "unterminated quoted string")
		}
		c := l.src[l.i]
		if c == '"' {
			l.i++
			return tok{tQuoted, b.String(), start}
		}
		if c == '\\' && l.i+1 < len(l.src) && !(l.lines && l.src[l.i+1] == '\n') {
			l.i++
			c = l.src[l.i]
		}
		if c == '\n' {
			l.line++
		}
		b.WriteByte(c)
	}
}

// blocks assembles statements into nested blocks as a parser reads them.
type blocks struct {
	stack []openBlock
	cur   *jstmt // the statement being read, nil between statements
}

type openBlock struct {
	st    *jstmt // the statement whose block this is; nil at the top
	stmts []*jstmt
}

func newBlocks() *blocks { return &blocks{stack: []openBlock{{}}} }

// stmts returns the top-level statements completed so far.
func (b *blocks) stmts() []*jstmt { return b.stack[0].stmts }

func (b *blocks) fail(line int, format string, args ...any) ([]*jstmt, *Error) {
	return b.stmts(), &Error{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// word adds a word to the current statement, starting one if need be.
func (b *blocks) word(t tok) {
	if b.cur == nil {
		b.cur = &jstmt{line: t.line}
	}
	b.cur.words = append(b.cur.words, jword{text: t.text, quoted: t.kind == tQuoted, line: t.line})
}

// hasWords reports whether the current statement has a word, for the
// tokens that must follow one.
func (b *blocks) hasWords() bool { return b.cur != nil && len(b.cur.words) > 0 }

// end completes the current statement, if any, in the innermost block.
func (b *blocks) end() {
	if b.cur != nil {
		top := &b.stack[len(b.stack)-1]
		top.stmts = append(top.stmts, b.cur)
		b.cur = nil
	}
}

// list reads the values of a [ ... ] list, its "[" read at line, into a
// word of the current statement, which must have a keyword. Line ends
// inside it are space.
func (b *blocks) list(l *lexer, line int) *Error {
	if !b.hasWords() {
		return &Error{Line: line, Msg: "[ must follow a keyword"}
	}
	w := jword{isList: true, line: line}
	for {
		v := l.next()
		if l.err != nil {
			return l.err
		}
		switch v.kind {
		case tRBrack:
			b.cur.words = append(b.cur.words, w)
			return nil
		case tNewline:
			continue
		case tWord, tQuoted:
			w.list = append(w.list, v.text)
		case tEOF:
			return &Error{Line: v.line, Msg: "unterminated [ list"}
		default:
			return &Error{Line: v.line, Msg: fmt.Sprintf("unterminated [ list (found %q)", v.text)}
		}
	}
}

// open starts the block of the current statement (what the dialect
// calls it), at line.
func (b *blocks) open(line, maxDepth int, what string) *Error {
	if !b.hasWords() {
		return &Error{Line: line, Msg: "{ without a " + what}
	}
	if len(b.stack) > maxDepth {
		return &Error{Line: line, Msg: fmt.Sprintf("nesting deeper than %d", maxDepth)}
	}
	b.cur.hasBlock = true
	b.stack = append(b.stack, openBlock{st: b.cur})
	b.cur = nil
	return nil
}

// close ends the innermost block, at line, and completes its statement.
func (b *blocks) close(line int) *Error {
	if len(b.stack) == 1 {
		return &Error{Line: line, Msg: "} without {"}
	}
	f := b.stack[len(b.stack)-1]
	b.stack = b.stack[:len(b.stack)-1]
	f.st.block = f.stmts
	top := &b.stack[len(b.stack)-1]
	top.stmts = append(top.stmts, f.st)
	return nil
}

// unclosed returns the error for a block still open at the end of the
// input, or nil.
func (b *blocks) unclosed() *Error {
	if len(b.stack) == 1 {
		return nil
	}
	st := b.stack[len(b.stack)-1].st
	return &Error{Line: st.line, Msg: fmt.Sprintf("block of %s not closed (missing })", describe(st))}
}
