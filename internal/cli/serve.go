package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/filtergen/filtergen/irr"
)

type serveOptions struct {
	listen      string
	noA         bool
	sources     string
	strict      bool
	maxConns    int
	idle        time.Duration
	files       []string
	shrink      float64
	perAddr     int
	answerBytes int64
	expansions  int

	// Set by tests: called once listening, and a reload trigger used
	// instead of SIGHUP.
	onListen func(net.Addr)
	reload   <-chan os.Signal
}

func newCmdServe(f *factory, runF func(context.Context, *serveOptions) error) *cobra.Command {
	opts := &serveOptions{}
	cmd := &cobra.Command{
		Example: `  # Serve a RIPE dump to bgpq4 and other IRR tools on 127.0.0.1:4343
  filtergen serve ripe.db.gz
  bgpq4 -h 127.0.0.1:4343 AS-EXAMPLE

  # Two dumps, RIPE's objects preferred, on another port
  filtergen serve --listen 127.0.0.1:4344 --sources RIPE,RADB ripe.db.gz radb.db.gz`,
		Use:   "serve [--listen ADDR] [--no-a] [--sources S1,S2] FILE...",
		Short: "Serve registry dumps over the IRRd protocol",
		Long: `Serve loads RPSL dumps (plain or gzip) and answers IRRd "!" queries about
them on TCP, so that bgpq4 and other IRR tools can use them as their IRR
source: bgpq4 -h 127.0.0.1:4343 AS-FOO.

SIGHUP reloads the files and swaps the data in atomically; a reload that
fails keeps the old data and logs why. SIGINT or SIGTERM stop the server
(exit 0). Use -v to log connections and reloads.`,
		Args: argsRange(1, -1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.files = args
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runServe(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.listen, "listen", "127.0.0.1:4343", "address to listen on")
	fl.BoolVar(&opts.noA, "no-a", false, "answer !a like a server without it (clients then use !i<set>,1 and !g)")
	fl.StringVar(&opts.sources, "sources", "", "default sources in priority order, comma-separated (default: all, in load order)")
	fl.BoolVar(&opts.strict, "strict", false, "fail on the first malformed object instead of skipping it")
	fl.IntVar(&opts.maxConns, "max-conns", 0, "concurrent connections served (default 256); a newcomer replaces the connection idle longest")
	fl.DurationVar(&opts.idle, "idle-timeout", 0, "close connections idle this long (default 30s; clients may raise it with !t)")
	fl.Float64Var(&opts.shrink, "reload-shrink-guard", defaultReloadShrink,
		"refuse a reload whose sets, aut-nums, IPv4 or IPv6 routes fall by more than this fraction (1 turns the guard off)")
	fl.IntVar(&opts.perAddr, "max-conns-per-addr", 0, "concurrent connections from one client address or IPv6 /64 (default half of --max-conns)")
	fl.Int64Var(&opts.answerBytes, "max-answer-bytes", 0, "memory for set answers (!a, !i,1) held at once, cached or being sent (default 256 MiB); more queries wait")
	fl.IntVar(&opts.expansions, "max-expansions", 0, "set expansions run at once (default 4); more queries wait")
	return cmd
}

// loadRegistry reads the dumps into a new registry and checks that the
// default sources exist in it.
func loadRegistry(ctx context.Context, log *slog.Logger, opts *serveOptions) (*irr.Registry, error) {
	b := irr.NewBuilder(irr.LoadOptions{Strict: opts.strict, Logger: log})
	for _, p := range opts.files {
		if err := b.ReadFile(ctx, p); err != nil {
			return nil, err
		}
	}
	reg, err := b.Build()
	if err != nil {
		return nil, err
	}
	if _, n := b.Problems(); n > 0 {
		log.Warn("skipped malformed objects", "count", n)
	}
	// Never serve (or swap in) an empty registry: to a client it would
	// look like sets without members, and filters would come out empty.
	if st := reg.Stats(); st.ASSets+st.RouteSets+st.AutNums+st.Routes4+st.Routes6 == 0 {
		return nil, fmt.Errorf("no objects loaded from %s", strings.Join(opts.files, ", "))
	}
	for _, s := range splitSources(opts.sources) {
		if !slices.Contains(reg.Sources(), s) {
			return nil, fmt.Errorf("source %s is not in the loaded data (have %s)", s, strings.Join(reg.Sources(), ","))
		}
	}
	return reg, nil
}

// defaultReloadShrink is the reload shrink guard: a day's real changes
// to a registry are well under 1%; a dump cut in half is not.
const defaultReloadShrink = 0.1

// checkShrink refuses next when it holds a fraction more than guard less
// than cur of some kind of object.
func checkShrink(cur, next irr.Stats, guard float64) error {
	if guard != guard || guard < 0 || guard > 1 { // NaN too
		return fmt.Errorf("--reload-shrink-guard %v: want a fraction from 0 to 1", guard)
	}
	if frac, what := cur.Shrink(next); frac > guard {
		return fmt.Errorf("reload refused: %s (%.0f%% less, more than the guard %.0f%%); the dump may be truncated. Restart the server to load it anyway, or raise --reload-shrink-guard",
			what, 100*frac, 100*guard)
	}
	return nil
}

func splitSources(s string) []string {
	var out []string
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.ToUpper(strings.TrimSpace(p)); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func runServe(ctx context.Context, f *factory, opts *serveOptions) error {
	log := f.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := checkShrink(irr.Stats{}, irr.Stats{}, opts.shrink); err != nil {
		return err
	}
	start := time.Now()
	reg, err := loadRegistry(ctx, log, opts)
	if err != nil {
		return err
	}
	st := reg.Stats()
	log.Info("loaded", "files", len(opts.files), "sources", strings.Join(reg.Sources(), ","),
		"stats", fmt.Sprintf("%+v", st), "took", time.Since(start).Round(time.Millisecond))

	cur := reg
	srv := irr.NewServer(reg)
	srv.DefaultSources = splitSources(opts.sources)
	srv.NoA = opts.noA
	srv.Logger = log
	srv.Limits.MaxConns = opts.maxConns
	srv.Limits.IdleTimeout = opts.idle
	srv.Limits.MaxConnsPerAddr = opts.perAddr
	srv.Limits.MaxAnswerBytes = opts.answerBytes
	srv.Limits.MaxExpansions = opts.expansions

	ln, err := net.Listen("tcp", opts.listen)
	if err != nil {
		return err
	}
	log.Info("serving", "addr", ln.Addr().String(), "no_a", opts.noA)
	if opts.onListen != nil {
		opts.onListen(ln.Addr())
	}

	hup := opts.reload
	if hup == nil {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGHUP)
		defer signal.Stop(ch)
		hup = ch
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
			}
			t := time.Now()
			next, err := loadRegistry(ctx, log, opts)
			if err == nil {
				err = checkShrink(cur.Stats(), next.Stats(), opts.shrink)
			}
			if err != nil {
				if ctx.Err() == nil {
					log.Error("reload failed; still serving the previous data", "err", err)
				}
				continue
			}
			srv.SetBackend(next)
			cur = next
			log.Info("reloaded", "stats", fmt.Sprintf("%+v", next.Stats()), "took", time.Since(t).Round(time.Millisecond))
		}
	}()
	err = srv.Serve(ctx, ln)
	cancel()
	wg.Wait()
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}
