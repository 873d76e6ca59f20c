package platform

import (
	"math/rand/v2"
	"net/netip"
	"testing"
)

// TestAppendIPv6MatchesNetip checks the fast IPv6 formatter against
// netip on random addresses with many zero groups (every run shape), and
// AppendAddr against netip wherever bgpq4's inet_ntop form (::a.b.c.d)
// does not apply.
func TestAppendIPv6MatchesNetip(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 200000; i++ {
		var x [16]byte
		for g := 0; g < 8; g++ {
			switch rng.IntN(4) {
			case 0, 1: // a zero group
			case 2:
				x[2*g+1] = byte(rng.IntN(256))
			default:
				x[2*g], x[2*g+1] = byte(rng.IntN(256)), byte(rng.IntN(256))
			}
		}
		a := netip.AddrFrom16(x)
		if got, want := string(appendIPv6(nil, &x)), a.String(); got != want && !a.Is4In6() {
			t.Fatalf("appendIPv6(% x) = %q, netip says %q", x, got, want)
		}
		inetNtop := x[12]|x[13] != 0 && [12]byte(x[:12]) == [12]byte{}
		if got, want := string(AppendAddr(nil, a)), a.String(); got != want && !inetNtop && !a.Is4In6() {
			t.Fatalf("AppendAddr(%v) = %q, netip says %q", a, got, want)
		}
	}
}

func BenchmarkAppendAddr6(b *testing.B) {
	a := netip.MustParseAddr("2001:db8:1234::5678")
	buf := make([]byte, 0, 64)
	b.Run("vendor", func(b *testing.B) {
		for b.Loop() {
			buf = AppendAddr(buf[:0], a)
		}
	})
	b.Run("netip", func(b *testing.B) {
		for b.Loop() {
			buf = a.AppendTo(buf[:0])
		}
	})
}
