package crc64x

import "math/bits"

// Combine returns the CRC-64/ECMA of A||B given crc1 = Checksum(A),
// crc2 = Checksum(B) and len2 = len(B), as zlib's crc64 combine and the OSS
// SDK's CRC64Combine do. It costs about 130 squarings at most; for many
// pieces of one size, NewShift once and Shift.Combine per piece is cheaper.
// A negative len2 is taken as 0.
func Combine(crc1, crc2 uint64, len2 int64) uint64 {
	return NewShift(len2).Combine(crc1, crc2)
}

// Shift is the operator "append len bytes" on a CRC, precomputed for one
// length. The zero Shift is the one for 0 bytes.
type Shift struct {
	// x^(8·len) mod P in normal bit order, xor 1: stored so that the zero
	// value is x^0, the identity.
	xPowXor1 uint64
}

// NewShift precomputes the shift over len2 bytes. A negative len2 is taken
// as 0 (the identity).
func NewShift(len2 int64) Shift {
	if len2 <= 0 {
		return Shift{}
	}
	return Shift{xPowXor1: xPowMod8(uint64(len2)) ^ 1}
}

// Combine returns the CRC of A||B from crc1 of A and crc2 of B, where B is
// as long as the Shift was made for.
func (s Shift) Combine(crc1, crc2 uint64) uint64 {
	// CRC(A||B) = CRC(A)·x^(8·len B) ⊕ CRC(B): the pre- and post-inversions
	// of the two checksums cancel.
	return bits.Reverse64(mulMod(bits.Reverse64(crc1), s.xPowXor1^1)) ^ crc2
}

// xPowMod8 returns x^(8n) mod P without overflowing 8n.
func xPowMod8(n uint64) uint64 {
	result, base := uint64(1), uint64(1)<<8 // 1 and x^8
	for n > 0 {
		if n&1 != 0 {
			result = mulMod(result, base)
		}
		base = mulMod(base, base)
		n >>= 1
	}
	return result
}
