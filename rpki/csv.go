package rpki

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/filtergen/filtergen/internal/asn"
)

// CSV layouts, told apart by the header:
//
//	ASN,IP Prefix,Max Length,Trust Anchor[,Expires]   rpki-client, Routinator csv and csvcompat
//	ASN,IP Prefix,Max Length                          RIPE NCC validator
//	URI,ASN,IP Prefix,Max Length,Not Before,Not After Routinator csvext
//	asn,prefix,maxlen[,ta]                            headerless
//	asn,prefix,maxlen,True|False                      headerless, as tabi writes it; False rows are
//	                                                  ROAs the validator found invalid and are skipped

type csvColumns struct {
	asn, prefix, maxLen, ta, expires int // -1 when absent
	validFlag                        int // headerless True/False column
	n                                int
}

func parseCSV(data []byte, name string, exp expiry) (parsed, error) {
	out := parsed{format: formatCSV}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	r.Comment = '#'
	fail := func(line int, err error) error {
		return &ParseError{File: name, Line: line, Err: err}
	}
	var cols *csvColumns
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return parsed{}, fail(pe.Line, pe.Err)
			}
			return parsed{}, fail(0, err)
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if cols == nil {
			c, header, err := csvLayout(rec)
			if err != nil {
				return parsed{}, fail(line, err)
			}
			cols = c
			if header {
				continue
			}
		}
		if len(rec) != cols.n {
			return parsed{}, fail(line, fmt.Errorf("%d fields, want %d", len(rec), cols.n))
		}
		field := func(i int) string { return strings.TrimSpace(rec[i]) }
		if cols.validFlag >= 0 {
			switch field(cols.validFlag) {
			case "True":
			case "False":
				continue
			default:
				return parsed{}, fail(line, fmt.Errorf("validity %q is not True or False", field(cols.validFlag)))
			}
		}
		var v VRP
		v.ASN, err = asn.Parse(field(cols.asn))
		if err != nil {
			return parsed{}, fail(line, err)
		}
		pfx, err := netip.ParsePrefix(field(cols.prefix))
		if err != nil {
			return parsed{}, fail(line, fmt.Errorf("invalid prefix %q", field(cols.prefix)))
		}
		v.Prefix = pfx
		ml, err := strconv.ParseUint(field(cols.maxLen), 10, 8)
		if err != nil {
			return parsed{}, fail(line, fmt.Errorf("invalid max length %q", field(cols.maxLen)))
		}
		v.MaxLen = uint8(ml)
		if cols.ta >= 0 {
			v.TA = field(cols.ta)
			if !utf8.ValidString(v.TA) {
				return parsed{}, fail(line, errors.New("invalid UTF-8 in trust anchor"))
			}
		}
		if err := v.check(); err != nil {
			return parsed{}, fail(line, err)
		}
		if cols.expires >= 0 {
			e, err := strconv.ParseInt(field(cols.expires), 10, 64)
			if err != nil {
				return parsed{}, fail(line, fmt.Errorf("invalid expires %q", field(cols.expires)))
			}
			if exp.expired(e, true) {
				continue
			}
		}
		out.vrps = append(out.vrps, v)
	}
	if cols == nil {
		return parsed{}, fail(0, errors.New("no records"))
	}
	return out, nil
}

// csvLayout works out the columns from the first record, and whether it
// is a header.
func csvLayout(rec []string) (*csvColumns, bool, error) {
	c := &csvColumns{asn: -1, prefix: -1, maxLen: -1, ta: -1, expires: -1, validFlag: -1, n: len(rec)}
	first := strings.ToLower(strings.TrimSpace(rec[0]))
	if first == "asn" || first == "uri" {
		for i, h := range rec {
			switch strings.ToLower(strings.TrimSpace(h)) {
			case "asn":
				c.asn = i
			case "ip prefix", "prefix":
				c.prefix = i
			case "max length", "maxlength", "max_length":
				c.maxLen = i
			case "trust anchor", "ta":
				c.ta = i
			case "expires":
				c.expires = i
			}
		}
		if c.asn < 0 || c.prefix < 0 || c.maxLen < 0 {
			return nil, true, fmt.Errorf("header %q lacks ASN, IP Prefix or Max Length", strings.Join(rec, ","))
		}
		return c, true, nil
	}
	switch len(rec) {
	case 3, 4:
		c.asn, c.prefix, c.maxLen = 0, 1, 2
		if len(rec) == 4 {
			switch strings.TrimSpace(rec[3]) {
			case "True", "False":
				c.validFlag = 3
			default:
				c.ta = 3
			}
		}
		return c, false, nil
	}
	return nil, false, fmt.Errorf("not a VRP file: %d fields and no header", len(rec))
}
