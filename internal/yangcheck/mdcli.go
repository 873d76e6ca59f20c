package yangcheck

import (
	"slices"
	"strings"

	"github.com/openconfig/goyang/pkg/yang"
)

// Nokia SR OS MD-CLI configuration, in the two forms the router prints
// and reads back:
//
//	info:       configure { policy-options { prefix-list "X" { prefix 192.0.2.0/24 type exact { } } } }
//	info flat:  /configure policy-options prefix-list "X" prefix 192.0.2.0/24 type exact
//
// and the mix bgpq4 -n prints: an absolute path that navigates, then
// commands and blocks relative to it:
//
//	/configure policy-options
//	delete prefix-list "X"
//	prefix-list "X" {
//	    prefix 192.0.2.0/24 type exact {
//	    }
//	}
//
// A line is one command; "{" opens a block the command's last list entry
// or container applies to, "}" closes it. Elements are always named by
// their keyword, except a list's first key value, which follows the list
// name directly (the key's name may be given too); further keys are given
// as "name value". A leaf-list takes one value or [ a b ]. # starts a
// comment where a word could start. Session commands (edit-config,
// begin, commit, validate, compare, discard, quit-config, exit [all],
// top, back) are accepted at the top level; a command that ends at a
// container or list entry without a block navigates into it, as on the
// router.

// parseMDCLI parses MD-CLI text into commands (jstmt, one per line or
// block). On a syntax error it returns the commands completed before it.
func parseMDCLI(src []byte, maxDepth int) ([]*jstmt, *Error) {
	l := &lexer{src: src, line: 1, lines: true}
	b := newBlocks()
	for {
		t := l.next()
		if l.err != nil {
			return b.stmts(), l.err
		}
		switch t.kind {
		case tEOF:
			b.end()
			return b.stmts(), b.unclosed()
		case tNewline:
			b.end()
		case tWord, tQuoted:
			b.word(t)
		case tLBrack:
			if err := b.list(l, t.line); err != nil {
				return b.stmts(), err
			}
		case tRBrack:
			return b.fail(t.line, "] without [")
		case tLBrace:
			if err := b.open(t.line, maxDepth, "command"); err != nil {
				return b.stmts(), err
			}
		case tRBrace:
			b.end()
			if err := b.close(t.line); err != nil {
				return b.stmts(), err
			}
		}
	}
}

// CheckMDCLI checks Nokia SR OS MD-CLI configuration (info, info flat, or
// bgpq4 -n output) against the schema. It returns every problem found,
// sorted by line; nil means valid as far as the schema can tell.
func (s *Schema) CheckMDCLI(name string, cfg []byte) []Error {
	r, stmts, ok := s.parse(name, cfg, MDCLI, "SR OS MD-CLI", parseMDCLI)
	if !ok {
		return r.result()
	}
	w := &mwalker{r: r, root: s.root}
	ctx := []*jframe{w.rootFrame()}
	w.cmds(&ctx, stmts, true)
	return r.result()
}

type mwalker struct {
	r    *reporter
	root *node
}

func (w *mwalker) rootFrame() *jframe {
	return &jframe{n: w.root, path: "/" + w.root.name}
}

var sessionCommands = map[string]bool{
	"edit-config": true, "begin": true, "commit": true, "validate": true,
	"compare": true, "discard": true, "quit-config": true, "exit": true,
	"top": true, "back": true,
}

// cmds checks commands against the context *ctx. At the top level,
// commands may navigate (change *ctx); inside a block they may not.
func (w *mwalker) cmds(ctx *[]*jframe, stmts []*jstmt, top bool) {
	for _, st := range stmts {
		words := st.words
		if len(words) == 0 {
			if st.hasBlock {
				w.r.add(st.line, "", "{ without a command")
			}
			continue
		}
		first := words[0]
		if top && !first.quoted && !first.isList && sessionCommands[first.text] {
			if st.hasBlock {
				w.r.add(st.line, "", "%s takes no block", first.text)
				continue
			}
			switch first.text {
			case "exit":
				if len(words) > 1 && words[1].text == "all" {
					*ctx = []*jframe{w.rootFrame()}
				} else if len(*ctx) > 1 {
					*ctx = (*ctx)[:len(*ctx)-1]
				}
			case "top":
				*ctx = []*jframe{w.rootFrame()}
			case "back":
				if len(*ctx) > 1 {
					*ctx = (*ctx)[:len(*ctx)-1]
				}
			}
			continue
		}
		del := false
		if !first.quoted && first.text == "delete" {
			del = true
			words = words[1:]
			if len(words) == 0 {
				w.r.add(st.line, (*ctx)[len(*ctx)-1].path, "delete: missing path")
				continue
			}
		}
		stack := slices.Clone(*ctx)
		if !words[0].quoted && strings.HasPrefix(words[0].text, "/") {
			if words[0].text != "/"+w.root.name {
				w.r.add(words[0].line, "", "unknown absolute path %q (the schema is rooted at /%s)", words[0].text, w.root.name)
				continue
			}
			stack = []*jframe{w.rootFrame()}
			words = words[1:]
		} else if len(stack) == 1 && !words[0].quoted && words[0].text == w.root.name {
			// "configure { ... }" as "info" prints it from the root.
			words = words[1:]
		}
		stack, lastLeaf, ok := w.words(stack, words, st.line, del)
		if !ok {
			continue
		}
		if st.hasBlock {
			if del {
				w.r.add(st.line, stack[len(stack)-1].path, "delete takes no block")
				continue
			}
			if lastLeaf {
				w.r.add(st.line, stack[len(stack)-1].path, "{ } block after a value: only a container or list entry takes a block")
				continue
			}
			inner := stack
			w.cmds(&inner, st.block, false)
			continue
		}
		if top && !lastLeaf && !del {
			*ctx = stack
		}
	}
}

// words resolves one command's words from the innermost frame of stack,
// returning the frames it opened and whether it ended with a leaf.
func (w *mwalker) words(stack []*jframe, words []jword, line int, del bool) ([]*jframe, bool, bool) {
	lastLeaf := false
	for i := 0; i < len(words); {
		f := stack[len(stack)-1]
		wd := words[i]
		if wd.quoted || wd.isList {
			w.r.add(wd.line, f.path, "unexpected value %s where a keyword is expected", wd)
			return nil, false, false
		}
		c := f.n.kw[wd.text]
		if c == nil || isKey(f.n, c) {
			w.unknown(f, wd)
			return nil, false, false
		}
		(&jwalker{r: w.r}).choose(f, c, wd.line)
		path := f.path + "/" + c.name
		i++
		switch c.kind {
		case kLeaf, kLeafList:
			lastLeaf = true
			if c.typ != nil && c.typ.kind == yang.Yempty {
				continue
			}
			if i >= len(words) {
				if !del {
					w.r.add(wd.line, path, "missing value")
				}
				return stack, true, del
			}
			v := words[i]
			i++
			if v.isList {
				if c.kind == kLeaf {
					w.r.add(v.line, path, "a [ ] list where one value is expected")
					continue
				}
				for _, x := range v.list {
					w.value(c, path, x, v.line)
				}
				continue
			}
			w.value(c, path, v.text, v.line)
		case kContainer:
			lastLeaf = false
			stack = append(stack, &jframe{n: c, path: path})
		case kList:
			lastLeaf = false
			if i >= len(words) {
				if del {
					return stack, true, true
				}
				w.r.add(wd.line, path, "missing %s", strings.Join(c.keys, " "))
				return nil, false, false
			}
			if !w.keys(c, path, words, &i, del) {
				return nil, false, false
			}
			stack = append(stack, &jframe{n: c, path: path})
		case kAny:
			return stack, true, true
		}
	}
	return stack, lastLeaf, true
}

func (w *mwalker) keys(l *node, path string, words []jword, i *int, del bool) bool {
	if len(l.keyNode) == 0 {
		return true
	}
	k0 := l.keyNode[0]
	v := words[*i]
	if !v.quoted && v.text == k0.name && *i+1 < len(words) {
		*i++
		v = words[*i]
	}
	if v.isList {
		w.r.add(v.line, path+"/"+k0.name, "a [ ] list where the key %s is expected", k0.name)
		return false
	}
	*i++
	w.value(k0, path+"/"+k0.name, v.text, v.line)
	rest := l.keyNode[1:]
	got := map[*node]bool{}
	for len(got) < len(rest) {
		if *i >= len(words) {
			break
		}
		kw := words[*i]
		var kn *node
		for _, k := range rest {
			if !kw.quoted && k.name == kw.text && !got[k] {
				kn = k
			}
		}
		if kn == nil {
			break
		}
		if *i+1 >= len(words) {
			w.r.add(kw.line, path+"/"+kn.name, "missing value of key %s", kn.name)
			return false
		}
		got[kn] = true
		val := words[*i+1]
		*i += 2
		w.value(kn, path+"/"+kn.name, val.text, val.line)
	}
	for _, k := range rest {
		if !got[k] {
			if del && *i >= len(words) {
				return true
			}
			w.r.add(v.line, path+"/"+k.name, "missing key %s (write: %s VALUE)", k.name, k.name)
			return false
		}
	}
	return true
}

func (w *mwalker) value(c *node, path, v string, line int) {
	if err := c.typ.check(v); err != nil {
		w.r.add(line, path, "%q: %v", v, err)
	}
}

func (w *mwalker) unknown(f *jframe, wd jword) {
	var names []string
	for k, c := range f.n.kw {
		if !isKey(f.n, c) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	hint := ""
	switch {
	case f.n == w.root:
		hint = " (the loaded schema covers: " + strings.Join(names, ", ") + ")"
	case len(names) <= 12:
		hint = " (expected one of: " + strings.Join(names, ", ") + ")"
	}
	w.r.add(wd.line, f.path, "unknown keyword %q%s", wd.text, hint)
}
