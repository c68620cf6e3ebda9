package crc64x

import (
	"hash"
	"hash/crc64"
)

// Size is the size of a CRC-64 checksum in bytes.
const Size = 8

var table = crc64.MakeTable(crc64.ECMA)

// Update returns the result of adding the bytes in p to crc, the same as
// crc64.Update(crc, crc64.MakeTable(crc64.ECMA), p).
func Update(crc uint64, p []byte) uint64 {
	crc, rest := updateFast(crc, p)
	return crc64.Update(crc, table, rest)
}

// Checksum returns the CRC-64/ECMA of p.
func Checksum(p []byte) uint64 { return Update(0, p) }

// New returns a hash.Hash64 computing CRC-64/ECMA; its Sum appends the
// checksum big-endian, as hash/crc64's does.
func New() hash.Hash64 { return new(digest) }

type digest struct{ crc uint64 }

func (d *digest) Write(p []byte) (int, error) {
	d.crc = Update(d.crc, p)
	return len(p), nil
}

func (d *digest) Sum64() uint64 { return d.crc }

func (d *digest) Sum(in []byte) []byte {
	s := d.crc
	return append(in, byte(s>>56), byte(s>>48), byte(s>>40), byte(s>>32),
		byte(s>>24), byte(s>>16), byte(s>>8), byte(s))
}

func (d *digest) Reset()         { d.crc = 0 }
func (d *digest) Size() int      { return Size }
func (d *digest) BlockSize() int { return 1 }
