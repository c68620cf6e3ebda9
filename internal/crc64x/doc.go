// Package crc64x computes CRC-64/ECMA, the checksum OSS sends in
// x-oss-hash-crc64ecma, exactly as hash/crc64 with the ECMA table does, but
// with carry-less multiplication (PCLMULQDQ, or VPCLMULQDQ with AVX-512, on
// amd64; PMULL on arm64): tens of GB/s instead of ~2. Other architectures,
// CPUs without those instructions and short inputs use hash/crc64's table
// code.
//
// It also combines CRCs of adjacent pieces (Combine, Shift) without reading
// the data again, as zlib's crc32_combine does for CRC-32.
package crc64x
