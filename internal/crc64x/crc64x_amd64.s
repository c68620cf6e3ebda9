//go:build !purego

#include "textflag.h"

// CRC-64/ECMA by carry-less folding (Intel, "Fast CRC Computation for
// Generic Polynomials Using PCLMULQDQ Instruction", reflected variant).
// fold_model_test.go is this code in Go; consts.go explains the constants.
// Offsets into foldConsts:
#define FOLD1024 0
#define FOLD128 16
#define FOLD2048 32
#define FOLD512 48
#define LANES4 64
#define BARRETT 128

// FOLD_LANE: x = fold(x by the pair in X10) ^ 16 bytes at off(SI).
#define FOLD_LANE(off, x) \
	MOVO      x, X8;        \
	PCLMULQDQ $0x00, X10, x; \
	PCLMULQDQ $0x11, X10, X8; \
	MOVOU     off(SI), X9;  \
	PXOR      X8, x;        \
	PXOR      X9, x

// FOLD_INTO: dst ^= fold(src by the pair in X10); src is clobbered.
#define FOLD_INTO(src, dst) \
	MOVO      src, X8;        \
	PCLMULQDQ $0x00, X10, src; \
	PCLMULQDQ $0x11, X10, X8; \
	PXOR      src, dst;       \
	PXOR      X8, dst

// TAIL_AND_REDUCE folds the remaining 16-byte blocks (CX bytes at SI) into
// X7, reduces X7 to the 64-bit CRC and returns it inverted.
#define TAIL_AND_REDUCE \
	MOVOU     FOLD128(DX), X10; \
tail:                           \
	CMPQ      CX, $16;          \
	JB        reduce;           \
	FOLD_LANE(0, X7);           \
	ADDQ      $16, SI;          \
	SUBQ      $16, CX;          \
	JMP       tail;             \
reduce:                         \
	MOVO      X7, X8;           \
	PSRLDQ    $8, X8;           \
	PCLMULQDQ $0x10, X10, X7;   \
	PXOR      X8, X7;           \
	MOVOU     BARRETT(DX), X10; \
	MOVO      X7, X8;           \
	PCLMULQDQ $0x00, X10, X8;   \
	MOVO      X8, X9;           \
	PCLMULQDQ $0x10, X10, X9;   \
	PSLLDQ    $8, X8;           \
	PXOR      X8, X7;           \
	PXOR      X9, X7;           \
	PEXTRQ    $1, X7, AX;       \
	NOTQ      AX;               \
	MOVQ      AX, ret+40(FP);   \
	RET

// func updateSSE(crc uint64, p []byte, k *foldConsts) uint64
// len(p) is a multiple of 16 and at least 128.
TEXT ·updateSSE(SB), NOSPLIT, $0-48
	MOVQ crc+0(FP), AX
	NOTQ AX
	MOVQ p_base+8(FP), SI
	MOVQ p_len+16(FP), CX
	MOVQ k+32(FP), DX

	MOVOU 0(SI), X0
	MOVOU 16(SI), X1
	MOVOU 32(SI), X2
	MOVOU 48(SI), X3
	MOVOU 64(SI), X4
	MOVOU 80(SI), X5
	MOVOU 96(SI), X6
	MOVOU 112(SI), X7
	MOVQ  AX, X8
	PXOR  X8, X0
	ADDQ  $128, SI
	SUBQ  $128, CX

	MOVOU FOLD1024(DX), X10

loop8:
	CMPQ CX, $128
	JB   merge8
	FOLD_LANE(0, X0)
	FOLD_LANE(16, X1)
	FOLD_LANE(32, X2)
	FOLD_LANE(48, X3)
	FOLD_LANE(64, X4)
	FOLD_LANE(80, X5)
	FOLD_LANE(96, X6)
	FOLD_LANE(112, X7)
	ADDQ $128, SI
	SUBQ $128, CX
	JMP  loop8

merge8:
	MOVOU FOLD128(DX), X10
	FOLD_INTO(X0, X1)
	FOLD_INTO(X1, X2)
	FOLD_INTO(X2, X3)
	FOLD_INTO(X3, X4)
	FOLD_INTO(X4, X5)
	FOLD_INTO(X5, X6)
	FOLD_INTO(X6, X7)
	TAIL_AND_REDUCE

// ZFOLD: z = fold(z by the pairs in Z10) ^ 64 bytes at off(SI).
#define ZFOLD(off, z) \
	VPCLMULQDQ $0x00, Z10, z, Z8; \
	VPCLMULQDQ $0x11, Z10, z, z;  \
	VPTERNLOGQ $0x96, off(SI), Z8, z

// ZFOLD_INTO: dst ^= fold(src by the pairs in Z10).
#define ZFOLD_INTO(src, dst) \
	VPCLMULQDQ $0x00, Z10, src, Z8; \
	VPCLMULQDQ $0x11, Z10, src, Z9; \
	VPTERNLOGQ $0x96, Z8, Z9, dst

// func updateAVX512(crc uint64, p []byte, k *foldConsts) uint64
// len(p) is a multiple of 16 and at least 256.
TEXT ·updateAVX512(SB), NOSPLIT, $0-48
	MOVQ crc+0(FP), AX
	NOTQ AX
	MOVQ p_base+8(FP), SI
	MOVQ p_len+16(FP), CX
	MOVQ k+32(FP), DX

	VMOVDQU64 0(SI), Z0
	VMOVDQU64 64(SI), Z1
	VMOVDQU64 128(SI), Z2
	VMOVDQU64 192(SI), Z3
	VMOVQ     AX, X8
	VPXORQ    Z8, Z0, Z0
	ADDQ      $256, SI
	SUBQ      $256, CX

	VBROADCASTI32X4 FOLD2048(DX), Z10

zloop:
	CMPQ CX, $256
	JB   zmerge
	ZFOLD(0, Z0)
	ZFOLD(64, Z1)
	ZFOLD(128, Z2)
	ZFOLD(192, Z3)
	ADDQ $256, SI
	SUBQ $256, CX
	JMP  zloop

zmerge:
	VBROADCASTI32X4 FOLD512(DX), Z10
	ZFOLD_INTO(Z0, Z1)
	ZFOLD_INTO(Z1, Z2)
	ZFOLD_INTO(Z2, Z3)

	// Four lanes of Z3 onto its last: fold each by its distance, then
	// xor the four products and the last lane.
	VMOVDQU64      LANES4(DX), Z10
	VPCLMULQDQ     $0x00, Z10, Z3, Z8
	VPCLMULQDQ     $0x11, Z10, Z3, Z9
	VPXORQ         Z8, Z9, Z8
	VEXTRACTI32X4  $3, Z3, X7
	VEXTRACTI64X4  $1, Z8, Y9
	VPXOR          Y9, Y8, Y8
	VEXTRACTI128   $1, Y8, X9
	VPXOR          X9, X8, X8
	VPXOR          X8, X7, X7
	VZEROUPPER
	TAIL_AND_REDUCE
