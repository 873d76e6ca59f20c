package cli

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/filtergen/filtergen/internal/asn"
	"github.com/filtergen/filtergen/rpki"
)

func newCmdRPKI(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rpki",
		Short: "Inspect RPKI data: route origin validation",
		Example: `  # Is 193.0.0.0/21 from AS3333 valid?
  filtergen rpki check --vrps vrps.json 193.0.0.0/21 AS3333`,
		Args: cobra.ArbitraryArgs,
		RunE: unknownSubcommand,
	}
	cmd.AddCommand(newCmdRPKICheck(f, nil))
	return cmd
}

type rpkiCheckOptions struct {
	vrps    string
	rtr     string
	maxAge  time.Duration
	timeout time.Duration
	maxVRPs int
	json    bool
	prefix  string
	asns    []string
}

func newCmdRPKICheck(f *factory, runF func(context.Context, *rpkiCheckOptions) error) *cobra.Command {
	opts := &rpkiCheckOptions{}
	cmd := &cobra.Command{
		Use:   "check (--vrps FILE | --rtr HOST:PORT) [--max-age DURATION] [--json] PREFIX ASN...",
		Short: "Validate a prefix and origin ASNs against RPKI (RFC 6811)",
		Long: `Check validates PREFIX with each origin ASN against validated ROA payloads
from a file (rpki-client JSON, Routinator json/jsonext/csv, stayrtr JSON) or
from an RTR cache, and prints one line per ASN:

  PREFIX ASN valid|invalid|not-found[: VRP, VRP...]

followed by the VRPs that decided it: those that match for valid, every
covering VRP for invalid. AS0 VRPs make covered prefixes invalid.

Data older than --max-age (by the validator's build time, or the file's
modification time for CSV) is refused. --max-age 0 means the default (24h),
as max_age: 0 does in a policy and MaxAge 0 in the library; --max-age any
accepts data of any age.
Exit 0 when every pair could be decided (whatever the states), 1 on bad
input, an unreachable cache or stale data.`,
		Example: `  # Validate one prefix with two origins against an rpki-client file
  filtergen rpki check --vrps /var/db/rpki-client/json 193.0.0.0/21 AS3333 AS64500

  # Against an RTR cache, as JSON
  filtergen rpki check --rtr 127.0.0.1:8282 --json 2001:db8::/32 AS64500`,
		Args: argsRange(2, -1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.prefix, opts.asns = args[0], args[1:]
			if (opts.vrps == "") == (opts.rtr == "") {
				return usagef("rpki check: give exactly one of --vrps and --rtr")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runRPKICheck(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.vrps, "vrps", "", "VRP file (format detected from its content)")
	fl.StringVar(&opts.rtr, "rtr", "", "RTR cache to fetch the VRPs from, as HOST:PORT")
	opts.maxAge = rpki.DefaultMaxAge
	fl.Var((*maxAgeFlag)(&opts.maxAge), "max-age", `refuse VRP files older than this (0: the default; "any": no limit)`)
	fl.DurationVar(&opts.timeout, "timeout", time.Minute, "give up on the RTR cache after this long")
	fl.IntVar(&opts.maxVRPs, "rtr-max-vrps", rpki.DefaultMaxVRPs, "refuse an RTR response with more records than this")
	fl.BoolVar(&opts.json, "json", false, "print one JSON document")
	return cmd
}

type rpkiCheckJSON struct {
	Source   string           `json:"source"`
	Produced time.Time        `json:"produced"`
	Session  *rpkiSessionJSON `json:"rtr_session,omitempty"`
	Results  []rpkiResultJSON `json:"results"`
}

type rpkiSessionJSON struct {
	Version int    `json:"version"`
	ID      uint16 `json:"id"`
	Serial  uint32 `json:"serial"`
}

type rpkiResultJSON struct {
	Prefix string        `json:"prefix"`
	ASN    uint32        `json:"asn"`
	State  rpki.State    `json:"state"`
	VRPs   []rpkiVRPJSON `json:"vrps"`
}

type rpkiVRPJSON struct {
	Prefix    string `json:"prefix"`
	MaxLength uint8  `json:"max_length"`
	ASN       uint32 `json:"asn"`
	TA        string `json:"ta,omitempty"`
}

func runRPKICheck(ctx context.Context, f *factory, opts *rpkiCheckOptions) error {
	// Arguments first: bad input must not wait for a cache.
	prefix, err := netip.ParsePrefix(opts.prefix)
	if err != nil {
		return fmt.Errorf("rpki check: invalid prefix %q", opts.prefix)
	}
	if prefix.Masked() != prefix {
		return fmt.Errorf("rpki check: prefix %s has host bits set (did you mean %s?)", prefix, prefix.Masked())
	}
	origins := make([]uint32, len(opts.asns))
	for i, s := range opts.asns {
		if origins[i], err = asn.Parse(s); err != nil {
			return fmt.Errorf("rpki check: %w", err)
		}
	}

	doc := rpkiCheckJSON{Results: []rpkiResultJSON{}}
	var set *rpki.Set
	if opts.vrps != "" {
		set, err = rpki.LoadFile(opts.vrps, rpki.LoadOptions{MaxAge: opts.maxAge})
		if err != nil {
			return err
		}
		doc.Source = opts.vrps
	} else {
		ctx, cancel := context.WithTimeout(ctx, opts.timeout)
		defer cancel()
		c := &rpki.Client{Addr: opts.rtr, Logger: f.Logger, MaxVRPs: opts.maxVRPs}
		set, err = c.Sync(ctx)
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				return fmt.Errorf("rpki check: no data from %s within %s", opts.rtr, opts.timeout)
			}
			return err
		}
		doc.Source = "rtr://" + opts.rtr
		if s, ok := c.Session(); ok {
			doc.Session = &rpkiSessionJSON{Version: int(s.Version) - 1, ID: s.ID, Serial: s.Serial}
		}
	}
	doc.Produced = set.Produced().UTC()

	var text strings.Builder
	for _, origin := range origins {
		state, vrps := set.Validate(prefix, origin)
		r := rpkiResultJSON{Prefix: prefix.String(), ASN: origin, State: state, VRPs: []rpkiVRPJSON{}}
		fmt.Fprintf(&text, "%s %s %s", prefix, asn.Format(origin), state)
		for i, v := range vrps {
			sep := ", "
			if i == 0 {
				sep = ": "
			}
			fmt.Fprintf(&text, "%s%s", sep, v)
			r.VRPs = append(r.VRPs, rpkiVRPJSON{Prefix: v.Prefix.String(), MaxLength: v.MaxLen, ASN: v.ASN, TA: v.TA})
		}
		text.WriteByte('\n')
		doc.Results = append(doc.Results, r)
	}
	if opts.json {
		return writeJSON(f.Out, doc)
	}
	_, err = fmt.Fprint(f.Out, text.String())
	return err
}

// maxAgeFlag is --max-age: a duration, 0 for the default (rpki.DefaultMaxAge,
// as in a policy and the library) or "any" (rpki.NoMaxAge).
type maxAgeFlag time.Duration

func (f *maxAgeFlag) String() string {
	if time.Duration(*f) == rpki.NoMaxAge {
		return "any"
	}
	return time.Duration(*f).String()
}

func (f *maxAgeFlag) Set(s string) error {
	if s == "any" {
		*f = maxAgeFlag(rpki.NoMaxAge)
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return fmt.Errorf("want a duration such as 24h, 0 for the default or \"any\", got %s", strconv.Quote(s))
	}
	if d == 0 {
		d = rpki.DefaultMaxAge
	}
	*f = maxAgeFlag(d)
	return nil
}

func (f *maxAgeFlag) Type() string { return "duration" }
