package transfer

import "ossq/internal/crc64x"

// crcJoiner combines per-part CRC64s, in order, into the whole object's.
// Parts of one size share a precomputed shift, so 10,000 parts cost
// microseconds rather than the SDK's ~0.23 ms per CRC64Combine.
type crcJoiner struct {
	crc   uint64
	size  int64 // the size shift was made for
	shift crc64x.Shift
	ready bool
}

func (j *crcJoiner) add(crc uint64, size int64) {
	if !j.ready || size != j.size {
		j.size, j.shift, j.ready = size, crc64x.NewShift(size), true
	}
	j.crc = j.shift.Combine(j.crc, crc)
}
