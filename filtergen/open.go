package filtergen

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"time"

	"github.com/filtergen/filtergen/irr"
	"github.com/filtergen/filtergen/rpki"
)

// Defaults of the IRR and compile time limits, used when neither the
// policy nor OpenOptions sets one.
const (
	// DefaultIRRQueryTimeout bounds the wait for one answer of an IRRd
	// server: a server that stalls longer fails the query.
	DefaultIRRQueryTimeout = time.Minute
	// DefaultIRRTimeout bounds one expansion against IRRd servers,
	// failover and retries included.
	DefaultIRRTimeout = 5 * time.Minute
	// DefaultRTRTimeout bounds the first synchronisation with an RTR
	// cache.
	DefaultRTRTimeout = 2 * time.Minute
	// DefaultCompileTimeout bounds a whole compile: opening the sources,
	// every peer, rendering and writing.
	DefaultCompileTimeout = 30 * time.Minute
)

// OpenOptions tune Open. Zero values take the policy's settings, then the
// package defaults.
type OpenOptions struct {
	// IRRQueryTimeout overrides the policy's irr.query_timeout.
	IRRQueryTimeout time.Duration
	// IRRTimeout overrides the policy's irr.timeout.
	IRRTimeout time.Duration
	// Logger receives logs; default discards.
	Logger *slog.Logger
}

// Sources are the data a policy names, opened: the IRR registry (read
// from dumps) or an IRRd client (with failover between the policy's
// servers), and the RPKI data (a VRP file or one RTR synchronisation).
// Close releases the IRRd connections.
type Sources struct {
	// IRR expands sets and finds route objects.
	IRR irr.Expander
	// RPKI validates origins; nil when the policy names no RPKI data.
	RPKI RPKI
	// Problems counts the malformed RPSL objects skipped in dumps.
	Problems int
	logger   *slog.Logger
}

// CompileOptions returns CompileOptions with the sources' IRR and RPKI
// data and logger set, for the caller to complete.
func (s *Sources) CompileOptions() CompileOptions {
	return CompileOptions{IRR: s.IRR, RPKI: s.RPKI, Logger: s.logger}
}

// Close releases what Open opened. It is safe to call more than once.
func (s *Sources) Close() error {
	if s == nil {
		return nil
	}
	if c, ok := s.IRR.(interface{ Close() error }); ok {
		return c.Close()
	}
	return nil
}

// Open opens the data sources pol names. Dumps and VRP files are read in
// full; relative paths resolve against pol.Dir. IRRd servers are
// connected lazily, tried in the policy's order; the client resolves set
// trees itself so that missing nested sets are reported. An RTR cache is
// synchronised once, within DefaultRTRTimeout. The RPKI data's age is not
// checked here: Compile checks it per peer against rpki.max_age.
func Open(ctx context.Context, pol *Policy, opts OpenOptions) (*Sources, error) {
	if pol == nil {
		return nil, errors.New("filtergen: Open: nil policy")
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	src := &Sources{logger: log}
	rel := func(p string) string {
		if filepath.IsAbs(p) || pol.Dir == "" {
			return p
		}
		return filepath.Join(pol.Dir, p)
	}
	switch {
	case len(pol.IRR.Dumps) > 0:
		b := irr.NewBuilder(irr.LoadOptions{Logger: log})
		for _, d := range pol.IRR.Dumps {
			if err := b.ReadFile(ctx, rel(d)); err != nil {
				return nil, fmt.Errorf("irr.dumps: %w", err)
			}
		}
		reg, err := b.Build()
		if err != nil {
			return nil, fmt.Errorf("irr.dumps: %w", err)
		}
		if _, n := b.Problems(); n > 0 {
			src.Problems = n
			log.Warn("skipped malformed RPSL objects", "count", n)
		}
		src.IRR = reg
	case len(pol.IRR.ServerList()) > 0:
		src.IRR = &irr.Client{
			Servers:      pol.IRR.ServerList(),
			QueryTimeout: firstDuration(opts.IRRQueryTimeout, time.Duration(pol.IRR.QueryTimeout), DefaultIRRQueryTimeout),
			Timeout:      firstDuration(opts.IRRTimeout, time.Duration(pol.IRR.Timeout), DefaultIRRTimeout),
			Logger:       log,
		}
	default:
		return nil, errors.New("filtergen: the policy names no IRR data")
	}
	switch {
	case pol.RPKI.VRPs != "":
		set, err := rpki.LoadFile(rel(pol.RPKI.VRPs), rpki.LoadOptions{MaxAge: rpki.NoMaxAge})
		if err != nil {
			src.Close()
			return nil, fmt.Errorf("rpki.vrps: %w", err)
		}
		src.RPKI = RPKIFromSet(set)
	case pol.RPKI.RTR != "":
		sctx, cancel := context.WithTimeout(ctx, DefaultRTRTimeout)
		defer cancel()
		set, err := (&rpki.Client{Addr: pol.RPKI.RTR, Logger: log}).Sync(sctx)
		if err != nil {
			src.Close()
			return nil, fmt.Errorf("rpki.rtr %s: %w", strconv.Quote(pol.RPKI.RTR), err)
		}
		src.RPKI = RPKIFromSet(set)
	}
	return src, nil
}

// firstDuration returns the first positive duration.
func firstDuration(ds ...time.Duration) time.Duration {
	for _, d := range ds {
		if d > 0 {
			return d
		}
	}
	return 0
}
