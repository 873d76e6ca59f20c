package cli

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	rtr "github.com/bgp/stayrtr/lib"
)

// fakeRTRCache answers one Reset Query with a fixed VRP set, on 127.0.0.1.
func fakeRTRCache(t *testing.T, vrps ...rtr.PDU) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		defer nc.Close()
		nc.SetDeadline(time.Now().Add(10 * time.Second))
		q, err := rtr.Decode(nc)
		if err != nil {
			t.Errorf("fake cache: %v", err)
			return
		}
		v := q.GetVersion()
		if v > 1 {
			v = 1
		}
		pdus := append([]rtr.PDU{&rtr.PDUCacheResponse{SessionId: 7}}, vrps...)
		pdus = append(pdus, &rtr.PDUEndOfData{SessionId: 7, SerialNumber: 42, RefreshInterval: 3600, RetryInterval: 600, ExpireInterval: 7200})
		for _, p := range pdus {
			p.SetVersion(v)
			nc.Write(p.Bytes())
		}
		buf := make([]byte, 64)
		nc.Read(buf) // until the client hangs up
	}()
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	return ln.Addr().String()
}

func TestRPKICheckRTR(t *testing.T) {
	addr := fakeRTRCache(t,
		&rtr.PDUIPv4Prefix{Prefix: netip.MustParsePrefix("192.0.2.0/24"), MaxLen: 24, ASN: 64500, Flags: 1},
		&rtr.PDUIPv4Prefix{Prefix: netip.MustParsePrefix("198.51.100.0/24"), MaxLen: 32, ASN: 0, Flags: 1},
	)
	code, stdout, stderr := runCLI(t, "rpki", "check", "--rtr", addr, "192.0.2.0/24", "AS64500", "AS64501")
	if code != ExitOK {
		t.Fatalf("exit %d; stderr: %s", code, stderr)
	}
	want := "192.0.2.0/24 AS64500 valid: 192.0.2.0/24-24 AS64500\n" +
		"192.0.2.0/24 AS64501 invalid: 192.0.2.0/24-24 AS64500\n"
	if stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", stdout, want)
	}
}

func TestRPKICheckRTRJSON(t *testing.T) {
	addr := fakeRTRCache(t,
		&rtr.PDUIPv6Prefix{Prefix: netip.MustParsePrefix("2001:db8::/32"), MaxLen: 48, ASN: 64500, Flags: 1})
	code, stdout, stderr := runCLI(t, "rpki", "check", "--json", "--rtr", addr, "2001:db8:ffff::/48", "64500")
	if code != ExitOK {
		t.Fatalf("exit %d; stderr: %s", code, stderr)
	}
	for _, s := range []string{`"source": "rtr://` + addr + `"`, `"rtr_session": {`, `"version": 1`, `"serial": 42`, `"state": "valid"`} {
		if !strings.Contains(stdout, s) {
			t.Errorf("JSON lacks %s:\n%s", s, stdout)
		}
	}
}

func TestRPKICheckFlags(t *testing.T) {
	var got *rpkiCheckOptions
	cmd := newCmdRPKICheck(&factory{}, func(_ context.Context, o *rpkiCheckOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--vrps", "x.json", "--max-age", "2h", "--json", "192.0.2.0/24", "AS1", "AS2"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got == nil || got.vrps != "x.json" || got.maxAge != 2*time.Hour || !got.json || got.prefix != "192.0.2.0/24" || len(got.asns) != 2 {
		t.Errorf("options %+v", got)
	}
}
