// Package validate runs the configuration parsers of the open-source
// routing daemons filtergen renders for, as installed on a Debian host
// (vendors.md §6): FRR's vtysh -C and bgpd -C, OpenBGPD's bgpd -n and
// nftables' nft -c. Tests of the templates, the CLI and the interop lab
// share it, so that a refused line is detected the same way everywhere.
//
// Nothing here sends traffic: FRR's RPKI module opens an RTR connection
// during its dry run, so FRR rewrites every "rpki cache" address to
// 127.0.0.1 before the check.
package validate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// ErrNotInstalled reports a parser that is not on this host.
var ErrNotInstalled = errors.New("validate: not installed")

// Tool finds a command on PATH or at one of the paths Debian installs it.
func Tool(name string, alt ...string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, a := range alt {
		if _, err := os.Stat(a); err == nil {
			return a, nil
		}
	}
	return "", fmt.Errorf("%w: %s", ErrNotInstalled, name)
}

// frrFailure matches what FRR's bgpd -C prints for a line it refused; it
// exits 0 regardless (vendors.md §6).
var frrFailure = regexp.MustCompile(`EC 100663304|No such command|Config Failed|not allowed|Unsatisfied length|Unknown command`)

var rpkiCache = regexp.MustCompile(`(?m)^( rpki cache (?:tcp )?)\S+`)

// FRRModules is where Debian's FRR keeps bgpd's loadable modules.
const FRRModules = "/usr/lib/x86_64-linux-gnu/frr/modules"

// FRR checks an integrated FRR configuration (frr.conf) with vtysh -C
// and bgpd -C and returns the lines they refused, none when both accept
// it. bgpd drops privileges to the frr user, so the files go into a
// world-readable directory of their own in os.TempDir, removed after.
func FRR(ctx context.Context, conf string) ([]string, error) {
	vtysh, err := Tool("vtysh", "/usr/bin/vtysh")
	if err != nil {
		return nil, err
	}
	bgpd, err := Tool("frr-bgpd", "/usr/lib/frr/bgpd")
	if err != nil {
		return nil, err
	}
	conf = rpkiCache.ReplaceAllString(conf, "${1}127.0.0.1")
	d, err := os.MkdirTemp("", "filtergen-frr")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(d)
	if err := os.Chmod(d, 0o755); err != nil {
		return nil, err
	}
	write := func(name, data string) (string, error) {
		f := filepath.Join(d, name)
		return f, os.WriteFile(f, []byte(data), 0o644)
	}
	file, err := write("frr.conf", conf)
	if err != nil {
		return nil, err
	}
	var problems []string
	if out, err := exec.CommandContext(ctx, vtysh, "-C", "-f", file).CombinedOutput(); err != nil {
		problems = append(problems, "vtysh -C: "+err.Error()+": "+strings.TrimSpace(string(out)))
	}
	// bgpd reads the lines that need the RPKI module (the rpki block and
	// the "match rpki" lines) in a file of their own, with the module,
	// and everything else without it.
	var plain, rpki strings.Builder
	inBlock := false
	for _, l := range strings.SplitAfter(conf, "\n") {
		switch {
		case l == "rpki\n":
			inBlock = true
			rpki.WriteString(l)
		case inBlock:
			rpki.WriteString(l)
			inBlock = l != "exit\n"
		case strings.HasPrefix(l, " match rpki "):
			fmt.Fprintf(&rpki, "route-map FG_RPKI_CHECK deny %d\n%sexit\n", strings.Count(rpki.String(), "route-map")+1, l)
		default:
			plain.WriteString(l)
		}
	}
	run := func(name, conf string, args ...string) error {
		f, err := write(name, conf)
		if err != nil {
			return err
		}
		out, _ := exec.CommandContext(ctx, bgpd, append(args, "-C", "-Z", "-f", f)...).CombinedOutput()
		for _, l := range strings.Split(string(out), "\n") {
			if frrFailure.MatchString(l) {
				problems = append(problems, "bgpd -C: "+l)
			}
		}
		return nil
	}
	if err := run("plain.conf", plain.String()); err != nil {
		return nil, err
	}
	if rpki.Len() > 0 {
		if _, err := os.Stat(filepath.Join(FRRModules, "bgpd_rpki.so")); err != nil {
			return nil, fmt.Errorf("%w: FRR's RPKI module (Debian package frr-rpki-rtrlib)", ErrNotInstalled)
		}
		if err := run("rpki.conf", rpki.String(), "-M", "rpki"); err != nil {
			return nil, err
		}
	}
	return problems, ctx.Err()
}

// OpenBGPD runs bgpd -n -f file in dir (include paths are relative to
// it) and returns bgpd's complaint, "" when it says "configuration OK".
func OpenBGPD(ctx context.Context, dir, file string) (string, error) {
	bgpd, err := Tool("bgpd", "/usr/sbin/bgpd")
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, bgpd, "-n", "-f", file)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err == nil && strings.Contains(string(out), "configuration OK") {
		return "", nil
	}
	if msg := strings.TrimSpace(string(out)); msg != "" {
		return msg, nil
	}
	return "", fmt.Errorf("bgpd -n: %v", err)
}

// Nft runs nft -c -f file and returns nft's complaint, "" when it
// accepts the file.
func Nft(ctx context.Context, file string) (string, error) {
	nft, err := Tool("nft", "/usr/sbin/nft")
	if err != nil {
		return "", err
	}
	out, err := exec.CommandContext(ctx, nft, "-c", "-f", file).CombinedOutput()
	if err != nil {
		if strings.Contains(string(out), "Operation not permitted") {
			return "", fmt.Errorf("%w: nft -c needs CAP_NET_ADMIN here", ErrNotInstalled)
		}
		return strings.TrimSpace(string(out)), nil
	}
	return "", nil
}
