package irr_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/filtergen/filtergen/internal/irrtest"
	"github.com/filtergen/filtergen/irr"
)

// TestClientStallsSynctest: a server that stalls before or in the middle
// of an answer costs the client its query timeout and a retry, then an
// error naming the query; a stall past the caller's deadline ends with
// it. Inside a synctest bubble over in-memory pipes, the timeouts take
// no real time, and the durations checked are exact.
func TestClientStallsSynctest(t *testing.T) {
	for _, tt := range []struct {
		name string
		a    irrtest.Action
	}{
		{"stall before answer", irrtest.Action{Stall: true}},
		{"stall mid-answer", irrtest.Action{Reply: "A43\n192.0.2.0/24 19", Stall: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := irrtest.StartPipe(t, script(demoReplies(), "!a4AS-TOP", tt.a))
				c := fastClient(srv.Addr)
				c.Dial = srv.Dial
				defer c.Close()
				start := time.Now()
				got, _, err := c.ExpandPrefixes(context.Background(), "AS-TOP", irr.IPv4, nil)
				if got != nil || err == nil || !strings.Contains(err.Error(), "!a4AS-TOP") {
					t.Fatalf("got %v, %v; want an error naming the query", got, err)
				}
				// One query timeout per try, one retry, its backoff.
				if d, want := time.Since(start), 2*c.QueryTimeout+c.RetryBackoff; d < want || d > want+time.Second {
					t.Errorf("gave up after %v, want about %v", d, want)
				}
				if n := srv.Conns(); n != 2 {
					t.Errorf("%d connections, want 2 (one retry)", n)
				}
			})
		})
	}
	t.Run("caller's deadline", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			srv := irrtest.StartPipe(t, script(demoReplies(), "!a4AS-TOP", irrtest.Action{Stall: true}))
			c := fastClient(srv.Addr)
			c.Dial = srv.Dial
			c.QueryTimeout = time.Hour
			defer c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, _, err := c.ExpandPrefixes(ctx, "AS-TOP", irr.IPv4, nil)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %v, want DeadlineExceeded", err)
			}
			if d := time.Since(start); d != 200*time.Millisecond {
				t.Errorf("ended after %v, want exactly the deadline", d)
			}
		})
	})
}
