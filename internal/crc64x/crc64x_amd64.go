//go:build !purego

package crc64x

import "golang.org/x/sys/cpu"

var (
	hasCLMUL  = cpu.X86.HasPCLMULQDQ && cpu.X86.HasSSE41
	hasAVX512 = hasCLMUL && cpu.X86.HasAVX512F && cpu.X86.HasAVX512VPCLMULQDQ
)

//go:noescape
func updateSSE(crc uint64, p []byte, k *foldConsts) uint64

//go:noescape
func updateAVX512(crc uint64, p []byte, k *foldConsts) uint64

// Below these lengths the table code wins over the setup and the final
// reduction of the folding code (see BenchmarkUpdate).
const (
	minSSE    = 128
	minAVX512 = 256
)

// updateFast handles a multiple of 16 bytes of p with carry-less folding
// and returns the CRC so far and what is left for the table code.
func updateFast(crc uint64, p []byte) (uint64, []byte) {
	if !hasCLMUL || len(p) < minSSE {
		return crc, p
	}
	n := len(p) &^ 15
	if hasAVX512 && n >= minAVX512 {
		return updateAVX512(crc, p[:n], &consts), p[n:]
	}
	return updateSSE(crc, p[:n], &consts), p[n:]
}
