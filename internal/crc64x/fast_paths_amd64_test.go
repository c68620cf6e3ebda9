//go:build !purego

package crc64x

import (
	"hash/crc64"
	"testing"
)

// Update picks one fast path per machine; these call each directly so both
// are checked where the CPU has them.
func TestEachFastPathMatchesStdlib(t *testing.T) {
	paths := []struct {
		name  string
		have  bool
		min   int
		apply func(uint64, []byte, *foldConsts) uint64
	}{
		{"SSE", hasCLMUL, minSSE, updateSSE},
		{"AVX512", hasAVX512, minAVX512, updateAVX512},
	}
	buf := randomBytes(70_000, 5)
	for _, p := range paths {
		if !p.have {
			t.Logf("%s: not on this CPU", p.name)
			continue
		}
		var lengths []int
		for n := p.min; n <= 5000; n += 16 {
			lengths = append(lengths, n)
		}
		lengths = append(lengths, 65536, 69_984)
		for _, n := range lengths {
			for _, off := range []int{0, 3} {
				data := buf[off : off+n]
				if got, want := p.apply(0x5555, data, &consts), crc64.Update(0x5555, stdTable, data); got != want {
					t.Fatalf("%s len %d offset %d: got %#x, want %#x", p.name, n, off, got, want)
				}
			}
		}
	}
}

func BenchmarkFastPaths(b *testing.B) {
	data := randomBytes(1<<20, 11)
	for _, p := range []struct {
		name  string
		have  bool
		apply func(uint64, []byte, *foldConsts) uint64
	}{{"SSE", hasCLMUL, updateSSE}, {"AVX512", hasAVX512, updateAVX512}} {
		b.Run(p.name+"/1MiB", func(b *testing.B) {
			if !p.have {
				b.Skip("not on this CPU")
			}
			b.SetBytes(int64(len(data)))
			var crc uint64
			for b.Loop() {
				crc = p.apply(crc, data, &consts)
			}
		})
	}
}
