package ossemutest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestSameContentComparesEveryByteAndTheLength: equal files match across
// chunk boundaries; one byte changed anywhere, or one missing or extra at
// the end, does not; a missing file is an error.
func TestSameContentComparesEveryByteAndTheLength(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, size := range []int{0, 1, compareChunk - 1, compareChunk, 2*compareChunk + 7} {
		data := bytes.Repeat([]byte("0123456789abcdef"), size/16+1)[:size]
		path := filepath.Join(dir, "f")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if ok, err := SameContent(path, bytes.NewReader(data)); !ok || err != nil {
			t.Errorf("size %d: equal content: %v %v", size, ok, err)
		}
		if ok, _ := SameContent(path, bytes.NewReader(append(bytes.Clone(data), 'x'))); ok {
			t.Errorf("size %d: matched a want one byte longer", size)
		}
		if size > 0 {
			if ok, _ := SameContent(path, bytes.NewReader(data[:size-1])); ok {
				t.Errorf("size %d: matched a want one byte shorter", size)
			}
			for _, at := range []int{0, size / 2, size - 1} {
				other := bytes.Clone(data)
				other[at] ^= 1
				if ok, _ := SameContent(path, bytes.NewReader(other)); ok {
					t.Errorf("size %d: matched with byte %d changed", size, at)
				}
			}
		}
	}
	if _, err := SameContent(filepath.Join(dir, "missing"), bytes.NewReader(nil)); err == nil {
		t.Error("a missing file compared without an error")
	}
}
