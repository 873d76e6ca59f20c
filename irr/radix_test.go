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
