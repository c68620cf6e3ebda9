package crc64x

import (
	"bytes"
	"encoding/binary"
	"hash/crc64"
	"math/rand/v2"
	"testing"
)

var stdTable = crc64.MakeTable(crc64.ECMA)

// randomBytes is n pseudo-random bytes, the same for the same seed. Eight
// bytes per generator call: a call per byte took ~3 s for 8 MiB under -race.
func randomBytes(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 7))
	b := make([]byte, n+8)
	for i := 0; i < n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], rng.Uint64())
	}
	return b[:n]
}

// edgeLengths are around every threshold of the fast code: the table
// cut-over, the 16-byte tail, the 128- and 256-byte loops, a page.
func edgeLengths() []int {
	var ns []int
	for n := 0; n <= 300; n++ {
		ns = append(ns, n)
	}
	for _, base := range []int{511, 1023, 4095, 65535, 1 << 20} {
		ns = append(ns, base, base+1, base+2)
	}
	return append(ns, 8<<20+13)
}

// Every length at every misalignment from every starting CRC; past 64 KiB
// (where only the main loop runs longer) each misalignment once, each with
// another starting CRC: the stdlib's table code is slow under -race.
func TestUpdateMatchesStdlibOnEdgeLengths(t *testing.T) {
	buf := randomBytes(8<<20+64, 1)
	offsets := []int{0, 1, 7, 15}
	crcs := []uint64{0, 1, 0xffffffffffffffff, 0x9a6c9329ac4bc9b5}
	for _, n := range edgeLengths() {
		for i, off := range offsets {
			p := buf[off : off+n]
			for j, crc := range crcs {
				if n > 64<<10 && j != i {
					continue
				}
				if got, want := Update(crc, p), crc64.Update(crc, stdTable, p); got != want {
					t.Fatalf("len %d offset %d crc %#x: got %#x, want %#x", n, off, crc, got, want)
				}
			}
		}
	}
}

func TestChecksumOfKnownInputs(t *testing.T) {
	// The CRC-64/XZ check value (ECMA reflected, inverted in and out).
	if got := Checksum([]byte("123456789")); got != 0x995dc9bbdf1939fa {
		t.Errorf("Checksum(123456789) = %#x, want 0x995dc9bbdf1939fa", got)
	}
	if got := Checksum(nil); got != 0 {
		t.Errorf("Checksum(nil) = %#x, want 0", got)
	}
	zeros := make([]byte, 1<<20)
	if got, want := Checksum(zeros), crc64.Checksum(zeros, stdTable); got != want {
		t.Errorf("1 MiB of zeros: got %#x, want %#x", got, want)
	}
}

func TestHashMatchesStdlibHash(t *testing.T) {
	data := randomBytes(100_003, 2)
	ours, theirs := New(), crc64.New(stdTable)
	for i := 0; i < len(data); {
		n := min(len(data)-i, 1+i%9000)
		ours.Write(data[i : i+n])
		theirs.Write(data[i : i+n])
		i += n
	}
	if ours.Sum64() != theirs.Sum64() {
		t.Fatalf("Sum64 %#x, stdlib %#x", ours.Sum64(), theirs.Sum64())
	}
	if !bytes.Equal(ours.Sum([]byte("x")), theirs.Sum([]byte("x"))) {
		t.Fatalf("Sum differs from stdlib's")
	}
	if ours.Size() != theirs.Size() || ours.BlockSize() != theirs.BlockSize() {
		t.Fatalf("Size/BlockSize differ from stdlib's")
	}
	ours.Reset()
	if ours.Sum64() != 0 {
		t.Fatalf("Reset left %#x", ours.Sum64())
	}
}

// FuzzUpdateMatchesStdlib checks a random length at a random offset, with a
// random starting CRC, in one call and split in two at a random point.
func FuzzUpdateMatchesStdlib(f *testing.F) {
	f.Add(uint64(0), uint16(0), uint8(0), uint16(0), uint64(1))
	f.Add(uint64(0xffffffffffffffff), uint16(4097), uint8(3), uint16(2049), uint64(2))
	f.Add(uint64(12345), uint16(300), uint8(15), uint16(128), uint64(3))
	f.Add(uint64(0), uint16(65535), uint8(1), uint16(256), uint64(4))
	f.Fuzz(func(t *testing.T, crc uint64, length uint16, offset uint8, split uint16, seed uint64) {
		off := int(offset % 64)
		buf := randomBytes(off+int(length), seed)
		p := buf[off:]
		want := crc64.Update(crc, stdTable, p)
		if got := Update(crc, p); got != want {
			t.Fatalf("len %d offset %d: got %#x, want %#x", len(p), off, got, want)
		}
		s := int(split) % (len(p) + 1)
		if got := Update(Update(crc, p[:s]), p[s:]); got != want {
			t.Fatalf("len %d split at %d: got %#x, want %#x", len(p), s, got, want)
		}
	})
}
