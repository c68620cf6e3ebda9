package crc64x

import (
	"hash/crc64"
	"math/bits"
	"math/rand/v2"
	"testing"
)

// The model below is the assembly's algorithm written in Go with a software
// carry-less multiply, so the constants and the order of the folds are
// checked on every architecture, not only where the assembly runs.

type lane struct{ lo, hi uint64 } // a 128-bit register: lo = first 8 bytes

func clmul(a, b uint64) lane {
	var lo, hi uint64
	for i := 0; i < 64; i++ {
		if b>>uint(i)&1 != 0 {
			lo ^= a << uint(i)
			if i > 0 {
				hi ^= a >> uint(64-i)
			}
		}
	}
	return lane{lo, hi}
}

func (a lane) xor(b lane) lane { return lane{a.lo ^ b.lo, a.hi ^ b.hi} }

func load(p []byte) lane {
	return lane{le64(p), le64(p[8:])}
}

func le64(p []byte) uint64 {
	return uint64(p[0]) | uint64(p[1])<<8 | uint64(p[2])<<16 | uint64(p[3])<<24 |
		uint64(p[4])<<32 | uint64(p[5])<<40 | uint64(p[6])<<48 | uint64(p[7])<<56
}

// fold moves a lane d bits ahead: its value times x^d, still unreduced.
func fold(a lane, k [2]uint64) lane { return clmul(a.lo, k[0]).xor(clmul(a.hi, k[1])) }

// reduce returns R·x^64 mod P for the last lane R, reflected.
func reduce(r lane) uint64 {
	// R = H·x^64 + L: H·x^128 + L·x^64 fits 128 bits again.
	y := clmul(r.lo, consts.fold128[1]).xor(lane{r.hi, 0})
	// Barrett: q = floor(A·μ / x^64) for the upper half A.
	q := clmul(y.lo, consts.barrett[0]).lo
	t := clmul(q, consts.barrett[1])
	return y.hi ^ q ^ t.hi
}

func modelUpdate(crc uint64, p []byte) uint64 {
	if len(p) < 128 || len(p)%16 != 0 {
		panic("model takes a multiple of 16 bytes, at least 128")
	}
	var x [8]lane
	for i := range x {
		x[i] = load(p[16*i:])
	}
	x[0].lo ^= ^crc
	p = p[128:]
	for len(p) >= 128 {
		for i := range x {
			x[i] = fold(x[i], consts.fold1024).xor(load(p[16*i:]))
		}
		p = p[128:]
	}
	acc := x[0]
	for i := 1; i < 8; i++ {
		acc = fold(acc, consts.fold128).xor(x[i])
	}
	for len(p) >= 16 {
		acc = fold(acc, consts.fold128).xor(load(p))
		p = p[16:]
	}
	return ^reduce(acc)
}

func TestFoldModelMatchesStdlib(t *testing.T) {
	table := crc64.MakeTable(crc64.ECMA)
	rng := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 4096)
	for i := range buf {
		buf[i] = byte(rng.Uint32())
	}
	for n := 128; n <= len(buf); n += 16 {
		for _, crc := range []uint64{0, 0x0123456789abcdef} {
			if got, want := modelUpdate(crc, buf[:n]), crc64.Update(crc, table, buf[:n]); got != want {
				t.Fatalf("n=%d crc=%#x: model %#x, stdlib %#x", n, crc, got, want)
			}
		}
	}
}

func TestFoldConstantsAreTheKnownECMAValues(t *testing.T) {
	// Published with Intel's paper's method for CRC-64/ECMA (e.g. TiKV's crc64fast).
	checks := []struct {
		name      string
		got, want uint64
	}{
		{"x^127", consts.fold128[1], 0xdabe95afc7875f40},
		{"x^191", consts.fold128[0], 0xe05dd497ca393ae4},
		{"x^1023", consts.fold1024[1], 0xd7d86b2af73de740},
		{"x^1087", consts.fold1024[0], 0x8757d71d4fcc1000},
		{"mu", consts.barrett[0], 0x9c3e466c172963d5},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %#x, want %#x", c.name, c.got, c.want)
		}
	}
	if bits.Reverse64(ecmaNormal) != crc64.ECMA {
		t.Errorf("ecmaNormal is not crc64.ECMA reflected")
	}
}
