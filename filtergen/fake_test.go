package filtergen_test

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/internal/asn"
	"github.com/filtergen/filtergen/irr"
	"github.com/filtergen/filtergen/rpki"
)

// fakeIRR is a tiny in-memory irr.Expander for tests: sets of members
// ("AS-FOO", "AS64500") and route objects.
type fakeIRR struct {
	sets   map[string][]string
	routes []irr.Route
	fail   error // returned by every call when set

	mu    sync.Mutex
	calls map[string]int
	n     atomic.Int64
}

func (f *fakeIRR) count(k string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[k]++
}

func (f *fakeIRR) ExpandASNs(ctx context.Context, object string, opts *irr.ExpandOptions) ([]uint32, *irr.Report, error) {
	f.count("asns " + object)
	if f.fail != nil {
		return nil, nil, f.fail
	}
	rep := &irr.Report{Root: object, Sets: map[string]string{}, Parent: map[string]string{}, ASNParent: map[uint32]string{}}
	if n, err := asn.ParseStrict(object); err == nil {
		return []uint32{n}, rep, nil
	}
	if _, ok := f.sets[object]; !ok {
		return nil, nil, &irr.NotFoundError{Object: object}
	}
	var out []uint32
	seen := map[string]bool{}
	var walk func(set string)
	walk = func(set string) {
		seen[set] = true
		rep.Sets[set] = "TEST"
		for _, m := range f.sets[set] {
			if n, err := asn.ParseStrict(m); err == nil {
				if _, ok := rep.ASNParent[n]; !ok {
					rep.ASNParent[n] = set
				}
				out = append(out, n)
				continue
			}
			if _, ok := f.sets[m]; !ok {
				rep.Missing = append(rep.Missing, irr.MissingRef{Name: m, Path: []string{set}})
				continue
			}
			if !seen[m] {
				rep.Parent[m] = set
				walk(m)
			}
		}
	}
	walk(object)
	slices.Sort(out)
	return slices.Compact(out), rep, nil
}

func (f *fakeIRR) ExpandPrefixes(ctx context.Context, object string, fam irr.Family, opts *irr.ExpandOptions) ([]irr.PrefixRange, *irr.Report, error) {
	f.count("prefixes " + object)
	if f.fail != nil {
		return nil, nil, f.fail
	}
	ms, ok := f.sets[object]
	if !ok {
		return nil, nil, &irr.NotFoundError{Object: object}
	}
	var out []irr.PrefixRange
	for _, m := range ms {
		r, err := irr.ParsePrefixRange(m)
		if err == nil && r.Family() == fam {
			out = append(out, r)
		}
	}
	return out, &irr.Report{Root: object, Sets: map[string]string{object: "TEST"}}, nil
}

func (f *fakeIRR) Routes(ctx context.Context, asns []uint32, fam irr.Family, opts *irr.ExpandOptions) ([]irr.Route, error) {
	f.count("routes")
	if f.fail != nil {
		return nil, f.fail
	}
	var out []irr.Route
	for _, r := range f.routes {
		if irr.FamilyOf(r.Prefix) == fam && slices.Contains(asns, r.Origin) {
			out = append(out, r)
		}
	}
	return out, nil
}

func route(p string, origin uint32) irr.Route {
	return irr.Route{Prefix: netip.MustParsePrefix(p), Origin: origin, Source: "TEST"}
}

// fakeRPKI is a linear-scan RFC 6811 validator over a VRP list.
type fakeRPKI struct {
	vrps    []filtergen.VRP
	updated time.Time
	aspa    map[uint32][]uint32
}

func (f *fakeRPKI) Validate(p netip.Prefix, origin uint32) (rpki.State, uint8) {
	covered, valid := false, false
	var maxLen uint8
	for _, v := range f.vrps {
		if v.Prefix.Bits() <= p.Bits() && v.Prefix.Contains(p.Addr()) {
			covered = true
			if v.ASN == origin && origin != 0 && int(v.MaxLen) >= p.Bits() {
				valid = true
				maxLen = max(maxLen, v.MaxLen)
			}
		}
	}
	switch {
	case valid:
		return rpki.Valid, maxLen
	case covered:
		return rpki.Invalid, 0
	}
	return rpki.NotFound, 0
}

func (f *fakeRPKI) VRPs(n uint32, fam irr.Family) []filtergen.VRP {
	var out []filtergen.VRP
	for _, v := range f.vrps {
		if v.ASN == n && irr.FamilyOf(v.Prefix) == fam {
			out = append(out, v)
		}
	}
	return out
}

func (f *fakeRPKI) Updated() time.Time { return f.updated }

type fakeASPA struct {
	fakeRPKI
}

func (f *fakeASPA) Providers(c uint32) ([]uint32, bool) {
	p, ok := f.aspa[c]
	return p, ok
}

func vrp(p string, maxLen uint8, n uint32) filtergen.VRP {
	return filtergen.VRP{Prefix: netip.MustParsePrefix(p), MaxLen: maxLen, ASN: n}
}

func mustPolicy(t interface {
	Helper()
	Fatal(...any)
}, y string) *filtergen.Policy {
	t.Helper()
	pol, err := filtergen.ParsePolicy("test.yaml", []byte(strings.TrimLeft(y, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	return pol
}
