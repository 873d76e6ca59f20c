package cli

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/internal/validate"
)

// TestExamplesFRRAndOpenBGPDParse runs the golden output of every FRR and
// OpenBGPD router of the bundled examples through the daemons' own
// parsers: FRR's vtysh -C and bgpd -C (the router file, then the peer
// files, as the header says to concatenate them), OpenBGPD's bgpd -n in
// the output directory, and nft -c for their anti-spoofing files.
func TestExamplesFRRAndOpenBGPDParse(t *testing.T) {
	for _, ex := range examples {
		t.Run(ex, func(t *testing.T) {
			pol, err := filtergen.LoadPolicy(filepath.Join("..", "..", "examples", ex, "filtergen.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", ex)
			seen := map[string]bool{}
			for _, r := range pol.Routers {
				seen[r.Platform] = true
				switch r.Platform {
				case "frr":
					conf := readConcat(t, golden, r.Name)
					problems, err := validate.FRR(t.Context(), conf)
					skipIfMissing(t, err)
					if len(problems) > 0 {
						t.Errorf("router %s: FRR refuses:\n%s", r.Name, strings.Join(problems, "\n"))
					}
				case "openbgpd":
					msg, err := validate.OpenBGPD(t.Context(), golden, r.Name+".conf")
					skipIfMissing(t, err)
					if msg != "" {
						t.Errorf("router %s: bgpd -n: %s", r.Name, msg)
					}
				default:
					continue
				}
				if nft := filepath.Join(golden, r.Name+".nft"); fileExists(nft) {
					msg, err := validate.Nft(t.Context(), nft)
					skipIfMissing(t, err)
					if msg != "" {
						t.Errorf("router %s: nft -c: %s", r.Name, msg)
					}
				}
			}
			if !seen["frr"] || !seen["openbgpd"] {
				t.Errorf("example %s should have an frr and an openbgpd router", ex)
			}
		})
	}
}

func readConcat(t *testing.T, dir, router string) string {
	t.Helper()
	main, err := os.ReadFile(filepath.Join(dir, router+".conf"))
	if err != nil {
		t.Fatal(err)
	}
	peers, _ := filepath.Glob(filepath.Join(dir, router+".d", "*.conf"))
	sort.Strings(peers)
	var b strings.Builder
	b.Write(main)
	for _, p := range peers {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
	}
	return b.String()
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func skipIfMissing(t *testing.T, err error) {
	t.Helper()
	if errors.Is(err, validate.ErrNotInstalled) {
		t.Skipf("%v (make deps installs it)", err)
	}
	if err != nil {
		t.Fatal(err)
	}
}
