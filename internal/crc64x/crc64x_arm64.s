//go:build !purego

#include "textflag.h"

// CRC-64/ECMA by carry-less folding with PMULL: the same algorithm and
// constants as crc64x_amd64.s (see fold_model_test.go), 8 × 128 bits.

// FOLD: x = fold(x by the pair in V10) ^ d.
#define FOLD(x, d) \
	VPMULL  V10.D1, x.D1, V11.Q1 \
	VPMULL2 V10.D2, x.D2, x.Q1   \
	VEOR    V11.B16, x.B16, x.B16 \
	VEOR    d.B16, x.B16, x.B16

// func updatePMULL(crc uint64, p []byte, k *foldConsts) uint64
// len(p) is a multiple of 16 and at least 128.
TEXT ·updatePMULL(SB), NOSPLIT, $0-48
	MOVD crc+0(FP), R0
	MVN  R0, R0
	MOVD p_base+8(FP), R1
	MOVD p_len+16(FP), R2
	MOVD k+32(FP), R3

	VLD1.P 64(R1), [V0.B16, V1.B16, V2.B16, V3.B16]
	VLD1.P 64(R1), [V4.B16, V5.B16, V6.B16, V7.B16]
	VEOR   V8.B16, V8.B16, V8.B16
	VMOV   R0, V8.D[0]
	VEOR   V8.B16, V0.B16, V0.B16
	SUB    $128, R2

	VLD1 (R3), [V10.D2] // fold1024

loop8:
	CMP    $128, R2
	BLT    merge8
	VLD1.P 64(R1), [V16.B16, V17.B16, V18.B16, V19.B16]
	VLD1.P 64(R1), [V20.B16, V21.B16, V22.B16, V23.B16]
	FOLD(V0, V16)
	FOLD(V1, V17)
	FOLD(V2, V18)
	FOLD(V3, V19)
	FOLD(V4, V20)
	FOLD(V5, V21)
	FOLD(V6, V22)
	FOLD(V7, V23)
	SUB    $128, R2
	B      loop8

merge8:
	ADD  $16, R3, R4
	VLD1 (R4), [V10.D2] // fold128
	FOLD(V0, V1)
	FOLD(V0, V2)
	FOLD(V0, V3)
	FOLD(V0, V4)
	FOLD(V0, V5)
	FOLD(V0, V6)
	FOLD(V0, V7)
	VMOV V0.B16, V7.B16

tail:
	CMP    $16, R2
	BLT    reduce
	VLD1.P 16(R1), [V16.B16]
	FOLD(V7, V16)
	SUB    $16, R2
	B      tail

reduce:
	// y = clmul(r.lo, x^127) ^ r.hi
	MOVD    24(R3), R4
	VMOV    R4, V12.D[0]
	VPMULL  V12.D1, V7.D1, V13.Q1
	VEOR    V14.B16, V14.B16, V14.B16
	VEXT    $8, V14.B16, V7.B16, V15.B16
	VEOR    V15.B16, V13.B16, V7.B16
	// Barrett: q = clmul(y.lo, mu).lo; t = clmul(q, (P+1)/x)
	MOVD    128(R3), R4
	VMOV    R4, V12.D[0]
	VPMULL  V12.D1, V7.D1, V13.Q1
	MOVD    136(R3), R4
	VMOV    R4, V12.D[0]
	VPMULL  V12.D1, V13.D1, V14.Q1
	// crc = y.hi ^ q ^ t.hi
	VMOV    V7.D[1], R5
	VMOV    V13.D[0], R6
	VMOV    V14.D[1], R7
	EOR     R6, R5, R5
	EOR     R7, R5, R5
	MVN     R5, R5
	MOVD    R5, ret+40(FP)
	RET
