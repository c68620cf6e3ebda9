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

// The running parts of a transfer and the parts of its checkpoint join the
// same way, through one joinCRCs.
func TestRunningAndCheckpointedPartsJoinAlike(t *testing.T) {
	data := make([]byte, 4*1000+17)
	for i := range data {
		data[i] = byte(rand.Uint32())
	}
	var running []*part
	var saved []cpPart
	for i, off := 0, 0; off < len(data); i, off = i+1, off+1000 {
		end := min(off+1000, len(data))
		crc := crc64.Checksum(data[off:end], crcTable)
		p := &part{number: i + 1, off: int64(off), size: int64(end - off), crc: crc}
		p.done.Store(p.size)
		running = append(running, p)
		saved = append(saved, cpPart{Number: i + 1, Done: p.size, CRC: crc})
	}
	want := crc64.Checksum(data, crcTable)
	if got := joinCRCs(running); got != want {
		t.Errorf("running parts join to %#x, want %#x", got, want)
	}
	if got := joinCRCs(saved); got != want {
		t.Errorf("checkpointed parts join to %#x, want %#x", got, want)
	}
}
