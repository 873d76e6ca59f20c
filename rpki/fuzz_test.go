package rpki_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/filtergen/filtergen/rpki"
)

// writeRPKIClientJSON writes s in rpki-client's JSON layout, for
// round-trip checks.
func writeRPKIClientJSON(s *rpki.Set) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "{\"metadata\":{\"buildtime\":%q},\"roas\":[", s.Produced().UTC().Format(time.RFC3339))
	i := 0
	for v := range s.VRPs() {
		if i > 0 {
			b.WriteByte(',')
		}
		i++
		ta, _ := json.Marshal(v.TA)
		fmt.Fprintf(&b, "\n{\"asn\":%d,\"prefix\":%q,\"maxLength\":%d,\"ta\":%s}", v.ASN, v.Prefix, v.MaxLen, ta)
	}
	b.WriteString("],\"aspas\":[")
	i = 0
	for a := range s.ASPAs() {
		if i > 0 {
			b.WriteByte(',')
		}
		i++
		fmt.Fprintf(&b, "{\"customer_asid\":%d,\"providers\":[", a.Customer)
		for j, p := range a.Providers {
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprint(&b, p)
		}
		b.WriteString("]}")
	}
	b.WriteString("]}\n")
	return b.Bytes()
}

func addSeeds(f *testing.F, ext string) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*."+ext))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// checkLoad asserts the properties every successful load has: only valid
// VRPs, none missing after a round trip through rpki-client JSON, and an
// error that is a *ParseError or ErrStale otherwise.
func checkLoad(t *testing.T, data []byte) {
	opts := rpki.LoadOptions{MaxAge: rpki.NoMaxAge}
	s, err := rpki.Load(bytes.NewReader(data), "fuzz", opts)
	if err != nil {
		var pe *rpki.ParseError
		if s != nil {
			t.Fatal("Set and error both returned")
		}
		if !errors.As(err, &pe) && !errors.Is(err, rpki.ErrStale) {
			t.Fatalf("error of type %T: %v", err, err)
		}
		return
	}
	if s.Len() == 0 {
		t.Fatal("empty Set without an error")
	}
	vrps := slices.Collect(s.VRPs())
	for _, v := range vrps {
		if !v.IsValid() {
			t.Fatalf("invalid VRP %v loaded", v)
		}
		if st, _ := s.Validate(v.Prefix, v.ASN); v.ASN != 0 && st != rpki.Valid {
			t.Fatalf("VRP %v does not validate its own route: %s", v, st)
		}
	}
	again, err := rpki.Load(bytes.NewReader(writeRPKIClientJSON(s)), "round-trip", opts)
	if err != nil {
		t.Fatalf("round trip: %v", err)
	}
	if !slices.Equal(vrps, slices.Collect(again.VRPs())) {
		t.Fatalf("round trip changed the VRPs")
	}
	a1, a2 := slices.Collect(s.ASPAs()), slices.Collect(again.ASPAs())
	if !slices.EqualFunc(a1, a2, func(x, y rpki.ASPA) bool {
		return x.Customer == y.Customer && slices.Equal(x.Providers, y.Providers)
	}) {
		t.Fatalf("round trip changed the ASPAs: %v, %v", a1, a2)
	}
}

func FuzzLoadJSON(f *testing.F) {
	addSeeds(f, "json")
	for _, s := range []string{
		`{"roas":[{"asn":"AS1","prefix":"10.0.0.0/8","maxLength":8}],"metadata":{"generated":1}}`,
		`{"roas":[{"asn":1,"prefix":"::/0","maxLength":0,"expires":1.5e9}]}`,
		`{"roas":[],"provider_authorizations":{"ipv4":[{"customer_asid":1,"providers":[2]}]}}`,
		`{"ro\u0061s":[{"asn":"1.10","prefix":"10.0.0.0/8","maxLength":8,"ta":"a\"b"}]}`,
		`{"roas":[[[[[[[[[[[[`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(checkLoad)
}

func FuzzLoadCSV(f *testing.F) {
	addSeeds(f, "csv")
	for _, s := range []string{
		"ASN,IP Prefix,Max Length\nAS1,10.0.0.0/8,8\n",
		"1,10.0.0.0/8,8,True\n2,10.0.0.0/8,8,False\n",
		"# comment\n\"AS1\",\"2001:db8::/32\",\"48\",\"ripe\"\n",
		"URI,ASN,IP Prefix,Max Length,Not Before,Not After\nN/A,AS1,10.0.0.0/8,8,N/A,N/A\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(checkLoad)
}

// The round trip must survive TA names that need JSON escaping.
func TestRoundTripEscapes(t *testing.T) {
	checkLoad(t, []byte(strings.Join([]string{
		`{"metadata":{"buildtime":"2026-11-23T18:00:00Z"},"roas":[`,
		`{"asn":1,"prefix":"10.0.0.0/8","maxLength":8,"ta":"quote\" \\ \u00e9 \n"}]}`,
	}, "")))
}
