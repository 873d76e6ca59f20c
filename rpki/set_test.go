package rpki_test

import (
	"cmp"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/filtergen/filtergen/rpki"
)

var cmpOpts = gocmp.Options{cmpopts.EquateComparable(netip.Prefix{}, netip.Addr{}), cmpopts.EquateEmpty()}

func vrp(p string, maxLen uint8, as uint32) rpki.VRP {
	return rpki.VRP{Prefix: netip.MustParsePrefix(p), MaxLen: maxLen, ASN: as}
}

func mustSet(t testing.TB, vrps []rpki.VRP, aspas []rpki.ASPA) *rpki.Set {
	t.Helper()
	s, err := rpki.NewSet(vrps, aspas, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// slowValidate is RFC 6811 §2 read literally: a linear scan of every VRP.
func slowValidate(vrps []rpki.VRP, route netip.Prefix, origin uint32) (rpki.State, []rpki.VRP) {
	var covering, matching []rpki.VRP
	for _, v := range vrps {
		covers := v.Prefix.Addr().Is4() == route.Addr().Is4() &&
			v.Prefix.Bits() <= route.Bits() && v.Prefix.Contains(route.Addr())
		if !covers {
			continue
		}
		covering = append(covering, v)
		if route.Bits() <= int(v.MaxLen) && v.ASN == origin && origin != 0 {
			matching = append(matching, v)
		}
	}
	switch {
	case matching != nil:
		return rpki.Valid, matching
	case covering != nil:
		return rpki.Invalid, covering
	}
	return rpki.NotFound, nil
}

func TestValidateRFC6811(t *testing.T) {
	s := mustSet(t, []rpki.VRP{
		vrp("192.0.2.0/24", 24, 64500),
		vrp("192.0.2.0/23", 25, 64501),
		vrp("198.51.100.0/24", 24, 0),
		vrp("2001:db8::/32", 48, 64500),
		vrp("2001:db8:1::/48", 48, 64502),
		vrp("203.0.113.0/24", 24, 64510),
		vrp("203.0.113.0/24", 24, 64511),
		vrp("203.0.112.0/23", 24, 0),
	}, nil)
	tests := []struct {
		name   string
		route  string
		origin uint32
		want   rpki.State
		vrps   []rpki.VRP
	}{
		{"exact match", "192.0.2.0/24", 64500, rpki.Valid, []rpki.VRP{vrp("192.0.2.0/24", 24, 64500)}},
		{"too long for the exact VRP, wrong AS for the shorter", "192.0.2.0/25", 64500, rpki.Invalid,
			[]rpki.VRP{vrp("192.0.2.0/24", 24, 64500), vrp("192.0.2.0/23", 25, 64501)}},
		{"covered by shorter VRP with enough max length", "192.0.2.128/25", 64501, rpki.Valid,
			[]rpki.VRP{vrp("192.0.2.0/23", 25, 64501)}},
		{"too long", "192.0.2.0/26", 64501, rpki.Invalid,
			[]rpki.VRP{vrp("192.0.2.0/24", 24, 64500), vrp("192.0.2.0/23", 25, 64501)}},
		{"wrong origin", "192.0.3.0/24", 64500, rpki.Invalid, []rpki.VRP{vrp("192.0.2.0/23", 25, 64501)}},
		{"AS0 covers", "198.51.100.0/24", 64502, rpki.Invalid, []rpki.VRP{vrp("198.51.100.0/24", 24, 0)}},
		{"AS0 covers more specific", "198.51.100.128/25", 64502, rpki.Invalid, []rpki.VRP{vrp("198.51.100.0/24", 24, 0)}},
		{"origin AS0 never matches an AS0 VRP", "198.51.100.0/24", 0, rpki.Invalid, []rpki.VRP{vrp("198.51.100.0/24", 24, 0)}},
		{"not found", "203.0.114.0/24", 64500, rpki.NotFound, nil},
		{"not found v6", "2001:db9::/32", 64500, rpki.NotFound, nil},
		{"NONE origin is invalid when covered", "192.0.2.0/24", 0, rpki.Invalid,
			[]rpki.VRP{vrp("192.0.2.0/24", 24, 64500), vrp("192.0.2.0/23", 25, 64501)}},
		{"v6 covered by /32 with max length 48", "2001:db8:ffff::/48", 64500, rpki.Valid, []rpki.VRP{vrp("2001:db8::/32", 48, 64500)}},
		{"v6 one of several VRPs makes it valid", "2001:db8:1::/48", 64500, rpki.Valid, []rpki.VRP{vrp("2001:db8::/32", 48, 64500)}},
		{"v6 /49 too long", "2001:db8:1::/49", 64502, rpki.Invalid,
			[]rpki.VRP{vrp("2001:db8:1::/48", 48, 64502), vrp("2001:db8::/32", 48, 64500)}},
		{"several VRPs where one makes it valid despite AS0", "203.0.113.0/24", 64511, rpki.Valid,
			[]rpki.VRP{vrp("203.0.113.0/24", 24, 64511)}},
		{"AS0 plus other origin", "203.0.112.0/24", 64511, rpki.Invalid, []rpki.VRP{vrp("203.0.112.0/23", 24, 0)}},
		{"family does not cross", "::ffff:198.51.100.0/120", 64502, rpki.Invalid, []rpki.VRP{vrp("198.51.100.0/24", 24, 0)}},
		{"invalid route", "", 64500, rpki.NotFound, nil},
		{"host bits are masked", "192.0.2.1/24", 64500, rpki.Valid, []rpki.VRP{vrp("192.0.2.0/24", 24, 64500)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var route netip.Prefix
			if tt.route != "" {
				route = netip.MustParsePrefix(tt.route)
			}
			st, vrps := s.Validate(route, tt.origin)
			if st != tt.want {
				t.Errorf("Validate(%s, %d) = %s, want %s", tt.route, tt.origin, st, tt.want)
			}
			if d := gocmp.Diff(tt.vrps, vrps, cmpOpts); d != "" {
				t.Errorf("VRPs (-want +got):\n%s", d)
			}
			if got := s.State(route, tt.origin); got != tt.want {
				t.Errorf("State = %s, want %s", got, tt.want)
			}
		})
	}
}

func randomVRPs(r *rand.Rand, n int) []rpki.VRP {
	vrps := make([]rpki.VRP, 0, n)
	for range n {
		var p netip.Prefix
		if r.IntN(4) == 0 {
			var b [16]byte
			b[0], b[1], b[2], b[3] = 0x20, 0x01, 0x0d, byte(r.IntN(4))
			b[4], b[5] = byte(r.IntN(4)), byte(r.IntN(256))
			p = netip.PrefixFrom(netip.AddrFrom16(b), 32+r.IntN(17)).Masked()
		} else {
			b := [4]byte{10, byte(r.IntN(4)), byte(r.IntN(8)), byte(r.IntN(256))}
			p = netip.PrefixFrom(netip.AddrFrom4(b), 8+r.IntN(17)).Masked()
		}
		maxLen := p.Bits() + r.IntN(p.Addr().BitLen()-p.Bits()+1)
		maxLen = min(maxLen, p.Bits()+r.IntN(4))
		vrps = append(vrps, rpki.VRP{Prefix: p, MaxLen: uint8(maxLen), ASN: uint32(r.IntN(5))})
	}
	return vrps
}

// TestValidateMatchesLinearScan cross-checks the trie against a brute-force
// scan of the VRP list on random data dense enough to overlap a lot.
func compareVRP(a, b rpki.VRP) int {
	if c := a.Prefix.Addr().Compare(b.Prefix.Addr()); c != 0 {
		return c
	}
	if c := a.Prefix.Bits() - b.Prefix.Bits(); c != 0 {
		return c
	}
	if c := int(a.MaxLen) - int(b.MaxLen); c != 0 {
		return c
	}
	return cmp.Compare(a.ASN, b.ASN)
}

func TestValidateMatchesLinearScan(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 20 {
		vrps := randomVRPs(r, 50+r.IntN(500))
		s := mustSet(t, vrps, nil)
		canon := slices.Collect(s.VRPs())
		if !slices.IsSortedFunc(canon, compareVRP) {
			t.Fatalf("round %d: VRPs not in canonical order", round)
		}
		counts := map[rpki.State]int{}
		for range 2000 {
			route := randomVRPs(r, 1)[0]
			bits := route.Prefix.Bits() + r.IntN(8)
			addr := route.Prefix.Addr()
			if r.IntN(4) == 0 { // outside the space the VRPs use
				b := addr.As16()
				if addr.Is4() {
					b[13] |= 4
				} else {
					b[3] |= 4
				}
				addr = netip.AddrFrom16(b)
				if route.Prefix.Addr().Is4() {
					addr = addr.Unmap()
				}
			}
			p := netip.PrefixFrom(addr, min(bits, addr.BitLen())).Masked()
			origin := uint32(r.IntN(5))
			wantSt, wantV := slowValidate(canon, p, origin)
			gotSt, gotV := s.Validate(p, origin)
			counts[gotSt]++
			slices.SortFunc(gotV, compareVRP)
			if gotSt != wantSt || !slices.Equal(wantV, gotV) {
				t.Fatalf("round %d: Validate(%s, AS%d) = %s %v; linear scan says %s %v", round, p, origin, gotSt, gotV, wantSt, wantV)
			}
		}
		if counts[rpki.Valid] == 0 || counts[rpki.Invalid] == 0 || counts[rpki.NotFound] == 0 {
			t.Fatalf("round %d: random data did not reach every state: %v", round, counts)
		}
	}
}

func TestNewSetRefusesBadVRPs(t *testing.T) {
	tests := []struct {
		name string
		v    rpki.VRP
	}{
		{"zero", rpki.VRP{}},
		{"host bits", vrp("192.0.2.1/24", 24, 1)},
		{"max length short", vrp("192.0.2.0/24", 23, 1)},
		{"max length beyond v4", vrp("192.0.2.0/24", 33, 1)},
		{"max length beyond v6", vrp("2001:db8::/32", 129, 1)},
		{"mapped", vrp("::ffff:192.0.2.0/120", 120, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.v.IsValid() {
				t.Errorf("%v.IsValid() = true", tt.v)
			}
			if _, err := rpki.NewSet([]rpki.VRP{vrp("192.0.2.0/24", 24, 1), tt.v}, nil, time.Now()); err == nil {
				t.Errorf("NewSet accepted %v", tt.v)
			}
		})
	}
}

func TestSetDedupes(t *testing.T) {
	a := vrp("192.0.2.0/24", 24, 64500)
	a.TA = "ripe"
	b := a
	b.TA = "ripe (RRDP prefetch)"
	s := mustSet(t, []rpki.VRP{b, a, a, vrp("192.0.2.0/24", 25, 64500)}, nil)
	want := []rpki.VRP{a, vrp("192.0.2.0/24", 25, 64500)} // "ripe" sorts first
	if d := gocmp.Diff(want, slices.Collect(s.VRPs()), cmpOpts); d != "" {
		t.Errorf("VRPs (-want +got):\n%s", d)
	}
	if s.Len() != 2 {
		t.Errorf("Len = %d, want 2", s.Len())
	}
}

func TestAuthorized(t *testing.T) {
	s := mustSet(t, []rpki.VRP{vrp("192.0.2.0/24", 24, 1)}, []rpki.ASPA{
		{Customer: 64500, Providers: []uint32{64502, 64501}},
		{Customer: 64500, Providers: []uint32{64503}},
		{Customer: 64510, Providers: []uint32{0}},
	})
	tests := []struct {
		customer, provider uint32
		want               rpki.Authorization
	}{
		{64500, 64501, rpki.ProviderPlus},
		{64500, 64503, rpki.ProviderPlus},
		{64500, 64504, rpki.NotProviderPlus},
		{64510, 64501, rpki.NotProviderPlus},
		{64510, 0, rpki.NotProviderPlus},
		{64520, 64501, rpki.NoAttestation},
	}
	for _, tt := range tests {
		if got := s.Authorized(tt.customer, tt.provider); got != tt.want {
			t.Errorf("Authorized(AS%d, AS%d) = %s, want %s", tt.customer, tt.provider, got, tt.want)
		}
	}
	p, ok := s.Providers(64500)
	if !ok || !slices.Equal(p, []uint32{64501, 64502, 64503}) {
		t.Errorf("Providers(64500) = %v, %v", p, ok)
	}
	if _, ok := s.Providers(1); ok {
		t.Error("Providers(1) reported an ASPA")
	}
	got := slices.Collect(s.ASPAs())
	want := []rpki.ASPA{{Customer: 64500, Providers: []uint32{64501, 64502, 64503}}, {Customer: 64510, Providers: []uint32{0}}}
	if d := gocmp.Diff(want, got); d != "" {
		t.Errorf("ASPAs (-want +got):\n%s", d)
	}
}

func TestStrings(t *testing.T) {
	if got := vrp("2001:db8::/32", 48, 64500).String(); got != "2001:db8::/32-48 AS64500" {
		t.Errorf("VRP.String = %q", got)
	}
	for st, want := range map[rpki.State]string{rpki.Valid: "valid", rpki.Invalid: "invalid", rpki.NotFound: "not-found"} {
		b, err := st.MarshalText()
		if st.String() != want || string(b) != want || err != nil {
			t.Errorf("%d: String %q MarshalText %q %v, want %q", st, st.String(), b, err, want)
		}
	}
	if _, err := rpki.State(9).MarshalText(); err == nil {
		t.Error("State(9).MarshalText succeeded")
	}
}
