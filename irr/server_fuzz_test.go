package irr

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

// FuzzServerQuery sends one arbitrary "!" query line to a server session
// over the demo data. Whatever the line, the answer must be exactly one
// well-formed IRRd reply (none for !!... and !q), so that a pipelining client
// never loses its place.
func FuzzServerQuery(f *testing.F) {
	for _, s := range []string{
		"!!", "!q", "!v", "!nx", "!t10", "!t0", "!s-lc", "!sRIPE", "!sNOPE", "!s",
		"!iAS-DEMO", "!iAS-DEMO,1", "!iRS-DEMO,1", "!i", "!a", "!a4AS-DEMO", "!a6AS-DEMO", "!aAS-DEMO",
		"!gAS100", "!gFOO", "!6AS100", "!g", "!mas-set,AS-DEMO", "!m", "!mroute,192.0.2.0/25AS100",
		"!r192.0.2.0/24,M", "!r192.0.2.0/24,x", "!rnope", "!oMNT", "!x", "!", "!a4AS-\x00",
	} {
		f.Add(s)
	}
	reg := loadDemo(f)
	srv := NewServer(reg)
	f.Fuzz(func(t *testing.T, q string) {
		q = strings.TrimSpace(q)
		if q == "" || q[0] != '!' || strings.ContainsAny(q, "\r\n") {
			return
		}
		var out bytes.Buffer
		ss := &session{srv: srv, ctx: context.Background(), bw: bufio.NewWriter(&out), idle: 1}
		ss.query(q)
		ss.bw.Flush()
		// IRRd takes any line starting "!!" as the switch to multiple
		// command mode, and answers neither it nor !q.
		silent := (strings.HasPrefix(q, "!!") || strings.EqualFold(q, "!q")) && !strings.Contains(q, "\x00")
		if silent {
			if out.Len() != 0 {
				t.Fatalf("%q: answered %q", q, out.Bytes())
			}
			return
		}
		r := bufio.NewReader(&out)
		_, _, err := readReply(r, 1<<30, nil)
		var se *ServerError
		if err != nil && !errors.As(err, &se) {
			t.Fatalf("%q: malformed answer %q: %v", q, out.Bytes(), err)
		}
		if r.Buffered() != 0 {
			rest, _ := r.Peek(r.Buffered())
			t.Fatalf("%q: more than one reply: %q left after the first", q, rest)
		}
	})
}

// TestServerLongFailMessage is the regression test for a fuzz finding: an
// F reply that echoed a 4 kB query was too long for a client's status
// line limit.
func TestServerLongFailMessage(t *testing.T) {
	srv := NewServer(loadDemo(t))
	var out bytes.Buffer
	ss := &session{srv: srv, ctx: context.Background(), bw: bufio.NewWriter(&out), idle: 1}
	ss.query("!6ASyn" + strings.Repeat("\xe6", 5000))
	ss.bw.Flush()
	_, _, err := readReply(bufio.NewReader(&out), 1<<20, nil)
	var se *ServerError
	if !errors.As(err, &se) || len(se.Msg) > maxFailMessage+10 {
		t.Errorf("want an F reply of at most %d bytes, got %v", maxFailMessage+10, err)
	}
}

// FuzzServerWhois sends one arbitrary RIPE-style query line. The answer
// must be nothing for -k alone and otherwise text ending in two empty lines, the
// end-of-answer marker whois clients wait for, with no other run of two
// empty lines before it.
func FuzzServerWhois(f *testing.F) {
	for _, s := range []string{
		"-k", "AS-DEMO", "-T as-set AS-FOO:AS-BAR", "-i origin AS900", "-s RADB -T route 195.0.0.0/24",
		"-s NOPE AS-DEMO", "-i mnt-by X", "-x", "192.0.2.0/25", "AS100", "-r -T aut-num AS100", "-s",
	} {
		f.Add(s)
	}
	srv := NewServer(loadDemo(f))
	f.Fuzz(func(t *testing.T, q string) {
		q = strings.TrimSpace(q)
		if q == "" || q[0] == '!' || strings.ContainsAny(q, "\r\n\x00") || strings.Contains(q, "-V") {
			return
		}
		var out bytes.Buffer
		ss := &session{srv: srv, ctx: context.Background(), bw: bufio.NewWriter(&out), idle: 1}
		ss.query(q)
		ss.bw.Flush()
		got := out.String()
		if got == "" {
			for _, tok := range strings.Fields(q) {
				if tok != "-k" {
					t.Fatalf("%q: no answer; a whois client would wait for one", q)
				}
			}
			return
		}
		if !strings.HasSuffix(got, "\n\n\n") || strings.Contains(strings.TrimSuffix(got, "\n\n\n"), "\n\n\n") {
			t.Fatalf("%q: answer %q does not end exactly once with two empty lines", q, got)
		}
	})
}
