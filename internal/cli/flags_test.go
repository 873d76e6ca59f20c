package cli

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/spf13/cobra"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/internal/bgpq4"
	"github.com/filtergen/filtergen/report"
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
	cmd.SetFlagErrorFunc(flagError) // the root's, which the command inherits in use
	return cmd.ExecuteContext(context.Background())
}

// A seamTest is one command line given to a command with a runF seam:
// either it parses to want, or it is refused with exit code exit and a
// message containing err, and the seam is not called.
type seamTest[O any] struct {
	name string
	args []string
	want O
	exit int
	err  string
}

// testSeam runs each test through the command build returns, given a
// runF that records the options.
func testSeam[O any](t *testing.T, build func(runF func(context.Context, *O) error) *cobra.Command, tests []seamTest[O]) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *O
			err := runSeam(build(func(_ context.Context, o *O) error { got = o; return nil }), tt.args...)
			if tt.exit != ExitOK {
				if got != nil {
					t.Errorf("%q: ran with %+v, want exit %d", tt.args, *got, tt.exit)
				}
				if exitCode(err) != tt.exit || !strings.Contains(fmt.Sprint(err), tt.err) {
					t.Errorf("%q: %v (exit %d), want exit %d and %q", tt.args, err, exitCode(err), tt.exit, tt.err)
				}
				return
			}
			if err != nil || got == nil {
				t.Fatalf("%q: %v (ran: %v)", tt.args, err, got != nil)
			}
			if d := cmp.Diff(tt.want, *got, cmp.AllowUnexported(tt.want), cmpopts.EquateEmpty()); d != "" {
				t.Errorf("%q parsed (-want +got):\n%s", tt.args, d)
			}
		})
	}
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

// bgpq4's command line is parsed as bgpq4 1.9's getopt does, not by
// cobra: clustered flags, options after the objects, bgpq4's exit codes.
func TestBgpq4Flags(t *testing.T) {
	def := func(mod func(o *bgpq4.Options)) bgpq4.Options {
		o := bgpq4.Options{Vendor: bgpq4.Cisco, Gen: bgpq4.PrefixList, MaxLen: 32, Name: "NN", ASWidth: 8,
			Host: "rr.ntt.net", Port: "43", Sources: "ENVSRC"}
		mod(&o)
		return o
	}
	f := seamFactory()
	f.Getenv = func(k string) string {
		if k == "IRRD_SOURCES" {
			return "ENVSRC"
		}
		return ""
	}
	testSeam(t, func(runF func(context.Context, *bgpq4.Options) error) *cobra.Command { return newCmdBgpq4(f, runF) }, []seamTest[bgpq4.Options]{
		{name: "defaults", args: []string{"AS1"}, want: def(func(o *bgpq4.Options) { o.Objects = []string{"AS1"} })},
		{name: "family, aggregate, vendor, name, except", args: []string{"-6", "-A", "-b", "-l", "X", "AS-A", "EXCEPT", "AS-B"},
			want: def(func(o *bgpq4.Options) {
				o.IPv6, o.Aggregate, o.Vendor, o.Name, o.MaxLen = true, true, bgpq4.BIRD, "X", 128
				o.Objects, o.Except = []string{"AS-A"}, []string{"AS-B"}
			})},
		{name: "clustered -Jz", args: []string{"-Jz", "AS1"},
			want: def(func(o *bgpq4.Options) {
				o.Vendor, o.Gen, o.Objects = bgpq4.Juniper, bgpq4.RouteFilterList, []string{"AS1"}
			})},
		{name: "-K7 is RouterOS 7", args: []string{"-K7", "AS1"},
			want: def(func(o *bgpq4.Options) { o.Vendor, o.Objects = bgpq4.MikroTik7, []string{"AS1"} })},
		{name: "option after the object", args: []string{"AS1", "-J"},
			want: def(func(o *bgpq4.Options) { o.Vendor, o.Objects = bgpq4.Juniper, []string{"AS1"} })},
		{name: "as-path", args: []string{"-f", "65000", "AS-X"},
			want: def(func(o *bgpq4.Options) {
				o.Gen, o.ASNumber, o.ASWidth, o.Objects = bgpq4.ASPath, 65000, 4, []string{"AS-X"}
			})},
		{name: "host and port", args: []string{"-h", "irr.example:4343", "AS1"},
			want: def(func(o *bgpq4.Options) { o.Host, o.Port, o.Objects = "irr.example", "4343", []string{"AS1"} })},
		{name: "IPv6 literal host", args: []string{"-h", "[::1]:4343", "AS1"},
			want: def(func(o *bgpq4.Options) { o.Host, o.Port, o.Objects = "::1", "4343", []string{"AS1"} })},
		{name: "-S over IRRD_SOURCES, depth, lengths", args: []string{"-S", "RIPE,RADB", "-L", "2", "-m", "24", "-R", "22", "AS1"},
			want: def(func(o *bgpq4.Options) {
				o.Sources, o.MaxDepth, o.MaxLen, o.Refine, o.Objects = "RIPE,RADB", 2, 24, 22, []string{"AS1"}
			})},
		{name: "-r without -R", args: []string{"-4", "-r", "16", "AS1"},
			want: def(func(o *bgpq4.Options) { o.RefineLow, o.Refine, o.Objects = 16, 32, []string{"AS1"} })},
		{name: "registry", args: []string{"--registry", "a.db", "--registry", "b.db", "AS1"},
			want: def(func(o *bgpq4.Options) { o.Registry, o.Objects = []string{"a.db", "b.db"}, []string{"AS1"} })},
		{name: "help", args: []string{"--help"}, want: def(func(o *bgpq4.Options) { o.Help, o.Gen, o.MaxLen = true, 0, 0 })},
		{name: "-? is help", args: []string{"-?"}, want: def(func(o *bgpq4.Options) { o.Help, o.Gen, o.MaxLen = true, 0, 0 })},
		{name: "version", args: []string{"-v"}, want: def(func(o *bgpq4.Options) { o.Version, o.Gen, o.MaxLen = true, 0, 0 })},
		{name: "bgpq4 FATAL", args: []string{"-J", "-A", "AS1"}, exit: 255, err: "aggregation (-A) does not work"},
		{name: "unknown option", args: []string{"-3", "AS1"}, exit: 1, err: "invalid option -- '3'"},
		{name: "missing argument", args: []string{"AS1", "-l"}, exit: 1, err: "requires an argument -- 'l'"},
		{name: "no objects", args: []string{"-J"}, exit: 1, err: "no objects"},
	})
}

func TestReportFlags(t *testing.T) {
	testSeam(t, func(runF func(context.Context, *reportOptions) error) *cobra.Command {
		return newCmdReport(seamFactory(), runF)
	}, []seamTest[reportOptions]{
		{name: "defaults", args: []string{"p.yaml"}, want: reportOptions{policy: "p.yaml", parallel: 8, keep: report.DefaultKeep}},
		{name: "all", args: []string{"p.yaml", "-o", "out", "--json", "--peer", "A", "--peer", "B", "--parallel", "2", "--keep-reports", "5"},
			want: reportOptions{policy: "p.yaml", outDir: "out", json: true, peers: []string{"A", "B"}, parallel: 2, keep: 5}},
		{name: "keep all", args: []string{"--keep-reports=0", "p.yaml"}, want: reportOptions{policy: "p.yaml", parallel: 8}},
		{name: "negative keep", args: []string{"p.yaml", "--keep-reports", "-1"}, exit: ExitUsage, err: "must not be negative"},
		{name: "keep not a number", args: []string{"p.yaml", "--keep-reports", "many"}, exit: ExitUsage, err: "invalid argument"},
		{name: "unknown flag", args: []string{"p.yaml", "--keep"}, exit: ExitUsage, err: "unknown flag: --keep"},
		{name: "no policy", args: []string{"-o", "out"}, exit: ExitUsage, err: "takes 1 argument"},
		{name: "two policies", args: []string{"a.yaml", "b.yaml"}, exit: ExitUsage, err: "takes 1 argument"},
	})
}

func TestOnboardFlags(t *testing.T) {
	testSeam(t, func(runF func(context.Context, *onboardOptions) error) *cobra.Command {
		return newCmdOnboard(seamFactory(), runF)
	}, []seamTest[onboardOptions]{
		{name: "defaults", args: []string{"p.yaml", "AS64500"}, want: onboardOptions{policy: "p.yaml", asn: 64500}},
		{name: "plain number, asdot, all flags", args: []string{"p.yaml", "1.10", "--ix", "4242", "--role", string(filtergen.RoleRSClient), "--write"},
			want: onboardOptions{policy: "p.yaml", asn: 65546, ixID: 4242, role: string(filtergen.RoleRSClient), write: true}},
		{name: "not an ASN", args: []string{"p.yaml", "AS-FOO"}, exit: ExitUsage, err: "not an AS number"},
		{name: "AS0", args: []string{"p.yaml", "AS0"}, exit: ExitUsage, err: "not an AS number"},
		{name: "unknown role", args: []string{"p.yaml", "AS1", "--role", "friend"}, exit: ExitUsage, err: "unknown role"},
		{name: "ix not a number", args: []string{"p.yaml", "AS1", "--ix", "DE-CIX"}, exit: ExitUsage, err: "invalid argument"},
		{name: "no ASN", args: []string{"p.yaml"}, exit: ExitUsage, err: "takes 2 argument"},
	})
}

func TestIXFExportFlags(t *testing.T) {
	testSeam(t, func(runF func(context.Context, *ixfExportOptions) error) *cobra.Command {
		return newCmdIXFExport(seamFactory(), runF)
	}, []seamTest[ixfExportOptions]{
		{name: "stdout", args: []string{"p.yaml"}, want: ixfExportOptions{policy: "p.yaml"}},
		{name: "file", args: []string{"-o", "m.json", "p.yaml"}, want: ixfExportOptions{policy: "p.yaml", output: "m.json"}},
		{name: "long flag", args: []string{"p.yaml", "--output=m.json"}, want: ixfExportOptions{policy: "p.yaml", output: "m.json"}},
		{name: "missing value", args: []string{"p.yaml", "-o"}, exit: ExitUsage, err: "needs an argument"},
		{name: "unknown flag", args: []string{"p.yaml", "--json"}, exit: ExitUsage, err: "unknown flag: --json"},
		{name: "no policy", args: nil, exit: ExitUsage, err: "takes 1 argument"},
	})
}

// Command lines the older seams refuse before running anything: bad
// values, missing arguments, combinations that parse but make no sense.
func TestSeamsRefuse(t *testing.T) {
	f := seamFactory()
	t.Run("compile", func(t *testing.T) {
		testSeam(t, func(runF func(context.Context, *compileOptions) error) *cobra.Command { return newCmdCompile(f, runF) }, []seamTest[compileOptions]{
			{name: "check and diff", args: []string{"p.yaml", "--check", "--diff"}, exit: ExitUsage, err: "--check and --diff are exclusive"},
			{name: "negative timeout", args: []string{"p.yaml", "--irr-timeout=-1s"}, exit: ExitUsage, err: "must not be negative"},
			{name: "timeout not a duration", args: []string{"p.yaml", "--timeout", "soon"}, exit: ExitUsage, err: "invalid argument"},
			{name: "parallel not a number", args: []string{"p.yaml", "--parallel", "x"}, exit: ExitUsage, err: "invalid argument"},
			{name: "router without a name", args: []string{"p.yaml", "--router"}, exit: ExitUsage, err: "needs an argument"},
			{name: "no policy", args: []string{"-o", "out"}, exit: ExitUsage, err: "takes 1 argument"},
		})
	})
	t.Run("explain", func(t *testing.T) {
		testSeam(t, func(runF func(context.Context, *explainOptions) error) *cobra.Command { return newCmdExplain(f, runF) }, []seamTest[explainOptions]{
			{name: "prefix length", args: []string{"p.yaml", "A", "192.0.2.0/33"}, exit: ExitUsage, err: "is not a prefix"},
			{name: "no prefix", args: []string{"p.yaml", "A"}, exit: ExitUsage, err: "takes 3 argument"},
			{name: "unknown flag", args: []string{"p.yaml", "A", "192.0.2.0/24", "--peer", "B"}, exit: ExitUsage, err: "unknown flag: --peer"},
		})
	})
	t.Run("expand", func(t *testing.T) {
		build := func(runF func(context.Context, *expandOptions) error) *cobra.Command {
			return newCmdExpand(f, func(cmd *cobra.Command, o *expandOptions) error { return runF(cmd.Context(), o) })
		}
		testSeam(t, build, []seamTest[expandOptions]{
			{name: "sources and strict", args: []string{"--registry", "a.db", "--sources", "RIPE,RADB", "--strict", "--json", "AS-X"},
				want: expandOptions{registries: []string{"a.db"}, sources: "RIPE,RADB", strict: true, json: true, objects: []string{"AS-X"}}},
			{name: "no registry", args: []string{"AS-X"}, exit: ExitUsage, err: "--registry is required"},
			{name: "both families", args: []string{"--registry", "a.db", "-4", "-6", "AS-X"}, exit: ExitUsage, err: "-4 and -6 are exclusive"},
			{name: "depth not a number", args: []string{"--registry", "a.db", "-L", "deep", "AS-X"}, exit: ExitUsage, err: "invalid argument"},
			{name: "no object", args: []string{"--registry", "a.db"}, exit: ExitUsage, err: "takes at least 1 argument"},
		})
	})
	t.Run("serve", func(t *testing.T) {
		testSeam(t, func(runF func(context.Context, *serveOptions) error) *cobra.Command { return newCmdServe(f, runF) }, []seamTest[serveOptions]{
			{name: "idle not a duration", args: []string{"--idle-timeout", "5", "x.db"}, exit: ExitUsage, err: "invalid argument"},
			{name: "guard not a number", args: []string{"--reload-shrink-guard", "half", "x.db"}, exit: ExitUsage, err: "invalid argument"},
			{name: "no file", args: []string{"--listen", "127.0.0.1:0"}, exit: ExitUsage, err: "takes at least 1 argument"},
		})
	})
	t.Run("templates", func(t *testing.T) {
		build := func(runF func(context.Context, *templatesOptions) error) *cobra.Command {
			return newCmdTemplates(f, func(o *templatesOptions) error { return runF(context.Background(), o) })
		}
		testSeam(t, build, []seamTest[templatesOptions]{
			{name: "list", args: nil, want: templatesOptions{}},
			{name: "an argument", args: []string{"dir"}, exit: ExitUsage, err: "takes 0 argument"},
			{name: "write without a directory", args: []string{"--write"}, exit: ExitUsage, err: "needs an argument"},
		})
	})
}
