package cli

import (
	"context"
	"io"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

func seamFactory() *factory {
	return &factory{streams: streams{In: strings.NewReader(""), Out: io.Discard, ErrOut: io.Discard}}
}

// runSeam parses args with cmd and returns the error of its RunE.
func runSeam(cmd *cobra.Command, args ...string) error {
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	return cmd.ExecuteContext(context.Background())
}

// Flag parsing is tested apart from the work, through the runF seams.
func TestCompileFlags(t *testing.T) {
	var got *compileOptions
	cmd := newCmdCompile(seamFactory(), func(_ context.Context, o *compileOptions) error { got = o; return nil })
	err := runSeam(cmd, "p.yaml", "--router", "r1", "--router", "r2", "--diff", "--json", "--timeout", "90s",
		"--irr-timeout", "2m", "--irr-query-timeout", "5s", "--keep-going", "--parallel", "3")
	if err != nil {
		t.Fatal(err)
	}
	want := compileOptions{policy: "p.yaml", outDir: ".", routers: []string{"r1", "r2"}, diff: true, json: true,
		keepGoing: true, parallel: 3, timeout: 90 * time.Second, irrTimeout: 2 * time.Minute, irrQueryTimeout: 5 * time.Second}
	if got.policy != want.policy || got.outDir != want.outDir || !slices.Equal(got.routers, want.routers) || got.diff != want.diff ||
		got.json != want.json || got.keepGoing != want.keepGoing || got.parallel != want.parallel || got.timeout != want.timeout ||
		got.irrTimeout != want.irrTimeout || got.irrQueryTimeout != want.irrQueryTimeout || got.outDirSet {
		t.Errorf("parsed %+v\nwant   %+v", *got, want)
	}
	cmd = newCmdCompile(seamFactory(), func(_ context.Context, o *compileOptions) error { got = o; return nil })
	if err := runSeam(cmd, "p.yaml", "-o", "out"); err != nil || !got.outDirSet || got.outDir != "out" {
		t.Errorf("-o: %+v, %v", got, err)
	}
}

func TestExplainFlags(t *testing.T) {
	var got *explainOptions
	cmd := newCmdExplain(seamFactory(), func(_ context.Context, o *explainOptions) error { got = o; return nil })
	if err := runSeam(cmd, "p.yaml", "ACME", "192.0.2.1", "--json"); err != nil {
		t.Fatal(err)
	}
	if got.policy != "p.yaml" || got.peer != "ACME" || got.prefix != netip.MustParsePrefix("192.0.2.1/32") || !got.json {
		t.Errorf("parsed %+v", *got)
	}
	cmd = newCmdExplain(seamFactory(), func(context.Context, *explainOptions) error { t.Error("ran with a bad prefix"); return nil })
	if err := runSeam(cmd, "p.yaml", "ACME", "nope"); exitCode(err) != ExitUsage {
		t.Errorf("bad prefix: %v (exit %d), want a usage error", err, exitCode(err))
	}
}

func TestExpandServeTemplatesFlags(t *testing.T) {
	var e *expandOptions
	cmd := newCmdExpand(seamFactory(), func(_ *cobra.Command, o *expandOptions) error { e = o; return nil })
	if err := runSeam(cmd, "--registry", "a.db", "--registry", "b.db", "-6", "-L", "3", "AS-X", "AS-Y"); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(e.registries, []string{"a.db", "b.db"}) || !e.ipv6 || e.depth != 3 || !slices.Equal(e.objects, []string{"AS-X", "AS-Y"}) {
		t.Errorf("expand parsed %+v", *e)
	}
	var s *serveOptions
	cmd = newCmdServe(seamFactory(), func(_ context.Context, o *serveOptions) error { s = o; return nil })
	if err := runSeam(cmd, "--listen", "127.0.0.1:0", "--no-a", "--idle-timeout", "5s", "x.db"); err != nil {
		t.Fatal(err)
	}
	if s.listen != "127.0.0.1:0" || !s.noA || s.idle != 5*time.Second || !slices.Equal(s.files, []string{"x.db"}) {
		t.Errorf("serve parsed %+v", *s)
	}
	var tp *templatesOptions
	cmd = newCmdTemplates(seamFactory(), func(o *templatesOptions) error { tp = o; return nil })
	if err := runSeam(cmd, "--write", "dir", "--force"); err != nil {
		t.Fatal(err)
	}
	if tp.write != "dir" || !tp.force {
		t.Errorf("templates parsed %+v", *tp)
	}
}
