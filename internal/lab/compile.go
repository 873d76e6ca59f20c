package lab

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/irr"
	"github.com/filtergen/filtergen/rpki"
)

// CompilePolicy compiles a policy file offline from the IRR dumps and
// VRP file it names, as "filtergen compile" does, and returns the Result
// with the VRPs (nil without RPKI data).
func CompilePolicy(ctx context.Context, policy string) (*filtergen.Result, *rpki.Set, error) {
	pol, err := filtergen.LoadPolicy(policy)
	if err != nil {
		return nil, nil, err
	}
	rel := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(pol.Dir, p)
	}
	if len(pol.IRR.Dumps) == 0 {
		return nil, nil, fmt.Errorf("%s: the lab compiles offline: the policy must name IRR dumps", policy)
	}
	b := irr.NewBuilder(irr.LoadOptions{})
	for _, d := range pol.IRR.Dumps {
		if err := b.ReadFile(ctx, rel(d)); err != nil {
			return nil, nil, err
		}
	}
	reg, err := b.Build()
	if err != nil {
		return nil, nil, err
	}
	co := filtergen.CompileOptions{IRR: reg}
	var set *rpki.Set
	if pol.RPKI.VRPs != "" {
		if set, err = rpki.LoadFile(rel(pol.RPKI.VRPs), rpki.LoadOptions{MaxAge: rpki.NoMaxAge}); err != nil {
			return nil, nil, err
		}
		co.RPKI = filtergen.RPKIFromSet(set)
	}
	res, err := filtergen.Compile(ctx, pol, co)
	return res, set, err
}
