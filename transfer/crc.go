package transfer

import "ossq/internal/crc64x"

// crcJoiner combines per-part CRC64s, in order, into the whole object's.
// Parts of one size share a precomputed shift, so 10,000 parts cost
// microseconds rather than the SDK's ~0.23 ms per CRC64Combine.
// The zero value is ready: its shift is the one for size 0.
type crcJoiner struct {
	crc   uint64
	size  int64 // the size shift was made for
	shift crc64x.Shift
}

func (j *crcJoiner) add(crc uint64, size int64) {
	if size != j.size {
		j.size, j.shift = size, crc64x.NewShift(size)
	}
	j.crc = j.shift.Combine(j.crc, crc)
}
