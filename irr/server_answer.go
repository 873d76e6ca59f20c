package irr

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

var syscallEMFILE = syscall.EMFILE

// An answer is the result of a set expansion a server sends: AS numbers
// (!i<as-set>,1) or prefix ranges (!a, !i<route-set>,1). The cache holds
// it formatted (format), so that a repeated query for a big set costs one
// write instead of formatting every item again.
type answer struct {
	asns   []uint32
	ranges []PrefixRange
	text   []byte // the space-separated items, no final newline; set by format
	n      int    // the number of items; set by format
}

func (a *answer) items() int { return a.n }

// format writes the items into text once and drops the lists.
func (a *answer) format() {
	a.n = len(a.asns) + len(a.ranges)
	var b []byte
	for _, v := range a.asns {
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = fmtAppendASN(b, v)
	}
	for _, r := range a.ranges {
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = wireAppendRange(b, r)
	}
	a.text = slices.Clip(b)
	a.asns, a.ranges = nil, nil
}

// writeAnswer sends the union of parts as one A reply (D when empty)
// through the session's buffered writer.
func (ss *session) writeAnswer(parts ...*answer) {
	total, nonEmpty := 0, 0
	for _, a := range parts {
		if len(a.text) > 0 {
			total += len(a.text)
			nonEmpty++
		}
	}
	if nonEmpty == 0 {
		ss.notFound()
		return
	}
	total += nonEmpty - 1
	w := ss.bw
	w.WriteByte('A')
	w.WriteString(strconv.Itoa(total + 1))
	w.WriteByte('\n')
	first := true
	for _, a := range parts {
		if len(a.text) == 0 {
			continue
		}
		if !first {
			w.WriteByte(' ')
		}
		first = false
		if _, err := w.Write(a.text); err != nil {
			return // the client is gone or not reading; the loop ends
		}
	}
	w.WriteString("\nC\n")
}

// wireAppendRange appends r as the server writes it in set member
// answers: PrefixRange.AppendTo, except that a length-only range is written
// "^n-n", not "^n". The two mean the same (RFC 2622 §2), but bgpq4 1.9 does
// not parse "^n" and drops such a member; every client reads "^n-n".
func wireAppendRange(b []byte, r PrefixRange) []byte {
	l := uint8(r.Prefix.Bits())
	start := len(b)
	b = r.AppendTo(b)
	if r.Min == r.Max && r.Min != l && bytes.IndexByte(b[start:], '-') < 0 {
		b = append(b, '-')
		b = strconv.AppendUint(b, uint64(r.Max), 10)
	}
	return b
}

// wireLongOp rewrites a member token of a set as registered (prefix, AS or
// set name, with an optional range operator) so that a length-only
// operator "^n" reads "^n-n" (see wireAppendRange).
func wireLongOp(tok string) string {
	i := strings.LastIndexByte(tok, '^')
	if i < 0 || i == len(tok)-1 {
		return tok
	}
	for _, c := range []byte(tok[i+1:]) {
		if c < '0' || c > '9' {
			return tok
		}
	}
	return tok + "-" + tok[i+1:]
}

// answerKey names a cached answer: the command, the set and the sources.
type answerKey struct{ cmd, name, sources string }

// answerCache holds expansion results for one backend, so that repeated
// queries for a big set are served without expanding it again, and
// concurrent queries for the same set expand it once. It holds at most max
// items (ASNs and prefixes) and starts over when full; max < 0 disables it.
type answerCache struct {
	srv  *Server
	once sync.Once
	mu   sync.Mutex
	max  int
	used int
	m    map[answerKey]*cacheEntry
}

type cacheEntry struct {
	done chan struct{}
	a    *answer
	err  error
}

func (c *answerCache) get(key answerKey, compute func() (*answer, error)) (*answer, error) {
	c.once.Do(func() {
		c.max = c.srv.Limits.withDefaults().CachePrefixes
		c.m = map[answerKey]*cacheEntry{}
	})
	run := func() (*answer, error) {
		a, err := compute()
		if err != nil {
			return nil, err
		}
		a.format()
		return a, nil
	}
	if c.max < 0 {
		return run()
	}
	for range 2 {
		c.mu.Lock()
		if e, ok := c.m[key]; ok {
			c.mu.Unlock()
			<-e.done
			if e.err == nil {
				return e.a, nil
			}
			continue // the first caller failed; try once ourselves
		}
		e := &cacheEntry{done: make(chan struct{})}
		c.m[key] = e
		c.mu.Unlock()
		e.a, e.err = run()
		close(e.done)
		c.mu.Lock()
		switch {
		case e.err != nil:
			delete(c.m, key) // errors are not cached: they may be the caller's
		case e.a.items() > c.max:
			delete(c.m, key)
		default:
			if c.used+e.a.items() > c.max {
				for k, old := range c.m {
					if k != key && isDone(old) {
						delete(c.m, k)
					}
				}
				c.used = 0
			}
			c.used += e.a.items()
		}
		c.mu.Unlock()
		return e.a, e.err
	}
	return run()
}

func isDone(e *cacheEntry) bool {
	select {
	case <-e.done:
		return true
	default:
		return false
	}
}
