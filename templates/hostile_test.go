package templates_test

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/internal/platform"
	"github.com/filtergen/filtergen/templates"
)

// hostile are descriptions built to end a string, a statement, a block
// or a line, or to start a comment or a command, on some platform
// (vendors.md §4.1). Each holds the markers EVIL and INJECT.
var hostile = []string{
	"EVIL\nrouter bgp 1 INJECT",
	"EVIL\r\nINJECT",
	`EVIL"; } protocols { bgp { group X INJECT`,
	"EVIL'; INJECT",
	"EVIL}{ ]] [[ INJECT",
	"EVIL # INJECT",
	"EVIL ! INJECT",
	"EVIL /* INJECT */",
	"EVIL $(reboot) INJECT",
	"EVIL\\\" INJECT",
	"EVIL\x00\t\v\f INJECT",
	"EVIL é ü 中 \u2028\u2029 INJECT",
	"EVIL ? INJECT",
}

// textRun is the longest run of sanitised text after EVIL.
var textRun = regexp.MustCompile(`EVIL[A-Za-z0-9 .,:/()@+=_-]*`)

// TestHostileStrings renders every platform's templates with hostile
// descriptions and names. A description must arrive on one line, reduced
// to the sanitiser's whitelist, and end where the platform's string ends
// (a closing quote, or the end of the line where text goes bare); a
// hostile name, interface or password must be refused, never written.
func TestHostileStrings(t *testing.T) {
	for _, name := range templates.Platforms() {
		pl, _ := platform.Lookup(name)
		t.Run(name, func(t *testing.T) {
			for _, h := range hostile {
				res := fixture(name)
				if name == "junos" {
					for _, p := range res.Peers {
						for i := range p.Attachments {
							if p.Attachments[i].Interface != "" {
								p.Attachments[i].Interface = "xe-0/0/1"
							}
						}
					}
				}
				for _, p := range res.Peers {
					p.Description = h
				}
				files, err := templates.Render(res, res.Routers[0], templates.Options{})
				if err != nil {
					t.Fatalf("description %q: %v", h, err)
				}
				problems, found := checkHostile(files, pl, h)
				for _, p := range problems {
					t.Error(p)
				}
				if found == 0 {
					t.Errorf("description %q: no description rendered", h)
				}
			}
			refuse := []struct {
				what string
				edit func(*filtergen.Result)
			}{
				{"peer name", func(r *filtergen.Result) { r.Peers[0].Name = "X\nrouter bgp 1" }},
				{"peer name with a quote", func(r *filtergen.Result) { r.Peers[0].Name = `X"; }` }},
				{"peer name with a path", func(r *filtergen.Result) { r.Peers[0].Name = "../../etc/passwd" }},
				{"router name", func(r *filtergen.Result) { r.Routers[0].Name = "r1;reboot" }},
				{"interface", func(r *filtergen.Result) { r.Peers[0].Attachments[0].Interface = "eth1\" accept; #" }},
				{"password", func(r *filtergen.Result) { r.Peers[0].Session.Password = filtergen.NewSecret("pw\" }\n#") }},
			}
			for _, tt := range refuse {
				res := fixture(name)
				tt.edit(res)
				files, err := templates.Render(res, res.Routers[0], templates.Options{})
				if !errors.Is(err, templates.ErrUnsafe) {
					t.Errorf("hostile %s: got %d files, error %v; want ErrUnsafe", tt.what, len(files), err)
				}
				if err != nil && strings.Contains(err.Error(), "pw\"") {
					t.Errorf("the error shows the password: %v", err)
				}
			}
		})
	}
}

// checkHostile returns what is wrong with how files carry the hostile
// description h, and how many lines carry it.
func checkHostile(files []templates.File, pl *platform.Platform, h string) ([]string, int) {
	var problems []string
	found := 0
	for _, f := range files {
		for _, line := range strings.Split(string(f.Data), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "INJECT") || strings.HasPrefix(strings.TrimSpace(line), "router bgp 1") {
				problems = append(problems, fmt.Sprintf("description %q: %s: injected line %q", h, f.Name, line))
			}
			i := strings.Index(line, "EVIL")
			if i < 0 {
				continue
			}
			found++
			run := textRun.FindString(line[i:])
			rest := line[i+len(run):]
			switch {
			case !strings.Contains(run, "INJECT") && len(run) < pl.MaxText-8:
				problems = append(problems, fmt.Sprintf("description %q: %s: text cut short: %q", h, f.Name, line))
			case pl.QuoteText && !strings.HasPrefix(rest, `"`):
				problems = append(problems, fmt.Sprintf("description %q: %s: string does not end after the text: %q", h, f.Name, line))
			case !pl.QuoteText && rest != "":
				problems = append(problems, fmt.Sprintf("description %q: %s: bare text followed by %q", h, f.Name, rest))
			}
		}
	}
	return problems, found
}

// TestHostileCheckFails shows that checkHostile catches a template that
// writes a description raw.
func TestHostileCheckFails(t *testing.T) {
	over := fstest.MapFS{"frr/peer.tmpl": {Data: []byte("! {{ .Peer.Description }}\n")},
		"openbgpd/peer.tmpl": {Data: []byte("# descr \"{{ .Peer.Description }}\"\n")}}
	for _, name := range []string{"frr", "openbgpd"} {
		pl, _ := platform.Lookup(name)
		for _, h := range hostile[:3] {
			res := fixture(name)
			res.Peers[0].Description = h
			files, err := templates.Render(res, res.Routers[0], templates.Options{Overrides: over})
			if err != nil {
				t.Fatal(err)
			}
			if problems, _ := checkHostile(files, pl, h); len(problems) == 0 {
				t.Errorf("%s: a raw description %q passed the check", name, h)
			}
		}
	}
}
