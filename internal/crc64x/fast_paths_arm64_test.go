//go:build !purego

package crc64x

import (
	"hash/crc64"
	"testing"
)

// Update takes the PMULL path only where the CPU has it; this calls it
// directly so a run says whether it was checked.
func TestPMULLPathMatchesStdlib(t *testing.T) {
	if !hasPMULL {
		t.Skip("no PMULL on this CPU: the table code runs instead")
	}
	buf := randomBytes(70_000, 5)
	lengths := []int{65536, 69_984}
	for n := minPMULL; n <= 5000; n += 16 {
		lengths = append(lengths, n)
	}
	for _, n := range lengths {
		for _, off := range []int{0, 3} {
			data := buf[off : off+n]
			if got, want := updatePMULL(0x5555, data, &consts), crc64.Update(0x5555, stdTable, data); got != want {
				t.Fatalf("len %d offset %d: got %#x, want %#x", n, off, got, want)
			}
		}
	}
}
