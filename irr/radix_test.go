package irr

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSortUint64(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 100, 5000, 100000} {
		for _, mask := range []uint64{^uint64(0), 0xff00ff, 0xffffffffff00} {
			a := make([]uint64, n)
			for i := range a {
				a[i] = rng.Uint64() & mask
			}
			want := slices.Clone(a)
			slices.Sort(want)
			sortUint64(a)
			if !slices.Equal(a, want) {
				t.Fatalf("n=%d mask=%x: not sorted like slices.Sort", n, mask)
			}
		}
	}
}

func TestSortV6Ranges(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{10, 5000, 50000} {
		a := make([]v6range, n)
		for i := range a {
			a[i] = v6range{hi: rng.Uint64() & 0xffff00000000ffff, bits: uint8(rng.IntN(4)) + 32, min: uint8(rng.IntN(3)) + 40, max: uint8(rng.IntN(3)) + 60}
			if i%7 == 0 {
				a[i].lo = rng.Uint64() & 0xff
			}
		}
		want := slices.Clone(a)
		slices.SortFunc(want, cmpV6Range)
		sortV6Ranges(a)
		if !slices.Equal(a, want) {
			t.Fatalf("n=%d: not sorted like slices.SortFunc", n)
		}
	}
}

func BenchmarkSortUint64(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	src := make([]uint64, 1_400_000)
	for i := range src {
		src[i] = rng.Uint64() & 0xffffffffffffff
	}
	a := make([]uint64, len(src))
	b.Run("radix", func(b *testing.B) {
		for b.Loop() {
			copy(a, src)
			sortUint64(a)
		}
	})
	b.Run("slices.Sort", func(b *testing.B) {
		for b.Loop() {
			copy(a, src)
			slices.Sort(a)
		}
	})
}
