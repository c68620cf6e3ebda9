package crc64x

import (
	"fmt"
	"hash/crc64"
	"testing"
)

var benchSizes = []int{1 << 10, 64 << 10, 1 << 20, 8 << 20}

func sizeName(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%dMiB", n>>20)
	}
	return fmt.Sprintf("%dKiB", n>>10)
}

// BenchmarkUpdate compares this package with hash/crc64 on the same bytes;
// run with: go test -run '^$' -bench . ./internal/crc64x/
func BenchmarkUpdate(b *testing.B) {
	for _, n := range benchSizes {
		data := randomBytes(n, 9)
		b.Run("crc64x/"+sizeName(n), func(b *testing.B) {
			b.SetBytes(int64(n))
			var crc uint64
			for b.Loop() {
				crc = Update(crc, data)
			}
		})
		b.Run("stdlib/"+sizeName(n), func(b *testing.B) {
			b.SetBytes(int64(n))
			var crc uint64
			for b.Loop() {
				crc = crc64.Update(crc, stdTable, data)
			}
		})
	}
}

// BenchmarkShortUpdate is where the table code and the folding code meet.
func BenchmarkShortUpdate(b *testing.B) {
	for _, n := range []int{64, 128, 256, 512} {
		data := randomBytes(n, 10)
		b.Run(fmt.Sprintf("crc64x/%dB", n), func(b *testing.B) {
			b.SetBytes(int64(n))
			var crc uint64
			for b.Loop() {
				crc = Update(crc, data)
			}
		})
		b.Run(fmt.Sprintf("stdlib/%dB", n), func(b *testing.B) {
			b.SetBytes(int64(n))
			var crc uint64
			for b.Loop() {
				crc = crc64.Update(crc, stdTable, data)
			}
		})
	}
}

func BenchmarkCombine(b *testing.B) {
	const partSize = 8 << 20
	b.Run("Combine", func(b *testing.B) {
		var crc uint64
		for b.Loop() {
			crc = Combine(crc, 0x1234, partSize)
		}
	})
	b.Run("Shift.Combine", func(b *testing.B) {
		shift := NewShift(partSize)
		var crc uint64
		for b.Loop() {
			crc = shift.Combine(crc, 0x1234)
		}
	})
}
