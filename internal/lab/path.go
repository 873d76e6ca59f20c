package lab

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/filtergen/filtergen/filtergen"
)

// A Segment is one AS_PATH segment: an AS_SEQUENCE, or an AS_SET when Set.
type Segment struct {
	Set  bool     `json:"set,omitempty"`
	ASNs []uint32 `json:"asns"`
}

// A Path is an AS_PATH as sent on the wire, first segment first.
type Path []Segment

// Seq returns a path of one AS_SEQUENCE.
func Seq(asns ...uint32) Path {
	if len(asns) == 0 {
		return Path{}
	}
	return Path{{ASNs: slices.Clone(asns)}}
}

// String formats p the way BIRD prints bgp_path: "3333 {64500 64501} 65001".
func (p Path) String() string {
	var parts []string
	for _, s := range p {
		var a []string
		for _, n := range s.ASNs {
			a = append(a, strconv.FormatUint(uint64(n), 10))
		}
		if s.Set {
			parts = append(parts, "{"+strings.Join(a, " ")+"}")
		} else {
			parts = append(parts, a...)
		}
	}
	if len(parts) == 0 {
		return "(empty)"
	}
	return strings.Join(parts, " ")
}

// ParsePath reads what String writes (and BIRD prints); "" and "(empty)"
// are the empty path. Adjacent sequence ASNs merge into one segment.
func ParsePath(s string) (Path, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "(empty)" {
		return Path{}, nil
	}
	var p Path
	inSet := false
	for _, f := range strings.Fields(strings.NewReplacer("{", " { ", "}", " } ").Replace(s)) {
		switch f {
		case "{":
			if inSet {
				return nil, fmt.Errorf("path %q: nested AS_SET", s)
			}
			inSet = true
			p = append(p, Segment{Set: true})
			continue
		case "}":
			if !inSet {
				return nil, fmt.Errorf("path %q: unbalanced }", s)
			}
			inSet = false
			continue
		}
		n, err := strconv.ParseUint(f, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("path %q: bad ASN %q", s, f)
		}
		if !inSet && (len(p) == 0 || p[len(p)-1].Set) {
			p = append(p, Segment{})
		}
		p[len(p)-1].ASNs = append(p[len(p)-1].ASNs, uint32(n))
	}
	if inSet {
		return nil, fmt.Errorf("path %q: unterminated AS_SET", s)
	}
	return p, nil
}

// Empty reports whether the path has no ASN.
func (p Path) Empty() bool {
	for _, s := range p {
		if len(s.ASNs) > 0 {
			return false
		}
	}
	return true
}

// First returns the first AS of the path (RFC 4271 §6.3: the
// left-most AS of an AS_SEQUENCE), or false when the path is empty or
// starts with an AS_SET.
func (p Path) First() (uint32, bool) {
	if len(p) == 0 || p[0].Set || len(p[0].ASNs) == 0 {
		return 0, false
	}
	return p[0].ASNs[0], true
}

// Origin returns the RFC 6811 origin: the right-most AS of the final
// segment when it is an AS_SEQUENCE; none (false) when the path is empty
// or ends in an AS_SET.
func (p Path) Origin() (uint32, bool) {
	if len(p) == 0 {
		return 0, false
	}
	last := p[len(p)-1]
	if last.Set || len(last.ASNs) == 0 {
		return 0, false
	}
	return last.ASNs[len(last.ASNs)-1], true
}

// HasSet reports whether any segment is an AS_SET.
func (p Path) HasSet() bool {
	return slices.ContainsFunc(p, func(s Segment) bool { return s.Set })
}

// Len is the path length as BGP best-path selection counts it: every
// ASN of a sequence, one per set (RFC 4271 §9.1.2.2).
func (p Path) Len() int {
	n := 0
	for _, s := range p {
		if s.Set {
			n++
		} else {
			n += len(s.ASNs)
		}
	}
	return n
}

// All returns every ASN of the path, sets included.
func (p Path) All() []uint32 {
	var out []uint32
	for _, s := range p {
		out = append(out, s.ASNs...)
	}
	return out
}

// A Route is a BGP route as a lab speaker announces it or a router
// holds it.
type Route struct {
	Prefix netip.Prefix `json:"prefix"`
	Path   Path         `json:"path"`
	// NextHop is the NEXT_HOP (IPv4) or the global MP_REACH next hop;
	// zero means the speaker's own session address.
	NextHop netip.Addr `json:"next_hop,omitzero"`
	// PathTruncated is set when the router printed only the start of a
	// long path (BIRD ends it with "...").
	PathTruncated bool `json:"-"`
	// Best is set on the route the router selected for its prefix.
	Best bool `json:"-"`
	// LargeCommunities are the route's RFC 8092 communities as the
	// router holds them.
	LargeCommunities []filtergen.LargeCommunity `json:"-"`
}
