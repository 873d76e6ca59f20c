package irr_test

import (
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/filtergen/filtergen/internal/irrtest"
	"github.com/filtergen/filtergen/irr"
)

// scriptReplies reads a fuzz script: blocks separated by a blank line,
// each "QUERY\nREPLY". A reply starting with "=" is sent framed as data
// (the rest is the content); any other reply is sent raw, so that broken
// framing is fuzzed too.
func scriptReplies(script string) map[string]string {
	m := map[string]string{}
	for block := range strings.SplitSeq(script, "\n\n") {
		q, reply, _ := strings.Cut(block, "\n")
		q = strings.TrimSpace(q)
		if q == "" {
			continue
		}
		if content, ok := strings.CutPrefix(reply, "="); ok {
			reply = irrtest.Data(content)
		} else if !strings.HasSuffix(reply, "\n") {
			reply += "\n"
		}
		m[q] = reply
	}
	return m
}

// sharedFiles returns the files (gunzipped, at most 64 KB each) of a
// directory of the shared real data, read in place, or none when absent.
func sharedFiles(rel ...string) [][]byte {
	var out [][]byte
	for _, up := range []string{filepath.Join("..", ".."), filepath.Join("..", "..", "..")} {
		dir := filepath.Join(append([]string{up, "shared", "testdata", "real"}, rel...)...)
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			f, err := os.Open(filepath.Join(dir, e.Name()))
			if err != nil || !e.Type().IsRegular() {
				continue
			}
			var r io.Reader = f
			if strings.HasSuffix(e.Name(), ".gz") {
				if zr, err := gzip.NewReader(f); err == nil {
					r = zr
				}
			}
			b, _ := io.ReadAll(io.LimitReader(r, 64<<10))
			f.Close()
			out = append(out, b)
		}
		break
	}
	return out
}

// FuzzClientWalk runs the client's set walk (no !i,1; one !i per set, as
// for bgpq4 -L or EXCEPT) against a fake IRRd replaying scripted replies.
// Whatever the server says, the client must return, with sorted unique
// ASNs or an error, never panic or hang.
func FuzzClientWalk(f *testing.F) {
	f.Add("!iAS-ROOT\n=AS1 AS-B AS-C\n\n!iAS-B\n=AS2 AS-ROOT\n\n!iAS-C\nD\n")
	f.Add("!iAS-ROOT\nA5\nAS1\nC\n")
	f.Add("!iAS-ROOT\n=AS-ROOT AS-ROOT:AS-X\n\n!iAS-ROOT:AS-X\nF no such set\n")
	f.Add("!iAS-ROOT\n=AS4294967295 AS0 AS-B^+ 192.0.2.0/24\n\n!iAS-B\nA999999\n")
	// A real chain from the RIPE dump: each level names the one below.
	chain := "!iAS-ROOT\n=AS15562:AS-LEVEL3\n\n!iAS15562:AS-LEVEL3\n=AS15562:AS-LEVEL2\n\n" +
		"!iAS15562:AS-LEVEL2\n=AS15562:AS-LEVEL1\n\n!iAS15562:AS-LEVEL1\n=AS15562\n"
	f.Add(chain)
	for _, b := range sharedFiles("rpsl", "ripe-whois-grs-fixtures") {
		// The members of each real as-set, as one level under the root.
		var members []string
		for line := range strings.SplitSeq(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "members:"); ok {
				members = append(members, strings.Fields(strings.ReplaceAll(v, ",", " "))...)
			}
		}
		if len(members) > 0 {
			f.Add("!iAS-ROOT\n=" + strings.Join(members, " ") + "\n")
		}
	}
	f.Fuzz(func(t *testing.T, script string) {
		if len(script) > 4096 {
			return
		}
		srv := irrtest.Start(t, irrtest.NoA(irrtest.IRRd(scriptReplies(script))))
		c := &irr.Client{
			Servers:      []string{srv.Addr},
			DialTimeout:  time.Second,
			QueryTimeout: 200 * time.Millisecond,
			Timeout:      3 * time.Second,
			Retries:      -1,
			// The client walks the tree itself (the default): the walk is fuzzed.
			MaxReply: 1 << 16,
		}
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		opts := &irr.ExpandOptions{Limits: irr.Limits{MaxSets: 50, MaxASNs: 500, MaxDepth: 10}}
		start := time.Now()
		asns, rep, err := c.ExpandASNs(ctx, "AS-ROOT", opts)
		if time.Since(start) > 4*time.Second {
			t.Fatalf("walk took %s, beyond its timeout", time.Since(start))
		}
		if err != nil {
			return
		}
		if rep == nil || !slices.IsSorted(asns) || len(slices.Compact(slices.Clone(asns))) != len(asns) {
			t.Fatalf("ASNs not sorted and unique, or no report: %v", asns)
		}
	})
}
