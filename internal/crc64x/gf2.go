package crc64x

import "math/bits"

// The arithmetic below works on polynomials over GF(2) in the normal bit
// order (bit i is the coefficient of x^i) modulo P(x) = x^64 + ecmaNormal.
// A reflected CRC register r stands for the polynomial bits.Reverse64(r).

// ecmaNormal is P(x) without its x^64 term: ECMA-182, not reflected
// (bits.Reverse64 of crc64.ECMA).
const ecmaNormal = 0x42F0E1EBA9EA3693

// mulMod returns a·b mod P.
func mulMod(a, b uint64) uint64 {
	var r uint64
	for i := 63; i >= 0; i-- {
		r = mulX(r)
		if b>>uint(i)&1 != 0 {
			r ^= a
		}
	}
	return r
}

// mulX returns a·x mod P.
func mulX(a uint64) uint64 {
	carry := a >> 63
	return a<<1 ^ -carry&ecmaNormal
}

// xPowMod returns x^n mod P.
func xPowMod(n uint64) uint64 {
	result := uint64(1)
	for ; n > 0; n-- {
		result = mulX(result)
	}
	return result
}

// reflectedXPow returns x^n mod P as a reflected 64-bit constant, the form
// the carry-less folding multiplies register halves by.
func reflectedXPow(n uint64) uint64 { return bits.Reverse64(xPowMod(n)) }

// barrettMu returns μ = floor(x^128 / P) divided by x, reflected. μ has
// degree 64; dropping its constant term only changes coefficients of the
// product below x^64, which the reduction discards, so μ/x fits 64 bits.
func barrettMu() uint64 {
	// Long division of x^128 by P. After the quotient's x^64 term the
	// running remainder is x^64·ecmaNormal; each quotient bit q_k
	// (k = 63..0) cancels x^(64+k) by adding x^k·P. Only the remainder's
	// coefficients from x^64 up (hi) decide quotient bits, so the lower
	// half is not kept.
	hi := uint64(ecmaNormal)
	var q uint64 // bit k = q_k
	for k := 63; k >= 0; k-- {
		if hi>>uint(k)&1 == 0 {
			continue
		}
		q |= 1 << uint(k)
		hi ^= 1 << uint(k)
		if k > 0 {
			hi ^= ecmaNormal >> uint(64-k)
		}
	}
	// μ = x^64 + q; μ/x without its constant term = x^63 + q>>1.
	return bits.Reverse64(1<<63 | q>>1)
}
