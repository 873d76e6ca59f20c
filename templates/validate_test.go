package templates_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/templates"
)

// lookTool finds a validator on PATH or where Debian installs it, or
// skips the test.
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

// writeFiles writes rendered files under dir.
func writeFiles(t *testing.T, dir string, files []templates.File) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func render(t *testing.T, res *filtergen.Result) []templates.File {
	t.Helper()
	files, err := templates.Render(res, res.Routers[0], templates.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// frrConfig concatenates the router file and the peer files, as the
// header tells the operator to.
func frrConfig(files []templates.File) string {
	var b strings.Builder
	for _, f := range files {
		if strings.HasSuffix(f.Name, ".conf") {
			b.Write(f.Data)
		}
	}
	return b.String()
}

// frrFailure matches what FRR's bgpd -C prints for a line it refused; it
// exits 0 regardless (vendors.md §6).
var frrFailure = regexp.MustCompile(`EC 100663304|No such command|Config Failed|not allowed|Unsatisfied length|Unknown command|% `)

// checkFRR runs vtysh -C and bgpd -C on conf and returns what they
// refused ("" when both accept it).
func checkFRR(t *testing.T, conf string) string {
	t.Helper()
	vtysh := lookTool(t, "vtysh")
	bgpd := lookTool(t, "frr-bgpd", "/usr/lib/frr/bgpd")
	if _, err := os.Stat("/usr/lib/x86_64-linux-gnu/frr/modules/bgpd_rpki.so"); err != nil && strings.Contains(conf, "\nrpki\n") {
		t.Skip("FRR's RPKI module is not installed (Debian package frr-rpki-rtrlib; make deps installs it)")
	}
	// bgpd drops privileges to the frr user before it reads the file.
	dir := t.TempDir()
	for d := dir; d != filepath.Dir(d) && strings.HasPrefix(d, os.TempDir()); d = filepath.Dir(d) {
		os.Chmod(d, 0o755)
	}
	file := filepath.Join(dir, "frr.conf")
	if err := os.WriteFile(file, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	var problems []string
	out, err := exec.Command(vtysh, "-C", "-f", file).CombinedOutput()
	if err != nil {
		problems = append(problems, "vtysh -C: "+err.Error()+": "+string(out))
	}
	// bgpd with the RPKI module spends seconds in rtrlib, so it reads
	// only the lines that need the module (the rpki block and the
	// "match rpki" lines, in a file of their own); bgpd without it reads
	// everything else.
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
	run := func(conf string, args ...string) {
		f := filepath.Join(dir, "part.conf")
		if err := os.WriteFile(f, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		out, _ := exec.Command(bgpd, append(args, "-C", "-Z", "-f", f)...).CombinedOutput()
		for _, l := range strings.Split(string(out), "\n") {
			if frrFailure.MatchString(l) {
				problems = append(problems, "bgpd -C: "+l)
			}
		}
	}
	run(plain.String())
	if rpki.Len() > 0 {
		run(rpki.String(), "-M", "rpki")
	}
	return strings.Join(problems, "\n")
}

// TestFRRValidates renders every role and setting for FRR and feeds the
// result to FRR's own parsers; a control with one broken line must fail.
func TestFRRValidates(t *testing.T) {
	conf := frrConfig(render(t, fixture("frr")))
	if msg := checkFRR(t, conf); msg != "" {
		t.Fatalf("FRR refuses the rendered configuration:\n%s", msg)
	}
	for _, want := range []string{"match rpki invalid", "local-role provider", "maximum-prefix 100 restart 30",
		"maximum-prefix 10 warning-only", "ttl-security hops 1", "ebgp-multihop 2", "neighbor 198.18.0.1 bfd",
		"update-source 198.18.0.0", "password s3cr3t-Key.1", "route-server-client", "default-originate",
		"ipv6 prefix-list PL_PEER1_V6 seq 5 deny any", "rpki cache 127.0.0.1 3323 preference 1",
		"ip prefix-list PL_CUST_V4 seq 15 permit 203.0.113.0/24 ge 25 le 27", "no neighbor 198.18.0.7 enforce-first-as"} {
		if !strings.Contains(conf, want) {
			t.Errorf("no %q in the FRR configuration", want)
		}
	}
	for _, bad := range []string{
		strings.Replace(conf, " match rpki invalid", " match rpki sideways", 1),
		strings.Replace(conf, " maximum-prefix 100 restart 30", " maximum-prefix 100 restart never", 1),
	} {
		if msg := checkFRR(t, bad); msg == "" {
			t.Error("control: FRR accepted a broken line")
		}
	}
}

// TestOpenBGPDValidates does the same with bgpd -n.
func TestOpenBGPDValidates(t *testing.T) {
	bgpd := lookTool(t, "bgpd", "/usr/sbin/bgpd")
	dir := t.TempDir()
	files := render(t, fixture("openbgpd"))
	writeFiles(t, dir, files)
	check := func() (bool, string) {
		cmd := exec.Command(bgpd, "-n", "-f", "r1.conf")
		cmd.Dir = dir // includes are relative to bgpd's working directory
		out, err := cmd.CombinedOutput()
		return err == nil && strings.Contains(string(out), "configuration OK"), string(out)
	}
	if ok, msg := check(); !ok {
		t.Fatalf("bgpd -n refuses the rendered configuration: %s", msg)
	}
	all := ""
	for _, f := range files {
		all += string(f.Data)
	}
	for _, want := range []string{"deny quick from 198.18.0.1 ovs invalid", "announce policy provider", "announce policy rs\n",
		"max-prefix 100 restart 30", "tcp md5sig password s3cr3t-Key.1", "ttl-security yes", "multihop 2",
		"local-address 198.18.0.0", "enforce neighbor-as no", "reject as-set yes", "transparent-as yes", "export default-route",
		"prefix-set PL_PEER1_V6 { }", "\t203.0.113.0/24 prefixlen 25 - 27", "rtr 127.0.0.1 {", "nexthop neighbor",
		"no warning-only max-prefix"} {
		if !strings.Contains(all, want) {
			t.Errorf("no %q in the OpenBGPD configuration", want)
		}
	}
	p := filepath.Join(dir, "r1.d", "CUST.conf")
	data, _ := os.ReadFile(p)
	os.WriteFile(p, []byte(strings.Replace(string(data), "ovs invalid", "ovs sideways", 1)), 0o644)
	if ok, _ := check(); ok {
		t.Error("control: bgpd -n accepted 'ovs sideways'")
	}
}

// TestHostNftValidates checks the shared nftables file of every platform
// with host filters through nft -c.
func TestHostNftValidates(t *testing.T) {
	nft := lookTool(t, "nft", "/usr/sbin/nft")
	for _, pl := range []string{"bird2", "frr", "openbgpd"} {
		t.Run(pl, func(t *testing.T) {
			var nf *templates.File
			files := render(t, fixture(pl))
			for i := range files {
				if strings.HasSuffix(files[i].Name, ".nft") {
					nf = &files[i]
				}
			}
			if nf == nil {
				t.Fatal("no .nft file for a router with customers")
			}
			file := filepath.Join(t.TempDir(), "r1.nft")
			os.WriteFile(file, nf.Data, 0o644)
			if out, err := exec.Command(nft, "-c", "-f", file).CombinedOutput(); err != nil {
				if strings.Contains(string(out), "Operation not permitted") {
					t.Skipf("nft -c needs CAP_NET_ADMIN here: %s", out)
				}
				t.Fatalf("nft -c: %v: %s\n%s", err, out, nf.Data)
			}
		})
	}
}
