package transfer

import (
	"hash/crc64"
	"math/rand/v2"
	"testing"
)

func TestPartCRCsJoinToTheWholeObjectsCRC(t *testing.T) {
	t.Parallel()
	data := make([]byte, 3*1000+437)
	for i := range data {
		data[i] = byte(rand.Uint32())
	}
	var whole crcJoiner
	for off := 0; off < len(data); off += 1000 {
		end := min(off+1000, len(data))
		whole.add(crc64.Checksum(data[off:end], crcTable), int64(end-off))
	}
	if want := crc64.Checksum(data, crcTable); whole.crc != want {
		t.Fatalf("joined %#x, want %#x", whole.crc, want)
	}
	var empty crcJoiner
	empty.add(0, 0)
	if empty.crc != 0 {
		t.Fatalf("one empty part joined to %#x, want 0", empty.crc)
	}
}
