package rpki_test

import (
	"compress/gzip"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/filtergen/filtergen/rpki"
)

// fixtureTime is the build time written in the fixtures in testdata.
var fixtureTime = time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC)

func at(t time.Time) func() time.Time { return func() time.Time { return t } }

func withTA(v rpki.VRP, ta string) rpki.VRP { v.TA = ta; return v }

func TestLoadFormats(t *testing.T) {
	now := at(fixtureTime.Add(time.Hour))
	base := []rpki.VRP{
		vrp("192.0.2.0/24", 24, 64500),
		vrp("198.51.100.0/24", 32, 0),
		vrp("2001:db8::/32", 48, 64501),
	}
	tas := []string{"ripe", "apnic", "ripe"}
	withTAs := func() []rpki.VRP {
		out := slices.Clone(base)
		for i := range out {
			out[i].TA = tas[i]
		}
		return out
	}
	tests := []struct {
		file  string
		vrps  []rpki.VRP
		aspas []rpki.ASPA
	}{
		{"rpki-client.json", withTAs(), []rpki.ASPA{{Customer: 64500, Providers: []uint32{64501, 64502}}}},
		{"routinator.json", withTAs(), []rpki.ASPA{{Customer: 64500, Providers: []uint32{64501, 64502}}}},
		{"routinator-jsonext.json", []rpki.VRP{withTA(base[0], "ripe"), base[1], withTA(base[2], "ripe")}, nil},
		{"rpki-client.csv", withTAs(), nil},
		{"routinator-csvcompat.csv", withTAs(), nil},
		{"routinator-csvext.csv", base, nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			name := filepath.Join("testdata", tt.file)
			if strings.HasSuffix(tt.file, ".csv") {
				// CSV has no build time: the file's modification time stands in.
				if err := os.Chtimes(name, fixtureTime, fixtureTime); err != nil {
					t.Fatal(err)
				}
			}
			s, err := rpki.LoadFile(name, rpki.LoadOptions{Now: now})
			if err != nil {
				t.Fatal(err)
			}
			if d := gocmp.Diff(tt.vrps, slices.Collect(s.VRPs()), cmpOpts); d != "" {
				t.Errorf("VRPs (-want +got):\n%s", d)
			}
			if d := gocmp.Diff(tt.aspas, slices.Collect(s.ASPAs()), cmpOpts); d != "" {
				t.Errorf("ASPAs (-want +got):\n%s", d)
			}
			if !s.Produced().Equal(fixtureTime) {
				t.Errorf("Produced = %v, want %v", s.Produced(), fixtureTime)
			}
		})
	}
}

func TestLoadStale(t *testing.T) {
	name := filepath.Join("testdata", "rpki-client.json")
	tests := []struct {
		name    string
		opts    rpki.LoadOptions
		wantErr bool
		wantLen int
	}{
		{"fresh", rpki.LoadOptions{Now: at(fixtureTime.Add(23 * time.Hour))}, false, 3},
		{"default 24h exceeded", rpki.LoadOptions{Now: at(fixtureTime.Add(25 * time.Hour))}, true, 0},
		{"custom max age", rpki.LoadOptions{Now: at(fixtureTime.Add(2 * time.Hour)), MaxAge: time.Hour}, true, 0},
		{"larger max age", rpki.LoadOptions{Now: at(fixtureTime.Add(47 * time.Hour)), MaxAge: 48 * time.Hour}, false, 3},
		// The override also keeps entries whose expires has passed.
		{"override", rpki.LoadOptions{Now: at(fixtureTime.Add(1000 * time.Hour)), MaxAge: rpki.NoMaxAge}, false, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := rpki.LoadFile(name, tt.opts)
			if tt.wantErr {
				if !errors.Is(err, rpki.ErrStale) || s != nil {
					t.Fatalf("LoadFile = %v, %v; want nil, ErrStale", s, err)
				}
				if !strings.Contains(err.Error(), "2026-11-23T18:00:00Z") {
					t.Errorf("error %q does not say when the data was built", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Len() != tt.wantLen {
				t.Errorf("Len = %d, want %d", s.Len(), tt.wantLen)
			}
		})
	}
	t.Run("no build time", func(t *testing.T) {
		_, err := rpki.Load(strings.NewReader(`{"roas":[{"asn":1,"prefix":"192.0.2.0/24","maxLength":24}]}`), "x.json", rpki.LoadOptions{})
		if !errors.Is(err, rpki.ErrStale) {
			t.Errorf("Load without build time: %v, want ErrStale", err)
		}
	})
}

// sharedDir is the project's shared test data, beside the repository.
func sharedDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", "testdata", "real", "rpki")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared test data not present (%v)", err)
	}
	return dir
}

func TestLoadRealSamples(t *testing.T) {
	dir := sharedDir(t)
	tests := []struct {
		file      string
		vrps      int
		aspas     int
		produced  string
		wantStale bool // with the default max age at the sample's build time + 1h
	}{
		{"stayrtr-cmd-test.rpki.json", 19, 2, "2023-07-27T18:56:02Z", false},
		{"stayrtr-cache-test.rpki.json", 18, 0, "2021-07-27T18:56:02Z", false},
		{"arouteserver-rpki_roas_rpki-client_expired.json", 1, 0, "2021-07-21T17:26:00Z", false},
		{"arouteserver-examples-rich-ripe-rpki-cache.json", 0, 0, "", true},
		{"rpki-irr-bgp-stats-roas.csv", 49, 0, "", true},
		{"format-fixtures/arouteserver-rpki_aspas_ntt.json", 1, 3, "", true},
		{"format-fixtures/arouteserver-rpki_aspas_ripe.json", 1, 4, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			// Read through Load so no modification time stands in.
			s, err := rpki.Load(f, tt.file, rpki.LoadOptions{MaxAge: rpki.NoMaxAge})
			if err != nil {
				t.Fatal(err)
			}
			if tt.vrps > 0 && s.Len() != tt.vrps {
				t.Errorf("Len = %d, want %d", s.Len(), tt.vrps)
			}
			if n := len(slices.Collect(s.ASPAs())); n != tt.aspas {
				t.Errorf("%d ASPAs, want %d", n, tt.aspas)
			}
			got := ""
			if !s.Produced().IsZero() {
				got = s.Produced().UTC().Format(time.RFC3339)
			}
			if got != tt.produced {
				t.Errorf("Produced = %q, want %q", got, tt.produced)
			}
			if _, err := f.Seek(0, 0); err != nil {
				t.Fatal(err)
			}
			now := s.Produced().Add(time.Hour)
			_, err = rpki.Load(f, tt.file, rpki.LoadOptions{Now: at(now)})
			if gotStale := errors.Is(err, rpki.ErrStale); gotStale != tt.wantStale {
				t.Errorf("with the default max age: %v; want stale %v", err, tt.wantStale)
			}
		})
	}
}

// The tabi sample has a row whose prefix lacks its length. The loader
// refuses the whole file and says where.
func TestLoadRealSampleBadRow(t *testing.T) {
	dir := sharedDir(t)
	_, err := rpki.LoadFile(filepath.Join(dir, "tabi-roa-2016-01.csv"), rpki.LoadOptions{MaxAge: rpki.NoMaxAge})
	var pe *rpki.ParseError
	if !errors.As(err, &pe) || pe.Line != 3279 || !strings.Contains(err.Error(), `invalid prefix "176.100.33.19"`) {
		t.Fatalf("LoadFile = %v, want a ParseError at line 3279", err)
	}
}

func TestLoadRealSampleVerdicts(t *testing.T) {
	dir := sharedDir(t)
	s, err := rpki.LoadFile(filepath.Join(dir, "arouteserver-examples-rich-ripe-rpki-cache.json"), rpki.LoadOptions{MaxAge: rpki.NoMaxAge})
	if err != nil {
		t.Fatal(err)
	}
	// 193.0.24.0/22 max 26 AS3333 is in the file twice, from two "TAs".
	if st, vrps := s.Validate(mustPrefix("193.0.26.0/27"), 3333); st != rpki.Invalid || len(vrps) == 0 {
		t.Errorf("193.0.26.0/27 AS3333 = %s %v, want invalid (too long)", st, vrps)
	}
	if st, _ := s.Validate(mustPrefix("193.0.26.0/26"), 3333); st != rpki.Valid {
		t.Errorf("193.0.26.0/26 AS3333 = %s, want valid", st)
	}
	if st, _ := s.Validate(mustPrefix("193.0.24.0/24"), 3334); st != rpki.Invalid {
		t.Errorf("193.0.24.0/24 AS3334 = %s, want invalid", st)
	}
}

func TestLoadLargeRealSample(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("424,223 VRPs: skipped with -short and under -race, where it takes most of the package's time")
	}
	dir := sharedDir(t)
	s, err := loadGz(filepath.Join(dir, "rpki-client-web-prepdev-2023-05-04.json.gz"), rpki.LoadOptions{MaxAge: rpki.NoMaxAge})
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 424223 {
		t.Errorf("Len = %d, want 424223", s.Len())
	}
	if n := len(slices.Collect(s.ASPAs())); n != 6647 {
		t.Errorf("%d ASPAs, want 6647 (ipv4 and ipv6 lists merged per customer)", n)
	}
	if p, ok := s.Providers(28); !ok || !slices.Equal(p, []uint32{41881, 57485, 60637, 61036, 204096, 210051}) {
		t.Errorf("Providers(28) = %v %v", p, ok)
	}
}

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func loadGz(name string, opts rpki.LoadOptions) (*rpki.Set, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	return rpki.Load(zr, filepath.Base(name), opts)
}

func TestLoadErrors(t *testing.T) {
	const head = `{"metadata":{"buildtime":"2026-11-23T18:00:00Z"},"roas":[` + "\n"
	good := `{"asn":1,"prefix":"192.0.2.0/24","maxLength":24},` + "\n"
	tests := []struct {
		name  string
		input string
		want  string // the error text
	}{
		{"invalid prefix", head + good + `{"asn":1,"prefix":"192.0.2.0/33","maxLength":24}]}`,
			`rpki: in.json:3: roas[1]: invalid prefix "192.0.2.0/33"`},
		{"host bits", head + `{"asn":1,"prefix":"192.0.2.1/24","maxLength":24}]}`,
			`rpki: in.json:2: roas[0]: prefix 192.0.2.1/24 has host bits set`},
		{"max length short", head + good + good + `{"asn":1,"prefix":"192.0.2.0/24","maxLength":20}]}`,
			`rpki: in.json:4: roas[2]: max length 20 is shorter than prefix 192.0.2.0/24`},
		{"max length beyond family", head + `{"asn":1,"prefix":"2001:db8::/32","maxLength":129}]}`,
			`rpki: in.json:2: roas[0]: max length 129 is beyond the 128 bits of prefix 2001:db8::/32`},
		{"max length over 255", head + `{"asn":1,"prefix":"2001:db8::/32","maxLength":256}]}`,
			`rpki: in.json:2: roas[0]: maxLength 256 out of range`},
		{"ASN out of range", head + `{"asn":4294967296,"prefix":"192.0.2.0/24","maxLength":24}]}`,
			`rpki: in.json:2: roas[0]: asn 4294967296 out of range`},
		{"ASN string bad", head + `{"asn":"ASX","prefix":"192.0.2.0/24","maxLength":24}]}`,
			`rpki: in.json:2: roas[0]: asn: invalid AS number "ASX"`},
		{"negative ASN", head + `{"asn":-1,"prefix":"192.0.2.0/24","maxLength":24}]}`,
			`rpki: in.json:2: roas[0]: asn -1 out of range`},
		{"missing max length", head + `{"asn":1,"prefix":"192.0.2.0/24"}]}`,
			`rpki: in.json:2: roas[0]: missing "maxLength"`},
		{"duplicate member", head + `{"asn":1,"asn":2,"prefix":"192.0.2.0/24","maxLength":24}]}`,
			`rpki: in.json:2: roas[0]: duplicate member "asn"`},
		{"truncated", head + good + `{"asn":1,"prefix":"192.0.2.0/2`,
			`rpki: in.json:3: roas[1]: unexpected end of input (truncated file?)`},
		{"truncated after entry", head + good,
			`rpki: in.json:3: roas[1]: unexpected end of input (truncated file?)`},
		{"no roas", `{"metadata":{}}`, `rpki: in.json:1: no "roas" member: not a VRP file`},
		{"trailing data", head + good[:len(good)-2] + "]}}", `rpki: in.json:2: data after the top-level object`},
		{"bad buildtime", `{"metadata":{"buildtime":"yesterday"},"roas":[]}`,
			`rpki: in.json:1: metadata: buildtime "yesterday" is not RFC 3339`},
		{"empty", "", `rpki: in.json: empty input`},
		{"no VRPs", `{"metadata":{"buildtime":"2026-11-23T18:00:00Z"},"roas":[]}`, `rpki: in.json: no VRPs`},
		{"ASPA provider with AFI", head + good[:len(good)-2] + `],"aspas":[{"customer_asid":1,"providers":[{"asid":2,"afi":"ipv4"}]}]}`,
			`rpki: in.json:2: aspas[0]: providers[0] is not an AS number (an address-family marked provider from before 2023?)`},
		{"ASPA without customer", head + good[:len(good)-2] + `],"aspas":[{"providers":[2]}]}`,
			`rpki: in.json:2: aspas[0]: missing customer AS`},
		{"csv bad max length", "ASN,IP Prefix,Max Length,Trust Anchor\nAS1,192.0.2.0/24,24,ripe\nAS1,192.0.2.0/24,x,ripe\n",
			`rpki: in.json:3: invalid max length "x"`},
		{"csv short max length", "ASN,IP Prefix,Max Length,Trust Anchor\nAS1,192.0.2.0/24,23,ripe\n",
			`rpki: in.json:2: max length 23 is shorter than prefix 192.0.2.0/24`},
		{"csv ASN", "AS1,192.0.2.0/24,24\nAS99999999999,192.0.2.0/24,24\n",
			`rpki: in.json:2: invalid AS number "AS99999999999"`},
		{"csv truncated record", "ASN,IP Prefix,Max Length,Trust Anchor\nAS1,192.0.2.0/24,24,ripe\nAS1,192.0.2.0/24\n",
			`rpki: in.json:3: 2 fields, want 4`},
		{"csv unterminated quote", "\"ASN\",\"IP Prefix\",\"Max Length\"\n\"AS1\",\"192.0.2.0/24\",\"24\n",
			`rpki: in.json:2: extraneous or missing " in quoted-field`},
		{"not a VRP file", "hello world\n", `rpki: in.json:1: not a VRP file: 1 fields and no header`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := rpki.Load(strings.NewReader(tt.input), "in.json", rpki.LoadOptions{Now: at(fixtureTime)})
			if s != nil {
				t.Errorf("Load returned a Set with an error")
			}
			if err == nil || err.Error() != tt.want {
				t.Fatalf("error\n got %v\nwant %s", err, tt.want)
			}
			var pe *rpki.ParseError
			if !errors.As(err, &pe) || pe.File != "in.json" {
				t.Errorf("error is not a *ParseError naming the file: %#v", err)
			}
		})
	}
}

func ExampleLoad() {
	const data = `{
	"metadata": { "buildtime": "2026-11-23T18:00:00Z" },
	"roas": [
		{ "asn": 64500, "prefix": "192.0.2.0/24", "maxLength": 24, "ta": "ripe" },
		{ "asn": 64501, "prefix": "192.0.2.0/23", "maxLength": 25, "ta": "ripe" },
		{ "asn": 0, "prefix": "198.51.100.0/24", "maxLength": 32, "ta": "apnic" }
	]
}`
	set, err := rpki.Load(strings.NewReader(data), "vrps.json", rpki.LoadOptions{
		MaxAge: 24 * time.Hour,
		Now:    func() time.Time { return time.Date(2026, 11, 23, 19, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range []struct {
		prefix string
		origin uint32
	}{{"192.0.2.0/24", 64500}, {"192.0.2.0/25", 64500}, {"198.51.100.0/24", 64500}, {"203.0.113.0/24", 64500}} {
		state, vrps := set.Validate(netip.MustParsePrefix(r.prefix), r.origin)
		fmt.Println(r.prefix, r.origin, state, vrps)
	}
	// Output:
	// 192.0.2.0/24 64500 valid [192.0.2.0/24-24 AS64500]
	// 192.0.2.0/25 64500 invalid [192.0.2.0/24-24 AS64500 192.0.2.0/23-25 AS64501]
	// 198.51.100.0/24 64500 invalid [198.51.100.0/24-32 AS0]
	// 203.0.113.0/24 64500 not-found []
}
