package irr

import (
	"bytes"
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
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
	// The whole answer, not only each write, has a deadline: a client
	// reading a byte at a time must not hold the answer's memory for
	// ever. It allows minAnswerRate bytes a second after WriteTimeout.
	if ss.dw != nil {
		ss.dw.until = time.Now().Add(ss.dw.d + time.Duration(total/minAnswerRate)*time.Second)
		defer func() { ss.dw.until = time.Time{} }()
	}
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

// minAnswerRate is the slowest a client may read a set answer, in bytes a
// second, beyond the write timeout.
const minAnswerRate = 64 << 10

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

// answerBudget bounds the memory of set answers across a Server: at most
// slots expansions run at once (each holds its working set until its
// answer is formatted), and the formatted answers alive, cached or being
// written to a client, hold at most max bytes together. A query that
// would pass a bound waits its turn; one answer larger than max alone is
// served when nothing else is held.
type answerBudget struct {
	slots   chan struct{}
	mu      sync.Mutex
	max     int64
	live    int64
	peak    int64
	changed chan struct{} // closed when live falls
}

func newAnswerBudget(lim ServerLimits) *answerBudget {
	return &answerBudget{slots: make(chan struct{}, lim.MaxExpansions), max: lim.MaxAnswerBytes, changed: make(chan struct{})}
}

func (b *answerBudget) acquireSlot(ctx context.Context) error {
	select {
	case b.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

func (b *answerBudget) releaseSlot() { <-b.slots }

// reserve waits until n more bytes fit, calling evict (which frees
// bytes of unpinned cached answers, and reports whether it could) before
// each wait.
func (b *answerBudget) reserve(ctx context.Context, n int64, evict func() bool) error {
	for {
		b.mu.Lock()
		if b.live+n <= b.max || b.live == 0 {
			b.live += n
			b.peak = max(b.peak, b.live)
			b.mu.Unlock()
			return nil
		}
		ch := b.changed
		b.mu.Unlock()
		if evict != nil && evict() {
			continue
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}

func (b *answerBudget) free(n int64) {
	b.mu.Lock()
	b.live -= n
	close(b.changed)
	b.changed = make(chan struct{})
	b.mu.Unlock()
}

// answerCache holds expansion results for one backend, so that repeated
// queries for a big set are served without expanding it again, and
// concurrent queries for the same set expand it once. It holds at most max
// items (ASNs and prefixes) and starts over when full; max < 0 disables it.
// Every answer, cached or not, is counted in the server's answerBudget
// while it is cached or pinned by a session writing it.
type answerCache struct {
	srv     *Server
	budget  *answerBudget
	once    sync.Once
	mu      sync.Mutex
	max     int
	used    int
	retired bool // the backend was replaced: cache nothing more
	m       map[answerKey]*cacheEntry
}

type cacheEntry struct {
	done   chan struct{}
	a      *answer
	err    error
	refs   int  // sessions writing the answer; under answerCache.mu
	cached bool // in answerCache.m
	live   bool // its bytes are counted in the budget
}

func (a *answer) size() int64 { return int64(len(a.text)) + 64 }

// get returns the answer for key, computing it if no session has, pinned
// until release is called.
func (c *answerCache) get(ctx context.Context, key answerKey, compute func() (*answer, error)) (*answer, func(), error) {
	c.once.Do(func() {
		c.max = c.srv.Limits.withDefaults().CachePrefixes
		c.budget = c.srv.answerBudget()
		c.m = map[answerKey]*cacheEntry{}
	})
	for range 2 {
		c.mu.Lock()
		if e, ok := c.m[key]; ok && c.max >= 0 {
			c.mu.Unlock()
			select {
			case <-e.done:
			case <-ctx.Done():
				return nil, nil, context.Cause(ctx)
			}
			c.mu.Lock()
			if e.err == nil && e.live {
				e.refs++
				c.mu.Unlock()
				return e.a, c.releaser(e), nil
			}
			c.mu.Unlock()
			continue // the first caller failed, or the answer is gone: try ourselves
		}
		e := &cacheEntry{done: make(chan struct{})}
		if c.max >= 0 {
			c.m[key] = e
		}
		c.mu.Unlock()
		a, err := c.produce(ctx, compute)
		c.mu.Lock()
		if err != nil {
			if c.m[key] == e {
				delete(c.m, key) // errors are not cached: they may be the caller's
			}
			e.err = err
			c.mu.Unlock()
			close(e.done)
			return nil, nil, err
		}
		e.a, e.live, e.refs = a, true, 1
		if c.m[key] == e {
			switch {
			case c.retired || a.items() > c.max:
				delete(c.m, key)
			default:
				if c.used+a.items() > c.max {
					c.dropLocked(key)
				}
				e.cached = true
				c.used += a.items()
			}
		}
		c.mu.Unlock()
		close(e.done)
		return a, c.releaser(e), nil
	}
	a, err := c.produce(ctx, compute)
	if err != nil {
		return nil, nil, err
	}
	e := &cacheEntry{a: a, live: true, refs: 1}
	return a, c.releaser(e), nil
}

// produce runs compute in an expansion slot and counts the formatted
// answer in the budget.
func (c *answerCache) produce(ctx context.Context, compute func() (*answer, error)) (*answer, error) {
	if err := c.budget.acquireSlot(ctx); err != nil {
		return nil, err
	}
	defer c.budget.releaseSlot()
	a, err := compute()
	if err != nil {
		return nil, err
	}
	a.format()
	// The slot is held while waiting: a formatted answer is memory too.
	if err := c.budget.reserve(ctx, a.size(), c.evictOne); err != nil {
		return nil, err
	}
	return a, nil
}

func (c *answerCache) releaser(e *cacheEntry) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			e.refs--
			free := e.refs == 0 && !e.cached && e.live
			if free {
				e.live = false
			}
			c.mu.Unlock()
			if free {
				c.budget.free(e.a.size())
			}
		})
	}
}

// evictOne drops one cached answer no session is writing, and reports
// whether there was one.
func (c *answerCache) evictOne() bool {
	c.mu.Lock()
	for k, e := range c.m {
		if e.cached && e.refs == 0 && e.live {
			delete(c.m, k)
			c.used -= e.a.items()
			e.cached, e.live = false, false
			c.mu.Unlock()
			c.budget.free(e.a.size())
			return true
		}
	}
	c.mu.Unlock()
	return false
}

// dropLocked empties the cache but for keep and the answers still being
// computed; answers being written are freed when their writers finish.
func (c *answerCache) dropLocked(keep answerKey) {
	var freed int64
	for k, e := range c.m {
		if k == keep || !e.cached {
			continue
		}
		delete(c.m, k)
		e.cached = false
		if e.refs == 0 && e.live {
			e.live = false
			freed += e.a.size()
		}
	}
	c.used = 0
	if freed > 0 {
		c.budget.free(freed)
	}
}

// retire empties the cache of a replaced backend.
func (c *answerCache) retire() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.retired = true
	if c.m != nil {
		c.dropLocked(answerKey{})
	}
}
