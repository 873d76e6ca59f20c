package lab

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// nsPrefix starts the name of every namespace the lab creates, followed
// by the creating process's pid, so that a later run can remove what a
// killed run left behind.
const nsPrefix = "fglab-"

// A Lab is a set of network namespaces, links and processes that belong
// to one test; t.Cleanup removes them all, in reverse order, whether the
// test passed, failed, timed out (the test binary panics) or panicked.
type Lab struct {
	t   testing.TB
	dir string

	mu       sync.Mutex
	seq      int
	cleanups []func()
}

// Require skips t, saying why, unless the lab can run here: root, and
// the commands given (plus ip and sysctl) installed.
func Require(t testing.TB, cmds ...string) {
	t.Helper()
	if testing.Short() {
		t.Skip("interop lab: skipped in -short mode")
	}
	if os.Geteuid() != 0 {
		t.Skip("interop lab: needs root for network namespaces (CI runs as root)")
	}
	for _, c := range append([]string{"ip", "sysctl"}, cmds...) {
		if _, err := exec.LookPath(c); err != nil {
			t.Skipf("interop lab: %s is not installed (make deps installs it)", c)
		}
	}
}

// New returns an empty lab whose resources are removed when t ends.
// It first removes what killed earlier runs left behind.
func New(t testing.TB) *Lab {
	t.Helper()
	Require(t)
	sweep(t)
	l := &Lab{t: t, dir: t.TempDir()}
	t.Cleanup(l.close)
	return l
}

// Dir is a scratch directory removed with the lab.
func (l *Lab) Dir() string { return l.dir }

func (l *Lab) addCleanup(f func()) {
	l.mu.Lock()
	l.cleanups = append(l.cleanups, f)
	l.mu.Unlock()
}

func (l *Lab) close() {
	l.mu.Lock()
	cs := l.cleanups
	l.cleanups = nil
	l.mu.Unlock()
	for i := len(cs) - 1; i >= 0; i-- {
		cs[i]()
	}
}

// Netns creates a namespace with loopback up, IPv6 duplicate address
// detection off (addresses are usable at once) and reverse-path
// filtering off (only the rendered nftables may drop packets).
func (l *Lab) Netns(role string) (string, error) {
	l.mu.Lock()
	l.seq++
	name := fmt.Sprintf("%s%d-%d-%s", nsPrefix, os.Getpid(), l.seq, role)
	l.mu.Unlock()
	if err := run("ip", "netns", "add", name); err != nil {
		return "", err
	}
	l.addCleanup(func() { deleteNetns(name) })
	if err := run("ip", "-n", name, "link", "set", "lo", "up"); err != nil {
		return "", err
	}
	if err := run("ip", "netns", "exec", name, "sysctl", "-q", "-w",
		"net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0",
		"net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0",
		"net.ipv6.conf.all.forwarding=1", "net.ipv4.ip_forward=1"); err != nil {
		return "", err
	}
	return name, nil
}

// Veth joins namespaces a and b with a veth pair named ifa in a and ifb
// in b, both up.
func (l *Lab) Veth(a, ifa, b, ifb string) error {
	if err := run("ip", "-n", a, "link", "add", ifa, "type", "veth", "peer", "name", ifb, "netns", b); err != nil {
		return err
	}
	if err := run("ip", "-n", a, "link", "set", ifa, "up"); err != nil {
		return err
	}
	return run("ip", "-n", b, "link", "set", ifb, "up")
}

// IP runs "ip -n ns ARGS...".
func (l *Lab) IP(ns string, args ...string) error {
	return run("ip", append([]string{"-n", ns}, args...)...)
}

// Batch runs many ip commands in one "ip -n ns -batch -".
func (l *Lab) Batch(ns string, lines []string) error {
	if len(lines) == 0 {
		return nil
	}
	cmd := exec.Command("ip", "-n", ns, "-batch", "-")
	cmd.Stdin = strings.NewReader(strings.Join(lines, "\n") + "\n")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip -n %s -batch: %v: %s", ns, err, out)
	}
	return nil
}

// Exec runs a command inside ns and returns its output.
func (l *Lab) Exec(ns string, name string, args ...string) ([]byte, error) {
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns, name}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := runBounded(cmd, 30*time.Second); err != nil {
		return out.Bytes(), fmt.Errorf("%s %s (netns %s): %v: %s", name, strings.Join(args, " "), ns, err, errb.Bytes())
	}
	return out.Bytes(), nil
}

// Start starts a long-running daemon inside ns; it is killed with the
// lab, and with the test process if that dies first.
func (l *Lab) Start(ns, dir string, logf *os.File, name string, args ...string) (*exec.Cmd, error) {
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns, name}, args...)...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	l.addCleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	})
	return cmd, nil
}

func run(name string, args ...string) error {
	cmd := exec.Command(name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := runBounded(cmd, 30*time.Second); err != nil {
		return fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, bytes.TrimSpace(out.Bytes()))
	}
	return nil
}

func runBounded(cmd *exec.Cmd, d time.Duration) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		cmd.Process.Kill()
		<-done
		return fmt.Errorf("timed out after %s", d)
	}
}

// deleteNetns kills what still runs in a namespace, then deletes it.
func deleteNetns(name string) {
	if out, err := exec.Command("ip", "netns", "pids", name).Output(); err == nil {
		for _, f := range strings.Fields(string(out)) {
			if pid, err := strconv.Atoi(f); err == nil {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	}
	exec.Command("ip", "netns", "del", name).Run()
}

// sweep deletes namespaces of earlier lab runs whose process is gone.
func sweep(t testing.TB) {
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || !strings.HasPrefix(f[0], nsPrefix) {
			continue
		}
		pidStr, _, _ := strings.Cut(strings.TrimPrefix(f[0], nsPrefix), "-")
		pid, err := strconv.Atoi(pidStr)
		if err != nil || pid == os.Getpid() {
			continue
		}
		if syscall.Kill(pid, 0) == nil {
			continue // a lab still running (another package's tests)
		}
		t.Logf("interop lab: removing namespace %s left by an earlier run", f[0])
		deleteNetns(f[0])
	}
}
