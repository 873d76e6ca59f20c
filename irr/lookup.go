package irr

import (
	"net/netip"
	"slices"
)

// RouteMatch selects which route objects LookupRoutes returns, as the
// options of IRRd's !r query do.
type RouteMatch uint8

const (
	// MatchExact returns routes of exactly the prefix (!r<prefix>).
	MatchExact RouteMatch = iota
	// MatchOneLess returns the routes of the longest prefix that covers
	// the prefix, the prefix itself excluded (!r<prefix>,l).
	MatchOneLess
	// MatchAllLess returns the routes of every covering prefix, the
	// prefix itself included (!r<prefix>,L).
	MatchAllLess
	// MatchMoreSpecific returns the routes of every prefix inside the
	// prefix, the prefix itself excluded (!r<prefix>,M).
	MatchMoreSpecific
)

type routeIndex struct {
	v4 []indexed4
	v6 []indexed6
}

type indexed4 struct {
	key    uint64
	origin uint32
}

type indexed6 struct {
	key    v6key
	origin uint32
}

func (r *Registry) index(s *sourceData) *routeIndex {
	r.prefixIndexOnce.Do(func() {
		r.prefixIndex = make(map[*sourceData]*routeIndex, len(r.sources))
		for _, s := range r.sources {
			ix := &routeIndex{}
			for origin, keys := range s.v4 {
				for _, k := range keys {
					ix.v4 = append(ix.v4, indexed4{k, origin})
				}
			}
			for origin, keys := range s.v6 {
				for _, k := range keys {
					ix.v6 = append(ix.v6, indexed6{k, origin})
				}
			}
			slices.SortFunc(ix.v4, func(a, b indexed4) int {
				if a.key != b.key {
					if a.key < b.key {
						return -1
					}
					return 1
				}
				return int(int64(a.origin) - int64(b.origin))
			})
			slices.SortFunc(ix.v6, func(a, b indexed6) int {
				if c := cmpV6(a.key, b.key); c != 0 {
					return c
				}
				return int(int64(a.origin) - int64(b.origin))
			})
			r.prefixIndex[s] = ix
		}
	})
	return r.prefixIndex[s]
}

// LookupRoutes returns the route or route6 objects that match p as match
// asks, from the given sources (all when nil), sorted by prefix, origin
// and source. An invalid p or unknown source gives nil.
func (r *Registry) LookupRoutes(p netip.Prefix, match RouteMatch, sources []string) []Route {
	srcs, err := r.selected(sources)
	if err != nil || !p.IsValid() {
		return nil
	}
	p = p.Masked()
	var out []Route
	switch match {
	case MatchExact:
		for _, s := range srcs {
			out = r.appendExact(out, s, p)
		}
	case MatchAllLess:
		for bits := p.Bits(); bits >= 0; bits-- {
			q, _ := p.Addr().Prefix(bits)
			for _, s := range srcs {
				out = r.appendExact(out, s, q)
			}
		}
	case MatchOneLess:
		for bits := p.Bits() - 1; bits >= 0 && len(out) == 0; bits-- {
			q, _ := p.Addr().Prefix(bits)
			for _, s := range srcs {
				out = r.appendExact(out, s, q)
			}
		}
	case MatchMoreSpecific:
		for _, s := range srcs {
			out = r.appendMore(out, s, p)
		}
	}
	sortRoutes(out)
	return out
}

func (r *Registry) appendExact(out []Route, s *sourceData, p netip.Prefix) []Route {
	ix := r.index(s)
	if p.Addr().Is4() {
		k := packV4(p)
		i, _ := slices.BinarySearchFunc(ix.v4, k, func(e indexed4, k uint64) int {
			if e.key < k {
				return -1
			} else if e.key > k {
				return 1
			}
			return 0
		})
		for ; i < len(ix.v4) && ix.v4[i].key == k; i++ {
			out = append(out, Route{Prefix: p, Origin: ix.v4[i].origin, Source: s.name})
		}
		return out
	}
	k := packV6(p)
	i, _ := slices.BinarySearchFunc(ix.v6, k, func(e indexed6, k v6key) int { return cmpV6(e.key, k) })
	for ; i < len(ix.v6) && ix.v6[i].key == k; i++ {
		out = append(out, Route{Prefix: p, Origin: ix.v6[i].origin, Source: s.name})
	}
	return out
}

func (r *Registry) appendMore(out []Route, s *sourceData, p netip.Prefix) []Route {
	ix := r.index(s)
	if p.Addr().Is4() {
		lo := packV4(p)
		span := uint64(1) << (32 - p.Bits()) // addresses in p
		hi := lo&^0xff + span<<8             // first key past p
		i, _ := slices.BinarySearchFunc(ix.v4, lo, func(e indexed4, k uint64) int {
			if e.key < k {
				return -1
			} else if e.key > k {
				return 1
			}
			return 0
		})
		for ; i < len(ix.v4) && ix.v4[i].key < hi; i++ {
			if bits := int(ix.v4[i].key & 0xff); bits > p.Bits() {
				out = append(out, Route{Prefix: unpackV4(ix.v4[i].key), Origin: ix.v4[i].origin, Source: s.name})
			}
		}
		return out
	}
	lo := packV6(p)
	i, _ := slices.BinarySearchFunc(ix.v6, lo, func(e indexed6, k v6key) int { return cmpV6(e.key, k) })
	for ; i < len(ix.v6); i++ {
		q := unpackV6(ix.v6[i].key)
		if !p.Contains(q.Addr()) {
			break
		}
		if q.Bits() > p.Bits() {
			out = append(out, Route{Prefix: q, Origin: ix.v6[i].origin, Source: s.name})
		}
	}
	return out
}

func sortRoutes(rs []Route) {
	slices.SortFunc(rs, func(a, b Route) int {
		if c := comparePrefix(a.Prefix, b.Prefix); c != 0 {
			return c
		}
		if a.Origin != b.Origin {
			if a.Origin < b.Origin {
				return -1
			}
			return 1
		}
		switch {
		case a.Source < b.Source:
			return -1
		case a.Source > b.Source:
			return 1
		}
		return 0
	})
}

// comparePrefix orders prefixes by address, then length.
func comparePrefix(a, b netip.Prefix) int {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c
	}
	return a.Bits() - b.Bits()
}
