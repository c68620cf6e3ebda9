package transfer

import (
	"bytes"
	"fmt"
	"hash/crc64"
	"os"
	"strings"
	"testing"
)

// firstDonePart is the index of a part the checkpoint calls done.
func firstDonePart(t *testing.T, cp *checkpoint) int {
	t.Helper()
	for i, p := range cp.Parts {
		if _, n := partRange(cp.Size, cp.PartSize, i); n > 0 && p.Done == n {
			return i
		}
	}
	t.Fatal("no part is done in the checkpoint")
	return -1
}

// TestResumeRefetchesADamagedPart: 4 KiB of a done part overwritten on
// disk between pause and resume is found by re-reading, and only that
// part is fetched again.
func TestResumeRefetchesADamagedPart(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	const size = 3 << 20
	e, id, dest, cp := pausedDownload(t, env, size, 7)
	i := firstDonePart(t, cp)
	off, n := partRange(cp.Size, cp.PartSize, i)
	f, err := os.OpenFile(cp.TempPath, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xAA}, 4096), off+n/2); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var recorded int64
	for _, p := range cp.Parts {
		recorded += p.Done
	}
	if err := e.Resume(id); err != nil {
		t.Fatal(err)
	}
	ts := mustDone(t, e, id)
	assertGenerated(t, dest, size, 7)
	if got, want := env.srv.Stats().GetBodyBytes, size-recorded+n; got != want {
		t.Errorf("resume fetched %d bytes, want the missing %d plus the damaged part's %d", got, size-recorded, n)
	}
	if !strings.Contains(ts.Notice, "did not match the checkpoint") {
		t.Errorf("notice %q does not report the damaged part", ts.Notice)
	}
}

// TestResumeRefetchesASwappedTemp: the temp file replaced by another file
// of the same size (a different inode, our own regular file) passes every
// stat check; its bytes do not, so every done part is fetched again.
func TestResumeRefetchesASwappedTemp(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	const size = 3 << 20
	e, id, dest, cp := pausedDownload(t, env, size, 8)
	if err := os.Remove(cp.TempPath); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cp.TempPath, randomData(size, 9), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := e.Resume(id); err != nil {
		t.Fatal(err)
	}
	ts := mustDone(t, e, id)
	assertGenerated(t, dest, size, 8)
	if got := env.srv.Stats().GetBodyBytes; got != size {
		t.Errorf("resume fetched %d bytes, want all %d (nothing on disk was ours)", got, size)
	}
	if !strings.Contains(ts.Notice, "did not match the checkpoint") {
		t.Errorf("notice %q does not report the mismatch", ts.Notice)
	}
}

// BenchmarkVerifyDoneParts measures the resume check: a read of the done
// bytes at disk (here: page cache) speed with CRC64, by 1 and by the
// maximum of readers.
func BenchmarkVerifyDoneParts(b *testing.B) {
	const size, partSize = 256 << 20, 8 << 20
	path := b.TempDir() + "/temp"
	data := randomData(size, 1)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	parts := make([]*part, size/partSize)
	for i := range parts {
		off, n := partRange(size, partSize, i)
		p := &part{number: i + 1, off: off, size: n}
		p.crc = crcOf(data[off : off+n])
		parts[i] = p
	}
	for _, readers := range []int{1, maxVerifyReaders} {
		b.Run(fmt.Sprintf("readers=%d", readers), func(b *testing.B) {
			b.SetBytes(size)
			for b.Loop() {
				for _, p := range parts {
					p.done.Store(p.size)
				}
				bad, err := verifyDoneParts(b.Context(), f, parts, readers)
				if err != nil || len(bad) != 0 {
					b.Fatalf("verify: %v, bad parts %v", err, bad)
				}
			}
		})
	}
}

func crcOf(b []byte) uint64 { return crc64.Checksum(b, crcTable) }
