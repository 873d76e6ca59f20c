package cli

import (
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(cleanupM{m}, map[string]func(){
		"filtergen": func() { os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// cleanupM removes what the tests shared (the built binary) after they ran.
type cleanupM struct{ m *testing.M }

func (c cleanupM) Run() int {
	code := c.m.Run()
	if builtDir != "" {
		os.RemoveAll(builtDir)
	}
	return code
}

// TestScripts runs the command-line scripts in testdata/script: each is a
// txtar archive with its own data, run offline. The repository's
// examples directory is copied into each script's $WORK, so that a script
// runs the README's commands as they are written.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			return copyTree("../../examples", filepath.Join(env.WorkDir, "examples"))
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// freeport VAR sets $VAR to a free TCP port on 127.0.0.1.
			"freeport": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: freeport VAR")
				}
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					ts.Fatalf("%v", err)
				}
				ts.Setenv(args[0], fmt.Sprint(ln.Addr().(*net.TCPAddr).Port))
				ln.Close()
			},
			// waitport HOST:PORT waits up to 10 s for a listener.
			"waitport": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: waitport HOST:PORT")
				}
				deadline := time.Now().Add(10 * time.Second)
				for {
					c, err := net.DialTimeout("tcp", args[0], time.Second)
					if err == nil {
						c.Close()
						return
					}
					if time.Now().After(deadline) {
						ts.Fatalf("nothing listens on %s: %v", args[0], err)
					}
					time.Sleep(50 * time.Millisecond)
				}
			},
		},
	})
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}
