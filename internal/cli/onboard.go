package cli

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/google/renameio/v2"
	"github.com/spf13/cobra"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/internal/asn"
)

type onboardOptions struct {
	policy string
	asn    uint32
	ixID   int
	role   string
	write  bool
}

// newCmdOnboard builds "onboard"; runF, when set, is given the parsed
// options instead of running them (tests).
func newCmdOnboard(f *factory, runF func(context.Context, *onboardOptions) error) *cobra.Command {
	opts := &onboardOptions{}
	cmd := &cobra.Command{
		Use:   "onboard POLICY ASN [--ix N] [--write]",
		Short: "Propose the policy entry for a new member from PeeringDB and the IRR",
		Example: `  # What would AS64500's entry be, from PeeringDB and the IRR?
  filtergen onboard examples/ixp-onboarding/onboarding.yaml AS64500 --ix 4242

  # Append it to the policy
  filtergen onboard examples/ixp-onboarding/onboarding.yaml AS64500 --ix 4242 --write`,
		Long: `Onboard looks the member up in the policy's PeeringDB source (snapshot or
API) and prints the peers entry it would add: announce from irr_as_set,
max-prefix per family from info_prefixes4/6 with the policy's headroom, a
safe description and, with --ix (default: members_from.peeringdb.ix_id),
the neighbor addresses at that exchange. Comment lines above the entry say
what PeeringDB and the IRR report (AS-SET size, prefixes per family, RPKI
coverage) and every fallback taken, for a human to review.

--write appends the entry to the policy's peers list, leaving the rest of
the file byte for byte as it was, and writes the file atomically. It
refuses when the entry would not compile (no prefixes, unknown AS-SET).`,
		Args: argsRange(2, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.policy = args[0]
			a, err := asn.Parse(args[1])
			if err != nil || a == 0 {
				return usagef("onboard: %s is not an AS number", strconv.Quote(args[1]))
			}
			opts.asn = a
			var r filtergen.Role
			if err := r.UnmarshalText([]byte(opts.role)); err != nil {
				return usagef("onboard: --role: %v", err)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runOnboard(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().IntVar(&opts.ixID, "ix", 0, "PeeringDB exchange ID for the neighbor addresses")
	cmd.Flags().StringVar(&opts.role, "role", "", "the new peer's role (default: the role all listed peers share)")
	cmd.Flags().BoolVar(&opts.write, "write", false, "append the entry to POLICY")
	return cmd
}

func runOnboard(ctx context.Context, f *factory, opts *onboardOptions) error {
	pol, err := filtergen.LoadPolicy(opts.policy)
	if err != nil {
		return err
	}
	co, err := loadData(ctx, f, pol)
	if err != nil {
		return err
	}
	defer closeInputs(co)
	o, err := filtergen.Onboard(ctx, pol, opts.asn, filtergen.OnboardOptions{
		PopulateOptions: filtergen.PopulateOptions{Getenv: f.Getenv, Logger: f.Logger},
		IXID:            opts.ixID, Role: filtergen.Role(opts.role), Compile: co,
	})
	if err != nil {
		return err
	}
	var b strings.Builder
	writeOnboardReport(&b, o)
	entry := o.Peer.YAML(2)
	fmt.Fprint(f.Out, b.String())
	fmt.Fprint(f.Out, entry)
	if !opts.write {
		return nil
	}
	if o.CompileErr != nil {
		return fmt.Errorf("onboard: not written: the entry does not compile: %w", o.CompileErr)
	}
	data, err := os.ReadFile(opts.policy)
	if err != nil {
		return err
	}
	out, err := filtergen.AppendPeer(opts.policy, data, &o.Peer)
	if err != nil {
		return err
	}
	mode := os.FileMode(0o644)
	if st, err := os.Stat(opts.policy); err == nil {
		mode = st.Mode().Perm()
	}
	if err := renameio.WriteFile(opts.policy, out, mode); err != nil {
		return err
	}
	fmt.Fprintf(f.ErrOut, "appended peer %s to %s\n", o.Peer.Name, opts.policy)
	return nil
}

// writeOnboardReport writes the review comments above the entry.
func writeOnboardReport(b *strings.Builder, o *filtergen.Onboarding) {
	line := func(format string, args ...any) { fmt.Fprintf(b, "# "+format+"\n", args...) }
	a := asn.Format(uint32(o.Peer.ASN))
	if n := o.Net; n != nil {
		line("%s %s (PeeringDB net %d, updated %s)", a, strconv.Quote(n.Name), n.ID, n.Updated.Format(time.DateOnly))
		p := func(v *int) string {
			if v == nil {
				return "unset"
			}
			return strconv.Itoa(*v)
		}
		line("  PeeringDB: irr_as_set %s, info_prefixes4 %s, info_prefixes6 %s, policy %s",
			strconv.Quote(n.IRRASSet), p(n.InfoPrefixes4), p(n.InfoPrefixes6), strconv.Quote(n.PolicyGeneral))
	} else {
		line("%s: not in PeeringDB", a)
	}
	for _, c := range o.Connections {
		a4, a6 := "-", "-"
		if c.IPAddr4.IsValid() {
			a4 = c.IPAddr4.String()
		}
		if c.IPAddr6.IsValid() {
			a6 = c.IPAddr6.String()
		}
		line("  connection %d: %s %s, is_rs_peer %v, %d Mb/s", c.ID, a4, a6, c.IsRSPeer, c.Speed)
	}
	if o.CompileErr != nil {
		line("  IRR: the entry does not compile: %s", strings.ReplaceAll(o.CompileErr.Error(), "\n", "; "))
	} else if r := o.Result; r != nil {
		line("  IRR: %s expands to %d ASNs", strings.Join(o.Peer.Announce, " "), len(r.ASNs))
		for fi, fam := range []filtergen.Family{filtergen.IPv4, filtergen.IPv6} {
			fr := r.Family(fam)
			if fr == nil {
				continue
			}
			st := o.RPKI[fi]
			total := st[filtergen.RPKIValid] + st[filtergen.RPKINotFound] + st[filtergen.RPKIUnchecked]
			cov := "no RPKI data"
			if total > 0 && st[filtergen.RPKIUnchecked] < total {
				cov = fmt.Sprintf("RPKI %d valid, %d not found, %d invalid dropped (%d%% covered)",
					st[filtergen.RPKIValid], st[filtergen.RPKINotFound], st[filtergen.RPKIInvalid], 100*st[filtergen.RPKIValid]/total)
			}
			line("  %s: %d prefixes (%d filter entries), max-prefix %d; %s", fam, fr.Count, len(fr.Entries), fr.MaxPrefix, cov)
		}
	}
	for _, w := range o.Warnings {
		line("  warning: %s", w)
	}
}
