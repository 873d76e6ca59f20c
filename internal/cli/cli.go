// Package cli implements the filtergen command line: one cobra command per
// subcommand, one function that maps errors to exit codes, and the only
// place in the project that touches os.Args, the environment and os.Exit.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/filtergen/filtergen/filtergen"
)

// Exit codes. New codes may be added; callers must treat any unknown
// non-zero code as failure.
const (
	ExitOK          = 0   // success; with --check/--diff: nothing would change
	ExitFailure     = 1   // bad input, missing data, server or cache down, stale data; nothing written
	ExitUsage       = 2   // unknown flag, missing argument
	ExitChanged     = 3   // --check/--diff: output would change
	ExitInterrupted = 130 // SIGINT or SIGTERM
)

const exitCodeHelp = `Exit codes:
  0    success (with --check or --diff: nothing would change)
  1    failure: bad input, missing data, server or cache down, stale data;
       nothing was written
  2    usage error: unknown flag, missing argument
  3    --check or --diff: the output would change
  130  interrupted
New codes may be added; treat any unknown non-zero code as failure.
`

// usageError marks an error as a command-line usage problem (exit 2).
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// exitError carries an explicit exit code with an optional message.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

// errChanged is returned by --check and --diff when the output would change.
var errChanged = &exitError{code: ExitChanged}

// exitCode maps an error returned by a command to the process exit code.
func exitCode(err error) int {
	var ue *usageError
	var ee *exitError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ue):
		return ExitUsage
	case errors.Is(err, context.Canceled):
		return ExitInterrupted
	default:
		return ExitFailure
	}
}

// streams are the standard streams a command reads and writes.
type streams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
}

// factory carries what every command needs; tests build their own.
type factory struct {
	streams
	Getenv func(string) string
	Logger *slog.Logger
	// IsTerminal reports whether ErrOut is a terminal (for progress).
	IsTerminal bool
	// Quiet is set by --quiet.
	Quiet bool
	// Now returns the current time; nil means time.Now. Tests set it
	// so that reports have stable times.
	Now func() time.Time
}

// showProgress reports whether a command may draw a progress line on
// stderr: only on a terminal, and never with --quiet or when the command
// prints JSON (style §8).
func (f *factory) showProgress(json bool) bool {
	return f.IsTerminal && !f.Quiet && !json
}

// jsonFlagSet reports whether cmd has a --json flag and it is set. When
// flag parsing stopped early (an unknown flag before --json), the flag is
// not set yet, so args are searched for it too.
func jsonFlagSet(cmd *cobra.Command, args []string) bool {
	if cmd == nil {
		return false
	}
	fl := cmd.Flags().Lookup("json")
	if fl == nil || fl.Value.Type() != "bool" {
		return false
	}
	if fl.Value.String() == "true" {
		return true
	}
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "--json" || a == "--json=true" {
			return true
		}
	}
	return false
}

// jsonError is how an error is reported on stderr when the command was
// given --json: one JSON object, as restic's printExitError does.
type jsonError struct {
	Error string `json:"error"`
	Exit  int    `json:"exit"`
	// FailedPeers names the peers that failed, for compile.
	FailedPeers []string `json:"failed_peers,omitempty"`
}

// commands lists the constructors of the subcommands in the order help
// shows them. Each subcommand lives in its own file.
//
// Each constructor of a command that does work takes a runF seam, as
// cli/cli's commands do: nil runs the command; a test passes its own to
// check flag parsing alone (flags_test.go). "policy" and "rpki" only
// group their subcommands, which take the seam; --version is the root's.
var commands = []func(*factory) *cobra.Command{
	func(f *factory) *cobra.Command { return newCmdExpand(f, nil) },
	func(f *factory) *cobra.Command { return newCmdBgpq4(f, nil) },
	func(f *factory) *cobra.Command { return newCmdCompile(f, nil) },
	func(f *factory) *cobra.Command { return newCmdExplain(f, nil) },
	func(f *factory) *cobra.Command { return newCmdReport(f, nil) },
	func(f *factory) *cobra.Command { return newCmdOnboard(f, nil) },
	func(f *factory) *cobra.Command { return newCmdIXFExport(f, nil) },
	func(f *factory) *cobra.Command { return newCmdTemplates(f, nil) },
	newCmdRPKI,
	func(f *factory) *cobra.Command { return newCmdServe(f, nil) },
	newCmdPolicy,
}

// Main runs the command line and returns the exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	f := &factory{
		streams: streams{In: stdin, Out: stdout, ErrOut: stderr},
		Getenv:  os.Getenv,
	}
	f.IsTerminal = isTerminal(stderr)
	return run(ctx, f, args)
}

func run(ctx context.Context, f *factory, args []string) int {
	root := newRootCmd(f)
	root.SetArgs(args)
	root.SetIn(f.In)
	root.SetOut(f.Out)
	root.SetErr(f.ErrOut)
	cmd, err := root.ExecuteContextC(ctx)
	code := exitCode(err)
	if err != nil && !errors.Is(err, errChanged) {
		var ee *exitError
		silent := errors.As(err, &ee) && ee.err == nil
		switch {
		case silent:
		case jsonFlagSet(cmd, args):
			b, _ := json.Marshal(jsonError{Error: err.Error(), Exit: code, FailedPeers: filtergen.FailedPeers(err)})
			fmt.Fprintf(f.ErrOut, "%s\n", b)
		default:
			// A library message may already start with its package's
			// name (never "filtergen: filtergen: …"); error text may carry
			// an IRR server's F message or names from a registry: escaped,
			// but for its own line breaks.
			fmt.Fprintf(f.ErrOut, "filtergen: %s\n", termSafeLines(strings.TrimPrefix(err.Error(), "filtergen: ")))
			if code == ExitUsage {
				fmt.Fprintln(f.ErrOut, "Run 'filtergen --help' for usage.")
			}
		}
	}
	return code
}

func newRootCmd(f *factory) *cobra.Command {
	var verbose int
	var quiet bool
	var logFormat string
	root := &cobra.Command{
		Use:   "filtergen",
		Short: "Compile routing-registry and RPKI data into router filters",
		Long: `filtergen turns IRR (RPSL) and RPKI data into router configuration:
prefix filters, AS-path lists, max-prefix limits, uRPF and ingress ACLs.

Results go to stdout, everything else to stderr. A command given --json
prints one JSON document on stdout and, if it fails, one JSON object on
stderr: {"error": "...", "exit": N}. --quiet logs errors only and turns
off the progress line, which is shown only when stderr is a terminal and
never with --json.

` + exitCodeHelp,
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          cobra.ArbitraryArgs,
		Version:       versionString(),
		Example: `  # Compile a policy into router configuration in out/
  filtergen compile filtergen.yaml -o out

  # Why is a prefix accepted or not?
  filtergen explain filtergen.yaml ACME 193.0.0.0/21

  # The prefixes of an AS-SET from a registry dump
  filtergen expand --registry ripe.db -4 AS-EXAMPLE`,
		RunE: unknownSubcommand,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			f.Quiet = quiet
			lvl := slog.LevelWarn
			switch {
			case quiet:
				lvl = slog.LevelError
			case verbose == 1:
				lvl = slog.LevelInfo
			case verbose >= 2:
				lvl = slog.LevelDebug
			}
			opts := &slog.HandlerOptions{Level: lvl}
			switch logFormat {
			case "text":
				f.Logger = slog.New(slog.NewTextHandler(f.ErrOut, opts))
			case "json":
				f.Logger = slog.New(slog.NewJSONHandler(f.ErrOut, opts))
			default:
				return usagef("--log-format must be text or json, not %q", logFormat)
			}
			return nil
		},
	}
	root.PersistentFlags().CountVarP(&verbose, "verbose", "v", "log more (repeat for debug)")
	root.PersistentFlags().BoolVarP(&quiet, "quiet", "q", false, "log errors only, no progress")
	root.PersistentFlags().StringVar(&logFormat, "log-format", "text", "log format: text or json")
	root.SetFlagErrorFunc(flagError)
	for _, newCmd := range commands {
		root.AddCommand(newCmd(f))
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetVersionTemplate("{{.Version}}\n")
	return root
}

// flagError makes a flag cobra cannot parse (unknown, or a bad value) a
// usage error, exit 2. Subcommands inherit it from the root.
func flagError(_ *cobra.Command, err error) error {
	return &usageError{err}
}

// unknownSubcommand is the RunE of a command that only groups others:
// help without arguments, and a usage error with a suggestion ("did you
// mean") for a mistyped subcommand.
func unknownSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return cmd.Help()
	}
	msg := fmt.Sprintf("unknown command %q", args[0])
	if cmd.HasParent() {
		msg = fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	}
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2
	}
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += fmt.Sprintf("; did you mean %q?", s[0])
	}
	return usagef("%s", msg)
}

// exactArgs is cobra.ExactArgs with a usage exit code.
func argsRange(min, max int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < min || (max >= 0 && len(args) > max) {
			if max == min {
				return usagef("%s: takes %d argument(s), got %d", cmd.CommandPath(), min, len(args))
			}
			if max < 0 {
				return usagef("%s: takes at least %d argument(s), got %d", cmd.CommandPath(), min, len(args))
			}
			return usagef("%s: takes %d to %d arguments, got %d", cmd.CommandPath(), min, max, len(args))
		}
		return nil
	}
}
