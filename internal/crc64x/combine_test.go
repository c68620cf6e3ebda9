package crc64x

import (
	"hash/crc64"
	"testing"
)

func TestCombineMatchesChecksumOfConcatenation(t *testing.T) {
	data := randomBytes(70_000, 3)
	for _, cut := range []int{0, 1, 8, 15, 16, 17, 255, 4096, 69_999, 70_000} {
		a, b := data[:cut], data[cut:]
		want := crc64.Checksum(data, stdTable)
		if got := Combine(Checksum(a), Checksum(b), int64(len(b))); got != want {
			t.Errorf("cut %d: Combine = %#x, want %#x", cut, got, want)
		}
		if got := NewShift(int64(len(b))).Combine(Checksum(a), Checksum(b)); got != want {
			t.Errorf("cut %d: Shift.Combine = %#x, want %#x", cut, got, want)
		}
	}
}

func TestCombineOfManyEqualParts(t *testing.T) {
	const partSize, parts = 1000, 37
	data := randomBytes(partSize*parts+123, 4)
	shift := NewShift(partSize)
	var crc uint64
	for i := 0; i < parts; i++ {
		crc = shift.Combine(crc, Checksum(data[i*partSize:(i+1)*partSize]))
	}
	last := data[parts*partSize:]
	crc = Combine(crc, Checksum(last), int64(len(last)))
	if want := crc64.Checksum(data, stdTable); crc != want {
		t.Fatalf("combined %#x, want %#x", crc, want)
	}
}

func TestCombineOfHugeLengthsIsTheRepeatedShift(t *testing.T) {
	// Shifting by 2^40 bytes equals shifting twice by 2^39 bytes: the
	// square-and-multiply path for lengths no test can hold in memory.
	const crc1 = 0x0123456789abcdef
	once := NewShift(1<<40).Combine(crc1, 0)
	half := NewShift(1 << 39)
	if twice := half.Combine(half.Combine(crc1, 0), 0); once != twice {
		t.Fatalf("shift 2^40 = %#x, twice 2^39 = %#x", once, twice)
	}
}

func TestCombineWithEmptyOrNegativeSecondPart(t *testing.T) {
	if got := Combine(0xabc, 0, 0); got != 0xabc {
		t.Errorf("Combine(x, 0, 0) = %#x, want x", got)
	}
	if got := Combine(0xabc, 0, -5); got != 0xabc {
		t.Errorf("Combine(x, 0, -5) = %#x, want x (negative taken as 0)", got)
	}
	var zero Shift
	if got := zero.Combine(0xabc, 0x1); got != 0xabc^0x1 {
		t.Errorf("zero Shift.Combine(x, y) = %#x, want x^y (the shift by 0 bytes)", got)
	}
}

func FuzzCombine(f *testing.F) {
	f.Add(uint16(0), uint16(0), uint64(1))
	f.Add(uint16(1000), uint16(4097), uint64(2))
	f.Add(uint16(7), uint16(1), uint64(3))
	f.Fuzz(func(t *testing.T, lenA, lenB uint16, seed uint64) {
		data := randomBytes(int(lenA)+int(lenB), seed)
		a, b := data[:lenA], data[lenA:]
		want := crc64.Checksum(data, stdTable)
		if got := Combine(Checksum(a), Checksum(b), int64(len(b))); got != want {
			t.Fatalf("lenA %d lenB %d: got %#x, want %#x", lenA, lenB, got, want)
		}
	})
}
