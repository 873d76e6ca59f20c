package peeringdb

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// A Source answers the queries onboarding needs. Client (the API) and
// Snapshot (offline files) implement it. Every method returns either a
// complete answer or an error.
type Source interface {
	// Nets returns the networks of the given ASNs. An ASN PeeringDB does
	// not know is absent from the map; that is not an error.
	Nets(ctx context.Context, asns []uint32) (map[uint32]Net, error)
	// IX returns an exchange with its peering LANs and their prefixes;
	// ErrNotFound when PeeringDB has no such exchange.
	IX(ctx context.Context, id int) (*Exchange, error)
	// NetIXLans returns the connections to exchange ixID, sorted by ASN
	// then ID.
	NetIXLans(ctx context.Context, ixID int) ([]NetIXLan, error)
}

// An Exchange is an IX with its LANs and their prefixes.
type Exchange struct {
	IX       IX
	LANs     []IXLan
	Prefixes []IXPfx
}

// NetOf returns the network of one ASN from s, or an error wrapping
// ErrNotFound.
func NetOf(ctx context.Context, s Source, asn uint32) (Net, error) {
	m, err := s.Nets(ctx, []uint32{asn})
	if err != nil {
		return Net{}, err
	}
	n, ok := m[asn]
	if !ok {
		return Net{}, fmt.Errorf("peeringdb: net AS%d: %w", asn, ErrNotFound)
	}
	return n, nil
}

// Errors callers branch on.
var (
	// ErrNotFound: PeeringDB has no such object.
	ErrNotFound = errors.New("not found")
	// ErrUnavailable: the API could not be used (down, timing out,
	// rate limiting or answering garbage) and no cached response young
	// enough was there to stand in.
	ErrUnavailable = errors.New("PeeringDB unavailable and no usable cached response")
	// ErrTooLarge: a response or snapshot file exceeded its size limit.
	ErrTooLarge = errors.New("response too large")
	// ErrRateLimited: the API kept answering 429, or asked to wait
	// longer than Client.MaxRetryAfter.
	ErrRateLimited = errors.New("rate limited")
	// ErrMalformed: a response or snapshot was not the JSON PeeringDB
	// sends (truncated, garbage, wrong shape).
	ErrMalformed = errors.New("malformed data")
)

func usable(status string) bool { return status == "" || status == "ok" }

func sortNetIXLans(s []NetIXLan) {
	slices.SortFunc(s, func(a, b NetIXLan) int {
		if a.ASN != b.ASN {
			if a.ASN < b.ASN {
				return -1
			}
			return 1
		}
		return a.ID - b.ID
	})
}
