package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// demoRPSL is the shared bgpq4 demo registry, read in place.
func demoRPSL(t *testing.T) string {
	t.Helper()
	file := filepath.Join(sharedDir, "testdata", "demo", "bgpq4-demo.rpsl")
	if _, err := os.Stat(file); err != nil {
		t.Skipf("shared demo data not available: %v", err)
	}
	return file
}

// lookTool finds a validator on PATH or in the sbin/lib directory Debian
// puts it in, or skips the test.
func lookTool(t *testing.T, name string, alt ...string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, a := range alt {
		if _, err := os.Stat(a); err == nil {
			return a
		}
	}
	t.Skipf("%s not installed (make deps installs it)", name)
	return ""
}

// bgpq4Out runs 'filtergen bgpq4 --registry FILE ARGS...' and returns
// stdout.
func bgpq4Out(t *testing.T, registry string, args ...string) string {
	t.Helper()
	out, stderr, code := runFiltergen(append([]string{"--registry", registry}, args...))
	if code != 0 || out == "" {
		t.Fatalf("filtergen bgpq4 %s: exit %d, stdout %q: %s", strings.Join(args, " "), code, out, stderr)
	}
	return out
}

// TestBgpq4OpenBGPDValidates places every form of 'filtergen bgpq4 -B'
// output in a minimal bgpd.conf, as an operator would, and requires
// 'bgpd -n -f' to accept it (vendors.md §3.10, §6).
func TestBgpq4OpenBGPDValidates(t *testing.T) {
	bgpd := lookTool(t, "bgpd", "/usr/sbin/bgpd")
	demo := demoRPSL(t)
	const global = "AS 64496\nrouter-id 198.18.0.0\n"
	tests := []struct {
		name string
		args []string
		conf func(out string) string // the bgpd.conf around the output
	}{
		// -l NAME prints a macro: NAME="prefix { … }".
		{"macro v4", []string{"-B", "-l", "PL4", "AS-DEMO"}, func(o string) string { return o + global + "allow from any $PL4\n" }},
		{"macro v6", []string{"-B", "-6", "-l", "PL6", "AS-DEMO"}, func(o string) string { return o + global + "allow from any $PL6\n" }},
		{"macro v4 aggregated", []string{"-B", "-A", "-l", "PL4A", "AS-DEMO"}, func(o string) string { return o + global + "allow from any $PL4A\n" }},
		{"macro v6 aggregated, -R 48", []string{"-B", "-6", "-A", "-R", "48", "-l", "PL6A", "AS-DEMO"}, func(o string) string { return o + global + "allow from any $PL6A\n" }},
		{"macro route-set -R 26", []string{"-B", "-A", "-R", "26", "-l", "RS", "RS-DEMO"}, func(o string) string { return o + global + "allow from any $RS\n" }},
		// Without -l the list has no name; it is a macro body.
		{"unnamed list in a macro", []string{"-B", "AS-DEMO"}, func(o string) string {
			return "PL=\"" + strings.TrimSuffix(o, "\n") + "\"\n" + global + "allow from any $PL\n"
		}},
		{"prefix-set (-E)", []string{"-B", "-E", "-l", "PS", "AS-DEMO"}, func(o string) string { return global + o + "allow from any prefix-set PS\n" }},
		{"prefix-set v6 (-E)", []string{"-B", "-E", "-6", "-l", "PS6", "AS-DEMO"}, func(o string) string { return global + o + "allow from any prefix-set PS6\n" }},
		{"as-set (-t)", []string{"-B", "-t", "-l", "ORIGINS", "AS-DEMO"}, func(o string) string { return global + o + "allow from any source-as as-set ORIGINS\n" }},
		{"as-path rules (-f)", []string{"-B", "-f", "100", "AS-DEMO"}, func(o string) string { return global + o }},
		{"as-path rules out (-G)", []string{"-B", "-G", "100", "AS-DEMO"}, func(o string) string { return global + o }},
		{"empty list with -a", []string{"-B", "-a", "100", "-l", "PLE", "AS-NOROUTES"}, func(o string) string { return global + o }},
	}
	dir := t.TempDir()
	check := func(t *testing.T, conf string) (bool, string) {
		file := filepath.Join(dir, "bgpd.conf")
		if err := os.WriteFile(file, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		b, err := exec.Command(bgpd, "-n", "-f", file).CombinedOutput()
		return err == nil && strings.Contains(string(b), "configuration OK"), string(b)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conf := tt.conf(bgpq4Out(t, demo, tt.args...))
			if ok, msg := check(t, conf); !ok {
				t.Errorf("bgpd -n rejects it: %s\n%s", msg, conf)
			}
		})
	}
	// The check can fail: a prefix length out of range is refused.
	t.Run("control", func(t *testing.T) {
		conf := tests[0].conf(bgpq4Out(t, demo, tests[0].args...))
		bad := regexp.MustCompile(`(?m)^(\t44\.0\.0\.0)/8$`).ReplaceAllString(conf, "$1/8 prefixlen 8 - 33")
		if bad == conf {
			t.Fatal("control: nothing replaced")
		}
		if ok, _ := check(t, bad); ok {
			t.Errorf("bgpd -n accepted prefixlen 8 - 33")
		}
	})
	// As with bgpq4 1.9, an empty list without -a is "prefix { }", which
	// bgpd refuses: the operator's config does not load rather than
	// allowing everything.
	t.Run("empty list without -a is refused", func(t *testing.T) {
		o := bgpq4Out(t, demo, "-B", "-l", "PLE", "AS-NOROUTES")
		if ok, _ := check(t, o+global+"allow from any $PLE\n"); ok {
			t.Errorf("bgpd -n accepted an empty prefix list")
		}
	})
}

// frrFailure matches what FRR's bgpd -C prints for a line it refused; it
// exits 0 regardless (vendors.md §6).
var frrFailure = regexp.MustCompile(`EC 100663304|No such command|Config Failed|not allowed|Unsatisfied length`)

// TestBgpq4FRRValidates loads 'filtergen bgpq4' Cisco-style prefix-lists
// (the default format) into FRR's parser offline: 'vtysh -C -f' for
// syntax and 'bgpd -C -f' for what vtysh misses (vendors.md §3.9, §6).
// bgpq4's Cisco as-path lists (-f) are not FRR syntax (FRR wants
// "bgp as-path access-list") and are not checked here.
func TestBgpq4FRRValidates(t *testing.T) {
	vtysh := lookTool(t, "vtysh", "/usr/bin/vtysh")
	frrBGPd := lookTool(t, "frr-bgpd", "/usr/lib/frr/bgpd")
	demo := demoRPSL(t)
	// FRR's bgpd drops privileges to the frr user before it reads the
	// file, so the directory must be readable by others (t.TempDir is
	// 0700 under a 0700 parent).
	dir, err := os.MkdirTemp("", "filtergen-frr-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	check := func(t *testing.T, body string) []string {
		file := filepath.Join(dir, "frr.conf")
		if err := os.WriteFile(file, []byte("frr defaults traditional\nhostname fg-test\n!\n"+body), 0o644); err != nil {
			t.Fatal(err)
		}
		var fails []string
		if b, err := exec.Command(vtysh, "-C", "-f", file).CombinedOutput(); err != nil {
			fails = append(fails, "vtysh -C: "+err.Error()+": "+string(b))
		}
		b, err := exec.Command(frrBGPd, "-C", "-f", file).CombinedOutput()
		if strings.Contains(string(b), "failed to open configuration file") {
			t.Fatalf("bgpd -C could not read the file, so it checked nothing: %s", b)
		}
		if err != nil || frrFailure.Match(b) {
			fails = append(fails, "bgpd -C: "+string(b))
		}
		return fails
	}
	for _, args := range [][]string{
		{"-4", "AS-DEMO"},
		{"-6", "AS-DEMO"},
		{"AS-DEMO"}, // IPv4 is the default
		{"-4", "-A", "-l", "PL_DEMO_V4", "AS-DEMO"},
		{"-6", "-A", "-R", "48", "-l", "PL_DEMO_V6", "AS-DEMO"},
		{"-4", "-A", "-R", "26", "RS-DEMO"},
		{"-4", "AS-NOROUTES"}, // empty: a deny-all entry
		{"-6", "AS-NOROUTES"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			out := bgpq4Out(t, demo, args...)
			if !strings.Contains(out, "prefix-list") {
				t.Fatalf("no prefix-list in the output:\n%s", out)
			}
			for _, f := range check(t, out) {
				t.Errorf("%s\n%s", f, out)
			}
		})
	}
	t.Run("control", func(t *testing.T) {
		out := bgpq4Out(t, demo, "-4", "AS-DEMO")
		bad := strings.Replace(out, "permit 44.0.0.0/8\n", "permit 44.0.0.0/8 ge 33\n", 1)
		if bad == out {
			t.Fatal("control: nothing replaced")
		}
		if fails := check(t, bad); len(fails) != 2 {
			t.Errorf("an invalid entry was not refused by both checks: %q", fails)
		}
	})
}
