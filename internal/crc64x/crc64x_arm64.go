//go:build !purego

package crc64x

import "golang.org/x/sys/cpu"

var hasPMULL = cpu.ARM64.HasPMULL

//go:noescape
func updatePMULL(crc uint64, p []byte, k *foldConsts) uint64

// minPMULL: below it the table code wins over the folding code's setup.
const minPMULL = 128

// updateFast handles a multiple of 16 bytes of p with carry-less folding
// and returns the CRC so far and what is left for the table code.
func updateFast(crc uint64, p []byte) (uint64, []byte) {
	if !hasPMULL || len(p) < minPMULL {
		return crc, p
	}
	n := len(p) &^ 15
	return updatePMULL(crc, p[:n], &consts), p[n:]
}
