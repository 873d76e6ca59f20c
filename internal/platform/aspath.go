package platform

import "strconv"

// AS-path regexes in the three flavours of vendors.md §1.5, built only
// from AS numbers. "Only" matches a path made of one AS (with prepends),
// "Via" a path from first that ends in one of origins, and "Originated" a
// path of any length that ends in one of origins. origins must not be
// empty.

func appendASN(b []byte, asn uint32) []byte { return strconv.AppendUint(b, uint64(asn), 10) }

func appendAlternatives(b []byte, asns []uint32, sep byte) []byte {
	for i, a := range asns {
		if i > 0 {
			b = append(b, sep)
		}
		b = appendASN(b, a)
	}
	return b
}

// AppendIOSPathOnly appends the Cisco string regex "^A(_A)*$".
func AppendIOSPathOnly(b []byte, asn uint32) []byte {
	b = append(b, '^')
	b = appendASN(b, asn)
	b = append(b, "(_"...)
	b = appendASN(b, asn)
	return append(b, ")*$"...)
}

// AppendIOSPathOnlyAny appends "^(_A)*$", bgpq4's form for an
// as-path list that is not anchored at a neighbour AS.
func AppendIOSPathOnlyAny(b []byte, asn uint32) []byte {
	b = append(b, "^(_"...)
	b = appendASN(b, asn)
	return append(b, ")*$"...)
}

// AppendIOSPathVia appends "^F(_[0-9]+)*_(O1|O2|...)$".
func AppendIOSPathVia(b []byte, first uint32, origins []uint32) []byte {
	b = append(b, '^')
	b = appendASN(b, first)
	b = append(b, "(_[0-9]+)*_("...)
	b = appendAlternatives(b, origins, '|')
	return append(b, ")$"...)
}

// AppendIOSPathOriginated appends "^(_[0-9]+)*_(O1|O2|...)$".
func AppendIOSPathOriginated(b []byte, origins []uint32) []byte {
	b = append(b, "^(_[0-9]+)*_("...)
	b = appendAlternatives(b, origins, '|')
	return append(b, ")$"...)
}

// AppendJunosPathOnly appends the Junos AS-token regex "^A(A)*$".
func AppendJunosPathOnly(b []byte, asn uint32) []byte {
	b = append(b, '^')
	b = appendASN(b, asn)
	b = append(b, '(')
	b = appendASN(b, asn)
	return append(b, ")*$"...)
}

// AppendJunosPathVia appends "^F(.)*(O1|O2|...)$".
func AppendJunosPathVia(b []byte, first uint32, origins []uint32) []byte {
	b = append(b, '^')
	b = appendASN(b, first)
	b = append(b, "(.)*("...)
	b = appendAlternatives(b, origins, '|')
	return append(b, ")$"...)
}

// AppendJunosPathOriginated appends "^(.)*(O1|O2|...)$".
func AppendJunosPathOriginated(b []byte, origins []uint32) []byte {
	b = append(b, "^(.)*("...)
	b = appendAlternatives(b, origins, '|')
	return append(b, ")$"...)
}

// AppendSROSPathOnly appends the SR OS expression "A+".
func AppendSROSPathOnly(b []byte, asn uint32) []byte {
	b = appendASN(b, asn)
	return append(b, '+')
}

// AppendSROSPathVia appends "F.*[O1 O2 ...]".
func AppendSROSPathVia(b []byte, first uint32, origins []uint32) []byte {
	b = appendASN(b, first)
	b = append(b, ".*["...)
	b = appendAlternatives(b, origins, ' ')
	return append(b, ']')
}

// AppendSROSPathOriginated appends ".*[O1 O2 ...]".
func AppendSROSPathOriginated(b []byte, origins []uint32) []byte {
	b = append(b, ".*["...)
	b = appendAlternatives(b, origins, ' ')
	return append(b, ']')
}
