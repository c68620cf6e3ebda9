package crc64x

import "math/bits"

// foldConsts are the multipliers the carry-less folding code uses, computed
// once from the polynomial rather than copied as magic numbers. Multiplying
// two reflected 64-bit values carry-lessly yields their product times x, so a
// fold over a distance of d bits multiplies a 128-bit lane's first (low)
// quadword by x^(d+63) mod P and its second by x^(d-1) mod P.
type foldConsts struct {
	fold1024 [2]uint64 // 8 lanes × 128 bits ahead (the SSE main loop)
	fold128  [2]uint64 // one lane ahead (merging lanes, 16-byte tail)
	fold2048 [2]uint64 // 4 × 512 bits ahead (the AVX-512 main loop)
	fold512  [2]uint64 // one 512-bit register ahead (merging them)
	// lanes4 folds the four 128-bit lanes of one 512-bit register onto the
	// last: three, two and one lane ahead, and zero for the last lane itself.
	lanes4  [8]uint64
	barrett [2]uint64 // μ/x and (P + 1)/x, reflected, for the last 128 → 64 bits
}

func foldPair(d uint64) [2]uint64 {
	return [2]uint64{reflectedXPow(d + 63), reflectedXPow(d - 1)}
}

func newFoldConsts() foldConsts {
	f384, f256, f128 := foldPair(384), foldPair(256), foldPair(128)
	return foldConsts{
		fold1024: foldPair(1024),
		fold128:  f128,
		fold2048: foldPair(2048),
		fold512:  foldPair(512),
		lanes4:   [8]uint64{f384[0], f384[1], f256[0], f256[1], f128[0], f128[1], 0, 0},
		// (P + 1)/x: adding the quotient itself back is what turns the
		// product's upper half into q·P's lower half (see reduce in the
		// model test).
		barrett: [2]uint64{barrettMu(), bits.Reverse64(1<<63 | (ecmaNormal^1)>>1)},
	}
}

var consts = newFoldConsts()
