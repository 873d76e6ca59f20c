package irr

import (
	"bytes"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

var syscallEMFILE = syscall.EMFILE

// An answer is the result of a set expansion a server sends: AS numbers
// (!i<as-set>,1) or prefix ranges (!a, !i<route-set>,1), with the length of
// its text form so that the A<len> line can be written before the content is
// streamed.
type answer struct {
	asns   []uint32
	ranges []PrefixRange
	size   int // bytes of the space-separated text, no final newline
}

func (a *answer) items() int { return len(a.asns) + len(a.ranges) }

// measure computes size by formatting every item once into a scratch buffer.
func (a *answer) measure() {
	var tmp [64]byte
	n := 0
	for _, v := range a.asns {
		n += len(fmtAppendASN(tmp[:0], v)) + 1
	}
	for _, r := range a.ranges {
		n += len(wireAppendRange(tmp[:0], r)) + 1
	}
	if n > 0 {
		n-- // no space after the last item
	}
	a.size = n
}

// writeAnswer streams the union of parts as one A reply (D when empty)
// through the session's buffered writer, a chunk at a time.
func (ss *session) writeAnswer(parts ...*answer) {
	total, nonEmpty := 0, 0
	for _, a := range parts {
		if a.size > 0 {
			total += a.size
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
	buf := ss.scratch[:0]
	first := true
	sep := func() {
		if !first {
			buf = append(buf, ' ')
		}
		first = false
	}
	for _, a := range parts {
		for _, v := range a.asns {
			sep()
			buf = fmtAppendASN(buf, v)
			if len(buf) >= 32<<10 {
				w.Write(buf)
				buf = buf[:0]
			}
		}
		for _, r := range a.ranges {
			sep()
			buf = wireAppendRange(buf, r)
			if len(buf) >= 32<<10 {
				if _, err := w.Write(buf); err != nil {
					ss.scratch = buf[:0]
					return // the client is gone or not reading; the loop ends
				}
				buf = buf[:0]
			}
		}
	}
	w.Write(buf)
	w.WriteString("\nC\n")
	ss.scratch = buf[:0]
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
		a.measure()
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
