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

// AppendDecimalRange appends a POSIX extended regex alternation, without
// anchors or parentheses, that matches exactly the decimal numbers lo to
// hi (no leading zeros): 64496-64511 gives "6449[6-9]|645(0[0-9]|1[01])"
// in spirit (the exact split may differ). Cisco-flavour templates wrap
// it as "_(...)_" to match a bogon AS anywhere in a path; it is built
// only from the two numbers.
func AppendDecimalRange(b []byte, lo, hi uint32) []byte {
	first := true
	for _, r := range splitDecimal(uint64(lo), uint64(hi)) {
		if !first {
			b = append(b, '|')
		}
		first = false
		b = appendDecimalPattern(b, r[0], r[1])
	}
	return b
}

// splitDecimal splits [lo, hi] into ranges that each have a common
// prefix followed by full 0-9 runs, such as 64496-64499, 64500-64509.
func splitDecimal(lo, hi uint64) [][2]uint64 {
	var out [][2]uint64
	for lo <= hi {
		// Grow the step (a power of ten) while lo is aligned to it and
		// the aligned block still fits below hi.
		step := uint64(1)
		for lo%(step*10) == 0 && lo+step*10-1 <= hi {
			step *= 10
		}
		end := lo + step - 1
		// Extend over further whole blocks of the same size that keep
		// the same leading digits (for example 64500-64509, 64510-64511
		// stay separate when they differ in the tens digit).
		for end+step <= hi && (end+1)/(step*10) == lo/(step*10) {
			end += step
		}
		out = append(out, [2]uint64{lo, end})
		if end == hi {
			break
		}
		lo = end + 1
	}
	return out
}

// appendDecimalPattern writes the pattern of a range from splitDecimal:
// lo and hi have the same number of digits and differ in one digit
// position, followed by digits that run 0 to 9.
func appendDecimalPattern(b []byte, lo, hi uint64) []byte {
	l, h := strconv.FormatUint(lo, 10), strconv.FormatUint(hi, 10)
	i := 0
	for i < len(l) && l[i] == h[i] {
		i++
	}
	b = append(b, l[:i]...)
	if i == len(l) {
		return b
	}
	if l[i] == '0' && h[i] == '9' {
		b = append(b, "[0-9]"...)
	} else if l[i] == h[i] {
		b = append(b, l[i])
	} else {
		b = append(b, '[', l[i], '-', h[i], ']')
	}
	for range len(l) - i - 1 {
		b = append(b, "[0-9]"...)
	}
	return b
}
