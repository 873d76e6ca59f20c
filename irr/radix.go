package irr

import "slices"

// sortUint64 sorts a in place. Large inputs use an LSD radix sort with
// 11-bit digits (six passes at most, a pass skipped when every key has the
// same digit), which is several times faster than a comparison sort for
// the million-prefix expansions of big AS-SETs.
func sortUint64(a []uint64) {
	if len(a) < 1<<12 {
		slices.Sort(a)
		return
	}
	tmp := make([]uint64, len(a))
	src, dst := a, tmp
	var count [1 << 11]int
	for shift := uint(0); shift < 64; shift += 11 {
		clear(count[:])
		for _, v := range src {
			count[(v>>shift)&0x7ff]++
		}
		if count[(src[0]>>shift)&0x7ff] == len(src) {
			continue // every key has this digit: nothing to do
		}
		sum := 0
		for i, c := range count {
			count[i] = sum
			sum += c
		}
		for _, v := range src {
			d := (v >> shift) & 0x7ff
			dst[count[d]] = v
			count[d]++
		}
		src, dst = dst, src
	}
	if &src[0] != &a[0] {
		copy(a, src)
	}
}

// sortV6Ranges sorts a by address, then length, then range bounds (the
// low word of most IPv6 routes is zero, so its passes are skipped).
func sortV6Ranges(a []v6range) {
	if len(a) < 1<<12 {
		slices.SortFunc(a, cmpV6Range)
		return
	}
	radixSort(a,
		func(v *v6range) uint64 { return uint64(v.bits)<<16 | uint64(v.min)<<8 | uint64(v.max) },
		func(v *v6range) uint64 { return v.lo },
		func(v *v6range) uint64 { return v.hi })
}

// radixSort sorts a by the given key words, least significant first, with
// a stable LSD radix sort of 11-bit digits; a pass whose digit is the same
// for every element is skipped.
func radixSort[T any](a []T, words ...func(*T) uint64) {
	if len(a) < 2 {
		return
	}
	tmp := make([]T, len(a))
	src, dst := a, tmp
	var count [1 << 11]int
	for _, word := range words {
		for shift := uint(0); shift < 64; shift += 11 {
			clear(count[:])
			any := uint64(0)
			for i := range src {
				w := word(&src[i])
				any |= w >> shift
				count[(w>>shift)&0x7ff]++
			}
			if any == 0 {
				break // no higher digits in this word
			}
			if count[(word(&src[0])>>shift)&0x7ff] == len(src) {
				continue
			}
			sum := 0
			for i, c := range count {
				count[i] = sum
				sum += c
			}
			for i := range src {
				d := (word(&src[i]) >> shift) & 0x7ff
				dst[count[d]] = src[i]
				count[d]++
			}
			src, dst = dst, src
		}
	}
	if &src[0] != &a[0] {
		copy(a, src)
	}
}
