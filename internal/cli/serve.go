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
	listen   string
	noA      bool
	sources  string
	strict   bool
	maxConns int
	idle     time.Duration
	files    []string

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
	fl.IntVar(&opts.maxConns, "max-conns", 0, "concurrent connections served (default 256); more wait their turn")
	fl.DurationVar(&opts.idle, "idle-timeout", 0, "close connections idle this long (default 30s; clients may raise it with !t)")
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
	start := time.Now()
	reg, err := loadRegistry(ctx, log, opts)
	if err != nil {
		return err
	}
	st := reg.Stats()
	log.Info("loaded", "files", len(opts.files), "sources", strings.Join(reg.Sources(), ","),
		"stats", fmt.Sprintf("%+v", st), "took", time.Since(start).Round(time.Millisecond))

	srv := irr.NewServer(reg)
	srv.DefaultSources = splitSources(opts.sources)
	srv.NoA = opts.noA
	srv.Logger = log
	srv.Limits.MaxConns = opts.maxConns
	srv.Limits.IdleTimeout = opts.idle

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
			if err != nil {
				if ctx.Err() == nil {
					log.Error("reload failed; still serving the previous data", "err", err)
				}
				continue
			}
			srv.SetBackend(next)
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
