package templates_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/filtergen/filtergen/filtergen"
	"github.com/filtergen/filtergen/internal/validate"
	"github.com/filtergen/filtergen/templates"
)

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

// skipMissing skips the test when a parser is not installed.
func skipMissing(t *testing.T, err error) {
	t.Helper()
	if errors.Is(err, validate.ErrNotInstalled) {
		t.Skipf("%v (make deps installs it)", err)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestFRRValidates renders every role and setting for FRR and feeds the
// result to FRR's own parsers; controls with one broken line must fail.
func TestFRRValidates(t *testing.T) {
	conf := frrConfig(render(t, fixture("frr")))
	problems, err := validate.FRR(t.Context(), conf)
	skipMissing(t, err)
	if len(problems) > 0 {
		t.Fatalf("FRR refuses the rendered configuration:\n%s", strings.Join(problems, "\n"))
	}
	for _, want := range []string{"match rpki invalid", "local-role provider", "maximum-prefix 100 restart 30",
		"maximum-prefix 10 warning-only", "ttl-security hops 1", "ebgp-multihop 2", "neighbor 198.18.0.1 bfd",
		"update-source 198.18.0.0", "password s3cr3t-Key.1", "route-server-client", "default-originate",
		"ipv6 prefix-list PL_PEER1_V6 seq 5 deny any", "rpki cache 127.0.0.1 3323 preference 1",
		"ip prefix-list PL_CUST_V4 seq 15 permit 203.0.113.0/24 ge 25 le 27", "no neighbor 198.18.0.7 enforce-first-as",
		"match large-community LC_MEMBER_ONLY", "network 198.18.128.0/20"} {
		if !strings.Contains(conf, want) {
			t.Errorf("no %q in the FRR configuration", want)
		}
	}
	for _, bad := range []string{
		strings.Replace(conf, " match rpki invalid", " match rpki sideways", 1),
		strings.Replace(conf, " maximum-prefix 100 restart 30", " maximum-prefix 100 restart never", 1),
	} {
		problems, err := validate.FRR(t.Context(), bad)
		if err != nil || len(problems) == 0 {
			t.Errorf("control: FRR accepted a broken line (%v)", err)
		}
	}
}

// TestOpenBGPDValidates does the same with bgpd -n.
func TestOpenBGPDValidates(t *testing.T) {
	dir := t.TempDir()
	files := render(t, fixture("openbgpd"))
	writeFiles(t, dir, files)
	msg, err := validate.OpenBGPD(t.Context(), dir, "r1.conf")
	skipMissing(t, err)
	if msg != "" {
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
		"no warning-only max-prefix", "deny quick to 198.18.0.9 large-community 64496:0:64540", "network 198.18.128.0/20"} {
		if !strings.Contains(all, want) {
			t.Errorf("no %q in the OpenBGPD configuration", want)
		}
	}
	p := filepath.Join(dir, "r1.d", "CUST.conf")
	data, _ := os.ReadFile(p)
	os.WriteFile(p, []byte(strings.Replace(string(data), "ovs invalid", "ovs sideways", 1)), 0o644)
	if msg, err := validate.OpenBGPD(t.Context(), dir, "r1.conf"); err != nil || msg == "" {
		t.Errorf("control: bgpd -n accepted 'ovs sideways' (%v)", err)
	}
}

// TestOpenBGPDRoleByVersion renders the RFC 9234 role as 7.7's
// "announce policy" and, for a router declaring 8.0 or later, "role".
func TestOpenBGPDRoleByVersion(t *testing.T) {
	res := fixture("openbgpd")
	res.Routers[0].Version = "8.2"
	all := ""
	for _, f := range render(t, res) {
		all += string(f.Data)
	}
	if !strings.Contains(all, "\trole customer\n") || !strings.Contains(all, "\trole rs-client\n") || strings.Contains(all, "announce policy") {
		t.Errorf("OpenBGPD 8.2: want the role keyword with the neighbor's role")
	}
}

// TestOpenBGPDRefusesBFD: OpenBGPD has no BFD, so a neighbor asking for
// it fails the router with an error saying so.
func TestOpenBGPDRefusesBFD(t *testing.T) {
	res := fixture("openbgpd")
	res.Peers[0].Session.BFD = true
	_, err := templates.Render(res, res.Routers[0], templates.Options{})
	if err == nil || !strings.Contains(err.Error(), "OpenBGPD has no BFD") || !strings.Contains(err.Error(), "peer CUST") {
		t.Errorf("got %v", err)
	}
}

// TestHostNftValidates checks the shared nftables file of every platform
// with host filters through nft -c.
func TestHostNftValidates(t *testing.T) {
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
			msg, err := validate.Nft(t.Context(), file)
			skipMissing(t, err)
			if msg != "" {
				t.Fatalf("nft -c: %s\n%s", msg, nf.Data)
			}
		})
	}
}
